/* adv — autocomplete pickers (adv/ui/pickers.py renders the markup).
 *
 * <div data-autocomplete data-source="members" data-params="role=sales">
 *   <input hidden data-ac-value>          the chosen id, submitted with the form
 *   <input role="combobox" data-ac-input> what the user types; shows the chosen label
 *   <ul role="listbox" data-ac-list>      suggestions from /t/<firm>/pickers/<source>/?q=…
 *
 * Keyboard: arrows move, Enter picks, Escape closes (a second Escape restores the chosen label).
 * Events are delegated from the document, so pickers swapped in by htmx work without set-up.
 */
(function () {
  "use strict";

  var DELAY = 200;
  var seq = 0;

  function parts(root) {
    return {
      root: root,
      value: root.querySelector("[data-ac-value]"),
      input: root.querySelector("[data-ac-input]"),
      list: root.querySelector("[data-ac-list]"),
      status: root.querySelector("[data-ac-status]")
    };
  }

  function pickerOf(element) {
    var root = element && element.closest && element.closest("[data-autocomplete]");
    return root ? parts(root) : null;
  }

  function tenantRoot() {
    var match = window.location.pathname.match(/^\/t\/[^\/]+\//);
    return match ? match[0] : "/";
  }

  function options(p) {
    return Array.prototype.slice.call(p.list.querySelectorAll("[role=option]"));
  }

  function isOpen(p) {
    return p.list.classList.contains("show");
  }

  function open(p) {
    p.list.classList.add("show");
    p.input.setAttribute("aria-expanded", "true");
  }

  function close(p) {
    p.list.classList.remove("show");
    p.input.setAttribute("aria-expanded", "false");
    p.input.removeAttribute("aria-activedescendant");
  }

  function activate(p, index) {
    var items = options(p);
    if (!items.length) return;
    index = (index + items.length) % items.length;
    items.forEach(function (item, i) {
      var on = i === index;
      item.classList.toggle("active", on);
      item.setAttribute("aria-selected", on ? "true" : "false");
    });
    p.input.setAttribute("aria-activedescendant", items[index].id);
    items[index].scrollIntoView({ block: "nearest" });
  }

  function activeIndex(p) {
    return options(p).findIndex(function (item) { return item.classList.contains("active"); });
  }

  // The label rendered by the server (or the last pick): what the box shows when left.
  function chosenLabel(p) {
    if (!p.value.value) return "";
    return p.value.acLabel !== undefined ? p.value.acLabel : (p.value.getAttribute("data-ac-label") || "");
  }

  function setValue(p, value, label) {
    var changed = p.value.value !== value;
    // Properties only, not attributes (both inputs are text inputs, whose value property leaves
    // the attribute alone): the htmx history snapshot of the page being left keeps the value its
    // address names, so Back shows the list and the picker as they were.
    p.value.value = value;
    p.value.acLabel = label;
    p.input.value = label;
    close(p);
    if (!changed) return;
    p.value.dispatchEvent(new Event("change", { bubbles: true }));
    var form = p.root.closest("form");
    if (form && p.root.hasAttribute("data-autosubmit-pick")) {
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  }

  function pick(p, item) {
    setValue(p, item.getAttribute("data-value"), item.getAttribute("data-label"));
  }

  function announce(p, count) {
    var message = count ? p.root.getAttribute("data-msg-count").replace("%(n)s", count) : p.root.getAttribute("data-msg-empty");
    p.status.textContent = message;
  }

  function load(p) {
    var mine = ++seq;
    p.root.setAttribute("data-ac-seq", String(mine));
    var query = new URLSearchParams(p.root.getAttribute("data-params") || "");
    query.set("q", p.input.value.trim());
    var url = tenantRoot() + "pickers/" + p.root.getAttribute("data-source") + "/?" + query.toString();
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true", "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        // A slower, older answer must not replace a newer one.
        if (p.root.getAttribute("data-ac-seq") !== String(mine)) return;
        p.list.innerHTML = html;  // server-rendered, escaped fragment
        var items = options(p);
        items.forEach(function (item, i) { item.id = p.list.id + "_" + i; });
        announce(p, items.length);
        if (document.activeElement === p.input) open(p);
      })
      .catch(function () {
        if (p.root.getAttribute("data-ac-seq") !== String(mine)) return;
        p.status.textContent = p.root.getAttribute("data-msg-error");
      });
  }

  var timers = new WeakMap();

  function schedule(p) {
    window.clearTimeout(timers.get(p.root));
    timers.set(p.root, window.setTimeout(function () { load(p); }, DELAY));
  }

  document.addEventListener("input", function (event) {
    var p = pickerOf(event.target);
    if (!p || event.target !== p.input) return;
    if (!p.input.value.trim() && p.value.value) {
      setValue(p, "", "");  // emptied: no value any more (a filter is lifted)
    }
    schedule(p);
  });

  document.addEventListener("focusin", function (event) {
    var p = pickerOf(event.target);
    if (p && event.target === p.input && !isOpen(p)) schedule(p);
  });

  // Leaving the box without picking puts back the chosen label: what is shown is what is sent.
  document.addEventListener("focusout", function (event) {
    var p = pickerOf(event.target);
    if (!p || event.target !== p.input) return;
    window.setTimeout(function () {
      if (p.root.contains(document.activeElement)) return;
      close(p);
      p.input.value = chosenLabel(p);
    }, 150);
  });

  document.addEventListener("keydown", function (event) {
    var p = pickerOf(event.target);
    if (!p || event.target !== p.input) return;
    var items = options(p);
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!isOpen(p)) { open(p); if (!items.length) { load(p); return; } }
        activate(p, activeIndex(p) + 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        if (!isOpen(p)) open(p);
        activate(p, activeIndex(p) < 0 ? -1 : activeIndex(p) - 1);
        break;
      case "Enter":
        if (isOpen(p) && activeIndex(p) >= 0) {
          event.preventDefault();  // picks; a second Enter submits the form
          pick(p, items[activeIndex(p)]);
        } else if (p.input.value.trim() !== chosenLabel(p).trim()) {
          event.preventDefault();  // typed but not picked: never submit a stale id
          open(p);
        }
        break;
      case "Escape":
        if (isOpen(p)) {
          event.preventDefault();
          close(p);
        } else if (p.input.value !== chosenLabel(p)) {
          event.preventDefault();
          p.input.value = chosenLabel(p);
        }
        break;
      case "Tab":
        close(p);
        break;
    }
  });

  // mousedown (not click): it comes before the input loses focus.
  document.addEventListener("mousedown", function (event) {
    var item = event.target.closest && event.target.closest("[data-ac-list] [role=option]");
    if (!item) return;
    var p = pickerOf(item);
    event.preventDefault();
    pick(p, item);
    p.input.focus();
  });
})();

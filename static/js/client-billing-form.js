/* The client's billing particulars form. */
(function () {
  "use strict";
  // Show only the fields that matter for the chosen platform (all are shown without scripts).
  var form = document.getElementById("billing-form");
  var select = form && form.querySelector("select[name=einvoicing_platform]");
  if (!select) return;
  function update() {
    form.querySelectorAll("[data-platforms]").forEach(function (block) {
      var visible = block.getAttribute("data-platforms").split(" ").indexOf(select.value) !== -1;
      var invalid = block.querySelector(".is-invalid");
      block.hidden = !visible && !invalid;
    });
  }
  select.addEventListener("change", update);
  update();
})();
(function () {
  "use strict";
  // Bold, italic and link buttons above the billing process: they wrap the selected words.
  document.querySelectorAll("textarea[data-rich-text]").forEach(function (area) {
    var bar = document.createElement("div");
    bar.className = "btn-group btn-group-sm mb-1";
    bar.setAttribute("role", "toolbar");
    // The labels, translated, come from the form's data-rich-text-* attributes.
    var holder = area.form || area;
    var label = function (name) { return holder.getAttribute("data-rich-text-" + name) || ""; };
    bar.setAttribute("aria-label", label("toolbar"));
    [["strong", label("bold"), "bi-type-bold"], ["em", label("italic"), "bi-type-italic"],
     ["a", label("link"), "bi-link-45deg"]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-secondary";
      button.innerHTML = '<i class="bi ' + spec[2] + ' me-1" aria-hidden="true"></i>';
      button.appendChild(document.createTextNode(spec[1]));
      button.addEventListener("click", function () {
        var start = area.selectionStart, end = area.selectionEnd, text = area.value;
        var selected = text.slice(start, end) || spec[1];
        var open = "<" + spec[0] + ">";
        if (spec[0] === "a") {
          var url = window.prompt(label("link-prompt"), "https://");
          if (!url || !/^https?:\/\//.test(url)) return;
          open = '<a href="' + url.replace(/"/g, "%22") + '">';
        }
        var wrapped = open + selected + "</" + spec[0] + ">";
        area.value = text.slice(0, start) + wrapped + text.slice(end);
        area.focus();
        area.setSelectionRange(start + open.length, start + open.length + selected.length);
      });
      bar.appendChild(button);
    });
    area.parentNode.insertBefore(bar, area);
  });
})();

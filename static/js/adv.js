/* adv — small behaviours shared by every page. Pages work without this file; it only adds comfort. */
(function () {
  "use strict";

  // <form data-confirm="Révoquer ce jeton ?"> asks before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // <button data-copy-target="#id"> copies the text of the target to the clipboard.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-target]");
    if (!button) return;
    var target = document.querySelector(button.getAttribute("data-copy-target"));
    if (!target) return;
    var text = (target.value !== undefined ? target.value : target.textContent).trim();
    var done = function () {
      var label = button.querySelector("[data-copy-label]");
      if (!label) return;
      var original = label.textContent;
      label.textContent = button.getAttribute("data-copied-text") || "OK";
      button.classList.add("btn-success");
      window.setTimeout(function () {
        label.textContent = original;
        button.classList.remove("btn-success");
      }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "absolute";
      area.style.left = "-9999px";
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy"); done(); } finally { document.body.removeChild(area); }
    }
  });

  // <select data-autosubmit> submits its form on change (filters).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
      if (field.form.requestSubmit) field.form.requestSubmit(); else field.form.submit();
    }
  });

  // htmx: keep history snapshots small and let error responses replace the target
  // only when the server says so.
  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx) {
      window.htmx.config.historyCacheSize = 5;
      window.htmx.config.defaultFocusScroll = false;
    }
  });
})();

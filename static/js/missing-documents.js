/* The missing-documents report: select rows and chase. */
(function () {
  "use strict";
  // "Select all" of the page, and the count on the chase button; delegated, so it survives htmx swaps.
  function refresh(form) {
    var boxes = form.querySelectorAll("input[name=rows]");
    var checked = form.querySelectorAll("input[name=rows]:checked").length;
    var all = form.querySelector("[data-select-all]");
    if (all) { all.checked = checked > 0 && checked === boxes.length; all.indeterminate = checked > 0 && checked < boxes.length; }
    var button = form.querySelector("[data-chase-selected]");
    if (button) { button.disabled = checked === 0; var n = button.querySelector("[data-count]"); if (n) n.textContent = checked; }
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-chase-form]");
    if (!form) return;
    if (event.target.hasAttribute("data-select-all")) {
      form.querySelectorAll("input[name=rows]").forEach(function (box) { box.checked = event.target.checked; });
    }
    refresh(form);
  });
  document.body.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("form[data-chase-form]").forEach(refresh);
  });
  document.querySelectorAll("form[data-chase-form]").forEach(refresh);
})();

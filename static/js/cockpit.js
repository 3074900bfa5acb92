/* The billing cockpit. */
// "Cocher les prêtes", and a confirmation that says what issuing does and names the unsigned deals.
(function () {
  var form = document.getElementById("issue-form");
  if (!form) return;
  document.addEventListener("change", function (event) {
    if (!event.target.matches || !event.target.matches("[data-select-ready]")) return;
    document.querySelectorAll('tr[data-readiness="ready"] input[name="invoices"]:not(:disabled)').forEach(function (box) {
      box.checked = event.target.checked;
    });
  });
  form.addEventListener("submit", function (event) {
    var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="invoices"][form="issue-form"]:checked'));
    if (!boxes.length) return;
    var unsigned = boxes.filter(function (box) { return box.getAttribute("data-provisional") === "1"; })
      .map(function (box) { return box.closest("tr").getAttribute("data-client"); });
    var include = form.querySelector('[name="include_provisional"]');
    // The sentences, translated, come from the form's data-confirm-* attributes.
    var text = function (name) { return form.getAttribute("data-confirm-" + name) || ""; };
    var message = text("count") + " " + boxes.length + ".\n" + text("final");
    if (unsigned.length) {
      message += "\n\n" + (include && include.checked
        ? text("unsigned-included") + " "
        : text("unsigned-left") + " ") + unsigned.join(", ");
    }
    if (!window.confirm(message)) {
      event.preventDefault();
    }
  });
})();

// Inline fixes answer 400 with the row and its message: show it in place instead of dropping it.
document.body.addEventListener("htmx:beforeSwap", function (event) {
  var xhr = event.detail.xhr;
  if (xhr && xhr.status >= 400 && xhr.status < 500 && event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("#billing-cockpit")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

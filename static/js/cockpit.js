// The billing cockpit (templates/billing/cockpit.html): "select all ready", the confirmation of a
// bulk issue, and inline fixes answering 4xx. No inline script: the page runs under a CSP.
(function () {
  "use strict";

  function allReadyBox() {
    return document.querySelector("[data-select-ready]");
  }

  // "Cocher les prêtes" ticks the ready rows shown and, through its own name (all_ready), every ready
  // pre-invoice of the filter on the other pages: the server resolves them when the form is posted.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches) return;
    if (target.matches("[data-select-ready]")) {
      document.querySelectorAll('tr[data-readiness="ready"] input[name="invoices"]:not(:disabled)').forEach(function (box) {
        box.checked = target.checked;
      });
    } else if (target.matches('tr[data-readiness="ready"] input[name="invoices"]') && !target.checked) {
      // Unticking one ready row means "not all of them" any more.
      var all = allReadyBox();
      if (all) all.checked = false;
    }
  });

  var form = document.getElementById("issue-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="invoices"][form="issue-form"]:checked'));
      var all = allReadyBox();
      var allReady = all && all.checked;
      var count = boxes.length;
      var unsigned = boxes.filter(function (box) { return box.getAttribute("data-provisional") === "1"; })
        .map(function (box) { return box.closest("tr").getAttribute("data-client"); });
      if (allReady) {
        // The ready rows of every page, plus the other rows ticked on this one.
        var others = boxes.filter(function (box) { return box.closest("tr").getAttribute("data-readiness") !== "ready"; });
        count = parseInt(all.getAttribute("data-ready-total"), 10) + others.length;
        var listed = form.getAttribute("data-provisional-clients");
        if (listed) unsigned = listed.split(", ");
      }
      if (!count) return;
      var include = form.querySelector('[name="include_provisional"]');
      var message = form.getAttribute("data-confirm-intro") + " " + count + ".\n" + form.getAttribute("data-confirm-final");
      if (unsigned.length) {
        message += "\n\n" + (include && include.checked
          ? form.getAttribute("data-confirm-unsigned-included")
          : form.getAttribute("data-confirm-unsigned-skipped")) + " " + unsigned.join(", ");
      }
      if (!window.confirm(message)) {
        event.preventDefault();
      }
    });
  }

  // Inline fixes answer 400 with the row and its message: show it in place instead of dropping it.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.status < 500 && event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("#billing-cockpit")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();

/* adv: a bulk issue or send running in the workers (templates/billing/_job_progress.html).
   The notification socket (notifications/static/notifications/bell.js) hands page events over as
   "adv:live"; a batch done or a PDF rendered refreshes the job's panel at once (at most once a
   second) instead of waiting for its slow poll. */
(function () {
  "use strict";
  var pending = null;

  function refresh(selector) {
    if (!window.htmx) return;
    document.querySelectorAll(selector).forEach(function (panel) {
      window.htmx.trigger(panel, "adv-job-changed");
    });
  }

  document.addEventListener("adv:live", function (event) {
    var detail = event.detail || {};
    if (detail.kind === "billing.job" && detail.job) {
      refresh('[data-job-live][data-job-id="' + String(detail.job).replace(/[^0-9a-f-]/gi, "") + '"]');
    } else if (detail.kind === "billing.render") {
      if (pending) return;
      pending = window.setTimeout(function () { pending = null; refresh("[data-job-live]"); }, 1000);
    }
  });
})();

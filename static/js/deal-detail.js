/* The deal page: the tab follows the address. */
(function () {
  "use strict";
  // The tab follows the address (#staffing, #documents…): links, reloads and notifications open
  // the right tab; switching tabs updates the address without a reload.
  function show(hash) {
    var button = hash && document.querySelector('.adv-deal-tabs [data-bs-target="' + hash + '"]');
    if (button && window.bootstrap) window.bootstrap.Tab.getOrCreateInstance(button).show();
  }
  show(window.location.hash);
  window.addEventListener("hashchange", function () { show(window.location.hash); });
  document.querySelectorAll(".adv-deal-tabs [data-bs-toggle=tab]").forEach(function (button) {
    button.addEventListener("shown.bs.tab", function () {
      var url = new URL(window.location.href);
      url.searchParams.set("tab", button.getAttribute("data-bs-target").slice(1));
      url.hash = button.getAttribute("data-bs-target");
      history.replaceState(null, "", url.toString());
    });
  });
})();

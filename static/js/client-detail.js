/* The client record: the tab follows the address. */
(function () {
  "use strict";
  // The tab follows the address (#contacts, #billing, #documents…): links, reloads and the
  // notifications open the right tab; switching tabs updates the address without a reload.
  // The panes' ids are "pane-<tab>", so the browser does not scroll down to them.
  function show(hash) {
    var key = (hash || "").replace(/^#/, "");
    var button = key && document.querySelector('.adv-client-tabs [data-tab="' + key.replace(/[^a-z]/g, "") + '"]');
    if (button && window.bootstrap) window.bootstrap.Tab.getOrCreateInstance(button).show();
  }
  show(window.location.hash);
  window.addEventListener("hashchange", function () { show(window.location.hash); });
  document.querySelectorAll(".adv-client-tabs [data-bs-toggle=tab]").forEach(function (button) {
    button.addEventListener("shown.bs.tab", function () {
      history.replaceState(null, "", "#" + button.getAttribute("data-tab"));
    });
  });
})();

/* Notification preferences. */
/* A channel of an event is editable only when the event is customised. */
(function () {
  function sync(toggle) {
    document.querySelectorAll('[data-preference-channel="' + toggle.dataset.preferenceCustom + '"]').forEach(function (box) {
      box.disabled = !toggle.checked;
    });
  }
  document.querySelectorAll("[data-preference-custom]").forEach(function (toggle) {
    sync(toggle);
    toggle.addEventListener("change", function () { sync(toggle); });
  });
})();

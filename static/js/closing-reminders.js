/* Grouped CRA reminders: "select all". */
(function () {
  var all = document.querySelector("[data-pick-all]");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-pick]"));
  if (!all) return;
  function sync() { var n = boxes.filter(function (b) { return b.checked; }).length; all.checked = n === boxes.length; all.indeterminate = n > 0 && n < boxes.length; }
  all.addEventListener("change", function () { boxes.forEach(function (b) { b.checked = all.checked; }); });
  boxes.forEach(function (b) { b.addEventListener("change", sync); });
  sync();
})();

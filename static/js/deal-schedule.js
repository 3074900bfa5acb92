/* The milestone schedule form: live totals and "add a row". */
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=schedule-form]");
  if (!form) return;
  var expected = parseFloat(form.dataset.expected || "NaN");
  var ordered = parseFloat(form.dataset.ordered || "NaN");
  function num(value) {
    value = (value || "").replace(/[\s\u00a0\u202f€]/g, "");
    if (value.indexOf(",") >= 0 && value.indexOf(".") >= 0) value = value.replace(/\./g, "");
    value = value.replace(",", ".");
    var n = parseFloat(value);
    return isNaN(n) ? null : n;
  }
  var fmt = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function refresh() {
    var amount = 0, percent = 0;
    form.querySelectorAll("#schedule-rows tr").forEach(function (row) {
      var a = num((row.querySelector("[data-amount]") || {}).value);
      var p = num((row.querySelector("[data-percentage]") || {}).value);
      if (a !== null) { amount += a; } else if (p !== null && !isNaN(ordered)) { amount += Math.round(ordered * p) / 100; }
      if (p !== null) percent += p;
    });
    form.querySelector("[data-total-amount]").textContent = fmt.format(amount) + " €";
    form.querySelector("[data-total-percentage]").textContent = percent ? fmt.format(percent) + " %" : "—";
    var status = form.querySelector("[data-total-status]");
    if (!isNaN(expected)) {
      var gap = Math.round((expected - amount) * 100) / 100;
      status.className = "small " + (gap === 0 ? "text-success" : "text-danger");
      // The words, translated, come from the status cell's data-text-* attributes.
      var text = function (name) { return status.getAttribute("data-text-" + name) || ""; };
      status.textContent = gap === 0 ? text("balanced") : (gap > 0 ? text("missing") + " " + fmt.format(gap) + " €" : text("over") + " " + fmt.format(-gap) + " €");
    }
  }
  form.addEventListener("input", refresh);
  form.querySelector("[data-add-row]").addEventListener("click", function () {
    var total = form.querySelector("input[name=m-TOTAL_FORMS]");
    var index = parseInt(total.value, 10);
    var html = document.getElementById("schedule-empty-row").innerHTML.replace(/__prefix__/g, index);
    document.getElementById("schedule-rows").insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
  });
  refresh();
})();

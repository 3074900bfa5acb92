// Reporting pages (templates/reporting/_layout.html): the period picker shows the fields of the
// chosen kind, and each chart is drawn with Apache ECharts (static/vendor/echarts) from the JSON
// data block beside it. French number formats, values on hover, a click on a bar opens its rows.
// The tooltip is drawn on the canvas (renderMode "richText"): no HTML with style attributes, as the
// Content-Security-Policy refuses them. The same figures are in the data table under each chart.
(function () {
  "use strict";

  var lang = document.documentElement.lang || "fr";
  var money = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
  var decimal = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });

  function format(unit, value) {
    if (value === null || value === undefined) return "—";
    if (unit === "money") return money.format(value);
    if (unit === "percent") return decimal.format(value) + " %";
    if (unit === "days") return decimal.format(value) + " j";
    return decimal.format(value);
  }

  // The period picker: only the fields of the chosen kind are shown (and sent).
  var kind = document.querySelector("[data-period-kind]");
  function togglePeriodFields() {
    if (!kind) return;
    document.querySelectorAll("[data-period-field]").forEach(function (box) {
      var shown = box.getAttribute("data-period-field").split(" ").indexOf(kind.value) !== -1;
      box.hidden = !shown;
      box.querySelectorAll("input").forEach(function (input) { input.disabled = !shown; });
    });
  }
  if (kind) {
    kind.addEventListener("change", togglePeriodFields);
    togglePeriodFields();
  }

  if (!window.echarts) return;

  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var source = document.getElementById(box.getAttribute("data-chart"));
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var chart = window.echarts.init(box, null, { renderer: "canvas", locale: "EN" });
    var units = {};
    var series = spec.series.map(function (s) {
      units[s.name] = s.unit;
      var item = { name: s.name, type: s.type || "bar", data: s.data, emphasis: { focus: "series" } };
      if (s.stack) item.stack = s.stack;
      if (s.type === "line") item.smooth = false;
      if (s.unit === "percent" && spec.series.some(function (o) { return o.unit !== "percent"; })) item.yAxisIndex = 1;
      return item;
    });
    var hasPercent = series.some(function (s) { return s.yAxisIndex === 1; });
    var yAxis = [{ type: "value", axisLabel: { formatter: function (v) { return format(spec.series[0].unit, v); } } }];
    if (hasPercent) yAxis.push({ type: "value", max: 100, axisLabel: { formatter: function (v) { return v + " %"; } } });
    chart.setOption({
      aria: { enabled: true },
      animation: false,
      legend: { top: 0 },
      grid: { left: 90, right: hasPercent ? 60 : 20, top: 40, bottom: 40 },
      tooltip: {
        trigger: "axis",
        renderMode: "richText",
        formatter: function (params) {
          var lines = [params[0].axisValueLabel];
          params.forEach(function (p) { lines.push(p.seriesName + " : " + format(units[p.seriesName], p.value)); });
          return lines.join("\n");
        }
      },
      xAxis: { type: "category", data: spec.categories },
      yAxis: yAxis,
      series: series
    });
    chart.on("click", function (params) {
      var serie = spec.series[params.seriesIndex] || {};
      var url = (serie.links && serie.links[params.dataIndex]) || (spec.links && spec.links[params.dataIndex]);
      if (url) window.location.assign(url);
    });
    box.setAttribute("data-ready", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();

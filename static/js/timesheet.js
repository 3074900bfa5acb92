/* The month's timesheet (CRA) and the approval queue: comfort on top of pages that work without it.
   - live totals per line and per day, days over the limit flagged, empty working days counted;
   - keyboard: arrows move between cells, space cycles 1 → 0,5 → empty;
   - phones (touch, unit = days): a tap on a cell cycles 1 → 0,5 → empty, no keyboard popping up;
   - "Remplir les jours ouvrés" fills a mission's free working days;
   - submitting with empty working days asks for confirmation;
   - queue: "tout cocher" and the count of selected timesheets. */
(function () {
  "use strict";

  function parse(text) {
    text = (text || "").trim().replace(/\u00a0|\s/g, "").replace("½", "0.5").replace(",", ".");
    if (!text) return 0;
    if (text.charAt(0) === ".") text = "0" + text;
    if (!/^\d+(\.\d+)?$/.test(text)) return NaN;
    return parseFloat(text);
  }

  function show(value, decimal) {
    if (!value) return "";
    var text = String(Math.round(value * 100) / 100);
    return decimal === "," ? text.replace(".", ",") : text;
  }

  function setupGrid(form) {
    var decimal = form.getAttribute("data-decimal") || ",";
    var dayMax = parseFloat(form.getAttribute("data-day-max")) || 1;
    var isDays = form.getAttribute("data-unit") === "days";
    var editable = form.getAttribute("data-editable") === "1";
    var rows = Array.prototype.slice.call(form.querySelectorAll(".ts-row[data-line]"));
    var cycle = ["", show(1, decimal), show(0.5, decimal)];
    var fullDay = isDays ? 1 : dayMax;

    function inputsOf(row) {
      return Array.prototype.slice.call(row.querySelectorAll(".ts-cells input"));
    }

    function refresh() {
      var perDay = {};
      var worked = 0;
      rows.forEach(function (row) {
        var kind = row.getAttribute("data-kind");
        var total = 0;
        inputsOf(row).forEach(function (input) {
          var value = parse(input.value);
          var cell = input.closest(".ts-cell");
          cell.classList.toggle("has-value", !!input.value.trim() && !isNaN(value) && value > 0);
          var bad = isNaN(value) || (isDays && value && [0.5, 1].indexOf(value) === -1) || (!isDays && value > dayMax);
          cell.classList.toggle("is-invalid", !!bad);
          if (bad) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
          if (isNaN(value)) return;
          total += value;
          if (kind !== "extra") {
            var day = input.getAttribute("data-day");
            perDay[day] = (perDay[day] || 0) + value;
          }
        });
        if (kind === "work") worked += total;
        var cellTotal = row.querySelector("[data-row-total]");
        if (cellTotal) cellTotal.textContent = show(total, decimal) || "0";
      });
      var empty = 0;
      form.querySelectorAll("[data-day-total]").forEach(function (box) {
        var day = box.getAttribute("data-day-total");
        var total = perDay[day] || 0;
        box.querySelector("[data-value]").textContent = show(total, decimal);
        box.classList.toggle("is-over", total > dayMax + 1e-9);
        var isEmpty = box.getAttribute("data-working") === "1" && box.getAttribute("data-past") === "1" && !total;
        box.classList.toggle("is-empty", isEmpty);
        if (isEmpty) empty += 1;
        // the day's cells too, so that a day over the limit is visible where it is typed
        form.querySelectorAll('.ts-row[data-kind="work"] input[data-day="' + day + '"], .ts-row[data-kind="absence"] input[data-day="' + day + '"]').forEach(function (input) {
          if (total > dayMax + 1e-9 && input.value.trim()) input.closest(".ts-cell").classList.add("is-invalid");
        });
      });
      var grand = form.querySelector("[data-grand-total]");
      if (grand) grand.textContent = show(worked, decimal) || "0";
      var live = document.querySelector('[data-live="total"]');
      if (live) live.textContent = show(worked, decimal) || "0";
      var liveEmpty = document.querySelector('[data-live="empty"]');
      if (liveEmpty) liveEmpty.textContent = String(empty);
      form.setAttribute("data-empty-days", String(empty));
    }

    function next(input) {
      var index = cycle.indexOf(input.value.trim());
      input.value = cycle[(index + 1) % cycle.length] || "";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function move(input, dx, dy) {
      var row = input.closest(".ts-row");
      var inputs = inputsOf(row);
      var index = inputs.indexOf(input);
      if (dx) {
        for (var i = index + dx; i >= 0 && i < inputs.length; i += dx) {
          if (!inputs[i].disabled) { inputs[i].focus(); inputs[i].select(); return; }
        }
        return;
      }
      var visible = rows.filter(function (r) { return r.offsetParent !== null; });
      var at = visible.indexOf(row);
      for (var j = at + dy; j >= 0 && j < visible.length; j += dy) {
        var target = visible[j].querySelector('.ts-cells input[data-day="' + input.getAttribute("data-day") + '"]');
        if (target && !target.disabled) { target.focus(); target.select(); return; }
      }
    }

    if (editable) {
      var coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
      rows.forEach(function (row) {
        inputsOf(row).forEach(function (input) {
          if (coarse && isDays && !input.disabled) {
            input.readOnly = true;
            input.setAttribute("inputmode", "none");
            input.addEventListener("click", function () { next(input); });
          }
          input.addEventListener("input", refresh);
          input.addEventListener("focus", function () { if (!input.readOnly) input.select(); });
          input.addEventListener("keydown", function (event) {
            var keys = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
            if (keys[event.key]) {
              event.preventDefault();
              move(input, keys[event.key][0], keys[event.key][1]);
            } else if (event.key === " " && isDays) {
              event.preventDefault();
              next(input);
            } else if (event.key === "Enter") {
              event.preventDefault();
              move(input, 1, 0);
            }
          });
        });
      });

      form.querySelectorAll("[data-fill]").forEach(function (button) {
        button.hidden = false;
        button.addEventListener("click", function () {
          var row = form.querySelector('.ts-row[data-line="' + button.getAttribute("data-fill") + '"][data-kind="work"]');
          inputsOf(row).forEach(function (input) {
            if (input.disabled || input.value.trim() || input.getAttribute("data-working") !== "1") return;
            var day = input.getAttribute("data-day");
            var taken = 0;
            form.querySelectorAll('.ts-row:not([data-kind="extra"]) input[data-day="' + day + '"]').forEach(function (other) {
              var value = parse(other.value);
              if (!isNaN(value)) taken += value;
            });
            if (!taken) input.value = show(fullDay, decimal);
          });
          refresh();
        });
      });

      form.addEventListener("submit", function (event) {
        var submitter = event.submitter;
        var empty = parseInt(form.getAttribute("data-empty-days") || "0", 10);
        if (submitter && submitter.value === "submit" && empty > 0) {
          if (!window.confirm(empty + " " + form.getAttribute("data-confirm-empty"))) event.preventDefault();
        }
      });
    }

    // Absences open by default on wide screens, where they take little room. On a phone, each
    // absence type without a day stays a one-line card until "Saisir des jours" opens it.
    var absences = document.querySelector("details.ts-absences");
    var narrow = window.matchMedia && window.matchMedia("(max-width: 767.98px)").matches;
    if (absences && !narrow) absences.open = true;
    if (narrow && editable) {
      if (absences) absences.open = true;
      rows.forEach(function (row) {
        if (row.getAttribute("data-kind") !== "absence") return;
        var hasValue = inputsOf(row).some(function (input) { return input.value.trim(); });
        var button = row.querySelector("[data-expand]");
        if (hasValue || !button) return;
        row.classList.add("is-collapsed");
        button.hidden = false;
        button.addEventListener("click", function () {
          row.classList.remove("is-collapsed");
          button.hidden = true;
          button.setAttribute("aria-expanded", "true");
        });
      });
    }
    refresh();
  }

  function setupQueue(form) {
    var all = form.querySelector("[data-select-all]");
    var checks = Array.prototype.slice.call(form.querySelectorAll("[data-row-check]"));
    var count = form.querySelector("[data-selected-count]");
    var button = form.querySelector("[data-bulk-approve]");
    function update() {
      var n = checks.filter(function (c) { return c.checked; }).length;
      if (count) count.textContent = String(n);
      if (button) button.disabled = n === 0;
      if (all) {
        all.checked = n > 0 && n === checks.length;
        all.indeterminate = n > 0 && n < checks.length;
      }
    }
    if (all) all.addEventListener("change", function () {
      checks.forEach(function (c) { c.checked = all.checked; });
      update();
    });
    checks.forEach(function (c) { c.addEventListener("change", update); });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var grid = document.getElementById("ts-form");
    if (grid) setupGrid(grid);
    var queue = document.querySelector('[data-testid="queue-form"]');
    if (queue) setupQueue(queue);
  });
})();

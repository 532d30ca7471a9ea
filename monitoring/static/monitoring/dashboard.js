// Draws the admin dashboard's charts (uPlot) from the JSON the page carries in
// <script id="dashboard-data" type="application/json">: no inline script, so the CSP holds.
(function () {
  "use strict";

  var COLOURS = ["#417690", "#e07a1f", "#3a9d5d", "#c0392b", "#8e44ad", "#7f8c8d", "#d4ac0d"];

  function hasData(chart) {
    return chart.series.some(function (s) {
      return s.values.some(function (v) { return v !== null && v !== 0; });
    });
  }

  function short(label) {
    return label.length > 26 ? label.slice(0, 25) + "\u2026" : label;
  }

  function options(chart, width) {
    var bars = chart.type === "bars";
    var unit = chart.unit || "";
    var n = chart.series.length;
    var xAxis = { stroke: "#666", grid: { show: !bars } };
    if (bars) {
      xAxis.splits = function () { return chart.labels.map(function (_, i) { return i; }); };
      xAxis.values = function (u, splits) {
        return splits.map(function (i) { return short(chart.labels[i] || ""); });
      };
      var longest = Math.max.apply(null, chart.labels.map(function (l) { return l.length; }));
      if (longest > 8 || longest * chart.labels.length > 48) {
        xAxis.rotate = -30;
        xAxis.size = 110;
      }
    }
    return {
      width: width,
      height: 220,
      cursor: { drag: { x: !bars, y: false } },
      scales: {
        x: bars ? { time: false, range: [-0.5, chart.labels.length - 0.5] } : { time: true },
        y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } },
      },
      axes: [
        xAxis,
        {
          stroke: "#666",
          size: 60,
          // Counts (no unit) get whole-number ticks only.
          incrs: unit ? undefined : [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
          values: function (u, vals) { return vals.map(function (v) { return v + unit; }); },
        },
      ],
      series: [{ label: bars ? "" : "time", value: bars ? function (u, i) {
        return i === null ? "" : chart.labels[i];
      } : undefined }].concat(chart.series.map(function (s, i) {
        var colour = COLOURS[i % COLOURS.length];
        return {
          label: s.label,
          stroke: colour,
          width: bars ? 1 : 2,
          fill: bars ? colour + "bb" : undefined,
          points: { show: !bars && chart.x.length <= 30 },
          paths: bars
            ? uPlot.paths.bars({ size: [n > 1 ? 0.4 : 0.7, 80], align: n > 1 ? (i === 0 ? -1 : 1) : 0 })
            : undefined,
          value: function (u, v) { return v === null || v === undefined ? "-" : v + unit; },
        };
      })),
    };
  }

  function draw(figure, chart) {
    var plot = figure.querySelector(".plot");
    if (!hasData(chart)) {
      figure.classList.add("empty");
      plot.textContent = "No data in this range.";
      return;
    }
    var x = chart.type === "bars" ? chart.labels.map(function (_, i) { return i; }) : chart.x;
    var data = [x].concat(chart.series.map(function (s) { return s.values; }));
    var width = Math.max(plot.clientWidth, 280);
    figure.uplot = new uPlot(options(chart, width), data, plot);
    figure.classList.add("drawn");
  }

  function start() {
    var charts = JSON.parse(document.getElementById("dashboard-data").textContent);
    document.querySelectorAll("figure.chart[data-chart]").forEach(function (figure) {
      var chart = charts[figure.getAttribute("data-chart")];
      if (chart) { draw(figure, chart); }
    });
    document.getElementById("dashboard").setAttribute("data-ready", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

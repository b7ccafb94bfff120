// Draws every chart on the page. Each .app-chart carries its ECharts option
// in data-option and its tooltip text in data-tips (both JSON, built on the
// server), so the page needs no inline script.
"use strict";

(function () {
  document.body.classList.add("js-enabled", "govuk-frontend-supported");

  // Tooltip text can include words from an upload: never treat it as HTML.
  function escapeHTML(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function draw(el) {
    var option = JSON.parse(el.getAttribute("data-option"));
    var tips = JSON.parse(el.getAttribute("data-tips") || "[]");
    option.tooltip = option.tooltip || {};
    option.tooltip.confine = true;
    // Long lines (a break's explanation) wrap inside the chart.
    option.tooltip.extraCssText = "max-width: 24em; white-space: normal;";
    option.tooltip.formatter = function (params) {
      var list = Array.isArray(params) ? params : [params];
      var i = list.length ? list[0].dataIndex : -1;
      var lines = tips[i] || [];
      return lines.map(function (line, n) {
        return n === 0 ? "<strong>" + escapeHTML(line) + "</strong>" : escapeHTML(line);
      }).join("<br>");
    };
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    el.setAttribute("data-drawn", "true");
    return chart;
  }

  var charts = [];
  document.querySelectorAll(".app-chart[data-option]").forEach(function (el) {
    try {
      charts.push(draw(el));
    } catch (e) {
      el.setAttribute("data-drawn", "error");
      console.error("chart " + el.id + " could not be drawn", e);
    }
  });
  // For the bench (cmd/cptrends-bench): navigation to the last chart drawn.
  if (charts.length && window.performance && performance.mark) {
    performance.mark("charts-drawn");
  }

  // Charts follow the width of the window, and of the page when printed.
  if (window.ResizeObserver) {
    var ro = new ResizeObserver(function () {
      charts.forEach(function (c) { c.resize(); });
    });
    charts.forEach(function (c) { ro.observe(c.getDom()); });
  }
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();

// Makes the charts interactive. The server draws every chart as SVG in the
// page (.app-chart--drawn), so it is on screen with no script; ECharts, the
// library that gives tooltips, is fetched only once the page has loaded, or
// sooner on the first pointer over a chart, and then each chart is drawn
// again, live, in the same box from the same option (data-option, with its
// tooltip text in data-tips: both JSON built on the server), so the page
// needs no inline script. A chart the server could not draw has no SVG:
// for it the library is fetched at once.
//
// The library's address is this script's data-echarts; a page that carries
// the library itself (the offline snapshot file) sets window.echarts first.
"use strict";

(function () {
  document.body.classList.add("js-enabled", "govuk-frontend-supported");

  var me = document.currentScript;
  var src = me && me.getAttribute("data-echarts");
  var waiting = [];
  var loading = false;

  // withECharts calls fn once the library is there, fetching it the first
  // time it is asked for. window.cptrendsECharts is the same, for export.js.
  function withECharts(fn) {
    if (window.echarts) {
      fn();
      return;
    }
    waiting.push(fn);
    if (loading || !src) {
      return;
    }
    loading = true;
    var s = document.createElement("script");
    s.src = src;
    s.async = true;
    s.addEventListener("load", function () {
      var fns = waiting;
      waiting = [];
      fns.forEach(function (f) { f(); });
    });
    s.addEventListener("error", function () {
      loading = false; // the next interaction tries again
      waiting = [];
      document.querySelectorAll(".app-chart[data-option]:not([data-drawn])").forEach(function (el) {
        if (!el.classList.contains("app-chart--drawn")) {
          el.setAttribute("data-drawn", "error");
        }
      });
    });
    document.head.appendChild(s);
  }
  window.cptrendsECharts = withECharts;

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
    var drawn = el.querySelectorAll(".app-chart__svg");
    if (drawn.length) {
      // The chart is on screen already: replace it without animating it in.
      option.animation = false;
    }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    drawn.forEach(function (svg) { svg.remove(); });
    el.setAttribute("data-drawn", "true");
    return chart;
  }

  var charts = [];
  var els = Array.prototype.slice.call(document.querySelectorAll(".app-chart[data-option]"));
  var done = false;

  function drawAll() {
    if (done) {
      return;
    }
    done = true;
    els.forEach(function (el) {
      try {
        charts.push(draw(el));
      } catch (e) {
        el.setAttribute("data-drawn", "error");
        console.error("chart " + el.id + " could not be drawn", e);
      }
    });
    // For the bench (cmd/cptrends-bench): navigation to the last live chart.
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
  }

  if (!els.length) {
    return;
  }
  var start = function () { withECharts(drawAll); };
  if (els.some(function (el) { return !el.classList.contains("app-chart--drawn"); }) || window.echarts) {
    start();
    return;
  }
  els.forEach(function (el) {
    el.addEventListener("pointerover", start, { once: true });
  });
  if (document.readyState === "complete") {
    start();
  } else {
    window.addEventListener("load", start, { once: true });
  }
})();

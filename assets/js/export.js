// Adds "Download PNG" and "Download SVG" under every chart. ECharts draws
// each image again, offscreen and at a fixed size, with what a picture
// taken out of the page must say about itself: title, area and years,
// source, short notes, data version and the date it was made, all read
// from the chart's data-export-* attributes. The file is made in the page
// and saved through a blob: link; nothing is fetched but ECharts itself,
// the first time (charts.js).
"use strict";

(function () {
  // charts.js fetches ECharts when it is first needed: here, on the first
  // click on a button.
  var withECharts = window.cptrendsECharts;
  if (!withECharts || !window.Blob || !window.URL) {
    return;
  }

  var WIDTH = 1000; // CSS pixels; the PNG is WIDTH * PIXEL_RATIO wide
  var PIXEL_RATIO = 1.6;
  var PLOT_HEIGHT = 460;
  var PAD = 24;
  // Single quotes only: ECharts writes this into SVG attributes unescaped.
  var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";
  var TEXT = "#0b0c0c";
  var MUTED = "#505a5f";

  // wrap breaks text into lines of at most n characters, at spaces. Sizes
  // are estimated from the font size: ECharts cannot measure text before
  // the chart exists, and the margins must be known before it is drawn.
  function wrap(text, n) {
    var out = [];
    String(text).split("\n").forEach(function (para) {
      var line = "";
      para.split(/\s+/).forEach(function (word) {
        if (!word) {
          return;
        }
        if (line && (line + " " + word).length > n) {
          out.push(line);
          line = word;
        } else {
          line = line ? line + " " + word : word;
        }
        while (line.length > n) { // a word longer than a line (an address)
          out.push(line.slice(0, n));
          line = line.slice(n);
        }
      });
      if (line) {
        out.push(line);
      }
    });
    return out;
  }

  function today() {
    return new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
  }

  // exportOption turns the page's option into one for a picture that
  // stands on its own: title and subtitle above the plot, legend, source
  // and notes below it, margins sized so that nothing is cut off.
  function exportOption(el) {
    var attr = function (name) { return el.getAttribute("data-export-" + name) || ""; };
    var option = JSON.parse(el.getAttribute("data-option"));
    var title = { size: 22, line: 28 };
    var sub = { size: 16, line: 22 };
    var note = { size: 13, line: 18 };
    var inner = WIDTH - 2 * PAD;
    var titleLines = wrap(attr("title"), Math.floor(inner / (title.size * 0.64)));
    var noteChars = Math.floor(inner / (note.size * 0.54));
    var made = (attr("stamp") ? attr("stamp") + ". " : "") + "Image made " + today();
    if (/^https?:$/.test(location.protocol)) {
      made += " from " + location.href.split("#")[0];
    }
    var notes = [].concat(
      attr("source") ? wrap("Source: " + attr("source"), noteChars) : [],
      wrap(attr("notes"), noteChars),
      wrap(made, noteChars)
    );

    var legendNames = (option.legend && option.legend.data) || [];
    var legendWidth = legendNames.reduce(function (w, name) { return w + String(name).length * 7 + 40; }, 0);
    var legendHeight = 26 * Math.max(1, Math.ceil(legendWidth / inner));
    var notesHeight = notes.length * note.line;
    var top = PAD + titleLines.length * title.line + sub.line + 8;
    var gridTop = top + 36; // room for the axis names
    var gridBottom = PAD + notesHeight + 16 + legendHeight + 8;

    option.animation = false;
    option.backgroundColor = "#ffffff";
    option.textStyle = { fontFamily: FONT };
    option.aria = { enabled: false }; // a file has no page to describe it to
    option.tooltip = { show: false };
    option.title = {
      text: titleLines.join("\n"), subtext: attr("subtitle"), left: PAD, top: PAD, itemGap: 6,
      textStyle: { fontFamily: FONT, fontSize: title.size, lineHeight: title.line, fontWeight: "bold", color: TEXT },
      subtextStyle: { fontFamily: FONT, fontSize: sub.size, lineHeight: sub.line, color: MUTED }
    };
    option.grid = (Array.isArray(option.grid) ? option.grid : [option.grid || {}]).map(function (g) {
      g.left = PAD;
      g.right = PAD;
      g.top = gridTop;
      g.bottom = gridBottom;
      g.containLabel = true;
      return g;
    });
    if (option.legend) {
      option.legend.left = PAD;
      option.legend.right = PAD;
      option.legend.bottom = PAD + notesHeight + 16;
      option.legend.textStyle = { fontFamily: FONT, fontSize: 13, color: TEXT };
    }
    option.graphic = [{
      type: "text", left: PAD, bottom: PAD,
      style: { text: notes.join("\n"), fontFamily: FONT, fontSize: note.size, lineHeight: note.line, fill: TEXT }
    }];
    return { option: option, height: Math.ceil(gridTop + PLOT_HEIGHT + gridBottom) };
  }

  function dataURLToBlob(url) {
    var parts = url.split(",");
    var bytes = atob(parts[1]);
    var buf = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) {
      buf[i] = bytes.charCodeAt(i);
    }
    return new Blob([buf], { type: "image/png" });
  }

  // render draws the export offscreen and returns the file.
  function render(el, type) {
    var built = exportOption(el);
    var chart = type === "svg"
      ? echarts.init(null, null, { renderer: "svg", ssr: true, width: WIDTH, height: built.height })
      : echarts.init(document.createElement("div"), null, { renderer: "canvas", width: WIDTH, height: built.height });
    try {
      chart.setOption(built.option);
      if (type === "svg") {
        return new Blob([chart.renderToSVGString()], { type: "image/svg+xml" });
      }
      return dataURLToBlob(chart.getDataURL({ type: "png", pixelRatio: PIXEL_RATIO, backgroundColor: "#ffffff" }));
    } finally {
      chart.dispose();
    }
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function button(label, title) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "govuk-button govuk-button--secondary app-export__button";
    b.textContent = label;
    var hidden = document.createElement("span");
    hidden.className = "govuk-visually-hidden";
    hidden.textContent = " of the chart: " + title;
    b.appendChild(hidden);
    return b;
  }

  document.querySelectorAll(".app-chart[data-option][data-export-title]").forEach(function (el) {
    var box = document.createElement("div");
    box.className = "govuk-button-group app-export app-no-print";
    var status = document.createElement("p");
    status.className = "govuk-body-s app-export__status";
    status.setAttribute("role", "status");
    var title = el.getAttribute("data-export-title");
    var name = (el.getAttribute("data-export-name") || "cptrends-chart") + "-" + new Date().toISOString().slice(0, 10);
    [["png", "Download PNG"], ["svg", "Download SVG"]].forEach(function (kind) {
      var b = button(kind[1], title);
      b.setAttribute("data-export", kind[0]);
      b.addEventListener("click", function () {
        if (!window.echarts) {
          status.textContent = "Making the image…";
        }
        withECharts(function () {
          try {
            save(render(el, kind[0]), name + "." + kind[0]);
            status.textContent = "";
          } catch (e) {
            status.textContent = "The image could not be made in this browser.";
            console.error("export " + kind[0] + " of " + el.id, e);
          }
        });
      });
      box.appendChild(b);
    });
    box.appendChild(status);
    el.insertAdjacentElement("afterend", box);
  });
})();

package web

import (
	"context"
	"html/template"
	"strings"
	"sync"
	"time"

	"cptrends/internal/chartsvg"
)

// chartSize is a chart drawn twice on the server: wide for screens from
// the tablet breakpoint up (and print), narrow for phones. The SVG scales
// to its container; each size keeps its text close to the size it was
// drawn at across the widths it is shown at (wide: containers of 560 to
// 930 px; narrow: 300 to 560 px). assets/scss/app.scss gives
// .app-chart--drawn the same aspect ratios.
type chartSize struct{ wideW, wideH, narrowW, narrowH int }

// chartWait bounds the wait for an engine and the drawing of one chart.
const chartWait = 10 * time.Second

var chartSizes = map[string]chartSize{
	"large": {900, 420, 340, 320},
	"small": {900, 300, 340, 300},
}

// chartSVG is the template function that draws a chart's option as SVG,
// wide and narrow, for the page to show with no script: {{chartSVG
// .Option "large" .DOMID}}. When the chart cannot be drawn here (the
// engine failed, or it took too long), it logs why and returns nothing, and
// assets/js/charts.js draws the chart in the browser as before.
func (s *Server) chartSVG(option, size, id string) template.HTML {
	if s.svg == nil || option == "" {
		return ""
	}
	sz, ok := chartSizes[size]
	if !ok {
		s.log.Error("chart size unknown", "chart", id, "size", size)
		return ""
	}
	// A page waits for its charts at most this long; past it, the browser
	// draws them.
	ctx, cancel := context.WithTimeout(context.Background(), chartWait)
	defer cancel()
	svgs, err := s.svg.RenderSizes(ctx, option, []chartsvg.Size{
		{Width: sz.wideW, Height: sz.wideH, IDPrefix: id + "-w"},
		{Width: sz.narrowW, Height: sz.narrowH, IDPrefix: id + "-n"},
	})
	if err == nil {
		// chartsvg writes only the SVG elements and attributes a chart is
		// drawn with, and escapes all text: it is safe as HTML.
		return template.HTML(withClass(svgs[0], "app-chart__svg app-chart__svg--wide") +
			withClass(svgs[1], "app-chart__svg app-chart__svg--narrow"))
	}
	s.log.Warn("chart left for the browser to draw", "chart", id, "err", err)
	return ""
}

func withClass(svg, class string) string {
	return strings.Replace(svg, "<svg ", `<svg class="`+class+`" `, 1)
}

// chartRenderer bounds the server's chart drawing: the package's defaults
// (tests allow longer renders, as the race detector slows the engine).
var chartRenderer = chartsvg.Options{}

// newChartRenderer gives the server the process's chart drawing; without
// it (no ECharts build embedded) every chart is drawn in the browser.
func (s *Server) newChartRenderer() {
	r, err := processRenderer()
	if err != nil {
		s.log.Warn("charts will be drawn in the browser", "err", err)
		return
	}
	s.svg = r
}

// processRenderer is one renderer for every server in the process: its
// engines and its drawings are shared, and ECharts is compiled once.
var processRenderer = sync.OnceValues(func() (*chartsvg.Renderer, error) {
	return chartsvg.New(chartRenderer)
})

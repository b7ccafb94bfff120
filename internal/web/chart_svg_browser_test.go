package web

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"cptrends/internal/browsertest"
)

// chartsSeen reports, for every chart on the page, which drawing is on
// screen and how large its text is shown.
type chartsSeen struct {
	Charts  int      `json:"charts"`
	Shown   []string `json:"shown"`   // per chart: "wide", "narrow", "canvas" or ""
	MinFont float64  `json:"minFont"` // smallest axis text on screen, CSS px
	Width   float64  `json:"width"`   // of the first chart, CSS px
}

const seeCharts = `(() => {
	const out = {charts: 0, shown: [], minFont: 1e9, width: 0};
	document.querySelectorAll('.app-chart[data-option]').forEach((el, i) => {
		out.charts++;
		if (i === 0) out.width = el.getBoundingClientRect().width;
		let shown = '';
		for (const c of el.querySelectorAll('svg.app-chart__svg, canvas')) {
			const r = c.getBoundingClientRect();
			if (r.width < 100 || r.height < 100) continue;
			shown = c.tagName === 'CANVAS' ? 'canvas' : (c.classList.contains('app-chart__svg--wide') ? 'wide' : 'narrow');
			if (c.tagName !== 'CANVAS') {
				const scale = r.width / c.viewBox.baseVal.width;
				for (const t of c.querySelectorAll('text')) {
					const size = parseFloat(t.getAttribute('font-size')) * scale;
					if (size) out.minFont = Math.min(out.minFont, size);
				}
			}
		}
		out.shown.push(shown);
	});
	return out;
})()`

// TestBrowserChartsWithoutScript: with JavaScript off, the overview, an
// indicator page and an area's pages show every chart, as SVG drawn on the
// server, at a desktop and a phone width, with readable text.
func TestBrowserChartsWithoutScript(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	browserCtx := browsertest.Start(t)
	srv, _ := newAreaTestServer(t)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	ctx, l := openTab(t, browserCtx)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	pages := []struct{ name, path string }{
		{"overview", "/"},
		{"indicator", "/indicators/cpp_started"},
		{"area_overview", "/?area=E09000012"},
		{"area_indicator", "/indicators/referrals?area=E09000012"},
	}
	for _, width := range []int64{1280, 375} {
		if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: width, Height: 900, DeviceScaleFactor: 1, Mobile: width < 400}); err != nil {
			t.Fatal(err)
		}
		want := "wide"
		if width < 641 {
			want = "narrow"
		}
		for _, p := range pages {
			t.Run(fmt.Sprintf("%s_%d", p.name, width), func(t *testing.T) {
				if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+p.path)); err != nil {
					t.Fatal(err)
				}
				got, err := chromedp.Run(ctx, chromedp.Evaluate[chartsSeen](seeCharts))
				if err != nil {
					t.Fatal(err)
				}
				if got.Charts == 0 {
					t.Fatal("no charts")
				}
				for i, s := range got.Shown {
					if s != want {
						t.Errorf("chart %d shows %q, want the %s SVG", i+1, s, want)
					}
				}
				// Text drawn at 11 and 12 px stays at least 9 px on screen.
				if got.MinFont < 9 {
					t.Errorf("smallest chart text is %.1f px on screen", got.MinFont)
				}
				t.Logf("%d charts, %.0f px wide, smallest text %.1f px", got.Charts, got.Width, got.MinFont)
				screenshot(t, ctx, fmt.Sprintf("noscript_%s_%d.png", p.name, width))
			})
		}
	}
	l.Check(t, "pages with JavaScript off")
}

// TestBrowserChartsLive: with JavaScript on, ECharts is fetched only after
// the page has loaded, replaces the drawing with the live chart, and
// hovering a chart shows its tooltip; the console stays clean under the
// Content-Security-Policy.
func TestBrowserChartsLive(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	browserCtx := browsertest.Start(t)
	srv, _ := newAreaTestServer(t)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	for _, p := range []struct{ name, path, chart string }{
		{"indicator", "/indicators/referrals", "#chart-referrals"},
		{"overview", "/", "#figure-2"},
		{"compare", "/indicators/referrals?area=E09000012", "#compare-referrals"},
	} {
		t.Run(p.name, func(t *testing.T) {
			ctx, l := openTab(t, browserCtx)
			if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
				t.Fatal(err)
			}
			visitAndWait(t, ctx, ts.URL+p.path)
			late, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
				const lib = performance.getEntriesByType('resource').find((r) => r.name.includes('echarts.custom.min.js'));
				return !!lib && lib.startTime >= performance.getEntriesByType('navigation')[0].loadEventStart;
			})()`))
			if err != nil || !late {
				t.Errorf("ECharts was fetched before the page had loaded (%v)", err)
			}
			if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.app-chart svg.app-chart__svg').length`)); n != 0 {
				t.Errorf("%d server drawings left beside the live charts", n)
			}
			if err := chromedp.Do(ctx, chromedp.ScrollIntoView(p.chart)); err != nil {
				t.Fatal(err)
			}
			box, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => {
				const r = document.querySelector('`+p.chart+`').getBoundingClientRect();
				return [r.left, r.top, r.width, r.height];
			})()`))
			if err != nil {
				t.Fatal(err)
			}
			// Across the plot, until the tooltip shows a year.
			var tip string
			for i := 1; i <= 9 && !strings.Contains(tip, "/"); i++ {
				x, y := box[0]+box[2]*float64(i)/10, box[1]+box[3]*0.5
				if _, err := chromedp.Call(ctx, input.DispatchMouseEvent, input.DispatchMouseEventParams{Type: input.DispatchMouseEventTypeMouseMoved, X: x, Y: y}); err != nil {
					t.Fatal(err)
				}
				time.Sleep(300 * time.Millisecond)
				tip, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
					for (const d of document.querySelectorAll('`+p.chart+` div')) {
						if (d.style.position === 'absolute' && d.style.display !== 'none' && d.style.opacity !== '0' && d.querySelector('strong'))
							return d.innerText;
					}
					return '';
				})()`))
			}
			if !strings.Contains(tip, "/") {
				t.Errorf("no tooltip with a year on hover: %q", tip)
			}
			t.Logf("tooltip: %q", strings.Join(strings.Fields(tip), " "))
			screenshot(t, ctx, "live_tooltip_"+p.name+".png")
			l.Check(t, p.path)
		})
	}
}

package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"cptrends/internal/browsertest"
	"cptrends/internal/store"
)

// glanceSeen is what a page shows of its charts' text, measured on the
// drawing on screen.
type glanceSeen struct {
	Charts    int      `json:"charts"`
	Labels    []int    `json:"labels"`   // change labels per chart
	Overlaps  []string `json:"overlaps"` // pairs of change labels that meet
	Clipped   []string `json:"clipped"`  // text outside its chart
	Scroll    float64  `json:"scroll"`   // the page's scroll width
	Inner     float64  `json:"inner"`    // the window's width
	Years     []string `json:"years"`    // per chart: the x axis' years shown
	Described int      `json:"described"`
	Wide      []string `json:"wide"` // tables that scroll sideways
}

// A change label starts with a sign and a digit: "+10.8%", "-0.4 pts".
const seeGlance = `(() => {
	const out = {charts: 0, labels: [], overlaps: [], clipped: [], years: [], described: 0,
		scroll: document.documentElement.scrollWidth, inner: window.innerWidth};
	const isChange = s => /^[+\-\u2212]\d/.test(s.trim());
	const isYear = s => /^\d{4}\/\d{2}$/.test(s.trim());
	out.wide = [];
	document.querySelectorAll('.app-table-wrap').forEach(w => {
		if (w.scrollWidth > w.clientWidth + 1) out.wide.push((w.getAttribute('aria-label') || '?') + ': ' + w.scrollWidth + ' px in ' + w.clientWidth);
	});
	document.querySelectorAll('.app-chart[data-option]').forEach((el, n) => {
		out.charts++;
		const d = el.getAttribute('aria-describedby');
		if (d && document.getElementById(d) && !el.hasAttribute('aria-label')) out.described++;
		let svg = null;
		for (const c of el.querySelectorAll('svg.app-chart__svg')) {
			const r = c.getBoundingClientRect();
			if (r.width > 100 && r.height > 100) svg = c;
		}
		if (!svg) { out.labels.push(-1); out.years.push(''); return; }
		const box = svg.getBoundingClientRect();
		const boxes = [];
		const years = [];
		for (const t of svg.querySelectorAll('text')) {
			const r = t.getBoundingClientRect();
			if (r.width === 0 || getComputedStyle(t).display === 'none') continue;
			const s = t.textContent;
			if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
				out.clipped.push('chart ' + (n + 1) + ': "' + s + '"');
			}
			if (isYear(s)) years.push(s.trim());
			if (isChange(s)) boxes.push({s, r});
		}
		out.labels.push(boxes.length);
		out.years.push(years.join(' '));
		for (let i = 0; i < boxes.length; i++) {
			for (let j = i + 1; j < boxes.length; j++) {
				const a = boxes[i].r, b = boxes[j].r;
				if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) {
					out.overlaps.push('chart ' + (n + 1) + ': "' + boxes[i].s + '" and "' + boxes[j].s + '"');
				}
			}
		}
	});
	return out;
})()`

// TestBrowserGlance: at a desktop and a phone width, every chart on the
// overview, an indicator page, an area's pages, the league table and the
// pack carries its changes on the chart, with no two change labels
// meeting, no text outside its chart, the latest year on the x axis, the
// summary pointed to rather than repeated, and no sideways scrolling.
func TestBrowserGlance(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	browserCtx := browsertest.Start(t)
	srv, _ := newAreaTestServer(t)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	pages := []struct {
		name, path string
		charts     bool
	}{
		{"overview", "/", true},
		{"indicator_cpp_ended", "/indicators/cpp_ended_2yrs_plus", true},
		{"indicator_referrals", "/indicators/referrals", true},
		{"area_overview", "/?area=E09000012", true},
		{"area_indicator", "/indicators/referrals?area=E09000012", true},
		{"league", "/indicators/referrals_rate/areas?area=E09000012", false},
		{"pathway", "/pathway?area=E09000012", false},
		{"pack", "/pack?indicators=cpp_at_31_march,referrals,cpp_ended_2yrs_plus_pct", true},
	}
	for _, width := range []int64{1280, 375} {
		for _, p := range pages {
			t.Run(fmt.Sprintf("%s_%d", p.name, width), func(t *testing.T) {
				// The page as a reader sees it, checked by axe-core.
				actx, _ := openTab(t, browserCtx)
				if _, err := chromedp.Call(actx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
					Width: width, Height: 900, DeviceScaleFactor: 1, Mobile: width < 400}); err != nil {
					t.Fatal(err)
				}
				if err := chromedp.Do(actx, chromedp.Navigate(ts.URL+p.path)); err != nil {
					t.Fatal(err)
				}
				checkAxe(t, actx, p.name)
				// The server's drawing is measured: with no script it stays
				// on screen.
				ctx, _ := openTab(t, browserCtx)
				if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
					t.Fatal(err)
				}
				if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
					Width: width, Height: 900, DeviceScaleFactor: 1, Mobile: width < 400}); err != nil {
					t.Fatal(err)
				}
				if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+p.path)); err != nil {
					t.Fatal(err)
				}
				got, err := chromedp.Run(ctx, chromedp.Evaluate[glanceSeen](seeGlance))
				if err != nil {
					t.Fatal(err)
				}
				screenshot(t, ctx, fmt.Sprintf("glance_%s_%d.png", p.name, width))
				if got.Scroll > got.Inner {
					t.Errorf("page scrolls sideways: %.0f px wide in a %.0f px window", got.Scroll, got.Inner)
				}
				for _, w := range got.Wide {
					t.Logf("table scrolls sideways: %s", w)
				}
				if !p.charts {
					return
				}
				if got.Charts == 0 {
					t.Fatal("no charts")
				}
				for i, n := range got.Labels {
					if n <= 0 {
						t.Errorf("chart %d: %d change labels on screen", i+1, n)
					}
				}
				for _, o := range got.Overlaps {
					t.Errorf("change labels overlap: %s", o)
				}
				for _, c := range got.Clipped {
					t.Errorf("text outside the chart: %s", c)
				}
				for i, y := range got.Years {
					if !strings.Contains(y, "2024/25") {
						t.Errorf("chart %d: the x axis shows %q, not the latest year", i+1, y)
					}
				}
				if got.Described != got.Charts {
					t.Errorf("%d of %d charts point to their summary rather than repeat it", got.Described, got.Charts)
				}
				t.Logf("%d charts, change labels %v", got.Charts, got.Labels)
			})
		}
	}
}

// TestBrowserAdminAndSnapshotsOnPhone: the users page and the snapshot
// list fit a 375 px screen with no sideways scrolling.
func TestBrowserAdminAndSnapshotsOnPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	browserCtx := browsertest.Start(t)
	ts, st := newAuthServer(t)
	if _, err := st.AddUser(context.Background(), "ada", store.RoleAdmin, viewerPassword); err != nil {
		t.Fatal(err)
	}
	hb := newBrowser(t, ts)
	hb.login("ada", viewerPassword)
	hb.mustSnapshot("referrals", "Referrals accepted by children's social care for the scrutiny panel in Hackney")
	ctx, _ := openTab(t, browserCtx)
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: 375, Height: 900, DeviceScaleFactor: 1, Mobile: true}); err != nil {
		t.Fatal(err)
	}
	// The tab takes the signed-in session of the client that made the
	// snapshot.
	u, _ := url.Parse(ts.URL)
	for _, c := range hb.client.Jar.Cookies(u) {
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: c.Name, Value: c.Value, URL: ts.URL}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"/admin/users", "/snapshots"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+p)); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[document.documentElement.scrollWidth, window.innerWidth,
			Math.max(0, ...Array.from(document.querySelectorAll('.app-table-wrap, table')).map(w => w.scrollWidth - w.clientWidth))]`))
		if err != nil {
			t.Fatal(err)
		}
		if got[0] > got[1] {
			t.Errorf("%s scrolls sideways: %.0f px in a %.0f px window", p, got[0], got[1])
		}
		if got[2] > 1 {
			t.Errorf("%s: a table scrolls sideways by %.0f px", p, got[2])
		}
		screenshot(t, ctx, "glance"+strings.ReplaceAll(p, "/", "_")+"_375.png")
	}
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cptrends/internal/browsertest"
)

// screenshots is where the browser test leaves a picture of every page it
// visits (git-ignored).
const screenshots = "../../testdata/screenshots"

// hostileText is markup that an upload may carry in a note or an area name.
// Pages must show it as text.
const hostileText = `</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`

// chartsDrawn is true (the number of charts, as a string) once every
// .app-chart has been drawn by charts.js into a canvas, and "error" if
// charts.js could not draw one.
const chartsDrawn = `(() => {
	const els = Array.from(document.querySelectorAll('.app-chart'));
	if (els.some(el => el.getAttribute('data-drawn') === 'error')) return 'error';
	if (els.length > 0 && els.every(el => el.getAttribute('data-drawn') === 'true' && el.querySelector('canvas'))) {
		return String(els.length);
	}
	return false;
})()`

// chartsStill is true once no chart is animating, so that screenshots show
// finished charts. It leans on zrender's animation object, and counts a
// chart as still when that is not there.
const chartsStill = `Array.from(document.querySelectorAll('.app-chart')).every(el => {
	const chart = window.echarts && echarts.getInstanceByDom(el);
	const anim = chart && chart.getZr && chart.getZr().animation;
	return !anim || typeof anim.isFinished !== 'function' || anim.isFinished();
})`

// firstChartMiddle scrolls the first chart into view and returns the
// middle of its plot, in viewport pixels.
const firstChartMiddle = `(() => {
	const el = document.querySelector('.app-chart');
	el.scrollIntoView({block: 'center'});
	const r = el.getBoundingClientRect();
	return {x: r.left + r.width / 2, y: r.top + r.height / 2};
})()`

// tooltipText returns the text of the first chart's tooltip once it shows a
// reporting year.
const tooltipText = `(() => {
	const el = document.querySelector('.app-chart');
	for (const d of el.querySelectorAll('div')) {
		if (d.querySelector('canvas') || getComputedStyle(d).display === 'none') continue;
		if (/(19|20)[0-9]{2}\/[0-9]{2}/.test(d.textContent)) return d.textContent;
	}
	return false;
})()`

// pageWidths measures how wide the page is against the window.
const pageWidths = `({scroll: document.documentElement.scrollWidth, window: window.innerWidth})`

type widths struct {
	Scroll int `json:"scroll"`
	Window int `json:"window"`
}

type point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

var periodPattern = regexp.MustCompile(`(19|20)[0-9]{2}/[0-9]{2}`)

// visit loads one page in a new tab and checks it: it answers 200, every
// chart is drawn, the page does not scroll sideways, the first chart's
// tooltip shows on hover, nothing is logged as an error and nothing is
// fetched from another host. It saves a full-page screenshot as name.png
// and returns the tab, for more checks.
func visit(t *testing.T, browser context.Context, base, path, name string, minCharts int) context.Context {
	t.Helper()
	rec := &browsertest.Recorder{}
	tab, cancelTab := chromedp.NewContext(browser, chromedp.WithListener(rec.Listen))
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil { // opens the tab, with no deadline
		t.Fatalf("%s: open a tab: %v", path, err)
	}
	// A page's first view draws its charts on the server, which the race
	// detector slows many times over: a guard against a hang, not a time.
	ctx, cancel := context.WithTimeout(tab, 3*time.Minute)
	t.Cleanup(cancel)

	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+path))
	if err != nil {
		t.Fatalf("%s: navigate: %v", path, err)
	}
	if resp.Status != 200 {
		t.Errorf("%s: status %d, want 200", path, resp.Status)
	}

	drawn, err := chromedp.Run(ctx, chromedp.Poll[string](chartsDrawn, chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil {
		t.Fatalf("%s: charts not drawn (every .app-chart with data-drawn=\"true\" and a canvas): %v", path, err)
	}
	if drawn == "error" {
		t.Fatalf("%s: charts.js could not draw a chart (data-drawn=\"error\")", path)
	}
	if n, _ := strconv.Atoi(drawn); n < minCharts {
		t.Errorf("%s: %d charts, want at least %d", path, n, minCharts)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](chartsStill, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Logf("%s: charts still animating after 5s; the screenshot may catch them moving", path)
	}

	// The page fits the window's width: nothing makes it scroll sideways.
	if w, err := chromedp.Run(ctx, chromedp.Evaluate[widths](pageWidths)); err != nil {
		t.Fatalf("%s: measure the page: %v", path, err)
	} else if w.Scroll > w.Window {
		t.Errorf("%s: the page is %dpx wide in a %dpx window: something overflows sideways", path, w.Scroll, w.Window)
	}

	// A picture of the page as it loads, before the mouse covers a chart
	// with a tooltip.
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 is PNG
	if err != nil {
		t.Fatalf("%s: screenshot: %v", path, err)
	}
	if err := os.MkdirAll(screenshots, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshots, name+".png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}

	// Hover over the middle of the first chart: its tooltip names a year.
	mid, err := chromedp.Run(ctx, chromedp.Evaluate[point](firstChartMiddle))
	if err != nil {
		t.Fatalf("%s: find the first chart: %v", path, err)
	}
	var tip string
	for try := 0; try < 3 && tip == ""; try++ {
		x := mid.X + float64(try*15)
		if err := chromedp.Do(ctx,
			chromedp.MouseEvent(chromedp.MouseMoved, x-5, mid.Y),
			chromedp.MouseEvent(chromedp.MouseMoved, x, mid.Y),
		); err != nil {
			t.Fatalf("%s: move the mouse: %v", path, err)
		}
		tctx, tcancel := context.WithTimeout(ctx, 3*time.Second)
		tip, _ = chromedp.Run(tctx, chromedp.Poll[string](tooltipText, chromedp.WithPollingTimeout(2*time.Second)))
		tcancel()
	}
	if !periodPattern.MatchString(tip) {
		t.Errorf("%s: hovering over the first chart shows no tooltip with a reporting year (got %q)", path, tip)
	}
	// A long tooltip line (a break in series' explanation) must wrap, not
	// make the page scroll sideways.
	if w, err := chromedp.Run(ctx, chromedp.Evaluate[widths](pageWidths)); err == nil && w.Scroll > w.Window {
		t.Errorf("%s: with the tooltip shown the page is %dpx wide in a %dpx window (tooltip %q)", path, w.Scroll, w.Window, tip)
	}

	rec.Check(t, path)
	return ctx
}

func TestBrowser(t *testing.T) {
	start := time.Now()
	browser := browsertest.Start(t)

	t.Run("Pages", func(t *testing.T) {
		base := MustRunMain(t)
		var list struct {
			Indicators []struct {
				ID string `json:"id"`
			} `json:"indicators"`
		}
		mustGetJSON(t, base+"/api/indicators", &list)
		if len(list.Indicators) == 0 {
			t.Fatal("/api/indicators lists no indicators")
		}
		visit(t, browser, base, "/", "overview", 4)
		for _, ind := range list.Indicators {
			visit(t, browser, base, "/indicators/"+ind.ID, ind.ID, 1)
		}
	})

	// Markup in an upload's note and area name is shown as text and never
	// runs.
	t.Run("HostileText", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "cptrends.db")
		// The national files only: an import is one release, and the EES
		// files are an older one that these revise.
		bundled, err := filepath.Glob("../../indicators/data/england_*.csv")
		if err != nil || len(bundled) == 0 {
			t.Fatalf("no bundled CSV files: %v", err)
		}
		// Imported before serve starts, so serve finds uploads and leaves
		// the bundled series to this import.
		mustImport(t, db, bundled...)
		res := mustImport(t, db, fixture("hostile.csv"))
		if got, want := counts(t, res), "1 added, 1 revised, 0 unchanged"; got != want {
			t.Errorf("hostile import: %q, want %q\n%s", got, want, res.Stdout)
		}
		if !strings.Contains(res.Stdout, "referrals E92000001 2024/25: 632830 -> 632830 (note changed)") {
			t.Errorf("the summary does not say that only the note changed:\n%s", res.Stdout)
		}
		base := MustRunMain(t, "--db", db)

		// Stored as it was written.
		var s seriesJSON
		mustGetJSON(t, base+"/api/indicators/referrals?geography=E12000001", &s)
		if s.Geography.Name != hostileText {
			t.Errorf("area name = %q, want the uploaded text %q", s.Geography.Name, hostileText)
		}

		for _, page := range []struct{ path, name string }{
			{"/indicators/referrals", "hostile_referrals"},
			{"/", "hostile_overview"},
		} {
			ctx := visit(t, browser, base, page.path, page.name, 1)
			payload, _ := json.Marshal(hostileText)
			type verdict struct {
				Pwned      string `json:"pwned"`
				Literal    bool   `json:"literal"`
				Images     int    `json:"images"`
				InlineCode int    `json:"inline_code"`
			}
			got, err := chromedp.Run(ctx, chromedp.Evaluate[verdict](fmt.Sprintf(`({
				pwned: typeof window.__pwned,
				literal: document.body.textContent.includes(%s),
				images: document.querySelectorAll('img[src="x"], img[onerror]').length,
				inline_code: Array.from(document.scripts).filter(s => !s.src).length,
			})`, payload)))
			if err != nil {
				t.Fatalf("%s: %v", page.path, err)
			}
			if got.Pwned != "undefined" {
				t.Errorf("%s: window.__pwned is %s: uploaded text ran as script", page.path, got.Pwned)
			}
			if got.Images != 0 || got.InlineCode != 0 {
				t.Errorf("%s: uploaded text became elements: %d injected images, %d inline scripts", page.path, got.Images, got.InlineCode)
			}
			if page.path == "/indicators/referrals" && !got.Literal {
				t.Errorf("%s: the note is not shown literally; want the text %s on the page", page.path, hostileText)
			}
		}
	})

	// Under a base path, as behind a council's reverse proxy: the charts
	// draw, and the page fetches nothing outside the base path.
	t.Run("BasePath", func(t *testing.T) {
		base := MustRunMain(t, "--base-path", "/cptrends")
		for _, page := range []struct {
			path, name string
			charts     int
		}{
			{"/cptrends/", "base_path_overview", 4},
			{"/cptrends/indicators/referrals", "base_path_referrals", 1},
		} {
			ctx := visit(t, browser, base, page.path, page.name, page.charts)
			fetched, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
				`performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).map(e => e.name)`))
			if err != nil {
				t.Fatalf("%s: list the page's requests: %v", page.path, err)
			}
			if len(fetched) < 2 {
				t.Errorf("%s: the page lists %d requests, want the page and its assets", page.path, len(fetched))
			}
			for _, raw := range fetched {
				if u, err := url.Parse(raw); err != nil || u.Scheme == "data" {
					continue
				} else if !strings.HasPrefix(u.Path, "/cptrends/") {
					t.Errorf("%s: request outside the base path: %s", page.path, raw)
				}
			}
		}
	})

	t.Logf("browser test took %v", time.Since(start).Round(time.Millisecond))
}

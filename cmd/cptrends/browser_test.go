package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp/jsonv2"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// screenshots is where the browser test leaves a picture of every page it
// visits (git-ignored).
const screenshots = "../../testdata/screenshots"

// hostileText is markup that an upload may carry in a note or an area name.
// Pages must show it as text.
const hostileText = `</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`

// chromiumPath finds Debian's chromium, or skips the test, loudly.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if path, err := exec.LookPath("chromium"); err == nil {
		return path
	}
	msg := "BROWSER TEST SKIPPED: neither /usr/bin/chromium nor chromium on PATH; install it (apt-get install chromium) to check pages in a browser"
	bar := strings.Repeat("!", len(msg))
	fmt.Fprintf(os.Stderr, "\n%s\n%s\n%s\n\n", bar, msg, bar)
	t.Skip(msg)
	return ""
}

// newBrowser starts a headless chromium with a fresh profile, closed when
// the test ends.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	// Cleanups run last first: the browser stops before its profile
	// directory is removed.
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	// The first Do starts the browser, which lives as long as the context
	// of that call: it gets no deadline.
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return browserCtx
}

// pageRecorder keeps what a tab reports: console messages, exceptions,
// browser log entries and every request it makes. Its listen method runs
// in the tab's event loop, so it only records.
type pageRecorder struct {
	mu       sync.Mutex
	errors   []string
	warnings []string
	requests []string
}

func (r *pageRecorder) listen(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		msg := fmt.Sprintf("console.%s: %s", ev.Type, argsText(ev.Args))
		switch ev.Type {
		case runtime.ConsoleAPICalledTypeError, runtime.ConsoleAPICalledTypeAssert:
			r.errors = append(r.errors, msg)
		case runtime.ConsoleAPICalledTypeWarning:
			r.warnings = append(r.warnings, msg)
		}
	case *runtime.EventExceptionThrown:
		r.errors = append(r.errors, "uncaught exception: "+exceptionText(ev.ExceptionDetails))
	case *cdplog.EventEntryAdded:
		msg := fmt.Sprintf("browser log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		switch {
		case ev.Entry.Level == cdplog.EntryLevelError:
			r.errors = append(r.errors, msg)
		case ev.Entry.Level == cdplog.EntryLevelWarning:
			r.warnings = append(r.warnings, msg)
		}
	case *network.EventRequestWillBeSent:
		r.requests = append(r.requests, ev.Request.URL)
	}
}

// check fails the test for every error the page reported and every request
// it made to a host other than 127.0.0.1.
func (r *pageRecorder) check(t *testing.T, page string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, w := range r.warnings {
		t.Logf("%s: %s", page, w)
	}
	for _, e := range r.errors {
		t.Errorf("%s: %s", page, e)
	}
	if len(r.requests) == 0 {
		t.Errorf("%s: the browser reported no requests; is the network domain on?", page)
	}
	for _, raw := range r.requests {
		u, err := url.Parse(raw)
		switch {
		case err != nil:
			t.Errorf("%s: request to an unreadable URL %q", page, raw)
		case u.Scheme == "data":
		case u.Hostname() != "127.0.0.1":
			t.Errorf("%s: request to another host: %s", page, raw)
		}
	}
}

func argsText(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		switch {
		case a.Type == runtime.RemoteObjectTypeString:
			var s string
			if jsonv2.Unmarshal(a.Value, &s) == nil {
				parts = append(parts, s)
				continue
			}
			parts = append(parts, string(a.Value))
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "(no details)"
	}
	s := fmt.Sprintf("%s at %s:%d:%d", d.Text, d.URL, d.LineNumber+1, d.ColumnNumber+1)
	if d.Exception != nil && d.Exception.Description != "" {
		s += ": " + d.Exception.Description
	}
	return s
}

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
	rec := &pageRecorder{}
	tab, cancelTab := chromedp.NewContext(browser, chromedp.WithListener(rec.listen))
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil { // opens the tab, with no deadline
		t.Fatalf("%s: open a tab: %v", path, err)
	}
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
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

	rec.check(t, path)
	return ctx
}

func TestBrowser(t *testing.T) {
	start := time.Now()
	browser := newBrowser(t)

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

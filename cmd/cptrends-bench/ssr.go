package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"cptrends/internal/chartsvg"
)

// Targets from issue 14.
const (
	firstChartTarget = 1.25 // x the HTML-and-CSS-only limit
	ssrRSSTarget     = 100  // MB, serve under load with the engine loaded
)

// The slow profile: DevTools network throttling as a council laptop on a
// poor connection sees it.
const (
	slowLatency = 400    // ms
	slowBytes   = 50_000 // bytes/s: 400 kbit/s
)

// ssrPages are the pages whose first chart is timed: the overview and an
// area's indicator page (its own chart and the comparison).
var ssrPages = []string{"/", "/indicators/referrals?area=E09000012"}

// The three ways a page is loaded, all through one proxy in front of the
// same server in the same run.
const (
	variantServer  = "server"  // as served: charts drawn as SVG in the HTML
	variantBrowser = "browser" // the SVGs taken out, so charts.js draws them with ECharts at once, as before
	variantLimit   = "limit"   // the HTML and CSS alone: no script, no chart
)

// firstChartProbe runs in every document before its own scripts (DevTools
// adds it, outside the page's Content-Security-Policy): at each frame it
// looks for a chart drawing of a real size inside the window, and notes the
// first frame that has one.
const firstChartProbe = `(() => {
	const look = (t) => {
		for (const c of document.querySelectorAll('.app-chart svg, .app-chart canvas')) {
			const r = c.getBoundingClientRect();
			if (r.width > 100 && r.height > 100 && r.top < innerHeight && getComputedStyle(c).display !== 'none') {
				window.__firstChart = t;
				return;
			}
		}
		requestAnimationFrame(look);
	};
	requestAnimationFrame(look);
})();`

type slowLoad struct {
	FCP        float64 `json:"fcp"`        // first contentful paint, ms
	FirstChart float64 `json:"firstChart"` // first frame with a chart on screen, ms; 0 if none
	Bytes      float64 `json:"bytes"`      // compressed bodies fetched by then
}

// ssrAll runs the measures of charts drawn by the server on a new
// database, loaded as serve loads one (every level of the bundled
// release): the slow-profile loads, render times, memory drawing under
// load, and cached pages against a static file server.
func (b *bench) ssrAll() error {
	db := b.path("ssr.db")
	removeDB(db)
	if err := b.ssr(db); err != nil {
		return err
	}
	if err := b.ssrLoad(db); err != nil {
		return err
	}
	return b.pages(db)
}

// ssr measures what issue 14 asks of charts drawn on the server: first
// chart on screen under the slow profile against the HTML-and-CSS-only
// limit and against charts drawn in the browser, charts on screen with
// JavaScript off, server render time per chart, and pages served once
// cached and peak memory with the engine loaded.
func (b *bench) ssr(db string) error {
	chromium, err := findChromium()
	if err != nil {
		return err
	}
	ours, err := b.startServer(b.bin, "serve", "--db", db)
	if err != nil {
		return err
	}
	defer ours.stop()
	target, _ := url.Parse(ours.url)
	proxies := map[string]string{}
	for _, v := range []string{variantServer, variantBrowser, variantLimit} {
		ln, err := serveVariant(target, v)
		if err != nil {
			return err
		}
		defer ln.Close()
		proxies[v] = "http://" + ln.Addr().String()
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(b.path("chromium-profile-ssr")),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	browserCtx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	if err := chromedp.Do(browserCtx); err != nil {
		return fmt.Errorf("start chromium: %w", err)
	}

	for _, p := range ssrPages {
		// Warm the server's page cache: the first visit draws the charts,
		// which on a busy machine can take longer than fetch waits.
		if _, err := fetchPlain(ours.url + p); err != nil {
			return err
		}
		for _, v := range proxies {
			if _, err := fetch(v + p); err != nil {
				return err
			}
		}
		got := map[string][]slowLoad{}
		for i := 0; i < browserRuns; i++ {
			for _, v := range []string{variantLimit, variantServer, variantBrowser} {
				l, err := loadSlow(browserCtx, proxies[v]+p, v != variantLimit)
				if err != nil {
					return err
				}
				got[v] = append(got[v], l)
				fmt.Fprintf(os.Stderr, "    %s, %s: first paint %.0f ms, first chart %.0f ms, %.1f KB\n", p, v, l.FCP, l.FirstChart, l.Bytes/1000)
			}
		}
		med := func(v string, f func(slowLoad) float64) float64 {
			xs := make([]float64, 0, len(got[v]))
			for _, l := range got[v] {
				xs = append(xs, f(l))
			}
			sort.Float64s(xs)
			return xs[len(xs)/2]
		}
		limit := med(variantLimit, func(l slowLoad) float64 { return l.FCP })
		// A chart is on screen no sooner than the page's first paint: the
		// probe's frame starts before that frame is presented.
		onScreen := func(l slowLoad) float64 { return max(l.FirstChart, l.FCP) }
		server := med(variantServer, onScreen)
		browser := med(variantBrowser, onScreen)
		b.add(row{Measure: fmt.Sprintf("slow: %s HTML+CSS only, first paint (limit)", p), Value: limit, Unit: "ms", Target: "reference", Pass: true})
		b.add(row{Measure: fmt.Sprintf("slow: %s first chart, drawn by the server", p), Value: server, Unit: "ms",
			Reference: limit, Ratio: server / limit, Target: fmt.Sprintf("<= %.2fx", firstChartTarget), Pass: server > 0 && server <= firstChartTarget*limit})
		b.add(row{Measure: fmt.Sprintf("slow: %s first chart, drawn in the browser", p), Value: browser, Unit: "ms",
			Reference: limit, Ratio: browser / limit, Target: "before (reference)", Pass: true})
		kb := med(variantServer, func(l slowLoad) float64 { return l.Bytes }) / 1000
		b.add(row{Measure: fmt.Sprintf("slow: %s bytes to first chart", p), Value: kb, Unit: "KB",
			Reference: med(variantBrowser, func(l slowLoad) float64 { return l.Bytes }) / 1000, Target: "reference", Pass: true})
	}

	// With JavaScript off, every chart is on screen.
	for _, p := range ssrPages {
		shown, total, err := chartsWithoutScript(browserCtx, ours.url+p)
		if err != nil {
			return err
		}
		b.add(row{Measure: fmt.Sprintf("JavaScript off: %s charts on screen", p), Value: float64(shown), Unit: "charts",
			Reference: float64(total), Target: "all", Pass: total > 0 && shown == total})
	}

	if err := b.renderTimes(ours.url); err != nil {
		return err
	}
	return nil
}

// loadSlow opens url in a new tab, cold and throttled, and reads when the
// first paint and the first chart came.
func loadSlow(browserCtx context.Context, u string, wantChart bool) (slowLoad, error) {
	ctx, cancel := chromedp.NewContext(browserCtx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		return slowLoad{}, err
	}
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		return slowLoad{}, err
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Latency: slowLatency, DownloadThroughput: slowBytes, UploadThroughput: slowBytes}}}); err != nil {
		return slowLoad{}, err
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: firstChartProbe}); err != nil {
		return slowLoad{}, err
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		return slowLoad{}, fmt.Errorf("%s: %w", u, err)
	}
	wait := `performance.getEntriesByName('first-contentful-paint').length > 0`
	if wantChart {
		wait += ` && window.__firstChart > 0`
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](wait, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		return slowLoad{}, fmt.Errorf("%s: no first paint or chart: %w", u, err)
	}
	l, err := chromedp.Run(ctx, chromedp.Evaluate[slowLoad](`(() => {
		const at = window.__firstChart || performance.now();
		const fetched = [performance.getEntriesByType('navigation')[0]].concat(
			performance.getEntriesByType('resource').filter((r) => r.responseEnd <= at));
		return {
			fcp: performance.getEntriesByName('first-contentful-paint')[0].startTime,
			firstChart: window.__firstChart || 0,
			bytes: fetched.reduce((n, r) => n + r.encodedBodySize, 0)
		};
	})()`))
	if err != nil {
		return l, fmt.Errorf("%s: %w", u, err)
	}
	return l, nil
}

// chartsWithoutScript opens u with JavaScript off and counts the charts
// on screen.
func chartsWithoutScript(browserCtx context.Context, u string) (shown, total int, err error) {
	ctx, cancel := chromedp.NewContext(browserCtx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		return 0, 0, err
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		return 0, 0, err
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`(() => {
		const els = Array.from(document.querySelectorAll('.app-chart'));
		const seen = els.filter((el) => Array.from(el.querySelectorAll('svg')).some((s) => {
			const r = s.getBoundingClientRect();
			return r.width > 100 && r.height > 100;
		}));
		return [seen.length, els.length];
	})()`))
	if err != nil || len(got) != 2 {
		return 0, 0, fmt.Errorf("%s with JavaScript off: %v", u, err)
	}
	return got[0], got[1], nil
}

var (
	scriptTag  = regexp.MustCompile(`(?s)<script\b[^>]*>.*?</script>`)
	serverSVG  = regexp.MustCompile(`(?s)<svg class="app-chart__svg[^"]*".*?</svg>`)
	drawnClass = regexp.MustCompile(` app-chart--drawn`)
	optionAttr = regexp.MustCompile(`data-option="([^"]*)"`)
	chartIDs   = regexp.MustCompile(`<div class="app-chart[^"]*" id="([^"]+)"`)
)

// serveVariant starts a reverse proxy that hands pages to the browser in
// one of the variants above.
func serveVariant(target *url.URL, variant string) (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	if variant != variantServer {
		proxy.ModifyResponse = func(resp *http.Response) error {
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || resp.StatusCode != http.StatusOK {
				return nil
			}
			return editHTML(resp, func(page []byte) []byte {
				page = serverSVG.ReplaceAll(page, nil)
				page = drawnClass.ReplaceAll(page, nil)
				if variant == variantLimit {
					page = scriptTag.ReplaceAll(page, nil)
				}
				return page
			})
		}
	}
	go http.Serve(ln, proxy)
	return ln, nil
}

// editHTML changes a page's body, keeping its encoding.
func editHTML(resp *http.Response, edit func([]byte) []byte) error {
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	gzipped := resp.Header.Get("Content-Encoding") == "gzip"
	page := raw
	if gzipped {
		r, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return err
		}
		if page, err = io.ReadAll(r); err != nil {
			return err
		}
	}
	out := edit(page)
	if gzipped {
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // as internal/web/cache.go
		w.Write(out)
		w.Close()
		out = buf.Bytes()
	}
	resp.Body = io.NopCloser(bytes.NewReader(out))
	resp.ContentLength = int64(len(out))
	resp.Header.Set("Content-Length", strconv.Itoa(len(out)))
	resp.Header.Del("ETag")
	return nil
}

// renderTimes draws, in this process with the server's own package, every
// chart the measured pages show, at both sizes: the engine's start, the
// first render on a fresh engine, and the median render after that.
func (b *bench) renderTimes(base string) error {
	var options []string
	for _, p := range append(ssrPages, "/indicators/cpp_ended_2yrs_plus_pct") {
		body, err := fetchPlain(base + p)
		if err != nil {
			return err
		}
		for _, m := range optionAttr.FindAllSubmatch(body, -1) {
			options = append(options, html.UnescapeString(string(m[1])))
		}
	}
	if len(options) == 0 {
		return errors.New("bench: no chart options on the pages")
	}
	start := time.Now()
	r, err := chartsvg.New(chartsvg.Options{Engines: 1, Cache: -1})
	if err != nil {
		return err
	}
	// The first render starts the engine (loads ECharts into it).
	if _, err := r.Render(context.Background(), options[0], 900, 420, "warm"); err != nil {
		return err
	}
	first := time.Since(start)
	var times []time.Duration
	for round := 0; round < 3; round++ {
		for i, o := range options {
			for _, size := range [][2]int{{900, 420}, {340, 320}} {
				t0 := time.Now()
				if _, err := r.Render(context.Background(), o, size[0], size[1], fmt.Sprintf("c%d", i)); err != nil {
					return err
				}
				times = append(times, time.Since(t0))
			}
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.add(row{Measure: "server: engine start + first chart", Value: ms(first), Unit: "ms", Target: "reference", Pass: true})
	b.add(row{Measure: fmt.Sprintf("server: render per chart and size (median of %d)", len(times)), Value: ms(times[len(times)/2]), Unit: "ms",
		Reference: ms(times[len(times)*9/10]), Target: "reference (p90 beside)", Pass: true})
	return nil
}

// drawClient waits for pages whose charts are drawn while many others are.
var drawClient = &http.Client{Timeout: 60 * time.Second}

// fetchPlain returns a page's body uncompressed.
func fetchPlain(u string) ([]byte, error) {
	resp, err := drawClient.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// ssrLoad asks the server for many areas' pages at once, each drawn for
// the first time, while its memory is watched: the engines at work.
func (b *bench) ssrLoad(db string) error {
	ours, err := b.startServer(b.bin, "serve", "--db", db)
	if err != nil {
		return err
	}
	defer ours.stop()
	body, err := fetchPlain(ours.url + "/indicators/referrals")
	if err != nil {
		return err
	}
	codes := regexp.MustCompile(`<option value="(E0[6-9][0-9]{6})"`).FindAllSubmatch(body, -1)
	var paths []string
	for _, c := range codes[:min(len(codes), 30)] {
		for _, ind := range []string{"referrals", "cpp_started", "cpp_at_31_march"} {
			paths = append(paths, "/indicators/"+ind+"?area="+string(c[1]))
		}
		paths = append(paths, "/?area="+string(c[1]))
	}
	if len(paths) == 0 {
		return errors.New("bench: no areas in the picker")
	}
	start := time.Now()
	jobs := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed int
	var firstErr error
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				if _, err := fetchPlain(ours.url + p); err != nil {
					mu.Lock()
					failed++
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, p := range paths {
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	took := time.Since(start)
	rss, err := vmHWM(ours.cmd.Process.Pid)
	if err != nil {
		return err
	}
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "    %d of %d pages failed, the first: %v\n", failed, len(paths), firstErr)
	}
	b.add(row{Measure: fmt.Sprintf("serve: %d new pages drawn, 16 at once (pages/s)", len(paths)), Value: float64(len(paths)) / took.Seconds(),
		Unit: "req/s", Target: "no failures", Pass: failed == 0})
	b.add(row{Measure: "serve: peak RSS drawing charts under load", Value: rss, Unit: "MB",
		Target: fmt.Sprintf("< %d MB", ssrRSSTarget), Pass: rss < ssrRSSTarget})
	fmt.Fprintf(os.Stderr, "    %d chart ids on the last page\n", len(chartIDs.FindAll(body, -1)))
	return nil
}

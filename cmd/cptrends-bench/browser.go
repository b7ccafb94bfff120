package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Targets from issue 6, item 4.
const (
	firstLoadTarget = 250 // KB, compressed: HTML, CSS and JS
	browserRuns     = 5
)

// fullBundle is the reference: the whole of ECharts as the npm package
// ships it.
const fullBundle = "node_modules/echarts/dist/echarts.min.js"

var customBundle = regexp.MustCompile(`/assets/[0-9a-f]+/vendor/echarts\.custom\.min\.js`)

// firstLoad is what one cold load of the overview cost.
type firstLoad struct {
	Bytes  float64 `json:"bytes"`  // compressed bodies: document, stylesheets, scripts
	Drawn  float64 `json:"drawn"`  // ms from navigation to performance.mark("charts-drawn")
	Charts int     `json:"charts"` // .app-chart elements
	OK     int     `json:"ok"`     // of them, data-drawn="true"
}

// browser loads the overview cold in headless Chromium, browserRuns times
// each with our custom ECharts bundle and with the full echarts.min.js
// (the reference), and reports the compressed bytes of the first load and
// the time from navigation to the last chart drawn (the median).
//
// Both go through the same reverse proxy in front of our server; for the
// reference it rewrites the overview to load the full bundle, which it
// serves precompressed like ours (gzip and brotli from
// assets/build/build.mjs --compress).
func (b *bench) browser(db string) error {
	chromium, err := findChromium()
	if err != nil {
		return err
	}
	full, err := b.prepareFullBundle()
	if err != nil {
		return err
	}
	ours, err := b.startServer(b.bin, "serve", "--db", db)
	if err != nil {
		return err
	}
	defer ours.stop()
	target, _ := url.Parse(ours.url)
	custom, err := serveProxy(target, nil)
	if err != nil {
		return err
	}
	defer custom.Close()
	ref, err := serveProxy(target, full)
	if err != nil {
		return err
	}
	defer ref.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(b.path("chromium-profile")),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	browserCtx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	if err := chromedp.Do(browserCtx); err != nil { // starts the browser
		return fmt.Errorf("start chromium: %w", err)
	}
	var mine, theirs []firstLoad
	for i := 0; i < browserRuns+1; i++ { // the first pair warms the server's page cache and is dropped
		for _, c := range []struct {
			name, base string
			into       *[]firstLoad
		}{{"full echarts.min.js", "http://" + ref.Addr().String(), &theirs}, {"custom bundle", "http://" + custom.Addr().String(), &mine}} {
			l, err := loadOverview(browserCtx, c.base)
			if err != nil {
				return err
			}
			if l.Charts == 0 || l.OK != l.Charts {
				return fmt.Errorf("overview via %s: %d of %d charts drawn", c.base, l.OK, l.Charts)
			}
			if i > 0 {
				*c.into = append(*c.into, l)
				fmt.Fprintf(os.Stderr, "    overview, %s: %.1f KB, last chart drawn at %.1f ms\n", c.name, l.Bytes/1000, l.Drawn)
			}
		}
	}
	kb := func(ls []firstLoad) float64 { return medianOf(ls, func(l firstLoad) float64 { return l.Bytes }) / 1000 }
	drawn := func(ls []firstLoad) float64 { return medianOf(ls, func(l firstLoad) float64 { return l.Drawn }) }
	mb, rb := kb(mine), kb(theirs)
	b.add(row{Measure: "overview first load, compressed bytes", Value: mb, Unit: "KB", Reference: rb, Ratio: mb / rb,
		Target: fmt.Sprintf("<= %d KB", firstLoadTarget), Pass: mb <= firstLoadTarget})
	md, rd := drawn(mine), drawn(theirs)
	b.add(row{Measure: fmt.Sprintf("navigation to last chart drawn (median of %d)", browserRuns), Value: md, Unit: "ms",
		Reference: rd, Ratio: md / rd, Target: "<= 1.0x", Pass: md <= rd})
	return nil
}

// loadOverview opens the overview in a new tab with the cache off (a first
// visit) and reads the Performance API once the charts are drawn.
func loadOverview(browserCtx context.Context, base string) (firstLoad, error) {
	ctx, cancel := chromedp.NewContext(browserCtx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		return firstLoad{}, err
	}
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		return firstLoad{}, err
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		return firstLoad{}, fmt.Errorf("overview via %s: %w", base, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`performance.getEntriesByName("charts-drawn").length > 0`,
		chromedp.WithPollingInterval(5*time.Millisecond))); err != nil {
		return firstLoad{}, fmt.Errorf("overview via %s: no charts-drawn mark: %w", base, err)
	}
	l, err := chromedp.Run(ctx, chromedp.Evaluate[firstLoad](`(() => {
		const fetched = [performance.getEntriesByType("navigation")[0]].concat(
			performance.getEntriesByType("resource").filter((r) => !/\.(woff2?|ttf|otf|eot)(\?|$)/.test(r.name)));
		return {
			bytes: fetched.reduce((n, r) => n + r.encodedBodySize, 0),
			drawn: performance.getEntriesByName("charts-drawn")[0].startTime,
			charts: document.querySelectorAll(".app-chart[data-option]").length,
			ok: document.querySelectorAll('.app-chart[data-drawn="true"]').length
		};
	})()`))
	if err != nil {
		return l, fmt.Errorf("overview via %s: %w", base, err)
	}
	return l, nil
}

// precompressed is a file with its gzip and brotli forms.
type precompressed struct {
	body, gz, br []byte
}

// prepareFullBundle copies the full echarts.min.js into the bench folder
// and compresses it as the build compresses ours.
func (b *bench) prepareFullBundle() (*precompressed, error) {
	body, err := os.ReadFile(fullBundle)
	if err != nil {
		return nil, fmt.Errorf("the reference bundle (run from the repository root after make assets): %w", err)
	}
	file := b.path("echarts.min.js")
	if err := os.WriteFile(file, body, 0o644); err != nil {
		return nil, err
	}
	if out, err := exec.Command("node", "assets/build/build.mjs", "--compress", file).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("compress %s: %w\n%s", file, err, out)
	}
	p := &precompressed{body: body}
	if p.gz, err = os.ReadFile(file + ".gz"); err != nil {
		return nil, err
	}
	if p.br, err = os.ReadFile(file + ".br"); err != nil {
		return nil, err
	}
	return p, nil
}

// serveProxy starts a reverse proxy to our server on 127.0.0.1. With a
// full bundle, the overview loads it instead of the custom one.
func serveProxy(target *url.URL, full *precompressed) (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	mux := http.NewServeMux()
	mux.Handle("/", proxy)
	if full != nil {
		proxy.ModifyResponse = func(resp *http.Response) error {
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || resp.StatusCode != http.StatusOK {
				return nil
			}
			return rewriteHTML(resp)
		}
		mux.HandleFunc("/full/echarts.min.js", func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Type", "text/javascript; charset=utf-8")
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
			h.Set("Vary", "Accept-Encoding")
			ae := r.Header.Get("Accept-Encoding")
			body := full.body
			switch {
			case strings.Contains(ae, "br"):
				h.Set("Content-Encoding", "br")
				body = full.br
			case strings.Contains(ae, "gzip"):
				h.Set("Content-Encoding", "gzip")
				body = full.gz
			}
			h.Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body)
		})
	}
	go http.Serve(ln, mux)
	return ln, nil
}

// rewriteHTML points the page at the full bundle, keeping its encoding.
func rewriteHTML(resp *http.Response) error {
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
	if !customBundle.Match(page) {
		return errors.New("bench: the overview does not load echarts.custom.min.js")
	}
	page = customBundle.ReplaceAll(page, []byte("/full/echarts.min.js"))
	out := page
	if gzipped {
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // as internal/web/cache.go
		w.Write(page)
		w.Close()
		out = buf.Bytes()
	}
	resp.Body = io.NopCloser(bytes.NewReader(out))
	resp.ContentLength = int64(len(out))
	resp.Header.Set("Content-Length", strconv.Itoa(len(out)))
	resp.Header.Del("ETag")
	return nil
}

func findChromium() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium on the PATH (apt-get install chromium)")
}

func medianOf(ls []firstLoad, f func(firstLoad) float64) float64 {
	ds := make([]time.Duration, len(ls))
	for i, l := range ls {
		ds[i] = time.Duration(f(l) * 1e6)
	}
	return float64(median(ds)) / 1e6
}

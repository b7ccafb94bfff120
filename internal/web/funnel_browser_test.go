package web

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"cptrends/internal/browsertest"
)

// TestBrowserFunnel draws the funnel plot of second or subsequent plans
// with an authority chosen, at a desktop and a phone width, and leaves
// screenshots to look at.
func TestBrowserFunnel(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	browserCtx := browsertest.Start(t)
	srv, _ := newAreaTestServer(t)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	ctx, l := openTab(t, browserCtx)
	for _, w := range []struct {
		width, height int64
		name          string
	}{{1280, 900, "funnel-1280.png"}, {375, 812, "funnel-375.png"}} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w.width, w.height)); err != nil {
			t.Fatal(err)
		}
		if n := visitAndWait(t, ctx, ts.URL+"/indicators/cpp_second_or_subsequent_pct/funnel?period=2023/24&area=E08000035"); n != 2 {
			t.Errorf("%d charts drawn, want 2 (the funnel and Leeds over time)", n)
		}
		// The chart fits the page: no sideways scrolling at either width.
		overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
		if err != nil || overflow {
			t.Errorf("%d px: page scrolls sideways (%v)", w.width, err)
		}
		// ECharts drew the authorities and the limits.
		series, err := chromedp.Run(ctx, chromedp.Evaluate[int](`echarts.getInstanceByDom(document.getElementById('funnel')).getOption().series.length`))
		if err != nil || series < 6 {
			t.Errorf("%d px: %d series drawn (%v)", w.width, series, err)
		}
		checkAxe(t, ctx, w.name)
		screenshot(t, ctx, w.name)
		// And the chart as it first appears, scrolled to it.
		if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.ID("funnel"))); err != nil {
			t.Fatal(err)
		}
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		saveFile(t, "chart-"+w.name, shot)
		if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.ID("funnel-history"))); err != nil {
			t.Fatal(err)
		}
		if shot, err = chromedp.Run(ctx, chromedp.CaptureScreenshot()); err != nil {
			t.Fatal(err)
		}
		saveFile(t, "history-"+w.name, shot)
		if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS(".app-funnel-adjustment"))); err != nil {
			t.Fatal(err)
		}
		if shot, err = chromedp.Run(ctx, chromedp.CaptureScreenshot()); err != nil {
			t.Fatal(err)
		}
		saveFile(t, "text-"+w.name, shot)
	}
	l.Check(t, "the funnel page")
}

// checkAxe runs axe-core (installed from npm with the other front-end
// packages) on the page and fails on any WCAG 2.1 A or AA violation.
func checkAxe(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed (run make assets): %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(src)+";\ntypeof axe === 'object'")); err != nil {
		t.Fatalf("load axe-core: %v", err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
		.then(r => r.violations.map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join('; ') + ')'))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	for _, v := range got {
		t.Errorf("%s: axe: %s", page, v)
	}
	t.Logf("%s: %d axe violations", page, len(got))
	// The check can fail: an image with no text alternative is found.
	bad, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => {
		const img = document.createElement('img');
		img.src = 'data:,'; document.body.appendChild(img);
		return axe.run(img).then(r => { img.remove(); return r.violations.length; });
	})()`, chromedp.EvalAwaitPromise))
	if err != nil || bad == 0 {
		t.Errorf("axe-core found no violation in an image without alt text (%v)", err)
	}
}

package web

import (
	"net/http/httptest"
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

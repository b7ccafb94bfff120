package web

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cptrends/internal/browsertest"
)

// TestBrowserPathway draws the pathway page in Chromium at a desktop and
// a phone's width, for England, a region and authorities with missing
// returns, a boundary change and a conversion over 100, and leaves a
// screenshot of each to look at.
func TestBrowserPathway(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	browserCtx := browsertest.Start(t)
	srv, _ := newAreaTestServer(t)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	ctx, l := openTab(t, browserCtx)
	pages := []struct{ name, path string }{
		{"england", "/pathway"},
		{"hackney", "/pathway?area=E09000012"},
		{"london", "/pathway?area=E12000007"},
		{"hampshire", "/pathway?area=E10000014&period=2023/24"},
		{"cumberland", "/pathway?area=E06000063"},
		{"liverpool_2012_13", "/pathway?area=E08000012&period=2012/13"},
	}
	for _, width := range []int64{1280, 375} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			if width == 375 && p.name != "england" && p.name != "hackney" {
				continue
			}
			t.Run(p.name+"_"+itoa(width), func(t *testing.T) {
				if n := visitAndWait(t, ctx, ts.URL+p.path); n != 6 {
					t.Errorf("%d charts drawn, want 6 (pathway, three conversions, plans, lengths)", n)
				}
				// Nothing but the tables' own scrolling boxes is wider than
				// the window.
				over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
				if err != nil || over {
					t.Errorf("page wider than the %d px window (%v)", width, err)
				}
				caveats, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".app-pathway-caveats")))
				if err != nil || !strings.Contains(caveats, "not the route of individual children") {
					t.Errorf("caveats %q %v", caveats, err)
				}
				screenshot(t, ctx, "pathway_"+p.name+"_"+itoa(width)+".png")
			})
		}
	}
	l.Check(t, "the pathway pages")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

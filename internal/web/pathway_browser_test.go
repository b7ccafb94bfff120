package web

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

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
	t.Run("KeyboardYear", func(t *testing.T) {
		// Choose the year before with the keyboard alone: focus the year,
		// arrow down once (newest first), Tab to "Show this year", Enter.
		visitAndWait(t, ctx, ts.URL+"/pathway?area=E09000012")
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID("period")), chromedp.KeyEvent(kb.ArrowDown)); err != nil {
			t.Fatal(err)
		}
		if got, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("period"))); err != nil || got != "2023/24" {
			t.Fatalf("year picker holds %q (%v), want 2023/24", got, err)
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\t"+kb.Enter)); err != nil {
			t.Fatal(err)
		}
		for end := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			loc, err := chromedp.Run(ctx, chromedp.Location())
			if err == nil && strings.Contains(loc, "period=2023%2F24") && strings.Contains(loc, "area=E09000012") {
				break
			}
			if time.Now().After(end) {
				t.Fatalf("address %q (%v), want Hackney in 2023/24", loc, err)
			}
		}
		if got, err := chromedp.Run(ctx, chromedp.Poll[string](drawn, chromedp.WithPollingTimeout(20*time.Second))); err != nil || got == "error" {
			t.Fatalf("charts not drawn: %q %v", got, err)
		}
		if h1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1"))); !strings.Contains(h1, "2023/24") {
			t.Errorf("h1 %q, want 2023/24", h1)
		}
	})
	l.Check(t, "the pathway pages")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

package web

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"cptrends/internal/browsertest"
)

// TestBrowserChooseArea chooses an authority as a person would, with the
// keyboard in the area picker, and reads its comparison.
func TestBrowserChooseArea(t *testing.T) {
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
	visitAndWait(t, ctx, ts.URL+"/indicators/referrals")

	// choose focuses the picker, types the start of a name (a closed select
	// jumps to it) and submits the form the way the key or pointer would.
	choose := func(t *testing.T, typed, code string, submit chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID("area")), chromedp.KeyEvent(typed)); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("area")))
		if err != nil || got != code {
			t.Fatalf("after typing %q the picker holds %q (%v), want %s", typed, got, err, code)
		}
		if err := chromedp.Do(ctx, submit); err != nil {
			t.Fatal(err)
		}
		// The form's navigation replaces the page: ask its address until the
		// new one answers.
		for end := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			loc, err := chromedp.Run(ctx, chromedp.Location())
			if err == nil && strings.Contains(loc, "area="+code) {
				break
			}
			if time.Now().After(end) {
				t.Fatalf("no ?area=%s in the address: %q %v", code, loc, err)
			}
		}
		if got, err := chromedp.Run(ctx, chromedp.Poll[string](drawn, chromedp.WithPollingTimeout(20*time.Second))); err != nil || got == "error" {
			t.Fatalf("charts not drawn: %q %v", got, err)
		}
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		u, err := url.Parse(loc)
		if err != nil || u.Path != "/indicators/referrals" || u.Query().Get("area") != code {
			t.Errorf("landed on %s, want /indicators/referrals?area=%s", loc, code)
		}
	}
	text := func(t *testing.T, sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return strings.Join(strings.Fields(s), " ")
	}
	// row returns the comparison table's cells for a year, as shown.
	row := func(t *testing.T, period string) []string {
		t.Helper()
		cells, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
			for (const tr of document.querySelectorAll('.app-compare-table tbody tr')) {
				if (tr.querySelector('th').innerText.trim() === `+"`"+period+"`"+`)
					return Array.from(tr.querySelectorAll('td')).map(td => td.innerText.replace(/\s+/g, ' ').trim());
			}
			return [];
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		return cells
	}

	t.Run("Hackney", func(t *testing.T) {
		// Focus, type, then Tab to "Show this area" and press Enter.
		choose(t, "Hackney", "E09000012", chromedp.KeyEvent("\t"+kb.Enter))
		// The caption is the h1's first part; a hidden ": " joins it to the
		// title for screen readers.
		if got := strings.TrimSpace(strings.TrimSuffix(text(t, ".govuk-caption-l"), ":")); got != "Hackney" {
			t.Errorf("caption = %q, want Hackney", got)
		}
		if got, _ := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(".app-compare .app-chart"), "data-drawn")); got.Value != "true" {
			t.Errorf("comparison chart data-drawn = %q, want true", got.Value)
		}
		heads, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.app-compare-table thead th')).map(th => th.innerText.trim())`))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"Year", "Hackney", "England", "London", "Neighbours' average", "Neighbours' range", "Neighbours used"}
		if strings.Join(heads, "|") != strings.Join(want, "|") {
			t.Errorf("comparison columns = %q, want %q", heads, want)
		}
		// On the one base (the ONS mid-2023 estimates), not the published
		// 695.8 (see TestAreas).
		if got := row(t, "2023/24"); len(got) != 6 || !strings.HasPrefix(got[0], "691.5") || got[3] != "627.4" || !strings.HasPrefix(got[5], "10 of 10") {
			t.Errorf("2023/24 = %q, want 691.5, mean 627.4 of 10 of 10", got)
		}
		for _, p := range []string{"2020/21", "2021/22"} {
			if got := row(t, p); len(got) != 6 || got[0] != "x" || !strings.Contains(got[5], " of 10") {
				t.Errorf("%s = %q, want Hackney x and N of 10 neighbours", p, got)
			}
		}
		if key := text(t, ".app-compare .app-symbol-key"); !strings.Contains(key, "x not available") {
			t.Errorf("symbol key = %q, want x explained", key)
		}
		if set := text(t, ".app-compare .app-neighbour-set"); !strings.Contains(set, "2025 model") || !strings.Contains(set, "Islington") {
			t.Errorf("neighbour set = %q", set)
		}
		screenshot(t, ctx, "area_hackney.png")
		shot, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(".app-compare")))
		if err != nil {
			t.Fatal(err)
		}
		saveFile(t, "area_hackney_compare.png", shot)
	})

	t.Run("Camden", func(t *testing.T) {
		// From Hackney's page, type Camden and click the button.
		choose(t, "Camden", "E09000007", chromedp.Click(chromedp.CSS(`.app-area-form button[type="submit"]`)))
		for _, p := range []string{"2020/21", "2021/22"} {
			got := row(t, p)
			if len(got) != 6 || !strings.HasPrefix(got[5], "9 of 10") || !strings.Contains(got[5], "Hackney (x: not available") {
				t.Errorf("Camden %s = %q, want 9 of 10 with Hackney left out as x", p, got)
			}
		}
		time.Sleep(time.Second) // let the chart's animation finish
		shot, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(".app-compare")))
		if err != nil {
			t.Fatal(err)
		}
		saveFile(t, "area_camden_compare.png", shot)
	})

	l.Check(t, "the area pages")
}

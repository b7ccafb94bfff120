package web

import (
	"net/http"
	"strings"
	"testing"

	"cptrends/indicators"

	"github.com/PuerkitoBio/goquery"
)

func TestPack(t *testing.T) {
	srv, _ := newTestServer(t)
	t.Run("Overview", func(t *testing.T) {
		if doc(t, get(t, srv, "/")).Find(`a[href="/pack"]`).Length() != 1 {
			t.Error("the overview does not link to the pack")
		}
		rec := get(t, srv, "/pack")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /pack = %d", rec.Code)
		}
		d := doc(t, rec)
		if n := d.Find(".app-pack__figure .app-chart[data-option]").Length(); n != 4 {
			t.Errorf("charts = %d, want 4", n)
		}
		if n := d.Find(".app-pack__figure .app-headline").Length(); n != 5 {
			t.Errorf("headlines = %d, want 5 (figure 3 has two series)", n)
		}
		if n := d.Find(".app-pack__figure table").Length(); n != 5 {
			t.Errorf("tables = %d, want 5", n)
		}
		text := d.Find("main").Text()
		for _, f := range indicators.Default().Figures() {
			for _, def := range f.Definitions {
				if !strings.Contains(text, def.Source.Name) || !strings.Contains(text, def.Footnotes[0]) {
					t.Errorf("%s: source or footnotes missing", def.ID)
				}
			}
		}
		if !strings.Contains(d.Find("#pack-version").Text(), "Data version 1") || !strings.Contains(text, "Figure 4:") {
			t.Errorf("no data version or figure numbers: %q", d.Find("#pack-version").Text())
		}
	})
	t.Run("Chosen", func(t *testing.T) {
		d := doc(t, get(t, srv, "/pack?indicators=cpp_at_31_march,referrals,cpp_at_31_march"))
		ids := d.Find(".app-chart").Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("id", "") })
		if strings.Join(ids, ",") != "chart-cpp_at_31_march,chart-referrals" {
			t.Errorf("charts = %v", ids)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if rec := get(t, srv, "/pack?indicators=referrals,nope"); rec.Code != http.StatusNotFound {
			t.Errorf("unknown indicator = %d, want 404", rec.Code)
		}
	})
}

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cptrends/internal/store"

	"github.com/PuerkitoBio/goquery"
)

// Under the race detector a render is many times slower than in serve.
func init() { chartRenderer.Timeout = time.Minute }

// TestChartSVG_Pages: every chart on the pages that show one arrives drawn
// as SVG, wide and narrow, inside its accessible container, scaling to it,
// with nothing a strict Content-Security-Policy would stop.
func TestChartSVG_Pages(t *testing.T) {
	srv, _ := newTestServer(t)
	for _, c := range []struct {
		path   string
		charts int
	}{{"/", 4}, {"/indicators/referrals", 1}, {"/indicators/cpp_ended_2yrs_plus_pct", 1}, {"/pack", 4}} {
		t.Run(c.path, func(t *testing.T) {
			d := doc(t, get(t, srv, c.path))
			charts := d.Find(".app-chart[data-option]")
			if charts.Length() != c.charts {
				t.Fatalf("%d charts, want %d", charts.Length(), c.charts)
			}
			charts.Each(func(_ int, el *goquery.Selection) {
				id, _ := el.Attr("id")
				if !el.HasClass("app-chart--drawn") || el.AttrOr("role", "") != "img" || el.AttrOr("aria-describedby", "") == "" {
					t.Errorf("%s: class %q, role %q, aria-describedby %q", id, el.AttrOr("class", ""), el.AttrOr("role", ""), el.AttrOr("aria-describedby", ""))
				}
				for _, kind := range []string{"wide", "narrow"} {
					svg := el.ChildrenFiltered("svg.app-chart__svg--" + kind)
					if svg.Length() != 1 {
						t.Errorf("%s: %d %s SVGs", id, svg.Length(), kind)
						continue
					}
					if _, fixed := svg.Attr("width"); fixed || svg.AttrOr("viewbox", svg.AttrOr("viewBox", "")) == "" {
						t.Errorf("%s: the %s SVG does not scale (width or no viewBox)", id, kind)
					}
					if svg.Find("path").Length() < 5 || svg.Find("text").Length() < 3 {
						t.Errorf("%s: the %s SVG draws %d paths and %d texts", id, kind, svg.Find("path").Length(), svg.Find("text").Length())
					}
				}
				if n := el.Find("[style], style, script").Length(); n != 0 {
					t.Errorf("%s: %d inline styles or scripts in the chart", id, n)
				}
			})
			// Ids inside the SVGs are the page's own.
			seen := map[string]bool{}
			d.Find(".app-chart svg [id]").Each(func(_ int, s *goquery.Selection) {
				id, _ := s.Attr("id")
				if seen[id] {
					t.Errorf("id %q twice", id)
				}
				seen[id] = true
			})
		})
	}
}

// TestChartSVG_Compare: an area's comparison chart is drawn too.
func TestChartSVG_Compare(t *testing.T) {
	srv, _ := newAreaTestServer(t)
	d := doc(t, get(t, srv, "/indicators/referrals?area=E09000012"))
	if n := d.Find(".app-compare .app-chart.app-chart--drawn svg.app-chart__svg--wide").Length(); n != 1 {
		t.Errorf("comparison chart SVGs = %d, want 1", n)
	}
	if n := d.Find(".app-chart[data-option]").Length(); n != d.Find(".app-chart.app-chart--drawn").Length() || n < 2 {
		t.Errorf("%d charts, %d drawn", n, d.Find(".app-chart.app-chart--drawn").Length())
	}
}

// TestChartSVG_Hostile: words in a chart are text in the page, never markup.
func TestChartSVG_Hostile(t *testing.T) {
	srv, _ := newTestServer(t)
	labels := []string{`</svg><script>window.__pwned=1</script>`, `"}));alert(1);//`, `<img src=x onerror=alert(2)>`}
	option, _ := json.Marshal(map[string]any{
		"xAxis":  map[string]any{"type": "category", "data": labels},
		"yAxis":  map[string]any{"type": "value", "name": labels[1]},
		"legend": map[string]any{"data": []string{labels[2]}},
		"series": []any{map[string]any{"type": "bar", "name": labels[2], "data": []int{3, 1, 2}}},
	})
	html := string(srv.chartSVG(string(option), "large", "hostile"))
	if html == "" {
		t.Fatal("not drawn")
	}
	d, err := goquery.NewDocumentFromReader(strings.NewReader("<div>" + html + "</div>"))
	if err != nil {
		t.Fatal(err)
	}
	if n := d.Find("script, img, [onerror]").Length(); n != 0 {
		t.Errorf("%d elements from the labels", n)
	}
	if n := d.Find("svg").Length(); n != 2 {
		t.Errorf("%d svg elements, want 2", n)
	}
	text := d.Find("svg.app-chart__svg--wide").Text()
	for _, l := range labels {
		if !strings.Contains(text, strings.Fields(l)[0]) {
			t.Errorf("label %q is not text in the chart: %q", l, text)
		}
	}
}

// TestChartSVG_Fallback: a chart that cannot be drawn on the server is
// logged and left for the browser, as before.
func TestChartSVG_Fallback(t *testing.T) {
	srv, _ := newTestServer(t)
	var logs bytes.Buffer
	srv.log = slog.New(slog.NewTextHandler(&logs, nil))
	if got := srv.chartSVG(`{"series": [`, "large", "broken"); got != "" {
		t.Errorf("a broken option gave %q", got)
	}
	if !strings.Contains(logs.String(), "chart left for the browser to draw") || !strings.Contains(logs.String(), "chart=broken") {
		t.Errorf("not logged: %s", logs.String())
	}
	srv.svg = nil
	d := doc(t, get(t, srv, "/"))
	if n := d.Find(".app-chart[data-option]").Length(); n != 4 {
		t.Errorf("%d charts", n)
	}
	if n := d.Find(".app-chart--drawn, .app-chart svg").Length(); n != 0 {
		t.Errorf("%d drawn with no renderer", n)
	}
}

// TestSnapshotFile_NotDrawn: when a chart could not be drawn on the server,
// the offline file carries ECharts and our scripts to draw it on opening.
func TestSnapshotFile_NotDrawn(t *testing.T) {
	srv, st := newTestServer(t)
	srv.svg = nil
	if _, err := st.AddUser(context.Background(), "vic", store.RoleViewer, viewerPassword); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	b := newBrowser(t, ts)
	b.login("vic", viewerPassword)
	loc := b.mustSnapshot("referrals", "")
	code, body := b.get(loc + ".html")
	if code != 200 {
		t.Fatalf("GET %s.html = %d", loc, code)
	}
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	scripts := d.Find("script")
	if scripts.Length() != 3 || d.Find("script[src]").Length() != 0 {
		t.Errorf("scripts = %d (%d with src), want 3 inline", scripts.Length(), d.Find("script[src]").Length())
	}
	if !strings.Contains(scripts.First().Text(), "echarts") || len(scripts.First().Text()) < 500_000 {
		t.Error("the first script is not the whole of ECharts")
	}
	csp := d.Find(`meta[http-equiv="Content-Security-Policy"]`).AttrOr("content", "")
	if strings.Count(csp, "'sha256-") != 4 || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP = %q", csp)
	}
	t.Logf("offline file with ECharts: %d bytes", len(body))
}

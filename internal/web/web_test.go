package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cptrends/indicators"
	"cptrends/internal/figures"
	"cptrends/internal/ingest"
	"cptrends/internal/store"
	"cptrends/internal/store/storetest"

	"github.com/PuerkitoBio/goquery"
)

// newTestServer builds the real server on a fresh database loaded with the
// bundled national series and any extra native CSV text given.
func newTestServer(t *testing.T, extra ...string) (*Server, *store.Store) {
	t.Helper()
	return newTestServerOpts(t, Options{}, extra...)
}

// newTestServerOpts is newTestServer with options, such as a base path.
func newTestServerOpts(t testing.TB, opts Options, extra ...string) (*Server, *store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var inputs []ingest.Input
	for _, name := range []string{"england_national_2013_to_2025.csv", "england_national_before_2013.csv"} {
		f, err := indicators.Bundled().Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		inputs = append(inputs, ingest.Input{Name: name, R: f})
	}
	for i, text := range extra {
		inputs = append(inputs, ingest.Input{Name: "extra" + string(rune('a'+i)) + ".csv", R: strings.NewReader(text)})
	}
	res := ingest.Read(indicators.Default(), ingest.Options{}, inputs...)
	if !res.OK() {
		t.Fatalf("fixture refused: %v", res.Problems)
	}
	if _, err := st.Import(ctx, store.NewUpload{By: "test", Files: res.Files, Observations: res.Observations}, false); err != nil {
		t.Fatal(err)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv, err := New(st, indicators.Default(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return srv, st
}

func get(t *testing.T, srv http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func doc(t *testing.T, rec *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestOverview(t *testing.T) {
	srv, _ := newTestServer(t)
	rec := get(t, srv, "/")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET / = %d", rec.Code)
	}
	d := doc(t, rec)
	if n := d.Find(".app-chart[data-option]").Length(); n != 4 {
		t.Errorf("charts on the overview = %d, want 4", n)
	}
	headlines := d.Find(".app-headline").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	want := "632,830 referrals in 2024/25, up 10,950 (1.8%) on 2023/24"
	if len(headlines) == 0 || !strings.HasPrefix(headlines[0], want) {
		t.Errorf("first headline = %q, want it to start %q", headlines, want)
	}
	for _, id := range []string{"referrals", "cpp_started", "cpp_ended_2yrs_plus", "cpp_ended_2yrs_plus_pct", "cpp_second_or_subsequent_pct"} {
		if d.Find(`a[href="/indicators/`+id+`"]`).Length() == 0 {
			t.Errorf("no link to %s", id)
		}
	}
	// Every chart has its data table.
	if n := d.Find(".app-figure table").Length(); n < 5 {
		t.Errorf("tables = %d, want one per series on the four figures (5)", n)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
		if rec.Header().Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
	if csp := rec.Header().Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
	if d.Find("script:not([src])").Length() != 0 {
		t.Error("the page has an inline script")
	}
}

func TestIndicatorShow(t *testing.T) {
	srv, _ := newTestServer(t)
	t.Run("OK", func(t *testing.T) {
		for _, def := range indicators.Default().All() {
			rec := get(t, srv, "/indicators/"+def.ID)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s = %d", def.ID, rec.Code)
			}
			d := doc(t, rec)
			if d.Find(".app-chart[data-option][data-tips]").Length() != 1 {
				t.Errorf("%s: no chart", def.ID)
			}
			// This fixture has national figures only: England's rates and
			// population come with the EES files.
			empty := strings.Contains(d.Find(".app-headline").Text(), "There are no figures for")
			if d.Find("table caption").Length() != 1 || (d.Find("tbody tr").Length() == 0) != empty {
				t.Errorf("%s: no data table", def.ID)
			}
			if !strings.Contains(d.Find("main").Text(), def.Source.Name) {
				t.Errorf("%s: source not shown", def.ID)
			}
		}
	})
	t.Run("Referrals", func(t *testing.T) {
		d := doc(t, get(t, srv, "/indicators/referrals"))
		row := d.Find("tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
			return s.Find("th").Text() == "2014/15"
		})
		cells := row.Find("td").Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Text()) })
		if len(cells) < 3 || cells[0] != "635,620" || cells[1] != "-22,160" || cells[2] != "-3.4%" {
			t.Errorf("2014/15 row = %q", cells)
		}
		brk := d.Find("tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
			return s.Find("th").Text() == "2012/13"
		})
		if !strings.Contains(brk.Text(), "break in series") || !strings.Contains(brk.Text(), "Break in series") {
			t.Errorf("2012/13 row does not say why there is no change: %q", brk.Text())
		}
		sec := d.Find("tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
			return s.Find("th").Text() == "2004/05"
		})
		if !strings.Contains(sec.Text(), "Secondary source") {
			t.Errorf("2004/05 not labelled as secondary: %q", sec.Text())
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, path := range []string{"/indicators/nope", "/indicators/nope.csv", "/api/indicators/nope", "/no/such/page"} {
			if rec := get(t, srv, path); rec.Code != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", path, rec.Code)
			}
		}
	})
}

func TestSymbolsAndHostileText(t *testing.T) {
	hostile := `</script><script>alert(1)</script><img src=x onerror=alert(2)>`
	srv, _ := newTestServer(t, "indicator,period,geography_code,geography_name,value,note\n"+
		"referrals,2014/15,E12000001,\""+strings.ReplaceAll(hostile, `"`, `""`)+"\",c,\"=HYPERLINK(\"\"x\"\")\"\n"+
		"referrals,2013/14,E12000001,North East,32050,\""+strings.ReplaceAll(hostile, `"`, `""`)+"\"\n")
	t.Run("APISymbol", func(t *testing.T) {
		rec := get(t, srv, "/api/indicators/referrals?geography=E12000001")
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		var got struct {
			Points []struct {
				Period string   `json:"period"`
				Value  *float64 `json:"value"`
				Symbol string   `json:"symbol"`
				Change *float64 `json:"change"`
			} `json:"points"`
		}
		json.Unmarshal(rec.Body.Bytes(), &got)
		if len(got.Points) != 2 || got.Points[1].Value != nil || got.Points[1].Symbol != "c" || got.Points[1].Change != nil {
			t.Fatalf("points = %+v, want 2014/15 null with symbol c and no change", got.Points)
		}
	})
	t.Run("CSVFormulaNeutralised", func(t *testing.T) {
		// The England page's CSV is all ours; check a note cell of the region
		// through the series the CSV writer shares.
		if got := figures.SafeCell(`=HYPERLINK("x")`); got != `'=HYPERLINK("x")` {
			t.Errorf("SafeCell = %q", got)
		}
		for _, s := range []string{"+1", "-1", "@x", "\tx"} {
			if !strings.HasPrefix(figures.SafeCell(s), "'") {
				t.Errorf("figures.SafeCell(%q) not neutralised", s)
			}
		}
		if figures.SafeCell("England") != "England" {
			t.Error("plain text changed")
		}
	})
}

func TestAPI(t *testing.T) {
	srv, _ := newTestServer(t)
	rec := get(t, srv, "/api/indicators")
	var list struct {
		Indicators []struct {
			ID   string `json:"id"`
			Unit string `json:"unit"`
		} `json:"indicators"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Indicators) != len(indicators.Default().All()) {
		t.Fatalf("indicators = %+v, %v", list, err)
	}
	rec = get(t, srv, "/api/indicators/cpp_second_or_subsequent_pct")
	var s struct {
		Indicator struct{ ID, Unit string }
		Geography struct{ Code, Name, Level string }
		Points    []map[string]any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	if s.Indicator.Unit != "percent" || s.Geography.Code != "E92000001" || s.Geography.Level != "national" {
		t.Fatalf("series head = %+v %+v", s.Indicator, s.Geography)
	}
	for _, p := range s.Points {
		if p["period"] == "2014/15" {
			if p["value"] != 16.6 || p["change"].(float64) < 0.79 || p["change"].(float64) > 0.81 {
				t.Errorf("2014/15 = %v, want 16.6 with change +0.8 points", p)
			}
		}
		for _, k := range []string{"period", "value", "symbol", "change", "change_pct", "break_before", "notes"} {
			if _, ok := p[k]; !ok {
				t.Fatalf("point lacks %q: %v", k, p)
			}
		}
	}
	if rec := get(t, srv, "/api/indicators/referrals?geography=bad"); rec.Code != http.StatusBadRequest {
		t.Errorf("bad geography = %d, want 400", rec.Code)
	}
	if rec := get(t, srv, "/api/indicators/referrals?geography=E06000001"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown geography = %d, want 404", rec.Code)
	}
}

func TestIndicatorCSV(t *testing.T) {
	srv, st := newTestServer(t)
	rec := get(t, srv, "/indicators/referrals.csv")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("GET csv = %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0][:6], ",") != "indicator,period,geography_code,geography_name,value,note" {
		t.Fatalf("header = %v", rows[0])
	}
	found := false
	for _, r := range rows[1:] {
		if r[1] == "2014/15" {
			found = r[4] == "635620" && r[6] == "-22160"
		}
	}
	if !found {
		t.Error("no 2014/15 row with 635620 and change -22160")
	}
	// A download loads back as a native upload.
	body := get(t, srv, "/indicators/referrals.csv").Body.String()
	res := ingest.Read(indicators.Default(), ingest.Options{}, ingest.Input{Name: "back.csv", R: strings.NewReader(body)})
	if !res.OK() {
		t.Fatalf("the CSV download does not load back: %v", res.Problems[:min(3, len(res.Problems))])
	}
	sum, err := st.Import(context.Background(), store.NewUpload{By: "test", Files: res.Files, Observations: res.Observations}, true)
	if err != nil || sum.Added+sum.Revised != 0 || sum.Unchanged != len(res.Observations) {
		t.Errorf("loading the download back = %+v, %v; want every value unchanged", sum, err)
	}
}

func TestHealth(t *testing.T) {
	srv, st := newTestServer(t)
	if rec := get(t, srv, "/healthz"); rec.Code != http.StatusOK {
		t.Fatalf("healthz = %d", rec.Code)
	}
	st.Close()
	if rec := get(t, srv, "/healthz"); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("healthz on a closed database = %d, want 503", rec.Code)
	}
}

// TestUnusualChangeFlagged: a change far outside an area's own history is
// named in neutral words in its table.
func TestUnusualChangeFlagged(t *testing.T) {
	var b strings.Builder
	b.WriteString("indicator,period,geography_code,geography_name,value\n")
	for i, v := range []int{1000, 1010, 1000, 1015, 1005, 1010, 1500} {
		fmt.Fprintf(&b, "referrals,%d/%02d,E06000901,Testshire,%d\n", 2013+i, (2014+i)%100, v)
	}
	srv, _ := newTestServer(t, b.String())
	d := doc(t, get(t, srv, "/indicators/referrals?area=E06000901"))
	row := d.Find("tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Find("th").Text() == "2019/20" })
	if !strings.Contains(row.Text(), "unusually large rise for this area") {
		t.Fatalf("2019/20 row = %q, want the unusual rise named", strings.Join(strings.Fields(row.Text()), " "))
	}
	if strings.Contains(d.Find("tbody").Text(), "unusually large fall") {
		t.Error("a fall is flagged that did not happen")
	}
}

// TestLeague_UnusualChange: the league table names an authority's unusually
// large change for the year shown, and no other.
func TestLeague_UnusualChange(t *testing.T) {
	var b strings.Builder
	b.WriteString("indicator,period,geography_code,geography_name,value\n")
	// A percentage, so that the table ranks the figures themselves (counts
	// are ranked by a rate, which needs population estimates).
	for i, v := range []float64{10.0, 10.2, 10.0, 10.3, 10.1, 10.2, 18.0} {
		fmt.Fprintf(&b, "cpp_second_or_subsequent_pct,%d/%02d,E06000901,Testshire,%.1f\n", 2013+i, (2014+i)%100, v)
		fmt.Fprintf(&b, "cpp_second_or_subsequent_pct,%d/%02d,E06000902,Steadyshire,%.1f\n", 2013+i, (2014+i)%100, 10+float64(i)/10)
	}
	srv, _ := newTestServer(t, b.String())
	rec := get(t, srv, "/indicators/cpp_second_or_subsequent_pct/areas?period=2019/20")
	if rec.Code != http.StatusOK {
		t.Fatalf("league = %d", rec.Code)
	}
	d := doc(t, rec)
	test := d.Find(`tr[data-code="E06000901"]`).Text()
	steady := d.Find(`tr[data-code="E06000902"]`).Text()
	if !strings.Contains(test, "unusually large rise for this area") {
		t.Errorf("Testshire's row = %q, want its rise named", strings.Join(strings.Fields(test), " "))
	}
	if strings.Contains(steady, "unusually") {
		t.Errorf("Steadyshire's steady change is flagged: %q", strings.Join(strings.Fields(steady), " "))
	}
}

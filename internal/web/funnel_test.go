package web

import (
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
)

// apiFunnel is the funnel JSON as CONTRACT.md promises it, and the counts
// beside it.
type apiFunnel struct {
	Centre         *float64 `json:"centre"`
	Overdispersion struct {
		Method string   `json:"method"`
		Tau2   *float64 `json:"tau2"`
		Needed bool     `json:"needed"`
	} `json:"overdispersion"`
	Scale string `json:"scale"`
	Areas []struct {
		Code        string                `json:"code"`
		Name        string                `json:"name"`
		Value       *float64              `json:"value"`
		Numerator   float64               `json:"numerator"`
		Denominator *float64              `json:"denominator"`
		Limits      map[string][2]float64 `json:"limits"`
		Outside     *string               `json:"outside"`
		Small       bool                  `json:"small"`
	} `json:"areas"`
	Counts struct {
		Adjusted   map[string]struct{ Higher, Lower int } `json:"adjusted"`
		Unadjusted map[string]struct{ Higher, Lower int } `json:"unadjusted"`
	} `json:"counts"`
}

func TestAPIIndicatorFunnel(t *testing.T) {
	srv, _ := newAreaTestServer(t)
	rec := get(t, srv, "/api/indicators/cpp_second_or_subsequent_pct/funnel?period=2023/24")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("status %d %s: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	var f apiFunnel
	if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	if f.Centre == nil || *f.Centre != 24.7 || f.Overdispersion.Method == "" || f.Overdispersion.Tau2 == nil || !f.Overdispersion.Needed {
		t.Fatalf("centre %v, overdispersion %+v", f.Centre, f.Overdispersion)
	}
	if len(f.Areas) < 140 {
		t.Fatalf("%d areas", len(f.Areas))
	}
	// Recompute every authority's limits from its denominator, the centre
	// and tau2, on the arcsine square-root scale, with FunnelPlotR's z
	// values (rounded to six places: cptrends takes the exact quantiles,
	// which moves a limit by less than 1e-5 points).
	tau2, c := *f.Overdispersion.Tau2, math.Asin(math.Sqrt(*f.Centre/100))
	outside := 0
	for _, a := range f.Areas {
		if a.Value == nil || a.Denominator == nil || a.Outside == nil {
			t.Fatalf("%s: value %v denominator %v outside %v", a.Name, a.Value, a.Denominator, a.Outside)
		}
		for level, z := range map[string]float64{"95": 1.959964, "99.8": 3.090232} {
			h := z * math.Sqrt(1/(4**a.Denominator)+tau2)
			lo, hi := 100*math.Pow(math.Sin(c-h), 2), 100*math.Pow(math.Sin(c+h), 2)
			if got := a.Limits[level]; math.Abs(got[0]-lo) > 1e-5 || math.Abs(got[1]-hi) > 1e-5 {
				t.Errorf("%s %s%%: %v, want [%v, %v]", a.Name, level, got, lo, hi)
			}
			if level != "95" {
				continue
			}
			want := ""
			if !a.Small && *a.Value > hi {
				want = "higher"
			} else if !a.Small && *a.Value < lo {
				want = "lower"
			}
			if *a.Outside != want {
				t.Errorf("%s: outside %q, want %q", a.Name, *a.Outside, want)
			}
			if want != "" {
				outside++
			}
		}
	}
	if got := f.Counts.Adjusted["95"].Higher + f.Counts.Adjusted["95"].Lower; got != outside {
		t.Errorf("count outside 95%% %d, areas marked %d", got, outside)
	}
}

func TestIndicatorFunnelPage(t *testing.T) {
	srv, _ := newAreaTestServer(t)
	const leeds = "E08000035"
	d := mustDoc(t, srv, "/indicators/cpp_second_or_subsequent_pct/funnel?period=2023/24&area="+leeds)
	rows := d.Find("table.app-funnel-table tbody tr")
	rec := get(t, srv, "/api/indicators/cpp_second_or_subsequent_pct/funnel?period=2023/24")
	var f apiFunnel
	if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	if rows.Length() != len(f.Areas) {
		t.Errorf("%d rows in the table, %d areas in the API", rows.Length(), len(f.Areas))
	}
	chosen := d.Find("tr.app-row-chosen")
	if chosen.Length() != 1 || chosen.AttrOr("data-code", "") != leeds || !strings.Contains(chosen.Text(), "Your area") {
		t.Errorf("chosen row: %d, %q", chosen.Length(), chosen.Text())
	}
	if !strings.Contains(d.Find(".app-funnel-chosen").Text(), "Leeds") {
		t.Errorf("no words about Leeds: %q", d.Find(".app-funnel-chosen").Text())
	}
	body := strings.Join(strings.Fields(d.Find("main").Text()), " ")
	for _, want := range []string{
		"not a sampling error",
		"the range a figure could have reached by chance in a year like this one",
		"tau²", "Spiegelhalter", "Winsoris",
		"higher than most authorities of its size",
		"Without the adjustment for variation between authorities",
		"Hampshire", // not on the funnel: its return was unreliable
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page does not say %q", want)
		}
	}
	// Outside rows say so in words, in the row itself.
	for i := range rows.Length() {
		r := rows.Eq(i)
		where := r.Find(".app-where").Text()
		switch r.AttrOr("data-outside", "") {
		case "higher":
			if !strings.Contains(where, "higher than") {
				t.Errorf("%s: outside higher but says %q", r.Find("th").Text(), where)
			}
		case "lower":
			if !strings.Contains(where, "lower than") {
				t.Errorf("%s: outside lower but says %q", r.Find("th").Text(), where)
			}
		case "":
			if strings.Contains(where, "than most") {
				t.Errorf("%s: not outside but says %q", r.Find("th").Text(), where)
			}
		}
	}
	// Leeds over time: one row a year, each year's limits, a quartile.
	hist := d.Find("table.app-funnel-history tbody tr")
	if hist.Length() < 10 {
		t.Errorf("%d years of Leeds over time", hist.Length())
	}
	for i := range hist.Length() {
		cells := hist.Eq(i).Find("td")
		if q := strings.TrimSpace(cells.Eq(3).Text()); q < "1" || q > "4" || len(q) != 1 {
			t.Errorf("year %d: quartile %q", i, q)
		}
	}
	if !strings.Contains(d.Find(".app-funnel-history-summary").Text(), "Leeds was within the 95% limits for its size in every one of the 13 years") {
		t.Errorf("history summary %q", d.Find(".app-funnel-history-summary").Text())
	}
	rec = get(t, srv, "/api/indicators/cpp_second_or_subsequent_pct/funnel?period=2023/24&area="+leeds)
	var withHistory struct {
		History []struct {
			Period   string                `json:"period"`
			Quartile int                   `json:"quartile"`
			Limits   map[string][2]float64 `json:"limits"`
		} `json:"history"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &withHistory); err != nil || len(withHistory.History) != hist.Length() {
		t.Errorf("API history: %d years (%v), page %d", len(withHistory.History), err, hist.Length())
	}
	chart := d.Find("#funnel")
	var opt map[string]any
	if err := json.Unmarshal([]byte(chart.AttrOr("data-option", "")), &opt); err != nil {
		t.Fatalf("chart option: %v", err)
	}
	if !strings.Contains(chart.AttrOr("data-option", ""), `"Leeds"`) {
		t.Error("the chart does not name Leeds")
	}
}

func TestIndicatorFunnel_Errors(t *testing.T) {
	srv, _ := newAreaTestServer(t)
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/indicators/nothing/funnel", http.StatusNotFound},
		{"/api/indicators/nothing/funnel", http.StatusNotFound},
		{"/indicators/cpp_ended_2yrs_plus_pct/funnel", http.StatusNotFound},
		{"/api/indicators/cpp_second_or_subsequent_pct/funnel?period=2004/05", http.StatusNotFound},
		{"/indicators/cpp_second_or_subsequent_pct/funnel?period=spring", http.StatusBadRequest},
		{"/api/indicators/cpp_second_or_subsequent_pct/funnel?period=2014/16", http.StatusBadRequest},
	} {
		if rec := get(t, srv, tc.path); rec.Code != tc.want {
			t.Errorf("%s: status %d, want %d", tc.path, rec.Code, tc.want)
		}
	}
	// A hostile area is never written back as markup.
	rec := get(t, srv, "/indicators/cpp_second_or_subsequent_pct/funnel?area=%3Cscript%3Ealert(1)%3C/script%3E")
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "<script>alert") {
		t.Errorf("hostile area: status %d", rec.Code)
	}
	// A rate, and a count drawn as its rate.
	for _, p := range []string{"/indicators/referrals_rate/funnel", "/indicators/cpp_started/funnel?period=2023/24"} {
		d := mustDoc(t, srv, p)
		if d.Find("table.app-funnel-table tbody tr").Length() < 140 {
			t.Errorf("%s: %d rows", p, d.Find("table.app-funnel-table tbody tr").Length())
		}
	}
}

// An authority's name from an upload is text wherever the funnel shows
// it: the table, the picker, the chart option and the tooltips.
func TestIndicatorFunnel_HostileNameIsInert(t *testing.T) {
	hostile := `</script><script>window.__pwned=1</script><img src=x onerror=alert(1)>`
	csv := "indicator,period,geography_code,geography_name,value\n"
	for _, a := range []struct{ code, name, start, sub, pct string }{
		{"E06000001", "Hartlepool", "120", "30", "25"},
		{"E06000002", `"` + strings.ReplaceAll(hostile, `"`, `""`) + `"`, "300", "90", "30"},
		{"E06000003", "Redcar and Cleveland", "200", "40", "20"},
	} {
		csv += "cpp_started,2023/24," + a.code + "," + a.name + "," + a.start + "\n" +
			"cpp_second_or_subsequent,2023/24," + a.code + "," + a.name + "," + a.sub + "\n" +
			"cpp_second_or_subsequent_pct,2023/24," + a.code + "," + a.name + "," + a.pct + "\n"
	}
	srv, _ := newTestServer(t, csv)
	rec := get(t, srv, "/indicators/cpp_second_or_subsequent_pct/funnel?period=2023/24&area=E06000002")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	body := rec.Body.String()
	if strings.Contains(body, "<script>window") || strings.Contains(body, "<img src=x") {
		t.Error("the name was written as markup")
	}
	d := doc(t, rec)
	if got := d.Find(`tr[data-code="E06000002"] th a`).Text(); got != hostile {
		t.Errorf("the name reads %q", got)
	}
	var opt struct {
		Series []json.RawMessage `json:"series"`
	}
	var points struct {
		Data []struct {
			Name string `json:"name"`
		} `json:"data"`
	}
	raw := d.Find("#funnel").AttrOr("data-option", "")
	if err := json.Unmarshal([]byte(raw), &opt); err != nil || strings.Contains(raw, "<") {
		t.Fatalf("chart option: %v (an unescaped < in it: %v)", err, strings.Contains(raw, "<"))
	}
	if err := json.Unmarshal(opt.Series[0], &points); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range points.Data {
		found = found || p.Name == hostile
	}
	if !found {
		t.Error("the chart option does not carry the name as text")
	}
}

package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"testing"

	"cptrends/indicators"
)

// fileCells reads one bundled file with encoding/csv alone and gives each
// cell of the named columns by "column code time_period", where code is
// the row's ONS code (new_la_code, region_code or country_code).
func fileCells(t *testing.T, name string, columns ...string) map[string]string {
	t.Helper()
	b, err := fs.ReadFile(indicators.Bundled(), name)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	out := map[string]string{}
	for _, r := range recs[1:] {
		if a, ok := col["age_group"]; ok && r[a] != "Children aged 0 to 17 years" {
			continue
		}
		code := r[col["new_la_code"]]
		if r[col["geographic_level"]] == "National" {
			code = r[col["country_code"]]
		}
		for _, c := range columns {
			i, ok := col[c]
			if !ok {
				t.Fatalf("%s: no column %s", name, c)
			}
			out[c+" "+code+" "+r[col["time_period"]]] = r[i]
		}
	}
	return out
}

type apiPoint struct {
	Period   string   `json:"period"`
	Value    *float64 `json:"value"`
	Symbol   string   `json:"symbol"`
	Revised  bool     `json:"revised"`
	Notes    []string `json:"notes"`
	Previous *float64 `json:"previous_value"`
}

func bundledAPISeries(t *testing.T, srv *Server, id, code string) []apiPoint {
	t.Helper()
	rec := get(t, srv, "/api/indicators/"+id+"?geography="+code)
	if rec.Code != 200 {
		t.Fatalf("%s %s: status %d", id, code, rec.Code)
	}
	var body struct {
		Points []apiPoint `json:"points"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	return body.Points
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil {
		t.Fatalf("cell %q is not a number", s)
	}
	return v
}

// A new database (the bundled data, loaded as serve loads it) has every
// authority through 2024/25, each value equal to the file's cell.
func TestBundled_AuthoritiesTo2025(t *testing.T) {
	srv, _ := newAreaTestServer(t)
	areas := map[string]string{"E09000012": "204", "E10000014": "850", "E06000063": "942", "E06000062": "941"}

	const (
		c1  = "2025/c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
		c4  = "2025/c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"
		d3  = "2025/d3_cpps_subsequent_plan_2013_to_2025.csv"
		d5  = "2025/d5_cpps_at31march_by_duration_2013_to_2025.csv"
		b1  = "2025/b1_children_in_need_2013_to_2025.csv"
		pop = "ons_mid-year_population_estimates_2012_to_2024.csv"
	)
	cells := map[string]string{}
	for file, cols := range map[string][]string{
		c1:  {"referral_count", "rereferral_count", "rereferral_percent", "no_further_action_percent"},
		c4:  {"Section47", "ICPC", "Duration_0-10_days", "Duration_11-15_days"},
		d3:  {"CPP_start", "CPP_subsequent_percent"},
		d5:  {"CPP_At31"},
		b1:  {"At31_episodes"},
		pop: {"population_estimate"},
	} {
		for k, v := range fileCells(t, file, cols...) {
			cells[k] = v
		}
	}
	// LAIT's cells by LA Number, read alone.
	lait := map[string]string{}
	b, _ := fs.ReadFile(indicators.Bundled(), "2025/lait_cpp_ceased_2016_to_2025.csv")
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] {
		lait[r[0]+" "+r[5]+" "+r[2]] = r[4]
	}

	// sym is the first symbol a wanted value's cells hold: where one of
	// its cells is a symbol, the value must be that symbol.
	var sym string
	cell := func(col, code string) float64 {
		c, ok := cells[col+" "+code+" 2025"]
		if !ok {
			t.Fatalf("no cell %s %s 2025", col, code)
		}
		v, err := strconv.ParseFloat(c, 64)
		if err != nil {
			if sym == "" {
				sym = c
			}
			return math.NaN()
		}
		return v
	}
	popOf := func(code string) float64 { return num(t, cells["population_estimate "+code+" 2024"]) }
	round1 := func(v float64) float64 { return math.Round(v*10) / 10 }
	// What each indicator's 2024/25 value must be, from the cells.
	want := map[string]func(code, old string) float64{
		"referrals":                    func(c, _ string) float64 { return cell("referral_count", c) },
		"cpp_started":                  func(c, _ string) float64 { return cell("CPP_start", c) },
		"cpp_at_31_march":              func(c, _ string) float64 { return cell("CPP_At31", c) },
		"cpp_second_or_subsequent_pct": func(c, _ string) float64 { return cell("CPP_subsequent_percent", c) },
		"cpp_ended_2yrs_plus":          func(_, o string) float64 { return num(t, lait["CPRDuration "+o+" 2025"]) },
		"cpp_ended_2yrs_plus_pct":      func(_, o string) float64 { return round1(num(t, lait["CPPlans2yrs "+o+" 2025"])) },
		"rereferrals":                  func(c, _ string) float64 { return cell("rereferral_count", c) },
		"rereferrals_pct":              func(c, _ string) float64 { return cell("rereferral_percent", c) },
		"referrals_nfa_pct":            func(c, _ string) float64 { return cell("no_further_action_percent", c) },
		"s47_enquiries":                func(c, _ string) float64 { return cell("Section47", c) },
		"s47_enquiries_rate":           func(c, _ string) float64 { return round1(cell("Section47", c) / popOf(c) * 10000) },
		"icpcs":                        func(c, _ string) float64 { return cell("ICPC", c) },
		"icpcs_rate":                   func(c, _ string) float64 { return round1(cell("ICPC", c) / popOf(c) * 10000) },
		"icpc_within_15_days_pct": func(c, _ string) float64 {
			return round1((cell("Duration_0-10_days", c) + cell("Duration_11-15_days", c)) / cell("ICPC", c) * 100)
		},
		"cpp_started_rate":             func(c, _ string) float64 { return round1(cell("CPP_start", c) / popOf(c) * 10000) },
		"cpp_at_31_march_rate":         func(c, _ string) float64 { return round1(cell("CPP_At31", c) / popOf(c) * 10000) },
		"children_in_need_at_31_march": func(c, _ string) float64 { return cell("At31_episodes", c) },
		"children_in_need_rate":        func(c, _ string) float64 { return round1(cell("At31_episodes", c) / popOf(c) * 10000) },
	}
	for id, f := range want {
		for code, old := range areas {
			t.Run(id+"/"+code, func(t *testing.T) {
				pts := bundledAPISeries(t, srv, id, code)
				if len(pts) == 0 {
					t.Fatalf("no points")
				}
				last := pts[len(pts)-1]
				sym = ""
				w := f(code, old)
				switch {
				case last.Period != "2024/25":
					t.Fatalf("last point %s; want 2024/25", last.Period)
				case sym != "":
					if last.Value != nil || last.Symbol != sym {
						t.Errorf("2024/25 = %v %q; a cell it is worked out from is %q", last.Value, last.Symbol, sym)
					}
				case last.Value == nil:
					t.Errorf("2024/25 = %q; the files say %v", last.Symbol, w)
				case math.Abs(*last.Value-w) > 1e-9:
					t.Errorf("2024/25 = %v; the files say %v", *last.Value, w)
				}
			})
		}
	}
	// Gateshead's section 47 enquiries are under its old code to 2018/19
	// in c4: joined, they make one series from 2012/13.
	// (The page's series; the API's joins no predecessor until the read
	// model of the figures gives both one series.)
	gs, err := srv.fig.Series(context.Background(), mustDef(t, "s47_enquiries"), indicators.Geography{Code: "E08000037", Name: "Gateshead", Level: indicators.LevelLocal})
	if err != nil {
		t.Fatal(err)
	}
	if len(gs.Points) == 0 || gs.Points[0].Period != indicators.PeriodOf(2013) || gs.Points[0].Value == nil ||
		*gs.Points[0].Value != num(t, fileCells(t, c4, "Section47")["Section47 E08000020 2013"]) || gs.Points[len(gs.Points)-1].Period != indicators.PeriodOf(2025) {
		t.Errorf("Gateshead's section 47 enquiries %+v; want 2012/13 (from the figures under E08000020) to 2024/25", gs.Points)
	}
	// And the page of each new indicator shows 2024/25 for Hackney.
	for _, id := range []string{"s47_enquiries_rate", "icpc_within_15_days_pct", "children_in_need_rate", "cpp_ended_2yrs_plus"} {
		d := mustDoc(t, srv, "/indicators/"+id+"?area=E09000012")
		if !strings.Contains(d.Find("table").Text(), "2024/25") {
			t.Errorf("%s: Hackney's page has no 2024/25 row", id)
		}
	}
}

// England's 2021/22 second or subsequent plans: 23.3% in the 2024 release,
// revised to 22.7% in the 2025 release, which a new database shows as a
// revision.
func TestBundled_EnglandRevision(t *testing.T) {
	srv, st := newAreaTestServer(t)
	for _, p := range bundledAPISeries(t, srv, "cpp_second_or_subsequent_pct", indicators.EnglandCode) {
		if p.Period != "2021/22" {
			continue
		}
		if p.Value == nil || *p.Value != 22.7 || !p.Revised {
			t.Errorf("2021/22 = %v, revised %v; want 22.7, revised", p.Value, p.Revised)
		}
	}
	for _, o := range mustObs(t, st, "cpp_second_or_subsequent_pct", indicators.EnglandCode) {
		if o.Period == indicators.PeriodOf(2022) {
			if o.Earlier == nil || o.Earlier.Value == nil || *o.Earlier.Value != 23.3 {
				t.Errorf("2021/22 earlier figure = %+v; want 23.3 (2024 release)", o.Earlier)
			}
			return
		}
	}
	t.Errorf("no 2021/22 figure")
}

// LAIT's figures for England are not loaded: England's come from the
// national file, and agree with LAIT's.
func TestBundled_EnglandEndedPlans(t *testing.T) {
	_, st := newAreaTestServer(t)
	for _, o := range mustObs(t, st, "cpp_ended_2yrs_plus", indicators.EnglandCode) {
		if strings.Contains(o.Note, "LAIT") {
			t.Errorf("%s: England's value %v has LAIT's note %q", o.Period, fmt.Sprint(*o.Value), o.Note)
		}
	}
	if v := value(t, st, "cpp_ended_2yrs_plus", indicators.EnglandCode, 2025); v != 2710 {
		t.Errorf("England 2024/25 = %v, want 2,710", v)
	}
}

package ingest_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"cptrends/indicators"
	"cptrends/internal/ingest"
)

// eesDir holds the real EES open data files (copied unchanged from
// ../shared/data/ees) and small hand-written files in valid/ and invalid/.
const eesDir = "../../testdata/ees"

const (
	eesC1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2024.csv"
	eesD3 = "d3_cpps_subsequent_plan_2013_to_2024.csv"
)

// eesRead reads files under testdata/ees as one upload with the default
// catalog, each named by its path under testdata/ees.
func eesRead(t testing.TB, cat *indicators.Catalog, paths ...string) *ingest.Result {
	t.Helper()
	if cat == nil {
		cat = indicators.Default()
	}
	var inputs []ingest.Input
	for _, p := range paths {
		b, err := os.ReadFile(filepath.Join(eesDir, p))
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, ingest.Input{Name: p, R: bytes.NewReader(b)})
	}
	return ingest.Read(cat, ingest.Options{}, inputs...)
}

func eesProblems(ps []ingest.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("\n\t" + p.Error())
	}
	return b.String()
}

// eesKey finds an observation.
type eesKey struct {
	indicator, code string
	period          indicators.Period
}

func eesIndex(t *testing.T, obs []indicators.Observation) map[eesKey]indicators.Observation {
	t.Helper()
	m := map[eesKey]indicators.Observation{}
	for _, o := range obs {
		k := eesKey{o.Indicator, o.Geography.Code, o.Period}
		if _, dup := m[k]; dup {
			t.Errorf("observation %v given twice", k)
		}
		m[k] = o
	}
	return m
}

func eesParsePeriod(t *testing.T, s string) indicators.Period {
	t.Helper()
	p, err := indicators.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// eesShow writes an observation's value or symbol.
func eesShow(o indicators.Observation) string {
	if o.Value == nil {
		return "symbol " + string(o.Symbol)
	}
	return strconv.FormatFloat(*o.Value, 'f', -1, 64)
}

// eesWant is an expected observation: a value ("621880", "24.7") or a
// symbol ("symbol x").
type eesWant struct {
	indicator, code, period, want string
}

func eesCheck(t *testing.T, m map[eesKey]indicators.Observation, wants []eesWant) {
	t.Helper()
	for _, w := range wants {
		o, ok := m[eesKey{w.indicator, w.code, eesParsePeriod(t, w.period)}]
		if !ok {
			t.Errorf("%s %s %s: no observation; want %s", w.indicator, w.code, w.period, w.want)
			continue
		}
		if got := eesShow(o); got != w.want {
			t.Errorf("%s %s %s = %s; want %s", w.indicator, w.code, w.period, got, w.want)
		}
	}
}

func TestReadEES_RealFiles(t *testing.T) {
	res := eesRead(t, nil, eesC1, eesD3)
	if !res.OK() {
		t.Fatalf("problems:%s", eesProblems(res.Problems))
	}
	m := eesIndex(t, res.Observations)

	// Published figures.
	eesCheck(t, m, []eesWant{
		{"referrals", "E92000001", "2023/24", "621880"},
		{"children_referred", "E92000001", "2023/24", "551060"},
		{"referrals", "E12000001", "2023/24", "32050"},
		{"children_referred", "E12000001", "2023/24", "28610"},
		{"referrals", "E92000001", "2012/13", "593470"},
		{"referrals", "E92000001", "2013/14", "657780"},
		{"referrals", "E92000001", "2014/15", "635620"},
		{"cpp_started", "E92000001", "2023/24", "62110"},
		{"cpp_second_or_subsequent", "E92000001", "2023/24", "15330"},
		{"cpp_second_or_subsequent_pct", "E92000001", "2023/24", "24.7"},
		{"cpp_started", "E92000001", "2014/15", "62210"},
		{"cpp_second_or_subsequent_pct", "E92000001", "2014/15", "16.6"},
		{"cpp_second_or_subsequent_pct", "E92000001", "2021/22", "23.3"}, // 2024 release
		{"cpp_started", "E12000001", "2023/24", "4860"},
		// Hackney made no return for 2020/21 or 2021/22.
		{"referrals", "E09000012", "2020/21", "symbol x"},
		{"referrals", "E09000012", "2021/22", "symbol x"},
		{"children_referred", "E09000012", "2020/21", "symbol x"},
		{"children_referred", "E09000012", "2021/22", "symbol x"},
		{"cpp_started", "E09000012", "2020/21", "symbol x"},
		{"cpp_started", "E09000012", "2021/22", "symbol x"},
		{"cpp_second_or_subsequent", "E09000012", "2021/22", "symbol x"},
		{"cpp_second_or_subsequent_pct", "E09000012", "2021/22", "symbol x"},
		// Hampshire's 2023/24 return was unreliable.
		{"referrals", "E10000014", "2023/24", "symbol u"},
		{"cpp_started", "E10000014", "2023/24", "symbol u"},
		{"referrals", "E10000014", "2022/23", "30502"},
	})
	if o := m[eesKey{"referrals", "E09000012", eesParsePeriod(t, "2022/23")}]; o.Value == nil {
		t.Errorf("Hackney 2022/23 referrals: want a figure, got %s", eesShow(o))
	}

	// Geographies carry the level EES gives, and the area's name.
	geos := map[string]indicators.Geography{
		"E92000001": {Code: "E92000001", Name: "England", Level: indicators.LevelNational},
		"E12000001": {Code: "E12000001", Name: "North East", Level: indicators.LevelRegional},
		"E13000001": {Code: "E13000001", Name: "Inner London", Level: indicators.LevelRegional},
		"E09000012": {Code: "E09000012", Name: "Hackney", Level: indicators.LevelLocal},
	}
	for _, o := range res.Observations {
		if want, ok := geos[o.Geography.Code]; ok && o.Geography != want {
			t.Errorf("%s %s: geography %+v; want %+v", o.Indicator, o.Period, o.Geography, want)
		}
		if o.Note != "" {
			t.Errorf("%s %s %s: note %q; EES rows carry none", o.Indicator, o.Geography.Code, o.Period, o.Note)
		}
		if (o.Value == nil) == (o.Symbol == "") {
			t.Errorf("%s %s %s: want exactly one of value and symbol", o.Indicator, o.Geography.Code, o.Period)
		}
	}

	// As many observations per level as the files hold: rows per level
	// (counted here independently) times the measure columns read. And every
	// observation is its cell, read here independently: the same number, or
	// the same symbol (zeros are real: the City of London and the Isles of
	// Scilly publish some).
	got := map[string]int{}
	for _, o := range res.Observations {
		got[o.Indicator+" "+o.Geography.Level]++
	}
	for _, f := range []struct {
		file    string
		columns map[string]string // measure column -> indicator
	}{
		{eesC1, map[string]string{"Referrals": "referrals", "Referrals_child": "children_referred"}},
		{eesD3, map[string]string{"CPP_start": "cpp_started", "CPP_subsequent": "cpp_second_or_subsequent", "CPP_subsequent_percent": "cpp_second_or_subsequent_pct"}},
	} {
		cells := eesCells(t, f.file, f.columns)
		for k, cell := range cells {
			o, ok := m[k]
			if !ok {
				t.Errorf("%s: %v (%q) not read", f.file, k, cell)
				continue
			}
			if o.Value != nil {
				if v, err := strconv.ParseFloat(cell, 64); err != nil || v != *o.Value {
					t.Errorf("%s: %v read as %v; the cell says %q", f.file, k, *o.Value, cell)
				}
			} else if string(o.Symbol) != cell {
				t.Errorf("%s: %v read as symbol %q; the cell says %q", f.file, k, o.Symbol, cell)
			}
		}
		perLevel := eesRowsPerLevel(t, f.file)
		want := map[string]int{"National": 12, "Regional": 132, "Local authority": 1823}
		for lvl, n := range want {
			if perLevel[lvl] != n {
				t.Errorf("%s: %d %s rows; the test expects %d", f.file, perLevel[lvl], lvl, n)
			}
		}
		for _, id := range f.columns {
			for lvl, n := range perLevel {
				key := id + " " + strings.ToLower(lvl)
				if got[key] != n {
					t.Errorf("%s: %d observations; the file has %d %s rows", key, got[key], n, lvl)
				}
			}
		}
	}
	// c1: referrals, children referred and their two published rates,
	// re-referrals, no further action and not in need (number and per
	// cent); d3: three.
	if want := 1967*10 + 1967*3; len(res.Observations) != want {
		t.Errorf("%d observations; want %d", len(res.Observations), want)
	}

	// Columns that feed no indicator are listed, not refused.
	wantIgnored := map[string][]string{
		eesC1: {"Re_referrals_child", "Re_referrals_child_percent"},
	}
	if !equalStringsMap(res.Ignored, wantIgnored) {
		t.Errorf("ignored = %q; want %q", res.Ignored, wantIgnored)
	}

	if len(res.Files) != 2 {
		t.Fatalf("%d files; want 2", len(res.Files))
	}
	for _, f := range res.Files {
		if f.Rows != 1967 {
			t.Errorf("%s: %d rows; want 1967", f.Name, f.Rows)
		}
	}
}

// eesRowsPerLevel counts a file's data rows by geographic_level.
func eesRowsPerLevel(t *testing.T, file string) map[string]int {
	t.Helper()
	f, err := os.Open(filepath.Join(eesDir, file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range recs[0] {
		if h == "geographic_level" {
			col = i
		}
	}
	n := map[string]int{}
	for _, r := range recs[1:] {
		n[r[col]]++
	}
	return n
}

// eesCells reads a file's measure cells, keyed as observations are, with
// nothing but encoding/csv.
func eesCells(t *testing.T, file string, columns map[string]string) map[eesKey]string {
	t.Helper()
	f, err := os.Open(filepath.Join(eesDir, file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	codeColumn := map[string]string{"National": "country_code", "Regional": "region_code", "Local authority": "new_la_code"}
	out := map[eesKey]string{}
	for _, r := range recs[1:] {
		end, err := strconv.Atoi(r[col["time_period"]])
		if err != nil || r[col["time_identifier"]] != "Reporting year" {
			t.Fatalf("%s: unexpected period %q %q", file, r[col["time_period"]], r[col["time_identifier"]])
		}
		code := r[col[codeColumn[r[col["geographic_level"]]]]]
		for column, id := range columns {
			out[eesKey{id, code, indicators.PeriodOf(end)}] = r[col[column]]
		}
	}
	return out
}

func equalStringsMap(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, "\x00") != strings.Join(b[k], "\x00") {
			return false
		}
	}
	return true
}

// The national figures of the EES files agree with the bundled national
// series for every year both hold, but for revisions the department made
// in its 2025 release (the bundled series follows the latest release).
func TestReadEES_AgreesWithBundled(t *testing.T) {
	ees := eesRead(t, nil, eesC1, eesD3)
	if !ees.OK() {
		t.Fatalf("problems:%s", eesProblems(ees.Problems))
	}
	const bundledName = "england_national_2013_to_2025.csv"
	b, err := fs.ReadFile(indicators.Bundled(), bundledName)
	if err != nil {
		t.Fatal(err)
	}
	bundled := ingest.Read(indicators.Default(), ingest.Options{}, ingest.Input{Name: bundledName, R: bytes.NewReader(b)})
	if !bundled.OK() {
		t.Fatalf("bundled problems:%s", eesProblems(bundled.Problems))
	}
	bm := eesIndex(t, bundled.Observations)
	bundledHas := map[string]bool{}
	for _, o := range bundled.Observations {
		bundledHas[o.Indicator] = true
	}

	// Known revisions: 2024 release (EES file) -> 2025 release (bundled).
	revised := map[string]string{
		// Documented in SOURCES.md and in the indicator's notes.
		"cpp_second_or_subsequent_pct 2021/22": "23.3 -> 22.7",
		// Not documented; goes with the revision above.
		"cpp_second_or_subsequent 2021/22": "14990 -> 14550",
	}
	compared := 0
	found := map[string]bool{}
	for _, o := range ees.Observations {
		if o.Geography.Code != indicators.EnglandCode {
			continue
		}
		bo, ok := bm[eesKey{o.Indicator, o.Geography.Code, o.Period}]
		if !ok && (strings.HasSuffix(o.Indicator, "_rate") || !bundledHas[o.Indicator]) {
			continue // the bundled national file carries no rates, nor issue 12's measures
		}
		if !ok {
			t.Errorf("%s %s: in the EES file, not in the bundled series", o.Indicator, o.Period)
			continue
		}
		compared++
		key := o.Indicator + " " + o.Period.String()
		diff := eesShow(o) + " -> " + eesShow(bo)
		if eesShow(o) == eesShow(bo) {
			continue
		}
		found[key] = true
		if revised[key] != diff {
			t.Errorf("%s: EES file %s, bundled %s", key, eesShow(o), eesShow(bo))
		} else {
			t.Logf("known revision %s: EES 2024 release %s", key, diff)
		}
	}
	for key := range revised {
		if !found[key] {
			t.Errorf("%s: listed as revised (%s) but the two agree", key, revised[key])
		}
	}
	// 2012/13 to 2023/24, five indicators.
	if compared != 12*5 {
		t.Errorf("compared %d national figures; want %d", compared, 12*5)
	}
}

func TestReadEES_Valid(t *testing.T) {
	tests := []struct {
		file    string
		obs     int
		want    []eesWant
		ignored []string
	}{
		{
			file: "valid/c1_2025_bom_crlf.csv",
			obs:  12,
			want: []eesWant{
				{"referrals", "E92000001", "2024/25", "632830"},
				{"children_referred", "E92000001", "2024/25", "557810"},
				{"referrals", "E12000001", "2024/25", "32540"},
				{"children_referred", "E12000001", "2024/25", "28700"},
				{"referrals", "E09000012", "2024/25", "3150"},
				{"children_referred", "E09000012", "2024/25", "2870"},
				{"rereferrals", "E09000012", "2024/25", "610"},
				{"rereferrals_pct", "E09000012", "2024/25", "19.4"},
				{"rereferrals_pct", "E92000001", "2024/25", "22.1"},
			},
		},
		{
			file: "valid/financial_year.csv",
			obs:  3,
			want: []eesWant{
				{"referrals", "E92000001", "2014/15", "635620"},
				{"referrals", "E92000001", "2015/16", "621470"},
				{"referrals", "E92000001", "2016/17", "646120"},
			},
		},
		{
			file: "valid/d7_2025_style.csv",
			obs:  4,
			want: []eesWant{
				{"cpp_ended_2yrs_plus", "E92000001", "2024/25", "2710"},
				{"cpp_ended_2yrs_plus_pct", "E92000001", "2024/25", "4.4"},
				{"cpp_ended_2yrs_plus", "E92000001", "2019/20", "2400"},
				{"cpp_ended_2yrs_plus_pct", "E92000001", "2019/20", "3.6"},
			},
			ignored: []string{"3_months_or_less", "3_months_or_less_percent", "CPP_end"},
		},
		{
			file: "valid/d7_2020_style.csv",
			obs:  2,
			want: []eesWant{
				{"cpp_ended_2yrs_plus", "E92000001", "2014/15", "2250"},
				{"cpp_ended_2yrs_plus_pct", "E92000001", "2014/15", "3.7"},
			},
			ignored: []string{"CPP_end"},
		},
		{
			// Same column names as D7, told apart by category.
			file: "valid/d5_style.csv",
			obs:  10,
			want: []eesWant{
				{"cpp_at_31_march", "E92000001", "2014/15", "49690"},
				{"cpp_at_31_march_2yrs_plus_pct", "E92000001", "2014/15", "2.3"},
				{"cpp_at_31_march", "E92000001", "2023/24", "49900"},
				{"cpp_at_31_march_2yrs_plus_pct", "E92000001", "2023/24", "2.6"},
				// The open plans' 2_years_or_more, not the ended plans' (D7).
				{"cpp_at_31_march_2yrs_plus", "E92000001", "2023/24", "1300"},
				{"cpp_at_31_march_3_months_or_less", "E92000001", "2014/15", "14870"},
				{"cpp_at_31_march_3_months_or_less_pct", "E92000001", "2014/15", "29.9"},
			},
		},
		{
			file: "valid/symbols.csv",
			obs:  24,
			want: []eesWant{
				{"cpp_started", "E06000901", "2018/19", "symbol c"},
				{"cpp_started", "E06000902", "2018/19", "symbol x"},
				{"cpp_second_or_subsequent_pct", "E06000903", "2018/19", "symbol z"},
				{"cpp_second_or_subsequent", "E06000904", "2018/19", "symbol u"},
				{"cpp_started", "E06000905", "2018/19", "symbol low"},
				{"cpp_started", "E06000906", "2018/19", "symbol k"},
				{"cpp_second_or_subsequent_pct", "E06000907", "2018/19", "symbol :"},
				{"cpp_second_or_subsequent", "E06000908", "2018/19", "symbol ~"},
			},
		},
		{
			file: "valid/other_levels.csv",
			obs:  1,
			want: []eesWant{{"cpp_started", "E92000001", "2023/24", "62110"}},
			ignored: []string{
				`age_group other than Total (1 row skipped)`,
				`geographic_level "Local authority district" (2 rows skipped)`,
				`geographic_level "Ward" (1 row skipped)`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := eesRead(t, nil, tt.file)
			if !res.OK() {
				t.Fatalf("problems:%s", eesProblems(res.Problems))
			}
			if len(res.Observations) != tt.obs {
				t.Errorf("%d observations; want %d", len(res.Observations), tt.obs)
			}
			eesCheck(t, eesIndex(t, res.Observations), tt.want)
			if got := res.Ignored[tt.file]; strings.Join(got, "|") != strings.Join(tt.ignored, "|") {
				t.Errorf("ignored %q; want %q", got, tt.ignored)
			}
		})
	}
}

// Symbols are kept as symbols, never as zeros.
func TestReadEES_SymbolsAreNotValues(t *testing.T) {
	res := eesRead(t, nil, "valid/symbols.csv")
	for _, o := range res.Observations {
		if o.Value != nil {
			t.Errorf("%s %s: value %v; want a symbol", o.Indicator, o.Geography.Code, *o.Value)
		}
	}
}

func TestReadEES_Invalid(t *testing.T) {
	type want struct {
		line   int
		column string
		says   []string // fragments the message contains
	}
	tests := []struct {
		file string
		want []want
	}{
		{"invalid/unknown_time_identifier.csv", []want{
			{2, "time_identifier", []string{`"Calendar year"`, "Reporting year", "Financial year"}},
			{3, "time_identifier", []string{"empty", "Reporting year"}},
		}},
		{"invalid/period_forms.csv", []want{
			{2, "time_period", []string{`"202324"`, `"Reporting year"`, "four-digit"}},
			{3, "time_period", []string{`"2015"`, `"Financial year"`, "201415"}},
			{4, "time_period", []string{`"201517"`, "not a reporting year"}},
			{5, "time_period", []string{"empty"}},
		}},
		{"invalid/bad_code.csv", []want{
			{2, "new_la_code", []string{`"840"`, "ONS geography code", "E09000012"}},
			{3, "region_code", []string{"empty", "Regional"}},
			{4, "country_code", []string{`"e92000001"`, "ONS geography code"}},
		}},
		{"invalid/bad_values.csv", []want{
			{2, "CPP_start", []string{"empty", "never read as zero"}},
			{3, "CPP_start", []string{"empty"}},
			{4, "CPP_start", []string{`"12.5"`, "whole number"}},
			{4, "CPP_subsequent_percent", []string{`"101"`, "over 100"}},
			{5, "CPP_start", []string{`"n/a"`, "not a number"}},
			{5, "CPP_subsequent_percent", []string{`"-3"`, "negative"}},
		}},
		{"invalid/conflict.csv", []want{
			{4, "CPP_start", []string{"conflicts with invalid/conflict.csv line 2", "62110", "cpp_started", "E92000001", "2023/24"}},
		}},
		{"invalid/no_indicator_columns.csv", []want{
			{1, ingest.NoColumn, []string{"no column", "Referrals", "CPP_start"}},
		}},
		{"invalid/only_other_levels.csv", []want{
			{1, "geographic_level", []string{"no row", "National, Regional or Local authority"}},
		}},
		{"invalid/ragged.csv", []want{
			{2, ingest.NoColumn, []string{"number of fields"}},
			{3, ingest.NoColumn, []string{"not valid CSV"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := eesRead(t, nil, tt.file)
			if res.OK() {
				t.Fatal("the file was accepted")
			}
			if len(res.Observations) != 0 {
				t.Errorf("%d observations from a refused file", len(res.Observations))
			}
			if len(res.Problems) != len(tt.want) {
				t.Errorf("%d problems; want %d:%s", len(res.Problems), len(tt.want), eesProblems(res.Problems))
			}
			for i, w := range tt.want {
				if i >= len(res.Problems) {
					break
				}
				p := res.Problems[i]
				if p.File != tt.file || p.Line != w.line || p.Column != w.column {
					t.Errorf("problem %d at %s:%d:%s; want %s:%d:%s (%s)", i, p.File, p.Line, p.Column, tt.file, w.line, w.column, p.Message)
				}
				for _, s := range w.says {
					if !strings.Contains(p.Message, s) {
						t.Errorf("problem %d %q does not say %q", i, p.Message, s)
					}
				}
			}
		})
	}
}

// A revised figure in a second file of the same upload conflicts with the
// first, named by its line in the real file.
func TestReadEES_ConflictAcrossFiles(t *testing.T) {
	c1, err := os.ReadFile(filepath.Join(eesDir, eesC1))
	if err != nil {
		t.Fatal(err)
	}
	revised := "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,category,referral_count\n" +
		"2024,Reporting year,National,E92000001,England,,,,,,Referrals and Re-referrals,621890\n"
	res := ingest.Read(indicators.Default(), ingest.Options{},
		ingest.Input{Name: "c1.csv", R: bytes.NewReader(c1)},
		ingest.Input{Name: "revised.csv", R: strings.NewReader(revised)})
	want := `revised.csv:2:referral_count: conflicts with c1.csv line 2, which gives 621880 for referrals, E92000001, 2023/24`
	if len(res.Problems) != 1 || res.Problems[0].Error() != want {
		t.Errorf("problems:%s\nwant %s", eesProblems(res.Problems), want)
	}
}

// The format is told from the header, whatever its case, spaces or
// byte-order mark; a native file stays native.
func TestReadEES_Detection(t *testing.T) {
	ees := "\uFEFF Time_Period ,TIME_IDENTIFIER,Geographic_Level,Country_Code,Country_Name,Category,CPP_Start\r\n" +
		"2024,Reporting year,National,E92000001,England,x,62110\r\n"
	res := ingest.Read(indicators.Default(), ingest.Options{}, ingest.Input{Name: "a.csv", R: strings.NewReader(ees)})
	if !res.OK() || len(res.Observations) != 1 || eesShow(res.Observations[0]) != "62110" {
		t.Errorf("EES header with capitals and spaces: %d observations, problems:%s", len(res.Observations), eesProblems(res.Problems))
	}

	// time_period alone does not make a file EES.
	native := "indicator,period,value,time_period\nreferrals,2014/15,635620,2015\n"
	res = ingest.Read(indicators.Default(), ingest.Options{}, ingest.Input{Name: "n.csv", R: strings.NewReader(native)})
	if !res.OK() || len(res.Observations) != 1 {
		t.Errorf("native file with a time_period column: problems:%s", eesProblems(res.Problems))
	}
}

// Two definitions claiming one column for one category is a configuration
// error, reported on the header line.
func TestReadEES_AmbiguousDefinitions(t *testing.T) {
	src, err := os.ReadFile("../../indicators/cpp_started.json")
	if err != nil {
		t.Fatal(err)
	}
	var def map[string]any
	if err := json.Unmarshal(src, &def); err != nil {
		t.Fatal(err)
	}
	delete(def, "rate") // its population indicator is not in this catalog
	if src, err = json.Marshal(def); err != nil {
		t.Fatal(err)
	}
	def["id"] = "cpp_started_copy"
	copied, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := indicators.LoadCatalog(fstest.MapFS{
		"cpp_started.json":      {Data: src},
		"cpp_started_copy.json": {Data: copied},
	})
	if err != nil {
		t.Fatal(err)
	}
	res := eesRead(t, cat, eesD3)
	if res.OK() {
		t.Fatal("accepted a file whose column feeds two indicators")
	}
	if len(res.Problems) != 1 {
		t.Fatalf("want one problem; got:%s", eesProblems(res.Problems))
	}
	p := res.Problems[0]
	if p.Line != 1 || p.Column != "CPP_start" || !strings.Contains(p.Message, "cpp_started, cpp_started_copy") {
		t.Errorf("got %s", p.Error())
	}
}

// Reading both real files, about 4,000 rows and 9,800 observations.
func BenchmarkReadEES(b *testing.B) {
	var data [][]byte
	var size int64
	for _, p := range []string{eesC1, eesD3} {
		d, err := os.ReadFile(filepath.Join(eesDir, p))
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, d)
		size += int64(len(d))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		res := ingest.Read(indicators.Default(), ingest.Options{},
			ingest.Input{Name: eesC1, R: bytes.NewReader(data[0])},
			ingest.Input{Name: eesD3, R: bytes.NewReader(data[1])})
		if !res.OK() {
			b.Fatal(res.Problems)
		}
	}
}

// FuzzReadEES checks that any input with an EES header is read without a
// panic, with every problem on a line of the input and every observation
// sound.
func FuzzReadEES(f *testing.F) {
	for _, dir := range []string{"valid", "invalid"} {
		paths, err := filepath.Glob(filepath.Join(eesDir, dir, "*.csv"))
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	cat := indicators.Default()
	levels := map[string]bool{indicators.LevelNational: true, indicators.LevelRegional: true, indicators.LevelLocal: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		res := ingest.Read(cat, ingest.Options{}, ingest.Input{Name: "f.csv", R: bytes.NewReader(data)})
		lines := bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			lines++
		}
		lines = max(lines, 1)
		for _, p := range res.Problems {
			if p.Line < 1 || p.Line > lines || p.Column == "" || p.Message == "" {
				t.Errorf("problem out of place in a %d-line input: %s", lines, p.Error())
			}
		}
		if !res.OK() && len(res.Observations) > 0 {
			t.Errorf("refused input yields %d observations", len(res.Observations))
		}
		for _, o := range res.Observations {
			if _, ok := cat.Lookup(o.Indicator); !ok || o.Period.IsZero() || !indicators.ValidCode(o.Geography.Code) {
				t.Errorf("unsound observation %+v", o)
			}
			if (o.Value == nil) == (o.Symbol == "") {
				t.Errorf("%s %s: want exactly one of value and symbol", o.Indicator, o.Period)
			}
			if !levels[o.Geography.Level] {
				t.Errorf("%s %s: level %q", o.Indicator, o.Period, o.Geography.Level)
			}
		}
	})
}

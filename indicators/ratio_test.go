package indicators_test

import (
	"bytes"
	"encoding/csv"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"cptrends/indicators"
)

func TestLoadCatalog_Ratio(t *testing.T) {
	pct := func(change func(d map[string]any)) map[string]any {
		d := validDefinition("assessments_pct")
		d["unit"], d["decimals"] = "percent", 1
		delete(d, "noun")
		delete(d, "ees")
		delete(d, "rate")
		d["ratio"] = map[string]any{"numerator": []string{"rereferrals"}, "denominator": "referrals", "computed": true}
		change(d)
		return d
	}
	tests := []struct {
		name    string
		change  func(d map[string]any)
		wantErr string
	}{
		{"OK", func(map[string]any) {}, ""},
		{"OKRate", func(d map[string]any) {
			d["unit"], d["noun"] = "rate", "per 10,000"
			d["ratio"] = map[string]any{"numerator": []string{"s47_enquiries"}, "denominator": "population_0_17", "computed": true}
		}, ""},
		{"Count", func(d map[string]any) { d["unit"], d["noun"] = "count", "assessments" }, "only a percentage or a rate"},
		{"UnknownNumerator", func(d map[string]any) {
			d["ratio"] = map[string]any{"numerator": []string{"nothing"}, "denominator": "referrals"}
		}, `numerator "nothing"`},
		{"PercentNumerator", func(d map[string]any) {
			d["ratio"] = map[string]any{"numerator": []string{"rereferrals_pct"}, "denominator": "referrals"}
		}, "must be a count"},
		{"UnknownDenominator", func(d map[string]any) {
			d["ratio"] = map[string]any{"numerator": []string{"rereferrals"}, "denominator": "nothing"}
		}, `denominator "nothing"`},
		{"NoNumerator", func(d map[string]any) {
			d["ratio"] = map[string]any{"numerator": []string{}, "denominator": "referrals"}
		}, "numerator and a denominator"},
		{"Twice", func(d map[string]any) {
			d["ratio"] = map[string]any{"numerator": []string{"rereferrals", "rereferrals"}, "denominator": "referrals"}
		}, "named twice"},
		{"SelfDenominator", func(d map[string]any) {
			d["ratio"] = map[string]any{"numerator": []string{"referrals"}, "denominator": "referrals"}
		}, "its denominator"},
		{"RateOfACount", func(d map[string]any) {
			d["unit"], d["noun"] = "rate", "per 10,000"
			d["ratio"] = map[string]any{"numerator": []string{"s47_enquiries"}, "denominator": "referrals", "computed": true}
		}, "must be a population"},
		{"ComputedReadsAColumn", func(d map[string]any) {
			d["ees"] = []any{map[string]any{"column": "Re_referrals_percent"}}
		}, "reads no EES column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, d := range indicators.Default().All() {
				fsys[d.ID+".json"] = mustJSON(t, d)
			}
			fsys["assessments_pct.json"] = mustJSON(t, pct(tt.change))
			_, err := indicators.LoadCatalog(fsys)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("LoadCatalog: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("LoadCatalog error = %v, want one saying %q", err, tt.wantErr)
			}
		})
	}
}

func TestRatioObservations(t *testing.T) {
	cat := indicators.Default()
	def := mustLookup(t, "icpc_within_15_days_pct")
	v := func(f float64) *float64 { return &f }
	geo := indicators.Geography{Code: "E09000012", Name: "Hackney"}
	series := func(id string, rows ...indicators.Observation) indicators.Series {
		d, _ := cat.Lookup(id)
		for i := range rows {
			rows[i].Indicator, rows[i].Geography = id, geo
		}
		return indicators.NewSeries(d, geo, rows)
	}
	within10 := series("icpcs_within_10_days",
		indicators.Observation{Period: 2019, Value: v(30)},
		indicators.Observation{Period: 2020, Symbol: "c"},
		indicators.Observation{Period: 2021, Value: v(10)},
		indicators.Observation{Period: 2022, Value: v(0)},
		indicators.Observation{Period: 2025, Value: v(44)},
	)
	within15 := series("icpcs_11_to_15_days",
		indicators.Observation{Period: 2019, Value: v(218)},
		indicators.Observation{Period: 2020, Value: v(100)},
		indicators.Observation{Period: 2021, Value: v(20)},
		indicators.Observation{Period: 2022, Value: v(0)},
		indicators.Observation{Period: 2025, Value: v(206)},
	)
	all := series("icpcs",
		indicators.Observation{Period: 2019, Value: v(277)},
		indicators.Observation{Period: 2020, Value: v(150)},
		indicators.Observation{Period: 2022, Value: v(0)},
		indicators.Observation{Period: 2025, Value: v(332)},
	)
	got := indicators.RatioObservations(def, []indicators.Series{within10, within15}, all)
	by := map[indicators.Period]indicators.Observation{}
	for _, o := range got {
		by[o.Period] = o
		if (o.Value == nil) == (o.Symbol == "") {
			t.Errorf("%s: value %v and symbol %q: exactly one must be set", o.Period, o.Value, o.Symbol)
		}
		if o.Note == "" || !strings.HasPrefix(o.Note, indicators.ComputedRatioNote) {
			t.Errorf("%s: note %q; every computed value says how, or why not", o.Period, o.Note)
		}
	}
	tests := []struct {
		period indicators.Period
		value  string // FormatValue, or "symbol x"
		note   string
	}{
		{2019, "89.5%", "(30 + 218) ÷ 277 initial child protection conferences × 100."}, // 248 / 277 = 89.53...
		{2020, "symbol c", "is c"},
		{2021, "symbol x", "not in this dashboard's data"},
		{2022, "symbol z", "is zero"},
		{2025, "75.3%", "(44 + 206) ÷ 332"},
	}
	for _, tt := range tests {
		o, ok := by[tt.period]
		if !ok {
			t.Errorf("%s: no observation", tt.period)
			continue
		}
		gotV := "symbol " + string(o.Symbol)
		if o.Value != nil {
			gotV = def.FormatValue(*o.Value)
			if *o.Value == 0 {
				t.Errorf("%s: zero", tt.period)
			}
		}
		if gotV != tt.value || !strings.Contains(o.Note, tt.note) {
			t.Errorf("%s = %s, note %q; want %s, note with %q", tt.period, gotV, o.Note, tt.value, tt.note)
		}
	}
	// 2022/23 and 2023/24 lie between the numerators' years: no figure,
	// said so; they are not zeros.
	if o := by[2023]; o.Symbol != "x" {
		t.Errorf("2022/23 = %+v, want x", o)
	}
	if n := len(got); n != 7 {
		t.Errorf("%d observations, want one a year from 2018/19 to 2024/25", n)
	}

	rate := mustLookup(t, "s47_enquiries_rate")
	r := indicators.RatioObservations(rate,
		[]indicators.Series{series("s47_enquiries", indicators.Observation{Period: 2025, Value: v(1352)})},
		series("population_0_17", indicators.Observation{Period: 2025, Value: v(54190)}))
	if len(r) != 1 || r[0].Value == nil || *r[0].Value != 249.5 {
		t.Fatalf("rate = %+v, want 1352 / 54190 × 10,000 = 249.5", r)
	}
	if want := "Computed by cptrends: 1,352 ÷ 54,190 children aged 0 to 17 (ONS mid-2024 estimate) × 10,000."; r[0].Note != want {
		t.Errorf("note = %q, want %q", r[0].Note, want)
	}
}

// Every EES column a definition names is a column of a bundled file, or
// of a release file named in the exceptions, which are not bundled.
func TestDefinitions_EESColumnsExist(t *testing.T) {
	notBundled := map[string]string{
		"2_years+":         "D7, 2013 to 2020 release",
		"2_years+_percent": "D7, 2013 to 2020 release",
	}
	headers := map[string]bool{}
	names, err := fs.Glob(indicators.Bundled(), "*/*.csv")
	if err != nil {
		t.Fatal(err)
	}
	top, _ := fs.Glob(indicators.Bundled(), "*.csv")
	for _, name := range append(names, top...) {
		b, err := fs.ReadFile(indicators.Bundled(), name)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")))).Read()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, h := range rec {
			headers[strings.ToLower(strings.TrimSpace(h))] = true
		}
	}
	for _, d := range indicators.Default().All() {
		for _, f := range d.EES {
			if !headers[strings.ToLower(f.Column)] && notBundled[f.Column] == "" {
				t.Errorf("%s: EES column %q is in no bundled file's header", d.ID, f.Column)
			}
		}
		if d.Ratio != nil && !d.Ratio.Computed && len(d.EES) == 0 {
			t.Errorf("%s: a ratio that is not computed must be read from a column", d.ID)
		}
		if (d.IsPercent() || d.IsRate()) && len(d.EES) == 0 && (d.Ratio == nil || !d.Ratio.Computed) {
			t.Errorf("%s: a percentage or rate read from no column must be computed", d.ID)
		}
	}
}

func TestDefault_Ratios(t *testing.T) {
	for _, tc := range []struct {
		id          string
		numerator   []string
		denominator string
	}{
		{"cpp_second_or_subsequent_pct", []string{"cpp_second_or_subsequent"}, "cpp_started"},
		{"referrals_rate", []string{"referrals"}, "population_0_17"},
		{"children_referred_rate", []string{"children_referred"}, "population_0_17"},
	} {
		d := mustLookup(t, tc.id)
		if d.Ratio == nil {
			t.Errorf("%s: no ratio", tc.id)
			continue
		}
		if !slices.Equal(d.Ratio.Numerator, tc.numerator) || d.Ratio.Denominator != tc.denominator || d.Ratio.Computed {
			t.Errorf("%s: ratio %+v", tc.id, *d.Ratio)
		}
	}
	// No denominator is held for plans ending: its interval is null.
	for _, id := range []string{"cpp_ended_2yrs_plus_pct", "cpp_at_31_march_2yrs_plus_pct", "referrals"} {
		if d := mustLookup(t, id); d.Ratio != nil {
			t.Errorf("%s: ratio %+v, want none", id, *d.Ratio)
		}
	}
	// A rate cptrends derives from a count divides the count by the population.
	cat := indicators.Default()
	d := cat.RateDefinition(mustLookup(t, "cpp_started"))
	if d == nil || d.Ratio == nil || !d.Ratio.Computed || d.Ratio.Denominator != "population_0_17" || !slices.Equal(d.Ratio.Numerator, []string{"cpp_started"}) {
		t.Errorf("derived rate of cpp_started: %+v", d)
	}
}

package indicators_test

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"cptrends/indicators"
)

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

func TestLoadCatalog_Ratio(t *testing.T) {
	pct := func(ratio any) map[string]any {
		d := validDefinition("assessments_pct")
		d["unit"] = "percent"
		d["ratio"] = ratio
		return d
	}
	counts := fstest.MapFS{
		"assessments.json": mustJSON(t, validDefinition("assessments")),
		"referrals.json":   mustJSON(t, validDefinition("referrals")),
	}
	with := func(def map[string]any) fstest.MapFS {
		fs := fstest.MapFS{"assessments_pct.json": mustJSON(t, def)}
		for k, v := range counts {
			fs[k] = v
		}
		return fs
	}
	t.Run("OK", func(t *testing.T) {
		cat, err := indicators.LoadCatalog(with(pct(map[string]any{"numerator": []string{"assessments"}, "denominator": "referrals"})))
		if err != nil {
			t.Fatal(err)
		}
		d, _ := cat.Lookup("assessments_pct")
		if d.Ratio == nil || d.Ratio.Denominator != "referrals" {
			t.Errorf("ratio %+v", d.Ratio)
		}
	})
	for _, tc := range []struct {
		name  string
		def   map[string]any
		error string
	}{
		{"unknown numerator", pct(map[string]any{"numerator": []string{"nothing"}, "denominator": "referrals"}), `"nothing"`},
		{"unknown denominator", pct(map[string]any{"numerator": []string{"assessments"}, "denominator": "nothing"}), `"nothing"`},
		{"no numerator", pct(map[string]any{"numerator": []string{}, "denominator": "referrals"}), "numerator and denominator"},
		{"denominator not a count", pct(map[string]any{"numerator": []string{"assessments"}, "denominator": "assessments_pct"}), "count indicator"},
		{"ratio on a count", func() map[string]any {
			d := validDefinition("assessments_pct")
			d["ratio"] = map[string]any{"numerator": []string{"assessments"}, "denominator": "referrals"}
			return d
		}(), "only a percentage or a rate"},
		{"unknown field", pct(map[string]any{"numerator": []string{"assessments"}, "denominator": "referrals", "denom": "x"}), "unknown field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := indicators.LoadCatalog(with(tc.def))
			if err == nil || !strings.Contains(err.Error(), tc.error) {
				t.Errorf("LoadCatalog: %v, want an error containing %s", err, tc.error)
			}
		})
	}
}

package indicators_test

import (
	"math"
	"testing"

	"cptrends/indicators"
)

func TestLeague(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	o := func(name string, val *float64, sym indicators.Symbol) indicators.Observation {
		return indicators.Observation{Geography: indicators.Geography{Code: name, Name: name}, Value: val, Symbol: sym}
	}
	got := indicators.Rank([]indicators.Observation{
		o("a", v(10), ""), o("h", nil, "u"), o("b", v(30), ""), o("c", v(20), ""), o("d", v(20), ""),
		o("x", nil, "x"), o("e", v(5), ""), o("f", v(1), ""), o("g", v(0), ""),
	})
	want := []struct {
		code     string
		rank     int
		tied     bool
		quartile int
	}{
		{"b", 1, false, 1}, {"c", 2, true, 1}, {"d", 2, true, 1}, {"a", 4, false, 2},
		{"e", 5, false, 3}, {"f", 6, false, 3}, {"g", 7, false, 4},
		// Symbols are never ranked: no rank, no quartile, after the numbers.
		{"h", 0, false, 0}, {"x", 0, false, 0},
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Geography.Code != w.code || g.Rank != w.rank || g.Tied != w.tied || g.Quartile != w.quartile {
			t.Errorf("row %d = %s rank %d tied %v quartile %d; want %+v", i, g.Geography.Code, g.Rank, g.Tied, g.Quartile, w)
		}
	}
}

func TestNeighbourStats(t *testing.T) {
	def := &indicators.Definition{ID: "r", Unit: indicators.UnitRate, Decimals: 1}
	v := func(f float64) *float64 { return &f }
	series := func(name string, vals map[int]any) indicators.Series {
		var obs []indicators.Observation
		for y, x := range vals {
			ob := indicators.Observation{Indicator: "r", Period: indicators.PeriodOf(y)}
			switch x := x.(type) {
			case float64:
				ob.Value = v(x)
			case string:
				ob.Symbol = indicators.Symbol(x)
			}
			obs = append(obs, ob)
		}
		return indicators.NewSeries(def, indicators.Geography{Name: name}, obs)
	}
	ns := []indicators.Series{
		series("A", map[int]any{2021: 100.0, 2022: 200.0}),
		series("Hackney", map[int]any{2021: "x", 2022: 300.0}),
		series("C", map[int]any{2021: 400.0, 2022: "c"}),
		series("New", map[int]any{2022: 0.0}), // created in 2021/22
	}
	st := indicators.NeighbourStats([]indicators.Period{2021, 2022}, indicators.Series{}, ns)
	if *st[0].Mean != 250 || *st[0].Min != 100 || *st[0].Max != 400 || st[0].Used != 2 || st[0].Of != 4 {
		t.Errorf("2020/21 = mean %v min %v max %v, %d of %d; want 250, 100, 400, 2 of 4", *st[0].Mean, *st[0].Min, *st[0].Max, st[0].Used, st[0].Of)
	}
	if len(st[0].Missing) != 2 || st[0].Missing[0].Name != "Hackney" || st[0].Missing[0].Reason != "x: not available (for example, no return was made)" ||
		st[0].Missing[1].Reason != "no figure for this year" {
		t.Errorf("2020/21 missing = %+v", st[0].Missing)
	}
	// A zero is a figure; a c is not.
	if *st[1].Mean != 500.0/3 || *st[1].Min != 0 || st[1].Used != 3 || st[1].Missing[0].Name != "C" {
		t.Errorf("2021/22 = mean %v min %v, %d used, missing %+v", *st[1].Mean, *st[1].Min, st[1].Used, st[1].Missing)
	}
	none := indicators.NeighbourStats([]indicators.Period{2019}, indicators.Series{}, ns)
	if none[0].Mean != nil || none[0].Used != 0 {
		t.Errorf("a year with no figures: %+v", none[0])
	}
}

// TestNeighbourStats_SharedPredecessor: before 2021/22 North and West
// Northamptonshire both carry the county's figure. Neither is the other's
// comparator for those years, and a third area counts the county once.
func TestNeighbourStats_SharedPredecessor(t *testing.T) {
	def := &indicators.Definition{ID: "r", Unit: indicators.UnitRate, Decimals: 1}
	county := indicators.Geography{Code: "E10000021", Name: "Northamptonshire", Level: indicators.LevelLocal}
	successor := func(code, name string, own float64) indicators.Series {
		g := indicators.Geography{Code: code, Name: name, Level: indicators.LevelLocal}
		v1, v2 := 500.0, own
		return indicators.NewSeries(def, g, []indicators.Observation{
			{Indicator: "r", Geography: county, Period: 2021, Value: &v1},
			{Indicator: "r", Geography: g, Period: 2022, Value: &v2},
		})
	}
	north, west := successor("E06000061", "North Northamptonshire", 300), successor("E06000062", "West Northamptonshire", 400)
	v := 100.0
	other := indicators.NewSeries(def, indicators.Geography{Code: "E06000030", Name: "Swindon"},
		[]indicators.Observation{{Indicator: "r", Geography: indicators.Geography{Code: "E06000030"}, Period: 2021, Value: &v}})

	st := indicators.NeighbourStats([]indicators.Period{2021, 2022}, west, []indicators.Series{north, other})
	if st[0].Used != 1 || *st[0].Mean != 100 || len(st[0].Missing) != 1 || st[0].Missing[0].Name != "North Northamptonshire" {
		t.Errorf("West Northamptonshire 2020/21: used %d, missing %+v; want North Northamptonshire left out", st[0].Used, st[0].Missing)
	}
	if st[1].Used != 1 || *st[1].Mean != 300 {
		t.Errorf("West Northamptonshire 2021/22: used %d; want North Northamptonshire's own figure", st[1].Used)
	}
	swindon := indicators.NeighbourStats([]indicators.Period{2021}, other, []indicators.Series{north, west})
	if swindon[0].Used != 1 || *swindon[0].Mean != 500 || len(swindon[0].Missing) != 1 {
		t.Errorf("Swindon 2020/21: used %d, missing %+v; want the county counted once", swindon[0].Used, swindon[0].Missing)
	}
}

func TestRateObservations(t *testing.T) {
	cat := indicators.Default()
	ref, _ := cat.Lookup("referrals")
	pub, _ := cat.Lookup("referrals_rate")
	popDef, _ := cat.Lookup("population_0_17")
	v := func(f float64) *float64 { return &f }
	geo := indicators.Geography{Code: "E09000012", Name: "Hackney"}
	obs := func(id string, rows ...indicators.Observation) []indicators.Observation {
		for i := range rows {
			rows[i].Indicator, rows[i].Geography = id, geo
		}
		return rows
	}
	count := indicators.NewSeries(ref, geo, obs("referrals",
		indicators.Observation{Period: 2020, Value: v(5031)},
		indicators.Observation{Period: 2021, Symbol: "x"},
		indicators.Observation{Period: 2024, Value: v(3782)},
		indicators.Observation{Period: 2025, Value: v(4000)},
	))
	published := indicators.NewSeries(pub, geo, obs("referrals_rate",
		indicators.Observation{Period: 2020, Value: v(855)},
		indicators.Observation{Period: 2021, Symbol: "x"},
		indicators.Observation{Period: 2024, Value: v(695.8)},
	))
	pop := indicators.NewSeries(popDef, geo, obs("population_0_17",
		indicators.Observation{Period: 2021, Value: v(60000)},
		indicators.Observation{Period: 2024, Value: v(54690)},
		indicators.Observation{Period: 2025, Value: v(50000)},
	))
	got := indicators.RateObservations("referrals_rate", count, published, pop)
	byYear := map[indicators.Period]indicators.Observation{}
	for _, o := range got {
		byYear[o.Period] = o
	}
	if o, ok := byYear[2020]; ok {
		t.Errorf("2019/20 = %+v, want nothing: with no estimate for mid-2019 there is no rate on the one base, and the published 855 is not mixed in", o)
	}
	if o := byYear[2021]; o.Value != nil || o.Symbol != "x" {
		t.Errorf("2020/21 = %+v, want x: a symbol is never divided", o)
	}
	o := byYear[2024]
	if o.Value == nil || math.Abs(*o.Value-3782.0/54690*10000) > 1e-9 {
		t.Errorf("2023/24 = %+v, want 3782 / 54690 × 10,000 computed on the one base, not the published 695.8", o)
	}
	const wantPubNote = "Rate computed by cptrends: 3,782 ÷ 54,690 children aged 0 to 17 (ONS mid-2023 estimate) × 10,000. The department published 695.8, on the ONS estimates of the time; the rate here is on the current estimates for every year, so that years compare on one base."
	if o.Note != wantPubNote {
		t.Errorf("note = %q, want %q", o.Note, wantPubNote)
	}
	o = byYear[2025]
	if o.Value == nil || *o.Value != 800 {
		t.Errorf("2024/25 = %+v, want 4000 / 50000 × 10,000 = 800, computed", o)
	}
	const wantNote = "Rate computed by cptrends: 4,000 ÷ 50,000 children aged 0 to 17 (ONS mid-2024 estimate) × 10,000."
	if o.Note != wantNote {
		t.Errorf("note = %q, want %q (no published rate to give beside it)", o.Note, wantNote)
	}
	if len(got) != 3 {
		t.Errorf("%d rates, want 3 (years with no figure are left out)", len(got))
	}
}

func TestDefaultAreas(t *testing.T) {
	a := indicators.DefaultAreas()
	c, s, ok := a.Created("E06000063")
	if !ok || c.Period != indicators.PeriodOf(2024) || s.EarlierFigures != "E10000006" || c.Joined {
		t.Errorf("Cumberland: %+v %+v %v", c, s, ok)
	}
	if c, ok := a.Replaced("E10000021"); !ok || c.Period != indicators.PeriodOf(2022) || len(c.To) != 2 {
		t.Errorf("Northamptonshire: %+v %v", c, ok)
	}
	if c, _, ok := a.Created("E06000058"); !ok || c.Period != indicators.PeriodOf(2020) || len(c.From) != 3 {
		t.Errorf("Bournemouth, Christchurch and Poole: %+v %v", c, ok)
	}
	if got := a.Region("E13000001"); got != "E12000007" {
		t.Errorf("Inner London is in %q, want London", got)
	}
	if _, err := indicators.DecodeAreas([]byte(`{"changes":[{"period":"2023/24","explanation":"x","from":[{"code":"A"}],"to":[{"code":"B","earlier_figures":"C"}]}]}`)); err == nil {
		t.Errorf("earlier figures from an area not replaced: accepted")
	}
}

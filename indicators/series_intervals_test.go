package indicators_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"cptrends/indicators"
)

func TestWithIntervals(t *testing.T) {
	pct := mustLookup(t, "cpp_second_or_subsequent_pct")
	geo := indicators.England
	s := indicators.NewSeries(pct, geo, []indicators.Observation{val(pct.ID, 2023, 23.9), val(pct.ID, 2024, 24.7), val(pct.ID, 2025, 23.6)})
	// England 2023/24: 15,330 second or subsequent plans of 62,110 starting.
	num := indicators.NewSeries(mustLookup(t, "cpp_second_or_subsequent"), geo, []indicators.Observation{val("cpp_second_or_subsequent", 2024, 15330), val("cpp_second_or_subsequent", 2025, 14000)})
	den := indicators.NewSeries(mustLookup(t, "cpp_started"), geo, []indicators.Observation{val("cpp_started", 2023, 60000), val("cpp_started", 2024, 62110)})
	got := indicators.WithIntervals(s, []indicators.Series{num}, den)

	p := got.Points[1]
	if p.Numerator == nil || *p.Numerator != 15330 || p.Denominator == nil || *p.Denominator != 62110 {
		t.Fatalf("2023/24: numerator %v denominator %v", p.Numerator, p.Denominator)
	}
	// Wilson's interval of 15,330 out of 62,110, as a percentage.
	for _, c := range []struct {
		name   string
		ci     *[2]float64
		lo, hi float64
	}{{"95%", p.CI95, 24.3445047, 25.0226585}, {"99.8%", p.CI998, 24.1513089, 25.2205069}} {
		if c.ci == nil || math.Abs(c.ci[0]-c.lo) > 1e-6 || math.Abs(c.ci[1]-c.hi) > 1e-6 {
			t.Errorf("%s interval %v, want [%v, %v]", c.name, c.ci, c.lo, c.hi)
		}
	}
	// 2022/23 has no numerator, 2024/25 no denominator: no interval.
	for _, i := range []int{0, 2} {
		if q := got.Points[i]; q.CI95 != nil || q.CI998 != nil || q.Numerator != nil {
			t.Errorf("%s: %+v, want no interval", q.Period, q)
		}
	}
	if s.Points[1].CI95 != nil {
		t.Error("WithIntervals changed the series it was given")
	}

	b, err := json.Marshal(got.Points)
	if err != nil {
		t.Fatal(err)
	}
	js := string(b)
	if !strings.Contains(js, `"numerator":15330,"denominator":62110,"ci95":[24.34`) || !strings.Contains(js, `"ci95":null,"ci998":null`) {
		t.Errorf("JSON %s", js)
	}
}

func TestWithIntervals_Rate(t *testing.T) {
	rate := mustLookup(t, "referrals_rate")
	geo := indicators.England
	s := indicators.NewSeries(rate, geo, []indicators.Observation{val(rate.ID, 2014, 546.9)})
	num := indicators.NewSeries(mustLookup(t, "referrals"), geo, []indicators.Observation{val("referrals", 2014, 657780)})
	pop := indicators.NewSeries(mustLookup(t, "population_0_17"), geo, []indicators.Observation{val("population_0_17", 2014, 12026800)})
	p := indicators.WithIntervals(s, []indicators.Series{num}, pop).Points[0]
	// Byar's interval of 657,780 events, per 10,000 of 12,026,800.
	if p.CI95 == nil || math.Abs(p.CI95[0]-545.6075974) > 1e-6 || math.Abs(p.CI95[1]-548.2518627) > 1e-6 {
		t.Errorf("95%% interval %v", p.CI95)
	}

	// A count is returned as it is.
	cnt := indicators.NewSeries(mustLookup(t, "referrals"), geo, []indicators.Observation{val("referrals", 2014, 657780)})
	if q := indicators.WithIntervals(cnt, []indicators.Series{num}, pop).Points[0]; q.CI95 != nil || q.Numerator != nil {
		t.Errorf("count given an interval: %+v", q)
	}
}

func TestWithIntervals_SuppressedAndImpossible(t *testing.T) {
	pct := mustLookup(t, "cpp_second_or_subsequent_pct")
	geo := indicators.Geography{Code: "E09000001", Name: "City of London", Level: indicators.LevelLocal}
	c := indicators.Observation{Indicator: pct.ID, Geography: geo, Period: indicators.PeriodOf(2024), Symbol: "c"}
	s := indicators.NewSeries(pct, geo, []indicators.Observation{c, val(pct.ID, 2025, 50)})
	num := indicators.NewSeries(mustLookup(t, "cpp_second_or_subsequent"), geo, []indicators.Observation{val("x", 2024, 1), val("x", 2025, 12)})
	den := indicators.NewSeries(mustLookup(t, "cpp_started"), geo, []indicators.Observation{val("y", 2024, 3), val("y", 2025, 10)})
	got := indicators.WithIntervals(s, []indicators.Series{num}, den)
	if got.Points[0].CI95 != nil {
		t.Error("a suppressed figure was given an interval")
	}
	if got.Points[1].CI95 != nil {
		t.Error("12 events out of 10 were given an interval")
	}
}

package indicators_test

import (
	"testing"

	"cptrends/indicators"
)

func seriesOf(t *testing.T, id string, start int, values ...any) indicators.Series {
	t.Helper()
	def, ok := indicators.Default().Lookup(id)
	if !ok {
		t.Fatalf("no indicator %s", id)
	}
	var obs []indicators.Observation
	for i, v := range values {
		o := indicators.Observation{Indicator: id, Geography: indicators.England, Period: indicators.Period(start + i)}
		switch v := v.(type) {
		case float64:
			o.Value = &v
		case string:
			o.Symbol = indicators.Symbol(v)
		}
		obs = append(obs, o)
	}
	return indicators.NewSeries(def, indicators.England, obs)
}

func TestUnusualChanges(t *testing.T) {
	t.Run("LargeRise", func(t *testing.T) {
		s := seriesOf(t, "referrals", 2014, 1000.0, 1010.0, 1000.0, 1015.0, 1005.0, 1010.0, 1500.0)
		got := indicators.UnusualChanges(s)
		if got[2020] != "unusually large rise for this area" || len(got) != 1 {
			t.Fatalf("flags = %v, want 2019/20 as an unusually large rise", got)
		}
	})
	t.Run("LargeFall", func(t *testing.T) {
		s := seriesOf(t, "referrals", 2014, 1000.0, 1010.0, 1000.0, 1015.0, 1005.0, 1010.0, 600.0)
		if got := indicators.UnusualChanges(s); got[2020] != "unusually large fall for this area" {
			t.Fatalf("flags = %v", got)
		}
	})
	t.Run("TooLittleHistory", func(t *testing.T) {
		s := seriesOf(t, "referrals", 2014, 1000.0, 1010.0, 1000.0, 1500.0)
		if got := indicators.UnusualChanges(s); len(got) != 0 {
			t.Fatalf("flags = %v, want none with three earlier changes", got)
		}
	})
	t.Run("NotAcrossSymbols", func(t *testing.T) {
		s := seriesOf(t, "referrals", 2014, 1000.0, 1010.0, 1000.0, 1015.0, 1005.0, 1010.0, "x", 1500.0)
		if got := indicators.UnusualChanges(s); len(got) != 0 {
			t.Fatalf("flags = %v, want none: no change is computed across a symbol", got)
		}
	})
	t.Run("HistoryRestartsAtBreak", func(t *testing.T) {
		// referrals has a break before 2012/13: the years before it are not history.
		s := seriesOf(t, "referrals", 2006, 1000.0, 1010.0, 1000.0, 1015.0, 1005.0, 1010.0, 1008.0, 1500.0, 1510.0)
		if got := indicators.UnusualChanges(s); len(got) != 0 {
			t.Fatalf("flags = %v, want none right after a break", got)
		}
	})
	t.Run("PercentInPoints", func(t *testing.T) {
		s := seriesOf(t, "cpp_second_or_subsequent_pct", 2014, 16.6, 17.9, 18.7, 20.2, 20.8, 21.9, 22.1, 31.0)
		if got := indicators.UnusualChanges(s); got[2021] != "unusually large rise for this area" {
			t.Fatalf("flags = %v", got)
		}
	})
}

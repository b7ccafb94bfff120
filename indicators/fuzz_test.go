package indicators_test

import (
	"math"
	"testing"

	"cptrends/indicators"
)

// FuzzParsePeriod: any text either fails or gives a period that writes
// back as 2014/15 and parses again to itself.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2014/15", "2014-15", "2014-2015", "201415", "1999/00", "2014/16", "", "9999/00", "2014/1", "٢٠١٤/١٥"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := indicators.ParsePeriod(s)
		if err != nil {
			return
		}
		again, err := indicators.ParsePeriod(p.String())
		if err != nil || again != p {
			t.Fatalf("%q parsed to %v, which writes as %q and parses back to %v, %v", s, int(p), p.String(), int(again), err)
		}
	})
}

// FuzzNewSeries: for any values, symbols and gaps, the year-on-year change
// is finite where given, absent across a gap, a symbol or a break, equal to
// the difference of the two years where present, and a series of one
// value has no change.
func FuzzNewSeries(f *testing.F) {
	f.Add(uint64(0), 593470.0, 657780.0, 635620.0, uint8(0))
	f.Add(uint64(1), 0.0, 1.0, 1e300, uint8(3))
	f.Add(uint64(7), 1.5, 0.0, 2.25, uint8(255))
	def, _ := indicators.Default().Lookup("referrals") // breaks before 2009/10 and 2012/13
	f.Fuzz(func(t *testing.T, seed uint64, a, b, c float64, shape uint8) {
		vals := []float64{a, b, c}
		var obs []indicators.Observation
		for i := 0; i < 8; i++ {
			if shape&(1<<i) != 0 {
				continue // a year with nothing published
			}
			o := indicators.Observation{Indicator: def.ID, Geography: indicators.England, Period: indicators.Period(2008 + i)}
			v := vals[(int(seed)+i)%3]
			if (seed>>i)&1 == 1 || math.IsNaN(v) || math.IsInf(v, 0) {
				o.Symbol = "c"
			} else {
				o.Value = &v
			}
			obs = append(obs, o)
		}
		s := indicators.NewSeries(def, indicators.England, obs)
		withValue := 0
		for i, p := range s.Points {
			if i > 0 && p.Period != s.Points[i-1].Period+1 {
				t.Fatalf("point %d is %v after %v: not the year after", i, p.Period, s.Points[i-1].Period)
			}
			if p.Value != nil {
				withValue++
			}
			if p.Change == nil {
				continue
			}
			prev := s.Points[i-1]
			switch {
			case i == 0, p.Value == nil, prev.Value == nil, p.BreakBefore:
				t.Fatalf("%v has a change across a gap, symbol or break", p.Period)
			case *p.Change != *p.Value-*prev.Value:
				t.Fatalf("%v change %v, want %v", p.Period, *p.Change, *p.Value-*prev.Value)
			case p.ChangePct != nil && (math.IsNaN(*p.ChangePct) || *prev.Value == 0):
				t.Fatalf("%v relative change %v from %v", p.Period, *p.ChangePct, *prev.Value)
			}
		}
		if withValue == 1 {
			for _, p := range s.Points {
				if p.Change != nil {
					t.Fatal("a series with one value has a change")
				}
			}
		}
	})
}

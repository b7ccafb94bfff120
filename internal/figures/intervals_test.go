package figures

import (
	"context"
	"math"
	"testing"

	"cptrends/indicators"
)

func TestReader_Series_Intervals(t *testing.T) {
	r := sharedReader(t)
	ctx := context.Background()
	def := mustDefinition(t, "cpp_second_or_subsequent_pct")
	leeds := indicators.Geography{Code: "E08000035", Name: "Leeds", Level: indicators.LevelLocal}
	s, err := r.Series(ctx, def, leeds)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := readD3(t, "2024")
	var want d3Row
	for _, row := range rows {
		if row.code == leeds.Code {
			want = row
		}
	}
	var p indicators.Point
	for _, q := range s.Points {
		if q.Period == indicators.PeriodOf(2024) {
			p = q
		}
	}
	if p.Numerator == nil || *p.Numerator != want.sub || p.Denominator == nil || *p.Denominator != want.start {
		t.Fatalf("2023/24: %v of %v, file %v of %v", p.Numerator, p.Denominator, want.sub, want.start)
	}
	// Wilson's interval, from the file's counts.
	for _, c := range []struct {
		ci *[2]float64
		z  float64
	}{{p.CI95, 1.959963985}, {p.CI998, 3.090232306}} {
		x, n, z := want.sub, want.start, c.z
		root := z * math.Sqrt(z*z+4*x*(1-x/n))
		lo, hi := 100*(2*x+z*z-root)/2/(n+z*z), 100*(2*x+z*z+root)/2/(n+z*z)
		if c.ci == nil || math.Abs(c.ci[0]-lo) > 1e-6 || math.Abs(c.ci[1]-hi) > 1e-6 {
			t.Errorf("interval %v, want [%v, %v]", c.ci, lo, hi)
		}
		if !(c.ci[0] < *p.Value && *p.Value < c.ci[1]) {
			t.Errorf("interval %v does not contain %v", c.ci, *p.Value)
		}
	}
	// A percentage whose denominator is not held has no interval.
	plain, err := r.Series(ctx, mustDefinition(t, "cpp_ended_2yrs_plus_pct"), leeds)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plain.Points {
		if p.CI95 != nil || p.Denominator != nil {
			t.Errorf("%s: an interval %v without a denominator", p.Period, p.CI95)
		}
	}
}

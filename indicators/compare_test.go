package indicators

import (
	"reflect"
	"testing"
)

func TestDiff(t *testing.T) {
	def := &Definition{ID: "referrals", Unit: UnitCount}
	v := func(f float64) *float64 { return &f }
	series := func(obs ...Observation) Series { return NewSeries(def, England, obs) }
	o := func(year int, val *float64, sym Symbol) Observation {
		return Observation{Indicator: "referrals", Geography: England, Period: PeriodOf(year), Value: val, Symbol: sym}
	}
	type row struct {
		Period string
		Reason string
	}
	tests := []struct {
		name     string
		old, new Series
		want     []row
	}{
		{"Same", series(o(2014, v(1), ""), o(2015, v(2), "")), series(o(2014, v(1), ""), o(2015, v(2), "")), nil},
		{"Revision", series(o(2014, v(1), ""), o(2015, v(2), "")), series(o(2014, v(1), ""), o(2015, v(3), "")),
			[]row{{"2014/15", Revision}}},
		{"SymbolForValue", series(o(2015, v(2), "")), series(o(2015, nil, "c")), []row{{"2014/15", Revision}}},
		{"NewYear", series(o(2015, v(2), "")), series(o(2015, v(2), ""), o(2016, v(5), "")), []row{{"2015/16", NewYear}}},
		{"Removed", series(o(2015, v(2), ""), o(2016, v(5), "")), series(o(2015, v(2), "")), []row{{"2015/16", Removed}}},
		{"GapIsNotAYear", series(o(2013, v(1), ""), o(2015, v(2), "")), series(o(2013, v(1), ""), o(2015, v(2), "")), nil},
		{"NoteIsNotAFigure", series(o(2015, v(2), "")), series(Observation{Indicator: "referrals", Geography: England, Period: 2015, Value: v(2), Note: "new"}), nil},
		{"Empty", series(), series(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []row
			for _, d := range Diff(tt.old, tt.new) {
				got = append(got, row{d.Period.String(), d.Reason})
				if (d.Old == nil) != (d.Reason == NewYear) || (d.New == nil) != (d.Reason == Removed) {
					t.Errorf("%s: Old %v New %v for a %s", d.Period, d.Old, d.New, d.Reason)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Diff = %v, want %v", got, tt.want)
			}
		})
	}
}

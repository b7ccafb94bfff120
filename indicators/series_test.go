package indicators_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"cptrends/indicators"
)

// newDef returns a minimal definition with the given unit and breaks.
func newDef(t *testing.T, unit string, breaks ...int) *indicators.Definition {
	t.Helper()
	d := &indicators.Definition{
		ID:         "test_" + unit,
		Title:      "Test " + unit,
		ShortTitle: "Test",
		Noun:       "things",
		Unit:       unit,
		Definition: "A test indicator.",
		Source:     indicators.Source{Name: "Tests"},
		Chart:      indicators.Chart{Type: "line"},
	}
	if unit == indicators.UnitPercent {
		d.Decimals = 1
	}
	for _, y := range breaks {
		d.Breaks = append(d.Breaks, indicators.Break{Period: indicators.PeriodOf(y), Explanation: "Counting changed."})
	}
	return d
}

// mustLookup returns a definition of the default catalog.
func mustLookup(t *testing.T, id string) *indicators.Definition {
	t.Helper()
	d, ok := indicators.Default().Lookup(id)
	if !ok {
		t.Fatalf("Default().Lookup(%q): not found", id)
	}
	return d
}

// val is an observation with a value for the year ending in March of endYear.
func val(id string, endYear int, v float64) indicators.Observation {
	return indicators.Observation{Indicator: id, Geography: indicators.England, Period: indicators.PeriodOf(endYear), Value: &v}
}

// sym is an observation published as a symbol.
func sym(id string, endYear int, s indicators.Symbol) indicators.Observation {
	return indicators.Observation{Indicator: id, Geography: indicators.England, Period: indicators.PeriodOf(endYear), Symbol: s}
}

// referrals2013to2015 are the published referrals for 2012/13 to 2014/15.
func referrals2013to2015() []indicators.Observation {
	return []indicators.Observation{
		val("referrals", 2013, 593470),
		val("referrals", 2014, 657780),
		val("referrals", 2015, 635620),
	}
}

func approx(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// checkChange fails unless p's change and change_pct are as wanted; a NaN
// want means nil.
func checkChange(t *testing.T, p indicators.Point, wantChange, wantPct, pctTol float64) {
	t.Helper()
	switch {
	case math.IsNaN(wantChange) && p.Change != nil:
		t.Errorf("%s: change = %v, want null", p.Period, *p.Change)
	case !math.IsNaN(wantChange) && p.Change == nil:
		t.Errorf("%s: change = null (%s), want %v", p.Period, p.NoChange, wantChange)
	case !math.IsNaN(wantChange) && !approx(*p.Change, wantChange):
		t.Errorf("%s: change = %v, want %v", p.Period, *p.Change, wantChange)
	}
	switch {
	case math.IsNaN(wantPct) && p.ChangePct != nil:
		t.Errorf("%s: change_pct = %v, want null", p.Period, *p.ChangePct)
	case !math.IsNaN(wantPct) && p.ChangePct == nil:
		t.Errorf("%s: change_pct = null (%s), want %v", p.Period, p.NoChange, wantPct)
	case !math.IsNaN(wantPct) && math.Abs(*p.ChangePct-wantPct) > pctTol:
		t.Errorf("%s: change_pct = %v, want %v (±%v)", p.Period, *p.ChangePct, wantPct, pctTol)
	}
}

var none = math.NaN()

func TestNewSeries(t *testing.T) {
	t.Run("Referrals", func(t *testing.T) {
		s := indicators.NewSeries(mustLookup(t, "referrals"), indicators.England, referrals2013to2015())
		if got, want := len(s.Points), 3; got != want {
			t.Fatalf("len(Points) = %d, want %d", got, want)
		}
		tests := []struct {
			period     string
			value      float64
			change     float64
			changePct  float64
			noChange   string
			wantBreaks bool
		}{
			{"2012/13", 593470, none, none, indicators.NoChangeFirst, false},
			{"2013/14", 657780, 64310, 10.836, "", false},
			{"2014/15", 635620, -22160, -3.369, "", false},
		}
		for i, tt := range tests {
			t.Run(tt.period, func(t *testing.T) {
				p := s.Points[i]
				if got, want := p.Period.String(), tt.period; got != want {
					t.Errorf("Period = %q, want %q", got, want)
				}
				if p.Value == nil {
					t.Fatalf("Value = null, want %v", tt.value)
				}
				if got, want := *p.Value, tt.value; got != want {
					t.Errorf("Value = %v, want %v", got, want)
				}
				checkChange(t, p, tt.change, tt.changePct, 0.0005)
				if got, want := p.NoChange, tt.noChange; got != want {
					t.Errorf("NoChange = %q, want %q", got, want)
				}
				if got, want := p.BreakBefore, tt.wantBreaks; got != want {
					t.Errorf("BreakBefore = %v, want %v", got, want)
				}
				if p.Secondary {
					t.Errorf("Secondary = true, want false: values from 2012/13 are the department's own")
				}
			})
		}
		// change_pct is not rounded.
		if p := s.Points[1]; p.ChangePct != nil && !approx(*p.ChangePct, 64310.0/593470*100) {
			t.Errorf("2013/14 change_pct = %v, want the unrounded %v", *p.ChangePct, 64310.0/593470*100)
		}
	})

	t.Run("InputOrderDoesNotMatter", func(t *testing.T) {
		obs := referrals2013to2015()
		obs[0], obs[2] = obs[2], obs[0]
		s := indicators.NewSeries(mustLookup(t, "referrals"), indicators.England, obs)
		var got []string
		for _, p := range s.Points {
			got = append(got, p.Period.String())
		}
		if want := []string{"2012/13", "2013/14", "2014/15"}; !equalStrings(got, want) {
			t.Fatalf("periods = %v, want %v", got, want)
		}
		checkChange(t, s.Points[2], -22160, -3.369, 0.0005)
	})

	t.Run("SymbolYear", func(t *testing.T) {
		def := newDef(t, indicators.UnitCount)
		s := indicators.NewSeries(def, indicators.England, []indicators.Observation{
			val(def.ID, 2013, 100),
			sym(def.ID, 2014, "c"),
			val(def.ID, 2015, 120),
			val(def.ID, 2016, 132),
		})
		if got, want := len(s.Points), 4; got != want {
			t.Fatalf("len(Points) = %d, want %d", got, want)
		}
		c := s.Points[1]
		if c.Value != nil {
			t.Errorf("2013/14 value = %v, want null: a symbol is never a number", *c.Value)
		}
		if got, want := c.Symbol, indicators.Symbol("c"); got != want {
			t.Errorf("2013/14 symbol = %q, want %q", got, want)
		}
		checkChange(t, c, none, none, 0)
		if got, want := c.NoChange, indicators.NoChangeSymbol; got != want {
			t.Errorf("2013/14 NoChange = %q, want %q", got, want)
		}
		next := s.Points[2]
		checkChange(t, next, none, none, 0)
		if got, want := next.NoChange, indicators.NoChangePrevEmpty; got != want {
			t.Errorf("2014/15 NoChange = %q, want %q", got, want)
		}
		checkChange(t, s.Points[3], 12, 10, 1e-9)
	})

	t.Run("MissingYearIsFilled", func(t *testing.T) {
		def := newDef(t, indicators.UnitCount)
		s := indicators.NewSeries(def, indicators.England, []indicators.Observation{
			val(def.ID, 2013, 100),
			val(def.ID, 2016, 150),
			val(def.ID, 2017, 165),
		})
		var got []string
		for _, p := range s.Points {
			got = append(got, p.Period.String())
		}
		if want := []string{"2012/13", "2013/14", "2014/15", "2015/16", "2016/17"}; !equalStrings(got, want) {
			t.Fatalf("periods = %v, want %v (one point a year)", got, want)
		}
		for i := 1; i < len(s.Points); i++ {
			if got, want := s.Points[i].Period.Prev(), s.Points[i-1].Period; got != want {
				t.Errorf("point %d: predecessor %v, want %v", i, s.Points[i-1].Period, got)
			}
		}
		for _, p := range s.Points[1:3] {
			if p.Value != nil || p.Symbol != "" {
				t.Errorf("%s: filler value %v symbol %q, want null and \"\"", p.Period, p.Value, p.Symbol)
			}
			checkChange(t, p, none, none, 0)
			if got, want := p.NoChange, indicators.NoChangeMissing; got != want {
				t.Errorf("%s: NoChange = %q, want %q", p.Period, got, want)
			}
		}
		// 2015/16 follows a gap: no change, even though 2012/13 had a value.
		checkChange(t, s.Points[3], none, none, 0)
		if got, want := s.Points[3].NoChange, indicators.NoChangePrevEmpty; got != want {
			t.Errorf("2015/16 NoChange = %q, want %q", got, want)
		}
		checkChange(t, s.Points[4], 15, 10, 1e-9)
	})

	t.Run("Break", func(t *testing.T) {
		def := newDef(t, indicators.UnitCount, 2014)
		s := indicators.NewSeries(def, indicators.England, []indicators.Observation{
			val(def.ID, 2013, 100),
			val(def.ID, 2014, 200),
			val(def.ID, 2015, 210),
		})
		tests := []struct {
			period    string
			wantBreak bool
			change    float64
			noChange  string
		}{
			{"2012/13", false, none, indicators.NoChangeFirst},
			{"2013/14", true, none, indicators.NoChangeBreak},
			{"2014/15", false, 10, ""},
		}
		for i, tt := range tests {
			p := s.Points[i]
			if got, want := p.Period.String(), tt.period; got != want {
				t.Fatalf("point %d period = %q, want %q", i, got, want)
			}
			if got, want := p.BreakBefore, tt.wantBreak; got != want {
				t.Errorf("%s: BreakBefore = %v, want %v", tt.period, got, want)
			}
			if math.IsNaN(tt.change) {
				checkChange(t, p, none, none, 0)
			} else {
				checkChange(t, p, tt.change, 5, 1e-9)
			}
			if got, want := p.NoChange, tt.noChange; got != want {
				t.Errorf("%s: NoChange = %q, want %q", tt.period, got, want)
			}
		}
	})

	t.Run("BreakOnFirstPeriodNotFlagged", func(t *testing.T) {
		// The real referrals definition declares a break before 2012/13,
		// where the department's series starts.
		def := mustLookup(t, "referrals")
		if _, ok := def.BreakBefore(indicators.PeriodOf(2013)); !ok {
			t.Fatalf("referrals: want a break declared before 2012/13")
		}
		s := indicators.NewSeries(def, indicators.England, referrals2013to2015())
		if s.Points[0].BreakBefore {
			t.Errorf("2012/13: BreakBefore = true, want false on the first period")
		}
		if got, want := s.Points[0].NoChange, indicators.NoChangeFirst; got != want {
			t.Errorf("2012/13: NoChange = %q, want %q", got, want)
		}
	})

	t.Run("BreakAcrossRealSeries", func(t *testing.T) {
		// A secondary value before 2012/13 is not compared with 2012/13
		// (600000 is a made-up figure for 2011/12).
		def := mustLookup(t, "referrals")
		obs := append([]indicators.Observation{val("referrals", 2012, 600000)}, referrals2013to2015()...)
		s := indicators.NewSeries(def, indicators.England, obs)
		p := s.Points[1]
		if got, want := p.Period.String(), "2012/13"; got != want {
			t.Fatalf("second point = %q, want %q", got, want)
		}
		if !p.BreakBefore {
			t.Errorf("2012/13: BreakBefore = false, want true")
		}
		checkChange(t, p, none, none, 0)
		if !s.Points[0].Secondary || s.Points[1].Secondary {
			t.Errorf("Secondary = %v, %v; want true for 2011/12 only", s.Points[0].Secondary, s.Points[1].Secondary)
		}
	})

	t.Run("PercentInPoints", func(t *testing.T) {
		def := newDef(t, indicators.UnitPercent)
		s := indicators.NewSeries(def, indicators.England, []indicators.Observation{
			val(def.ID, 2015, 16.6),
			val(def.ID, 2016, 17.9),
		})
		// 17.9 - 16.6 = 1.3 percentage points; 1.3 / 16.6 = 7.83% relative.
		checkChange(t, s.Points[1], 1.3, 7.831, 0.0005)
		if got, want := def.FormatChange(*s.Points[1].Change), "+1.3 pts"; got != want {
			t.Errorf("FormatChange = %q, want %q", got, want)
		}
	})

	t.Run("PreviousZero", func(t *testing.T) {
		def := newDef(t, indicators.UnitCount)
		s := indicators.NewSeries(def, indicators.England, []indicators.Observation{
			val(def.ID, 2015, 0),
			val(def.ID, 2016, 12),
		})
		checkChange(t, s.Points[1], 12, none, 0)
		if got, want := s.Points[1].NoChange, indicators.NoChangePrevZero; got != want {
			t.Errorf("NoChange = %q, want %q", got, want)
		}
	})

	t.Run("OneValue", func(t *testing.T) {
		def := newDef(t, indicators.UnitCount)
		s := indicators.NewSeries(def, indicators.England, []indicators.Observation{val(def.ID, 2015, 635620)})
		if got, want := len(s.Points), 1; got != want {
			t.Fatalf("len(Points) = %d, want %d", got, want)
		}
		checkChange(t, s.Points[0], none, none, 0)
		if got, want := s.Points[0].NoChange, indicators.NoChangeFirst; got != want {
			t.Errorf("NoChange = %q, want %q", got, want)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		s := indicators.NewSeries(newDef(t, indicators.UnitCount), indicators.England, nil)
		if got := len(s.Points); got != 0 {
			t.Errorf("len(Points) = %d, want 0", got)
		}
		if _, ok := s.Latest(); ok {
			t.Errorf("Latest() found a point in an empty series")
		}
	})

	t.Run("Notes", func(t *testing.T) {
		def := mustLookup(t, "referrals")
		obs := referrals2013to2015()
		obs[2].Note = "Provisional."
		s := indicators.NewSeries(def, indicators.England, obs)
		if got := s.Points[0].Notes; got == nil || len(got) != 0 {
			t.Errorf("2012/13 notes = %#v, want an empty, non-nil list", got)
		}
		if got := s.Points[1].Notes; len(got) != 2 {
			t.Errorf("England's 2013/14 notes = %q, want the definition's note for every area and England's own", got)
		}
		hackney := indicators.Geography{Code: "E09000012", Name: "Hackney", Level: indicators.LevelLocal}
		for i := range obs {
			obs[i].Geography = hackney
		}
		if got := indicators.NewSeries(def, hackney, obs).Points[1].Notes; len(got) != 1 || strings.Contains(got[0], "England") {
			t.Errorf("Hackney's 2013/14 notes = %q, want only the note for every area", got)
		}
		if got, want := s.Points[2].Notes, []string{"Provisional."}; !equalStrings(got, want) {
			t.Errorf("2014/15 notes = %q, want %q", got, want)
		}
	})
}

func TestPoint_JSON(t *testing.T) {
	def := newDef(t, indicators.UnitCount)
	s := indicators.NewSeries(def, indicators.England, []indicators.Observation{
		val(def.ID, 2013, 593470),
		val(def.ID, 2014, 657780),
		sym(def.ID, 2015, "c"),
	})
	// The fields CONTRACT.md promises, each with its exact JSON. Fields may
	// be added, so others are not checked.
	tests := []struct {
		period string
		want   map[string]string
	}{
		{"2012/13", map[string]string{
			"period": `"2012/13"`, "value": `593470`, "symbol": `""`, "change": `null`,
			"change_pct": `null`, "break_before": `false`, "notes": `[]`,
		}},
		{"2013/14", map[string]string{
			"period": `"2013/14"`, "value": `657780`, "symbol": `""`, "change": `64310`,
			"break_before": `false`, "notes": `[]`,
		}},
		{"2014/15", map[string]string{
			"period": `"2014/15"`, "value": `null`, "symbol": `"c"`, "change": `null`,
			"change_pct": `null`, "break_before": `false`, "notes": `[]`,
		}},
	}
	for i, tt := range tests {
		t.Run(tt.period, func(t *testing.T) {
			b, err := json.Marshal(s.Points[i])
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]json.RawMessage
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			for key, want := range tt.want {
				raw, ok := got[key]
				if !ok {
					t.Errorf("%s: no %q field in %s", tt.period, key, b)
					continue
				}
				if string(raw) != want {
					t.Errorf("%s: %q = %s, want %s", tt.period, key, raw, want)
				}
			}
		})
	}
	t.Run("ChangePctUnrounded", func(t *testing.T) {
		b, err := json.Marshal(s.Points[1])
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			ChangePct *float64 `json:"change_pct"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if want := 64310.0 / 593470 * 100; got.ChangePct == nil || *got.ChangePct != want {
			t.Errorf("change_pct = %v, want %v, unrounded (json %s)", got.ChangePct, want, b)
		}
	})
}

func TestSeries_Headline(t *testing.T) {
	tests := []struct {
		name string
		def  *indicators.Definition
		obs  []indicators.Observation
		want string
	}{
		{
			name: "Referrals",
			def:  mustLookup(t, "referrals"),
			obs:  referrals2013to2015(),
			// -22160 / 657780 = -3.37%; +42150 / 593470 = +7.10%.
			want: "635,620 referrals in 2014/15, down 22,160 (3.4%) on 2013/14; up 42,150 (7.1%) since 2012/13",
		},
		{
			name: "TwoYears",
			def:  mustLookup(t, "referrals"),
			obs:  referrals2013to2015()[:2],
			want: "657,780 referrals in 2013/14, up 64,310 (10.8%) on 2012/13",
		},
		{
			name: "OneYear",
			def:  mustLookup(t, "referrals"),
			obs:  referrals2013to2015()[2:],
			want: "635,620 referrals in 2014/15",
		},
		{
			name: "Percent",
			def:  mustLookup(t, "cpp_second_or_subsequent_pct"),
			obs: []indicators.Observation{
				val("cpp_second_or_subsequent_pct", 2013, 14.9),
				val("cpp_second_or_subsequent_pct", 2014, 15.8),
				val("cpp_second_or_subsequent_pct", 2015, 16.6),
				val("cpp_second_or_subsequent_pct", 2016, 17.9),
			},
			want: "17.9% of plans starting were a second or subsequent plan in 2015/16, up 1.3 percentage points on 2014/15; up 3.0 percentage points since 2012/13",
		},
		{
			name: "LatestSuppressed",
			def:  mustLookup(t, "referrals"),
			obs:  append(referrals2013to2015(), sym("referrals", 2016, "x")),
			want: "635,620 referrals in 2014/15, down 22,160 (3.4%) on 2013/14; up 42,150 (7.1%) since 2012/13",
		},
		{
			name: "AfterBreak",
			def:  newDef(t, indicators.UnitCount, 2014),
			obs:  []indicators.Observation{val("t", 2013, 100), val("t", 2014, 200), val("t", 2015, 210), val("t", 2016, 220)},
			want: "220 things in 2015/16, up 10 (4.8%) on 2014/15; up 20 (10.0%) since 2013/14",
		},
		{
			name: "Nothing",
			def:  mustLookup(t, "referrals"),
			obs:  []indicators.Observation{sym("referrals", 2015, "x")},
			want: "There are no figures for England in this dashboard's data.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := indicators.NewSeries(tt.def, indicators.England, tt.obs)
			if got, want := s.Headline(), tt.want; got != want {
				t.Errorf("Headline() =\n%q\nwant\n%q", got, want)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestNewSeries_NoteForOtherAreas: a caveat on the England total and
// Hampshire is not shown on another authority's figure.
func TestNewSeries_NoteForOtherAreas(t *testing.T) {
	def, _ := indicators.Default().Lookup("referrals")
	v := 100.0
	hackney := indicators.Geography{Code: "E09000012", Name: "Hackney", Level: indicators.LevelLocal}
	for _, c := range []struct {
		geo  indicators.Geography
		want bool
	}{{indicators.England, true}, {hackney, false}} {
		s := indicators.NewSeries(def, c.geo, []indicators.Observation{{Indicator: "referrals", Geography: c.geo, Period: 2024, Value: &v}})
		got := false
		for _, n := range s.Points[0].Notes {
			got = got || strings.Contains(n, "Hampshire")
		}
		if got != c.want {
			t.Errorf("%s 2023/24: Hampshire note shown = %v, want %v", c.geo.Name, got, c.want)
		}
	}
}

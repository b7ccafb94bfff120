package indicators_test

import (
	"strings"
	"testing"

	"cptrends/indicators"
)

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		v        float64
		decimals int
		want     string
	}{
		{635620, 0, "635,620"},
		{1234567.5, 1, "1,234,567.5"},
		{0, 0, "0"},
		{-22160, 0, "-22,160"},
		{999, 0, "999"},
		{1000, 0, "1,000"},
		{-1000, 0, "-1,000"},
		{100000, 0, "100,000"},
		{1000000, 0, "1,000,000"},
		{16.6, 1, "16.6"},
		{21, 1, "21.0"},
		{3.7, 1, "3.7"},
		{0.25, 2, "0.25"},
		{-3.369, 1, "-3.4"},
		{10.836, 1, "10.8"},
		{999.96, 1, "1,000.0"}, // rounding carries into a new group
		{-0.04, 1, "0.0"},      // no negative zero
		{-0.4, 0, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got, want := indicators.FormatNumber(tt.v, tt.decimals), tt.want; got != want {
				t.Errorf("FormatNumber(%v, %d) = %q, want %q", tt.v, tt.decimals, got, want)
			}
		})
	}
}

func TestDefinition_FormatChange(t *testing.T) {
	count := mustLookup(t, "referrals")
	pct := mustLookup(t, "cpp_second_or_subsequent_pct")
	tests := []struct {
		name string
		def  *indicators.Definition
		c    float64
		want string
	}{
		{"count up", count, 64310, "+64,310"},
		{"count down", count, -22160, "-22,160"},
		{"count small", count, 7, "+7"},
		{"percent up", pct, 1.3, "+1.3 pts"},
		{"percent down", pct, -0.8, "-0.8 pts"},
		{"percent float noise", pct, 17.9 - 16.6, "+1.3 pts"},
		{"count zero", count, 0, "0"},
		{"percent rounds to zero", pct, -0.04, "0.0 pts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := tt.def.FormatChange(tt.c), tt.want; got != want {
				t.Errorf("FormatChange(%v) = %q, want %q", tt.c, got, want)
			}
		})
	}
	t.Run("no negative zero", func(t *testing.T) {
		if got := pct.FormatChange(-0.04); strings.Contains(got, "-") {
			t.Errorf("FormatChange(-0.04) = %q, want no minus sign on a change that rounds to zero", got)
		}
	})
}

func TestFormatChangePct(t *testing.T) {
	tests := []struct {
		pct  float64
		want string
	}{
		{10.836, "+10.8%"},
		{-3.369, "-3.4%"},
		{7.831, "+7.8%"},
		{7.1022, "+7.1%"},
		{100, "+100.0%"},
		{-100, "-100.0%"},
		{1234.56, "+1,234.6%"},
		{0.96, "+1.0%"},
		{0, "0.0%"},
		{-0.04, "0.0%"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got, want := indicators.FormatChangePct(tt.pct), tt.want; got != want {
				t.Errorf("FormatChangePct(%v) = %q, want %q", tt.pct, got, want)
			}
		})
	}
}

func TestDefinition_FormatValue(t *testing.T) {
	count := mustLookup(t, "referrals")
	pct := mustLookup(t, "cpp_ended_2yrs_plus_pct")
	tests := []struct {
		name string
		def  *indicators.Definition
		v    float64
		want string
	}{
		{"count", count, 635620, "635,620"},
		{"percent", pct, 3.7, "3.7%"},
		{"whole percent", pct, 21, "21.0%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := tt.def.FormatValue(tt.v), tt.want; got != want {
				t.Errorf("FormatValue(%v) = %q, want %q", tt.v, got, want)
			}
		})
	}
}

func TestDefinition_FormatPoint(t *testing.T) {
	def := mustLookup(t, "referrals")
	v := 635620.0
	tests := []struct {
		name string
		p    indicators.Point
		want string
	}{
		{"value", indicators.Point{Value: &v}, "635,620"},
		{"symbol", indicators.Point{Symbol: "c"}, "c"},
		{"nothing", indicators.Point{}, "no figure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := def.FormatPoint(tt.p), tt.want; got != want {
				t.Errorf("FormatPoint = %q, want %q", got, want)
			}
		})
	}
}

func TestDefinition_Magnitude(t *testing.T) {
	count := mustLookup(t, "referrals")
	pct := mustLookup(t, "cpp_second_or_subsequent_pct")
	tests := []struct {
		name string
		def  *indicators.Definition
		c    float64
		want string
	}{
		{"count", count, -22160, "22,160"},
		{"percent", pct, -0.8, "0.8 percentage points"},
		{"one point", pct, 1, "1.0 percentage point"},
		{"several points", pct, 3, "3.0 percentage points"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := tt.def.Magnitude(tt.c), tt.want; got != want {
				t.Errorf("Magnitude(%v) = %q, want %q", tt.c, got, want)
			}
		})
	}
}

func TestDefinition_ChangePhrase(t *testing.T) {
	def := mustLookup(t, "referrals")
	pctDef := mustLookup(t, "cpp_second_or_subsequent_pct")
	tests := []struct {
		name string
		def  *indicators.Definition
		obs  []indicators.Observation
		want string
	}{
		{
			name: "down",
			def:  def,
			obs:  referrals2013to2015()[1:],
			want: "down 22,160 (3.4%) on 2013/14",
		},
		{
			name: "unchanged",
			def:  def,
			obs:  []indicators.Observation{val("referrals", 2014, 100), val("referrals", 2015, 100)},
			want: "unchanged on 2013/14",
		},
		{
			name: "percent has no relative change",
			def:  pctDef,
			obs:  []indicators.Observation{val(pctDef.ID, 2015, 16.6), val(pctDef.ID, 2016, 17.9)},
			want: "up 1.3 percentage points on 2014/15",
		},
		{
			name: "after a symbol",
			def:  def,
			obs:  []indicators.Observation{sym("referrals", 2014, "x"), val("referrals", 2015, 100)},
			want: "no change shown: " + indicators.NoChangePrevEmpty,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := indicators.NewSeries(tt.def, indicators.England, tt.obs)
			last := s.Points[len(s.Points)-1]
			if got, want := tt.def.ChangePhrase(last), tt.want; got != want {
				t.Errorf("ChangePhrase = %q, want %q", got, want)
			}
		})
	}
}

func TestFormatNumber_HalvesRoundUp(t *testing.T) {
	for _, c := range []struct {
		v    float64
		d    int
		want string
	}{{12.25, 1, "12.3"}, {0.5, 0, "1"}, {-22.5, 0, "-23"}, {3.45, 1, "3.5"}} {
		if got := indicators.FormatNumber(c.v, c.d); got != c.want {
			t.Errorf("FormatNumber(%v, %d) = %q, want %q", c.v, c.d, got, c.want)
		}
	}
}

package indicators_test

import (
	"encoding/json"
	"testing"

	"cptrends/indicators"
)

func TestParsePeriod(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		tests := []struct {
			in         string
			wantYear   int
			wantString string
		}{
			{"2014/15", 2015, "2014/15"},
			{"2014-15", 2015, "2014/15"},
			{"2014-2015", 2015, "2014/15"},
			{"2014/2015", 2015, "2014/15"},
			{"201415", 2015, "2014/15"},
			{" 2014/15 ", 2015, "2014/15"},
			{"1999/00", 2000, "1999/00"},
			{"1999-2000", 2000, "1999/00"},
			{"199900", 2000, "1999/00"},
			{"2009/10", 2010, "2009/10"},
			{"1970/71", 1971, "1970/71"}, // earliest accepted
			{"2099/00", 2100, "2099/00"}, // latest accepted
		}
		for _, tt := range tests {
			t.Run(tt.in, func(t *testing.T) {
				got, err := indicators.ParsePeriod(tt.in)
				if err != nil {
					t.Fatalf("ParsePeriod(%q): %v", tt.in, err)
				}
				if got, want := got.EndYear(), tt.wantYear; got != want {
					t.Errorf("ParsePeriod(%q).EndYear() = %d, want %d", tt.in, got, want)
				}
				if got, want := got, indicators.PeriodOf(tt.wantYear); got != want {
					t.Errorf("ParsePeriod(%q) = %d, want %d", tt.in, got, want)
				}
				if got, want := got.String(), tt.wantString; got != want {
					t.Errorf("ParsePeriod(%q).String() = %q, want %q", tt.in, got, want)
				}
			})
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		tests := []struct{ name, in string }{
			{"years not consecutive", "2014/16"},
			{"years not consecutive long", "2014-2016"},
			{"year backwards", "2015/14"},
			{"century not consecutive", "1999/01"},
			{"calendar year alone", "2014"},
			{"two-digit years", "14/15"},
			{"letters", "abcd/ef"},
			{"trailing text", "2014/15x"},
			{"leading text", "x2014/15"},
			{"empty", ""},
			{"spaces only", "   "},
			{"signed", "+014/15"},
			{"six digits not consecutive", "201416"},
			{"other separator", "2014.15"},
			{"too early", "1969/70"},
			{"too early six digits", "000001"},
			{"too late", "2100/01"},
			{"far future", "9998/99"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := indicators.ParsePeriod(tt.in)
				if err == nil {
					t.Fatalf("ParsePeriod(%q) = %v, want an error", tt.in, got)
				}
				if got != 0 {
					t.Errorf("ParsePeriod(%q) returned period %d with its error, want 0", tt.in, got)
				}
			})
		}
	})
}

func TestPeriod_Navigation(t *testing.T) {
	p := indicators.PeriodOf(2015)
	if got, want := p.Prev().String(), "2013/14"; got != want {
		t.Errorf("Prev() = %q, want %q", got, want)
	}
	if got, want := p.Next().String(), "2015/16"; got != want {
		t.Errorf("Next() = %q, want %q", got, want)
	}
	if !p.Prev().Before(p) || p.Before(p) || p.Next().Before(p) {
		t.Errorf("Before: want only 2013/14 before 2014/15")
	}
	var zero indicators.Period
	if !zero.IsZero() || p.IsZero() {
		t.Errorf("IsZero: want true for the zero period only")
	}
	if got, want := zero.String(), ""; got != want {
		t.Errorf("zero period String() = %q, want %q", got, want)
	}
}

func TestPeriod_JSON(t *testing.T) {
	type doc struct {
		Period indicators.Period `json:"period"`
	}

	t.Run("RoundTrip", func(t *testing.T) {
		for _, year := range []int{2000, 2010, 2015, 2025} {
			in := doc{Period: indicators.PeriodOf(year)}
			b, err := json.Marshal(in)
			if err != nil {
				t.Fatal(err)
			}
			var out doc
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatalf("Unmarshal(%s): %v", b, err)
			}
			if got, want := out, in; got != want {
				t.Errorf("round trip of %d via %s = %d, want %d", year, b, got.Period, want.Period)
			}
		}
	})

	t.Run("Marshal", func(t *testing.T) {
		b, err := json.Marshal(doc{Period: indicators.PeriodOf(2015)})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(b), `{"period":"2014/15"}`; got != want {
			t.Errorf("Marshal = %s, want %s", got, want)
		}
	})

	t.Run("UnmarshalAnyForm", func(t *testing.T) {
		for _, s := range []string{`"2014/15"`, `"2014-15"`, `"2014-2015"`, `"201415"`} {
			var p indicators.Period
			if err := json.Unmarshal([]byte(s), &p); err != nil {
				t.Fatalf("Unmarshal(%s): %v", s, err)
			}
			if got, want := p, indicators.PeriodOf(2015); got != want {
				t.Errorf("Unmarshal(%s) = %v, want %v", s, got, want)
			}
		}
	})

	t.Run("UnmarshalInvalid", func(t *testing.T) {
		for _, s := range []string{`"2014/16"`, `""`, `2015`, `"2014"`, `"14/15"`} {
			var d doc
			err := json.Unmarshal([]byte(`{"period":`+s+`}`), &d)
			if err == nil {
				t.Errorf("Unmarshal(%s) = %v, want an error", s, d.Period)
			}
		}
	})
}

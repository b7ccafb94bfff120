package indicators

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Period is a reporting year ending 31 March, held as the calendar year in
// which it ends: 2015 is 2014/15. Counts "at 31 March 2015" belong to 2014/15.
type Period int

// Earliest and latest reporting years accepted. The first child protection
// registers date from the 1970s; a year that has not yet begun is no
// reporting year at all.
const (
	minEndYear = 1971
	maxEndYear = 2100
)

// PeriodOf returns the reporting year that ends on 31 March of endYear.
func PeriodOf(endYear int) Period { return Period(endYear) }

// ParsePeriod reads a reporting year written as 2014/15, 2014-15, 2014-2015
// or 201415.
func ParsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(s)
	var first, second string
	switch {
	case len(s) == 7 && (s[4] == '/' || s[4] == '-'):
		first, second = s[:4], s[5:]
	case len(s) == 9 && (s[4] == '-' || s[4] == '/'):
		first, second = s[:4], s[5:]
	case len(s) == 6:
		first, second = s[:4], s[4:]
	default:
		return 0, fmt.Errorf("%q is not a reporting year; write it as 2014/15", s)
	}
	start, err1 := strconv.Atoi(first)
	end, err2 := strconv.Atoi(second)
	if err1 != nil || err2 != nil || !allDigits(first) || !allDigits(second) {
		return 0, fmt.Errorf("%q is not a reporting year; write it as 2014/15", s)
	}
	if len(second) == 2 {
		if end != (start+1)%100 {
			return 0, fmt.Errorf("%q is not a reporting year: %d is not followed by %02d", s, start, end)
		}
	} else if end != start+1 {
		return 0, fmt.Errorf("%q is not a reporting year: %d is not followed by %d", s, start, end)
	}
	return PeriodFromEndYear(start + 1)
}

// PeriodFromEndYear checks that endYear is a plausible reporting year end.
func PeriodFromEndYear(endYear int) (Period, error) {
	if endYear < minEndYear || endYear > maxEndYear {
		return 0, fmt.Errorf("%d/%02d is outside the years this tool accepts (%d/%02d to %d/%02d)",
			endYear-1, endYear%100, minEndYear-1, minEndYear%100, maxEndYear-1, maxEndYear%100)
	}
	return Period(endYear), nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// String writes the period as statisticians do: 2014/15.
func (p Period) String() string {
	if p.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d/%02d", int(p)-1, int(p)%100)
}

// EndYear is the calendar year in which the reporting year ends.
func (p Period) EndYear() int { return int(p) }

// IsZero reports whether p is unset.
func (p Period) IsZero() bool { return p == 0 }

// Before reports whether p comes before q.
func (p Period) Before(q Period) bool { return p < q }

// Prev is the reporting year before p.
func (p Period) Prev() Period { return p - 1 }

// Next is the reporting year after p.
func (p Period) Next() Period { return p + 1 }

// MarshalJSON writes the period as "2014/15".
func (p Period) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

// UnmarshalJSON reads a period in any form ParsePeriod accepts.
func (p *Period) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParsePeriod(s)
	if err != nil {
		return err
	}
	*p = v
	return nil
}

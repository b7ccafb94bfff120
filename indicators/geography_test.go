package indicators_test

import (
	"regexp"
	"testing"

	"cptrends/indicators"
)

// TestValidCode: the byte-by-byte check agrees with the pattern it stands
// for, one capital letter and eight digits.
func TestValidCode(t *testing.T) {
	pattern := regexp.MustCompile(`^[A-Z][0-9]{8}$`)
	for _, s := range []string{"E92000001", "E0900001", "e92000001", "E920000011", "EE2000001", "E9200000A", "", "Z12345678", "@12345678", "[12345678"} {
		if got, want := indicators.ValidCode(s), pattern.MatchString(s); got != want {
			t.Errorf("ValidCode(%q) = %v, want %v", s, got, want)
		}
	}
}

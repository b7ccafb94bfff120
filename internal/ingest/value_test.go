package ingest

import (
	"regexp"
	"testing"
)

// TestIsNumber checks isNumber against the regular expression it writes
// out, on every string of up to six characters from a small alphabet.
func TestIsNumber(t *testing.T) {
	pattern := regexp.MustCompile(`^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$`)
	alphabet := []byte("01,.-x")
	var walk func(s []byte)
	walk = func(s []byte) {
		if got, want := isNumber(string(s)), pattern.MatchString(string(s)); got != want {
			t.Fatalf("isNumber(%q) = %v, want %v", s, got, want)
		}
		if len(s) == 6 {
			return
		}
		for _, c := range alphabet {
			walk(append(s, c))
		}
	}
	walk(nil)
	for _, s := range []string{"635,600", "1,234,567.89", "12,34", "1234,567", "1,2345", "17.3", "0.5", "1,000.", ".5"} {
		if got, want := isNumber(s), pattern.MatchString(s); got != want {
			t.Errorf("isNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

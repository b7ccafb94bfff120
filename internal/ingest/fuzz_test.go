package ingest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"testing"

	"cptrends/indicators"
	"cptrends/internal/ingest"
)

// FuzzParse feeds arbitrary bytes to Read, seeded with every file in
// testdata/native. Run it with
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 30s ./internal/ingest
func FuzzParse(f *testing.F) {
	err := filepath.WalkDir(nativeDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f.Add(b)
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("indicator,period,value\nreferrals,2014/15,\"635,620\"\n"))
	f.Add([]byte("indicator,period,value\r\nreferrals,2014/15,\"1\r\n2\"\r\n"))
	f.Add([]byte("indicator,period,value\nreferrals,2014/15,\"635620"))
	f.Add([]byte("indicator,period,value\ncpp_ended_2yrs_plus_pct,2014/15,3.7%\n"))

	cat := indicators.Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.csv"
		res := ingest.Read(cat, ingest.Options{}, ingest.Input{Name: name, R: bytes.NewReader(data)})

		// Lines that exist: one per newline, plus an unterminated last line;
		// an empty file is reported on line 1.
		lines := bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			lines++
		}
		lines = max(lines, 1)
		for _, p := range res.Problems {
			if p.Line < 1 || p.Line > lines {
				t.Errorf("problem on line %d of a %d-line input: %s", p.Line, lines, p.Error())
			}
			if p.File != name {
				t.Errorf("problem names file %q, want %q", p.File, name)
			}
			if p.Column == "" || p.Message == "" {
				t.Errorf("problem with no column or message: %#v", p)
			}
		}

		if !res.OK() && len(res.Observations) > 0 {
			t.Errorf("refused input yields %d observations, want none", len(res.Observations))
		}
		for _, o := range res.Observations {
			def, ok := cat.Lookup(o.Indicator)
			if !ok {
				t.Errorf("observation of unknown indicator %q", o.Indicator)
				continue
			}
			if o.Period.IsZero() {
				t.Errorf("%s: no period", o.Indicator)
			}
			if p, err := indicators.ParsePeriod(o.Period.String()); err != nil || p != o.Period {
				t.Errorf("%s: period %d does not round-trip: %v", o.Indicator, o.Period, err)
			}
			if !indicators.ValidCode(o.Geography.Code) {
				t.Errorf("%s: geography code %q", o.Indicator, o.Geography.Code)
			}
			if o.Value == nil {
				if _, known := indicators.ParseSymbol(string(o.Symbol)); !known {
					t.Errorf("%s %s: no value and unknown symbol %q", o.Indicator, o.Period, o.Symbol)
				}
				continue
			}
			v := *o.Value
			switch {
			case o.Symbol != "":
				t.Errorf("%s %s: both value %v and symbol %q", o.Indicator, o.Period, v, o.Symbol)
			case math.IsNaN(v) || math.IsInf(v, 0):
				t.Errorf("%s %s: value %v is not finite", o.Indicator, o.Period, v)
			case v < 0 || math.Signbit(v):
				t.Errorf("%s %s: value %v is negative", o.Indicator, o.Period, v)
			case def.IsPercent() && v > 100:
				t.Errorf("%s %s: percentage %v over 100", o.Indicator, o.Period, v)
			case !def.IsPercent() && v != math.Trunc(v):
				t.Errorf("%s %s: count %v is not whole", o.Indicator, o.Period, v)
			}
		}

		if len(res.Files) != 1 {
			t.Fatalf("len(Files) = %d, want 1", len(res.Files))
		}
		sum := sha256.Sum256(data)
		if got, want := res.Files[0].SHA256, hex.EncodeToString(sum[:]); got != want {
			t.Errorf("SHA256 = %s, want %s", got, want)
		}
		if got, want := res.Files[0].Size, int64(len(data)); got != want {
			t.Errorf("Size = %d, want %d", got, want)
		}
	})
}

// FuzzParseValue: a value is accepted only as a finite, non-negative
// number within its unit's range, or a known symbol, never both.
func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"635620", "635,620", "17.3", "c", "..", "-1", "NaN", "1e5", "100.0", "1,00", " 12 ", "99999999999999999999"} {
		f.Add(s)
	}
	count, _ := indicators.Default().Lookup("referrals")
	pct, _ := indicators.Default().Lookup("cpp_second_or_subsequent_pct")
	f.Fuzz(func(t *testing.T, s string) {
		for _, def := range []*indicators.Definition{count, pct} {
			v, sym, err := ingest.ParseValue(def, s)
			switch {
			case err != nil:
				if v != nil || sym != "" {
					t.Fatalf("%q: an error with a value or symbol", s)
				}
			case sym != "":
				if v != nil || sym.Meaning() == "" {
					t.Fatalf("%q: symbol %q with a value, or unknown", s, sym)
				}
			case v == nil:
				t.Fatalf("%q: neither a value nor a symbol nor an error", s)
			case math.IsNaN(*v) || math.IsInf(*v, 0) || *v < 0:
				t.Fatalf("%q: accepted %v", s, *v)
			case def.IsPercent() && *v > 100:
				t.Fatalf("%q: a percentage of %v", s, *v)
			case !def.IsPercent() && *v != math.Trunc(*v):
				t.Fatalf("%q: a count of %v", s, *v)
			}
		}
	})
}

package ingest_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"cptrends/indicators"
	"cptrends/internal/ingest"
)

// TestStream checks that Stream finds what Read finds, file by file: the
// same problems, files and ignored columns, and (for a sound file) the same
// observations, handed to the sink in order.
func TestStream(t *testing.T) {
	var paths []string
	for _, pattern := range []string{"../../testdata/native/*/*.csv", "../../testdata/ees/*/*.csv", "../../testdata/ees/*.csv"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	if len(paths) < 10 {
		t.Fatalf("found only %d fixtures", len(paths))
	}
	for _, p := range paths {
		t.Run(filepath.Base(filepath.Dir(p))+"/"+filepath.Base(p), func(t *testing.T) {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			want := ingest.Read(indicators.Default(), ingest.Options{}, ingest.Input{Name: "f.csv", R: bytes.NewReader(b)})
			var got []indicators.Observation
			res, err := ingest.Stream(indicators.Default(), ingest.Options{}, func(o indicators.Observation) error {
				got = append(got, o)
				return nil
			}, ingest.Input{Name: "f.csv", R: bytes.NewReader(b)})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res.Problems, want.Problems) || res.Omitted != want.Omitted {
				t.Errorf("problems:\n got %v\nwant %v", res.Problems, want.Problems)
			}
			if !reflect.DeepEqual(res.Files, want.Files) || !reflect.DeepEqual(res.Ignored, want.Ignored) {
				t.Errorf("files %v ignored %v, want %v %v", res.Files, res.Ignored, want.Files, want.Ignored)
			}
			if len(res.Observations) != 0 {
				t.Errorf("Stream kept %d observations in the Result", len(res.Observations))
			}
			if want.OK() && !reflect.DeepEqual(got, want.Observations) {
				t.Errorf("sink got %d observations, Read %d", len(got), len(want.Observations))
			}
		})
	}
}

// TestStream_ErrSink checks that the sink's first error ends the reading
// and is returned, and that the sink is not called after a problem.
func TestStream_ErrSink(t *testing.T) {
	csv := "indicator,period,value\nreferrals,2013/14,1\nreferrals,2014/15,2\nreferrals,2015/16,3\n"
	t.Run("ErrSink", func(t *testing.T) {
		stop := errors.New("stop")
		calls := 0
		_, err := ingest.Stream(indicators.Default(), ingest.Options{}, func(indicators.Observation) error {
			calls++
			return stop
		}, ingest.Input{Name: "a.csv", R: bytes.NewBufferString(csv)}, ingest.Input{Name: "b.csv", R: bytes.NewBufferString(csv)})
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("err %v after %d calls, want %v after 1", err, calls, stop)
		}
	})
	t.Run("ErrProblem", func(t *testing.T) {
		bad := "indicator,period,value\nreferrals,2013/14,1\nreferrals,2014/15,many\nreferrals,2015/16,3\n"
		calls := 0
		res, err := ingest.Stream(indicators.Default(), ingest.Options{}, func(indicators.Observation) error {
			calls++
			return nil
		}, ingest.Input{Name: "a.csv", R: bytes.NewBufferString(bad)})
		if err != nil || res.OK() || calls != 1 {
			t.Errorf("err %v, ok %v, %d calls; want a problem and 1 call (before it)", err, res.OK(), calls)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		res, _ := ingest.Stream(indicators.Default(), ingest.Options{}, func(indicators.Observation) error { return nil },
			ingest.Input{Name: "a.csv", R: bytes.NewBufferString(csv)},
			ingest.Input{Name: "b.csv", R: bytes.NewBufferString("indicator,period,value,note\nreferrals,2013/14,1,\nreferrals,2014/15,2,revised\n")})
		want := []ingest.Problem{{File: "b.csv", Line: 3, Column: "value", Message: "conflicts with a.csv line 3, which gives 2 for referrals, E92000001, 2014/15"}}
		if !reflect.DeepEqual(res.Problems, want) {
			t.Errorf("problems %v, want %v (an identical repeat is harmless; a different note is not)", res.Problems, want)
		}
	})
}

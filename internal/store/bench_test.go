package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"cptrends/indicators"
)

// benchObservations are n values over many areas, years and indicators.
func benchObservations(n int) []indicators.Observation {
	ids := []string{"referrals", "children_referred", "cpp_started", "cpp_at_31_march", "cpp_ended_2yrs_plus",
		"cpp_ended_2yrs_plus_pct", "cpp_at_31_march_2yrs_plus_pct", "cpp_second_or_subsequent", "cpp_second_or_subsequent_pct"}
	out := make([]indicators.Observation, n)
	for i := range out {
		area := i / (len(ids) * 25)
		code := fmt.Sprintf("E05%06d", area)
		o := indicators.Observation{Indicator: ids[i%len(ids)], Period: indicators.Period(2001 + (i/len(ids))%25),
			Geography: indicators.Geography{Code: code, Name: fmt.Sprintf("Area %d", area), Level: indicators.LevelLocal}}
		if i%97 == 0 {
			o.Symbol = "c"
		} else {
			o.Value = num(float64(100 + i%5000))
		}
		if i%101 == 0 {
			o.Note = "Revised, after late returns."
		}
		out[i] = o
	}
	return out
}

func benchStore(b *testing.B) *Store {
	b.Helper()
	st, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

func streamAll(st *Store, obs []indicators.Observation) (Summary, error) {
	return st.ImportStream(context.Background(), StreamUpload{By: "bench"}, func(add func(indicators.Observation) error) ([]File, error) {
		for _, o := range obs {
			if err := add(o); err != nil {
				return nil, err
			}
		}
		return []File{{Name: "bench.csv", SHA256: "x", Rows: len(obs)}}, nil
	})
}

// BenchmarkImportStream writes 100,000 new values into an empty database.
func BenchmarkImportStream(b *testing.B) {
	benchImportNew(b, benchObservations(100_000))
}

// BenchmarkImportStreamYearByYear writes 100,000 new values given year by
// year, as EES files are laid out: each chunk adds a year or so to every
// series.
func BenchmarkImportStreamYearByYear(b *testing.B) {
	obs := benchObservations(100_000)
	slices.SortStableFunc(obs, func(x, y indicators.Observation) int { return int(x.Period - y.Period) })
	benchImportNew(b, obs)
}

// benchImportNew times the import of obs into a new database.
func benchImportNew(b *testing.B, obs []indicators.Observation) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		st := benchStore(b)
		b.StartTimer()
		sum, err := streamAll(st, obs)
		if err != nil || sum.Added != len(obs) {
			b.Fatalf("ImportStream: %v, %+v", err, sum)
		}
	}
	b.ReportMetric(float64(len(obs)*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkImportStreamRevise compares 100,000 values with the current
// ones, each found in the database, and writes the tenth that changed.
func BenchmarkImportStreamRevise(b *testing.B) {
	obs := benchObservations(100_000)
	revised := make([]indicators.Observation, len(obs))
	copy(revised, obs)
	for i := 0; i < len(revised); i += 10 {
		revised[i].Value, revised[i].Symbol = num(float64(i)), ""
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		st := benchStore(b)
		if _, err := streamAll(st, obs); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := streamAll(st, revised)
		if err != nil || sum.Added != 0 {
			b.Fatalf("ImportStream: %v, %+v", err, sum)
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

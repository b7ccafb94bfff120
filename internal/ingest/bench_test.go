package ingest

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"cptrends/indicators"
	"cptrends/internal/store"
)

// benchNative is a native file of n rows over many areas, years and
// indicators, with some symbols and notes.
func benchNative(n int) []byte {
	var b bytes.Buffer
	b.WriteString("indicator,period,geography_code,geography_name,value,note\n")
	ids := []string{"referrals", "children_referred", "cpp_started", "cpp_at_31_march", "cpp_ended_2yrs_plus",
		"cpp_ended_2yrs_plus_pct", "cpp_at_31_march_2yrs_plus_pct", "cpp_second_or_subsequent", "cpp_second_or_subsequent_pct"}
	for i := 0; i < n; i++ {
		id := ids[i%len(ids)]
		year := 2001 + (i/len(ids))%25
		area := i / (len(ids) * 25)
		value := fmt.Sprint(100 + i%5000)
		switch {
		case i%97 == 0:
			value = "c"
		case id[len(id)-3:] == "pct":
			value = fmt.Sprintf("%d.%d", i%100, i%10)
		}
		note := ""
		if i%101 == 0 {
			note = `"Revised, after late returns."`
		}
		fmt.Fprintf(&b, "%s,%d/%02d,E05%06d,Area %d,%s,%s\n", id, year-1, year%100, area, area, value, note)
	}
	return b.Bytes()
}

// BenchmarkStream reads and validates a native file of 100,000 rows.
func BenchmarkStream(b *testing.B) {
	data := benchNative(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		res, err := Stream(indicators.Default(), Options{}, func(indicators.Observation) error { n++; return nil },
			Input{Name: "bench.csv", R: bytes.NewReader(data)})
		if err != nil || !res.OK() || n != 100_000 {
			b.Fatalf("Stream: %v, %v, %d observations", err, res.Problems, n)
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkRead is BenchmarkStream keeping every observation in memory.
func BenchmarkRead(b *testing.B) {
	data := benchNative(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		res := Read(indicators.Default(), Options{}, Input{Name: "bench.csv", R: bytes.NewReader(data)})
		if !res.OK() || len(res.Observations) != 100_000 {
			b.Fatalf("Read: %v, %d observations", res.Problems, len(res.Observations))
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkStreamImport reads a native file of 100,000 rows and writes it
// into a new database in one pass, as cptrends import does.
func BenchmarkStreamImport(b *testing.B) {
	data := benchNative(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		var res *Result
		sum, err := st.ImportStream(context.Background(), store.StreamUpload{By: "bench"},
			func(add func(indicators.Observation) error) ([]store.File, error) {
				var err error
				res, err = Stream(indicators.Default(), Options{}, add, Input{Name: "bench.csv", R: bytes.NewReader(data)})
				return res.Files, err
			})
		if err != nil || !res.OK() || sum.Added != 100_000 {
			b.Fatalf("import: %v, %v, %+v", err, res.Problems, sum)
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

package ingest

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"cptrends/indicators"
)

// millionColumns is a header of a million empty column names, then a row.
func millionColumns() []byte {
	return append(bytes.Repeat([]byte(","), 1_000_000), "\nreferrals,2014/15,1\n"...)
}

// TestRead_TooManyColumns: a header of a million empty columns is refused
// at line 1, before it is parsed, as is a header too long to be one
// (finding 2).
func TestRead_TooManyColumns(t *testing.T) {
	for name, body := range map[string][]byte{
		"a million empty columns": millionColumns(),
		"501 named columns":       []byte("indicator,period,value" + strings.Repeat(",x", MaxColumns-2) + "\nreferrals,2014/15,1\n"),
		"one 100 KB column name":  []byte("indicator,period,value," + strings.Repeat("x", 100<<10) + "\nreferrals,2014/15,1,\n"),
		"EES with 600 measures":   []byte("time_period,time_identifier,geographic_level" + strings.Repeat(",m", 600) + "\n"),
	} {
		t.Run(name, func(t *testing.T) {
			res := Read(indicators.Default(), Options{}, Input{Name: "wide.csv", R: bytes.NewReader(body)})
			if res.OK() || len(res.Problems) != 1 || res.Problems[0].Line != 1 {
				t.Fatalf("problems = %v, want one at line 1", res.Problems)
			}
			if msg := res.Problems[0].Message; !strings.Contains(msg, "columns") && !strings.Contains(msg, "header line is longer") {
				t.Errorf("message %q does not say what is wrong", msg)
			}
			if len(res.Files) != 1 || res.Files[0].Size != int64(len(body)) {
				t.Errorf("files = %+v; the whole file should be read for its checksum", res.Files)
			}
		})
	}
	// 500 columns are read.
	var ok strings.Builder
	ok.WriteString("indicator,period,value")
	for i := 3; i < MaxColumns; i++ {
		fmt.Fprintf(&ok, ",extra%d", i)
	}
	ok.WriteString("\nreferrals,2014/15,1" + strings.Repeat(",", MaxColumns-3) + "\n")
	res := Read(indicators.Default(), Options{}, Input{Name: "ok.csv", R: strings.NewReader(ok.String())})
	if len(res.Problems) > 0 && strings.Contains(res.Problems[0].Message, "columns;") {
		t.Errorf("a file of %d columns refused for its width: %v", MaxColumns, res.Problems[0])
	}
}

// BenchmarkRead_MillionColumns measures refusing a header of a million
// empty columns: the target is under a second and under 20 MB.
func BenchmarkRead_MillionColumns(b *testing.B) {
	body := millionColumns()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for b.Loop() {
		res := Read(indicators.Default(), Options{}, Input{Name: "wide.csv", R: bytes.NewReader(body)})
		if res.OK() {
			b.Fatal("accepted")
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "MB-alloc/op")
}

const eesHeader = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,Referrals,Referrals_rate\n"

// TestReadEES_LACodes: codes are taken only from the local authority rows
// read, with the year they give, and checked as other text is (finding 1).
func TestReadEES_LACodes(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		header := strings.Replace(eesHeader, "la_name,", "la_name,age_group,", 1)
		res := Read(indicators.Default(), Options{}, Input{Name: "f.csv", R: strings.NewReader(header +
			"2024,Reporting year,Local authority,E92000001,England,E13000001,Inner London,204,E09000012,Hackney,Total,1234,456.7\n" +
			"2100,Reporting year,Local authority,E92000001,England,E12000001,North East,840,E09000012,Hackney,Under 1,1,1\n")})
		if !res.OK() {
			t.Fatal(res.Problems)
		}
		if len(res.LACodes) != 1 || res.LACodes[0].RegionCode != "E13000001" || res.LACodes[0].LastPeriod != 2024 {
			t.Errorf("codes = %+v; want Hackney in Inner London for 2023/24 only (the row below Total is skipped)", res.LACodes)
		}
	})
	for _, tc := range []struct{ name, row, column string }{
		{"region name with a line break", `2024,Reporting year,Local authority,E92000001,England,E12000001,"North East` + "\n" + `Data version: 999999",840,E09000012,Hackney,1234,456.7`, "region_name"},
		{"region code not a region", "2024,Reporting year,Local authority,E92000001,England,E06000001,North East,840,E09000012,Hackney,1234,456.7", "region_code"},
		{"old code not three digits", "2024,Reporting year,Local authority,E92000001,England,E12000001,North East,8400,E09000012,Hackney,1234,456.7", "old_la_code"},
		{"region name too long", "2024,Reporting year,Local authority,E92000001,England,E12000001," + strings.Repeat("N", 201) + ",840,E09000012,Hackney,1234,456.7", "region_name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Read(indicators.Default(), Options{}, Input{Name: "f.csv", R: strings.NewReader(eesHeader + tc.row + "\n")})
			if res.OK() || len(res.Problems) != 1 || res.Problems[0].Column != tc.column || res.Problems[0].Line != 2 {
				t.Fatalf("problems = %v; want one in %s at line 2", res.Problems, tc.column)
			}
		})
	}
}

package ingest_test

import (
	"context"
	"path/filepath"
	"testing"
	"testing/fstest"

	"cptrends/indicators"
	"cptrends/internal/ingest"
	"cptrends/internal/store"
)

func newBundledStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "cptrends.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

const eesHeader = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,category,CPP_start,CPP_subsequent_percent\n"

// The bundled data is loaded one upload per release, in order (release
// folders by year, then the native files), so that a later release's
// figure revises an earlier one; and all of it or none.
func TestLoadBundled(t *testing.T) {
	row := func(year, start, pct string) string {
		return year + ",Reporting year,Local authority,E92000001,England,E13000001,Inner London,204,E09000012,Hackney,Child Protection Plans which are a second or subsequent plan," + start + "," + pct + "\n"
	}
	fsys := fstest.MapFS{
		// Named so that sorting by name alone would load them in the
		// wrong order: releases go by folder, native files last.
		"2025/a.csv":   {Data: []byte(eesHeader + row("2022", "300", "22.7") + row("2025", "272", "18.4"))},
		"2025/z.csv":   {Data: []byte("Short Desc,Data item,Years,LA and Regions,Values,LA Number,Region\nCPRDuration,,2025,Hackney,7,204,Inner London\n")},
		"2024/z.csv":   {Data: []byte(eesHeader + row("2022", "310", "23.3"))},
		"a_native.csv": {Data: []byte("indicator,period,geography_code,value\nreferrals,2024/25,E92000001,632830\n")},
	}
	t.Run("OK", func(t *testing.T) {
		st := newBundledStore(t)
		if err := ingest.LoadBundled(context.Background(), st, indicators.Default(), fsys, "test"); err != nil {
			t.Fatal(err)
		}
		ups, err := st.Uploads(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var files [][]string
		for i := len(ups) - 1; i >= 0; i-- { // oldest first
			var names []string
			for _, f := range ups[i].Files {
				names = append(names, f.Name)
			}
			files = append(files, names)
		}
		want := [][]string{{"2024/z.csv"}, {"2025/a.csv", "2025/z.csv"}, {"a_native.csv"}}
		if len(files) != len(want) {
			t.Fatalf("uploads %q, want %q", files, want)
		}
		for i := range want {
			if !equalStringSlices(files[i], want[i]) {
				t.Errorf("upload %d files %q, want %q", i+1, files[i], want[i])
			}
		}
		obs, err := st.Observations(context.Background(), "cpp_second_or_subsequent_pct", "E09000012")
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range obs {
			if o.Period == indicators.PeriodOf(2022) && (o.Value == nil || *o.Value != 22.7 || o.Earlier == nil || *o.Earlier.Value != 23.3) {
				t.Errorf("2021/22 = %s, earlier %+v; want 22.7 revising 23.3", describeObs(o), o.Earlier)
			}
		}
		ended, _ := st.Observations(context.Background(), "cpp_ended_2yrs_plus", "E09000012")
		if len(ended) != 1 || *ended[0].Value != 7 {
			t.Errorf("LAIT's Hackney = %v, want 7, its number mapped through the release's EES rows", ended)
		}
	})
	t.Run("NoneIfAnyRefused", func(t *testing.T) {
		bad := fstest.MapFS{}
		for k, v := range fsys {
			bad[k] = v
		}
		bad["2025/z.csv"] = &fstest.MapFile{Data: []byte("Short Desc,Data item,Years,LA and Regions,Values,LA Number,Region\nCPRDuration,,2025,Nowhere,7,999,Inner London\n")}
		st := newBundledStore(t)
		if err := ingest.LoadBundled(context.Background(), st, indicators.Default(), bad, "test"); err == nil {
			t.Fatal("loaded a release with a refused file")
		}
		if has, err := st.HasUploads(context.Background()); err != nil || has {
			t.Errorf("HasUploads = %v, %v; want no upload at all", has, err)
		}
	})
}

func equalStringSlices(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"cptrends/internal/store"
)

// TestImportRecordsNewAuthority: the CLI import records the codes and
// region of an authority new in a release, as the bundled load does, so
// that the picker places it under its region; a dry run records nothing.
func TestImportRecordsNewAuthority(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "later_release.csv")
	ees := "\xEF\xBB\xBFtime_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,Referrals,Referrals_rate\n" +
		"2026,Reporting year,Local authority,E92000001,England,E12000002,North West,998,E06000099,Newtown,1234,456.7\n"
	if err := os.WriteFile(file, []byte(ees), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "cptrends.db")
	lookup := func() store.LACode {
		t.Helper()
		st, err := store.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		codes, err := st.LACodes(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return codes["E06000099"]
	}
	if res := runMain(t, "import", "--db", db, "--dry-run", file); res.Code != 0 {
		t.Fatalf("dry run: %d\n%s", res.Code, res.Stderr)
	}
	if c := lookup(); c.New != "" {
		t.Errorf("a dry run recorded %+v", c)
	}
	mustImport(t, db, file)
	if c := lookup(); c.Old != "998" || c.Name != "Newtown" || c.RegionCode != "E12000002" {
		t.Errorf("Newtown's codes = %+v", c)
	}
}

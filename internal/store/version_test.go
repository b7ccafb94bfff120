package store

import (
	"context"
	"testing"
	"time"

	"cptrends/indicators"
)

// TestStore_RecentDataVersion: the version from memory follows changes
// made through the same Store at once, and changes made by another
// process (here a second Store on the same file) within versionRecheck.
func TestStore_RecentDataVersion(t *testing.T) {
	ctx := context.Background()
	st, path := newTestStore(t)
	recent := func(st *Store) int64 {
		t.Helper()
		v, err := st.RecentDataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	check := func(name string, want int64) {
		t.Helper()
		exact, err := st.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := recent(st); got != want || exact != want {
			t.Errorf("%s: RecentDataVersion = %d, DataVersion = %d, want %d", name, got, exact, want)
		}
	}

	check("new", 0)
	sum := mustImport(t, st, obs("referrals", 2020, num(1), ""))
	check("import", 1)
	staged, err := st.Stage(ctx, NewUpload{By: "test", Observations: []indicators.Observation{obs("referrals", 2021, num(2), "")}})
	if err != nil {
		t.Fatal(err)
	}
	check("stage (not data yet)", 1)
	if err := st.Commit(ctx, staged.UploadID); err != nil {
		t.Fatal(err)
	}
	check("commit", 2)
	if err := st.Rollback(ctx, sum.UploadID, "test"); err != nil {
		t.Fatal(err)
	}
	check("rollback", 3)

	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if got := recent(other); got != 3 {
		t.Fatalf("another Store on the file = %d, want 3", got)
	}
	mustImport(t, other, obs("referrals", 2022, num(3), ""))
	deadline := time.Now().Add(5 * time.Second)
	for recent(st) != 4 {
		if time.Now().After(deadline) {
			t.Fatalf("an import by another process is not seen after 5 s: version %d", recent(st))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

package store

import (
	"context"
	"errors"
	"sync"
	"testing"

	"cptrends/indicators"
)

// Two Stores on one database stand for two instances of cptrends: on
// PostgreSQL, two processes sharing a server; on SQLite, two processes
// sharing a file.
func twoStores(t *testing.T) (*Store, *Store) {
	t.Helper()
	a, dsn := newTestStore(t)
	b, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return a, b
}

// TestStore_Shared_OpenTogether: instances starting together on a new
// database migrate it once, one after the other, without error.
func TestStore_Shared_OpenTogether(t *testing.T) {
	_, dsn := newTestStore(t) // makes the database (a schema, on PostgreSQL)
	ctx := context.Background()
	if IsPostgres(dsn) {
		// An empty schema of its own, so that the opens below find no tables.
		st, _ := Open(ctx, dsn)
		var schema string
		st.db.QueryRow(`SELECT current_schema()`).Scan(&schema)
		for _, q := range []string{`DROP SCHEMA ` + schema + ` CASCADE`, `CREATE SCHEMA ` + schema} {
			if _, err := st.db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		st.Close()
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := Open(ctx, dsn)
			if err == nil {
				_, err = st.Users(ctx)
				st.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	st, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var rows, latest int
	st.db.QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&rows, &latest)
	if migs, _ := loadMigrations(); rows != len(migs) || latest != migs[len(migs)-1].version {
		t.Fatalf("schema_migrations has %d rows up to %d; want one for each of the %d versions", rows, latest, len(migs))
	}
}

// TestStore_Shared_ImportAllOnce: the bundled data loads once, whichever
// instance gets there first.
func TestStore_Shared_ImportAllOnce(t *testing.T) {
	a, b := twoStores(t)
	ctx := context.Background()
	ups := []NewUpload{
		{By: "older", Observations: []indicators.Observation{obs("referrals", 2022, num(14990), "")}},
		{By: "latest", Observations: []indicators.Observation{obs("referrals", 2022, num(14550), "")}},
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, st := range []*Store{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = st.ImportAll(ctx, ups) }()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if ups, _ := b.Uploads(ctx); len(ups) != 2 {
		t.Fatalf("%d uploads after two instances loaded the bundled data; want 2", len(ups))
	}
}

// TestStore_Shared_CommitTogether: two instances committing previews of
// the same cells at once: one commits, the other finds its preview out of
// date; and one upload committed from both commits once.
func TestStore_Shared_CommitTogether(t *testing.T) {
	ctx := context.Background()
	for round := range 5 {
		a, b := twoStores(t)
		mustImport(t, a, obs("referrals", 2014, num(100), ""))
		p1, err := a.Stage(ctx, NewUpload{By: "ana", Observations: []indicators.Observation{obs("referrals", 2014, num(101), "")}})
		if err != nil {
			t.Fatal(err)
		}
		p2, err := b.Stage(ctx, NewUpload{By: "bob", Observations: []indicators.Observation{obs("referrals", 2014, num(102), "")}})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i, c := range []struct {
			st *Store
			id int64
		}{{a, p1.UploadID}, {b, p2.UploadID}, {a, p1.UploadID}, {b, p1.UploadID}} {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = c.st.Commit(ctx, c.id) }()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case indicators.ErrorCode(err) != indicators.ECONFLICT:
				t.Fatalf("round %d: commit failed other than by conflict: %v", round, err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d commits succeeded (%v); want exactly one", round, ok, errs)
		}
		got := values(t, b, "referrals")[2014]
		ups, _ := a.Uploads(ctx)
		committed := 0
		for _, u := range ups {
			if u.Status == "committed" {
				committed++
			}
		}
		if committed != 2 || (got != "101.0" && got != "102.0") {
			t.Fatalf("round %d: %d committed uploads, value %s", round, committed, got)
		}
	}
}

// TestStore_Shared_RollbackAndCommit: a rollback through one instance
// and a commit through the other, at once, whose preview the rollback
// makes stale: whichever goes second sees the other's work.
func TestStore_Shared_RollbackAndCommit(t *testing.T) {
	ctx := context.Background()
	for round := range 5 {
		a, b := twoStores(t)
		mustImport(t, a, obs("referrals", 2014, num(100), ""))
		second := mustImport(t, a, obs("referrals", 2014, num(110), ""))
		p, err := b.Stage(ctx, NewUpload{By: "bob", Observations: []indicators.Observation{obs("referrals", 2014, num(120), "")}})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var rollErr, commitErr error
		wg.Add(2)
		go func() { defer wg.Done(); rollErr = a.Rollback(ctx, second.UploadID, "ana") }()
		go func() { defer wg.Done(); commitErr = b.Commit(ctx, p.UploadID) }()
		wg.Wait()
		if rollErr != nil {
			t.Fatalf("round %d: rollback: %v", round, rollErr)
		}
		got := values(t, a, "referrals")[2014]
		switch {
		case commitErr == nil && got == "120.0":
			// The commit went first; the rollback of an upload it replaced
			// leaves its value in force.
		case indicators.ErrorCode(commitErr) == indicators.ECONFLICT && got == "100.0":
			// The rollback went first, making the preview stale.
		default:
			t.Fatalf("round %d: commit = %v, value %s", round, commitErr, got)
		}
	}
}

package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cptrends/indicators"
	"cptrends/internal/store/storetest"

	_ "github.com/jackc/pgx/v5/stdlib"
)

func newTestStore(t *testing.T) (*Store, string) {
	t.Helper()
	path := storetest.DSN(t)
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

func num(v float64) *float64 { return &v }

func obs(id string, period int, v *float64, sym indicators.Symbol) indicators.Observation {
	return indicators.Observation{Indicator: id, Geography: indicators.England, Period: indicators.Period(period), Value: v, Symbol: sym}
}

func mustImport(t *testing.T, st *Store, o ...indicators.Observation) Summary {
	t.Helper()
	sum, err := st.Import(context.Background(), NewUpload{By: "test", Files: []File{{Name: "t.csv", SHA256: "x", Rows: len(o)}}, Observations: o}, false)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func values(t *testing.T, st *Store, id string) map[int]string {
	t.Helper()
	got, err := st.Observations(context.Background(), id, indicators.EnglandCode)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]string{}
	for _, o := range got {
		if o.Value != nil {
			out[int(o.Period)] = indicators.FormatNumber(*o.Value, 1)
		} else {
			out[int(o.Period)] = string(o.Symbol)
		}
	}
	return out
}

func TestStore_Import(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st, _ := newTestStore(t)
		sum := mustImport(t, st, obs("referrals", 2014, num(657780), ""), obs("referrals", 2015, nil, "c"))
		if sum.Added != 2 || sum.Revised != 0 || sum.Unchanged != 0 || sum.UploadID == 0 {
			t.Fatalf("summary = %+v, want 2 added", sum)
		}
		got := values(t, st, "referrals")
		if got[2014] != "657,780.0" || got[2015] != "c" {
			t.Fatalf("values = %v", got)
		}
		has, err := st.HasUploads(ctx)
		if err != nil || !has {
			t.Fatalf("HasUploads = %v, %v", has, err)
		}
	})
	t.Run("Unchanged", func(t *testing.T) {
		st, _ := newTestStore(t)
		mustImport(t, st, obs("referrals", 2014, num(657780), ""))
		sum := mustImport(t, st, obs("referrals", 2014, num(657780), ""))
		if sum.Added != 0 || sum.Revised != 0 || sum.Unchanged != 1 {
			t.Fatalf("summary = %+v, want 1 unchanged", sum)
		}
		var rows int
		st.db.QueryRow(`SELECT count(*) FROM observations`).Scan(&rows)
		if rows != 1 {
			t.Fatalf("observation rows = %d, want 1: an unchanged value adds nothing", rows)
		}
	})
	t.Run("Revision", func(t *testing.T) {
		st, _ := newTestStore(t)
		mustImport(t, st, obs("cpp_second_or_subsequent_pct", 2022, num(23.3), ""))
		sum := mustImport(t, st, obs("cpp_second_or_subsequent_pct", 2022, num(22.7), ""))
		if sum.Revised != 1 || len(sum.Changes) != 1 || *sum.Changes[0].Old.Value != 23.3 {
			t.Fatalf("summary = %+v, want 1 revised from 23.3", sum)
		}
		if got := values(t, st, "cpp_second_or_subsequent_pct")[2022]; got != "22.7" {
			t.Fatalf("current value = %s, want 22.7", got)
		}
		// The published value before the revision is kept.
		var kept int
		st.db.QueryRow(`SELECT count(*) FROM observations WHERE value = 23.3`).Scan(&kept)
		if kept != 1 {
			t.Fatal("the revised value was destroyed")
		}
	})
	t.Run("SymbolReplacesValue", func(t *testing.T) {
		st, _ := newTestStore(t)
		mustImport(t, st, obs("referrals", 2021, num(1000), ""))
		sum := mustImport(t, st, obs("referrals", 2021, nil, "x"))
		if sum.Revised != 1 {
			t.Fatalf("summary = %+v, want 1 revised", sum)
		}
		if got := values(t, st, "referrals")[2021]; got != "x" {
			t.Fatalf("current = %q, want the symbol x", got)
		}
	})
	t.Run("DryRun", func(t *testing.T) {
		st, _ := newTestStore(t)
		sum, err := st.Import(ctx, NewUpload{By: "test", Observations: []indicators.Observation{obs("referrals", 2014, num(1), "")}}, true)
		if err != nil || sum.Added != 1 {
			t.Fatalf("dry run = %+v, %v", sum, err)
		}
		if has, _ := st.HasUploads(ctx); has {
			t.Fatal("a dry run wrote an upload")
		}
		if got := values(t, st, "referrals"); len(got) != 0 {
			t.Fatalf("a dry run wrote values: %v", got)
		}
	})
	t.Run("History", func(t *testing.T) {
		st, _ := newTestStore(t)
		mustImport(t, st, obs("referrals", 2014, num(1), ""))
		mustImport(t, st, obs("referrals", 2014, num(2), ""), obs("referrals", 2015, num(3), ""))
		ups, err := st.Uploads(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ups) != 2 || ups[0].Added != 1 || ups[0].Revised != 1 || ups[1].Added != 1 || len(ups[0].Files) != 1 {
			t.Fatalf("uploads = %+v", ups)
		}
		if ups[0].CreatedBy != "test" || ups[0].CreatedAt.IsZero() {
			t.Fatalf("upload lacks who and when: %+v", ups[0])
		}
		last, err := st.LastUpdated(ctx)
		if err != nil || last.IsZero() {
			t.Fatalf("LastUpdated = %v, %v", last, err)
		}
	})
}

func TestStore_Open(t *testing.T) {
	ctx := context.Background()
	t.Run("Reopen", func(t *testing.T) {
		st, path := newTestStore(t)
		mustImport(t, st, obs("referrals", 2014, num(5), ""))
		st.Close()
		again, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer again.Close()
		if got := values(t, again, "referrals")[2014]; got != "5.0" {
			t.Fatalf("after reopening: %q", got)
		}
	})
	t.Run("ErrNotSQLite", func(t *testing.T) {
		if storetest.Postgres() {
			t.Skip("an SQLite file's check; PostgreSQL's is ErrOtherDatabase")
		}
		path := filepath.Join(t.TempDir(), "notes.db")
		body := bytes.Repeat([]byte("this is not a database\n"), 200)
		os.WriteFile(path, body, 0o644)
		if _, err := Open(ctx, path); err == nil || indicators.ErrorCode(err) != indicators.EINVALID {
			t.Fatalf("Open = %v, want a clear refusal", err)
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(after, body) {
			t.Fatal("the file was changed")
		}
	})
	t.Run("ErrOtherDatabase", func(t *testing.T) {
		driver, path := "sqlite", filepath.Join(t.TempDir(), "other.db")
		if storetest.Postgres() {
			driver, path = "pgx", storetest.PostgresDSN(t)
		}
		db, err := sql.Open(driver, path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`CREATE TABLE invoices (id INTEGER)`); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if _, err := Open(ctx, path); err == nil || indicators.ErrorCode(err) != indicators.EINVALID {
			t.Fatalf("Open = %v, want a refusal", err)
		}
		db, _ = sql.Open(driver, path)
		defer db.Close()
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM invoices`).Scan(&n); err != nil {
			t.Fatalf("the other database was changed: %v", err)
		}
	})
	t.Run("ErrNewerVersion", func(t *testing.T) {
		st, path := newTestStore(t)
		st.db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 'x')`)
		st.Close()
		_, err := Open(ctx, path)
		if err == nil || indicators.ErrorCode(err) != indicators.EINVALID {
			t.Fatalf("Open = %v, want a refusal naming a newer version", err)
		}
	})
}

func TestStore_Backup(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	mustImport(t, st, obs("referrals", 2014, num(657780), ""), obs("referrals", 2015, nil, "c"))
	path := filepath.Join(t.TempDir(), "backup.db")
	if st.Postgres() {
		err := st.Backup(ctx, path)
		if err != ErrBackupPostgres || !strings.Contains(err.Error(), "pg_dump") {
			t.Fatalf("Backup on PostgreSQL = %v, want the pointer to pg_dump", err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("Backup on PostgreSQL wrote %s", path)
		}
		return
	}
	if err := st.Backup(ctx, path); err != nil {
		t.Fatal(err)
	}
	copy, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer copy.Close()
	got, want := values(t, copy, "referrals"), values(t, st, "referrals")
	if len(got) != 2 || got[2014] != want[2014] || got[2015] != want[2015] {
		t.Fatalf("backup = %v, want %v", got, want)
	}
}

// TestStore_ReadDuringImport: readers during a large import see the data
// before it or after it, never a part of it, and never an error.
func TestStore_ReadDuringImport(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	const n = 20_000
	var batch []indicators.Observation
	for i := 0; i < n; i++ {
		g := indicators.Geography{Code: fmt.Sprintf("E06%06d", i/20), Name: "Area", Level: indicators.LevelLocal}
		batch = append(batch, indicators.Observation{Indicator: "referrals", Geography: g, Period: indicators.Period(2001 + i%20), Value: num(float64(i))})
	}
	done := make(chan error, 1)
	go func() {
		_, err := st.Import(ctx, NewUpload{By: "test", Observations: batch}, false)
		done <- err
	}()
	seen := map[int]bool{}
	for finished := false; !finished; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			finished = true
		default:
		}
		var count int
		if err := st.db.QueryRowContext(ctx, `SELECT count(*) FROM current_observations`).Scan(&count); err != nil {
			t.Fatalf("read during import: %v", err)
		}
		if count != 0 && count != n {
			t.Fatalf("a reader saw %d of %d rows: part of an upload", count, n)
		}
		seen[count] = true
	}
	t.Logf("readers saw counts %v", seen)
}

// TestStore_MigratesOlderDatabase: a database left at schema 1 by an older
// cptrends is brought up to date on open, keeping its data, revisions and
// all.
func TestStore_MigratesOlderDatabase(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("SQLite's schema history; PostgreSQL's schema starts at version 6")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	migs, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`,
		migs[0].sql,
		`INSERT INTO schema_migrations VALUES (1, '0001_initial.sql', '2026-01-01T00:00:00Z')`,
		`INSERT INTO uploads (id, status, created_at, created_by, committed_at) VALUES (1, 'committed', 'x', 'old', 'x')`,
		`INSERT INTO observations (indicator, geography_code, period, upload_id, geography_name, geography_level, value)
		 VALUES ('referrals', 'E92000001', 2014, 1, 'England', 'national', 657780)`,
		`INSERT INTO observations (indicator, geography_code, period, upload_id, geography_name, geography_level, value)
		 VALUES ('referrals', 'E92000001', 2015, 1, 'England', 'national', 635600)`,
		`INSERT INTO uploads (id, status, created_at, created_by, committed_at) VALUES (2, 'committed', 'y', 'old', 'y')`,
		`INSERT INTO observations (indicator, geography_code, period, upload_id, geography_name, geography_level, value, replaces)
		 VALUES ('referrals', 'E92000001', 2015, 2, 'England', 'national', 635700, 1)`,
	} {
		if _, err := old.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	st, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("opening an older database: %v", err)
	}
	defer st.Close()
	var version int
	st.db.QueryRow(`SELECT max(version) FROM schema_migrations`).Scan(&version)
	if version != migs[len(migs)-1].version {
		t.Fatalf("schema version after open = %d, want %d", version, migs[len(migs)-1].version)
	}
	if _, err := st.AddUser(ctx, "ana", RoleAnalyst, "correct horse battery"); err != nil {
		t.Fatalf("the newer schema is missing after migration: %v", err)
	}
	if got := values(t, st, "referrals"); got[2014] != "657,780.0" || got[2015] != "635,700.0" {
		t.Fatalf("data after migration = %v", got)
	}
	changes, err := st.Changes(ctx, 2)
	if err != nil || len(changes) != 1 || changes[0].Kind != Revised || *changes[0].Old.Value != 635600 {
		t.Fatalf("upload 2's changes after migration = %+v, %v; want 2014/15 revised from 635,600", changes, err)
	}
}

// TestStore_ImportAll: several uploads in one transaction, all or none.
func TestStore_ImportAll(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st, _ := newTestStore(t)
		err := st.ImportAll(ctx, []NewUpload{
			{By: "older", Observations: []indicators.Observation{obs("referrals", 2022, num(14990), "")}},
			{By: "latest", Observations: []indicators.Observation{obs("referrals", 2022, num(14550), "")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		ups, _ := st.Uploads(ctx)
		if len(ups) != 2 || ups[0].Revised != 1 || values(t, st, "referrals")[2022] != "14,550.0" {
			t.Fatalf("uploads = %+v, value %q; want the latest as a revision of the older", ups, values(t, st, "referrals")[2022])
		}
	})
	t.Run("ErrNoneWritten", func(t *testing.T) {
		st, _ := newTestStore(t)
		// The same cell twice in one upload: its second row fails on insert.
		bad := obs("referrals", 2022, num(1), "")
		err := st.ImportAll(ctx, []NewUpload{
			{By: "older", Observations: []indicators.Observation{obs("referrals", 2021, num(5), "")}},
			{By: "latest", Observations: []indicators.Observation{bad, bad}},
		})
		if err == nil {
			t.Fatal("ImportAll of a failing upload succeeded")
		}
		if has, _ := st.HasUploads(ctx); has {
			t.Fatal("the first upload was kept although the second failed")
		}
	})
}

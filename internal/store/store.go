// Package store keeps cptrends' data in one SQLite file. It is the only
// package that talks SQL: uploads, observations and their history.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"cptrends/indicators"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is an open cptrends database.
type Store struct {
	db      *sql.DB
	now     func() time.Time
	version *versionCache
	areas   areasCache
}

// Open opens (creating if need be) the database at path and brings its
// schema up to date. It refuses a file that is not a cptrends database, or
// one written by a newer version, without changing it.
func Open(ctx context.Context, path string) (*Store, error) {
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &Store{db: db, now: time.Now, version: newVersionCache()}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// dsn puts the pragmas in the connection string so that every pooled
// connection has them, and makes write transactions take the lock at BEGIN
// so that two writers never deadlock on an upgrade. synchronous=FULL makes
// SQLite sync the WAL at each commit, so that a commit once acknowledged
// (an upload, a rollback, an account, a snapshot) survives a power loss
// or an operating system crash; at NORMAL the last commits may roll back.
func dsn(path string) string {
	q := url.Values{}
	for _, p := range []string{"foreign_keys(1)", "busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []migration
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("store: migration %s: name must start with a number", base)
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: base, sql: string(body)})
	}
	return out, nil
}

// migrate applies each migration not yet applied, in order, each in its
// own transaction.
func (s *Store) migrate(ctx context.Context) error {
	migs, err := loadMigrations()
	if err != nil {
		return err
	}
	var tables int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table'`).Scan(&tables); err != nil {
		if code(err) == sqlite3.SQLITE_NOTADB {
			return indicators.Errorf(indicators.EINVALID, "This file is not a cptrends database (it is not an SQLite database at all).")
		}
		return fmt.Errorf("store: read schema: %w", err)
	}
	var hasLog int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&hasLog); err != nil {
		return fmt.Errorf("store: read schema: %w", err)
	}
	if tables > 0 && hasLog == 0 {
		return indicators.Errorf(indicators.EINVALID, "This file is an SQLite database but not a cptrends database; it has been left unchanged.")
	}
	if hasLog == 0 {
		if _, err := s.db.ExecContext(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`); err != nil {
			return fmt.Errorf("store: create migrations table: %w", err)
		}
	}
	var current int
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("store: read migrations: %w", err)
	}
	if latest := migs[len(migs)-1].version; current > latest {
		return indicators.Errorf(indicators.EINVALID,
			"This database was written by a newer version of cptrends (schema %d; this version knows up to %d). Upgrade cptrends; the database has been left unchanged.", current, latest)
	}
	for _, m := range migs {
		if m.version <= current {
			continue
		}
		if err := s.apply(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) apply(ctx context.Context, m migration) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("store: migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, s.now().UTC().Format(time.RFC3339)); err != nil {
		return fmt.Errorf("store: record migration %s: %w", m.name, err)
	}
	return tx.Commit()
}

// code returns the primary SQLite result code of err, or 0.
func code(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code() & 0xff
	}
	return 0
}

// Backup writes a consistent copy of the database to path, safely while
// other connections read and write.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	return nil
}

func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, s.String)
	return t
}

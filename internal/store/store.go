// Package store keeps cptrends' data in one SQLite file, or in a
// PostgreSQL database that several instances share. It is the only
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

//go:embed migrations/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// Store is an open cptrends database.
type Store struct {
	db      *sql.DB
	dialect dialect
	now     func() time.Time
	version *versionCache
	areas   areasCache
}

// Open opens (creating if need be) the database at path and brings its
// schema up to date. It refuses a file that is not a cptrends database, or
// one written by a newer version, without changing it. A path that is a
// postgres:// URL opens that PostgreSQL database instead (which must
// exist; its tables are made on first use).
func Open(ctx context.Context, path string) (*Store, error) {
	s := &Store{now: time.Now, version: newVersionCache()}
	if IsPostgres(path) {
		db, err := openPostgres(path)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		s.db, s.dialect = db, dialectPostgres
	} else {
		db, err := sql.Open("sqlite", dsn(path))
		if err != nil {
			return nil, fmt.Errorf("store: open %s: %w", path, err)
		}
		s.db = db
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// Postgres reports whether the store is a PostgreSQL database.
func (s *Store) Postgres() bool { return s.dialect == dialectPostgres }

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

// pingTimeout is how long Ping waits for the database, so that a health
// check answers promptly when a PostgreSQL server cannot be reached.
const pingTimeout = 5 * time.Second

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	var one int
	return s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads SQLite's migrations.
func loadMigrations() ([]migration, error) { return loadMigrationsIn("migrations") }

// loadDialectMigrations reads a dialect's migrations. PostgreSQL's begin at 0006,
// which makes the whole schema of SQLite's first six; every later version
// must come as a pair.
func loadDialectMigrations(d dialect) ([]migration, error) {
	lite, err := loadMigrations()
	if err != nil || d == dialectSQLite {
		return lite, err
	}
	pg, err := loadMigrationsIn("migrations/postgres")
	if err != nil {
		return nil, err
	}
	versions := map[int]bool{}
	for _, m := range pg {
		versions[m.version] = true
	}
	for _, m := range lite {
		if m.version > pg[0].version && !versions[m.version] {
			return nil, fmt.Errorf("store: migration %s has no PostgreSQL version in migrations/postgres", m.name)
		}
		delete(versions, m.version)
	}
	for v := range versions {
		return nil, fmt.Errorf("store: PostgreSQL migration %04d has no SQLite version", v)
	}
	return pg, nil
}

func loadMigrationsIn(dir string) ([]migration, error) {
	names, err := fs.Glob(migrationFiles, dir+"/*.sql")
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
// own transaction. On PostgreSQL it holds an advisory lock throughout, so
// that instances starting together migrate one after another: the second
// waits, then finds nothing left to do.
func (s *Store) migrate(ctx context.Context) error {
	migs, err := loadDialectMigrations(s.dialect)
	if err != nil {
		return err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		if code(err) == sqlite3.SQLITE_NOTADB {
			return indicators.Errorf(indicators.EINVALID, "This file is not a cptrends database (it is not an SQLite database at all).")
		}
		if s.dialect == dialectPostgres {
			return fmt.Errorf("store: cannot reach the PostgreSQL database: %w", err)
		}
		return fmt.Errorf("store: open: %w", err)
	}
	defer conn.Close()
	if s.dialect == dialectPostgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, int64(migrateLockKey)); err != nil {
			return fmt.Errorf("store: cannot reach the PostgreSQL database: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(?)`, int64(migrateLockKey))
	}
	tables, hasLog, err := s.schemaTables(ctx, conn)
	if err != nil {
		return err
	}
	if tables > 0 && !hasLog {
		if s.dialect == dialectPostgres {
			var schema string
			conn.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema)
			return indicators.Errorf(indicators.EINVALID, "This PostgreSQL database has tables in its schema %q but is not a cptrends database; it has been left unchanged.", schema)
		}
		return indicators.Errorf(indicators.EINVALID, "This file is an SQLite database but not a cptrends database; it has been left unchanged.")
	}
	if !hasLog {
		create := `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`
		if s.dialect == dialectPostgres {
			create = `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)`
		}
		if _, err := conn.ExecContext(ctx, create); err != nil {
			return fmt.Errorf("store: create migrations table: %w", err)
		}
	}
	var current int
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
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
		if err := s.apply(ctx, conn, m, current); err != nil {
			return err
		}
		current = m.version
	}
	return nil
}

// schemaTables counts the tables in the database (in PostgreSQL, in the
// schema tables are made in) and says whether schema_migrations is one.
func (s *Store) schemaTables(ctx context.Context, conn *sql.Conn) (tables int, hasLog bool, err error) {
	count, find := `SELECT count(*) FROM sqlite_schema WHERE type = 'table'`,
		`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`
	if s.dialect == dialectPostgres {
		count = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()`
		find = count + ` AND table_name = 'schema_migrations'`
	}
	if err := conn.QueryRowContext(ctx, count).Scan(&tables); err != nil {
		if code(err) == sqlite3.SQLITE_NOTADB {
			return 0, false, indicators.Errorf(indicators.EINVALID, "This file is not a cptrends database (it is not an SQLite database at all).")
		}
		return 0, false, fmt.Errorf("store: read schema: %w", err)
	}
	var n int
	if err := conn.QueryRowContext(ctx, find).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("store: read schema: %w", err)
	}
	return tables, n > 0, nil
}

// apply runs one migration and records it; a PostgreSQL migration that
// makes the schema of several SQLite versions at once records each of
// them (those after current, up to its own).
func (s *Store) apply(ctx context.Context, conn *sql.Conn, m migration, current int) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("store: migration %s: %w", m.name, err)
	}
	first := m.version
	if s.dialect == dialectPostgres {
		first = current + 1
	}
	for v := first; v <= m.version; v++ {
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			v, m.name, s.now().UTC().Format(time.RFC3339)); err != nil {
			return fmt.Errorf("store: record migration %s: %w", m.name, err)
		}
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

// ErrBackupPostgres is Backup's answer on PostgreSQL, whose own tools
// make a consistent copy of a database that several servers share.
var ErrBackupPostgres = indicators.Errorf(indicators.EINVALID,
	"This database is PostgreSQL: back it up with PostgreSQL's own pg_dump (for example pg_dump --format=custom --file=cptrends.dump \"$CPTRENDS_DB\"), which takes a consistent copy while cptrends runs, and restore it with pg_restore (see the README).")

// Backup writes a consistent copy of the database to path, safely while
// other connections read and write. On PostgreSQL it refuses with
// ErrBackupPostgres.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect == dialectPostgres {
		return ErrBackupPostgres
	}
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

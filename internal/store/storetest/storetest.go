// Package storetest gives each test a database of its own: an SQLite file
// in a temporary directory, or, when CPTRENDS_TEST_STORE is "postgres", a
// fresh schema in the PostgreSQL database that CPTRENDS_TEST_PG names
// (postgres://USER@HOST:PORT/DB?sslmode=disable or a socket directory as
// ?host=/tmp/dir). `make test` runs the store and web suites both ways
// when CPTRENDS_TEST_PG is set. A test asked to use PostgreSQL fails, and
// never skips, when it cannot reach it.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for making schemas
)

// Postgres reports whether the tests run against PostgreSQL.
func Postgres() bool { return os.Getenv("CPTRENDS_TEST_STORE") == "postgres" }

// DSN returns what store.Open takes for a new, empty database that lasts
// as long as the test: a path, or a PostgreSQL URL with its own schema.
func DSN(t testing.TB) string {
	t.Helper()
	if !Postgres() {
		return filepath.Join(t.TempDir(), "cptrends.db")
	}
	return PostgresDSN(t)
}

// PostgresDSN is a PostgreSQL URL with a new, empty schema of its own,
// dropped when the test ends.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("CPTRENDS_TEST_PG")
	if base == "" {
		t.Fatal("CPTRENDS_TEST_STORE=postgres needs CPTRENDS_TEST_PG, a PostgreSQL URL such as postgres://postgres@localhost:5432/postgres?sslmode=disable")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("CPTRENDS_TEST_PG is not a URL: %v", err)
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("CPTRENDS_TEST_PG: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b := make([]byte, 8)
	rand.Read(b)
	schema := "cptrends_test_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("cannot make a schema in the PostgreSQL database CPTRENDS_TEST_PG names: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		if _, err := db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

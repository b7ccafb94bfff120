package store

import (
	"context"
	"strings"
	"testing"
)

func TestRebind(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE x = ? AND y = ?`, `SELECT a FROM t WHERE x = $1 AND y = $2`},
		{`WHERE a = ?2 AND b = ?1 OR c = ?2`, `WHERE a = $2 AND b = $1 OR c = $2`},
		// A bare ? after numbered ones takes the next number, as in SQLite.
		{`VALUES (?1, ?3, ?)`, `VALUES ($1, $3, $4)`},
		{`VALUES (?, ?, 7, coalesce(?, ''), NULL),(?, ?, 7, coalesce(?, ''), NULL)`, `VALUES ($1, $2, 7, coalesce($3, ''), NULL),($4, $5, 7, coalesce($6, ''), NULL)`},
		{`SELECT '?', "a?b", ? FROM t`, `SELECT '?', "a?b", $1 FROM t`},
		{"SELECT ? -- the author's ? here\n, ?", "SELECT $1 -- the author's ? here\n, $2"},
		{`SELECT 'it''s', ?`, `SELECT 'it''s', $1`},
	} {
		if got := rebind(c.in); got != c.want {
			t.Errorf("rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"cptrends.db", "cptrends.db"},
		{"postgres://ana:s3cret@db.example:5432/cptrends?sslmode=require", "postgres://ana:xxxxx@db.example:5432/cptrends?sslmode=require"},
		{"postgresql://ana@db/cptrends", "postgresql://ana@db/cptrends"},
	} {
		if got := Describe(c.in); got != c.want {
			t.Errorf("Describe(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestOpen_PostgresUnreachable: a server that cannot be reached is a clear
// error, soon, naming neither the password nor the whole URL.
func TestOpen_PostgresUnreachable(t *testing.T) {
	_, err := Open(context.Background(), "postgres://ana:s3cret@127.0.0.1:1/cptrends?sslmode=disable")
	if err == nil || !strings.Contains(err.Error(), "cannot reach the PostgreSQL database") || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("Open of an unreachable server = %v", err)
	}
	_, err = Open(context.Background(), "postgres://ana:s3cret@[::1/x")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("Open of an unreadable URL = %v", err)
	}
}

// TestMigrations_Paired: every SQLite migration after PostgreSQL's first
// has a PostgreSQL twin of the same version, and the other way round.
func TestMigrations_Paired(t *testing.T) {
	lite, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	pg, err := loadDialectMigrations(dialectPostgres)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := pg[len(pg)-1].version, lite[len(lite)-1].version; got != want {
		t.Fatalf("PostgreSQL's migrations reach %d, SQLite's %d", got, want)
	}
}

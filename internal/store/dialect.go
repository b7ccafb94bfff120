package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is the SQL database a Store speaks to. The queries are written
// once, with ? placeholders, in SQL both accept; what differs is here and
// in the migrations (migrations/*.sql for SQLite, migrations/postgres/ for
// PostgreSQL), and in the few queries that test s.dialect.
type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return "PostgreSQL"
	}
	return "SQLite"
}

// IsPostgres reports whether dsn names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than an SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openPostgres opens a pool of connections to PostgreSQL through pgx's
// database/sql adapter, rewriting each query's placeholders on the way.
func openPostgres(dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the URL, password and all.
		return nil, errors.New("the PostgreSQL URL cannot be read; expected postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=...")
	}
	if cfg.ConnectTimeout == 0 { // no connect_timeout in the URL
		cfg.ConnectTimeout = 10 * time.Second
	}
	db := sql.OpenDB(rebindConnector{stdlib.GetConnector(*cfg)})
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	return db, nil
}

// rebind rewrites SQLite's placeholders for PostgreSQL: ?NNN becomes $NNN
// and a bare ? the next number after the largest so far, as SQLite numbers
// them. Question marks inside quotes and comments are left alone.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			end := strings.IndexByte(q[i:], '\n')
			if end < 0 {
				end = len(q) - i
			}
			b.WriteString(q[i : i+end])
			i += end - 1
			continue
		case c == '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			if j > i+1 {
				k, _ := strconv.Atoi(q[i+1 : j])
				n = max(n, k)
				b.WriteString("$" + q[i+1:j])
			} else {
				n++
				b.WriteString("$" + strconv.Itoa(n))
			}
			i = j - 1
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// rebindConnector hands out pgx connections whose queries are rebound.
type rebindConnector struct{ driver.Connector }

func (c rebindConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return rebindConn{conn.(*stdlib.Conn)}, nil
}

// rebindConn is a pgx connection (every method of which it keeps) whose
// statements are rebound.
type rebindConn struct{ *stdlib.Conn }

func (c rebindConn) Prepare(q string) (driver.Stmt, error) { return c.Conn.Prepare(rebind(q)) }

func (c rebindConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(q))
}

func (c rebindConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(q), args)
}

func (c rebindConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(q), args)
}

// isConstraint reports whether err is a violated UNIQUE, PRIMARY KEY,
// CHECK or FOREIGN KEY constraint, in either database.
func isConstraint(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "23") // class 23: integrity constraint violation
	}
	return false
}

// writeLockKey is the PostgreSQL advisory lock that write transactions
// take, so that they run one at a time, as SQLite's BEGIN IMMEDIATE makes
// them: an upload numbers the series and places it brings from the
// highest numbers in the database, and a commit's check that its preview
// is still true must not race another commit or a rollback.
// migrateLockKey guards the schema while one instance migrates it.
const (
	writeLockKey   = 0x63707472_00000001 // "cptr", 1
	migrateLockKey = 0x63707472_00000002
)

// beginWrite starts a transaction that changes data: on SQLite, BEGIN
// IMMEDIATE (see dsn); on PostgreSQL, a transaction holding the write
// lock until it ends, whichever instance of cptrends runs it.
func (s *Store) beginWrite(ctx context.Context) (*sql.Tx, error) {
	return beginWriteOn(ctx, s.dialect, s.db)
}

type beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

func beginWriteOn(ctx context.Context, d dialect, db beginner) (*sql.Tx, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil || d != dialectPostgres {
		return tx, err
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(writeLockKey)); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("store: write lock: %w", err)
	}
	return tx, nil
}

// forUpdate is the clause that locks the rows a SELECT reads until the
// transaction ends: FOR UPDATE on PostgreSQL, nothing on SQLite, where a
// write transaction already holds the whole database.
func (s *Store) forUpdate() string {
	if s.dialect == dialectPostgres {
		return " FOR UPDATE"
	}
	return ""
}

// Describe names a database for a log line: a path as it is, a
// PostgreSQL URL without its password.
func Describe(dsn string) string {
	if !IsPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unreadable URL)"
	}
	return u.Redacted()
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Attempts are counted in the database, so that instances sharing it
// count together: five failed logins spread over two servers are five.

// attemptTime writes a time with all nine digits of its fraction, so that
// the text sorts as the time does.
func attemptTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z07:00") }

// attemptsKept is how long an attempt is kept, longer than any window.
const attemptsKept = 24 * time.Hour

// AttemptWait returns how long until each of keys has had fewer than limit
// attempts in the last window: 0 if all have now.
func (s *Store) AttemptWait(ctx context.Context, limit int, window time.Duration, keys ...string) (time.Duration, error) {
	now := s.now()
	var wait time.Duration
	for _, k := range keys {
		w, err := attemptWait(ctx, s.db, k, limit, window, now)
		if err != nil {
			return 0, err
		}
		wait = max(wait, w)
	}
	return wait, nil
}

func attemptWait(ctx context.Context, q queryer, key string, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	// The limit-th latest attempt in the window: while it is in the
	// window, the key has had limit attempts.
	var at sql.NullString
	err := q.QueryRowContext(ctx, `
		SELECT at FROM attempts WHERE key = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?`,
		key, attemptTime(now.Add(-window)), limit-1).Scan(&at)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: attempts: %w", err)
	}
	return max(parseTime(at).Add(window).Sub(now), time.Millisecond), nil
}

// RecordAttempt counts an attempt against each of keys.
func (s *Store) RecordAttempt(ctx context.Context, keys ...string) error {
	now := s.now()
	for _, k := range keys {
		if err := recordAttempt(ctx, s.db, k, now); err != nil {
			return err
		}
	}
	return nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func recordAttempt(ctx context.Context, db execer, key string, now time.Time) error {
	if _, err := db.ExecContext(ctx, `DELETE FROM attempts WHERE key = ? AND at < ?`, key, attemptTime(now.Add(-attemptsKept))); err != nil {
		return fmt.Errorf("store: attempts: %w", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO attempts (key, at) VALUES (?, ?)`, key, attemptTime(now)); err != nil {
		return fmt.Errorf("store: attempts: %w", err)
	}
	return nil
}

// ClearAttempts forgets the attempts counted against key.
func (s *Store) ClearAttempts(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM attempts WHERE key = ?`, key); err != nil {
		return fmt.Errorf("store: attempts: %w", err)
	}
	return nil
}

// TakeAttempt counts an attempt against key if it has had fewer than
// limit in the last window, and returns 0; otherwise it counts nothing
// and returns how long until it may. Check and count are one transaction,
// which on PostgreSQL holds a lock on the key (not the write lock, so
// that a long import does not hold up the count), so two instances cannot
// both let the limit-th and the next through.
func (s *Store) TakeAttempt(ctx context.Context, key string, limit int, window time.Duration) (time.Duration, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: attempts: %w", err)
	}
	defer tx.Rollback()
	if s.dialect == dialectPostgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?, hashtext(?))`, int32(attemptsLockKey), key); err != nil {
			return 0, fmt.Errorf("store: attempts: %w", err)
		}
	}
	now := s.now()
	wait, err := attemptWait(ctx, tx, key, limit, window, now)
	if err != nil || wait > 0 {
		return wait, err
	}
	if err := recordAttempt(ctx, tx, key, now); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: attempts: %w", err)
	}
	return 0, nil
}

// attemptsLockKey is the first half of the two-part advisory lock on one
// key's attempts (a space apart from the one-part locks of dialect.go).
const attemptsLockKey = 0x63707472

package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"cptrends/indicators"
)

// Upload returns one upload of the history, with its files.
func (s *Store) Upload(ctx context.Context, id int64) (Upload, error) {
	var u Upload
	var created string
	var committed, rolledBack, rolledBackBy sql.NullString
	err := s.db.QueryRowContext(ctx, `
		SELECT id, status, created_at, created_by, committed_at, rolled_back_at, rolled_back_by, added, revised, unchanged
		FROM uploads WHERE id = ?`, id).Scan(&u.ID, &u.Status, &created, &u.CreatedBy, &committed, &rolledBack, &rolledBackBy,
		&u.Added, &u.Revised, &u.Unchanged)
	if err == sql.ErrNoRows {
		return Upload{}, indicators.Errorf(indicators.ENOTFOUND, "There is no upload %d.", id)
	}
	if err != nil {
		return Upload{}, fmt.Errorf("store: upload %d: %w", id, err)
	}
	u.CreatedAt = parseTime(sql.NullString{String: created, Valid: true})
	u.CommittedAt, u.RolledBackAt, u.RolledBackBy = parseTime(committed), parseTime(rolledBack), rolledBackBy.String
	rows, err := s.db.QueryContext(ctx, `SELECT name, sha256, size, rows FROM upload_files WHERE upload_id = ? ORDER BY position`, id)
	if err != nil {
		return Upload{}, fmt.Errorf("store: files of upload %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var f File
		if err := rows.Scan(&f.Name, &f.SHA256, &f.Size, &f.Rows); err != nil {
			return Upload{}, fmt.Errorf("store: scan upload file: %w", err)
		}
		u.Files = append(u.Files, f)
	}
	return u, rows.Err()
}

const changesQuery = `
SELECT s.indicator, s.geography_code, pl.name, pl.level, f.period, f.value, f.symbol, f.note,
       p.value, p.symbol, p.note, f.replaces IS NOT NULL
FROM upload_series us
JOIN figures f ON f.series_id = us.series_id AND f.upload_id = us.upload_id
JOIN series s ON s.id = f.series_id
JOIN places pl ON pl.id = f.place_id
LEFT JOIN figures p ON p.series_id = f.series_id AND p.period = f.period AND p.upload_id = f.replaces
WHERE us.upload_id = ?
ORDER BY s.indicator, s.geography_code, f.period`

// Changes lists what an upload added and revised, each revision with the
// value it replaced.
func (s *Store) Changes(ctx context.Context, id int64) ([]Change, error) {
	rows, err := s.db.QueryContext(ctx, changesQuery, id)
	if err != nil {
		return nil, fmt.Errorf("store: changes of upload %d: %w", id, err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		var period int
		var value, oldValue sql.NullFloat64
		var oldSymbol, oldNote sql.NullString
		var revised bool
		n := &c.New
		if err := rows.Scan(&n.Indicator, &n.Geography.Code, &n.Geography.Name, &n.Geography.Level, &period, &value, &n.Symbol, &n.Note,
			&oldValue, &oldSymbol, &oldNote, &revised); err != nil {
			return nil, fmt.Errorf("store: scan change: %w", err)
		}
		n.Period = indicators.Period(period)
		n.Value = floatPtr(value)
		c.Kind = Added
		if revised {
			c.Kind = Revised
			old := *n
			old.Value, old.Symbol, old.Note = floatPtr(oldValue), indicators.Symbol(oldSymbol.String), oldNote.String
			c.Old = &old
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func floatPtr(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	f := v.Float64
	return &f
}

// Commit makes a previewed upload part of the current data. It refuses if
// any value the preview showed as replaced has changed since, so that what
// is committed is exactly what was previewed.
func (s *Store) Commit(ctx context.Context, id int64) error {
	return s.commit(ctx, id, false)
}

// CommitConfirmed commits a previewed upload whose warnings (files loaded
// before, figures put back that a later upload revised) the analyst has
// been shown and confirmed; Commit refuses such an upload.
func (s *Store) CommitConfirmed(ctx context.Context, id int64) error {
	return s.commit(ctx, id, true)
}

func (s *Store) commit(ctx context.Context, id int64, confirmed bool) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("store: begin commit: %w", err)
	}
	defer tx.Rollback()
	if err := s.requireStatus(ctx, tx, id, "pending", "committed"); err != nil {
		return err
	}
	var stale int
	if err := tx.QueryRowContext(ctx, `
		SELECT count(*) FROM upload_series us
		JOIN figures f ON f.series_id = us.series_id AND f.upload_id = us.upload_id
		WHERE us.upload_id = ? AND f.replaces IS DISTINCT FROM (
			SELECT MAX(c.upload_id) FROM figures c JOIN uploads u ON u.id = c.upload_id AND u.status = 'committed'
			WHERE c.series_id = f.series_id AND c.period = f.period)`, id).Scan(&stale); err != nil {
		return fmt.Errorf("store: check preview: %w", err)
	}
	// And the cells the preview called unchanged: each must still hold
	// the value of the upload it held then.
	var staleSame int
	if err := tx.QueryRowContext(ctx, `
		SELECT count(*) FROM upload_unchanged uu
		WHERE uu.upload_id = ? AND uu.seen IS DISTINCT FROM (
			SELECT MAX(c.upload_id) FROM figures c JOIN uploads u ON u.id = c.upload_id AND u.status = 'committed'
			WHERE c.series_id = uu.series_id AND c.period = uu.period)`, id).Scan(&staleSame); err != nil {
		return fmt.Errorf("store: check preview: %w", err)
	}
	if stale += staleSame; stale > 0 {
		return indicators.Errorf(indicators.ECONFLICT,
			"This preview is out of date: %d of the values it showed (added, revised or unchanged) have changed since it was made, by another upload or a rollback, so committing it would not publish the file as previewed. Nothing has been committed; upload the file again to see a fresh preview.", stale)
	}
	if !confirmed {
		w, err := uploadWarnings(ctx, tx, id)
		if err != nil {
			return err
		}
		if w.Any() {
			return indicators.Errorf(indicators.ECONFLICT,
				"This upload repeats a file loaded before or puts back figures that a later upload revised, as its preview says. Nothing has been committed; to commit it all the same, confirm that on the preview.")
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM upload_unchanged WHERE upload_id = ?`, id); err != nil {
		return fmt.Errorf("store: commit upload %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE uploads SET status = 'committed', committed_at = ? WHERE id = ?`, timestamp(s.now()), id); err != nil {
		return fmt.Errorf("store: commit upload %d: %w", id, err)
	}
	return s.commitData(tx)
}

// Cancel discards a previewed upload. It was never part of the data, so
// nothing published is lost; who cancelled it, and when, is recorded.
func (s *Store) Cancel(ctx context.Context, id int64, by string) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("store: begin cancel: %w", err)
	}
	defer tx.Rollback()
	if err := s.requireStatus(ctx, tx, id, "pending", "cancelled"); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO upload_cancellations (upload_id, created_by, created_at, cancelled_by, cancelled_at, files)
		SELECT u.id, u.created_by, u.created_at, ?2, ?3,
			COALESCE((SELECT string_agg(name, ', ' ORDER BY position) FROM upload_files WHERE upload_id = u.id), '')
		FROM uploads u WHERE u.id = ?1`, id, by, timestamp(s.now())); err != nil {
		return fmt.Errorf("store: record cancel of upload %d: %w", id, err)
	}
	for _, q := range []string{
		`DELETE FROM figures WHERE upload_id = ?1 AND series_id IN (SELECT series_id FROM upload_series WHERE upload_id = ?1)`,
		`DELETE FROM upload_series WHERE upload_id = ?`,
		`DELETE FROM upload_unchanged WHERE upload_id = ?`,
		`DELETE FROM upload_la_codes WHERE upload_id = ?`,
		`DELETE FROM upload_groups WHERE upload_id = ?`,
		`DELETE FROM upload_files WHERE upload_id = ?`,
		`DELETE FROM uploads WHERE id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("store: cancel upload %d: %w", id, err)
		}
	}
	return tx.Commit()
}

// Rollback takes a committed upload out of the current data: each cell it
// wrote goes back to the value of the latest committed upload before it.
// The upload and its rows stay in the history, marked rolled back.
func (s *Store) Rollback(ctx context.Context, id int64, by string) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("store: begin rollback: %w", err)
	}
	defer tx.Rollback()
	if err := s.requireStatus(ctx, tx, id, "committed", "rolled back"); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE uploads SET status = 'rolled_back', rolled_back_at = ?, rolled_back_by = ? WHERE id = ?`,
		timestamp(s.now()), by, id); err != nil {
		return fmt.Errorf("store: roll back upload %d: %w", id, err)
	}
	return s.commitData(tx)
}

// requireStatus checks an upload exists and is in the state an action needs.
func (s *Store) requireStatus(ctx context.Context, tx *sql.Tx, id int64, want, action string) error {
	var status string
	// FOR UPDATE (PostgreSQL; SQLite has no row locks, and needs none
	// under BEGIN IMMEDIATE) keeps the row as read until the transaction
	// ends, whichever instance acts on it next.
	err := tx.QueryRowContext(ctx, `SELECT status FROM uploads WHERE id = ?`+s.forUpdate(), id).Scan(&status)
	if err == sql.ErrNoRows {
		return indicators.Errorf(indicators.ENOTFOUND, "There is no upload %d.", id)
	}
	if err != nil {
		return fmt.Errorf("store: upload %d: %w", id, err)
	}
	if status != want {
		return indicators.Errorf(indicators.ECONFLICT, "Upload %d is %s and cannot be %s.", id, statusWords[status], action)
	}
	return nil
}

var statusWords = map[string]string{"pending": "awaiting commit", "committed": "committed", "rolled_back": "rolled back"}

// DataVersion counts the changes to the current data (commits and
// rollbacks): it goes up by one each time a figure could have changed.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	return dataVersion(ctx, s.db)
}

// queryer is what *sql.DB and *sql.Tx share for reads.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func dataVersion(ctx context.Context, q queryer) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, `SELECT count(committed_at) + count(rolled_back_at) FROM uploads`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: data version: %w", err)
	}
	return v, nil
}

// Cancellation records a previewed upload that was cancelled.
type Cancellation struct {
	UploadID    int64
	CreatedBy   string
	CreatedAt   time.Time
	CancelledBy string
	CancelledAt time.Time
	Files       string
}

// Cancellations lists the cancelled previews, latest first.
func (s *Store) Cancellations(ctx context.Context) ([]Cancellation, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT upload_id, created_by, created_at, cancelled_by, cancelled_at, files
		FROM upload_cancellations ORDER BY cancelled_at DESC, upload_id DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: cancellations: %w", err)
	}
	defer rows.Close()
	var out []Cancellation
	for rows.Next() {
		var c Cancellation
		var created, cancelled string
		if err := rows.Scan(&c.UploadID, &c.CreatedBy, &created, &c.CancelledBy, &cancelled, &c.Files); err != nil {
			return nil, fmt.Errorf("store: scan cancellation: %w", err)
		}
		c.CreatedAt = parseTime(sql.NullString{String: created, Valid: true})
		c.CancelledAt = parseTime(sql.NullString{String: cancelled, Valid: true})
		out = append(out, c)
	}
	return out, rows.Err()
}

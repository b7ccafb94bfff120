package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"cptrends/indicators"
)

// Limits on the snapshots one account may make: far more than a person
// recording what pages showed needs, far fewer than a script filling the
// database would make.
const (
	// SnapshotBurst snapshots at most in any SnapshotWindow.
	SnapshotBurst  = 10
	SnapshotWindow = time.Minute
	// SnapshotsPerDay at most in any 24 hours.
	SnapshotsPerDay = 200
	// SnapshotQuota is the most snapshots an account may keep (those an
	// admin has deleted do not count).
	SnapshotQuota = 1000
)

// SnapshotLimitError says an account has made as many snapshots as it may
// for now, and when it may make another.
type SnapshotLimitError struct {
	Message    string
	RetryAfter time.Duration // 0 when waiting will not help (the quota)
}

func (e *SnapshotLimitError) Error() string { return e.Message }

// SnapshotAllowance returns a *SnapshotLimitError if by may not make a
// snapshot now, so that a caller can refuse before building one;
// CreateSnapshot checks again as it adds it.
func (s *Store) SnapshotAllowance(ctx context.Context, by string) error {
	return snapshotAllowance(ctx, s.db, by, s.now().UTC())
}

func snapshotAllowance(ctx context.Context, tx queryer, by string, now time.Time) error {
	var kept, day, burst int
	var oldestBurst, oldestDay sql.NullString
	if err := tx.QueryRowContext(ctx, `
		SELECT count(*),
		       count(*) FILTER (WHERE created_at > ?2),
		       count(*) FILTER (WHERE created_at > ?3),
		       MIN(created_at) FILTER (WHERE created_at > ?2),
		       MIN(created_at) FILTER (WHERE created_at > ?3)
		FROM snapshots WHERE created_by = ?1 AND id NOT IN (SELECT snapshot_id FROM snapshot_deletions)`,
		by, timestamp(now.Add(-24*time.Hour)), timestamp(now.Add(-SnapshotWindow))).Scan(&kept, &day, &burst, &oldestDay, &oldestBurst); err != nil {
		return fmt.Errorf("store: snapshot allowance: %w", err)
	}
	wait := func(oldest sql.NullString, window time.Duration) time.Duration {
		return max(time.Second, parseTime(oldest).Add(window).Sub(now)).Round(time.Second)
	}
	switch {
	case kept >= SnapshotQuota:
		return &SnapshotLimitError{Message: fmt.Sprintf("You have %s snapshots, the most one account may keep. Ask an admin to delete ones that are no longer needed.",
			indicators.FormatNumber(float64(kept), 0))}
	case day >= SnapshotsPerDay:
		return &SnapshotLimitError{Message: fmt.Sprintf("You have made %d snapshots in the last 24 hours, the most one account may. Try again later.", day),
			RetryAfter: wait(oldestDay, 24*time.Hour)}
	case burst >= SnapshotBurst:
		return &SnapshotLimitError{Message: fmt.Sprintf("You have made %d snapshots in the last minute. Wait a minute and try again.", burst),
			RetryAfter: wait(oldestBurst, SnapshotWindow)}
	}
	return nil
}

// DeletedSnapshot is a snapshot an admin has deleted, for the audit list.
type DeletedSnapshot struct {
	Snapshot
	DeletedBy string
	DeletedAt time.Time
}

// DeleteSnapshot takes a snapshot out of sight: it is no longer shown or
// listed, but stays in the database, unchanged, in the list of deleted
// snapshots with who deleted it and when.
func (s *Store) DeleteSnapshot(ctx context.Context, id, by string) error {
	if !ValidSnapshotID(id) {
		return indicators.Errorf(indicators.ENOTFOUND, "There is no such snapshot.")
	}
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("store: begin delete snapshot: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `
		INSERT INTO snapshot_deletions (snapshot_id, deleted_by, deleted_at)
		SELECT id, ?, ? FROM snapshots WHERE id = ? AND id NOT IN (SELECT snapshot_id FROM snapshot_deletions)`,
		by, timestamp(s.now()), id)
	if err != nil {
		return fmt.Errorf("store: delete snapshot %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return indicators.Errorf(indicators.ENOTFOUND, "There is no such snapshot.")
	}
	return tx.Commit()
}

// DeletedSnapshots lists the deleted snapshots, latest deletion first,
// without content.
func (s *Store) DeletedSnapshots(ctx context.Context) ([]DeletedSnapshot, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT s.id, s.subject, s.geography_code, s.indicators, s.title, s.comment, s.created_by, s.created_at, s.data_version,
		       d.deleted_by, d.deleted_at
		FROM snapshot_deletions d JOIN snapshots s ON s.id = d.snapshot_id
		ORDER BY d.deleted_at DESC, s.id`)
	if err != nil {
		return nil, fmt.Errorf("store: deleted snapshots: %w", err)
	}
	defer rows.Close()
	var out []DeletedSnapshot
	for rows.Next() {
		var d DeletedSnapshot
		var ids, created, deleted string
		if err := rows.Scan(&d.ID, &d.Subject, &d.Geography, &ids, &d.Title, &d.Comment, &d.CreatedBy, &created, &d.DataVersion,
			&d.DeletedBy, &deleted); err != nil {
			return nil, fmt.Errorf("store: scan deleted snapshot: %w", err)
		}
		d.CreatedAt = parseTime(sql.NullString{String: created, Valid: true})
		d.DeletedAt = parseTime(sql.NullString{String: deleted, Valid: true})
		out = append(out, d)
	}
	return out, rows.Err()
}

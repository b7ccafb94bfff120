package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"cptrends/indicators"
)

// The records of an upload are the domain's (see package indicators).
type (
	File      = indicators.File
	NewUpload = indicators.NewUpload
	Change    = indicators.Change
	Upload    = indicators.Upload
)

// Change kinds.
const (
	Added   = indicators.Added
	Revised = indicators.Revised
)

// Summary and AddedGroup say what an upload changed (see package
// indicators).
type (
	Summary    = indicators.Summary
	AddedGroup = indicators.AddedGroup
)

// Import writes an upload in one transaction: every observation that adds
// or revises a cell becomes a new row; unchanged cells are counted and not
// written. With dryRun it computes the same summary and writes nothing.
func (s *Store) Import(ctx context.Context, up NewUpload, dryRun bool) (Summary, error) {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("store: begin import: %w", err)
	}
	defer tx.Rollback()
	sum, err := s.stage(ctx, tx, up, "committed")
	if err != nil || dryRun {
		return sum, err // a dry run's work goes with the deferred rollback
	}
	if err := s.commitData(tx); err != nil {
		return Summary{}, fmt.Errorf("store: commit import: %w", err)
	}
	return sum, nil
}

// ImportAll writes several uploads, in order, in one transaction: all of
// them or none. The bundled data is two uploads (an older release, then
// the latest, which revises it), and a new database must never be left
// with only the first. It is for a database with no uploads yet: if it
// has one by the time the transaction holds the write lock (another
// instance of cptrends, starting at the same moment, loaded the bundled
// data first), it writes nothing and returns nil, so that the data loads
// once whichever instance starts first.
func (s *Store) ImportAll(ctx context.Context, ups []NewUpload) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("store: begin import: %w", err)
	}
	defer tx.Rollback()
	var loaded bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM uploads)`).Scan(&loaded); err != nil {
		return fmt.Errorf("store: count uploads: %w", err)
	}
	if loaded {
		return nil
	}
	for _, up := range ups {
		if _, err := s.stage(ctx, tx, up, "committed"); err != nil {
			return err
		}
	}
	if err := s.commitData(tx); err != nil {
		return fmt.Errorf("store: commit import: %w", err)
	}
	return nil
}

// Stage writes an upload as pending, for preview: it is not part of the
// current data until Commit.
func (s *Store) Stage(ctx context.Context, up NewUpload) (Summary, error) {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("store: begin stage: %w", err)
	}
	defer tx.Rollback()
	sum, err := s.stage(ctx, tx, up, "pending")
	if err != nil {
		return Summary{}, err
	}
	if err := tx.Commit(); err != nil {
		return Summary{}, fmt.Errorf("store: commit stage: %w", err)
	}
	return sum, nil
}

// stage adds an upload with the given status, its files and the rows that
// add or revise a cell.
func (s *Store) stage(ctx context.Context, tx *sql.Tx, up NewUpload, status string) (Summary, error) {
	id, err := addUpload(ctx, tx, up.By, status, timestamp(s.now()))
	if err != nil {
		return Summary{}, err
	}
	sum, err := writeObservations(ctx, tx, id, up.Observations, status == "pending")
	if err != nil {
		return Summary{}, err
	}
	if err := writeLACodes(ctx, tx, id, up.LACodes); err != nil {
		return Summary{}, err
	}
	if err := finishUpload(ctx, tx, id, up.Files, sum); err != nil {
		return Summary{}, err
	}
	sum.UploadID = id
	return sum, nil
}

// writeObservations compares each observation with the cell's current value
// and writes those that add or change it, noting which upload's value each
// replaces.
func writeObservations(ctx context.Context, tx *sql.Tx, uploadID int64, obs []indicators.Observation, pending bool) (Summary, error) {
	num, err := readNumbering(ctx, tx)
	if err != nil {
		return Summary{}, err
	}
	w, err := newObservationWriter(ctx, tx, uploadID, num, pending)
	if err != nil {
		return Summary{}, err
	}
	defer w.close()
	w.keep = true
	c := newChunk(len(obs))
	for _, o := range obs {
		num.add(c, o)
	}
	c.sort()
	if err := w.write(c); err != nil {
		return Summary{}, err
	}
	sum := w.sum
	sum.AddedGroups = w.addedGroups()
	sum.Groups = w.groups()
	return sum, nil
}

// HasUploads reports whether any upload has ever been made.
func (s *Store) HasUploads(ctx context.Context) (bool, error) {
	var any bool
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM uploads)`).Scan(&any); err != nil {
		return false, fmt.Errorf("store: count uploads: %w", err)
	}
	return any, nil
}

const uploadsQuery = `
SELECT id, status, created_at, created_by, committed_at, rolled_back_at, rolled_back_by, added, revised, unchanged
FROM uploads ORDER BY id DESC`

// Uploads lists every upload, newest first, with its files.
func (s *Store) Uploads(ctx context.Context) ([]Upload, error) {
	rows, err := s.db.QueryContext(ctx, uploadsQuery)
	if err != nil {
		return nil, fmt.Errorf("store: list uploads: %w", err)
	}
	defer rows.Close()
	var out []Upload
	byID := map[int64]int{}
	for rows.Next() {
		var u Upload
		var created string
		var committed, rolledBack, rolledBackBy sql.NullString
		if err := rows.Scan(&u.ID, &u.Status, &created, &u.CreatedBy, &committed, &rolledBack, &rolledBackBy,
			&u.Added, &u.Revised, &u.Unchanged); err != nil {
			return nil, fmt.Errorf("store: scan upload: %w", err)
		}
		u.CreatedAt = parseTime(sql.NullString{String: created, Valid: true})
		u.CommittedAt, u.RolledBackAt, u.RolledBackBy = parseTime(committed), parseTime(rolledBack), rolledBackBy.String
		byID[u.ID] = len(out)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	files, err := s.db.QueryContext(ctx, `SELECT upload_id, name, sha256, size, rows FROM upload_files ORDER BY upload_id, position`)
	if err != nil {
		return nil, fmt.Errorf("store: list upload files: %w", err)
	}
	defer files.Close()
	for files.Next() {
		var id int64
		var f File
		if err := files.Scan(&id, &f.Name, &f.SHA256, &f.Size, &f.Rows); err != nil {
			return nil, fmt.Errorf("store: scan upload file: %w", err)
		}
		if i, ok := byID[id]; ok {
			out[i].Files = append(out[i].Files, f)
		}
	}
	return out, files.Err()
}

// LastUpdated is when the data last changed (a commit or a rollback); zero
// when nothing has been loaded.
func (s *Store) LastUpdated(ctx context.Context) (time.Time, error) {
	var last sql.NullString
	err := s.db.QueryRowContext(ctx, `
		SELECT MAX(t) FROM (
			SELECT committed_at AS t FROM uploads WHERE status <> 'pending'
			UNION ALL SELECT rolled_back_at FROM uploads WHERE status <> 'pending') AS changes`).Scan(&last)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: last updated: %w", err)
	}
	return parseTime(last), nil
}

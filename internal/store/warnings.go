package store

import (
	"context"
	"database/sql"
	"fmt"

	"cptrends/indicators"
)

// UploadWarnings is what a preview says before anything else, and what
// its commit must be told it has been shown: files that an earlier upload
// already loaded, and values that would put back a figure a later upload
// revised.
type UploadWarnings struct {
	SameFiles []SameFile
	// Reverts counts the cells whose new value is one that a later upload
	// revised away; Examples lists the first of them.
	Reverts  int
	Examples []Revert
}

// Any reports whether there is anything to warn of.
func (w UploadWarnings) Any() bool { return len(w.SameFiles) > 0 || w.Reverts > 0 }

// SameFile is a file of the upload whose SHA-256 an earlier upload had.
type SameFile struct {
	Name        string
	EarlierID   int64
	EarlierName string
	Status      string // the earlier upload's status
}

// Revert is a cell the upload would put back to an earlier figure.
type Revert struct {
	Indicator, Geography string
	Period               indicators.Period
	Value                *float64
	Symbol               indicators.Symbol
	RevisedBy            int64  // the upload that revised it
	RevisedByFile        string // that upload's first file
}

const sameFilesQuery = `
SELECT f.name, e.upload_id, e.name, u.status
FROM upload_files f
JOIN upload_files e ON e.sha256 = f.sha256 AND e.upload_id < f.upload_id
JOIN uploads u ON u.id = e.upload_id
WHERE f.upload_id = ?
ORDER BY f.position, e.upload_id`

// revertsQuery finds the cells an upload revises to a figure that an
// older committed upload had published, before the upload now in force
// for the cell revised it.
const revertsQuery = `
SELECT s.indicator, s.geography_code, f.period, f.value, f.symbol, f.replaces, COALESCE(rf.name, '')
FROM upload_series us
JOIN figures f ON f.series_id = us.series_id AND f.upload_id = us.upload_id
JOIN series s ON s.id = f.series_id
LEFT JOIN upload_files rf ON rf.upload_id = f.replaces AND rf.position = 0
WHERE us.upload_id = ? AND f.replaces IS NOT NULL AND EXISTS (
	SELECT 1 FROM figures p JOIN uploads u ON u.id = p.upload_id AND u.status = 'committed'
	WHERE p.series_id = f.series_id AND p.period = f.period AND p.upload_id < f.replaces
	  AND p.symbol = f.symbol AND (p.value = f.value OR (p.value IS NULL AND f.value IS NULL)))
ORDER BY s.indicator, s.geography_code, f.period`

// rowsQueryer is a database or a transaction.
type rowsQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// maxRevertExamples bounds the reverts a preview lists by name.
const maxRevertExamples = 10

// UploadWarnings reads what a preview of upload id must warn of.
func (s *Store) UploadWarnings(ctx context.Context, id int64) (UploadWarnings, error) {
	return uploadWarnings(ctx, s.db, id)
}

func uploadWarnings(ctx context.Context, q rowsQueryer, id int64) (UploadWarnings, error) {
	var w UploadWarnings
	rows, err := q.QueryContext(ctx, sameFilesQuery, id)
	if err != nil {
		return w, fmt.Errorf("store: same files of upload %d: %w", id, err)
	}
	for rows.Next() {
		var f SameFile
		if err := rows.Scan(&f.Name, &f.EarlierID, &f.EarlierName, &f.Status); err != nil {
			rows.Close()
			return w, fmt.Errorf("store: scan same file: %w", err)
		}
		w.SameFiles = append(w.SameFiles, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return w, err
	}
	rows, err = q.QueryContext(ctx, revertsQuery, id)
	if err != nil {
		return w, fmt.Errorf("store: reverts of upload %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Revert
		var period int
		var value sql.NullFloat64
		if err := rows.Scan(&r.Indicator, &r.Geography, &period, &value, &r.Symbol, &r.RevisedBy, &r.RevisedByFile); err != nil {
			return w, fmt.Errorf("store: scan revert: %w", err)
		}
		w.Reverts++
		if len(w.Examples) < maxRevertExamples {
			r.Period, r.Value = indicators.Period(period), floatPtr(value)
			w.Examples = append(w.Examples, r)
		}
	}
	return w, rows.Err()
}

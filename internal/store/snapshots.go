package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"cptrends/indicators"
)

// Snapshot is a frozen copy of a page's figures. Content is opaque to the
// store: the web package writes it once and reads it back as it was.
type Snapshot struct {
	ID          string
	Subject     string // an indicator id, or "overview"
	Geography   string // ONS code
	Indicators  []string
	Title       string
	Comment     string
	CreatedBy   string
	CreatedAt   time.Time
	DataVersion int64
	Content     []byte
}

// Limits on the words people give a snapshot.
const (
	MaxSnapshotTitle   = 200
	MaxSnapshotComment = 2000
)

// snapshotIDs are 16 random bytes in lower-case base32 without padding.
var (
	snapshotEncoding  = base32.StdEncoding.WithPadding(base32.NoPadding)
	snapshotIDPattern = regexp.MustCompile(`^[a-z2-7]{26}$`)
)

// ValidSnapshotID reports whether id has the shape of a snapshot id, so
// that callers can refuse anything else before it reaches a query or a
// file name.
func ValidSnapshotID(id string) bool { return snapshotIDPattern.MatchString(id) }

func newSnapshotID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return strings.ToLower(snapshotEncoding.EncodeToString(b)), nil
}

// CreateSnapshot stores a snapshot with a new random id and returns it. It
// refuses with ECONFLICT if the data version is no longer sn.DataVersion,
// so a snapshot is never labelled with a version its figures were not
// read from: the caller reads the version, builds the content, then calls
// this.
func (s *Store) CreateSnapshot(ctx context.Context, sn Snapshot) (Snapshot, error) {
	switch {
	case utf8.RuneCountInString(sn.Title) > MaxSnapshotTitle:
		return Snapshot{}, indicators.Errorf(indicators.EINVALID, "A snapshot's title can be at most %d characters long.", MaxSnapshotTitle)
	case utf8.RuneCountInString(sn.Comment) > MaxSnapshotComment:
		return Snapshot{}, indicators.Errorf(indicators.EINVALID, "A snapshot's comment can be at most %d characters long.", MaxSnapshotComment)
	case !utf8.ValidString(sn.Title) || !utf8.ValidString(sn.Comment):
		return Snapshot{}, indicators.Errorf(indicators.EINVALID, "The title and comment must be text (UTF-8).")
	}
	id, err := newSnapshotID()
	if err != nil {
		return Snapshot{}, fmt.Errorf("store: snapshot id: %w", err)
	}
	sn.ID, sn.CreatedAt = id, s.now().UTC()
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return Snapshot{}, fmt.Errorf("store: begin snapshot: %w", err)
	}
	defer tx.Rollback()
	// The limits are checked in the transaction that adds the snapshot,
	// which holds the database's write lock: two requests at once, on one
	// server or several, cannot both slip under them.
	if err := snapshotAllowance(ctx, tx, sn.CreatedBy, sn.CreatedAt); err != nil {
		return Snapshot{}, err
	}
	v, err := dataVersion(ctx, tx)
	if err != nil {
		return Snapshot{}, err
	}
	if v != sn.DataVersion {
		return Snapshot{}, indicators.Errorf(indicators.ECONFLICT, "The figures changed while the snapshot was being made. Try again.")
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO snapshots (id, subject, geography_code, indicators, title, comment, created_by, created_at, data_version, content)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sn.ID, sn.Subject, sn.Geography, strings.Join(sn.Indicators, ","), sn.Title, sn.Comment, sn.CreatedBy,
		timestamp(sn.CreatedAt), sn.DataVersion, sn.Content); err != nil {
		return Snapshot{}, fmt.Errorf("store: add snapshot: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Snapshot{}, fmt.Errorf("store: commit snapshot: %w", err)
	}
	return sn, nil
}

const snapshotColumns = `id, subject, geography_code, indicators, title, comment, created_by, created_at, data_version`

// Snapshot returns one snapshot with its content.
func (s *Store) Snapshot(ctx context.Context, id string) (Snapshot, error) {
	if !ValidSnapshotID(id) {
		return Snapshot{}, indicators.Errorf(indicators.ENOTFOUND, "There is no such snapshot.")
	}
	row := s.db.QueryRowContext(ctx, `SELECT `+snapshotColumns+`, content FROM snapshots
		WHERE id = ? AND id NOT IN (SELECT snapshot_id FROM snapshot_deletions)`, id)
	sn, err := scanSnapshot(row, true)
	if err == sql.ErrNoRows {
		return Snapshot{}, indicators.Errorf(indicators.ENOTFOUND, "There is no such snapshot.")
	}
	if err != nil {
		return Snapshot{}, fmt.Errorf("store: snapshot %s: %w", id, err)
	}
	return sn, nil
}

// Snapshots lists every snapshot, newest first, without content.
func (s *Store) Snapshots(ctx context.Context) ([]Snapshot, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+snapshotColumns+` FROM snapshots
		WHERE id NOT IN (SELECT snapshot_id FROM snapshot_deletions) ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("store: list snapshots: %w", err)
	}
	defer rows.Close()
	var out []Snapshot
	for rows.Next() {
		sn, err := scanSnapshot(rows, false)
		if err != nil {
			return nil, fmt.Errorf("store: scan snapshot: %w", err)
		}
		out = append(out, sn)
	}
	return out, rows.Err()
}

func scanSnapshot(row interface{ Scan(...any) error }, content bool) (Snapshot, error) {
	var sn Snapshot
	var ids, created string
	dest := []any{&sn.ID, &sn.Subject, &sn.Geography, &ids, &sn.Title, &sn.Comment, &sn.CreatedBy, &created, &sn.DataVersion}
	if content {
		dest = append(dest, &sn.Content)
	}
	if err := row.Scan(dest...); err != nil {
		return sn, err
	}
	if ids != "" {
		sn.Indicators = strings.Split(ids, ",")
	}
	sn.CreatedAt = parseTime(sql.NullString{String: created, Valid: true})
	return sn, nil
}

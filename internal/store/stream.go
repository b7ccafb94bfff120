package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"cptrends/indicators"
)

// StreamUpload describes an upload whose observations arrive one by one,
// as a large file is read, instead of all at once in a NewUpload.
type StreamUpload struct {
	By     string
	DryRun bool
	// OnChange, if set, is told of every cell the upload adds or revises,
	// in the order written. It is called from the goroutine that writes to
	// the database, never at the same time as itself. The Summary that
	// ImportStream returns has no Changes: an upload of a million values
	// would otherwise hold them all in memory.
	OnChange func(Change)
}

// ImportStream writes an upload in one transaction, as Import does, with
// the observations that fill passes to add. The files are named by what
// fill returns, once it has read them. If fill (or add) returns an error,
// nothing is written and that error is returned; with DryRun, the summary
// is computed and nothing is written either. While fill reads, the
// observations already handed over are written on a second goroutine, so
// that reading and writing overlap, in chunks sorted by cell: OnChange
// sees the changes in that order.
func (s *Store) ImportStream(ctx context.Context, up StreamUpload, fill func(add func(indicators.Observation) error) ([]File, error)) (Summary, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("store: begin import: %w", err)
	}
	defer conn.Close()
	// For the length of the import: a bigger page cache (16 MB rather than
	// 2; more buys little, as chunks are written in key order); and statement journals
	// (each INSERT of many rows has one, to undo just that statement) in
	// memory rather than in a temporary file. Both are given back before
	// the connection returns to the pool.
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY`); err != nil {
		return Summary{}, fmt.Errorf("store: import settings: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT`)

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return Summary{}, fmt.Errorf("store: begin import: %w", err)
	}
	defer tx.Rollback()
	id, err := addUpload(ctx, tx, up.By, "committed", timestamp(s.now()))
	if err != nil {
		return Summary{}, err
	}
	w, err := newObservationWriter(ctx, tx, id)
	if err != nil {
		return Summary{}, err
	}
	defer w.close()
	w.onChange = up.OnChange

	// The writer goroutine takes full chunks; add fills the next one.
	batches := make(chan []indicators.Observation)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var writeErr error
	failed := func() error {
		mu.Lock()
		defer mu.Unlock()
		return writeErr
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for b := range batches {
			if failed() != nil {
				continue // drain
			}
			if err := w.write(b); err != nil {
				mu.Lock()
				writeErr = err
				mu.Unlock()
			}
		}
	}()
	batch := make([]indicators.Observation, 0, streamChunk)
	add := func(o indicators.Observation) error {
		if err := failed(); err != nil {
			return err
		}
		batch = append(batch, o)
		if len(batch) == streamChunk {
			sortByKey(batch)
			batches <- batch
			batch = make([]indicators.Observation, 0, streamChunk)
		}
		return nil
	}
	files, fillErr := fill(add)
	if fillErr == nil && len(batch) > 0 {
		sortByKey(batch)
		batches <- batch
	}
	close(batches)
	wg.Wait()
	if fillErr != nil {
		return Summary{}, fillErr
	}
	if err := failed(); err != nil {
		return Summary{}, err
	}
	if err := finishUpload(ctx, tx, id, files, w.sum); err != nil {
		return Summary{}, err
	}
	sum := w.sum
	sum.UploadID = id
	if up.DryRun {
		return sum, nil // its work goes with the deferred rollback
	}
	if err := s.commitData(tx); err != nil {
		return Summary{}, fmt.Errorf("store: commit import: %w", err)
	}
	return sum, nil
}

// streamBatch is how many rows one INSERT statement adds.
const streamBatch = 128

// streamChunk is how many observations go to the writer at a time, sorted
// by the observations table's primary key. A file laid out year by year
// (as EES files are) would otherwise write each row to a different page of
// the table and its index; sorted, a chunk sweeps through them once.
const streamChunk = 32 << 10

// sortByKey sorts observations by (indicator, geography, period), unless
// they already are, as a native file written indicator by indicator is.
func sortByKey(obs []indicators.Observation) {
	cmp := func(a, b indicators.Observation) int {
		if c := strings.Compare(a.Indicator, b.Indicator); c != 0 {
			return c
		}
		if c := strings.Compare(a.Geography.Code, b.Geography.Code); c != 0 {
			return c
		}
		return int(a.Period) - int(b.Period)
	}
	if !slices.IsSortedFunc(obs, cmp) {
		slices.SortFunc(obs, cmp)
	}
}

func addUpload(ctx context.Context, tx *sql.Tx, by, status, now string) (int64, error) {
	var committed any
	if status == "committed" {
		committed = now
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO uploads (status, created_at, created_by, committed_at) VALUES (?, ?, ?, ?)`,
		status, now, by, committed)
	if err != nil {
		return 0, fmt.Errorf("store: add upload: %w", err)
	}
	return res.LastInsertId()
}

func finishUpload(ctx context.Context, tx *sql.Tx, id int64, files []File, sum Summary) error {
	for i, f := range files {
		if _, err := tx.ExecContext(ctx, `INSERT INTO upload_files (upload_id, position, name, sha256, size, rows) VALUES (?, ?, ?, ?, ?, ?)`,
			id, i, f.Name, f.SHA256, f.Size, f.Rows); err != nil {
			return fmt.Errorf("store: add upload file: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE uploads SET added = ?, revised = ?, unchanged = ? WHERE id = ?`,
		sum.Added, sum.Revised, sum.Unchanged, id); err != nil {
		return fmt.Errorf("store: count upload: %w", err)
	}
	return nil
}

// The current value of one cell, read from the primary key: the row of the
// latest committed upload (as the current_observations view defines it).
const currentCellByKey = `
SELECT o.value, o.symbol, o.note, o.geography_name, o.upload_id
FROM observations o
JOIN uploads u ON u.id = o.upload_id AND u.status = 'committed'
WHERE o.indicator = ? AND o.geography_code = ? AND o.period = ?
ORDER BY o.upload_id DESC
LIMIT 1`

const anyCurrent = `
SELECT EXISTS (SELECT 1 FROM observations o JOIN uploads u ON u.id = o.upload_id AND u.status = 'committed')`

const insertColumns = 10

// observationWriter compares observations with the cells' current values
// and writes those that add or change a cell, many rows to an INSERT.
type observationWriter struct {
	ctx      context.Context
	tx       *sql.Tx
	uploadID int64
	// fresh is true when no committed value exists at all, so that every
	// cell is added and none needs looking up.
	fresh    bool
	current  *sql.Stmt
	insert   *sql.Stmt // streamBatch rows
	args     []any
	pending  int
	sum      Summary
	onChange func(Change)
	keep     bool // keep sum.Changes
}

func newObservationWriter(ctx context.Context, tx *sql.Tx, uploadID int64) (*observationWriter, error) {
	w := &observationWriter{ctx: ctx, tx: tx, uploadID: uploadID, args: make([]any, 0, streamBatch*insertColumns)}
	var exists int
	if err := tx.QueryRowContext(ctx, anyCurrent).Scan(&exists); err != nil {
		return nil, fmt.Errorf("store: read current values: %w", err)
	}
	w.fresh = exists == 0
	var err error
	if !w.fresh {
		if w.current, err = tx.PrepareContext(ctx, currentCellByKey); err != nil {
			return nil, fmt.Errorf("store: prepare: %w", err)
		}
	}
	if w.insert, err = tx.PrepareContext(ctx, insertRows(streamBatch)); err != nil {
		w.close()
		return nil, fmt.Errorf("store: prepare: %w", err)
	}
	return w, nil
}

func (w *observationWriter) close() {
	if w.current != nil {
		w.current.Close()
	}
	if w.insert != nil {
		w.insert.Close()
	}
}

func insertRows(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO observations (indicator, geography_code, period, upload_id, geography_name, geography_level, value, symbol, note, replaces) VALUES `)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?,?,?)")
	}
	return b.String()
}

// write compares and writes a batch of observations.
func (w *observationWriter) write(obs []indicators.Observation) error {
	for _, o := range obs {
		if err := w.add(o); err != nil {
			return err
		}
	}
	return w.flush()
}

func (w *observationWriter) add(o indicators.Observation) error {
	var replaces sql.NullInt64
	change := Change{Kind: Added, New: o}
	if !w.fresh {
		old := o
		var value sql.NullFloat64
		err := w.current.QueryRowContext(w.ctx, o.Indicator, o.Geography.Code, int(o.Period)).
			Scan(&value, &old.Symbol, &old.Note, &old.Geography.Name, &replaces)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("store: read current value: %w", err)
		default:
			old.Value = nil
			if value.Valid {
				old.Value = &value.Float64
			}
			if old.Same(o) && old.Geography.Name == o.Geography.Name {
				w.sum.Unchanged++
				return nil
			}
			change = Change{Kind: Revised, New: o, Old: &old}
		}
	}
	if change.Kind == Added {
		w.sum.Added++
	} else {
		w.sum.Revised++
	}
	if w.keep {
		w.sum.Changes = append(w.sum.Changes, change)
	}
	if w.onChange != nil {
		w.onChange(change)
	}
	w.args = append(w.args, o.Indicator, o.Geography.Code, int64(o.Period), w.uploadID,
		o.Geography.Name, o.Geography.Level, nullFloat(o.Value), string(o.Symbol), o.Note, replaces)
	if w.pending++; w.pending == streamBatch {
		return w.flush()
	}
	return nil
}

// flush writes the rows waiting in args.
func (w *observationWriter) flush() error {
	if w.pending == 0 {
		return nil
	}
	var err error
	if w.pending == streamBatch {
		_, err = w.insert.ExecContext(w.ctx, w.args...)
	} else {
		_, err = w.tx.ExecContext(w.ctx, insertRows(w.pending), w.args...)
	}
	if err != nil {
		return fmt.Errorf("store: add observations: %w", err)
	}
	w.args, w.pending = w.args[:0], 0
	return nil
}

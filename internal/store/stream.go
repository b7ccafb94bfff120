package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"

	"cptrends/indicators"

	"github.com/jackc/pgx/v5"
)

// StreamUpload describes an upload whose observations arrive one by one
// (see package indicators).
type StreamUpload = indicators.StreamUpload

// ImportStream writes an upload in one transaction, as Import does, with
// the observations that fill passes to add. The files are named by what
// fill returns, once it has read them. If fill (or add) returns an error,
// nothing is written and that error is returned; with DryRun, the summary
// is computed and nothing is written either. While fill reads, the
// observations already handed over are written on a second goroutine, so
// that reading and writing overlap, in chunks sorted by cell: OnRevision
// sees the revisions in that order.
func (s *Store) ImportStream(ctx context.Context, up StreamUpload, fill func(add func(indicators.Observation) error) ([]File, error)) (Summary, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("store: begin import: %w", err)
	}
	defer conn.Close()
	// For the length of the import: a bigger page cache (16 MB rather than
	// 2; more buys little, as chunks are written in key order); statement
	// journals (each INSERT of many rows has one, to undo just that
	// statement) in memory rather than in a temporary file; and no foreign
	// key checks, which would look up a figure's series, place and uploads
	// for every row (the writer adds the series and places itself, before
	// the figures that refer to them) and halve the rate of writing. All are
	// given back before the connection returns to the pool.
	// (PostgreSQL needs none of this.)
	if s.dialect == dialectSQLite {
		if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF`); err != nil {
			return Summary{}, fmt.Errorf("store: import settings: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT; PRAGMA foreign_keys = ON`)
	}

	// On PostgreSQL the figures go in by COPY, on the same connection and
	// so in the same transaction.
	var copier *pgx.Conn
	if s.dialect == dialectPostgres {
		if err := conn.Raw(func(dc any) error {
			if rc, ok := dc.(rebindConn); ok {
				copier = rc.Conn.Conn()
			}
			return nil
		}); err != nil {
			return Summary{}, fmt.Errorf("store: begin import: %w", err)
		}
	}

	tx, err := beginWriteOn(ctx, s.dialect, conn)
	if err != nil {
		return Summary{}, fmt.Errorf("store: begin import: %w", err)
	}
	defer tx.Rollback()
	status := "committed"
	if up.Pending {
		status = "pending"
	}
	id, err := addUpload(ctx, tx, up.By, status, timestamp(s.now()))
	if err != nil {
		return Summary{}, err
	}
	num, err := readNumbering(ctx, tx)
	if err != nil {
		return Summary{}, err
	}
	w, err := newObservationWriter(ctx, tx, id, num, up.Pending)
	if err != nil {
		return Summary{}, err
	}
	defer w.close()
	w.onRevision = up.OnRevision
	if copier != nil {
		w.copyFigures(copier)
	}

	// The writer goroutine takes full chunks; add, on the reading
	// goroutine, numbers each observation's cell and fills the next one.
	chunks := make(chan *chunk)
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
		for c := range chunks {
			if failed() != nil {
				continue // drain
			}
			if err := w.write(c); err != nil {
				mu.Lock()
				writeErr = err
				mu.Unlock()
			}
		}
	}()
	// The first chunks are small, so that the writer starts soon.
	size := firstChunk
	c := newChunk(size)
	add := func(o indicators.Observation) error {
		if err := failed(); err != nil {
			return err
		}
		num.add(c, o)
		if len(c.rows) == size {
			c.sort()
			chunks <- c
			size = min(2*size, streamChunk)
			c = newChunk(size)
		}
		return nil
	}
	files, fillErr := fill(add)
	if fillErr == nil {
		c.sort()
		chunks <- c
	}
	close(chunks)
	wg.Wait()
	if fillErr != nil {
		return Summary{}, fillErr
	}
	if err := failed(); err != nil {
		return Summary{}, err
	}
	w.sum.Groups = w.groups()
	if err := finishUpload(ctx, tx, id, files, w.sum); err != nil {
		return Summary{}, err
	}
	if up.LACodes != nil {
		if err := writeLACodes(ctx, tx, id, up.LACodes()); err != nil {
			return Summary{}, err
		}
	}
	sum := w.sum
	sum.UploadID = id
	sum.AddedGroups = w.addedGroups()
	if up.DryRun {
		return sum, nil // its work goes with the deferred rollback
	}
	if up.Pending {
		if err := tx.Commit(); err != nil {
			return Summary{}, fmt.Errorf("store: commit stage: %w", err)
		}
		return sum, nil
	}
	if err := s.commitData(tx); err != nil {
		return Summary{}, fmt.Errorf("store: commit import: %w", err)
	}
	return sum, nil
}

// streamBatch is how many rows one INSERT statement adds.
const streamBatch = 512

// streamChunk is how many observations go to the writer at a time, sorted
// by the figures table's primary key. A file laid out year by year (as EES
// files are) would otherwise write each row to a different page of the
// table; sorted, a chunk sweeps through it once, and the more years of a
// series a chunk holds, the fewer sweeps (though past this size a chunk
// costs more to sort than it saves). A figure takes 72 bytes.
const streamChunk = 128 << 10

// firstChunk is the size of the first chunk, the size doubling with each
// chunk up to streamChunk.
const firstChunk = 8 << 10

func addUpload(ctx context.Context, tx *sql.Tx, by, status, now string) (int64, error) {
	var committed any
	if status == "committed" {
		committed = now
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO uploads (status, created_at, created_by, committed_at) VALUES (?, ?, ?, ?) RETURNING id`,
		status, now, by, committed).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: add upload: %w", err)
	}
	return id, nil
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
	for _, g := range sum.Groups {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO upload_groups (upload_id, indicator, level, added, revised, unchanged, areas, first_period, last_period)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, g.Indicator, g.Level, g.Values, g.Revised, g.Unchanged, g.Areas, int(g.First), int(g.Last)); err != nil {
			return fmt.Errorf("store: count upload: %w", err)
		}
	}
	return nil
}

// The values of one series written by committed uploads, the current one
// (the latest upload's, as the current_observations view defines it)
// first for each period.
const seriesValues = `
SELECT f.period, f.value, f.symbol, f.note, f.place_id, f.upload_id
FROM figures f
JOIN uploads u ON u.id = f.upload_id AND u.status = 'committed'
WHERE f.series_id = ?
ORDER BY f.period, f.upload_id DESC`

// cell is a cell's current value, as seriesValues reads it.
type cell struct {
	value  sql.NullFloat64
	symbol string
	note   string
	place  int64
	upload int64
}

// same reports whether f would publish what c does.
func (c cell) same(f *figure) bool {
	return c.value.Valid == f.hasValue && (!f.hasValue || c.value.Float64 == f.value) &&
		c.symbol == string(f.symbol) && c.note == f.note && c.place == f.place
}

// observationWriter compares figures with the cells' current values and
// writes those that add or change a cell, many rows to an INSERT.
type observationWriter struct {
	ctx      context.Context
	tx       *sql.Tx
	uploadID int64

	oldSeries int64 // see numbering
	series    map[int64]seriesKey
	places    map[int64]indicators.Geography
	// The series and place last named, mostly the next figure's too.
	named struct {
		series, place int64
		seriesKey
		geo indicators.Geography
	}

	values   *sql.Stmt
	valuesOf int64 // the series whose values current holds
	current  map[indicators.Period]cell
	written  map[int64]bool // series this upload writes to
	// The series of the last figure written, mostly the next one's too.
	lastWritten int64

	newSeries, newPlaces, newWritten, newFigures, revisedFigures *rowBatch
	// unchanged records, for a pending upload, the cells it leaves as they
	// are and whose value they were, for Commit to check again; nil for an
	// upload committed at once.
	unchanged *rowBatch

	sum        Summary
	onRevision func(Change)
	keep       bool // keep sum.Changes
	// added counts what each series gains, for the summary's groups.
	added     map[int64]*seriesAdded
	lastAdded *seriesAdded // of the last figure added, mostly the next one's
}

// seriesAdded is what an upload adds to one series (values), and what it
// revises and leaves unchanged there.
type seriesAdded struct {
	series             int64
	level              string
	values             int
	revised, unchanged int
	first, last        indicators.Period
}

func newObservationWriter(ctx context.Context, tx *sql.Tx, uploadID int64, num *numbering, pending bool) (*observationWriter, error) {
	w := &observationWriter{ctx: ctx, tx: tx, uploadID: uploadID, oldSeries: num.oldSeries,
		series: map[int64]seriesKey{}, places: make(map[int64]indicators.Geography, len(num.places)),
		current: map[indicators.Period]cell{}, written: map[int64]bool{}, added: map[int64]*seriesAdded{}}
	for code, ids := range num.series {
		for indicator, id := range ids {
			w.series[id] = seriesKey{indicator, code}
		}
	}
	for g, id := range num.places {
		w.places[id] = g
	}
	var err error
	if w.values, err = tx.PrepareContext(ctx, seriesValues); err != nil {
		return nil, fmt.Errorf("store: prepare: %w", err)
	}
	w.newSeries = newRowBatch(tx, "series", "id", "indicator", "geography_code")
	w.newPlaces = newRowBatch(tx, "places", "id", "code", "name", "level")
	w.newWritten = newRowBatch(tx, "upload_series", "upload_id", "series_id")
	// A figure's upload is written into the statement rather than bound to
	// each row, as is the NULL of a figure that replaces nothing (most do);
	// and most have neither symbol nor note, for which a NULL is bound
	// where a string would be copied for SQLite.
	columns := []string{"series_id", "period", "upload_id", "place_id", "value", "symbol", "note", "replaces"}
	w.newFigures = newRowBatch(tx, "figures", columns...)
	w.newFigures.setRow(fmt.Sprintf("(?, ?, %d, ?, ?, coalesce(?, ''), coalesce(?, ''), NULL)", uploadID))
	w.revisedFigures = newRowBatch(tx, "figures", columns...)
	w.revisedFigures.setRow(fmt.Sprintf("(?, ?, %d, ?, ?, coalesce(?, ''), coalesce(?, ''), ?)", uploadID))
	if pending {
		w.unchanged = newRowBatch(tx, "upload_unchanged", "upload_id", "series_id", "period", "seen")
		w.unchanged.setRow(fmt.Sprintf("(%d, ?, ?, ?)", uploadID))
	}
	return w, nil
}

// copyFigures makes the writer add figures with COPY on c, the connection
// its transaction is on, rather than with INSERTs: on PostgreSQL some
// five times as fast. The rows are the INSERTs' values, with what those
// write into the statement (the upload, empty strings for no symbol or
// note, no upload replaced) filled in.
func (w *observationWriter) copyFigures(c *pgx.Conn) {
	str := func(v any) any {
		if v == nil {
			return ""
		}
		return v
	}
	for _, b := range []*rowBatch{w.newFigures, w.revisedFigures} {
		revised := b == w.revisedFigures
		b.copier = c
		b.copyRow = func(a []any) []any {
			var replaces any
			if revised {
				replaces = a[6]
			}
			return []any{a[0], a[1], w.uploadID, a[2], a[3], str(a[4]), str(a[5]), replaces}
		}
	}
}

func (w *observationWriter) close() {
	w.values.Close()
	for _, b := range w.batches() {
		b.close()
	}
}

// write adds a chunk's new series and places and writes its figures.
func (w *observationWriter) write(c *chunk) error {
	for _, s := range c.series {
		w.series[s.id] = s.key
		if w.newSeries.add(s.id, s.key.indicator, s.key.code); w.newSeries.full() {
			if err := w.newSeries.flush(w.ctx); err != nil {
				return err
			}
		}
	}
	for _, p := range c.places {
		w.places[p.id] = p.geo
		if w.newPlaces.add(p.id, p.geo.Code, p.geo.Name, p.geo.Level); w.newPlaces.full() {
			if err := w.newPlaces.flush(w.ctx); err != nil {
				return err
			}
		}
	}
	for i := range c.rows {
		if err := w.add(&c.rows[i]); err != nil {
			return err
		}
	}
	return w.flush()
}

func (w *observationWriter) add(f *figure) error {
	var replaces int64 // the upload whose value a revision replaces
	change := Change{Kind: Added}
	if f.series <= w.oldSeries {
		if err := w.readValues(f.series); err != nil {
			return err
		}
		if c, ok := w.current[f.period]; ok {
			if c.same(f) {
				w.sum.Unchanged++
				w.count(f).unchanged++
				if w.unchanged != nil {
					if w.unchanged.add(f.series, int64(f.period), c.upload); w.unchanged.full() {
						return w.flush()
					}
				}
				return nil
			}
			replaces = c.upload
			change.Kind = Revised
			if w.keep || w.onRevision != nil {
				old := w.observation(&figure{series: f.series, place: c.place, period: f.period,
					value: c.value.Float64, hasValue: c.value.Valid, symbol: indicators.Symbol(c.symbol), note: c.note})
				change.Old = &old
			}
		}
	}
	if change.Kind == Added {
		w.sum.Added++
		w.count(f).values++
	} else {
		w.sum.Revised++
		w.count(f).revised++
	}
	if w.keep || (w.onRevision != nil && change.Kind == Revised) {
		change.New = w.observation(f)
		if w.keep {
			w.sum.Changes = append(w.sum.Changes, change)
		}
		if w.onRevision != nil && change.Kind == Revised {
			w.onRevision(change)
		}
	}
	if f.series != w.lastWritten && !w.written[f.series] {
		w.written[f.series] = true
		w.newWritten.add(w.uploadID, f.series)
	}
	w.lastWritten = f.series
	var value any
	if f.hasValue {
		value = f.value
	}
	b := w.newFigures
	if change.Kind == Revised {
		b = w.revisedFigures
		b.add(f.series, int64(f.period), f.place, value, emptyNull(string(f.symbol)), emptyNull(f.note), replaces)
	} else {
		b.add(f.series, int64(f.period), f.place, value, emptyNull(string(f.symbol)), emptyNull(f.note))
	}
	if b.full() {
		return w.flush()
	}
	return nil
}

// count returns the counts of f's series, its periods widened to take f.
func (w *observationWriter) count(f *figure) *seriesAdded {
	a := w.lastAdded
	if a == nil || a.series != f.series {
		if a = w.added[f.series]; a == nil {
			a = &seriesAdded{series: f.series, level: w.places[f.place].Level, first: f.period, last: f.period}
			w.added[f.series] = a
		}
		w.lastAdded = a
	}
	a.first, a.last = min(a.first, f.period), max(a.last, f.period)
	return a
}

// addedGroups sums up what the upload added by indicator and level: the
// series it adds values to, and the years of those values.
func (w *observationWriter) addedGroups() []AddedGroup {
	return w.sumGroups(true)
}

// groups sums up everything the upload gives by indicator and level.
func (w *observationWriter) groups() []AddedGroup {
	return w.sumGroups(false)
}

func (w *observationWriter) sumGroups(addedOnly bool) []AddedGroup {
	type key struct{ indicator, level string }
	groups := map[key]*AddedGroup{}
	for _, a := range w.added {
		if addedOnly && a.values == 0 {
			continue
		}
		k := key{w.series[a.series].indicator, a.level}
		g := groups[k]
		if g == nil {
			g = &AddedGroup{Indicator: k.indicator, Level: k.level, First: a.first, Last: a.last}
			groups[k] = g
		}
		g.Values += a.values
		g.Revised += a.revised
		g.Unchanged += a.unchanged
		g.Areas++
		g.First, g.Last = min(g.First, a.first), max(g.Last, a.last)
	}
	out := make([]AddedGroup, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b AddedGroup) int {
		return cmp.Or(strings.Compare(a.Indicator, b.Indicator), strings.Compare(a.Level, b.Level))
	})
	return out
}

// emptyNull is s, or nil for an empty s.
func emptyNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// observation names f's cell and place again.
func (w *observationWriter) observation(f *figure) indicators.Observation {
	if f.series != w.named.series {
		w.named.series, w.named.seriesKey = f.series, w.series[f.series]
	}
	if f.place != w.named.place {
		w.named.place, w.named.geo = f.place, w.places[f.place]
	}
	o := indicators.Observation{Indicator: w.named.indicator, Geography: w.named.geo, Period: f.period, Symbol: f.symbol, Note: f.note}
	if f.hasValue {
		v := f.value
		o.Value = &v
	}
	return o
}

// readValues reads the current values of a series, unless they are the
// ones already read: a chunk comes sorted by cell, so a series' periods
// arrive together and are looked up with one query.
func (w *observationWriter) readValues(seriesID int64) error {
	if seriesID == w.valuesOf {
		return nil
	}
	clear(w.current)
	w.valuesOf = seriesID
	rows, err := w.values.QueryContext(w.ctx, seriesID)
	if err != nil {
		return fmt.Errorf("store: read current values: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var period int
		var c cell
		if err := rows.Scan(&period, &c.value, &c.symbol, &c.note, &c.place, &c.upload); err != nil {
			return fmt.Errorf("store: read current values: %w", err)
		}
		if _, seen := w.current[indicators.Period(period)]; !seen {
			w.current[indicators.Period(period)] = c
		}
	}
	return rows.Err()
}

// flush writes the rows waiting, series and places before what refers to
// them.
func (w *observationWriter) flush() error {
	for _, b := range w.batches() {
		if err := b.flush(w.ctx); err != nil {
			return err
		}
	}
	return nil
}

// batches are the writer's row batches, in the order they are flushed.
func (w *observationWriter) batches() []*rowBatch {
	bs := []*rowBatch{w.newSeries, w.newPlaces, w.newWritten, w.newFigures, w.revisedFigures}
	if w.unchanged != nil {
		bs = append(bs, w.unchanged)
	}
	return bs
}

// rowBatch inserts rows into one table, up to streamBatch rows to a
// statement.
type rowBatch struct {
	tx      *sql.Tx
	table   string
	columns []string
	stmts   map[int]*sql.Stmt // by rows, prepared when first needed
	row     string            // the SQL of a row's values
	params  int               // in row
	args    []any
	// With copier set, flush writes the rows with COPY on that
	// connection, each made by copyRow from its bound values.
	copier  *pgx.Conn
	copyRow func([]any) []any
}

func newRowBatch(tx *sql.Tx, table string, columns ...string) *rowBatch {
	b := &rowBatch{tx: tx, table: table, columns: columns, stmts: map[int]*sql.Stmt{}}
	b.setRow("(" + strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")")
	return b
}

// setRow sets the SQL of a row's values, which need not all be bound.
func (b *rowBatch) setRow(row string) {
	b.row, b.params = row, strings.Count(row, "?")
	b.args = make([]any, 0, streamBatch*b.params)
}

func (b *rowBatch) add(values ...any) { b.args = append(b.args, values...) }

// full reports whether the batch holds streamBatch rows, to be flushed.
func (b *rowBatch) full() bool { return len(b.args) == streamBatch*b.params }

func (b *rowBatch) flush(ctx context.Context) error {
	n := len(b.args) / b.params
	if n == 0 {
		return nil
	}
	if b.copier != nil {
		rows := make([][]any, n)
		for i := range rows {
			rows[i] = b.copyRow(b.args[i*b.params : (i+1)*b.params])
		}
		if _, err := b.copier.CopyFrom(ctx, pgx.Identifier{b.table}, b.columns, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("store: add %s: %w", b.table, err)
		}
		b.args = b.args[:0]
		return nil
	}
	stmt, ok := b.stmts[n]
	if !ok {
		var err error
		if stmt, err = b.tx.PrepareContext(ctx, b.insert(n)); err != nil {
			return fmt.Errorf("store: prepare: %w", err)
		}
		b.stmts[n] = stmt
	}
	if _, err := stmt.ExecContext(ctx, b.args...); err != nil {
		return fmt.Errorf("store: add %s: %w", b.table, err)
	}
	b.args = b.args[:0]
	return nil
}

func (b *rowBatch) close() {
	for _, s := range b.stmts {
		s.Close()
	}
}

// insert is an INSERT of n rows.
func (b *rowBatch) insert(n int) string {
	var s strings.Builder
	s.WriteString("INSERT INTO " + b.table + " (" + strings.Join(b.columns, ", ") + ") VALUES ")
	for i := range n {
		if i > 0 {
			s.WriteByte(',')
		}
		s.WriteString(b.row)
	}
	return s.String()
}

package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"cptrends/indicators"
)

// seriesKey names a series: an indicator in one area.
type seriesKey struct{ indicator, code string }

// numbering gives each observation's series and place the number the
// figures table knows it by, numbering those an upload brings for the
// first time. That is safe because the upload being written holds the
// database's write lock.
type numbering struct {
	// series is by area code, then indicator: the observations of a row
	// of an EES file, or of a series in a native file, share their area,
	// and so one lookup of the area's series.
	series map[string]map[string]int64
	// A place is an area as an upload named it: code, name and level.
	places                map[indicators.Geography]int64
	lastSeries, lastPlace int64
	// oldSeries is the highest series number before this upload: only
	// those can have values already.
	oldSeries int64

	// The last area and place numbered, for the next observation, which
	// most often has the same ones.
	area    string
	areaIDs map[string]int64
	place   indicators.Geography
	placeID int64
}

// figure is an observation with its series and place by number, as the
// writer takes it: a few words, where the observation keeps its strings.
type figure struct {
	series, place int64
	period        indicators.Period
	value         float64
	hasValue      bool
	symbol        indicators.Symbol
	note          string
}

// chunk is figures on their way to the writer, with the series and places
// first numbered for them.
type chunk struct {
	series []numberedSeries
	places []numberedPlace
	rows   []figure
}

type numberedSeries struct {
	id  int64
	key seriesKey
}

type numberedPlace struct {
	id  int64
	geo indicators.Geography
}

func readNumbering(ctx context.Context, tx *sql.Tx) (*numbering, error) {
	n := &numbering{series: map[string]map[string]int64{}, places: map[indicators.Geography]int64{}}
	rows, err := tx.QueryContext(ctx, `SELECT id, indicator, geography_code FROM series`)
	if err != nil {
		return nil, fmt.Errorf("store: read series: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var k seriesKey
		if err := rows.Scan(&id, &k.indicator, &k.code); err != nil {
			return nil, fmt.Errorf("store: read series: %w", err)
		}
		n.seriesOf(k.code)[k.indicator] = id
		n.lastSeries = max(n.lastSeries, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read series: %w", err)
	}
	n.oldSeries = n.lastSeries
	places, err := tx.QueryContext(ctx, `SELECT id, code, name, level FROM places`)
	if err != nil {
		return nil, fmt.Errorf("store: read places: %w", err)
	}
	defer places.Close()
	for places.Next() {
		var id int64
		var g indicators.Geography
		if err := places.Scan(&id, &g.Code, &g.Name, &g.Level); err != nil {
			return nil, fmt.Errorf("store: read places: %w", err)
		}
		n.places[g] = id
		n.lastPlace = max(n.lastPlace, id)
	}
	if err := places.Err(); err != nil {
		return nil, fmt.Errorf("store: read places: %w", err)
	}
	return n, nil
}

// newChunk starts a chunk with room for size figures.
func newChunk(size int) *chunk {
	return &chunk{rows: make([]figure, 0, size)}
}

// seriesOf returns the series of an area, by indicator.
func (n *numbering) seriesOf(code string) map[string]int64 {
	ids, ok := n.series[code]
	if !ok {
		ids = map[string]int64{}
		n.series[code] = ids
	}
	return ids
}

// add numbers o into c.
func (n *numbering) add(c *chunk, o indicators.Observation) {
	if o.Geography.Code != n.area || n.areaIDs == nil {
		n.area, n.areaIDs = o.Geography.Code, n.seriesOf(o.Geography.Code)
	}
	s, ok := n.areaIDs[o.Indicator]
	if !ok {
		n.lastSeries++
		s = n.lastSeries
		n.areaIDs[o.Indicator] = s
		c.series = append(c.series, numberedSeries{s, seriesKey{o.Indicator, o.Geography.Code}})
	}
	if o.Geography != n.place || n.placeID == 0 {
		p, ok := n.places[o.Geography]
		if !ok {
			n.lastPlace++
			p = n.lastPlace
			n.places[o.Geography] = p
			c.places = append(c.places, numberedPlace{p, o.Geography})
		}
		n.place, n.placeID = o.Geography, p
	}
	f := figure{series: s, place: n.placeID, period: o.Period, symbol: o.Symbol, note: o.Note}
	if o.Value != nil {
		f.value, f.hasValue = *o.Value, true
	}
	c.rows = append(c.rows, f)
}

// sort puts c's figures in the figures table's key order (series, then
// period), unless they already are, as a file written series by series is.
// Series are numbered densely, so a counting sort by series, then by
// period within each series (most often already in order), is linear; a
// chunk of a file laid out year by year is sorted in a fifth of the time
// a comparison sort takes.
func (c *chunk) sort() {
	byPeriod := func(a, b figure) int { return cmp.Compare(a.period, b.period) }
	order := func(a, b figure) int { return cmp.Or(cmp.Compare(a.series, b.series), byPeriod(a, b)) }
	if slices.IsSortedFunc(c.rows, order) {
		return
	}
	lo, hi := c.rows[0].series, c.rows[0].series
	for _, f := range c.rows {
		lo, hi = min(lo, f.series), max(hi, f.series)
	}
	if hi-lo > int64(4*len(c.rows)) {
		slices.SortFunc(c.rows, order)
		return
	}
	start := make([]int, hi-lo+2) // where each series' figures begin
	for _, f := range c.rows {
		start[f.series-lo+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	sorted := make([]figure, len(c.rows))
	next := slices.Clone(start)
	for _, f := range c.rows {
		sorted[next[f.series-lo]] = f
		next[f.series-lo]++
	}
	for i := 0; i+1 < len(start); i++ {
		if run := sorted[start[i]:start[i+1]]; !slices.IsSortedFunc(run, byPeriod) {
			slices.SortFunc(run, byPeriod)
		}
	}
	c.rows = sorted
}

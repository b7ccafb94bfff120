package ingest

import (
	"hash/maphash"

	"cptrends/indicators"
)

// cells remembers every cell (indicator, geography, period) given so far in
// an upload, to find a second value for the same cell across rows and
// files. Each cell keeps the line it came from and what it published (its
// number or symbol), not the observation itself: a million cells take some
// 25 MB. Notes, which few values have, are kept apart as 64-bit hashes.
//
// Cells are filed by series (an indicator in one area), numbered densely,
// and a series' periods are searched in turn: there are a few dozen at
// most, and a short scan costs less than a lookup in a map of a million.
type cells struct {
	ids    map[string]int // indicator → index
	geos   map[string]int // geography code → index
	series [][]periodSeen // by geography index × len(ids) + indicator index
	seen   []cellSeen
	notes  map[int]uint64 // by index into seen
	files  []string
	// symbols are the symbols given so far, for cellSeen.symbol.
	symbols []indicators.Symbol
	seed    maphash.Seed

	// The last geography looked up: an EES row gives several indicators
	// for one area, and a native file a series' years one after another.
	lastGeo      string
	lastGeoIndex int
}

// periodSeen is one period of a series given so far, and where in seen.
type periodSeen struct {
	period int32
	seen   uint32
}

// cellSeen is where a cell was first given and what it published.
type cellSeen struct {
	line     uint32
	file     uint16
	symbol   uint8 // 1 + index into cells.symbols; 0 for a number
	hasValue bool
	value    float64
}

func newCells(cat *indicators.Catalog) cells {
	c := cells{ids: map[string]int{}, geos: map[string]int{}, notes: map[int]uint64{}, seed: maphash.MakeSeed(), lastGeoIndex: -1}
	for _, d := range cat.All() {
		c.ids[d.ID] = len(c.ids)
	}
	return c
}

// seriesOf returns where o's series keeps its periods.
func (c *cells) seriesOf(o *indicators.Observation) *[]periodSeen {
	if c.lastGeoIndex < 0 || o.Geography.Code != c.lastGeo {
		g, ok := c.geos[o.Geography.Code]
		if !ok {
			g = len(c.geos)
			c.geos[o.Geography.Code] = g
			c.series = append(c.series, make([][]periodSeen, len(c.ids))...)
		}
		c.lastGeo, c.lastGeoIndex = o.Geography.Code, g
	}
	return &c.series[c.lastGeoIndex*len(c.ids)+c.ids[o.Indicator]]
}

func (c *cells) fingerprint(file string, line int, o *indicators.Observation) cellSeen {
	s := cellSeen{line: uint32(line)}
	if n := len(c.files); n == 0 || c.files[n-1] != file {
		c.files = append(c.files, file)
	}
	s.file = uint16(len(c.files) - 1)
	if o.Value != nil {
		s.hasValue, s.value = true, *o.Value
	}
	if o.Symbol != "" {
		i := 0
		for i < len(c.symbols) && c.symbols[i] != o.Symbol {
			i++
		}
		if i == len(c.symbols) {
			c.symbols = append(c.symbols, o.Symbol)
		}
		s.symbol = uint8(i + 1)
	}
	return s
}

// add records o, given at file:line. If its cell was given before, it
// returns false with the earlier observation (its figure, symbol and note
// hash as published) and where it was given. o's indicator must be in the
// catalogue and its period a valid one.
func (c *cells) add(file string, line int, o *indicators.Observation) (prevFile string, prevLine int, same bool, dup bool, prev indicators.Observation) {
	series := c.seriesOf(o)
	period := int32(o.Period)
	s := c.fingerprint(file, line, o)
	at := -1
	for _, ps := range *series {
		if ps.period == period {
			at = int(ps.seen)
			break
		}
	}
	if at < 0 {
		*series = append(*series, periodSeen{period, uint32(len(c.seen))})
		if o.Note != "" {
			c.notes[len(c.seen)] = maphash.String(c.seed, o.Note)
		}
		c.seen = append(c.seen, s)
		return "", 0, false, false, prev
	}
	p := c.seen[at]
	prevNote, hadNote := c.notes[at]
	sameNote := hadNote == (o.Note != "") && (!hadNote || prevNote == maphash.String(c.seed, o.Note))
	same = p.symbol == s.symbol && sameNote && p.hasValue == s.hasValue && (!p.hasValue || p.value == s.value)
	if p.hasValue {
		v := p.value
		prev.Value = &v
	}
	if p.symbol > 0 {
		prev.Symbol = c.symbols[p.symbol-1]
	}
	return c.files[p.file], int(p.line), same, true, prev
}

package ingest

import (
	"hash/maphash"

	"cptrends/indicators"
)

// cells remembers every cell (indicator, geography, period) given so far in
// an upload, to find a second value for the same cell across rows and
// files. A million cells take some 30 MB: each is a 64-bit key with the
// line it came from and what it published (its number or symbol), not the
// observation itself. Notes, which few values have, are kept apart as
// 64-bit hashes.
type cells struct {
	seen    map[uint64]cellSeen
	notes   map[uint64]uint64
	ids     map[string]uint64
	geos    map[string]uint64
	files   []string
	symbols []indicators.Symbol
	seed    maphash.Seed
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
	c := cells{seen: map[uint64]cellSeen{}, notes: map[uint64]uint64{}, ids: map[string]uint64{}, geos: map[string]uint64{}, seed: maphash.MakeSeed()}
	for _, d := range cat.All() {
		c.ids[d.ID] = uint64(len(c.ids))
	}
	return c
}

func intern(m map[string]uint64, s string) uint64 {
	if v, ok := m[s]; ok {
		return v
	}
	v := uint64(len(m))
	m[s] = v
	return v
}

// key packs a cell into 64 bits: 16 for the indicator, 32 for the
// geography, 16 for the period.
func (c *cells) key(o *indicators.Observation) uint64 {
	return intern(c.ids, o.Indicator)<<48 | intern(c.geos, o.Geography.Code)<<16 | uint64(uint16(o.Period))
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
// hash as published) and where it was given.
func (c *cells) add(file string, line int, o *indicators.Observation) (prevFile string, prevLine int, same bool, dup bool, prev indicators.Observation) {
	k := c.key(o)
	s := c.fingerprint(file, line, o)
	p, dup := c.seen[k]
	if !dup {
		c.seen[k] = s
		if o.Note != "" {
			c.notes[k] = maphash.String(c.seed, o.Note)
		}
		return "", 0, false, false, prev
	}
	prevNote, hadNote := c.notes[k]
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

package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"cptrends/indicators"
)

// Reference data for comparing areas: the codes of each local authority,
// read from the key columns of any EES file, and the department's
// statistical neighbour model. Neither is a published figure, so neither
// goes through an upload.

// ReadLACodes reads each local authority's codes and region from an EES
// open data file's local authority rows; where a code appears in several
// years, the latest year's row wins.
func ReadLACodes(r io.Reader) ([]indicators.LACode, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("ingest: la codes: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[normalizeHeader(h)] = i
	}
	codes, err := newLACodes(col)
	if err != nil {
		return nil, err
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("ingest: la codes: %w", err)
		}
		codes.add(rec)
	}
	return codes.list(), nil
}

// laCodes gathers local authorities' codes from the rows of an EES file,
// which an import reads anyway, so that an authority first seen in a later
// release is placed in its region and given its neighbours.
type laCodes struct {
	col    [len(laColumns)]int // where each of laColumns is
	byCode map[string]indicators.LACode
	order  []string
	// years gives each three-digit code's authority in each year a row
	// was read for, since a code can pass to a new authority (North
	// Yorkshire, 815, was E10000023 to 2022/23 and E06000065 after).
	years map[oldCodeYear]indicators.LACode
}

// laColumns are the key columns an EES file gives a local authority in.
var laColumns = [...]string{"time_period", "geographic_level", "old_la_code", "new_la_code", "la_name", "region_code", "region_name"}

// newLACodes gathers codes from rows with the columns index gives by
// normalised name; it fails if one of the key columns is missing.
func newLACodes(index map[string]int) (*laCodes, error) {
	l := &laCodes{byCode: map[string]indicators.LACode{}, years: map[oldCodeYear]indicators.LACode{}}
	for i, n := range laColumns {
		c, ok := index[n]
		if !ok {
			return nil, fmt.Errorf("ingest: la codes: no local authority column %q", n)
		}
		l.col[i] = c
	}
	return l, nil
}

// add records the codes of a row of a reference file, if it is a local
// authority's and they are sound.
func (l *laCodes) add(rec []string) {
	if !strings.EqualFold(eesCell(rec[l.col[1]]), "Local authority") {
		return
	}
	c := l.code(rec, timePeriod(eesCell(rec[l.col[0]])))
	if _, msg := c.Check(); msg != "" {
		return
	}
	l.keep(c)
}

// code reads the codes of a local authority row given for period.
func (l *laCodes) code(rec []string, period indicators.Period) indicators.LACode {
	var v [len(laColumns)]string
	for i, c := range l.col {
		v[i] = eesCell(rec[c])
	}
	return indicators.LACode{New: v[3], Old: v[2], Name: v[4], RegionCode: v[5], RegionName: v[6], LastPeriod: period}
}

// keep records c; for a code already seen, the later year's wins.
func (l *laCodes) keep(c indicators.LACode) {
	l.years[oldCodeYear{c.Old, c.LastPeriod}] = c
	prev, seen := l.byCode[c.New]
	if !seen {
		l.order = append(l.order, c.New)
	}
	if !seen || c.LastPeriod >= prev.LastPeriod {
		l.byCode[c.New] = c
	}
}

func (l *laCodes) list() []indicators.LACode {
	out := make([]indicators.LACode, 0, len(l.order))
	for _, code := range l.order {
		out = append(out, l.byCode[code])
	}
	return out
}

// timePeriod reads an EES time_period: 2015 (a reporting year ending in
// 2015) or 201415; 0 when it is neither.
func timePeriod(s string) indicators.Period {
	if len(s) == 4 {
		if y, err := strconv.Atoi(s); err == nil {
			if p, err := indicators.PeriodFromEndYear(y); err == nil {
				return p
			}
		}
		return 0
	}
	p, _ := indicators.ParsePeriod(s)
	return p
}

// ReadNeighbours reads the department's statistical neighbour model in
// its wide layout: old_la_code, la_name, ..., then SN_1, SN_1P (closeness),
// to SN_10, SN_10P.
func ReadNeighbours(model string, r io.Reader) ([]indicators.Neighbour, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("ingest: neighbours: %w", err)
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))))
	rows, err := cr.ReadAll()
	if err != nil || len(rows) < 2 {
		return nil, fmt.Errorf("ingest: neighbours: not a neighbour model: %v", err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[normalizeHeader(h)] = i
	}
	oldCol, ok := col["old_la_code"]
	if !ok {
		return nil, fmt.Errorf("ingest: neighbours: no column old_la_code")
	}
	var out []indicators.Neighbour
	for line, rec := range rows[1:] {
		for pos := 1; pos <= 10; pos++ {
			n, ok1 := col[fmt.Sprintf("sn_%d", pos)]
			c, ok2 := col[fmt.Sprintf("sn_%dp", pos)]
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("ingest: neighbours: no columns SN_%d and SN_%dP", pos, pos)
			}
			nb := strings.TrimSpace(rec[n])
			if nb == "" {
				continue
			}
			if strings.TrimSpace(rec[oldCol]) == "" {
				return nil, fmt.Errorf("ingest: neighbours: line %d: no old_la_code", line+2)
			}
			out = append(out, indicators.Neighbour{Model: model, Old: strings.TrimSpace(rec[oldCol]), Position: pos,
				Neighbour: nb, Closeness: strings.TrimSpace(rec[c])})
		}
	}
	return out, nil
}

// Package figures is the read model: every figure a person or a program
// sees (an area's series with its lineage, rates, comparisons, the league,
// the overview, headlines and every sentence about figures, the snapshot
// document) is assembled here, from the store, in a few batched reads.
// It speaks no HTTP and no SQL: the web package renders what it returns,
// and the chart package draws it.
package figures

import (
	"context"
	"slices"

	"cptrends/indicators"
	"cptrends/internal/store"
)

// Reader assembles every figure a person or program sees from the store.
type Reader struct {
	Store   *store.Store
	Catalog *indicators.Catalog
	// Areas is the boundary changes and sub-regions figures are read with.
	Areas *indicators.Areas
}

// New is a Reader of st with the shipped boundary changes.
func New(st *store.Store, cat *indicators.Catalog) *Reader {
	return &Reader{Store: st, Catalog: cat, Areas: indicators.DefaultAreas()}
}

// loaded is the current observations of a batch of series, read at once.
type loaded map[store.SeriesKey][]indicators.Observation

// load reads every series that the definitions' figures need for every
// area, in one query: each definition with the inputs of its rate or
// ratio, each area with the predecessor its figures continue.
func (r *Reader) load(ctx context.Context, defs []*indicators.Definition, geos []indicators.Geography) (loaded, error) {
	var ids, codes []string
	add := func(list *[]string, s string) {
		if s != "" && !slices.Contains(*list, s) {
			*list = append(*list, s)
		}
	}
	for _, d := range defs {
		for _, id := range inputs(d) {
			add(&ids, id)
		}
	}
	for _, g := range geos {
		add(&codes, g.Code)
		if _, succ, ok := r.Areas.Created(g.Code); ok {
			add(&codes, succ.EarlierFigures)
		}
	}
	return r.Store.SeriesObservations(ctx, ids, codes)
}

// inputs lists the series an indicator's figures are made from: its own,
// and those of its rate or ratio.
func inputs(d *indicators.Definition) []string {
	ids := []string{d.ID}
	if d.Rate != nil {
		ids = append(ids, d.Rate.Published, d.Rate.Population)
	}
	if d.Ratio != nil {
		ids = append(ids, d.Ratio.Numerator...)
		ids = append(ids, d.Ratio.Denominator)
	}
	return ids
}

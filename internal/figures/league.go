package figures

import (
	"context"
	"sort"
	"strings"

	"cptrends/indicators"
)

// League is every local authority's figure for one indicator and year,
// ranked. Counts are ranked by their rate per 10,000 children, since a
// count mostly measures an authority's size. Nothing is coloured good or
// bad: for most of these measures a higher figure is neither.
type League struct {
	Def      *indicators.Definition
	RankDef  *indicators.Definition // what the ranking is in
	Period   indicators.Period
	Periods  []indicators.Period
	Sort     string
	England  string
	Rows     []LeagueRow
	Unranked []LeagueRow
	Symbols  []indicators.Symbol
	Computed bool
	// Caution explains the small-number caution, when a row has one.
	Caution string
	// Area is the code of the reader's own area, marked in the table.
	Area string
}

// LeagueRow is one authority in a league.
type LeagueRow struct {
	Code, Name string
	Count      string // the count itself, for a count ranked by its rate
	Value      string
	Symbol     indicators.Symbol
	Computed   bool
	Rank       int
	Tied       bool
	Quartile   int
	Unusual    string // a change unusually large for the area's own history
	Small      bool   // the figure rests on a small number
	// Change is the change on the year in the ranked unit, or why there
	// is none.
	Change string
	Own    bool // the reader's own area
	value  float64
}

// LeagueSorts is the whitelist of orders a league can be sorted in.
var LeagueSorts = map[string]bool{"rank": true, "rank_lowest": true, "name": true}

// League ranks every local authority for one year (the latest when period
// is zero), in one read of the figures. Each authority appears once: under
// its current code where a boundary change only renamed it, and never
// with a predecessor's figure, which is the predecessor's own row.
func (r *Reader) League(ctx context.Context, def *indicators.Definition, period indicators.Period, order, area string) (League, error) {
	lg := League{Def: def, RankDef: def, Sort: order, Area: area}
	if !LeagueSorts[lg.Sort] {
		lg.Sort = "rank"
	}
	var err error
	if lg.Periods, err = r.Store.Periods(ctx, def.ID, indicators.LevelLocal); err != nil {
		return lg, err
	}
	if len(lg.Periods) == 0 {
		return lg, indicators.Errorf(indicators.ENOTFOUND, "There are no local authority figures for %s.", def.Title)
	}
	lg.Period = lg.Periods[0]
	if !period.IsZero() {
		lg.Period = period
	}
	areas, err := r.Store.Areas(ctx)
	if err != nil {
		return lg, err
	}
	var las []indicators.Geography
	for _, a := range areas {
		if a.Level == indicators.LevelLocal && !r.renamed(a.Code) {
			las = append(las, a)
		}
	}
	l, err := r.load(ctx, []*indicators.Definition{def}, append(las, indicators.England))
	if err != nil {
		return lg, err
	}
	if def.Rate != nil {
		lg.RankDef = r.Catalog.RateDefinition(def)
	}
	var obs []indicators.Observation
	counts := map[string]indicators.Point{}
	unusual := map[string]string{}
	changes := map[string]string{}
	smallBase := map[string]bool{}
	for _, a := range las {
		_, rs := r.comparableSeries(l, def, a)
		p, ok := pointsAt(rs, lg.Period)
		if !ok || (p.Value == nil && p.Symbol == "") || r.predecessors(a, p) {
			continue
		}
		obs = append(obs, indicators.Observation{Indicator: rs.Definition.ID, Geography: a, Period: p.Period, Value: p.Value, Symbol: p.Symbol, Note: p.Note})
		if p.Change != nil {
			changes[a.Code] = rs.Definition.FormatChange(*p.Change)
		} else {
			changes[a.Code] = "none: " + p.NoChange
		}
		own := r.series(l, def, a)
		if def.Rate != nil {
			if c, ok := pointsAt(own, lg.Period); ok {
				counts[a.Code] = c
			}
		}
		base := r.base(l, def, a)
		smallBase[a.Code] = small(base, lg.Period)
		if !smallBase[a.Code] && !small(base, lg.Period.Prev()) {
			unusual[a.Code] = indicators.UnusualChanges(own)[lg.Period]
		}
	}
	for _, rk := range indicators.Rank(obs) {
		row := LeagueRow{Code: rk.Geography.Code, Name: rk.Geography.Name, Symbol: rk.Symbol, Rank: rk.Rank, Tied: rk.Tied, Quartile: rk.Quartile,
			Unusual: unusual[rk.Geography.Code], Small: smallBase[rk.Geography.Code] && rk.Value != nil,
			Change: changes[rk.Geography.Code], Own: rk.Geography.Code == area}
		row.Value = lg.RankDef.FormatPoint(indicators.Point{Value: rk.Value, Symbol: rk.Symbol})
		row.Computed = strings.Contains(rk.Note, indicators.ComputedRateNote)
		lg.Computed = lg.Computed || row.Computed
		if row.Small {
			lg.Caution = SmallCaution
		}
		if c, ok := counts[rk.Geography.Code]; ok {
			row.Count = def.FormatPoint(c)
		}
		if rk.Value != nil {
			row.value = *rk.Value
			lg.Rows = append(lg.Rows, row)
		} else {
			lg.Unranked = append(lg.Unranked, row)
		}
	}
	switch lg.Sort {
	case "rank_lowest":
		sort.SliceStable(lg.Rows, func(i, j int) bool { return lg.Rows[i].value < lg.Rows[j].value })
	case "name":
		sort.SliceStable(lg.Rows, func(i, j int) bool { return lg.Rows[i].Name < lg.Rows[j].Name })
	}
	used := map[indicators.Symbol]bool{}
	for _, row := range lg.Unranked {
		used[row.Symbol] = true
	}
	for _, sym := range indicators.Symbols() {
		if used[sym] {
			lg.Symbols = append(lg.Symbols, sym)
		}
	}
	rdef, eng := def, r.series(l, def, indicators.England)
	if comparable(def) {
		rdef, eng = r.comparableSeries(l, def, indicators.England)
	}
	if p, ok := pointsAt(eng, lg.Period); ok {
		lg.England = rdef.FormatPoint(p)
	}
	return lg, nil
}

// predecessors reports whether p is a predecessor's figure on area a's
// series that the predecessor shows under its own name: any but a change
// of code alone.
func (r *Reader) predecessors(a indicators.Geography, p indicators.Point) bool {
	if p.GeographyCode == "" {
		return false
	}
	change, _, ok := r.Areas.Created(a.Code)
	return !ok || !change.Joined
}

package web

import (
	"net/http"
	"sort"
	"strings"

	"cptrends/indicators"

	"github.com/labstack/echo/v4"
)

// leaguePage is every local authority's figure for one indicator and year,
// ranked. Counts are ranked by their rate per 10,000 children, since a
// count mostly measures an authority's size. Nothing is coloured good or
// bad: for most of these measures a higher figure is neither.
type leaguePage struct {
	layout
	Def      *indicators.Definition
	RankDef  *indicators.Definition // what the ranking is in
	Period   indicators.Period
	Periods  []indicators.Period
	Sort     string
	England  string
	Rows     []leagueRow
	Unranked []leagueRow
	Symbols  []indicators.Symbol
	Computed bool
}

type leagueRow struct {
	Code, Name string
	Count      string // the count itself, for a count ranked by its rate
	Value      string
	Symbol     indicators.Symbol
	Computed   bool
	Rank       int
	Tied       bool
	Quartile   int
	Unusual    string // a change unusually large for the area's own history
	value      float64
}

// leagueSorts is the whitelist of ?sort= orders.
var leagueSorts = map[string]bool{"rank": true, "rank_lowest": true, "name": true}

func (s *Server) handleIndicatorAreas(c echo.Context) error {
	d, err := s.lookup(c.Param("id"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	page := leaguePage{layout: s.layout(c, d.Title+": every local authority"), Def: d, RankDef: d, Sort: c.QueryParam("sort")}
	if !leagueSorts[page.Sort] {
		page.Sort = "rank"
	}
	if page.Periods, err = s.store.Periods(ctx, d.ID, indicators.LevelLocal); err != nil {
		return err
	}
	if len(page.Periods) == 0 {
		return indicators.Errorf(indicators.ENOTFOUND, "There are no local authority figures for %s.", d.Title)
	}
	page.Period = page.Periods[0]
	if p := c.QueryParam("period"); p != "" {
		if page.Period, err = indicators.ParsePeriod(p); err != nil {
			return indicators.Errorf(indicators.EINVALID, "%s", err.Error())
		}
	}
	obs, err := s.store.PeriodObservations(ctx, d.ID, page.Period, indicators.LevelLocal)
	if err != nil {
		return err
	}
	counts := map[string]indicators.Observation{}
	if d.Rate != nil {
		// Rank each authority's rate, from a one-year series of each input.
		page.RankDef = s.cat.RateDefinition(d)
		for _, o := range obs {
			counts[o.Geography.Code] = o
		}
		if obs, err = s.periodRates(c, d, page.Period, obs); err != nil {
			return err
		}
	}
	for _, r := range indicators.Rank(obs) {
		row := leagueRow{Code: r.Geography.Code, Name: r.Geography.Name, Symbol: r.Symbol, Rank: r.Rank, Tied: r.Tied, Quartile: r.Quartile}
		row.Value = page.RankDef.FormatPoint(indicators.Point{Value: r.Value, Symbol: r.Symbol})
		row.Computed = strings.Contains(r.Note, indicators.ComputedRateNote)
		page.Computed = page.Computed || row.Computed
		if co, ok := counts[r.Geography.Code]; ok {
			row.Count = d.FormatPoint(indicators.Point{Value: co.Value, Symbol: co.Symbol})
		}
		if r.Value != nil {
			row.value = *r.Value
			sr, err := s.series(ctx, d, r.Geography)
			if err != nil {
				return err
			}
			row.Unusual = indicators.UnusualChanges(sr)[page.Period]
			page.Rows = append(page.Rows, row)
		} else {
			page.Unranked = append(page.Unranked, row)
		}
	}
	switch page.Sort {
	case "rank_lowest":
		sort.SliceStable(page.Rows, func(i, j int) bool { return page.Rows[i].value < page.Rows[j].value })
	case "name":
		sort.SliceStable(page.Rows, func(i, j int) bool { return page.Rows[i].Name < page.Rows[j].Name })
	}
	used := map[indicators.Symbol]bool{}
	for _, r := range page.Unranked {
		used[r.Symbol] = true
	}
	for _, sym := range indicators.Symbols() {
		if used[sym] {
			page.Symbols = append(page.Symbols, sym)
		}
	}
	rdef, eng, _, err := s.comparable(ctx, d, indicators.England)
	if err != nil {
		return err
	}
	if rdef == nil {
		rdef = d
		if eng, err = s.series(ctx, d, indicators.England); err != nil {
			return err
		}
	}
	if p, ok := pointsAt(eng, page.Period); ok {
		page.England = rdef.FormatPoint(p)
	}
	return s.render(c, http.StatusOK, "indicator_areas", page)
}

// periodRates turns one year's counts into rates per 10,000 children:
// published where the department published one, computed otherwise.
func (s *Server) periodRates(c echo.Context, d *indicators.Definition, per indicators.Period, counts []indicators.Observation) ([]indicators.Observation, error) {
	ctx := c.Request().Context()
	byCode := func(id string) (map[string]indicators.Observation, error) {
		m := map[string]indicators.Observation{}
		if id == "" {
			return m, nil
		}
		obs, err := s.store.PeriodObservations(ctx, id, per, indicators.LevelLocal)
		for _, o := range obs {
			m[o.Geography.Code] = o
		}
		return m, err
	}
	pub, err := byCode(d.Rate.Published)
	if err != nil {
		return nil, err
	}
	pop, err := byCode(d.Rate.Population)
	if err != nil {
		return nil, err
	}
	one := func(o indicators.Observation, ok bool) indicators.Series {
		if !ok {
			return indicators.Series{}
		}
		return indicators.NewSeries(d, o.Geography, []indicators.Observation{o})
	}
	var out []indicators.Observation
	for _, co := range counts {
		p, hasPub := pub[co.Geography.Code]
		n, hasPop := pop[co.Geography.Code]
		rates := indicators.RateObservations(d.ID+"_rate", one(co, true), one(p, hasPub), one(n, hasPop))
		for _, r := range rates {
			r.Geography = co.Geography
			out = append(out, r)
		}
	}
	return out, nil
}

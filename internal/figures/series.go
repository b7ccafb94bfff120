package figures

import (
	"context"
	"strings"

	"cptrends/indicators"
	"cptrends/internal/store"
)

// Series is an indicator's series for an area, as every form of it shows
// it: the page, the chart, the CSV, the JSON, the API and the snapshot.
func (r *Reader) Series(ctx context.Context, def *indicators.Definition, geo indicators.Geography) (indicators.Series, error) {
	l, err := r.load(ctx, []*indicators.Definition{def}, []indicators.Geography{geo})
	if err != nil {
		return indicators.Series{}, err
	}
	return r.series(l, def, geo), nil
}

// series is an area's series from a batch, with its lineage: an area made
// by a boundary change carries its predecessor's figures before the
// change, each marked with the area it was published for, behind a break
// in series (or joined without one, where only the code changed). The
// break keeps every change, headline and "since" of the area from reaching
// back across its creation.
func (r *Reader) series(l loaded, def *indicators.Definition, geo indicators.Geography) indicators.Series {
	return r.withIntervals(l, r.lineage(l, def, geo))
}

// withIntervals gives each year of a percentage or rate its numerator,
// denominator and confidence intervals, from the counts its ratio names.
func (r *Reader) withIntervals(l loaded, s indicators.Series) indicators.Series {
	d := s.Definition
	if d.Ratio == nil {
		return s
	}
	var nums []indicators.Series
	for _, id := range d.Ratio.Numerator {
		nd, ok := r.Catalog.Lookup(id)
		if !ok {
			return s
		}
		nums = append(nums, r.series(l, nd, s.Geography))
	}
	dd, ok := r.Catalog.Lookup(d.Ratio.Denominator)
	if !ok {
		return s
	}
	return indicators.WithIntervals(s, nums, r.series(l, dd, s.Geography))
}

func (r *Reader) lineage(l loaded, def *indicators.Definition, geo indicators.Geography) indicators.Series {
	if def.Ratio != nil && def.Ratio.Computed {
		return r.computed(l, def, geo)
	}
	obs := l[store.SeriesKey{Indicator: def.ID, Geography: geo.Code}]
	change, succ, ok := r.Areas.Created(geo.Code)
	if !ok || succ.EarlierFigures == "" {
		return indicators.NewSeries(def, geo, obs)
	}
	own := map[indicators.Period]bool{}
	for _, o := range obs {
		own[o.Period] = true
	}
	obs = append([]indicators.Observation(nil), obs...)
	for _, o := range l[store.SeriesKey{Indicator: def.ID, Geography: succ.EarlierFigures}] {
		if o.Period.Before(change.Period) && !own[o.Period] {
			if !change.Joined {
				o.Geography.Name = FormerName(o.Geography)
			}
			obs = append(obs, o)
		}
	}
	if !change.Joined {
		def = def.WithBreak(indicators.Break{Period: change.Period, Explanation: change.Explanation})
	}
	return indicators.NewSeries(def, geo, obs)
}

// FormerName names a predecessor's figures on its successor's chart and
// table: "Northamptonshire (former county)".
func FormerName(g indicators.Geography) string {
	if strings.HasPrefix(g.Code, "E10") {
		return g.Name + " (former county)"
	}
	return g.Name + " (former area)"
}

// computed works out a computed percentage or rate for an area from its
// numerator and denominator series, which carry the area's lineage; the
// ratio takes the break at the area's creation with them.
func (r *Reader) computed(l loaded, def *indicators.Definition, geo indicators.Geography) indicators.Series {
	input := func(id string) indicators.Series {
		d, ok := r.Catalog.Lookup(id)
		if !ok { // the catalog checks every ratio's inputs when it loads
			return indicators.Series{Definition: def, Geography: geo}
		}
		return r.series(l, d, geo)
	}
	var nums []indicators.Series
	for _, id := range def.Ratio.Numerator {
		nums = append(nums, input(id))
	}
	den := input(def.Ratio.Denominator)
	if change, succ, ok := r.Areas.Created(geo.Code); ok && succ.EarlierFigures != "" && !change.Joined {
		def = def.WithBreak(indicators.Break{Period: change.Period, Explanation: change.Explanation})
	}
	return indicators.NewSeries(def, geo, indicators.RatioObservations(def, nums, den))
}

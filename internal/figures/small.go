package figures

import (
	"cptrends/indicators"
)

// SmallBase is the size below which a figure rests on a small number: a
// count under 100, or a rate or percentage worked out from fewer than 100
// events or cases. Chance alone moves a count of fewer than 100 by more
// than a tenth from one year to the next (the standard error of a Poisson
// count n is the square root of n, a tenth of n at 100).
const SmallBase = 100

// SmallCaution is what a page says beside figures that rest on small numbers.
const SmallCaution = "Small numbers (marked “small”): this figure rests on fewer than 100 children, plans or referrals. " +
	"At that size chance alone moves a figure by more than a tenth from year to year, so treat it and its change with caution; " +
	"no change on such a figure is called unusual."

func small(base map[indicators.Period]float64, p indicators.Period) bool {
	b, ok := base[p]
	return ok && b < SmallBase
}

// base is, per year, the number an area's figure rests on: a count
// itself, the numerator of a rate or the denominator of a percentage
// (from the indicator's ratio); nil where it is not known.
func (r *Reader) base(l loaded, def *indicators.Definition, geo indicators.Geography) map[indicators.Period]float64 {
	var ids []string
	switch {
	case def.Unit == indicators.UnitCount && isPopulation(r.Catalog, def):
		return nil // a population is not a number of events
	case def.Unit == indicators.UnitCount:
		ids = []string{def.ID}
	case def.Ratio != nil && def.IsPercent():
		ids = []string{def.Ratio.Denominator}
	case def.Ratio != nil:
		ids = def.Ratio.Numerator
	default:
		return nil
	}
	out := map[indicators.Period]float64{}
	for _, id := range ids {
		d, ok := r.Catalog.Lookup(id)
		if !ok {
			return nil
		}
		for _, p := range r.series(l, d, geo).Points {
			if p.Value != nil {
				out[p.Period] += *p.Value
			}
		}
	}
	return out
}

// isPopulation reports whether def is a population some rate divides by.
func isPopulation(cat *indicators.Catalog, def *indicators.Definition) bool {
	for _, d := range cat.All() {
		if d.Rate != nil && d.Rate.Population == def.ID {
			return true
		}
	}
	return false
}

package indicators

import "sort"

// NeighbourStat summarises an area's statistical neighbours in one year:
// the mean of those with a figure, the lowest and highest, and who had
// none and why. Symbols are never averaged: a neighbour with one is left
// out and named.
type NeighbourStat struct {
	Period  Period
	Mean    *float64
	Min     *float64
	Max     *float64
	Used    int
	Of      int
	Missing []Missing
}

// Missing is a neighbour with no figure for a year, and why.
type Missing struct {
	Name   string
	Reason string
}

// NeighbourStats computes, for each period, the summary of the
// neighbours' series. A neighbour whose figure for a year was published
// for the same area as area's (both successors of one former county), or
// for the same area as another neighbour's, is left out of that year and
// named: an area is never its own comparator, and no figure counts twice.
func NeighbourStats(periods []Period, area Series, neighbours []Series) []NeighbourStat {
	out := make([]NeighbourStat, 0, len(periods))
	byPeriod := make([]map[Period]Point, len(neighbours))
	for i, s := range neighbours {
		byPeriod[i] = publishedPoints(s)
	}
	own := publishedPoints(area)
	for _, per := range periods {
		st := NeighbourStat{Period: per, Of: len(neighbours)}
		counted := map[string]string{}
		if p, ok := own[per]; ok {
			if code, _ := p.PublishedFor(area.Geography); code != "" {
				counted[code] = area.Geography.Name
			}
		}
		var vals []float64
		for i, s := range neighbours {
			p, ok := byPeriod[i][per]
			code, name := p.PublishedFor(s.Geography)
			switch {
			case ok && p.Value != nil && code != "" && counted[code] != "":
				st.Missing = append(st.Missing, Missing{Name: s.Geography.Name,
					Reason: "its figure for this year is " + name + "'s, as is " + counted[code] + "'s"})
			case ok && p.Value != nil:
				if code != "" {
					counted[code] = s.Geography.Name
				}
				vals = append(vals, *p.Value)
			case ok:
				st.Missing = append(st.Missing, Missing{Name: s.Geography.Name, Reason: string(p.Symbol) + ": " + p.Symbol.Meaning()})
			default:
				st.Missing = append(st.Missing, Missing{Name: s.Geography.Name, Reason: "no figure for this year"})
			}
		}
		st.Used = len(vals)
		if len(vals) > 0 {
			sort.Float64s(vals)
			sum := 0.0
			for _, v := range vals {
				sum += v
			}
			mean, lo, hi := sum/float64(len(vals)), vals[0], vals[len(vals)-1]
			st.Mean, st.Min, st.Max = &mean, &lo, &hi
		}
		out = append(out, st)
	}
	return out
}

// NeighbourSeries is the neighbours' mean as a series of its own, for
// charts and tables, each year's note saying how many neighbours it used.
func NeighbourSeries(def *Definition, name string, stats []NeighbourStat) Series {
	var obs []Observation
	for _, st := range stats {
		if st.Mean == nil {
			continue
		}
		obs = append(obs, Observation{Indicator: def.ID, Geography: Geography{Name: name}, Period: st.Period, Value: st.Mean})
	}
	return NewSeries(def, Geography{Name: name}, obs)
}

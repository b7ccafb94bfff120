package indicators

import (
	"fmt"
	"strings"
)

// RateDefinition is the definition a count's rate per 10,000 children is
// shown under: the published rate's, where the department publishes one,
// else one derived from the count. Either way it takes the count's breaks,
// which may include an area's boundary change. It is nil for a count with
// no rate.
func (c *Catalog) RateDefinition(count *Definition) *Definition {
	if count.Rate == nil {
		return nil
	}
	if p, ok := c.Lookup(count.Rate.Published); ok {
		r := *p
		r.Breaks = mergeBreaks(p.Breaks, count.Breaks)
		return &r
	}
	return &Definition{
		ID:         count.ID + "_per_10000",
		Title:      count.Title + " per 10,000 children",
		ShortTitle: count.ShortTitle + " per 10,000 children",
		Noun:       count.Noun + " per 10,000 children aged 0 to 17",
		Unit:       UnitRate,
		Decimals:   1,
		Definition: count.Definition + " Shown per 10,000 children aged 0 to 17, computed by cptrends from the count and the ONS mid-year estimate for the year in which the reporting year starts (mid-2021 for 2021/22), as the department computes its rates.",
		Source:     Source{Name: count.Source.Name + "; ONS mid-year population estimates", URL: count.Source.URL},
		Footnotes:  count.Footnotes,
		Breaks:     count.Breaks,
		Notes:      count.Notes,
		Chart:      Chart{Type: "line"},
		Ratio:      &Ratio{Numerator: []string{count.ID}, Denominator: count.Rate.Population, Computed: true},
	}
}

func mergeBreaks(a, b []Break) []Break {
	out := append([]Break(nil), a...)
	for _, x := range b {
		dup := false
		for _, y := range a {
			dup = dup || y.Period == x.Period
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}

// RateObservations gives, for each year of a count series, its rate per
// 10,000 children: the published rate where there is one; else the count
// divided by the population for the same reporting year (the estimate for
// the middle of the year in which it starts) times 10,000, with a note
// saying so; else the count's symbol, or the published rate's. A symbol is
// never divided.
func RateObservations(rateID string, count, published, population Series) []Observation {
	pub, pop := publishedPoints(published), publishedPoints(population)
	var out []Observation
	for _, c := range count.Points {
		o := Observation{Indicator: rateID, Geography: count.Geography, Period: c.Period}
		p, hasPub := pub[c.Period]
		n, hasPop := pop[c.Period]
		switch {
		case hasPub && p.Value != nil:
			o.Value = p.Value
		case c.Symbol != "":
			o.Symbol = c.Symbol
		case c.Value != nil && hasPop && n.Value != nil && *n.Value > 0:
			v := *c.Value / *n.Value * 10000
			o.Value = &v
			o.Note = fmt.Sprintf(ComputedRateNote+" (the department published none): %s ÷ %s children aged 0 to 17 (ONS mid-%d estimate) × 10,000.",
				FormatNumber(*c.Value, 0), FormatNumber(*n.Value, 0), c.Period.EndYear()-1)
		case hasPub && p.Symbol != "":
			o.Symbol = p.Symbol
		default:
			continue
		}
		if c.Note != "" { // an area's earlier figures say whose they are
			o.Note = strings.TrimSpace(c.Note + " " + o.Note)
		}
		out = append(out, o)
	}
	return out
}

// ComputedRateNote begins the note of every rate cptrends computed.
const ComputedRateNote = "Rate computed by cptrends"

package indicators

import (
	"fmt"
	"strings"
)

// RateDefinition is the definition a count's rate per 10,000 children is
// shown under: one computed from the count and the ONS estimates, on one
// base for every year (see RateObservations). Where the department
// publishes a rate, the definition keeps that indicator's id and title, and
// says that the published figure is given beside where it differs. It takes
// the count's breaks, which may include an area's boundary change. It is
// nil for a count with no rate.
func (c *Catalog) RateDefinition(count *Definition) *Definition {
	if count.Rate == nil {
		return nil
	}
	r := &Definition{
		ID:         count.ID + "_per_10000",
		Title:      count.Title + " per 10,000 children",
		ShortTitle: count.ShortTitle + " per 10,000 children",
		Noun:       count.Noun + " per 10,000 children aged 0 to 17",
		Unit:       UnitRate,
		Decimals:   1,
		Definition: count.Definition + " Shown per 10,000 children aged 0 to 17, computed by cptrends from the count and the ONS mid-year estimate for the year in which the reporting year starts (mid-2021 for 2021/22), as the department computes its rates, on the same set of estimates for every year.",
		Source:     Source{Name: count.Source.Name + "; ONS mid-year population estimates", URL: count.Source.URL},
		Footnotes:  count.Footnotes,
		Breaks:     count.Breaks,
		Notes:      count.Notes,
		Chart:      Chart{Type: "line"},
		Ratio:      &Ratio{Numerator: []string{count.ID}, Denominator: count.Rate.Population, Computed: true},
	}
	if p, ok := c.Lookup(count.Rate.Published); ok {
		r.ID, r.Title, r.ShortTitle, r.Noun = p.ID, p.Title, p.ShortTitle, p.Noun
		r.Breaks = mergeBreaks(p.Breaks, count.Breaks)
		r.Footnotes = append(append([]string(nil), count.Footnotes...),
			"The department's published rates were worked out on the ONS estimates available when each release was made, which the ONS has since revised; a change between years on two bases is not a change in the rate. The rate here is on the current estimates for every year, and the published rate is given beside it where the two differ.")
	}
	return r
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
// 10,000 children on one base throughout: the count divided by the ONS
// estimate for the same reporting year (the estimate for the middle of the
// year in which it starts) times 10,000, with a note that says so. The
// department's published rate, worked out on the estimates of its day, is
// never mixed into the series, since a change from one base to another is
// no change in the rate; where it differs from the computed rate (at the
// one decimal place published) the note gives it beside. A year with a
// symbol for the count keeps it, and a year whose count has a value but
// whose estimate is missing takes the published rate's symbol, if any. A
// symbol is never divided.
func RateObservations(rateID string, count, published, population Series) []Observation {
	pub, pop := publishedPoints(published), publishedPoints(population)
	var out []Observation
	for _, c := range count.Points {
		o := Observation{Indicator: rateID, Geography: count.Geography, Period: c.Period}
		if c.GeographyCode != "" { // a predecessor's figure, rated on its own population
			o.Geography = Geography{Code: c.GeographyCode, Name: c.GeographyName, Level: count.Geography.Level}
		}
		p, hasPub := pub[c.Period]
		n, hasPop := pop[c.Period]
		switch {
		case c.Symbol != "":
			o.Symbol = c.Symbol
		case c.Value != nil && hasPop && n.Value != nil && *n.Value > 0:
			v := *c.Value / *n.Value * 10000
			o.Value = &v
			o.Note = fmt.Sprintf(ComputedRateNote+": %s ÷ %s children aged 0 to 17 (ONS mid-%d estimate) × 10,000.",
				FormatNumber(*c.Value, 0), FormatNumber(*n.Value, 0), c.Period.EndYear()-1)
			if hasPub && p.Value != nil && FormatNumber(*p.Value, 1) != FormatNumber(v, 1) {
				o.Note += fmt.Sprintf(" The department published %s, on the ONS estimates of the time; the rate here is on the current estimates for every year, so that years compare on one base.", FormatNumber(*p.Value, 1))
			}
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

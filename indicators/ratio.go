package indicators

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// ComputedRatioNote begins the note of every percentage or rate cptrends
// worked out from its numerator and denominator.
const ComputedRatioNote = "Computed by cptrends"

// RatioObservations works out a computed percentage or rate (def, whose
// Ratio names its inputs) for each year of its inputs: the sum of the
// numerators over the denominator, times 100 for a percentage or 10,000
// for a rate, rounded to the decimal places def publishes, with a note
// that says how. numerators are in the order def.Ratio names them. A year
// where an input is a symbol takes that symbol (c stays c: a suppressed
// count gives a suppressed rate); a year where an input is missing, or the
// denominator is zero, has the symbol x or z. Either way its note gives the
// reason, and it is never a zero. With no denominator for any year (an
// area the population estimates do not cover), there is nothing.
func RatioObservations(def *Definition, numerators []Series, denominator Series) []Observation {
	if def.Ratio == nil || len(numerators) == 0 || len(denominator.Points) == 0 {
		return nil // an area with no denominator at all has no figures
	}
	var periods []Period
	seen := map[Period]bool{}
	for _, s := range numerators {
		for _, p := range s.Points {
			if !seen[p.Period] {
				seen[p.Period] = true
				periods = append(periods, p.Period)
			}
		}
	}
	den := publishedPoints(denominator)
	nums := make([]map[Period]Point, len(numerators))
	for i, s := range numerators {
		nums[i] = publishedPoints(s)
	}
	scale, per := 100.0, ""
	if def.IsRate() {
		scale, per = 10000, " × 10,000"
	} else {
		per = " × 100"
	}
	geo := numerators[0].Geography
	var out []Observation
	slices.Sort(periods)
	for _, p := range periods {
		o := Observation{Indicator: def.ID, Geography: geo, Period: p}
		var notes []string
		addNote := func(n string) {
			if n != "" && !slices.Contains(notes, n) {
				notes = append(notes, n)
			}
		}
		sum, terms, reason := 0.0, []string{}, ""
		for i, m := range nums {
			pt, ok := m[p]
			name := inputName(numerators[i], def.Ratio.Numerator[i])
			switch {
			case ok && pt.Symbol != "":
				if o.Symbol == "" {
					o.Symbol, reason = pt.Symbol, fmt.Sprintf("%s is %s (%s)", name, pt.Symbol, pt.Symbol.Meaning())
				}
			case !ok || pt.Value == nil:
				if o.Symbol == "" {
					o.Symbol, reason = "x", fmt.Sprintf("%s for %s is not in this dashboard's data", name, p)
				}
			default:
				sum += *pt.Value
				terms = append(terms, FormatNumber(*pt.Value, 0))
			}
			if ok {
				addNote(pt.Note)
				if pt.GeographyCode != "" { // a predecessor's figure
					o.Geography = Geography{Code: pt.GeographyCode, Name: pt.GeographyName, Level: geo.Level}
				}
			}
		}
		d, ok := den[p]
		dname := inputName(denominator, def.Ratio.Denominator)
		if o.Symbol == "" {
			switch {
			case ok && d.Symbol != "":
				o.Symbol, reason = d.Symbol, fmt.Sprintf("%s is %s (%s)", dname, d.Symbol, d.Symbol.Meaning())
			case !ok || d.Value == nil:
				o.Symbol, reason = "x", fmt.Sprintf("%s for %s is not in this dashboard's data", dname, p)
			case *d.Value == 0:
				o.Symbol, reason = "z", dname+" is zero"
			}
		}
		if ok {
			addNote(d.Note)
		}
		if o.Symbol != "" {
			addNote(ComputedRatioNote + ": not worked out, since " + reason + ".")
		} else {
			v := sum / *d.Value * scale
			f := math.Pow(10, float64(def.Decimals))
			v = math.Round(v*f) / f
			o.Value = &v
			num := strings.Join(terms, " + ")
			if len(terms) > 1 {
				num = "(" + num + ")"
			}
			denom := FormatNumber(*d.Value, 0) + " " + denominator.Definition.Noun
			if denominator.Definition.ID == "population_0_17" {
				denom += fmt.Sprintf(" (ONS mid-%d estimate)", p.EndYear()-1)
			}
			addNote(fmt.Sprintf("%s: %s ÷ %s%s.", ComputedRatioNote, num, denom, per))
		}
		o.Note = strings.Join(notes, " ")
		out = append(out, o)
	}
	return out
}

// inputName names an input of a ratio in a note.
func inputName(s Series, id string) string {
	if s.Definition != nil && s.Definition.ShortTitle != "" {
		return "the figure for " + strings.ToLower(s.Definition.ShortTitle[:1]) + s.Definition.ShortTitle[1:]
	}
	return "the figure for " + id
}

package indicators

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// FormatNumber writes v with thousands separators and the given number of
// decimal places: 635620 -> "635,620", 16.6 -> "16.6".
func FormatNumber(v float64, decimals int) string {
	// Halves round away from zero, as the ONS rounds, not to even.
	scale := math.Pow10(decimals)
	s := strconv.FormatFloat(math.Round(math.Abs(v)*scale)/scale, 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// FormatValue writes a value in the indicator's unit: "635,620" or "16.6%".
func (d *Definition) FormatValue(v float64) string {
	if d.IsPercent() {
		return FormatNumber(v, d.Decimals) + "%"
	}
	return FormatNumber(v, d.Decimals)
}

// FormatPoint writes a point's value, or its symbol, or a dash for a year
// with nothing published.
func (d *Definition) FormatPoint(p Point) string {
	switch {
	case p.Value != nil:
		return d.FormatValue(*p.Value)
	case p.Symbol != "":
		return string(p.Symbol)
	}
	return "no figure"
}

// FormatChange writes a change with its sign: "+64,310" or "-22,160" for
// counts, "+0.8 pts" (percentage points) for percentages.
func (d *Definition) FormatChange(c float64) string {
	s := FormatNumber(c, d.Decimals)
	if !strings.HasPrefix(s, "-") && strings.Trim(s, "0.") != "" {
		s = "+" + s
	}
	if d.IsPercent() {
		return s + " pts"
	}
	return s
}

// FormatChangePct writes a relative change to one decimal place: "+10.8%".
func FormatChangePct(pct float64) string {
	s := FormatNumber(pct, 1)
	if !strings.HasPrefix(s, "-") && s != "0.0" {
		s = "+" + s
	}
	return s + "%"
}

// Magnitude writes the size of a change without its sign, in the unit of the
// indicator: "22,160" or "0.8 percentage points".
func (d *Definition) Magnitude(c float64) string {
	s := FormatNumber(math.Abs(c), d.Decimals)
	if d.IsPercent() {
		if s == "1" || s == "1.0" {
			return s + " percentage point"
		}
		return s + " percentage points"
	}
	return s
}

// direction names a change in words.
func direction(c float64, decimals int) string {
	switch {
	case FormatNumber(math.Abs(c), decimals) == FormatNumber(0, decimals):
		return "unchanged"
	case c > 0:
		return "up"
	}
	return "down"
}

// ChangePhrase describes a point's change from the year before in words:
// "down 22,160 (3.4%) on 2013/14", or why there is none.
func (d *Definition) ChangePhrase(p Point) string {
	if p.Change == nil {
		return "no change shown: " + p.NoChange
	}
	dir := direction(*p.Change, d.Decimals)
	if dir == "unchanged" {
		return "unchanged on " + d.Label(p.Period.Prev())
	}
	s := dir + " " + d.Magnitude(*p.Change)
	if p.ChangePct != nil && !d.IsPercent() {
		s += " (" + FormatNumber(math.Abs(*p.ChangePct), 1) + "%)"
	}
	return s + " on " + d.Label(p.Period.Prev())
}

// Label names a period as the indicator's figures are dated: "2024/25"
// for a flow in the year, "31 March 2025" for a stock taken at its end,
// "mid-2024" for a mid-year population estimate.
func (d *Definition) Label(p Period) string {
	switch {
	case d.Stock:
		return "31 March " + strconv.Itoa(p.EndYear())
	case d.isMidYear():
		return "mid-" + strconv.Itoa(p.EndYear()-1)
	}
	return p.String()
}

// When dates a figure in a sentence: "in 2024/25", "at 31 March 2025",
// "in mid-2024".
func (d *Definition) When(p Period) string {
	if d.Stock {
		return "at " + d.Label(p)
	}
	return "in " + d.Label(p)
}

func (d *Definition) isMidYear() bool {
	for _, f := range d.EES {
		if f.MidYear {
			return true
		}
	}
	return false
}

// Headline is the one-line summary of a series shown above its chart:
// "635,620 referrals in 2014/15, down 22,160 (3.4%) on 2013/14; up 42,150
// (7.1%) since 2012/13".
func (s Series) Headline() string {
	d := s.Definition
	latest, ok := s.Latest()
	if !ok {
		return NoFigures(s.Geography)
	}
	out := fmt.Sprintf("%s %s %s", d.FormatValue(*latest.Value), d.Noun, d.When(latest.Period))
	if latest.Change != nil {
		out += ", " + d.ChangePhrase(latest)
	}
	if start, ok := s.ComparableStart(); ok && start.Period < latest.Period.Prev() {
		c := *latest.Value - *start.Value
		since := direction(c, d.Decimals)
		if since == "unchanged" {
			out += "; unchanged since " + d.Label(start.Period)
		} else {
			out += "; " + since + " " + d.Magnitude(c)
			if !d.IsPercent() && *start.Value != 0 {
				out += " (" + FormatNumber(math.Abs(c / *start.Value * 100), 1) + "%)"
			}
			out += " since " + d.Label(start.Period)
		}
	}
	return out
}

// Summary describes the trend in plain English for people who cannot see
// the chart: the range of years, the latest figure, the highest and lowest
// comparable values, breaks and gaps.
func (s Series) Summary() string {
	d := s.Definition
	latest, ok := s.Latest()
	if !ok {
		return NoFigures(s.Geography)
	}
	first := s.Points[0]
	var parts []string
	parts = append(parts, fmt.Sprintf("%s, %s, from %s to %s.", d.Title, s.Geography.Name, first.Period, s.Points[len(s.Points)-1].Period))
	parts = append(parts, capitalise(s.Headline())+".")
	if start, ok := s.ComparableStart(); ok && start.Period < latest.Period {
		hi, lo := start, start
		for _, p := range s.Points {
			if p.Period < start.Period || p.Value == nil {
				continue
			}
			if *p.Value > *hi.Value {
				hi = p
			}
			if *p.Value < *lo.Value {
				lo = p
			}
		}
		parts = append(parts, fmt.Sprintf("Since %s the highest figure was %s in %s and the lowest %s in %s.",
			start.Period, d.FormatValue(*hi.Value), hi.Period, d.FormatValue(*lo.Value), lo.Period))
	}
	var breaks, gaps []string
	for i, p := range s.Points {
		if p.BreakBefore {
			breaks = append(breaks, p.Period.String())
		}
		if p.Value == nil && i > 0 {
			g := p.Period.String()
			if p.Symbol != "" {
				g += " (" + string(p.Symbol) + ": " + p.Symbol.Meaning() + ")"
			}
			gaps = append(gaps, g)
		}
	}
	if len(breaks) > 0 {
		parts = append(parts, "Breaks in series before "+strings.Join(breaks, ", ")+": figures either side are not comparable.")
	}
	if len(gaps) > 0 {
		parts = append(parts, "No figure for "+strings.Join(gaps, ", ")+".")
	}
	if !d.SecondaryBefore.IsZero() && first.Period < d.SecondaryBefore {
		parts = append(parts, "Figures before "+d.SecondaryBefore.String()+" are quoted from secondary sources.")
	}
	return strings.Join(parts, " ")
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// NoFigures is what a page says of an area for which this dashboard holds
// no figure of an indicator. That is not to say that none is published:
// the department may publish one that has not been loaded.
func NoFigures(g Geography) string {
	return "There are no figures for " + g.Name + " in this dashboard's data."
}

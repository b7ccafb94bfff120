package figures

import (
	"context"
	"fmt"
	"strings"

	"cptrends/indicators"
	"cptrends/internal/chart"
)

// Comparison is an area beside England, its region and the average of its
// statistical neighbours, in a unit that compares areas of different
// sizes: the indicator's own percentage or rate, or a count's rate per
// 10,000 children. Snapshots store it: the json names are permanent.
type Comparison struct {
	DOMID     string                 `json:"DOMID"`
	Def       *indicators.Definition `json:"Def"`
	Title     string                 `json:"Title"`
	Option    string                 `json:"Option"`
	Tips      string                 `json:"Tips"`
	Summary   string                 `json:"Summary"`
	Columns   []string               `json:"Columns"` // area, England, region, as named
	Rows      []CompareRow           `json:"Rows"`
	Context   AreaContext            `json:"Context"`
	RateNote  string                 `json:"RateNote"`
	HasSpread bool                   `json:"HasSpread"`
	Symbols   []indicators.Symbol    `json:"Symbols"`
	// Computed says how each computed rate in the table was worked out.
	Computed []string `json:"Computed"`
	// NeighbourSet names the neighbours used, as exports of the chart say.
	NeighbourSet string `json:"NeighbourSet"`
	// What an image of the chart carries besides the chart.
	Subtitle string `json:"Subtitle"`
	Source   string `json:"Source"`
	Notes    string `json:"Notes"`
	Stamp    string `json:"Stamp"`
	// Series is every series the comparison draws (the area, England, the
	// region, the neighbours' average), so that a snapshot can say which
	// of them changed since; absent from snapshots made before.
	Series []indicators.Series `json:"series,omitempty"`
	// Described says the chart points to its visible summary rather than
	// carrying it as its label (comparisons stored before carry it).
	Described bool `json:"described,omitempty"`
}

// CompareRow is one year of the comparison table.
type CompareRow struct {
	Period    string        `json:"Period"`
	Cells     []CompareCell `json:"Cells"`
	Mean      string        `json:"Mean"`
	Range     string        `json:"Range"`
	Used      int           `json:"Used"`
	Of        int           `json:"Of"`
	Missing   string        `json:"Missing"`
	Neighbour bool          `json:"Neighbour"` // whether the area has neighbours at all
}

// CompareCell is one area's figure in a year: a value, or a symbol that is
// explained and never averaged or ranked.
type CompareCell struct {
	Text     string            `json:"Text"`
	Symbol   indicators.Symbol `json:"Symbol"`
	Computed bool              `json:"Computed"`
	Notes    []string          `json:"Notes"`
}

// comparable reports whether an indicator has a form that compares areas
// of different sizes: a percentage, a rate, or a count with a rate.
func comparable(def *indicators.Definition) bool {
	return def.IsPercent() || def.IsRate() || def.Rate != nil
}

// comparableSeries is the series an indicator is compared in for an area,
// with the definition it is shown under: a count's rate per 10,000
// children, a percentage or rate as it is.
func (r *Reader) comparableSeries(l loaded, def *indicators.Definition, geo indicators.Geography) (*indicators.Definition, indicators.Series) {
	if def.IsPercent() || def.IsRate() || def.Rate == nil {
		sr := r.series(l, def, geo)
		return sr.Definition, sr
	}
	count := r.series(l, def, geo)
	rateDef := r.Catalog.RateDefinition(count.Definition) // with the area's breaks
	var published indicators.Series
	if pd, ok := r.Catalog.Lookup(def.Rate.Published); ok {
		published = r.series(l, pd, geo)
	}
	popDef, _ := r.Catalog.Lookup(def.Rate.Population)
	pop := r.series(l, popDef, geo)
	obs := indicators.RateObservations(rateDef.ID, count, published, pop)
	return rateDef, indicators.NewSeries(rateDef, geo, obs)
}

// Comparable is the series an indicator is compared in for an area, with
// the definition it is shown under; ok is false for a count with no rate.
func (r *Reader) Comparable(ctx context.Context, def *indicators.Definition, geo indicators.Geography) (*indicators.Definition, indicators.Series, bool, error) {
	l, err := r.load(ctx, []*indicators.Definition{def}, []indicators.Geography{geo})
	if err != nil || !comparable(def) {
		return nil, indicators.Series{}, false, err
	}
	cdef, sr := r.comparableSeries(l, def, geo)
	return cdef, sr, true, nil
}

// Compare builds the comparison of an area other than England, or nil
// where the indicator has no comparable form.
func (r *Reader) Compare(ctx context.Context, def *indicators.Definition, geo indicators.Geography) (*Comparison, error) {
	if geo.Code == indicators.EnglandCode || !comparable(def) {
		return nil, nil
	}
	ac, err := r.Context(ctx, geo)
	if err != nil {
		return nil, err
	}
	geos := append([]indicators.Geography{geo, indicators.England}, ac.Neighbours...)
	if ac.Region != nil {
		geos = append(geos, *ac.Region)
	}
	l, err := r.load(ctx, []*indicators.Definition{def}, geos)
	if err != nil {
		return nil, err
	}
	return r.compare(l, def, geo, ac)
}

func (r *Reader) compare(l loaded, def *indicators.Definition, geo indicators.Geography, ac AreaContext) (*Comparison, error) {
	cdef, area := r.comparableSeries(l, def, geo)
	v := &Comparison{DOMID: "compare-" + def.ID, Def: cdef, Context: ac, Described: true}
	v.Title = fmt.Sprintf("%s: %s compared", cdef.Title, geo.Name)
	lines := []indicators.Series{area}
	_, eng := r.comparableSeries(l, def, indicators.England)
	lines = append(lines, eng)
	if ac.Region != nil {
		_, rg := r.comparableSeries(l, def, *ac.Region)
		lines = append(lines, rg)
	}
	var neighbours []indicators.Series
	for _, n := range ac.Neighbours {
		_, ns := r.comparableSeries(l, def, n)
		neighbours = append(neighbours, ns)
	}
	periods := periodsOf(area)
	stats := indicators.NeighbourStats(periods, area, neighbours)
	var meanName string
	if len(neighbours) > 0 {
		meanName = fmt.Sprintf("Average of %s's statistical neighbours", geo.Name)
		lines = append(lines, indicators.NeighbourSeries(cdef, meanName, stats))
		v.HasSpread = true
	}
	v.Series = lines
	for _, l := range lines[:columns(ac)] {
		v.Columns = append(v.Columns, l.Geography.Name)
	}
	if def.Rate != nil {
		v.RateNote = "Counts are compared as rates per 10,000 children aged 0 to 17. Where the department publishes a rate, that rate is shown; otherwise cptrends divides the count by the ONS mid-year estimate for the year in which the reporting year starts (mid-2021 for 2021/22) and marks the figure “computed”."
	}
	used := map[indicators.Symbol]bool{}
	var tips [][]string
	for i, per := range periods {
		row := CompareRow{Period: per.String(), Neighbour: len(neighbours) > 0}
		tip := []string{per.String()}
		for _, l := range lines[:len(v.Columns)] {
			cell := cellFor(cdef, l, per)
			if cell.Symbol != "" {
				used[cell.Symbol] = true
			}
			row.Cells = append(row.Cells, cell)
			if cell.Computed {
				v.Computed = append(v.Computed, per.String()+", "+l.Geography.Name+": "+computedNote(cell))
			}
			tip = append(tip, l.Geography.Name+": "+cellTip(cell))
		}
		if len(neighbours) > 0 {
			st := stats[i]
			row.Used, row.Of = st.Used, st.Of
			row.Missing = missingText(st)
			if st.Mean != nil {
				row.Mean = cdef.FormatValue(*st.Mean)
				row.Range = cdef.FormatValue(*st.Min) + " to " + cdef.FormatValue(*st.Max)
				tip = append(tip, fmt.Sprintf("Neighbours' average: %s (%d of %d neighbours)", row.Mean, st.Used, st.Of),
					"Neighbours' range: "+row.Range)
			} else {
				tip = append(tip, "Neighbours' average: no neighbour has a figure")
			}
			if row.Missing != "" {
				tip = append(tip, "  "+row.Missing)
			}
		}
		v.Rows = append(v.Rows, row)
		tips = append(tips, tip)
	}
	for _, sym := range indicators.Symbols() {
		if used[sym] {
			v.Symbols = append(v.Symbols, sym)
		}
	}
	v.Summary = compareSummary(cdef, lines, stats, len(neighbours))
	v.NeighbourSet = ac.NeighbourSet()
	v.Subtitle, v.Source, v.Notes = compareExportText(v, periods)
	c, err := chart.Compare(chart.Options{Description: v.Summary}, chart.Comparison{
		Definition: cdef, Lines: lines, Spread: spreadIf(stats, len(neighbours) > 0),
		SpreadName: "Range of the neighbours (lowest to highest)", Tips: tips,
	})
	if err != nil {
		return nil, err
	}
	if v.Option, v.Tips, err = c.Strings(); err != nil {
		return nil, err
	}
	return v, nil
}

// compareExportText is what an image of the comparison carries besides
// the chart: the area and years, the source, and the neighbour set, how
// the average was taken and what the gaps mean, one a line.
func compareExportText(v *Comparison, periods []indicators.Period) (subtitle, source, notes string) {
	subtitle = v.Context.Area.Name
	if n := len(periods); n > 0 {
		subtitle += ", " + periods[0].String() + " to " + periods[n-1].String()
	}
	var lines []string
	if v.NeighbourSet != "" {
		lines = append(lines, v.NeighbourSet+". The band is their range; their average (of those with a figure) is a line of its own.")
	} else if v.Context.NoModel != "" {
		lines = append(lines, v.Context.NoModel)
	}
	for _, sym := range v.Symbols {
		lines = append(lines, "Gaps: "+string(sym)+" = "+sym.Meaning()+"; never drawn or averaged.")
	}
	if v.RateNote != "" {
		lines = append(lines, shorten(v.RateNote, maxImageNote))
	}
	return subtitle, v.Def.Source.Name, strings.Join(lines, "\n")
}

// columns counts the areas the table gives a column each: the area,
// England, and its region if it has one.
func columns(ac AreaContext) int {
	if ac.Region != nil {
		return 3
	}
	return 2
}

func spreadIf(stats []indicators.NeighbourStat, ok bool) []indicators.NeighbourStat {
	if !ok {
		return nil
	}
	return stats
}

func periodsOf(s indicators.Series) []indicators.Period {
	out := make([]indicators.Period, 0, len(s.Points))
	for _, p := range s.Points {
		out = append(out, p.Period)
	}
	return out
}

// cellFor is one series' figure for a year, as the table shows it.
func cellFor(def *indicators.Definition, s indicators.Series, per indicators.Period) CompareCell {
	for _, p := range s.Points {
		if p.Period != per {
			continue
		}
		c := CompareCell{Symbol: p.Symbol, Notes: p.Notes}
		c.Text = def.FormatPoint(p)
		if p.Value != nil {
			c.Computed = strings.Contains(p.Note, indicators.ComputedRateNote)
		}
		return c
	}
	return CompareCell{Text: "no figure"}
}

func computedNote(c CompareCell) string {
	for _, n := range c.Notes {
		if strings.Contains(n, indicators.ComputedRateNote) {
			return n
		}
	}
	return ""
}

func cellTip(c CompareCell) string {
	switch {
	case c.Symbol != "":
		return string(c.Symbol) + " (" + c.Symbol.Meaning() + ")"
	case c.Computed:
		return c.Text + " (computed)"
	}
	return c.Text
}

// missingText names the neighbours left out of a year's average, and why.
func missingText(st indicators.NeighbourStat) string {
	if len(st.Missing) == 0 {
		return ""
	}
	var parts []string
	for _, m := range st.Missing {
		parts = append(parts, m.Name+" ("+m.Reason+")")
	}
	return fmt.Sprintf("Average of %d of %d neighbours; left out: %s.", st.Used, st.Of, strings.Join(parts, "; "))
}

// compareSummary says in words how the area stood in the latest year it
// has a figure, for people who cannot see the chart.
func compareSummary(def *indicators.Definition, lines []indicators.Series, stats []indicators.NeighbourStat, neighbours int) string {
	area := lines[0]
	latest, ok := area.Latest()
	if !ok {
		return indicators.NoFigures(area.Geography)
	}
	parts := []string{fmt.Sprintf("In %s, %s: %s", latest.Period, area.Geography.Name, def.FormatValue(*latest.Value))}
	for _, l := range lines[1:] {
		if p, ok := pointsAt(l, latest.Period); ok && p.Value != nil {
			parts = append(parts, fmt.Sprintf("%s: %s", l.Geography.Name, def.FormatValue(*p.Value)))
		}
	}
	out := strings.Join(parts, "; ") + "."
	if neighbours > 0 {
		for _, st := range stats {
			if st.Period == latest.Period && st.Mean != nil {
				out += fmt.Sprintf(" The neighbours ranged from %s to %s (%d of %d with a figure).",
					def.FormatValue(*st.Min), def.FormatValue(*st.Max), st.Used, st.Of)
			}
		}
	}
	return out
}

func pointsAt(s indicators.Series, per indicators.Period) (indicators.Point, bool) {
	for _, p := range s.Points {
		if p.Period == per {
			return p, true
		}
	}
	return indicators.Point{}, false
}

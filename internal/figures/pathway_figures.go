package figures

import (
	"fmt"
	"strings"

	"cptrends/indicators"
	"cptrends/internal/chart"
)

// stageLabels name the stages on the pathway chart, short enough to sit
// under a group of bars.
var stageLabels = map[string]string{
	"referrals":       "Referrals",
	"s47_enquiries":   "Section 47 enquiries",
	"icpcs":           "Initial conferences",
	"cpp_started":     "Plans starting",
	"cpp_at_31_march": "On a plan at 31 March",
}

// StageLabel names a stage as the pathway chart and table do.
func StageLabel(id string) string { return stageLabels[id] }

// chartLabels break the stages' names over two lines under their bars.
var chartLabels = map[string]string{
	"referrals":       "Referrals",
	"s47_enquiries":   "Section 47\nenquiries",
	"icpcs":           "Initial\nconferences",
	"cpp_started":     "Plans\nstarting",
	"cpp_at_31_march": "On a plan\nat 31 March",
}

// rateText writes a rate per 10,000 to one decimal place, or why none.
func rateText(v *float64) string {
	if v == nil {
		return "no figure"
	}
	return indicators.FormatNumber(*v, 1)
}

// summary says in words what the pathway of the year shows, for people who
// cannot see the chart: each stage's rate beside England's and the
// neighbours', then each conversion with its change on the year.
func (pr pathwayRead) summary(pw Pathway) string {
	var parts []string
	parts = append(parts, fmt.Sprintf("The child protection pathway in %s, %s, per 10,000 children aged 0 to 17.", pw.Geography.Name, pw.Period))
	for _, st := range pw.Stages {
		def := st.Def
		var s string
		switch {
		case st.Value != nil:
			s = fmt.Sprintf("%s: %s (%s per 10,000", StageLabel(st.ID), def.FormatValue(*st.Value), rateText(st.Rate))
			if st.Compare.England != nil {
				s += "; England " + rateText(st.Compare.England)
			}
			if n := st.Compare.Neighbours; n != nil && n.Mean != nil {
				s += "; neighbours' average " + rateText(n.Mean)
			}
			s += ")."
		case st.Symbol != "":
			s = fmt.Sprintf("%s: %s (%s).", StageLabel(st.ID), st.Symbol, st.Symbol.Meaning())
		default:
			s = fmt.Sprintf("%s: no figure in this dashboard for %s.", StageLabel(st.ID), pw.Period)
		}
		parts = append(parts, s)
	}
	for _, cv := range pw.Conversions {
		if cv.PerHundred == nil {
			parts = append(parts, fmt.Sprintf("No figure for %s: %s.", strings.ToLower(cv.Title[:1])+cv.Title[1:], cv.NoValue))
			continue
		}
		s := fmt.Sprintf("There were %s %s per 100 %s", indicators.FormatNumber(*cv.PerHundred, 1),
			pr.defs[cv.To].Noun, pr.defs[cv.From].Noun)
		if cv.Compare.England != nil {
			s += " (England " + indicators.FormatNumber(*cv.Compare.England, 1) + ")"
		}
		if cv.Change != nil {
			s += ", " + changeWords(*cv.Change) + " on the year"
		} else {
			s += "; no change on the year is shown: " + cv.NoChange
		}
		parts = append(parts, s+".")
	}
	return strings.Join(parts, " ")
}

// changeWords says a change in points: "up 1.2 points", "down 0.4
// points", "unchanged".
func changeWords(c float64) string {
	s := indicators.FormatNumber(c, 1)
	switch {
	case s == "0.0" || s == "-0.0":
		return "unchanged"
	case c > 0:
		return "up " + s + " points"
	}
	return "down " + strings.TrimPrefix(s, "-") + " points"
}

// FormatChangePoints writes a conversion's change on the year: "+1.2".
func FormatChangePoints(c float64) string {
	s := indicators.FormatNumber(c, 1)
	if !strings.HasPrefix(s, "-") && s != "0.0" {
		s = "+" + s
	}
	return s
}

// chart is the pathway of the year as grouped bars: the area, England,
// the region and the neighbours' average, per 10,000 children.
func (pr pathwayRead) chart(pw Pathway) (Figure, error) {
	f := Figure{DOMID: "chart-pathway", Title: fmt.Sprintf("The child protection pathway per 10,000 children, %s", pw.Period),
		Summary: pw.Summary, FileName: "cptrends-pathway"}
	var labels []string
	var tips [][]string
	own := chart.PathwayBar{Name: pw.Geography.Name}
	eng := chart.PathwayBar{Name: indicators.EnglandName}
	var rg, nb chart.PathwayBar
	region, neighbours := pr.comparators()
	if region != nil {
		rg.Name = region.Name
	}
	if len(neighbours) > 0 {
		nb.Name = "Average of " + pw.Geography.Name + "'s statistical neighbours"
	}
	for _, st := range pw.Stages {
		labels = append(labels, chartLabels[st.ID])
		own.Values = append(own.Values, st.Rate)
		tip := []string{StageLabel(st.ID) + " per 10,000 children", pw.Geography.Name + ": " + rateText(st.Rate)}
		if pw.Geography.Code != indicators.EnglandCode {
			eng.Values = append(eng.Values, st.Compare.England)
			tip = append(tip, "England: "+rateText(st.Compare.England))
		}
		if r := st.Compare.Region; r != nil {
			rg.Values = append(rg.Values, r.Value)
			tip = append(tip, r.Name+": "+rateText(r.Value))
		}
		if n := st.Compare.Neighbours; n != nil {
			nb.Values = append(nb.Values, n.Mean)
			if n.Mean != nil {
				tip = append(tip, fmt.Sprintf("Neighbours' average: %s (%d of %d; range %s to %s)", rateText(n.Mean), n.Used, n.Of, rateText(n.Min), rateText(n.Max)))
			}
		}
		tips = append(tips, tip)
	}
	bars := []chart.PathwayBar{own}
	if pw.Geography.Code != indicators.EnglandCode {
		bars = append(bars, eng)
	}
	if rg.Name != "" {
		bars = append(bars, rg)
	}
	if nb.Name != "" {
		bars = append(bars, nb)
	}
	f.Subtitle = pw.Geography.Name + ", " + pw.Period.String()
	f.Source = pr.defs["referrals"].Source.Name + "; ONS mid-year population estimates"
	f.Notes = strings.Join([]string{shorten(CaveatEvents, maxImageNote), shorten(CaveatUnits, maxImageNote)}, "\n")
	c, err := chart.Pathway(chart.Options{Description: pw.Summary}, chart.PathwayBars{Stages: labels, Bars: bars, Tips: tips})
	if err != nil {
		return f, err
	}
	f.Option, f.Tips, err = c.Strings()
	return f, err
}

// conversionFigure is one conversion over time: the area's line beside
// England's, the region's and the neighbours' average, with the
// neighbours' range as a band, and a table of the area's years.
func (pr pathwayRead) conversionFigure(cv Conversion, region *indicators.Geography, neighbours []indicators.Geography) (Figure, error) {
	s := cv.Series
	domID := "chart-" + s.Definition.ID
	if pr.geo.Code == indicators.EnglandCode {
		f, err := buildFigure(domID, 0, s.Definition.Title, true, drawn{s: s})
		f.Tables[0].Caption = strings.Replace(f.Tables[0].Caption, s.Definition.Title, s.Definition.Title+" (per cent)", 1)
		return f, err
	}
	// A predecessor's figures are a line of their own, never joined to the
	// area's across the break at its creation.
	own, former := s, (*indicators.Series)(nil)
	if change, _, ok := pr.r.Areas.Created(pr.geo.Code); ok && !change.Joined {
		own, former = splitFormer(s)
	}
	lines := []indicators.Series{own, pr.conversionSeries(cv.From, cv.To, indicators.England)}
	if region != nil {
		lines = append(lines, pr.conversionSeries(cv.From, cv.To, *region))
	}
	periods := periodsOf(s)
	var stats []indicators.NeighbourStat
	if len(neighbours) > 0 {
		var ns []indicators.Series
		for _, n := range neighbours {
			ns = append(ns, pr.conversionSeries(cv.From, cv.To, n))
		}
		stats = indicators.NeighbourStats(periods, s, ns)
		lines = append(lines, indicators.NeighbourSeries(s.Definition, "Average of "+pr.geo.Name+"'s statistical neighbours", stats))
	}

	f := Figure{DOMID: domID, Title: s.Definition.Title, Series: lines, FileName: "cptrends-" + s.Definition.ID}
	f.Tables = []Table{table(drawn{s: s})}
	f.Summary = s.Summary()
	var tips [][]string
	for i, per := range periods {
		tip := []string{per.String()}
		shown := lines
		if former != nil {
			shown = append(append([]indicators.Series(nil), lines...), *former)
		}
		for _, l := range shown {
			tip = append(tip, l.Geography.Name+": "+cellTip(cellFor(s.Definition, l, per)))
		}
		if stats != nil && stats[i].Mean != nil {
			tip = append(tip, "Neighbours' range: "+s.Definition.FormatValue(*stats[i].Min)+" to "+s.Definition.FormatValue(*stats[i].Max))
		}
		tips = append(tips, tip)
	}
	f.Subtitle, f.Source, f.Notes = exportText(lines[:1], nil)
	cmp := chart.Comparison{Definition: s.Definition, Lines: lines,
		Spread: stats, SpreadName: "Range of the neighbours (lowest to highest)", Tips: tips}
	var c chart.Chart
	var err error
	if former != nil {
		c, err = chart.CompareWithFormer(chart.Options{Description: f.Summary}, cmp, *former)
	} else {
		c, err = chart.Compare(chart.Options{Description: f.Summary}, cmp)
	}
	if err != nil {
		return f, err
	}
	f.Option, f.Tips, err = c.Strings()
	return f, err
}

// plansFigure is the plans' stock and flow: plans starting in the year,
// plans ending after two years or more (the only plans ending held), and
// children on a plan at 31 March, with a table of each.
func (pr pathwayRead) plansFigure() (Figure, error) {
	var series []drawn
	for _, id := range planFlowIDs {
		series = append(series, drawn{s: pr.count(id, pr.geo)})
	}
	return drawnFigure("chart-plans-flow", "Plans starting and ending in the year, and children on a plan at 31 March", series,
		func(o chart.Options, s ...indicators.Series) (chart.Chart, error) { return chart.Lines(o, s...) })
}

// bandsFigure is the lengths of plans open at 31 March, stacked, a bar a
// year, with a table of each band.
func (pr pathwayRead) bandsFigure() (Figure, error) {
	var series []drawn
	for _, id := range planBandIDs {
		series = append(series, drawn{s: pr.count(id, pr.geo)})
	}
	f, err := drawnFigure("chart-plans-bands", "Child protection plans open at 31 March, by how long they had lasted", series,
		func(o chart.Options, s ...indicators.Series) (chart.Chart, error) {
			o.Description = pr.bandsSummary()
			return chart.Stacked(o, s...)
		})
	if f.Option != "" {
		f.Summary = pr.bandsSummary()
	}
	return f, err
}

// bandsSummary says how long the plans open at 31 March of the latest
// year had lasted, band by band, and that a suppressed band is left out
// of its bar.
func (pr pathwayRead) bandsSummary() string {
	total := pr.count("cpp_at_31_march", pr.geo)
	latest, ok := total.Latest()
	if !ok {
		return indicators.NoFigures(pr.geo)
	}
	var parts []string
	for _, id := range planBandIDs {
		d := pr.defs[id]
		text := "no figure"
		if p, ok := pointsAt(pr.count(id, pr.geo), latest.Period); ok {
			text = d.FormatPoint(p)
			if p.Value != nil && *latest.Value > 0 {
				text += " (" + indicators.FormatNumber(*p.Value / *latest.Value * 100, 1) + "%)"
			}
			if p.Symbol != "" {
				text += " (" + p.Symbol.Meaning() + ")"
			}
		}
		parts = append(parts, strings.TrimPrefix(d.ShortTitle, "Open plans: ")+": "+text)
	}
	return fmt.Sprintf("Of the %s plans open at 31 March %d in %s, the time each had lasted: %s. "+
		"A length whose figure is suppressed or missing in a year is left out of that year's bar, so the bar is then shorter than the number of plans open; the tables give every figure.",
		total.Definition.FormatValue(*latest.Value), latest.Period.EndYear(), pr.geo.Name, strings.Join(parts, "; "))
}

// drawnFigure is a figure of several series drawn by build, with a table
// of each series and a summary made of theirs.
func drawnFigure(domID, title string, series []drawn, build func(chart.Options, ...indicators.Series) (chart.Chart, error)) (Figure, error) {
	f := Figure{DOMID: domID, Title: title, FileName: "cptrends-" + strings.TrimPrefix(domID, "chart-")}
	var summaries []string
	var all []indicators.Series
	for _, d := range series {
		if len(d.s.Points) == 0 {
			continue
		}
		all = append(all, d.s)
		f.Series = append(f.Series, d.s)
		f.Tables = append(f.Tables, table(d))
		summaries = append(summaries, d.s.Summary())
	}
	if len(all) == 0 {
		if len(series) > 0 {
			f.Summary = indicators.NoFigures(series[0].s.Geography)
		}
		return f, nil
	}
	f.Summary = strings.Join(summaries, " ")
	f.Subtitle, f.Source, f.Notes = exportText(all, nil)
	c, err := build(chart.Options{Description: f.Summary}, all...)
	if err != nil {
		return f, err
	}
	f.Option, f.Tips, err = c.Strings()
	return f, err
}

// ValueText is the stage's count as published, or its symbol.
func (st PathwayStage) ValueText() string {
	switch {
	case st.Value != nil:
		return st.Def.FormatValue(*st.Value)
	case st.Symbol != "":
		return string(st.Symbol)
	}
	return "no figure"
}

// RateText is the stage's rate per 10,000 to one decimal place, or its
// symbol.
func (st PathwayStage) RateText() string {
	if st.Rate == nil && st.RateSymbol != "" {
		return string(st.RateSymbol)
	}
	return rateText(st.Rate)
}

// PerHundredText is the conversion to one decimal place, or its symbol.
func (cv Conversion) PerHundredText() string {
	if cv.PerHundred == nil && cv.Symbol != "" {
		return string(cv.Symbol)
	}
	return rateText(cv.PerHundred)
}

// ChangeText is the change on the year in points ("+1.2"), or why none.
func (cv Conversion) ChangeText() string {
	if cv.Change == nil {
		return "No change shown: " + cv.NoChange
	}
	return FormatChangePoints(*cv.Change)
}

// EnglandText is England's figure to one decimal place.
func (c PathwayCompare) EnglandText() string { return rateText(c.England) }

// RegionText is the region's figure to one decimal place, or its symbol.
func (c PathwayCompare) RegionText() string {
	if c.Region == nil {
		return ""
	}
	if c.Region.Value == nil && c.Region.Symbol != "" {
		return string(c.Region.Symbol)
	}
	return rateText(c.Region.Value)
}

// MeanText is the neighbours' average to one decimal place.
func (c PathwayCompare) MeanText() string {
	if c.Neighbours == nil {
		return ""
	}
	return rateText(c.Neighbours.Mean)
}

// RangeText is the neighbours' lowest to highest.
func (c PathwayCompare) RangeText() string {
	if c.Neighbours == nil || c.Neighbours.Min == nil {
		return ""
	}
	return rateText(c.Neighbours.Min) + " to " + rateText(c.Neighbours.Max)
}

// UsedText says how many neighbours had a figure, and who had none.
func (c PathwayCompare) UsedText() string {
	n := c.Neighbours
	if n == nil {
		return ""
	}
	s := fmt.Sprintf("%d of %d", n.Used, n.Of)
	if len(n.Missing) > 0 {
		s = fmt.Sprintf("%d of %d. ", n.Used, n.Of) + missingText(indicators.NeighbourStat{Used: n.Used, Of: n.Of, Missing: n.Missing})
	}
	return s
}

// Label names the stage as the pathway's chart and table do.
func (st PathwayStage) Label() string { return StageLabel(st.ID) }

// splitFormer parts an area's series into its own figures and, where it
// has them, a predecessor's (published for another area, before a boundary
// change that broke the series), each with gaps where the other has
// figures.
func splitFormer(s indicators.Series) (own indicators.Series, former *indicators.Series) {
	own = s
	own.Points = append([]indicators.Point(nil), s.Points...)
	var f indicators.Series
	for i, p := range own.Points {
		if p.GeographyCode == "" || (p.Value == nil && p.Symbol == "") {
			continue
		}
		if f.Definition == nil {
			f = indicators.Series{Definition: s.Definition,
				Geography: indicators.Geography{Code: p.GeographyCode, Name: p.GeographyName}}
			f.Points = make([]indicators.Point, len(s.Points))
			for j, q := range s.Points {
				f.Points[j] = indicators.Point{Period: q.Period, Notes: []string{}}
			}
		}
		f.Points[i] = p
		own.Points[i].Value, own.Points[i].Symbol = nil, ""
	}
	if f.Definition == nil {
		return s, nil
	}
	return own, &f
}

// Package chart turns indicator series into Apache ECharts options. It is
// the only package that imports go-echarts. Options are returned as JSON for
// pages to carry in a data attribute; no script is ever generated.
package chart

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"cptrends/indicators"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Palette is colour-blind safe (Okabe and Ito) and each colour has at least
// 3:1 contrast with white, as WCAG asks of graphics.
var palette = []string{"#0072B2", "#D55E00", "#007A5E", "#CC79A7"}

// breakColour draws breaks in series; formerColour a predecessor's figures.
const (
	breakColour  = "#505a5f"
	formerColour = "#505a5f"
)

// Chart is a figure ready for the page: the ECharts option, and per year
// the lines of text its tooltip shows.
type Chart struct {
	Option []byte
	Tips   [][]string
	// Note says what the chart leaves to the table or draws other than
	// from zero; "" when nothing.
	Note string
}

// Strings returns the option and the tooltip lines as JSON text, as pages
// carry them in data attributes.
func (c Chart) Strings() (option, tips string, err error) {
	t, err := json.Marshal(c.Tips)
	if err != nil {
		return "", "", fmt.Errorf("chart: tips: %w", err)
	}
	return string(c.Option), string(t), nil
}

// Options set how a chart is drawn.
type Options struct {
	// Labels puts each year's change on the chart, as many as each size
	// holds without two meeting (see layOut).
	Labels bool
	// Description is the chart's text alternative. The page shows it
	// beside the chart and points the chart to it, so the option does not
	// carry it: ECharts would label the chart with it again.
	Description string
}

// item is one data point. Value is "-" for a year with no figure, which
// ECharts leaves as a gap, never a zero.
type item struct {
	Value any         `json:"value"`
	Label *opts.Label `json:"label,omitempty"`

	// For choosing which change labels to show: the value, the change
	// ranked for largest rise and fall, and whether the label is kept
	// (the latest year, either side of a break).
	v    float64
	rank float64
	keep bool
}

// Build makes the option for one series, or for a count and a percentage
// sharing an x-axis (the first on the left axis, the second on the right).
func Build(o Options, series ...indicators.Series) (Chart, error) {
	if len(series) == 0 || len(series) > 2 {
		return Chart{}, fmt.Errorf("chart: %d series; a chart takes one or two", len(series))
	}
	series = slices.Clone(series)
	var notes []string
	if len(series) == 2 {
		var note string
		series[1], note = within(series[1], span(series[:1]))
		if note != "" {
			notes = append(notes, note)
		}
	}
	periods := span(series)
	c := charts.NewBar()
	c.SetXAxis(categories(periods))
	c.SetGlobalOptions(globalOptions(o, "48", yAxis(series[0].Definition))...)
	if len(series) == 2 {
		right := yAxis(series[1].Definition)
		right.Position = "right"
		right.SplitLine = &opts.SplitLine{Show: opts.Bool(false)}
		if lo, hi, ok := percentRange(series[1]); ok {
			right.Min, right.Max = lo, hi
			notes = append(notes, fmt.Sprintf("The right-hand axis (%s) runs from %s to %s, not from zero, so that the year-to-year movement shows.",
				strings.ToLower(series[1].Definition.ValueHeading()), series[1].Definition.FormatValue(lo), series[1].Definition.FormatValue(hi)))
		}
		c.ExtendYAxis(right)
	}
	for i, s := range series {
		segs := seriesFor(s, i, periods, o)
		if marks := symbolMarks(s, periods); len(marks) > 0 && len(segs) > 0 {
			segs[0].MarkPoints = &opts.MarkPoints{Data: marks, MarkPointStyle: opts.MarkPointStyle{
				Symbol: []string{"roundRect"}, SymbolSize: 24,
				Label: &opts.Label{Show: opts.Bool(true), Color: "#0b0c0c", FontSize: 11, Formatter: "{c}"},
			}}
		}
		c.MultiSeries = append(c.MultiSeries, segs...)
	}
	legend := legendNames(c.MultiSeries)
	addBreakLines(&c.RectChart, breakMarks(series, periods), len(periods))
	c.Legend.Data = legend
	c.Validate()
	b, err := json.Marshal(c.JSON()) // escapes <, > and & as \u003c etc.
	if err != nil {
		return Chart{}, fmt.Errorf("chart: %w", err)
	}
	b, err = layOut(b, c.MultiSeries, series, periods, legend)
	if err != nil {
		return Chart{}, err
	}
	return Chart{Option: b, Tips: tips(series, periods), Note: strings.Join(notes, " ")}, nil
}

// within keeps the points of a second series inside the years the first
// has, so that a few early figures (often from secondary sources, before
// a long gap) do not stretch the axis back; it says which years it left to
// the table.
func within(s indicators.Series, years []indicators.Period) (indicators.Series, string) {
	if len(years) == 0 {
		return s, ""
	}
	first, last := years[0], years[len(years)-1]
	var kept []indicators.Point
	var left []string
	for _, p := range s.Points {
		if p.Period >= first && p.Period <= last {
			kept = append(kept, p)
		} else if p.Value != nil {
			left = append(left, p.Period.String())
		}
	}
	if len(left) == 0 {
		return s, ""
	}
	s.Points = kept
	what, are := "The figure", "is"
	if len(left) > 1 {
		what, are = "Figures", "are"
	}
	return s, fmt.Sprintf("%s for %s (%s) %s in the table, not on the chart, which starts where the number does (%s).",
		what, joinYears(left), s.Definition.ShortTitle, are, first)
}

func joinYears(ys []string) string {
	if len(ys) <= 1 {
		return strings.Join(ys, "")
	}
	return strings.Join(ys[:len(ys)-1], ", ") + " and " + ys[len(ys)-1]
}

// percentRange is the range a percentage drawn beside a count is scaled
// to: whole percentages just beyond its figures.
func percentRange(s indicators.Series) (lo, hi float64, ok bool) {
	if !s.Definition.IsPercent() {
		return 0, 0, false
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range s.Points {
		if p.Value != nil {
			lo, hi = math.Min(lo, *p.Value), math.Max(hi, *p.Value)
		}
	}
	if math.IsInf(lo, 1) {
		return 0, 0, false
	}
	lo, hi = math.Max(0, math.Floor(lo)), math.Min(100, math.Ceil(hi))
	if hi-lo < 2 {
		hi = math.Min(100, lo+2)
	}
	return lo, hi, true
}

// keepLabels marks the labels a chart always keeps in a segment: its
// latest year, and the years either side of the break it starts at.
func keepLabels(data []item, seg []indicators.Point, periods []indicators.Period) {
	last := -1
	for i := range data {
		if data[i].Label != nil {
			last = i
		}
	}
	if last < 0 {
		return
	}
	data[last].keep = true
	if len(seg) > 0 && seg[0].BreakBefore {
		if i := slices.Index(periods, seg[0].Period); i >= 0 {
			for j := i; j < len(data); j++ {
				if data[j].Label != nil {
					data[j].keep = true
					break
				}
			}
		}
	}
	// The year before the next break is this segment's last: kept above.
}

// layOut chooses, for the wide and the narrow drawing, which change labels
// and which years on the x axis are shown, names the axes where they fit,
// and adds the narrow layout as a media query.
func layOut(option []byte, ss []charts.SingleSeries, series []indicators.Series, periods []indicators.Period, legend []string) ([]byte, error) {
	axes := len(series)
	// Where each value sits on its axis: bars and lines start at zero.
	// Stacked series (a band) reach as high as their sum.
	values := make([][]float64, axes)
	stacks := map[string][]float64{}
	for _, s := range ss {
		data, ok := s.Data.([]item)
		if !ok {
			continue
		}
		for i, it := range data {
			if it.Value == "-" {
				continue
			}
			v := it.v
			if s.Stack != "" {
				if v, ok = it.Value.(float64); !ok {
					continue
				}
				st := stacks[s.Stack]
				if st == nil {
					st = make([]float64, len(data))
					stacks[s.Stack] = st
				}
				st[i] += v
				v = st[i]
			}
			values[s.YAxisIndex] = append(values[s.YAxisIndex], v)
		}
	}
	scales := make([]plotScale, axes)
	for i := range scales {
		scales[i] = scaleFor(values[i], nil)
		if i == 1 {
			if lo, hi, ok := percentRange(series[1]); ok {
				scales[i] = plotScale{min: lo, max: hi}
			}
		}
	}
	var spots []spot
	for si, s := range ss {
		data, ok := s.Data.([]item)
		if !ok {
			continue
		}
		for i, it := range data {
			if it.Label == nil {
				continue
			}
			spots = append(spots, spot{series: si, index: i, text: it.Label.Formatter, rank: it.rank, keep: it.keep,
				y: scales[s.YAxisIndex].y(it.v, 1)})
		}
	}
	at := func(g geometry) []spot {
		out := slices.Clone(spots)
		for i := range out {
			out[i].y *= g.plotHeight
		}
		return out
	}
	wideShown := chooseLabels(at(wideGeometry), len(periods), axes, wideGeometry)
	narrowShown := chooseLabels(at(narrowGeometry), len(periods), axes, narrowGeometry)
	latest := -1
	for _, p := range series[0].Points {
		if p.Value != nil {
			latest = slices.Index(periods, p.Period)
		}
	}
	yNames := []any{map[string]any{"nameTextStyle": map[string]any{"align": "left"}}}
	if axes == 2 {
		yNames = append(yNames, map[string]any{"nameTextStyle": map[string]any{"align": "right"}})
	}
	wide := map[string]any{
		"xAxis":  []any{map[string]any{"axisLabel": axisLabels(len(periods), latest, axes, wideGeometry)}},
		"yAxis":  yNames,
		"series": labelled(ss, wideShown, false, len(periods), axes),
	}
	nlegend, bottom := legendLayout(legend, narrowGeometry)
	narrow := map[string]any{
		"xAxis":  []any{map[string]any{"axisLabel": axisLabels(len(periods), latest, axes, narrowGeometry)}},
		"legend": nlegend,
		"grid":   map[string]any{"bottom": bottom, "left": 2, "right": 26},
		"series": labelled(ss, narrowShown, true, len(periods), axes),
	}
	return withMedia(option, wide, narrow)
}

// labelled lists each series' data with only the chosen change labels;
// for the narrow layout, the break lines too, each labelled only where
// the one before is far enough away.
func labelled(ss []charts.SingleSeries, shown map[[2]int]bool, narrow bool, years, axes int) []any {
	out := make([]any, len(ss))
	for si, s := range ss {
		out[si] = map[string]any{}
		if data, ok := s.Data.([]item); ok {
			d := slices.Clone(data)
			for i := range d {
				if d[i].Label != nil && !shown[[2]int{si, i}] {
					d[i].Label = nil
				}
			}
			out[si] = map[string]any{"data": d}
			continue
		}
		if narrow && s.MarkLines != nil {
			out[si] = map[string]any{"markLine": map[string]any{"data": breakLabels(s.MarkLines.Data, years, axes)}}
		}
	}
	return out
}

// legendNames lists each series name once, in order.
func legendNames(series []charts.SingleSeries) []string {
	seen := map[string]bool{}
	var names []string
	for _, s := range series {
		if !seen[s.Name] {
			seen[s.Name] = true
			names = append(names, s.Name)
		}
	}
	return names
}

// categories labels the x-axis: one reporting year each.
func categories(periods []indicators.Period) []string {
	out := make([]string, len(periods))
	for i, p := range periods {
		out[i] = p.String()
	}
	return out
}

// globalOptions are what every chart shares: the palette, an axis
// tooltip, the legend below, the grid (bottom leaves room for the legend),
// and a category x-axis of years.
func globalOptions(o Options, bottom string, y opts.YAxis) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithColorsOpts(opts.Colors(palette)),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "2%", Right: "2%", Top: "40", Bottom: bottom, ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Show: opts.Bool(true), HideOverlap: opts.Bool(true)}}),
		charts.WithYAxisOpts(y),
	}
}

// addBreakLines draws each break as a dashed line between two years. A
// category axis puts a mark line on a category's centre; a hidden value
// axis over the same width (-0.5 to n-0.5) puts it between two, so the
// lines hang on an empty series of their own on that axis.
func addBreakLines(c *charts.RectChart, marks []any, years int) {
	if len(marks) == 0 {
		return
	}
	c.ExtendXAxis(opts.XAxis{Type: "value", Show: opts.Bool(false), Min: -0.5, Max: float64(years) - 0.5,
		AxisPointer: &opts.AxisPointer{Show: opts.Bool(false)}})
	c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{Type: "line", XAxisIndex: 1, Data: []any{},
		MarkLines: &opts.MarkLines{Data: marks, MarkLineStyle: opts.MarkLineStyle{
			Symbol:    []string{"none", "none"},
			LineStyle: &opts.LineStyle{Color: breakColour, Type: "dashed", Width: 2},
			Label:     &opts.Label{Show: opts.Bool(true), Position: "end", Formatter: "Break", Color: breakColour}, // above the plot, clear of the change labels
		}}})
}

// span lists every reporting year from the earliest to the latest point.
func span(series []indicators.Series) []indicators.Period {
	var first, last indicators.Period
	for _, s := range series {
		for _, p := range s.Points {
			if first == 0 || p.Period < first {
				first = p.Period
			}
			if p.Period > last {
				last = p.Period
			}
		}
	}
	var out []indicators.Period
	for p := first; first != 0 && p <= last; p++ {
		out = append(out, p)
	}
	return out
}

func yAxis(d *indicators.Definition) opts.YAxis {
	// onZero false keeps the y-axis at the edge: otherwise it would cross the
	// hidden value axis that places break lines, at its zero.
	y := opts.YAxis{Type: "value", Name: axisName(d), NameLocation: "end", AxisLabel: &opts.AxisLabel{Show: opts.Bool(true)},
		AxisLine: &opts.AxisLine{OnZero: opts.Bool(false)}}
	if d.IsPercent() {
		y.AxisLabel.Formatter = "{value}%"
	}
	return y
}

func axisName(d *indicators.Definition) string {
	return d.ValueHeading()
}

// seriesFor splits one series into comparable segments at its breaks, so
// that no line or stack joins values either side of a break, and styles
// segments from secondary sources apart (dashed, hatched).
func seriesFor(s indicators.Series, index int, periods []indicators.Period, o Options) []charts.SingleSeries {
	d := s.Definition
	byPeriod := map[indicators.Period]indicators.Point{}
	for _, p := range s.Points {
		byPeriod[p.Period] = p
	}
	var segments [][]indicators.Point
	for _, p := range s.Points {
		if len(segments) == 0 || p.BreakBefore {
			segments = append(segments, nil)
		}
		segments[len(segments)-1] = append(segments[len(segments)-1], p)
	}
	colour := palette[index%len(palette)]
	var out []charts.SingleSeries
	for _, seg := range segments {
		if !hasValue(seg) {
			continue // a stretch of gaps between two breaks draws nothing
		}
		secondary := seg[0].Secondary
		inSeg := map[indicators.Period]bool{}
		for _, p := range seg {
			inSeg[p.Period] = true
		}
		data := make([]item, len(periods))
		for i, per := range periods {
			data[i] = item{Value: "-"}
			p, ok := byPeriod[per]
			if !ok || !inSeg[per] || p.Value == nil {
				continue
			}
			data[i].Value = *p.Value
			data[i].v = *p.Value
			if o.Labels && p.Change != nil {
				text, rank := labelText(d, p)
				data[i].Label = &opts.Label{Show: opts.Bool(true), Formatter: text}
				data[i].rank = rank
			}
		}
		keepLabels(data, seg, periods)
		name := d.ShortTitle
		if secondary {
			name += " (secondary sources)"
		}
		// A predecessor's figures, behind the break at the successor's
		// creation, are a series of their own, named and drawn apart: never
		// the successor's own figures.
		former := formerArea(seg)
		if former != "" {
			name = d.ShortTitle + ": " + former
		}
		ss := charts.SingleSeries{Name: name, Type: d.Chart.Type, Data: data, YAxisIndex: index, Color: colour,
			LabelLayout: &opts.LabelLayout{HideOverlap: opts.Bool(true)}}
		switch d.Chart.Type {
		case "bar":
			ss.Stack = d.ID // segments never overlap: stacking keeps one bar a year
			ss.BarMaxWidth = "48"
			ss.Label = &opts.Label{Position: "top", FontSize: 11, Color: "#0b0c0c"}
			if secondary {
				// A pale fill with a full-colour outline: told apart by more than hue.
				ss.ItemStyle = &opts.ItemStyle{Color: "#cfe3f2", BorderColor: colour, BorderWidth: 2}
			}
		case "line":
			ss.ConnectNulls = opts.Bool(false)
			ss.Symbol = "circle"
			ss.SymbolSize = 7
			ss.LineStyle = &opts.LineStyle{Width: 3}
			// A white ground keeps the label legible over bars it crosses.
			ss.Label = &opts.Label{Position: "top", FontSize: 11, Color: "#0b0c0c", BackgroundColor: "#ffffff"}
			if secondary {
				ss.Symbol = "emptyCircle"
				ss.LineStyle = &opts.LineStyle{Width: 2, Type: "dashed"}
			}
		}
		if former != "" {
			ss.Color = formerColour
			ss.Stack = d.ID + "-former"
			if d.Chart.Type == "bar" {
				ss.ItemStyle = &opts.ItemStyle{Color: "#dbdad9", BorderColor: formerColour, BorderWidth: 2}
			} else {
				ss.Symbol = "emptyCircle"
				ss.LineStyle = &opts.LineStyle{Width: 2, Type: "dotted"}
			}
		}
		out = append(out, ss)
	}
	return out
}

// formerArea names the predecessor whose figures a segment holds, or ""
// where any of its figures is the series' own area's.
func formerArea(points []indicators.Point) string {
	name := ""
	for _, p := range points {
		if p.Value == nil && p.Symbol == "" {
			continue
		}
		if p.GeographyCode == "" {
			return ""
		}
		name = p.GeographyName
	}
	return name
}

func hasValue(points []indicators.Point) bool {
	for _, p := range points {
		if p.Value != nil {
			return true
		}
	}
	return false
}

// symbolMark is a mark point with an offset, which go-echarts' own item
// type lacks.
type symbolMark struct {
	Name         string          `json:"name"`
	Coord        []any           `json:"coord"`
	Value        string          `json:"value"`
	SymbolOffset []any           `json:"symbolOffset"`
	ItemStyle    *opts.ItemStyle `json:"itemStyle,omitempty"`
}

// symbolMarks puts each published symbol on the chart at its year, in a
// small grey box on the axis, so that a gap says why it is there; the
// tooltip and the table explain the symbol.
func symbolMarks(s indicators.Series, periods []indicators.Period) []any {
	var marks []any
	for _, p := range s.Points {
		if p.Symbol == "" {
			continue
		}
		if i := slices.Index(periods, p.Period); i >= 0 {
			marks = append(marks, symbolMark{
				Name: p.Period.String() + ": " + string(p.Symbol) + ", " + p.Symbol.Meaning(), Coord: []any{i, 0},
				Value: string(p.Symbol), SymbolOffset: []any{0, -16}, // above the axis and its labels
				ItemStyle: &opts.ItemStyle{Color: "#f3f2f1", BorderColor: "#505a5f", BorderWidth: 1},
			})
		}
	}
	return marks
}

// changeLabel is the short change shown above a point: "+10.8%" for a count,
// "+0.8 pts" for a percentage.
func changeLabel(d *indicators.Definition, p indicators.Point) string {
	if d.IsPercent() || p.ChangePct == nil {
		return d.FormatChange(*p.Change)
	}
	return indicators.FormatChangePct(*p.ChangePct)
}

// breakMarks draws a dashed vertical line between the two years either side
// of each break (category indexes are numbers, so half way is i - 0.5).
func breakMarks(series []indicators.Series, periods []indicators.Period) []any {
	seen := map[indicators.Period]bool{}
	var marks []any
	for _, s := range series {
		for _, p := range s.Points {
			if !p.BreakBefore || seen[p.Period] {
				continue
			}
			seen[p.Period] = true
			if i := slices.Index(periods, p.Period); i >= 0 {
				marks = append(marks, opts.MarkLineNameXAxisItem{Name: "Break in series before " + p.Period.String(), XAxis: float64(i) - 0.5})
			}
		}
	}
	return marks
}

// tips gives, for each year, the lines its tooltip shows: each series'
// value or symbol, the change from the year before or why there is none,
// breaks, and whether the figure is from a secondary source.
func tips(series []indicators.Series, periods []indicators.Period) [][]string {
	out := make([][]string, len(periods))
	for i, per := range periods {
		lines := []string{per.String()}
		for _, s := range series {
			d := s.Definition
			var p indicators.Point
			found := false
			for _, q := range s.Points {
				if q.Period == per {
					p, found = q, true
				}
			}
			if !found {
				lines = append(lines, d.ShortTitle+": no figure")
				continue
			}
			val := d.FormatPoint(p)
			if p.Symbol != "" {
				val += " (" + p.Symbol.Meaning() + ")"
			}
			if p.Secondary && p.Value != nil {
				val += ", secondary source"
			}
			if p.Revised {
				val += " (r: revised; previously " + d.FormatPoint(indicators.Point{Value: p.Previous.Value, Symbol: p.Previous.Symbol}) + ")"
			}
			if p.GeographyName != "" {
				val += " (" + p.GeographyName + ")"
			}
			lines = append(lines, d.ShortTitle+": "+val)
			if p.CI95 != nil {
				lines = append(lines, "  Range by chance (95%): "+d.FormatValue(p.CI95[0])+" to "+d.FormatValue(p.CI95[1]))
			}
			if p.Value != nil {
				lines = append(lines, "  "+capitalise(d.ChangePhrase(p)))
			}
			if b, ok := d.BreakBefore(per); ok && p.BreakBefore {
				lines = append(lines, "  Break in series: "+b.Explanation)
			}
		}
		out[i] = lines
	}
	return out
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// breakLabel is a break line whose label may be left off.
type breakLabel struct {
	Name  string         `json:"name"`
	XAxis float64        `json:"xAxis"`
	Label map[string]any `json:"label,omitempty"`
}

// breakLabels labels each break line on a narrow chart only where the
// last labelled one is far enough away for the two words not to meet.
func breakLabels(marks []any, years, axes int) []any {
	cat := narrowGeometry.plotWidth(axes) / float64(max(years, 1))
	out := make([]any, 0, len(marks))
	last := math.Inf(-1)
	for _, m := range marks {
		b, ok := m.(opts.MarkLineNameXAxisItem)
		if !ok {
			out = append(out, m)
			continue
		}
		x, _ := b.XAxis.(float64)
		bl := breakLabel{Name: b.Name, XAxis: x}
		// Above the plot, clear of the change labels inside it.
		if (x-last)*cat < 40 {
			bl.Label = map[string]any{"show": false}
		} else {
			bl.Label = map[string]any{"position": "end"}
			last = x
		}
		out = append(out, bl)
	}
	return out
}

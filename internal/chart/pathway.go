package chart

import (
	"encoding/json"
	"fmt"
	"math"

	"cptrends/indicators"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// PathwayBars is the pathway of one year: one group of bars per stage,
// one bar per area compared (the area first), each a rate per 10,000.
type PathwayBars struct {
	// Stages label the groups, in order.
	Stages []string
	Bars   []PathwayBar
	// Tips are the tooltip lines of each stage, in the order of Stages.
	Tips [][]string
}

// PathwayBar is one area's rates at each stage; nil where it has none.
type PathwayBar struct {
	Name   string
	Values []*float64
}

// Pathway builds the option of a year's pathway: grouped bars of each
// stage's rate per 10,000 children, an area per colour, with a stage an
// area has no figure for left empty, never a zero.
func Pathway(o Options, p PathwayBars) (Chart, error) {
	if len(p.Stages) == 0 || len(p.Bars) == 0 {
		return Chart{}, fmt.Errorf("chart: a pathway needs stages and at least one area")
	}
	c := charts.NewBar()
	c.SetXAxis(p.Stages)
	y := opts.YAxis{Type: "value", Name: "Per 10,000", NameLocation: "end",
		AxisLabel: &opts.AxisLabel{Show: opts.Bool(true)}}
	c.SetGlobalOptions(globalOptions(o, "64", y)...)
	// Every stage is labelled: a label that is too long for its group
	// breaks where its text does ("Section 47\nenquiries").
	c.XYAxis.XAxisList[0].AxisLabel = &opts.AxisLabel{Show: opts.Bool(true), Interval: "0"}
	for i, b := range p.Bars {
		if len(b.Values) != len(p.Stages) {
			return Chart{}, fmt.Errorf("chart: %s has %d values for %d stages", b.Name, len(b.Values), len(p.Stages))
		}
		data := make([]item, len(b.Values))
		for j, v := range b.Values {
			data[j] = item{Value: "-"}
			if v != nil {
				data[j].Value = math.Round(*v*10) / 10 // drawn and labelled as published, to one decimal place
			}
		}
		ss := charts.SingleSeries{Name: b.Name, Type: "bar", Data: data, Color: palette[i%len(palette)], BarMaxWidth: "40",
			Label:       &opts.Label{Show: opts.Bool(true), Position: "top", FontSize: 11, Color: "#0b0c0c"},
			LabelLayout: &opts.LabelLayout{HideOverlap: opts.Bool(true)}}
		// Told apart by more than colour: every area after the first is
		// outlined, and the neighbours' average hatched by a pale fill.
		switch i {
		case 0:
		case len(p.Bars) - 1:
			ss.ItemStyle = &opts.ItemStyle{Color: "#f3f2f1", BorderColor: palette[i%len(palette)], BorderWidth: 2}
		default:
			ss.ItemStyle = &opts.ItemStyle{BorderColor: "#0b0c0c", BorderWidth: 1}
		}
		c.MultiSeries = append(c.MultiSeries, ss)
	}
	c.Legend.Data = legendNames(c.MultiSeries)
	c.Validate()
	b, err := withLabelLineHeight(c.JSON(), 15)
	if err != nil {
		return Chart{}, fmt.Errorf("chart: %w", err)
	}
	return Chart{Option: b, Tips: p.Tips}, nil
}

// withLabelLineHeight marshals an option with the x-axis labels' line
// height set, as a number (go-echarts writes it as a string, which
// ECharts does not read), so that a label of two lines does not overlap
// itself.
func withLabelLineHeight(option any, px int) ([]byte, error) {
	b, err := json.Marshal(option)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if axes, ok := m["xAxis"].([]any); ok && len(axes) > 0 {
		if x, ok := axes[0].(map[string]any); ok {
			if l, ok := x["axisLabel"].(map[string]any); ok {
				l["lineHeight"] = px
			}
		}
	}
	return json.Marshal(m) // escapes <, > and & as \u003c etc.
}

// Lines builds the option of several series of one unit on one axis, one
// line each, named by its indicator (plans starting, ending and open), with
// gaps where a series has no figure and breaks in any series marked.
func Lines(o Options, series ...indicators.Series) (Chart, error) {
	if len(series) == 0 {
		return Chart{}, fmt.Errorf("chart: no series to draw")
	}
	periods := span(series)
	c := charts.NewLine()
	c.SetXAxis(categories(periods))
	y := yAxis(series[0].Definition)
	y.Name = "Number"
	c.SetGlobalOptions(globalOptions(o, "64", y)...)
	for i, s := range series {
		st := lineStyles[i%len(lineStyles)]
		for _, seg := range seriesFor(s, 0, periods, Options{}) {
			seg.Type = "line"
			seg.Stack = ""
			seg.Color = palette[i%len(palette)]
			seg.Symbol, seg.SymbolSize = st.symbol, 8
			seg.ConnectNulls = opts.Bool(false)
			seg.LineStyle = &opts.LineStyle{Width: 3, Type: st.dash}
			seg.ItemStyle = nil
			seg.BarMaxWidth = ""
			c.MultiSeries = append(c.MultiSeries, seg)
		}
	}
	c.Legend.Data = legendNames(c.MultiSeries)
	addBreakLines(&c.RectChart, breakMarks(series, periods), len(periods))
	c.Validate()
	b, err := json.Marshal(c.JSON())
	if err != nil {
		return Chart{}, fmt.Errorf("chart: %w", err)
	}
	return Chart{Option: b, Tips: tips(series, periods)}, nil
}

// Stacked builds the option of parts of one whole stacked in one bar a
// year (the lengths of plans open at 31 March), each part a colour and
// named by its indicator; a year a part has no figure for is left out of
// that bar, never drawn as zero.
func Stacked(o Options, series ...indicators.Series) (Chart, error) {
	if len(series) == 0 {
		return Chart{}, fmt.Errorf("chart: no series to stack")
	}
	periods := span(series)
	c := charts.NewBar()
	c.SetXAxis(categories(periods))
	y := yAxis(series[0].Definition)
	c.SetGlobalOptions(globalOptions(o, "88", y)...)
	// The palette and a purple, each at least 3:1 against white.
	colours := append(append([]string(nil), palette...), "#6a3d9a")
	for i, s := range series {
		byPeriod := map[indicators.Period]indicators.Point{}
		for _, p := range s.Points {
			byPeriod[p.Period] = p
		}
		data := make([]item, len(periods))
		for j, per := range periods {
			data[j] = item{Value: "-"}
			if p, ok := byPeriod[per]; ok && p.Value != nil {
				data[j].Value = *p.Value
			}
		}
		c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{Name: s.Definition.ShortTitle, Type: "bar", Stack: "parts",
			Data: data, Color: colours[i%len(colours)], BarMaxWidth: "48",
			// A white edge between parts keeps neighbouring colours apart.
			ItemStyle: &opts.ItemStyle{Color: colours[i%len(colours)], BorderColor: "#ffffff", BorderWidth: 1}})
	}
	c.Legend.Data = legendNames(c.MultiSeries)
	addBreakLines(&c.RectChart, breakMarks(series, periods), len(periods))
	c.Validate()
	b, err := json.Marshal(c.JSON())
	if err != nil {
		return Chart{}, fmt.Errorf("chart: %w", err)
	}
	return Chart{Option: b, Tips: tips(series, periods)}, nil
}

// CompareWithFormer is a comparison (Compare) with a predecessor's figures
// as a line of their own, grey and dotted, never joined to the area's.
func CompareWithFormer(o Options, cmp Comparison, former indicators.Series) (Chart, error) {
	c, err := Compare(o, cmp)
	if err != nil {
		return c, err
	}
	var m map[string]any
	if err := json.Unmarshal(c.Option, &m); err != nil {
		return c, fmt.Errorf("chart: %w", err)
	}
	periods := span(cmp.Lines[:1])
	data := make([]any, len(periods))
	byPeriod := map[indicators.Period]indicators.Point{}
	for _, p := range former.Points {
		byPeriod[p.Period] = p
	}
	for i, per := range periods {
		data[i] = map[string]any{"value": "-"}
		if p, ok := byPeriod[per]; ok && p.Value != nil {
			data[i] = map[string]any{"value": *p.Value}
		}
	}
	name := former.Geography.Name
	series, _ := m["series"].([]any)
	m["series"] = append(series, map[string]any{"name": name, "type": "line", "data": data, "color": formerColour,
		"symbol": "emptyCircle", "symbolSize": 8, "connectNulls": false, "lineStyle": map[string]any{"width": 2, "type": "dotted"}})
	if legend, ok := m["legend"].(map[string]any); ok {
		names, _ := legend["data"].([]any)
		legend["data"] = append(names, name)
	}
	if c.Option, err = json.Marshal(m); err != nil {
		return c, fmt.Errorf("chart: %w", err)
	}
	return c, nil
}

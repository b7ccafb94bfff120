package chart

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// FunnelInput is what a funnel plot draws: every authority's figure
// against its denominator, the centre, and the limits along the range of
// denominators. Its colours say nothing of good or bad: limits and points
// are grey, the chosen area blue.
type FunnelInput struct {
	// XName and YName label the axes; Percent puts % on the y-axis labels.
	XName, YName string
	Percent      bool
	Centre       float64
	CentreName   string
	Points       []FunnelPoint
	Curve        []FunnelLimits
	// XMin and XMax bound the x-axis (see LogAxisBounds).
	XMin, XMax float64
	// Description is the chart's text alternative.
	Description string
}

// FunnelPoint is one authority; Tip is the lines its tooltip shows.
type FunnelPoint struct {
	Name      string
	X, Y      float64
	Highlight bool
	Tip       []string
}

// FunnelLimits are the limits at one denominator: 95% and 99.8%, low and
// high.
type FunnelLimits struct {
	X               float64
	Low95, High95   float64
	Low998, High998 float64
}

const (
	funnelPointColour = "#6f777b"
	funnelLimitColour = "#505a5f"
	funnelCentre      = "#0b0c0c"
)

// funnelItem is one authority's point, with its own style when chosen.
type funnelItem struct {
	Name       string          `json:"name"`
	Value      [2]float64      `json:"value"`
	SymbolSize int             `json:"symbolSize,omitempty"`
	ItemStyle  *opts.ItemStyle `json:"itemStyle,omitempty"`
	Label      *opts.Label     `json:"label,omitempty"`
}

// quietSeries is a line that takes no part in the tooltip, so that the
// tooltip's lines, which charts.js looks up by the point's index, are only
// ever the authorities'.
type quietSeries struct {
	charts.SingleSeries
	Silent  bool           `json:"silent"`
	Tooltip map[string]any `json:"tooltip"`
}

// LogAxisBounds widens lo and hi to the nearest 1, 2 or 5 times a power of
// ten, so that a logarithmic axis starts and ends on a round number.
func LogAxisBounds(lo, hi float64) (float64, float64) {
	if lo <= 0 || hi <= lo {
		return lo, hi
	}
	nice := []float64{1, 2, 5, 10}
	p := math.Pow(10, math.Floor(math.Log10(lo)))
	min := p
	for _, m := range nice {
		if m*p <= lo {
			min = m * p
		}
	}
	q := math.Pow(10, math.Floor(math.Log10(hi)))
	max := 10 * q
	for i := len(nice) - 1; i >= 0; i-- {
		if nice[i]*q >= hi {
			max = nice[i] * q
		}
	}
	return min, max
}

// Funnel builds the option of a funnel plot: a scatter of authorities on a
// logarithmic x-axis of denominators, the 99.8% limits solid, the 95%
// dashed, the centre dotted, and the chosen area (if any) larger and
// labelled.
func Funnel(in FunnelInput) (Chart, error) {
	if len(in.Points) == 0 || len(in.Curve) < 2 {
		return Chart{}, fmt.Errorf("chart: a funnel needs points and limits")
	}
	c := charts.NewScatter()
	y := opts.YAxis{Type: "value", Name: in.YName, NameLocation: "end", Scale: opts.Bool(true),
		AxisLabel: &opts.AxisLabel{Show: opts.Bool(true)}}
	if in.Percent {
		y.AxisLabel.Formatter = "{value}%"
	}
	c.SetGlobalOptions(
		charts.WithColorsOpts(opts.Colors([]string{funnelPointColour, funnelLimitColour, funnelLimitColour, funnelCentre, palette[0]})),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "5%", Right: "4%", Top: "40", Bottom: "70", ContainLabel: opts.Bool(true)}),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true), Label: &opts.AriaLabel{Enabled: opts.Bool(true), Description: in.Description}}),
		charts.WithXAxisOpts(opts.XAxis{Type: "log", Name: in.XName, NameLocation: "middle", NameGap: 28,
			Min: in.XMin, Max: in.XMax, AxisLabel: &opts.AxisLabel{Show: opts.Bool(true), HideOverlap: opts.Bool(true)},
			SplitLine: &opts.SplitLine{Show: opts.Bool(false)}}),
		charts.WithYAxisOpts(y),
	)
	points := make([]funnelItem, len(in.Points))
	tips := make([][]string, len(in.Points))
	var chosen *FunnelPoint
	for i, p := range in.Points {
		points[i] = funnelItem{Name: p.Name, Value: [2]float64{p.X, p.Y}}
		if p.Highlight {
			pp := p
			chosen = &pp
			points[i].SymbolSize = 16
			points[i].ItemStyle = &opts.ItemStyle{Color: palette[0], BorderColor: funnelCentre, BorderWidth: 2, Opacity: opts.Float(1)}
			points[i].Label = &opts.Label{Show: opts.Bool(true), Position: "right", Formatter: "{b}", Color: funnelCentre, FontWeight: "bold"}
		}
		tips[i] = p.Tip
	}
	scatterName := "Local authorities"
	c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{Name: scatterName, Type: "scatter", Data: points, SymbolSize: 8,
		ItemStyle: &opts.ItemStyle{Color: funnelPointColour, Opacity: opts.Float(0.75)}})
	c.Validate()

	line := func(name string, pick func(FunnelLimits) float64, style *opts.LineStyle) quietSeries {
		data := make([][2]float64, len(in.Curve))
		for i, l := range in.Curve {
			data[i] = [2]float64{l.X, pick(l)}
		}
		return quietSeries{SingleSeries: charts.SingleSeries{Name: name, Type: "line", Data: data, ShowSymbol: opts.Bool(false),
			Symbol: "none", LineStyle: style, Color: style.Color}, Silent: true, Tooltip: map[string]any{"show": false}}
	}
	solid := &opts.LineStyle{Color: funnelLimitColour, Width: 2}
	dashed := &opts.LineStyle{Color: funnelLimitColour, Width: 1.5, Type: "dashed"}
	dotted := &opts.LineStyle{Color: funnelCentre, Width: 1.5, Type: "dotted"}
	series := []any{c.MultiSeries[0],
		line("99.8% limits", func(l FunnelLimits) float64 { return l.High998 }, solid),
		line("99.8% limits", func(l FunnelLimits) float64 { return l.Low998 }, solid),
		line("95% limits", func(l FunnelLimits) float64 { return l.High95 }, dashed),
		line("95% limits", func(l FunnelLimits) float64 { return l.Low95 }, dashed),
		line(in.CentreName, func(FunnelLimits) float64 { return in.Centre }, dotted),
	}
	legend := []string{scatterName, "99.8% limits", "95% limits", in.CentreName}
	if chosen != nil {
		// The chosen area again, alone, so the legend names it.
		series = append(series, quietSeries{SingleSeries: charts.SingleSeries{Name: chosen.Name, Type: "scatter", SymbolSize: 16,
			Data:      []funnelItem{{Name: chosen.Name, Value: [2]float64{chosen.X, chosen.Y}}},
			ItemStyle: &opts.ItemStyle{Color: palette[0], BorderColor: funnelCentre, BorderWidth: 2}}, Silent: true, Tooltip: map[string]any{"show": false}})
		legend = append(legend, chosen.Name)
	}
	c.Legend.Data = legend
	option := c.JSON()
	option["series"] = series
	b, err := json.Marshal(option) // escapes <, > and & as \u003c etc.
	if err != nil {
		return Chart{}, fmt.Errorf("chart: funnel: %w", err)
	}
	return Chart{Option: b, Tips: tips}, nil
}

// FunnelYear is one year of an area's place against the funnel limits.
type FunnelYear struct {
	Period          string
	Value           float64
	Centre          float64
	Low95, High95   float64
	Low998, High998 float64
	Tip             []string
}

// FunnelHistoryInput is an area's place against the limits, year by year.
type FunnelHistoryInput struct {
	Area, YName string
	Percent     bool
	Years       []FunnelYear
	Description string
}

// FunnelHistory builds the option of the "over time" strip: the area's
// figure each year (blue points) against that year's limits for its size
// (grey, 99.8% solid, 95% dashed) and England (dotted), so that a figure
// persistently outside the limits can be told from one year outside them.
func FunnelHistory(in FunnelHistoryInput) (Chart, error) {
	if len(in.Years) == 0 {
		return Chart{}, fmt.Errorf("chart: no years to draw")
	}
	c := charts.NewLine()
	years := make([]string, len(in.Years))
	tips := make([][]string, len(in.Years))
	values := make([]float64, len(in.Years))
	for i, y := range in.Years {
		years[i], tips[i], values[i] = y.Period, y.Tip, y.Value
	}
	c.SetXAxis(years)
	y := opts.YAxis{Type: "value", Name: in.YName, NameLocation: "end", Scale: opts.Bool(true), AxisLabel: &opts.AxisLabel{Show: opts.Bool(true)}}
	if in.Percent {
		y.AxisLabel.Formatter = "{value}%"
	}
	c.SetGlobalOptions(
		charts.WithColorsOpts(opts.Colors([]string{palette[0], funnelLimitColour, funnelLimitColour, funnelCentre})),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "5%", Right: "2%", Top: "40", Bottom: "48", ContainLabel: opts.Bool(true)}),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true), Label: &opts.AriaLabel{Enabled: opts.Bool(true), Description: in.Description}}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Show: opts.Bool(true), HideOverlap: opts.Bool(true)}}),
		charts.WithYAxisOpts(y),
	)
	c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{Name: in.Area, Type: "scatter", Data: values, SymbolSize: 12,
		ItemStyle: &opts.ItemStyle{Color: palette[0], BorderColor: funnelCentre, BorderWidth: 1}})
	c.Validate()
	line := func(name string, pick func(FunnelYear) float64, style *opts.LineStyle) quietSeries {
		data := make([]float64, len(in.Years))
		for i, y := range in.Years {
			data[i] = pick(y)
		}
		return quietSeries{SingleSeries: charts.SingleSeries{Name: name, Type: "line", Data: data, ShowSymbol: opts.Bool(false),
			Symbol: "none", LineStyle: style, Color: style.Color}, Silent: true, Tooltip: map[string]any{"show": false}}
	}
	solid := &opts.LineStyle{Color: funnelLimitColour, Width: 2}
	dashed := &opts.LineStyle{Color: funnelLimitColour, Width: 1.5, Type: "dashed"}
	dotted := &opts.LineStyle{Color: funnelCentre, Width: 1.5, Type: "dotted"}
	series := []any{c.MultiSeries[0],
		line("99.8% limits", func(y FunnelYear) float64 { return y.High998 }, solid),
		line("99.8% limits", func(y FunnelYear) float64 { return y.Low998 }, solid),
		line("95% limits", func(y FunnelYear) float64 { return y.High95 }, dashed),
		line("95% limits", func(y FunnelYear) float64 { return y.Low95 }, dashed),
		line("England", func(y FunnelYear) float64 { return y.Centre }, dotted),
	}
	c.Legend.Data = []string{in.Area, "99.8% limits", "95% limits", "England"}
	option := c.JSON()
	option["series"] = series
	b, err := json.Marshal(option)
	if err != nil {
		return Chart{}, fmt.Errorf("chart: funnel history: %w", err)
	}
	return Chart{Option: b, Tips: tips}, nil
}

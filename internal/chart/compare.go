package chart

import (
	"encoding/json"
	"fmt"

	"cptrends/indicators"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Comparison is an area beside the areas it is compared with, in one unit
// (a percentage or a rate per 10,000 children), and the spread of its
// statistical neighbours.
type Comparison struct {
	Definition *indicators.Definition
	// Lines are drawn in order; the first is the area itself. Each line's
	// Series.Geography.Name names it.
	Lines []indicators.Series
	// Spread is the neighbours' lowest and highest value each year.
	Spread []indicators.NeighbourStat
	// SpreadName labels the band in the legend.
	SpreadName string
	// Tips are the tooltip lines of each year, in the order of the periods.
	Tips [][]string
}

// lineStyles tell the lines apart by more than colour: a marker shape and
// a dash pattern each.
var lineStyles = []struct{ symbol, dash string }{
	{"circle", "solid"}, {"rect", "dashed"}, {"triangle", "dotted"}, {"diamond", "solid"},
}

// spreadColour fills the neighbours' band: pale, so that lines over it
// keep their contrast.
const spreadColour = "rgba(204,121,167,0.22)"

// Compare builds the option of a comparison chart: one line per area, with
// gaps where an area has no figure (never a zero), the neighbours' spread
// as a shaded band, and breaks in the first line's series marked.
func Compare(o Options, cmp Comparison) (Chart, error) {
	if len(cmp.Lines) == 0 {
		return Chart{}, fmt.Errorf("chart: a comparison needs at least one line")
	}
	periods := span(cmp.Lines[:1])
	c := charts.NewLine()
	c.SetXAxis(categories(periods))
	c.SetGlobalOptions(globalOptions(o, "64", yAxis(cmp.Definition))...)
	if len(cmp.Spread) > 0 {
		lo := make([]item, len(periods))
		width := make([]item, len(periods))
		byPeriod := map[indicators.Period]indicators.NeighbourStat{}
		for _, st := range cmp.Spread {
			byPeriod[st.Period] = st
		}
		for i, per := range periods {
			lo[i], width[i] = item{Value: "-"}, item{Value: "-"}
			if st, ok := byPeriod[per]; ok && st.Min != nil {
				lo[i].Value, width[i].Value = *st.Min, *st.Max-*st.Min
			}
		}
		// A band is two stacked series: an invisible one up to the lowest
		// value, and a filled one as high as the spread.
		c.MultiSeries = append(c.MultiSeries,
			charts.SingleSeries{Name: cmp.SpreadName, Type: "line", Data: lo, Stack: "spread", Symbol: "none",
				LineStyle: &opts.LineStyle{Opacity: opts.Float(0)}, Color: spreadColour},
			charts.SingleSeries{Name: cmp.SpreadName, Type: "line", Data: width, Stack: "spread", Symbol: "none",
				LineStyle: &opts.LineStyle{Opacity: opts.Float(0)}, AreaStyle: &opts.AreaStyle{Color: spreadColour, Opacity: opts.Float(1)},
				Color: spreadColour})
	}
	for i, s := range cmp.Lines {
		st := lineStyles[i%len(lineStyles)]
		data := make([]item, len(periods))
		byPeriod := map[indicators.Period]indicators.Point{}
		for _, p := range s.Points {
			byPeriod[p.Period] = p
		}
		for j, per := range periods {
			data[j] = item{Value: "-"}
			if p, ok := byPeriod[per]; ok && p.Value != nil {
				data[j].Value = *p.Value
				data[j].v = *p.Value
				// The area's own line carries its changes.
				if i == 0 && p.Change != nil {
					text, rank := labelText(cmp.Definition, p)
					data[j].Label = &opts.Label{Show: opts.Bool(true), Formatter: text, Position: "top", FontSize: 11, Color: "#0b0c0c"}
					data[j].rank = rank
				}
			}
		}
		if i == 0 {
			keepLabels(data, s.Points, periods)
		}
		width := 2
		if i == 0 {
			width = 4
		}
		c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{Name: s.Geography.Name, Type: "line", Data: data,
			Color: palette[i%len(palette)], Symbol: st.symbol, SymbolSize: 8, ConnectNulls: opts.Bool(false),
			LineStyle: &opts.LineStyle{Width: float32(width), Type: st.dash}})
	}
	c.Legend.Data = legendNames(c.MultiSeries)
	addBreakLines(&c.RectChart, breakMarks(cmp.Lines[:1], periods), len(periods))
	c.Validate()
	b, err := json.Marshal(c.JSON())
	if err != nil {
		return Chart{}, fmt.Errorf("chart: %w", err)
	}
	b, err = layOut(b, c.MultiSeries, cmp.Lines[:1], periods, legendNames(c.MultiSeries))
	if err != nil {
		return Chart{}, err
	}
	return Chart{Option: b, Tips: cmp.Tips}, nil
}

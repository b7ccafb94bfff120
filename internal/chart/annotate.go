package chart

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"

	"cptrends/indicators"
)

// A chart is drawn at two sizes from one option: wide (containers of 560
// px and more, the exports and the pack) and narrow (phones). The option
// holds the wide layout; an ECharts media query (narrowQuery) swaps in the
// narrow one, so the server's narrow drawing, the live chart on a phone and
// every copy of the option agree. Which change labels and which years on
// the x axis are shown is chosen here, for each size, so that labels never
// overlap: every year where there is room, otherwise always the latest
// year, the largest rise and fall and the years either side of a break.

// geometry is the plot area a size leaves, in pixels, and the label sizes
// drawn on it.
type geometry struct {
	width, plotHeight float64
	narrow            bool
}

var (
	wideGeometry   = geometry{width: 900, plotHeight: 190}
	narrowGeometry = geometry{width: 340, plotHeight: 150, narrow: true}
)

// narrowQuery is the largest chart width drawn with the narrow layout.
const narrowQuery = 600

const (
	labelFont  = 11.0 // change labels, px
	charWidth  = 6.6  // of a digit, sign or % at labelFont, generously
	labelGap   = 4.0  // between two labels, px
	labelLine  = 15.0 // a label's height with its margin
	axisLabelW = 50.0 // "2014/15" at 12 px, with its margin
	axisRotW   = 20.0 // the same rotated 45 degrees
	yAxisW     = 56.0 // one value axis' labels
)

// plotWidth is the width of the plot at a size with axes value axes.
func (g geometry) plotWidth(axes int) float64 {
	return g.width*0.96 - yAxisW*float64(axes)
}

// spot is a change label that could be shown.
type spot struct {
	series int     // index in the option's series
	index  int     // category (year) index
	text   string  // the label
	y      float64 // height above the axis, px (estimated)
	rank   float64 // the change ranked for largest rise and fall
	keep   bool    // the latest year or either side of a break
}

// labelText is the change label for a point, with its rank: the relative
// change for a count, percentage points for a percentage.
func labelText(d *indicators.Definition, p indicators.Point) (string, float64) {
	if d.IsPercent() || p.ChangePct == nil {
		return d.FormatChange(*p.Change), *p.Change
	}
	return indicators.FormatChangePct(*p.ChangePct), *p.ChangePct
}

// chooseLabels picks, from spots, those a size can show without two
// overlapping: the kept ones and the largest rise and fall first, then
// every other year from the latest back. Two labels overlap when they are
// closer than their widths across and than a line of text up and down.
func chooseLabels(spots []spot, years int, axes int, g geometry) map[[2]int]bool {
	cat := g.plotWidth(axes) / float64(max(years, 1))
	order := make([]int, 0, len(spots))
	var rise, fall = -1, -1
	for i, s := range spots {
		if rise < 0 || s.rank > spots[rise].rank {
			rise = i
		}
		if fall < 0 || s.rank < spots[fall].rank {
			fall = i
		}
	}
	// Kept labels, latest first; then the largest rise and fall; then the
	// rest from the latest year back.
	byLatest := make([]int, len(spots))
	for i := range spots {
		byLatest[i] = i
	}
	sort.SliceStable(byLatest, func(a, b int) bool { return spots[byLatest[a]].index > spots[byLatest[b]].index })
	for _, i := range byLatest {
		if spots[i].keep {
			order = append(order, i)
		}
	}
	for _, i := range []int{rise, fall} {
		if i >= 0 && spots[i].rank > 0 == (i == rise) && !slices.Contains(order, i) {
			order = append(order, i)
		}
	}
	for _, i := range byLatest {
		if !slices.Contains(order, i) {
			order = append(order, i)
		}
	}
	var chosen []int
	out := map[[2]int]bool{}
	for _, i := range order {
		a := spots[i]
		ok := true
		for _, j := range chosen {
			b := spots[j]
			across := math.Abs(float64(a.index-b.index)) * cat
			need := (labelWidth(a.text)+labelWidth(b.text))/2 + labelGap
			if across < need && math.Abs(a.y-b.y) < labelLine {
				ok = false
				break
			}
		}
		if ok {
			chosen = append(chosen, i)
			out[[2]int{a.series, a.index}] = true
		}
	}
	return out
}

func labelWidth(text string) float64 {
	return float64(len([]rune(text))) * charWidth
}

// axisLabels chooses how the x axis labels its years at a size: every
// year, flat, where they fit; rotated where they fit so; otherwise every
// step-th year, always with the first, the last and the latest year with a
// figure (latest), and none too close to another.
func axisLabels(years, latest, axes int, g geometry) map[string]any {
	cat := g.plotWidth(axes) / float64(max(years, 1))
	label := map[string]any{"show": true, "interval": 0, "hideOverlap": false}
	if !g.narrow && cat >= axisLabelW {
		return label
	}
	label["rotate"] = 45
	if cat >= axisRotW {
		return label
	}
	step := int(math.Ceil(axisRotW / cat))
	var idx []int
	fixed := []int{0, years - 1}
	if latest >= 0 && latest != years-1 {
		fixed = append(fixed, latest)
	}
	near := func(i int) bool {
		for _, f := range fixed {
			if i != f && abs(i-f) < step {
				return true
			}
		}
		return false
	}
	for i := 0; i < years; i++ {
		if slices.Contains(fixed, i) || (i%step == 0 && !near(i)) {
			idx = append(idx, i)
		}
	}
	label["customValues"] = idx
	return label
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// plotScale estimates where on a value axis from 0 (or min) to max a value
// sits, in pixels above the axis.
type plotScale struct{ min, max float64 }

func scaleFor(values []float64, min *float64) plotScale {
	s := plotScale{}
	for _, v := range values {
		s.max = math.Max(s.max, v)
		s.min = math.Min(s.min, v)
	}
	if min != nil {
		s.min = *min
	}
	s.max = niceCeil(s.max)
	return s
}

func (s plotScale) y(v float64, h float64) float64 {
	if s.max <= s.min {
		return 0
	}
	return (v - s.min) / (s.max - s.min) * h
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten, as an axis does.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// legendLayout is the narrow legend: one name a row, wrapped to the
// chart's width, with the grid's bottom left for it.
func legendLayout(names []string, g geometry) (legend map[string]any, bottom int) {
	width := g.width - 40
	rows := 0
	for _, n := range names {
		w := float64(len([]rune(n)))*6.8 + 30
		rows += int(math.Ceil(w / width))
	}
	legend = map[string]any{
		"orient": "vertical", "left": 0, "bottom": 0, "itemGap": 6,
		"textStyle": map[string]any{"width": int(width - 30), "overflow": "break", "lineHeight": 15},
	}
	return legend, rows*18 + 14
}

// withMedia writes the option with its layout for narrow charts added.
func withMedia(option []byte, wide map[string]any, narrow map[string]any) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(option))
	dec.UseNumber()
	var o map[string]any
	if err := dec.Decode(&o); err != nil {
		return nil, fmt.Errorf("chart: option: %w", err)
	}
	merge(o, wide)
	o["media"] = []any{map[string]any{"query": map[string]any{"maxWidth": narrowQuery}, "option": narrow}}
	return json.Marshal(o)
}

// merge writes src over dst: objects key by key, a list of objects item by
// item, anything else replaced.
func merge(dst, src map[string]any) {
	for k, v := range src {
		switch sv := v.(type) {
		case map[string]any:
			if dv, ok := dst[k].(map[string]any); ok {
				merge(dv, sv)
				continue
			}
		case []any:
			if dv, ok := dst[k].([]any); ok && len(dv) >= len(sv) {
				all := true
				for i := range sv {
					s, ok1 := sv[i].(map[string]any)
					d, ok2 := dv[i].(map[string]any)
					if !ok1 || !ok2 {
						all = false
						break
					}
					merge(d, s)
				}
				if all {
					continue
				}
			}
		}
		dst[k] = v
	}
}

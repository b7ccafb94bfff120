package figures

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"cptrends/indicators"
)

// The stages of the child protection pathway, in order: each a count of
// events in the year, but the last, a count of children on 31 March.
var pathwayStages = []string{"referrals", "s47_enquiries", "icpcs", "cpp_started", "cpp_at_31_march"}

// pathwayConversions are the consecutive stages a conversion is worked
// out between: the later stage per 100 of the earlier. Children on a plan
// at 31 March are a stock, not a flow that follows plans starting, so no
// conversion reaches them.
var pathwayConversions = [][2]string{
	{"referrals", "s47_enquiries"},
	{"s47_enquiries", "icpcs"},
	{"icpcs", "cpp_started"},
}

// Series the plans' stock and flow, and the lengths of open plans, are
// drawn from.
var (
	planFlowIDs = []string{"cpp_started", "cpp_ended_2yrs_plus", "cpp_at_31_march"}
	planBandIDs = []string{
		"cpp_at_31_march_3_months_or_less", "cpp_at_31_march_3_to_6_months", "cpp_at_31_march_6_months_to_1_year",
		"cpp_at_31_march_1_to_2_years", "cpp_at_31_march_2yrs_plus",
	}
)

const populationID = "population_0_17"

// Caveats the pathway page states where they apply.
const (
	CaveatEvents = "Conversions compare counts of events in the same year, not the route of individual children: " +
		"a child can be referred, or have an enquiry, more than once in a year, and an enquiry in one year can lead to a conference in the next."
	CaveatTiming = "A conference can follow an enquiry that started in the year before, and a child who moves into the area " +
		"can have a conference with no enquiry there, so conferences can outnumber enquiries and a conversion can exceed 100 per 100."
	// CaveatPlansOver100 and CaveatEnquiriesOver100 say why the other two
	// conversions can exceed 100 too.
	CaveatPlansOver100 = "A child who moves into the area on a plan has a transfer-in conference, not an initial one, " +
		"and a conference late in one year can lead to a plan in the next, so plans starting can outnumber initial conferences."
	CaveatEnquiriesOver100 = "An enquiry can start for a child already known to children's social care, with no new referral in the year, " +
		"so enquiries can outnumber referrals."
	CaveatUnits = "Plans starting count plans; children on a plan at 31 March count children, on one day. " +
		"The two are different units, so no conversion is worked out between them."
	CaveatEnded = "Plans ending are held only as plans that ended after lasting two years or more: the total number of plans ending " +
		"in the year is not held in this dashboard, so the stock at 31 March cannot be reconciled with starts and ends."
)

// Pathway is an area's child protection pathway in one year: each stage
// as a count and a rate per 10,000 children aged 0 to 17, beside England,
// the area's region and its statistical neighbours, and the conversion
// between consecutive stages with its change on the year. The JSON is the
// /api/pathway answer promised in CONTRACT.md; conversions are unrounded.
type Pathway struct {
	Geography   indicators.Geography `json:"geography"`
	Period      indicators.Period    `json:"period"`
	Periods     []indicators.Period  `json:"periods"`
	Stages      []PathwayStage       `json:"stages"`
	Conversions []Conversion         `json:"conversions"`
	Caveats     []string             `json:"caveats"`
	// Notes are the notes on the year's figures, each once.
	Notes   []string `json:"notes"`
	Summary string   `json:"summary"`
	// NeighbourSet names the neighbours compared with, "" where none.
	NeighbourSet string `json:"neighbour_set,omitempty"`

	// What the page draws besides; not in the JSON.
	Context AreaContext `json:"-"`
	// Chart is the pathway for the year; ConversionFigures one chart of
	// each conversion over time; Plans the plans' stock and flow; Bands
	// the lengths of plans open at 31 March.
	Chart             Figure   `json:"-"`
	ConversionFigures []Figure `json:"-"`
	Plans             Figure   `json:"-"`
	Bands             Figure   `json:"-"`
	// PlansNote says which plans ending are held.
	PlansNote string `json:"-"`
	// Symbols are the symbols the year's stages and conversions show, for
	// the key under the tables.
	Symbols []indicators.Symbol `json:"-"`
}

// PathwayStage is one stage of the pathway in the year.
type PathwayStage struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Counts is what the stage counts: "events" in the year, or
	// "children" at 31 March.
	Counts string            `json:"counts"`
	Value  *float64          `json:"value"`
	Symbol indicators.Symbol `json:"symbol"`
	// Rate is per 10,000 children aged 0 to 17, unrounded, on the ONS
	// estimates held for every year; RateSymbol when it has none.
	Rate       *float64          `json:"rate"`
	RateSymbol indicators.Symbol `json:"rate_symbol,omitempty"`
	// GeographyCode is the area the figure was published for, when it is
	// a predecessor's.
	GeographyCode string                 `json:"geography_code,omitempty"`
	Compare       PathwayCompare         `json:"compare"`
	Notes         []string               `json:"notes"`
	Def           *indicators.Definition `json:"-"`
}

// Conversion is the later of two consecutive stages per 100 of the
// earlier, in the year: a ratio of two counts of events, unrounded.
type Conversion struct {
	From        string   `json:"from"`
	To          string   `json:"to"`
	Title       string   `json:"title"`
	Numerator   *float64 `json:"numerator"`
	Denominator *float64 `json:"denominator"`
	PerHundred  *float64 `json:"per_100"`
	// Symbol is the symbol of an input that had none, and NoValue says
	// why there is no conversion.
	Symbol  indicators.Symbol `json:"symbol,omitempty"`
	NoValue string            `json:"no_value,omitempty"`
	// Change is the change on the year in points (per 100); NoChange says
	// why there is none: a break, a symbol, a missing year.
	Change   *float64       `json:"change"`
	NoChange string         `json:"no_change,omitempty"`
	Over100  bool           `json:"over_100"`
	Caveat   string         `json:"caveat,omitempty"`
	Compare  PathwayCompare `json:"compare"`
	// Series is the conversion over time, for its chart.
	Series indicators.Series `json:"-"`
}

// PathwayCompare is a figure of the pathway for England, the region and
// the neighbours in the same year.
type PathwayCompare struct {
	England    *float64         `json:"england"`
	Region     *AreaFigure      `json:"region,omitempty"`
	Neighbours *NeighbourFigure `json:"neighbours,omitempty"`
}

// AreaFigure is one comparator's figure.
type AreaFigure struct {
	Code   string            `json:"code"`
	Name   string            `json:"name"`
	Value  *float64          `json:"value"`
	Symbol indicators.Symbol `json:"symbol,omitempty"`
}

// NeighbourFigure is the neighbours' average and range in a year, of those
// with a figure, and who had none.
type NeighbourFigure struct {
	Mean    *float64             `json:"mean"`
	Min     *float64             `json:"min"`
	Max     *float64             `json:"max"`
	Used    int                  `json:"used"`
	Of      int                  `json:"of"`
	Missing []indicators.Missing `json:"missing"`
}

// pathwayRead is what one read of the store gives the pathway: the
// area, its comparators, and the series of each.
type pathwayRead struct {
	r    *Reader
	l    loaded
	geo  indicators.Geography
	ac   AreaContext
	defs map[string]*indicators.Definition
}

// Pathway builds an area's pathway for a year (zero: the latest year with
// figures for the area), in one read of the store.
func (r *Reader) Pathway(ctx context.Context, geo indicators.Geography, period indicators.Period) (Pathway, error) {
	return r.pathway(ctx, geo, period, true)
}

// pathway builds the pathway, with its charts or (for the overview's
// panel) without.
func (r *Reader) pathway(ctx context.Context, geo indicators.Geography, period indicators.Period, charts bool) (Pathway, error) {
	ac, err := r.Context(ctx, geo)
	if err != nil {
		return Pathway{}, err
	}
	pr := pathwayRead{r: r, geo: geo, ac: ac, defs: map[string]*indicators.Definition{}}
	var defs []*indicators.Definition
	for _, id := range slices.Concat(pathwayStages, planFlowIDs, planBandIDs, []string{populationID}) {
		d, ok := r.Catalog.Lookup(id)
		if !ok {
			return Pathway{}, fmt.Errorf("figures: pathway: no indicator %q", id)
		}
		if pr.defs[id] == nil {
			pr.defs[id] = d
			defs = append(defs, d)
		}
	}
	geos := append([]indicators.Geography{geo, indicators.England}, ac.Neighbours...)
	if ac.Region != nil {
		geos = append(geos, *ac.Region)
	}
	if pr.l, err = r.load(ctx, defs, geos); err != nil {
		return Pathway{}, err
	}
	return pr.build(period, charts)
}

func (pr pathwayRead) count(id string, geo indicators.Geography) indicators.Series {
	return pr.r.series(pr.l, pr.defs[id], geo)
}

// rate is a stage's rate per 10,000 children for an area, on one base for
// every year (the comparison's rates); a stage with no rate of its own is
// divided by the population as a count with a rate would be.
func (pr pathwayRead) rate(id string, geo indicators.Geography) indicators.Series {
	def := pr.defs[id]
	if def.Rate == nil {
		d := *def
		d.Rate = &indicators.RateSource{Population: populationID}
		def = &d
	}
	_, s := pr.r.comparableSeries(pr.l, def, geo)
	return s
}

// comparators are England, the region, and the neighbours, for an area
// other than England.
func (pr pathwayRead) comparators() (region *indicators.Geography, neighbours []indicators.Geography) {
	if pr.geo.Code == indicators.EnglandCode {
		return nil, nil
	}
	return pr.ac.Region, pr.ac.Neighbours
}

// periods are the pathway's years: from the first in which every stage
// has a published figure or symbol, to the last in which any has a figure.
func (pr pathwayRead) periods() []indicators.Period {
	var first, last indicators.Period
	all := true
	for _, id := range pathwayStages {
		s := pr.count(id, pr.geo)
		var f indicators.Period
		for _, p := range s.Points {
			if p.Value != nil || p.Symbol != "" {
				if f == 0 {
					f = p.Period
				}
			}
			if p.Value != nil {
				last = max(last, p.Period)
			}
		}
		if f == 0 {
			all = false
		}
		first = max(first, f)
	}
	if !all || first == 0 || last < first {
		return nil
	}
	var out []indicators.Period
	for p := first; p <= last; p++ {
		out = append(out, p)
	}
	return out
}

func (pr pathwayRead) build(period indicators.Period, charts bool) (Pathway, error) {
	pw := Pathway{Geography: pr.geo, Context: pr.ac, NeighbourSet: pr.ac.NeighbourSet(), Caveats: []string{}}
	if pr.geo.Code == indicators.EnglandCode {
		pw.NeighbourSet = ""
	}
	pw.Periods = pr.periods()
	if len(pw.Periods) == 0 {
		if !period.IsZero() {
			return pw, indicators.Errorf(indicators.ENOTFOUND, "cptrends holds no pathway figures for %s.", pr.geo.Name)
		}
		pw.Stages, pw.Conversions = []PathwayStage{}, []Conversion{}
		pw.Summary = indicators.NoFigures(pr.geo)
		return pw, nil
	}
	pw.Period = pw.Periods[len(pw.Periods)-1]
	if !period.IsZero() {
		if !slices.Contains(pw.Periods, period) {
			return pw, indicators.Errorf(indicators.EINVALID, "cptrends holds pathway figures for %s from %s to %s; %s is not among them.",
				pr.geo.Name, pw.Periods[0], pw.Periods[len(pw.Periods)-1], period)
		}
		pw.Period = period
	}
	region, neighbours := pr.comparators()
	for _, id := range pathwayStages {
		pw.Stages = append(pw.Stages, pr.stage(id, pw.Period, region, neighbours))
	}
	for _, c := range pathwayConversions {
		pw.Conversions = append(pw.Conversions, pr.conversion(c[0], c[1], pw.Period, region, neighbours))
	}
	pw.Caveats = append(pw.Caveats, CaveatEvents, CaveatTiming, CaveatUnits)
	for _, cv := range pw.Conversions {
		if cv.Caveat != "" {
			pw.Caveats = append(pw.Caveats, cv.Caveat)
		}
		if years := over100(cv.Series); len(years) > 0 {
			c := fmt.Sprintf("%s were over 100 in %s in %s: shown as they are, not capped at 100.",
				capitalise(cv.Series.Definition.Noun), pr.geo.Name, strings.Join(years, ", "))
			if why := over100Why(cv.From, cv.To); why != CaveatTiming {
				c += " " + why
			}
			pw.Caveats = append(pw.Caveats, c)
		}
	}
	pw.PlansNote = CaveatEnded
	pw.Notes = []string{}
	for _, st := range pw.Stages {
		for _, n := range st.Notes {
			if !slices.Contains(pw.Notes, n) {
				pw.Notes = append(pw.Notes, n)
			}
		}
	}
	used := map[indicators.Symbol]bool{}
	for _, st := range pw.Stages {
		used[st.Symbol], used[st.RateSymbol] = true, true
	}
	for _, cv := range pw.Conversions {
		used[cv.Symbol] = true
	}
	for _, sym := range indicators.Symbols() {
		if used[sym] {
			pw.Symbols = append(pw.Symbols, sym)
		}
	}
	pw.Summary = pr.summary(pw)
	if !charts {
		return pw, nil
	}
	var err error
	if pw.Chart, err = pr.chart(pw); err != nil {
		return pw, err
	}
	for _, cv := range pw.Conversions {
		f, err := pr.conversionFigure(cv, region, neighbours)
		if err != nil {
			return pw, err
		}
		pw.ConversionFigures = append(pw.ConversionFigures, f)
	}
	if pw.Plans, err = pr.plansFigure(); err != nil {
		return pw, err
	}
	if pw.Bands, err = pr.bandsFigure(); err != nil {
		return pw, err
	}
	return pw, nil
}

// over100 lists the years a conversion was over 100 per 100.
func over100(s indicators.Series) []string {
	var out []string
	for _, p := range s.Points {
		if p.Value != nil && *p.Value > 100 {
			out = append(out, p.Period.String())
		}
	}
	return out
}

// stage is one stage in the year for the area, with its comparators.
func (pr pathwayRead) stage(id string, per indicators.Period, region *indicators.Geography, neighbours []indicators.Geography) PathwayStage {
	def := pr.defs[id]
	st := PathwayStage{ID: id, Title: def.ShortTitle, Counts: "events", Def: def, Notes: []string{}}
	if def.Stock {
		st.Counts = "children"
	}
	count := pr.count(id, pr.geo)
	if p, ok := pointsAt(count, per); ok {
		st.Value, st.Symbol, st.GeographyCode = p.Value, p.Symbol, p.GeographyCode
		st.Notes = append(st.Notes, p.Notes...)
	}
	rate := pr.rate(id, pr.geo)
	if p, ok := pointsAt(rate, per); ok {
		st.Rate = p.Value
		if p.Value == nil {
			st.RateSymbol = p.Symbol
		}
	}
	st.Compare = pr.compareAt(func(g indicators.Geography) indicators.Series { return pr.rate(id, g) }, rate, per, region, neighbours)
	return st
}

// compareAt is England's, the region's and the neighbours' figures in a
// year, each from series(area).
func (pr pathwayRead) compareAt(series func(indicators.Geography) indicators.Series, own indicators.Series, per indicators.Period,
	region *indicators.Geography, neighbours []indicators.Geography) PathwayCompare {
	var c PathwayCompare
	if pr.geo.Code != indicators.EnglandCode {
		if p, ok := pointsAt(series(indicators.England), per); ok {
			c.England = p.Value
		}
	}
	if region != nil {
		af := &AreaFigure{Code: region.Code, Name: region.Name}
		if p, ok := pointsAt(series(*region), per); ok {
			af.Value, af.Symbol = p.Value, p.Symbol
		}
		c.Region = af
	}
	if len(neighbours) > 0 {
		var ns []indicators.Series
		for _, n := range neighbours {
			ns = append(ns, series(n))
		}
		st := indicators.NeighbourStats([]indicators.Period{per}, own, ns)[0]
		c.Neighbours = &NeighbourFigure{Mean: st.Mean, Min: st.Min, Max: st.Max, Used: st.Used, Of: st.Of, Missing: st.Missing}
		if c.Neighbours.Missing == nil {
			c.Neighbours.Missing = []indicators.Missing{}
		}
	}
	return c
}

// conversionDef is the definition a conversion is shown under: the later
// stage per 100 of the earlier, with the breaks of both counts.
func conversionDef(from, to *indicators.Definition) *indicators.Definition {
	d := &indicators.Definition{
		ID:         from.ID + "_to_" + to.ID,
		Title:      capitalise(to.Noun) + " per 100 " + from.Noun,
		ShortTitle: to.ShortTitle + " per 100 " + strings.ToLower(from.ShortTitle),
		Noun:       to.Noun + " per 100 " + from.Noun,
		Unit:       indicators.UnitPercent,
		Decimals:   1,
		Definition: fmt.Sprintf("The number of %s in the year for every 100 %s in the same year. Both are counts of events, not children.", to.Noun, from.Noun),
		Source:     from.Source,
		Breaks:     append([]indicators.Break(nil), from.Breaks...),
		Chart:      indicators.Chart{Type: "line"},
	}
	for _, b := range to.Breaks {
		if _, dup := d.BreakBefore(b.Period); !dup {
			d.Breaks = append(d.Breaks, b)
		}
	}
	slices.SortFunc(d.Breaks, func(a, b indicators.Break) int { return int(a.Period) - int(b.Period) })
	return d
}

// conversionSeries is a conversion over time for an area: each year the
// later count per 100 of the earlier, unrounded. A year where either
// count is a symbol has that symbol, and one where either is missing has
// no figure; a zero earlier count gives z. Changes on the year are not
// worked out across a break of either count, a symbol or a gap.
func (pr pathwayRead) conversionSeries(from, to string, geo indicators.Geography) indicators.Series {
	den, num := pr.count(from, geo), pr.count(to, geo)
	def := conversionDef(den.Definition, num.Definition)
	dens := map[indicators.Period]indicators.Point{}
	for _, p := range den.Points {
		dens[p.Period] = p
	}
	var obs []indicators.Observation
	for _, n := range num.Points {
		d, ok := dens[n.Period]
		if !ok || (n.Value == nil && n.Symbol == "") || (d.Value == nil && d.Symbol == "") {
			continue
		}
		o := indicators.Observation{Indicator: def.ID, Geography: geo, Period: n.Period}
		if code := firstNonEmpty(n.GeographyCode, d.GeographyCode); code != "" {
			o.Geography = indicators.Geography{Code: code, Name: firstNonEmpty(n.GeographyName, d.GeographyName), Level: geo.Level}
		}
		switch {
		case n.Symbol != "":
			o.Symbol = n.Symbol
		case d.Symbol != "":
			o.Symbol = d.Symbol
		case *d.Value == 0:
			o.Symbol = "z"
		default:
			v := *n.Value / *d.Value * 100
			o.Value = &v
		}
		obs = append(obs, o)
	}
	return indicators.NewSeries(def, geo, obs)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// conversion is one conversion in the year for the area, with its change
// on the year and its comparators.
func (pr pathwayRead) conversion(from, to string, per indicators.Period, region *indicators.Geography, neighbours []indicators.Geography) Conversion {
	s := pr.conversionSeries(from, to, pr.geo)
	cv := Conversion{From: from, To: to, Title: s.Definition.Title, Series: s}
	if p, ok := pointsAt(pr.count(from, pr.geo), per); ok {
		cv.Denominator = p.Value
	}
	if p, ok := pointsAt(pr.count(to, pr.geo), per); ok {
		cv.Numerator = p.Value
	}
	p, ok := pointsAt(s, per)
	switch {
	case !ok:
		cv.NoValue = "no figure for " + pr.missingStage(from, to, per) + " in " + per.String()
		cv.NoChange = indicators.NoChangeMissing
	case p.Value == nil:
		cv.Symbol = p.Symbol
		cv.NoValue = fmt.Sprintf("a count it is worked out from is %s, %s", p.Symbol, p.Symbol.Meaning())
		if p.Symbol == "z" && cv.Denominator != nil && *cv.Denominator == 0 {
			cv.NoValue = "there were no " + pr.defs[from].Noun
		}
		cv.NoChange = p.NoChange
	default:
		cv.PerHundred, cv.Change, cv.NoChange = p.Value, p.Change, p.NoChange
		if *p.Value > 100 {
			cv.Over100 = true
			cv.Caveat = fmt.Sprintf("%s: more %s than %s in %s. %s The figure is shown as it is, not capped at 100.",
				FormatPer100(*p.Value), pr.defs[to].Noun, pr.defs[from].Noun, per, over100Why(from, to))
		}
	}
	cv.Compare = pr.compareAt(func(g indicators.Geography) indicators.Series { return pr.conversionSeries(from, to, g) }, s, per, region, neighbours)
	return cv
}

// over100Why says why a conversion can exceed 100 per 100.
func over100Why(from, to string) string {
	switch {
	case from == "s47_enquiries" && to == "icpcs":
		return CaveatTiming
	case to == "cpp_started":
		return CaveatPlansOver100
	}
	return CaveatEnquiriesOver100
}

// missingStage names the stage with no figure in a year.
func (pr pathwayRead) missingStage(from, to string, per indicators.Period) string {
	if p, ok := pointsAt(pr.count(from, pr.geo), per); !ok || (p.Value == nil && p.Symbol == "") {
		return pr.defs[from].Noun
	}
	return pr.defs[to].Noun
}

// FormatPer100 writes a conversion: "31.3 per 100".
func FormatPer100(v float64) string {
	return indicators.FormatNumber(v, 1) + " per 100"
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

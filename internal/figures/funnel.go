package figures

import (
	"context"
	"fmt"
	"math"
	"sort"

	"cptrends/indicators"
)

// Funnel is a funnel plot of every local authority for one indicator and
// reporting year: each authority's percentage or rate against its
// denominator, with limits around England's value adjusted for
// overdispersion (see indicators.FitFunnel).
type Funnel struct {
	Indicator *indicators.Definition `json:"-"`
	ID        string                 `json:"indicator"`
	Unit      string                 `json:"unit"`
	Period    indicators.Period      `json:"period"`
	// Centre is England's value in the indicator's unit; CentreSource says
	// where it comes from.
	Centre       float64 `json:"centre"`
	CentreSource string  `json:"centre_source"`
	// Scale names the scale the limits are symmetric on.
	Scale          string         `json:"scale"`
	Overdispersion Overdispersion `json:"overdispersion"`
	// OutsideLevel is the level of the limits that each area's Outside
	// refers to.
	OutsideLevel string `json:"outside_level"`
	// SmallBelow is the expected number of events below which an
	// authority's single year is never flagged; SmallRule says why.
	SmallBelow float64 `json:"small_below"`
	SmallRule  string  `json:"small_rule"`
	// PooledPeriods are the three years pooled for small authorities.
	PooledPeriods []indicators.Period `json:"pooled_periods"`
	// PooledOverdispersion is the adjustment of the pooled funnel.
	PooledOverdispersion *Overdispersion `json:"pooled_overdispersion"`
	Areas                []FunnelArea    `json:"areas"`
	// Excluded are the authorities with no figure to place.
	Excluded []FunnelExcluded `json:"excluded"`
	// Counts are how many authorities fall outside each pair of limits.
	Counts FunnelCounts `json:"counts"`

	fit    indicators.FunnelFit
	minDen float64
	maxDen float64
}

// Overdispersion is the adjustment a funnel's limits carry.
type Overdispersion struct {
	Method string `json:"method"`
	// Tau2 is the between-area variance on the funnel's scale, 0 when
	// none was needed; Phi the dispersion ratio of the Winsorised
	// z-scores; Areas how many authorities they were estimated from.
	Tau2   float64 `json:"tau2"`
	Phi    float64 `json:"phi"`
	Needed bool    `json:"needed"`
	Areas  int     `json:"areas"`
	// Summary says it in words: "none needed", or the variance.
	Summary string `json:"summary"`
}

// FunnelArea is one authority on the funnel.
type FunnelArea struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Value is Numerator over Denominator in the indicator's unit, unrounded:
	// the figure the limits are compared with. Published is the figure as
	// the department published it, where it did (rounded; a rate may rest
	// on another population estimate).
	Value       float64  `json:"value"`
	Published   *float64 `json:"published"`
	Numerator   float64  `json:"numerator"`
	Denominator float64  `json:"denominator"`
	// Limits are the overdispersion-adjusted limits at the authority's
	// denominator, by level ("95", "99.8"); Unadjusted the plain ones.
	Limits     map[string][2]float64 `json:"limits"`
	Unadjusted map[string][2]float64 `json:"unadjusted_limits"`
	// Outside is "higher", "lower" or "" against the adjusted 95% limits;
	// OutsideBy gives it for each level, UnadjustedOutside the same
	// against the unadjusted limits. A small authority is never flagged.
	Outside           string            `json:"outside"`
	OutsideBy         map[string]string `json:"outside_by_level"`
	UnadjustedOutside map[string]string `json:"unadjusted_outside"`
	Small             bool              `json:"small"`
	// Pooled are the authority's figures for three years together, for a
	// small authority with all three.
	Pooled *FunnelPooled `json:"pooled,omitempty"`
}

// FunnelPooled is a small authority's three years pooled: events and
// denominators summed, placed on a funnel of every authority's three years.
type FunnelPooled struct {
	Periods     []indicators.Period   `json:"periods"`
	Value       float64               `json:"value"`
	Numerator   float64               `json:"numerator"`
	Denominator float64               `json:"denominator"`
	Limits      map[string][2]float64 `json:"limits"`
	Outside     string                `json:"outside"`
	OutsideBy   map[string]string     `json:"outside_by_level"`
}

// FunnelExcluded is an authority with no figure on the funnel, and why.
type FunnelExcluded struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// FunnelCounts counts authorities outside the limits: by adjusted or not,
// then level.
type FunnelCounts struct {
	Placed     int                   `json:"placed"`
	Small      int                   `json:"small"`
	Adjusted   map[string]FunnelSide `json:"adjusted"`
	Unadjusted map[string]FunnelSide `json:"unadjusted"`
}

// FunnelSide is how many fall above the upper limit and below the lower.
type FunnelSide struct {
	Higher int `json:"higher"`
	Lower  int `json:"lower"`
}

// Total is Higher plus Lower.
func (s FunnelSide) Total() int { return s.Higher + s.Lower }

// FunnelLevels are the limits drawn, by the names the JSON gives them.
var FunnelLevels = []struct {
	Name       string
	Confidence float64
}{{"95", indicators.Confidence95}, {"99.8", indicators.Confidence998}}

// SmallExpected is the expected number of events (and, for a percentage,
// of non-events) at England's value below which an authority's single
// year is "small" and never flagged: ten, the number below which
// PHEindicatormethods abandons the normal approximation (Byar's method)
// for exact Poisson limits.
const SmallExpected = indicators.ExactBelow

const overdispersionMethod = "Spiegelhalter (2005) additive random effects; z-scores Winsorised at 10% at each end, as NHS-R FunnelPlotR"

// FunnelDefinition is the definition a funnel for def is drawn for: def
// itself when it is a percentage or rate whose counts are held, a count's
// rate per 10,000 children when it has one. It fails with ENOTFOUND for
// an indicator that has neither.
func (r *Reader) FunnelDefinition(def *indicators.Definition) (*indicators.Definition, error) {
	if def.Unit == indicators.UnitCount && def.Rate != nil {
		def = r.Catalog.RateDefinition(def)
	}
	if def.Ratio == nil {
		return nil, indicators.Errorf(indicators.ENOTFOUND,
			"There is no funnel plot for %s: the counts it is calculated from are not held for each local authority.", def.ShortTitle)
	}
	return def, nil
}

// FunnelPeriods are the reporting years with local authority figures for
// def's funnel, latest first.
func (r *Reader) FunnelPeriods(ctx context.Context, def *indicators.Definition) ([]indicators.Period, error) {
	def, err := r.FunnelDefinition(def)
	if err != nil {
		return nil, err
	}
	return r.funnelPeriods(ctx, def)
}

// funnelPeriods are the years with local authority figures for both the
// first numerator and the denominator of def's ratio, latest first.
func (r *Reader) funnelPeriods(ctx context.Context, def *indicators.Definition) ([]indicators.Period, error) {
	dens, err := r.Store.Periods(ctx, def.Ratio.Denominator, indicators.LevelLocal)
	if err != nil {
		return nil, err
	}
	nums, err := r.Store.Periods(ctx, def.Ratio.Numerator[0], indicators.LevelLocal)
	if err != nil {
		return nil, err
	}
	var out []indicators.Period
	for _, p := range nums {
		if contains(dens, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// yearData is one year's counts and figures for every authority, and
// England's.
type yearData struct {
	num, den map[string]float64
	value    map[string]*float64
	symbol   map[string]indicators.Symbol
	names    map[string]string
	england  struct {
		num, den, value *float64
	}
}

// readYear reads one reporting year: one query for each count the ratio
// divides and one for the published figure, at local authority level,
// and the same at national level for England.
func (r *Reader) readYear(ctx context.Context, def *indicators.Definition, p indicators.Period) (yearData, error) {
	y := yearData{num: map[string]float64{}, den: map[string]float64{}, value: map[string]*float64{},
		symbol: map[string]indicators.Symbol{}, names: map[string]string{}}
	read := func(id, level string) ([]indicators.Observation, error) {
		return r.Store.PeriodObservations(ctx, id, p, level)
	}
	den, err := read(def.Ratio.Denominator, indicators.LevelLocal)
	if err != nil {
		return y, err
	}
	for _, o := range den {
		y.names[o.Geography.Code] = o.Geography.Name
		if o.Value != nil {
			y.den[o.Geography.Code] = *o.Value
		}
	}
	// A numerator of several counts is known where every one of them is.
	for i, id := range def.Ratio.Numerator {
		obs, err := read(id, indicators.LevelLocal)
		if err != nil {
			return y, err
		}
		part := map[string]float64{}
		for _, o := range obs {
			if _, ok := y.names[o.Geography.Code]; !ok {
				y.names[o.Geography.Code] = o.Geography.Name
			}
			if o.Value != nil {
				part[o.Geography.Code] = *o.Value
			}
		}
		if i == 0 {
			y.num = part
			continue
		}
		for code, v := range y.num {
			if w, ok := part[code]; ok {
				y.num[code] = v + w
			} else {
				delete(y.num, code)
			}
		}
	}
	if !def.Ratio.Computed {
		obs, err := read(def.ID, indicators.LevelLocal)
		if err != nil {
			return y, err
		}
		for _, o := range obs {
			if _, ok := y.names[o.Geography.Code]; !ok {
				y.names[o.Geography.Code] = o.Geography.Name
			}
			y.value[o.Geography.Code], y.symbol[o.Geography.Code] = o.Value, o.Symbol
		}
		if eng, err := read(def.ID, indicators.LevelNational); err != nil {
			return y, err
		} else if v := englandValue(eng); v != nil {
			y.england.value = v
		}
	}
	var en float64
	ok := true
	for _, id := range def.Ratio.Numerator {
		obs, err := read(id, indicators.LevelNational)
		if err != nil {
			return y, err
		}
		v := englandValue(obs)
		if v == nil {
			ok = false
			break
		}
		en += *v
	}
	if ok {
		y.england.num = &en
	}
	obs, err := read(def.Ratio.Denominator, indicators.LevelNational)
	if err != nil {
		return y, err
	}
	y.england.den = englandValue(obs)
	return y, nil
}

func englandValue(obs []indicators.Observation) *float64 {
	for _, o := range obs {
		if o.Geography.Code == indicators.EnglandCode {
			return o.Value
		}
	}
	return nil
}

// Funnel places every authority's figure for def (a percentage or rate
// with a ratio, or a count with a rate) in period, the latest year with
// local authority figures when period is zero.
func (r *Reader) Funnel(ctx context.Context, def *indicators.Definition, period indicators.Period) (Funnel, error) {
	return r.funnel(ctx, def, period, true)
}

// funnel is Funnel, with the pooled figures of small authorities only when
// pool is true.
func (r *Reader) funnel(ctx context.Context, def *indicators.Definition, period indicators.Period, pool bool) (Funnel, error) {
	def, err := r.FunnelDefinition(def)
	if err != nil {
		return Funnel{}, err
	}
	periods, err := r.funnelPeriods(ctx, def)
	if err != nil {
		return Funnel{}, err
	}
	if period.IsZero() && len(periods) > 0 {
		period = periods[0]
	}
	if period.IsZero() || !contains(periods, period) {
		return Funnel{}, indicators.Errorf(indicators.ENOTFOUND, "There are no local authority figures for %s in %s.", def.ShortTitle, periodOr(period))
	}
	mult := indicators.Multiplier(def.Unit)
	f := Funnel{Indicator: def, ID: def.ID, Unit: def.Unit, Period: period, OutsideLevel: "95",
		Areas: []FunnelArea{}, Excluded: []FunnelExcluded{}, SmallBelow: SmallExpected,
		SmallRule: fmt.Sprintf("An authority's single year is not flagged when fewer than %d events would be expected at England's value (or, for a percentage, fewer than %d non-events): below ten events Public Health England's methods give up the normal approximation the limits rest on.", SmallExpected, SmallExpected)}
	y, err := r.readYear(ctx, def, period)
	if err != nil {
		return Funnel{}, err
	}

	type placed struct {
		code, name string
		published  *float64
		x, den     float64
	}
	var areas []placed
	codes := make([]string, 0, len(y.names))
	for code := range y.names {
		codes = append(codes, code)
	}
	sort.Slice(codes, func(i, j int) bool {
		if y.names[codes[i]] != y.names[codes[j]] {
			return y.names[codes[i]] < y.names[codes[j]]
		}
		return codes[i] < codes[j]
	})
	for _, code := range codes {
		name := y.names[code]
		x, hasX := y.num[code]
		n, hasN := y.den[code]
		var value *float64
		if !def.Ratio.Computed {
			value = y.value[code]
			if sym := y.symbol[code]; sym != "" {
				f.Excluded = append(f.Excluded, FunnelExcluded{code, name, fmt.Sprintf("figure not published (%s: %s)", sym, sym.Meaning())})
				continue
			}
		}
		switch {
		case !hasX || !hasN:
			f.Excluded = append(f.Excluded, FunnelExcluded{code, name, "the counts it is calculated from are not published"})
			continue
		case n <= 0:
			f.Excluded = append(f.Excluded, FunnelExcluded{code, name, "no " + denominatorNoun(r, def) + " in the year"})
			continue
		case def.Unit == indicators.UnitPercent && x > n:
			f.Excluded = append(f.Excluded, FunnelExcluded{code, name, "the published counts do not agree (more events than the denominator)"})
			continue
		}
		// Where the department published the counts but no figure (rates
		// are not published in every release), the counts give it.
		areas = append(areas, placed{code, name, value, x, n})
	}
	if len(areas) < 2 {
		return Funnel{}, indicators.Errorf(indicators.ENOTFOUND, "Too few local authorities have figures for %s in %s to draw a funnel plot.", def.ShortTitle, period)
	}

	// England's value is the centre. For a percentage, its published
	// figure, else its counts divided; for a rate, its count over the same
	// population estimates as the authorities' (the department's published
	// rates may rest on older estimates), else its published rate; failing
	// both, the authorities' counts summed and divided.
	var sumX, sumN float64
	for _, a := range areas {
		sumX, sumN = sumX+a.x, sumN+a.den
	}
	published := y.england.value != nil && *y.england.value > 0
	counted := y.england.num != nil && y.england.den != nil && *y.england.den > 0 && *y.england.num > 0
	switch {
	case published && (def.Unit == indicators.UnitPercent || !counted):
		f.Centre, f.CentreSource = *y.england.value, "England's published figure for "+period.String()
	case counted:
		f.Centre, f.CentreSource = *y.england.num / *y.england.den * mult, "England's counts for "+period.String()+", divided"
	default:
		f.Centre, f.CentreSource = sumX/sumN*mult, "the authorities' counts for "+period.String()+", summed and divided"
	}
	scale := indicators.FunnelProportion
	f.Scale = "arcsine of the square root of the proportion"
	if def.Unit == indicators.UnitRate {
		scale = indicators.FunnelRate
		f.Scale = "square root of the observed over the expected number"
	}
	units := make([]indicators.FunnelUnit, len(areas))
	for i, a := range areas {
		units[i] = indicators.FunnelUnit{Numerator: a.x, Denominator: a.den}
	}
	fit, err := indicators.FitFunnel(scale, f.Centre/mult, units)
	if err != nil {
		return Funnel{}, fmt.Errorf("figures: funnel of %s in %s: %w", def.ID, period, err)
	}
	f.fit = fit
	f.Overdispersion = overdispersion(fit)
	f.Counts = FunnelCounts{Adjusted: map[string]FunnelSide{}, Unadjusted: map[string]FunnelSide{}}
	f.minDen, f.maxDen = math.Inf(1), 0
	for _, a := range areas {
		exact := a.x / a.den * mult
		fa := FunnelArea{Code: a.code, Name: a.name, Value: exact, Published: a.published, Numerator: a.x, Denominator: a.den,
			Limits: map[string][2]float64{}, Unadjusted: map[string][2]float64{},
			OutsideBy: map[string]string{}, UnadjustedOutside: map[string]string{},
			Small: isSmall(def.Unit, f.Centre/mult, a.den)}
		f.minDen, f.maxDen = math.Min(f.minDen, a.den), math.Max(f.maxDen, a.den)
		for _, l := range FunnelLevels {
			adj := fit.Limits(a.den, l.Confidence, true).Scale(mult)
			un := fit.Limits(a.den, l.Confidence, false).Scale(mult)
			fa.Limits[l.Name], fa.Unadjusted[l.Name] = adj, un
			if fa.Small {
				fa.OutsideBy[l.Name], fa.UnadjustedOutside[l.Name] = "", ""
				continue
			}
			fa.OutsideBy[l.Name] = indicators.Placement(exact, adj)
			fa.UnadjustedOutside[l.Name] = indicators.Placement(exact, un)
			f.Counts.Adjusted[l.Name] = count(f.Counts.Adjusted[l.Name], fa.OutsideBy[l.Name])
			f.Counts.Unadjusted[l.Name] = count(f.Counts.Unadjusted[l.Name], fa.UnadjustedOutside[l.Name])
		}
		fa.Outside = fa.OutsideBy[f.OutsideLevel]
		f.Counts.Placed++
		if fa.Small {
			f.Counts.Small++
		}
		f.Areas = append(f.Areas, fa)
	}
	if pool && f.Counts.Small > 0 {
		if err := r.pool(ctx, def, &f, y); err != nil {
			return Funnel{}, err
		}
	}
	return f, nil
}

// pool adds, for each small authority, its three years to the period
// pooled and placed on a funnel of every authority's three years.
func (r *Reader) pool(ctx context.Context, def *indicators.Definition, f *Funnel, this yearData) error {
	years := []indicators.Period{f.Period - 2, f.Period - 1, f.Period}
	data := []yearData{}
	for _, p := range years[:2] {
		y, err := r.readYear(ctx, def, p)
		if err != nil {
			return err
		}
		data = append(data, y)
	}
	data = append(data, this)
	mult := indicators.Multiplier(def.Unit)
	type sums struct{ x, n float64 }
	pooled := map[string]sums{}
	var codes []string
	for code := range this.names {
		var s sums
		ok := true
		for _, y := range data {
			x, hasX := y.num[code]
			n, hasN := y.den[code]
			if !hasX || !hasN || y.symbol[code] != "" || (def.Unit == indicators.UnitPercent && x > n) {
				ok = false
				break
			}
			s.x, s.n = s.x+x, s.n+n
		}
		if ok && s.n > 0 {
			pooled[code] = s
			codes = append(codes, code)
		}
	}
	if len(codes) < 2 {
		return nil
	}
	sort.Strings(codes)
	var ex, en, sx, sn float64
	englandOK := true
	for _, y := range data {
		if y.england.num == nil || y.england.den == nil {
			englandOK = false
			break
		}
		ex, en = ex+*y.england.num, en+*y.england.den
	}
	units := make([]indicators.FunnelUnit, len(codes))
	for i, c := range codes {
		units[i] = indicators.FunnelUnit{Numerator: pooled[c].x, Denominator: pooled[c].n}
		sx, sn = sx+pooled[c].x, sn+pooled[c].n
	}
	centre := sx / sn
	if englandOK && en > 0 && ex > 0 {
		centre = ex / en
	}
	scale := f.fit.Scale
	fit, err := indicators.FitFunnel(scale, centre, units)
	if err != nil {
		return fmt.Errorf("figures: pooled funnel of %s: %w", def.ID, err)
	}
	od := overdispersion(fit)
	f.PooledPeriods, f.PooledOverdispersion = years, &od
	for i := range f.Areas {
		a := &f.Areas[i]
		s, ok := pooled[a.Code]
		if !a.Small || !ok {
			continue
		}
		p := &FunnelPooled{Periods: years, Numerator: s.x, Denominator: s.n, Value: s.x / s.n * mult,
			Limits: map[string][2]float64{}, OutsideBy: map[string]string{}}
		small := isSmall(def.Unit, centre, s.n)
		for _, l := range FunnelLevels {
			lim := fit.Limits(s.n, l.Confidence, true).Scale(mult)
			p.Limits[l.Name] = lim
			if !small {
				p.OutsideBy[l.Name] = indicators.Placement(p.Value, lim)
			} else {
				p.OutsideBy[l.Name] = ""
			}
		}
		p.Outside = p.OutsideBy[f.OutsideLevel]
		a.Pooled = p
	}
	return nil
}

func overdispersion(fit indicators.FunnelFit) Overdispersion {
	od := Overdispersion{Method: overdispersionMethod, Tau2: fit.Tau2, Phi: fit.Phi, Needed: fit.Overdispersed(), Areas: fit.N}
	od.Summary = "none needed"
	if od.Needed {
		od.Summary = fmt.Sprintf("between-area variance (tau²) %.3g on the funnel's scale", fit.Tau2)
	}
	return od
}

// isSmall reports whether fewer than SmallExpected events (or, for a
// percentage, non-events) would be expected of a denominator at the
// centre (a proportion, or a rate per person).
func isSmall(unit string, centre, den float64) bool {
	e := den * centre
	if unit == indicators.UnitPercent {
		return e < SmallExpected || den*(1-centre) < SmallExpected
	}
	return e < SmallExpected
}

func count(s FunnelSide, placement string) FunnelSide {
	switch placement {
	case "higher":
		s.Higher++
	case "lower":
		s.Lower++
	}
	return s
}

func contains(ps []indicators.Period, p indicators.Period) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

func periodOr(p indicators.Period) string {
	if p.IsZero() {
		return "any year"
	}
	return p.String()
}

func denominatorNoun(r *Reader, def *indicators.Definition) string {
	if d, ok := r.Catalog.Lookup(def.Ratio.Denominator); ok && d.Noun != "" {
		return d.Noun
	}
	return "denominator"
}

// FunnelCurvePoint is the limits at one denominator, for drawing: in the
// indicator's unit, adjusted and unadjusted, by level.
type FunnelCurvePoint struct {
	Denominator float64
	Adjusted    map[string][2]float64
	Unadjusted  map[string][2]float64
}

// Curve gives the limits at n denominators spread evenly on a log scale
// from lo to hi (from just below the smallest authority's denominator to
// just above the largest's when either is zero), for drawing the funnel.
func (f Funnel) Curve(lo, hi float64, n int) []FunnelCurvePoint {
	if len(f.Areas) == 0 || n < 2 {
		return nil
	}
	if lo <= 0 {
		lo = math.Max(f.minDen*0.9, 1)
	}
	if hi <= lo {
		hi = f.maxDen * 1.05
	}
	mult := indicators.Multiplier(f.Unit)
	llo, lhi := math.Log(lo), math.Log(hi)
	out := make([]FunnelCurvePoint, n)
	for i := range out {
		d := math.Exp(llo + (lhi-llo)*float64(i)/float64(n-1))
		c := FunnelCurvePoint{Denominator: d, Adjusted: map[string][2]float64{}, Unadjusted: map[string][2]float64{}}
		for _, l := range FunnelLevels {
			c.Adjusted[l.Name] = f.fit.Limits(d, l.Confidence, true).Scale(mult)
			c.Unadjusted[l.Name] = f.fit.Limits(d, l.Confidence, false).Scale(mult)
		}
		out[i] = c
	}
	return out
}

// DenominatorRange is the smallest and largest denominator on the funnel.
func (f Funnel) DenominatorRange() (lo, hi float64) { return f.minDen, f.maxDen }

// Area finds an authority on the funnel by its code.
func (f Funnel) Area(code string) (FunnelArea, bool) {
	for _, a := range f.Areas {
		if a.Code == code {
			return a, true
		}
	}
	return FunnelArea{}, false
}

package indicators

// Point is one reporting year of a series, with its year-on-year change.
type Point struct {
	Period Period   `json:"period"`
	Value  *float64 `json:"value"`
	Symbol Symbol   `json:"symbol"`
	// Change is the difference from the immediately preceding period (in
	// percentage points for percentages); ChangePct is the relative change
	// in per cent, unrounded. Both are nil where no change can be computed,
	// and NoChange then says why.
	Change      *float64 `json:"change"`
	ChangePct   *float64 `json:"change_pct"`
	NoChange    string   `json:"-"`
	BreakBefore bool     `json:"break_before"`
	// Notes are the definition's caveats on the year, then the value's own
	// note, which Note holds alone.
	Notes []string `json:"notes"`
	Note  string   `json:"-"`
	// Secondary marks a value quoted from a secondary source.
	Secondary bool `json:"-"`
	// Revised marks a value that replaced a different published figure
	// (shown "r", as official statistics do); Previous is that figure.
	Revised  bool         `json:"revised"`
	Previous *Observation `json:"-"`
	// PreviousValue, PreviousSymbol and PreviousRelease repeat Previous
	// for the JSON: the figure a revised value replaced and the upload or
	// release that published it.
	PreviousValue   *float64 `json:"previous_value,omitempty"`
	PreviousSymbol  Symbol   `json:"previous_symbol,omitempty"`
	PreviousRelease string   `json:"previous_release,omitempty"`
	// GeographyCode is the area the value was published for, when it is
	// not the series' own: a predecessor's figure, shown before a boundary
	// change. GeographyName is its name.
	GeographyCode string `json:"geography_code,omitempty"`
	GeographyName string `json:"-"`
	// Numerator and Denominator are the counts a percentage or rate
	// divides, where both are held for the year (see WithIntervals). CI95
	// and CI998 are its 95% and 99.8% confidence intervals, low and high:
	// Wilson's for a percentage, Byar's (exact below ten events) for a
	// rate. They are null where they are not known, and for a count, which
	// is given as counted.
	Numerator   *float64    `json:"numerator,omitempty"`
	Denominator *float64    `json:"denominator,omitempty"`
	CI95        *[2]float64 `json:"ci95"`
	CI998       *[2]float64 `json:"ci998"`
}

// Series is an indicator's values for one geography, one point a year from
// the first published year to the last; years with nothing published are
// points with no value, so every point's predecessor is the year before.
type Series struct {
	Definition *Definition
	Geography  Geography
	Points     []Point
}

// Reasons given where no year-on-year change can be computed.
const (
	NoChangeFirst     = "first year of the series"
	NoChangeBreak     = "break in series: not comparable with the year before"
	NoChangeMissing   = "no figure for this year"
	NoChangeSymbol    = "figure not published for this year"
	NoChangePrevEmpty = "no figure for the year before"
	NoChangePrevZero  = "the year before was zero"
)

// NewSeries builds a series from observations of one indicator and
// geography (in any order) and computes each year's change from the year
// before. Changes are never computed across a break, a gap or a symbol.
func NewSeries(def *Definition, geo Geography, obs []Observation) Series {
	s := Series{Definition: def, Geography: geo}
	if len(obs) == 0 {
		return s
	}
	first, last := obs[0].Period, obs[0].Period
	byPeriod := make(map[Period]Observation, len(obs))
	for _, o := range obs {
		byPeriod[o.Period] = o
		first, last = min(first, o.Period), max(last, o.Period)
	}
	s.Points = make([]Point, 0, int(last-first)+1)
	for p := first; p <= last; p++ {
		pt := Point{Period: p, Notes: def.NotesFor(p, geo.Code), Secondary: def.IsSecondary(p)}
		o, ok := byPeriod[p]
		if ok {
			pt.Value, pt.Symbol, pt.Note = o.Value, o.Symbol, o.Note
			pt.Revised, pt.Previous = o.Earlier != nil, o.Earlier
			if o.Earlier != nil {
				pt.PreviousValue, pt.PreviousSymbol, pt.PreviousRelease = o.Earlier.Value, o.Earlier.Symbol, o.Earlier.Release
			}
			if o.Geography.Code != "" && o.Geography.Code != geo.Code {
				pt.GeographyCode, pt.GeographyName = o.Geography.Code, o.Geography.Name
				pt.Notes = def.NotesFor(p, o.Geography.Code)
				if pt.Notes == nil {
					pt.Notes = []string{}
				}
			}
			if o.Note != "" {
				pt.Notes = append(pt.Notes, o.Note)
			}
		}
		if pt.Notes == nil {
			pt.Notes = []string{}
		}
		// A break before the first year has nothing before it to divide.
		_, pt.BreakBefore = def.BreakBefore(p)
		pt.BreakBefore = pt.BreakBefore && p != first
		var prev *Point
		if n := len(s.Points); n > 0 {
			prev = &s.Points[n-1]
		}
		pt.Change, pt.ChangePct, pt.NoChange = change(def, prev, &pt, ok)
		s.Points = append(s.Points, pt)
	}
	return s
}

// change computes a point's change from the one before it, or says why not.
func change(def *Definition, prev, cur *Point, published bool) (diff, pct *float64, why string) {
	switch {
	case !published:
		return nil, nil, NoChangeMissing
	case cur.Value == nil:
		return nil, nil, NoChangeSymbol
	case prev == nil:
		return nil, nil, NoChangeFirst
	case cur.BreakBefore:
		return nil, nil, NoChangeBreak
	case prev.Value == nil:
		return nil, nil, NoChangePrevEmpty
	}
	d := *cur.Value - *prev.Value
	diff = &d
	if *prev.Value == 0 {
		return diff, nil, NoChangePrevZero
	}
	r := d / *prev.Value * 100
	return diff, &r, ""
}

// PublishedFor is the code and name of the area p's value was published
// for: a predecessor's, or else the series' own area, g.
func (p Point) PublishedFor(g Geography) (code, name string) {
	if p.GeographyCode != "" {
		return p.GeographyCode, p.GeographyName
	}
	return g.Code, g.Name
}

// Latest returns the last point with a value, if any.
func (s Series) Latest() (Point, bool) {
	for i := len(s.Points) - 1; i >= 0; i-- {
		if s.Points[i].Value != nil {
			return s.Points[i], true
		}
	}
	return Point{}, false
}

// ComparableStart returns the first point with a value in the run of
// comparable years that ends with the latest value: the start of the
// latest stretch with no break in series.
func (s Series) ComparableStart() (Point, bool) {
	latest, ok := s.Latest()
	if !ok {
		return Point{}, false
	}
	var start Point
	found := false
	for i := len(s.Points) - 1; i >= 0; i-- {
		p := s.Points[i]
		if p.Period > latest.Period {
			continue
		}
		if p.Value != nil {
			start, found = p, true
		}
		if p.BreakBefore {
			break
		}
	}
	return start, found
}

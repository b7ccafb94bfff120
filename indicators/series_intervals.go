package indicators

// WithIntervals fills in each point of a percentage or rate series with
// its numerator and denominator, and its 95% and 99.8% confidence
// intervals, from the series of the counts its Ratio divides: nums (whose
// values are summed, as the ratio's numerator lists them) and den. A year
// lacking any of the counts, or whose counts cannot make an interval (a
// denominator of zero, more events than the denominator), keeps null
// intervals; so does a year whose own figure is not published. A count
// series is returned as it is. The points are copied; s is not changed.
func WithIntervals(s Series, nums []Series, den Series) Series {
	if s.Definition == nil || (s.Definition.Unit != UnitPercent && s.Definition.Unit != UnitRate) || len(nums) == 0 {
		return s
	}
	denominators := publishedPoints(den)
	numerators := make([]map[Period]Point, len(nums))
	for i, n := range nums {
		numerators[i] = publishedPoints(n)
	}
	out := s
	out.Points = make([]Point, len(s.Points))
	for i, p := range s.Points {
		out.Points[i] = p
		d, ok := denominators[p.Period]
		if !ok || d.Value == nil {
			continue
		}
		x, ok := 0.0, true
		for _, m := range numerators {
			n, has := m[p.Period]
			if !has || n.Value == nil {
				ok = false
				break
			}
			x += *n.Value
		}
		if !ok {
			continue
		}
		num, dv := x, *d.Value
		out.Points[i].Numerator, out.Points[i].Denominator = &num, &dv
		if p.Value == nil {
			continue
		}
		ci95, ci998, err := RatioIntervals(s.Definition.Unit, num, dv)
		if err != nil {
			continue
		}
		out.Points[i].CI95, out.Points[i].CI998 = ci95, ci998
	}
	return out
}

// RatioIntervals are the 95% and 99.8% confidence intervals of x events
// over a denominator n, in the unit given: Wilson's score interval as a
// percentage, or Byar's (exact below ten events) per 10,000.
func RatioIntervals(unit string, x, n float64) (ci95, ci998 *[2]float64, err error) {
	out := [2]*[2]float64{}
	for i, conf := range []float64{Confidence95, Confidence998} {
		var iv Interval
		switch unit {
		case UnitPercent:
			iv, err = PercentInterval(x, n, conf)
		case UnitRate:
			iv, err = RateInterval(x, n, Multiplier(UnitRate), conf)
		default:
			return nil, nil, errNoInterval
		}
		if err != nil {
			return nil, nil, err
		}
		a := [2]float64(iv)
		out[i] = &a
	}
	return out[0], out[1], nil
}

var errNoInterval = Errorf(EINVALID, "A count has no confidence interval here.")

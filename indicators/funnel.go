package indicators

import (
	"fmt"
	"math"
	"sort"
)

// FunnelScale is the scale on which a funnel's limits are symmetric.
type FunnelScale int

// The scales of a funnel.
const (
	// FunnelProportion: events out of a denominator, arcsine square root.
	FunnelProportion FunnelScale = iota + 1
	// FunnelRate: events in a population, square root of observed over
	// expected, the expected number being the centre's rate times the
	// population.
	FunnelRate
)

// WinsorFraction is how much of each end of the z-scores is Winsorised
// before phi is estimated: 10%, FunnelPlotR's default and Spiegelhalter's
// suggestion.
const WinsorFraction = 0.1

// FunnelUnit is one area's events and denominator (its population, for a
// rate).
type FunnelUnit struct {
	Numerator, Denominator float64
}

// FunnelFit is a funnel fitted to a set of areas.
type FunnelFit struct {
	Scale FunnelScale
	// Centre is the proportion (0 to 1) or rate per person the limits are
	// drawn around.
	Centre float64
	// N is the number of areas that the dispersion was estimated from.
	N int
	// Z are the areas' unadjusted z-scores, in the order given; Winsorised
	// are the same after Winsorisation, between WinsorLow and WinsorHigh.
	Z, Winsorised         []float64
	WinsorLow, WinsorHigh float64
	// Phi is the dispersion ratio; Tau2 the between-area variance on the
	// transformed scale, 0 when the test finds no overdispersion.
	Phi, Tau2 float64
}

// Overdispersed reports whether the limits are widened.
func (f FunnelFit) Overdispersed() bool { return f.Tau2 > 0 }

// FitFunnel estimates the overdispersion of areas around a centre (a
// proportion from 0 to 1, or a rate per person), for funnel limits
// adjusted by Spiegelhalter's additive random-effects method (Spiegelhalter DJ,
// "Funnel plots for comparing institutional performance", Statistics in
// Medicine 2005; 24: 1185-1202; "Handling over-dispersion of performance
// indicators", Quality and Safety in Health Care 2005; 14: 347-351), as
// the NHS-R Community's FunnelPlotR package computes it:
//
//  1. each area's value is put on a scale on which its variance does not
//     depend on the centre: the arcsine of the square root for a
//     proportion (FunnelPlotR's "PR"), the square root of observed over
//     expected for a rate (its "SR" data with the CQC method), and
//     z = (y - centre) / s, s the area's standard error on that scale;
//  2. the z-scores are Winsorised: those below the 10th percentile are
//     set to it, those above the 90th to it (R's default quantile);
//  3. phi, the dispersion ratio, is the mean of the squared Winsorised
//     z-scores; when n·phi < n − 1 there is no overdispersion to adjust
//     for and tau² = 0;
//  4. otherwise tau² = (n·phi − (n − 1)) / (Σw − Σw²/Σw), w = 1/s²;
//  5. the limits for an area of a given size are centre ± z·√(s² + tau²)
//     on the transformed scale, transformed back.
//
// Every unit needs a denominator above zero and events from zero to (for a
// proportion) the denominator; at least two are needed.
func FitFunnel(scale FunnelScale, centre float64, units []FunnelUnit) (FunnelFit, error) {
	f := FunnelFit{Scale: scale, Centre: centre, N: len(units)}
	switch {
	case scale != FunnelProportion && scale != FunnelRate:
		return f, fmt.Errorf("funnel: unknown scale %d", scale)
	case !finite(centre) || centre <= 0 || (scale == FunnelProportion && centre >= 1):
		return f, fmt.Errorf("funnel: the centre %v must be above zero (and below one for a proportion)", centre)
	case len(units) < 2:
		return f, fmt.Errorf("funnel: %d areas are too few to estimate their dispersion", len(units))
	}
	f.Z = make([]float64, len(units))
	w := make([]float64, len(units))
	for i, u := range units {
		if !finite(u.Numerator) || !finite(u.Denominator) || u.Denominator <= 0 || u.Numerator < 0 ||
			(scale == FunnelProportion && u.Numerator > u.Denominator) {
			return f, fmt.Errorf("funnel: area %d: %v out of %v cannot be placed on a funnel", i+1, u.Numerator, u.Denominator)
		}
		y, t, s := f.transform(u.Numerator, u.Denominator)
		f.Z[i] = (y - t) / s
		w[i] = 1 / (s * s)
	}
	f.WinsorLow = quantile7(f.Z, WinsorFraction)
	f.WinsorHigh = quantile7(f.Z, 1-WinsorFraction)
	f.Winsorised = make([]float64, len(f.Z))
	sumZ2 := 0.0
	for i, z := range f.Z {
		wz := math.Min(math.Max(z, f.WinsorLow), f.WinsorHigh)
		f.Winsorised[i] = wz
		sumZ2 += wz * wz
	}
	n := float64(f.N)
	f.Phi = sumZ2 / n
	if n*f.Phi < n-1 {
		return f, nil
	}
	var sw, sw2 float64
	for _, x := range w {
		sw += x
		sw2 += x * x
	}
	f.Tau2 = math.Max(0, (n*f.Phi-(n-1))/(sw-sw2/sw))
	return f, nil
}

// transform gives an area's value y, the centre t and the standard error
// s on the funnel's scale.
func (f FunnelFit) transform(x, n float64) (y, t, s float64) {
	if f.Scale == FunnelProportion {
		return math.Asin(math.Sqrt(x / n)), math.Asin(math.Sqrt(f.Centre)), 1 / (2 * math.Sqrt(n))
	}
	e := f.Centre * n
	return math.Sqrt(x / e), 1, 1 / (2 * math.Sqrt(e))
}

// Limits are the funnel limits at a denominator, as a proportion or a
// rate per person: with the between-area variance when adjusted is true
// (and the fit found some), without it otherwise. Limits beyond the
// possible range (below zero, above one for a proportion) are held at it.
func (f FunnelFit) Limits(denominator, confidence float64, adjusted bool) Interval {
	z := ZScore(confidence)
	_, t, s := f.transform(0, denominator)
	v := s * s
	if adjusted {
		v += f.Tau2
	}
	half := z * math.Sqrt(v)
	lo, hi := t-half, t+half
	if f.Scale == FunnelProportion {
		lo, hi = math.Max(lo, 0), math.Min(hi, math.Pi/2)
		return Interval{math.Pow(math.Sin(lo), 2), math.Pow(math.Sin(hi), 2)}
	}
	lo = math.Max(lo, 0)
	return Interval{f.Centre * lo * lo, f.Centre * hi * hi}
}

// TransformedLimits are the limits on the funnel's own scale, where they
// lie symmetrically about the centre: for a proportion the arcsine of the
// square root, for a rate the square root of observed over expected.
func (f FunnelFit) TransformedLimits(denominator, confidence float64, adjusted bool) (centre float64, iv Interval) {
	z := ZScore(confidence)
	_, t, s := f.transform(0, denominator)
	v := s * s
	if adjusted {
		v += f.Tau2
	}
	return t, Interval{t - z*math.Sqrt(v), t + z*math.Sqrt(v)}
}

// Placement says where a value falls against a pair of limits: "higher"
// above the upper, "lower" below the lower, "" within.
func Placement(value float64, limits Interval) string {
	switch {
	case value > limits.High():
		return "higher"
	case value < limits.Low():
		return "lower"
	}
	return ""
}

// quantile7 is R's default (type 7) sample quantile: linear
// interpolation between order statistics at h = (n − 1)p.
func quantile7(xs []float64, p float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	h := float64(len(s)-1) * p
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + (h-lo)*(s[i+1]-s[i])
}

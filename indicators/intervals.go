package indicators

import (
	"fmt"
	"math"
)

// Confidence levels of the intervals and funnel limits cptrends shows:
// the two that Public Health England's Fingertips and its R package
// PHEindicatormethods use (about 2 and 3 standard errors).
const (
	Confidence95  = 0.95
	Confidence998 = 0.998
)

// ExactBelow is the number of events below which a rate's interval is
// taken from the exact Poisson distribution rather than Byar's
// approximation, as PHEindicatormethods' phe_rate does: Byar's method is
// less accurate for small numbers.
const ExactBelow = 10

// Interval is a confidence interval or a pair of funnel limits: low, high.
type Interval [2]float64

// Low and High are the interval's ends.
func (iv Interval) Low() float64  { return iv[0] }
func (iv Interval) High() float64 { return iv[1] }

// Contains reports whether v lies within the interval, ends included.
func (iv Interval) Contains(v float64) bool { return v >= iv[0] && v <= iv[1] }

// Width is High minus Low.
func (iv Interval) Width() float64 { return iv[1] - iv[0] }

// Scale multiplies both ends by m (a proportion into a percentage).
func (iv Interval) Scale(m float64) Interval { return Interval{iv[0] * m, iv[1] * m} }

// ZScore is the two-sided standard normal quantile for a confidence
// level: 1.959964 for 0.95, 3.090232 for 0.998 (R's
// qnorm(confidence + (1 - confidence) / 2)).
func ZScore(confidence float64) float64 {
	return math.Sqrt2 * math.Erfinv(confidence)
}

func checkConfidence(confidence float64) error {
	if !(confidence >= 0.9 && confidence < 1) {
		return fmt.Errorf("confidence level %v: use a level from 0.9 to 1 (not included)", confidence)
	}
	return nil
}

// Wilson is the Wilson score interval for a proportion of x events out of
// n, as PHEindicatormethods' wilson_lower and wilson_upper compute it:
//
//	(2x + z² ± z √(z² + 4x(1 − x/n))) / (2(n + z²))
//
// It is a proportion (0 to 1); multiply by 100 for a percentage.
func Wilson(x, n, confidence float64) (Interval, error) {
	if e := checkConfidence(confidence); e != nil {
		return Interval{}, e
	}
	switch {
	case !finite(x) || !finite(n) || x < 0:
		return Interval{}, fmt.Errorf("wilson: the number of events must be zero or more, not %v", x)
	case n <= 0:
		return Interval{}, fmt.Errorf("wilson: the denominator must be more than zero, not %v", n)
	case x > n:
		return Interval{}, fmt.Errorf("wilson: %v events out of %v: the numerator is larger than the denominator", x, n)
	}
	z := ZScore(confidence)
	root := z * math.Sqrt(z*z+4*x*(1-x/n))
	lo := (2*x + z*z - root) / 2 / (n + z*z)
	hi := (2*x + z*z + root) / 2 / (n + z*z)
	// The ends are exactly 0 and 1 when no event or every one is observed;
	// the formula reaches them only to rounding.
	if x == 0 {
		lo = 0
	}
	if x == n {
		hi = 1
	}
	return Interval{math.Max(0, lo), math.Min(1, hi)}, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Byars is Byar's approximation to the exact Poisson interval for an
// observed count x (Breslow and Day 1987), as PHEindicatormethods'
// byars_lower and byars_upper compute it:
//
//	lower = x (1 − 1/(9x) − z/(3√x))³
//	upper = (x+1) (1 − 1/(9(x+1)) + z/(3√(x+1)))³
//
// The lower limit of zero events is zero.
func Byars(x, confidence float64) (Interval, error) {
	if e := checkConfidence(confidence); e != nil {
		return Interval{}, e
	}
	if !finite(x) || x < 0 {
		return Interval{}, fmt.Errorf("byars: the number of events must be zero or more, not %v", x)
	}
	z := ZScore(confidence)
	lo := 0.0
	if x > 0 {
		lo = x * math.Pow(1-1/(9*x)-z/(3*math.Sqrt(x)), 3)
	}
	u := x + 1
	hi := u * math.Pow(1-1/(9*u)+z/(3*math.Sqrt(u)), 3)
	return Interval{math.Max(0, lo), hi}, nil
}

// PoissonExact is the exact interval for an observed count x from the
// Poisson distribution, through its relation with the chi-squared
// distribution (Armitage and Berry 2002), as phe_rate computes it below
// ten events:
//
//	lower = qchisq((1 − c)/2, 2x) / 2,  upper = qchisq((1 + c)/2, 2x + 2) / 2
//
// qchisq(p, 2k)/2 is the p quantile of the gamma distribution of shape k.
func PoissonExact(x, confidence float64) (Interval, error) {
	if e := checkConfidence(confidence); e != nil {
		return Interval{}, e
	}
	if !finite(x) || x < 0 {
		return Interval{}, fmt.Errorf("poisson: the number of events must be zero or more, not %v", x)
	}
	lo := 0.0
	if x > 0 {
		lo = gammaQuantile(x, (1-confidence)/2)
	}
	hi := gammaQuantile(x+1, (1+confidence)/2)
	return Interval{lo, hi}, nil
}

// CountInterval is the interval for an observed count as phe_rate takes
// it: exact below ExactBelow events, Byar's from there up.
func CountInterval(x, confidence float64) (Interval, error) {
	if x < ExactBelow {
		return PoissonExact(x, confidence)
	}
	return Byars(x, confidence)
}

// RateInterval is the interval for a rate of x events in a population of
// n, per multiplier (10,000 for a rate per 10,000 children), as
// PHEindicatormethods' phe_rate computes it: the count's interval divided
// by the population.
func RateInterval(x, n, multiplier, confidence float64) (Interval, error) {
	if !finite(n) || n <= 0 {
		return Interval{}, fmt.Errorf("rate: the population must be more than zero, not %v", n)
	}
	iv, e := CountInterval(x, confidence)
	if e != nil {
		return Interval{}, e
	}
	return iv.Scale(multiplier / n), nil
}

// PercentInterval is the Wilson interval of x out of n as a percentage.
func PercentInterval(x, n, confidence float64) (Interval, error) {
	iv, e := Wilson(x, n, confidence)
	return iv.Scale(100), e
}

// gammaQuantile returns t with P(shape, t) = p, P being the regularised
// lower incomplete gamma function, by bisection: P is increasing in t, so
// the answer is found to the precision of a float64 in a few hundred
// steps, and it is only ever asked for below ten events.
func gammaQuantile(shape, p float64) float64 {
	lo, hi := 0.0, shape+20*math.Sqrt(shape)+40
	for lowerGamma(shape, hi) < p {
		hi *= 2
	}
	for range 200 {
		mid := (lo + hi) / 2
		if lowerGamma(shape, mid) < p {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo <= 1e-15*hi {
			break
		}
	}
	return (lo + hi) / 2
}

// lowerGamma is the regularised lower incomplete gamma function P(a, x):
// its series below a+1, and the continued fraction of its complement
// above (Press et al., Numerical Recipes, 6.2).
func lowerGamma(a, x float64) float64 {
	if x <= 0 {
		return 0
	}
	lg, _ := math.Lgamma(a)
	front := math.Exp(a*math.Log(x) - x - lg)
	if x < a+1 {
		sum, term := 1/a, 1/a
		for n := 1; n < 1000; n++ {
			term *= x / (a + float64(n))
			sum += term
			if math.Abs(term) < math.Abs(sum)*1e-17 {
				break
			}
		}
		return front * sum
	}
	// Lentz's method for the continued fraction of Q(a, x).
	const tiny = 1e-300
	b := x + 1 - a
	c := 1 / tiny
	d := 1 / b
	h := d
	for i := 1; i < 1000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-17 {
			break
		}
	}
	return 1 - front*h
}

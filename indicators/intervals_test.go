package indicators

import (
	"math"
	"testing"
)

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func TestZScore(t *testing.T) {
	// R: qnorm(0.975), qnorm(0.999); FunnelPlotR writes them as 1.959964
	// and 3.090232.
	for _, tc := range []struct{ conf, want float64 }{{0.95, 1.959964}, {0.998, 3.090232}} {
		if got := ZScore(tc.conf); !near(got, tc.want, 5e-7) {
			t.Errorf("ZScore(%v) = %.7f, want %.6f", tc.conf, got, tc.want)
		}
	}
}

// The worked examples of the Wilson score interval (method 3, without
// continuity correction) in Newcombe RG, "Two-sided confidence intervals
// for the single proportion: comparison of seven methods", Statistics in
// Medicine 1998; 17: 857-872, Table II, which Newcombe and Altman's chapter
// in Statistics with Confidence (2000), PHEindicatormethods' reference
// for wilson_lower and wilson_upper, reproduces.
func TestWilson_Newcombe(t *testing.T) {
	for _, tc := range []struct {
		x, n   float64
		lo, hi float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.0061, 0.1718},
		{29, 29, 0.8830, 1},
	} {
		iv, err := Wilson(tc.x, tc.n, Confidence95)
		if err != nil {
			t.Fatal(err)
		}
		if !near(iv.Low(), tc.lo, 5e-5) || !near(iv.High(), tc.hi, 5e-5) {
			t.Errorf("Wilson(%v, %v) = [%.4f, %.4f], want [%.4f, %.4f]", tc.x, tc.n, iv.Low(), iv.High(), tc.lo, tc.hi)
		}
	}
}

func TestWilson_Errors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		x, n, conf float64
	}{
		{"negative events", -1, 10, Confidence95},
		{"zero denominator", 0, 0, Confidence95},
		{"more events than denominator", 11, 10, Confidence95},
		{"confidence too low", 1, 10, 0.7},
		{"confidence as a percentage", 1, 10, 95},
		{"not a number", math.NaN(), 10, Confidence95},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Wilson(tc.x, tc.n, tc.conf); err == nil {
				t.Errorf("Wilson(%v, %v, %v): no error", tc.x, tc.n, tc.conf)
			}
		})
	}
}

// Exact Poisson limits, against the published tables (Garwood F,
// "Fiducial limits for the Poisson distribution", Biometrika 1936; 28:
// 437-442, as tabulated in Armitage and Berry, Statistical Methods in
// Medical Research, the reference phe_rate gives for its exact method)
// and the closed forms for no events: the upper limit is -ln((1-c)/2),
// ln(40) = 3.6889 at 95% and ln(1000) = 6.9078 at 99.8%.
func TestPoissonExact_Tables(t *testing.T) {
	for _, tc := range []struct {
		x, conf, lo, hi float64
	}{
		{0, Confidence95, 0, math.Log(40)},
		{0, Confidence998, 0, math.Log(1000)},
		{1, Confidence95, 0.0253, 5.5716},
		{2, Confidence95, 0.2422, 7.2247},
		{5, Confidence95, 1.6235, 11.6683},
		{9, Confidence95, 4.1154, 17.0848},
	} {
		iv, err := PoissonExact(tc.x, tc.conf)
		if err != nil {
			t.Fatal(err)
		}
		if !near(iv.Low(), tc.lo, 1e-4) || !near(iv.High(), tc.hi, 1e-4) {
			t.Errorf("PoissonExact(%v, %v) = [%.4f, %.4f], want [%.4f, %.4f]", tc.x, tc.conf, iv.Low(), iv.High(), tc.lo, tc.hi)
		}
	}
}

// Byar's method for 65 and 1,045 events, the counts of
// PHEindicatormethods' own examples and tests (byars_lower(65),
// byars_lower(c(65, 1045, 10), 99.8)), worked by hand from Breslow and
// Day's formula with z = 1.959964 and 3.090232.
func TestByars_Examples(t *testing.T) {
	for _, tc := range []struct {
		x, conf, lo, hi float64
	}{
		{65, Confidence95, 50.1632, 82.8491},
		{1045, Confidence95, 982.5932, 1110.3312},
		{65, Confidence998, 42.8803, 94.0003},
		{1045, Confidence998, 947.9407, 1148.8062},
		{10, Confidence998, 2.9163, 24.1937},
	} {
		iv, err := Byars(tc.x, tc.conf)
		if err != nil {
			t.Fatal(err)
		}
		if !near(iv.Low(), tc.lo, 1e-4) || !near(iv.High(), tc.hi, 1e-4) {
			t.Errorf("Byars(%v, %v) = [%.4f, %.4f], want [%.4f, %.4f]", tc.x, tc.conf, iv.Low(), iv.High(), tc.lo, tc.hi)
		}
	}
}

// Byar's approximation is within 2% of the exact limits from ten events
// up: the reason phe_rate switches there.
func TestByars_CloseToExact(t *testing.T) {
	for x := 10.0; x <= 2000; x = math.Ceil(x * 1.3) {
		for _, conf := range []float64{Confidence95, Confidence998} {
			b, _ := Byars(x, conf)
			e, _ := PoissonExact(x, conf)
			if !near(b.Low(), e.Low(), 0.02*e.Low()) || !near(b.High(), e.High(), 0.005*e.High()) {
				t.Errorf("x=%v conf=%v: Byar's %v, exact %v", x, conf, b, e)
			}
		}
	}
}

func TestRateInterval_SwitchesAtTen(t *testing.T) {
	// Nine events in 30,000 children: exact; ten: Byar's.
	nine, _ := RateInterval(9, 30000, 10000, Confidence95)
	if want := 4.1154 / 3; !near(nine.Low(), want, 1e-4) {
		t.Errorf("9 in 30,000: low %.4f, want exact %.4f", nine.Low(), want)
	}
	ten, _ := RateInterval(10, 30000, 10000, Confidence95)
	b, _ := Byars(10, Confidence95)
	if !near(ten.Low(), b.Low()/3, 1e-9) || !near(ten.High(), b.High()/3, 1e-9) {
		t.Errorf("10 in 30,000: %v, want Byar's %v", ten, b.Scale(1.0/3))
	}
	if _, err := RateInterval(10, 0, 10000, Confidence95); err == nil {
		t.Error("a population of zero gave no error")
	}
	if _, err := RateInterval(-1, 100, 10000, Confidence95); err == nil {
		t.Error("a negative count gave no error")
	}
}

// Properties every interval must have: it contains the point, the 99.8%
// interval contains the 95% one, and it narrows as the denominator grows
// with the proportion or rate held.
func TestIntervals_Properties(t *testing.T) {
	for _, p := range []float64{0, 0.01, 0.047, 0.25, 0.5, 0.83, 1} {
		prev95 := math.Inf(1)
		for _, n := range []float64{1, 5, 20, 100, 1000, 10000, 100000} {
			x := math.Round(p * n)
			w95, err := Wilson(x, n, Confidence95)
			if err != nil {
				t.Fatal(err)
			}
			w998, _ := Wilson(x, n, Confidence998)
			if !w95.Contains(x/n) || w95.Low() < w998.Low() || w95.High() > w998.High() {
				t.Errorf("Wilson %v/%v: 95%% %v, 99.8%% %v, point %v", x, n, w95, w998, x/n)
			}
			if n > 20 && w95.Width() >= prev95 {
				t.Errorf("Wilson p=%v n=%v: width %v did not narrow from %v", p, n, w95.Width(), prev95)
			}
			prev95 = w95.Width()
		}
	}
	for _, r := range []float64{0.5, 30, 450} { // per 10,000
		prev := math.Inf(1)
		for _, pop := range []float64{2000, 10000, 50000, 200000, 1e6} {
			x := math.Round(r * pop / 10000)
			v := x / pop * 10000
			iv, err := RateInterval(x, pop, 10000, Confidence95)
			if err != nil {
				t.Fatal(err)
			}
			wide, _ := RateInterval(x, pop, 10000, Confidence998)
			if !iv.Contains(v) || iv.Low() < wide.Low() || iv.High() > wide.High() {
				t.Errorf("rate %v in %v: 95%% %v, 99.8%% %v", x, pop, iv, wide)
			}
			// The relative width narrows as the count grows.
			if rel := iv.Width() / math.Max(v, 1e-9); x > 0 && rel >= prev {
				t.Errorf("rate %v per 10,000 in %v: relative width %v did not narrow from %v", r, pop, rel, prev)
			} else if x > 0 {
				prev = rel
			}
		}
	}
}

func TestLowerGamma_AgainstPoisson(t *testing.T) {
	// For a whole shape k, P(k, t) = 1 - sum_{i<k} e^-t t^i / i!.
	for _, k := range []int{1, 2, 5, 10, 30} {
		for _, x := range []float64{0.1, 1, 4.5, 12, 40} {
			sum, term := 0.0, math.Exp(-x)
			for i := 0; i < k; i++ {
				sum += term
				term *= x / float64(i+1)
			}
			if got, want := lowerGamma(float64(k), x), 1-sum; !near(got, want, 1e-12) {
				t.Errorf("P(%d, %v) = %v, want %v", k, x, got, want)
			}
		}
	}
}

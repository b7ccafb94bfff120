package indicators

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The data of FunnelPlotR's own tests (tests/testthat/test-funnel_plot.R:
// numerators 100, 150, 180, 80, 120, 225 over expected 108, 112, 165, 95,
// 100, 220), as standardised ratios with the CQC square-root method: a
// rate funnel with centre 1 is the same calculation. The expected values
// were worked by hand through FunnelPlotR's transformed_zscore
// (y = sqrt(O/E), s = 1/(2 sqrt(E))), winsorisation (R's quantile at 0.1
// and 0.9), phi_func and tau_func.
func TestFitFunnel_FunnelPlotRData(t *testing.T) {
	units := []FunnelUnit{{100, 108}, {150, 112}, {180, 165}, {80, 95}, {120, 100}, {225, 220}}
	f, err := FitFunnel(FunnelRate, 1, units)
	if err != nil {
		t.Fatal(err)
	}
	wantZ := []float64{-0.78461, 3.328887, 1.142351, -1.605045, 1.908902, 0.335206}
	for i, z := range wantZ {
		if !near(f.Z[i], z, 1e-6) {
			t.Errorf("z[%d] = %.6f, want %.6f", i, f.Z[i], z)
		}
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"10th percentile", f.WinsorLow, -1.1948272802},
		{"90th percentile", f.WinsorHigh, 2.6188946198},
		{"phi", f.Phi, 2.3271782576},
		{"tau2", f.Tau2, 0.0034397802},
	} {
		if !near(c.got, c.want, 1e-9) {
			t.Errorf("%s = %.10f, want %.10f", c.name, c.got, c.want)
		}
	}
	// Limits at E = 100 and 220, squared back from the square-root scale.
	for _, c := range []struct{ e, lo, hi float64 }{{100, 0.7207086910, 1.3249261515}, {220, 0.7524069112, 1.2827512252}} {
		iv := f.Limits(c.e, Confidence95, true)
		if !near(iv.Low(), c.lo, 1e-6) || !near(iv.High(), c.hi, 1e-6) {
			t.Errorf("95%% limits at %v = %v, want [%v, %v]", c.e, iv, c.lo, c.hi)
		}
	}
}

// Eight areas' proportions around a centre of 20%, worked by hand through
// FunnelPlotR's "PR" transformation (y = asin(sqrt(x/n)),
// s = 1/(2 sqrt(n))) and the same steps.
func TestFitFunnel_Proportion(t *testing.T) {
	units := []FunnelUnit{{12, 100}, {30, 150}, {45, 200}, {8, 60}, {60, 240}, {25, 90}, {90, 300}, {40, 220}}
	f, err := FitFunnel(FunnelProportion, 0.2, units)
	if err != nil {
		t.Fatal(err)
	}
	if !near(f.Z[1], 0, 1e-12) || !near(f.Z[6], 4.018085, 1e-6) || !near(f.Z[0], -2.19812, 1e-6) {
		t.Errorf("z = %v", f.Z)
	}
	if !near(f.WinsorLow, -1.6338600989, 1e-9) || !near(f.WinsorHigh, 2.5056888598, 1e-9) {
		t.Errorf("Winsorised at %v and %v", f.WinsorLow, f.WinsorHigh)
	}
	if !near(f.Phi, 2.3208754628, 1e-9) || !near(f.Tau2, 0.0025059139, 1e-10) {
		t.Errorf("phi %.10f tau2 %.10f", f.Phi, f.Tau2)
	}
	for _, c := range []struct{ n, conf, lo, hi float64 }{
		{60, Confidence95, 0.0893449208, 0.3411520995},
		{60, Confidence998, 0.0439540834, 0.4308995956},
		{300, Confidence95, 0.1178294281, 0.2974979628},
		{300, Confidence998, 0.0790898723, 0.3587710140},
	} {
		iv := f.Limits(c.n, c.conf, true)
		if !near(iv.Low(), c.lo, 1e-6) || !near(iv.High(), c.hi, 1e-6) {
			t.Errorf("limits at n=%v conf=%v = %v, want [%v, %v]", c.n, c.conf, iv, c.lo, c.hi)
		}
	}
}

func TestFitFunnel_NoneNeeded(t *testing.T) {
	// Every area exactly at the centre: phi is 0, n·phi < n − 1.
	units := []FunnelUnit{{20, 100}, {40, 200}, {60, 300}, {10, 50}}
	f, err := FitFunnel(FunnelProportion, 0.2, units)
	if err != nil {
		t.Fatal(err)
	}
	if f.Tau2 != 0 || f.Overdispersed() {
		t.Errorf("tau2 = %v for areas at the centre", f.Tau2)
	}
	if a, u := f.Limits(100, Confidence95, true), f.Limits(100, Confidence95, false); a != u {
		t.Errorf("with no overdispersion the adjusted limits %v differ from the unadjusted %v", a, u)
	}
}

// Areas drawn at random from the centre itself, with no between-area
// variation: the test should find no overdispersion most of the time,
// and the estimated tau2 must always be small beside that of data with
// real between-area variation.
func TestFitFunnel_BinomialDataMostlyNotOverdispersed(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	none := 0
	const trials = 200
	for range trials {
		var units []FunnelUnit
		for range 150 {
			n := float64(50 + r.IntN(1500))
			x := 0.0
			for range int(n) {
				if r.Float64() < 0.24 {
					x++
				}
			}
			units = append(units, FunnelUnit{x, n})
		}
		f, err := FitFunnel(FunnelProportion, 0.24, units)
		if err != nil {
			t.Fatal(err)
		}
		if f.Tau2 == 0 {
			none++
		}
		if f.Tau2 > 0.0005 {
			t.Errorf("tau2 %v from data with no between-area variation", f.Tau2)
		}
	}
	// Winsorisation shrinks phi, so "none needed" is the usual answer.
	if none < trials*3/4 {
		t.Errorf("overdispersion found in %d of %d binomial samples", trials-none, trials)
	}
}

func TestFitFunnel_Errors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scale  FunnelScale
		centre float64
		units  []FunnelUnit
	}{
		{"one area", FunnelProportion, 0.2, []FunnelUnit{{1, 10}}},
		{"zero denominator", FunnelProportion, 0.2, []FunnelUnit{{1, 10}, {0, 0}}},
		{"more events than denominator", FunnelProportion, 0.2, []FunnelUnit{{1, 10}, {11, 10}}},
		{"centre of one", FunnelProportion, 1, []FunnelUnit{{1, 10}, {2, 10}}},
		{"centre of zero", FunnelRate, 0, []FunnelUnit{{1, 10}, {2, 10}}},
		{"negative events", FunnelRate, 0.01, []FunnelUnit{{-1, 10}, {2, 10}}},
		{"unknown scale", 0, 0.2, []FunnelUnit{{1, 10}, {2, 10}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := FitFunnel(tc.scale, tc.centre, tc.units); err == nil {
				t.Error("no error")
			}
		})
	}
}

// Properties of the limits: symmetric about the centre on the method's
// scale (arcsine square root, square root), narrowing as the denominator
// grows, the 99.8% limits outside the 95%, the adjusted outside the
// unadjusted, and the back-transformed limits around the centre.
func TestFunnelLimits_Properties(t *testing.T) {
	fits := map[string]FunnelFit{}
	p, _ := FitFunnel(FunnelProportion, 0.2, []FunnelUnit{{12, 100}, {30, 150}, {45, 200}, {8, 60}, {60, 240}, {25, 90}, {90, 300}, {40, 220}})
	fits["proportion"] = p
	rt, _ := FitFunnel(FunnelRate, 0.05, []FunnelUnit{{500, 10000}, {700, 12000}, {300, 9000}, {2000, 30000}, {150, 5000}, {900, 15000}})
	fits["rate"] = rt
	for name, f := range fits {
		if !f.Overdispersed() {
			t.Fatalf("%s: the example should be overdispersed", name)
		}
		prev := math.Inf(1)
		for _, n := range []float64{80, 200, 1000, 5000, 40000, 1e6} {
			c, tr := f.TransformedLimits(n, Confidence95, true)
			if !near(c-tr.Low(), tr.High()-c, 1e-12) {
				t.Errorf("%s n=%v: not symmetric on the transformed scale: %v about %v", name, n, tr, c)
			}
			a95, a998 := f.Limits(n, Confidence95, true), f.Limits(n, Confidence998, true)
			u95 := f.Limits(n, Confidence95, false)
			if !a95.Contains(f.Centre) || a998.Low() > a95.Low() || a998.High() < a95.High() {
				t.Errorf("%s n=%v: 95%% %v, 99.8%% %v, centre %v", name, n, a95, a998, f.Centre)
			}
			if u95.Low() < a95.Low() || u95.High() > a95.High() {
				t.Errorf("%s n=%v: unadjusted %v not inside adjusted %v", name, n, u95, a95)
			}
			if w := u95.Width(); w >= prev {
				t.Errorf("%s n=%v: unadjusted width %v did not narrow from %v", name, n, w, prev)
			} else {
				prev = w
			}
		}
		// Adjusted limits narrow towards a floor set by tau2, not to nothing.
		_, far := f.TransformedLimits(1e12, Confidence95, true)
		if want := 2 * ZScore(Confidence95) * math.Sqrt(f.Tau2); !near(far.Width(), want, 1e-5) {
			t.Errorf("%s: adjusted width at a huge denominator %v, want about %v", name, far.Width(), want)
		}
	}
	// A lower limit below zero is held at zero.
	small := FunnelFit{Scale: FunnelProportion, Centre: 0.02}
	if iv := small.Limits(5, Confidence998, false); iv.Low() != 0 || iv.High() <= 0.02 {
		t.Errorf("limits of a small area around 2%%: %v", iv)
	}
}

func TestPlacement(t *testing.T) {
	iv := Interval{10, 20}
	for _, tc := range []struct {
		v    float64
		want string
	}{{9.99, "lower"}, {10, ""}, {15, ""}, {20, ""}, {20.01, "higher"}} {
		if got := Placement(tc.v, iv); got != tc.want {
			t.Errorf("Placement(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestQuantile7(t *testing.T) {
	// R: quantile(c(1, 2, 3, 4, 10), c(0.1, 0.9)) is 1.4 and 7.6.
	xs := []float64{10, 1, 3, 2, 4}
	if got := quantile7(xs, 0.1); !near(got, 1.4, 1e-12) {
		t.Errorf("10th percentile %v", got)
	}
	if got := quantile7(xs, 0.9); !near(got, 7.6, 1e-12) {
		t.Errorf("90th percentile %v", got)
	}
}

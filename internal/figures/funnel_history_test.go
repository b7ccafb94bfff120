package figures

import (
	"context"
	"testing"
	"time"
)

func TestReader_FunnelHistory(t *testing.T) {
	r := sharedReader(t)
	ctx := context.Background()
	def := mustDefinition(t, "cpp_second_or_subsequent_pct")
	start := time.Now()
	const leeds = "E08000035"
	h, err := r.FunnelHistory(ctx, def, leeds)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d years in %v", len(h), time.Since(start))
	periods, _ := r.FunnelPeriods(ctx, def)
	if len(h) != len(periods) || len(h) < 10 {
		t.Fatalf("%d years of history, %d funnel years", len(h), len(periods))
	}
	for i, y := range h {
		if i > 0 && y.Period <= h[i-1].Period {
			t.Errorf("years out of order: %v after %v", y.Period, h[i-1].Period)
		}
		// Each year agrees with that year's funnel.
		f, err := r.Funnel(ctx, def, y.Period)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := f.Area(leeds)
		if a.Value != y.Value || a.Limits["95"] != y.Limits["95"] || a.Outside != y.Outside || f.Overdispersion.Tau2 != y.Tau2 {
			t.Errorf("%s: history %+v, funnel %+v", y.Period, y, a)
		}
		if y.Quartile < 1 || y.Quartile > 4 {
			t.Errorf("%s: quartile %d", y.Period, y.Quartile)
		}
		// The quartile follows the league table: count authorities above.
		above := 0
		for _, x := range f.Areas {
			if *x.Published > *a.Published {
				above++
			}
		}
		if want := above*4/len(f.Areas) + 1; y.Quartile != want {
			t.Errorf("%s: quartile %d, want %d (%d of %d above)", y.Period, y.Quartile, want, above, len(f.Areas))
		}
	}
	// An authority with no figures has no history.
	none, err := r.FunnelHistory(ctx, def, "E06999999")
	if err != nil || len(none) != 0 {
		t.Errorf("unknown authority: %v, %v", none, err)
	}
}

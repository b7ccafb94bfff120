package figures

import (
	"context"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"cptrends/indicators"
	"cptrends/internal/ingest"
	"cptrends/internal/store"
)

// newBundledReader opens a database in a temporary folder loaded as serve
// loads a new one: the bundled EES files with every local authority, then
// the national release. Tests that add uploads of their own use it.
func newBundledReader(t *testing.T) *Reader {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cptrends.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := loadBundled(ctx, st); err != nil {
		t.Fatal(err)
	}
	return New(st, indicators.Default())
}

// loadBundled loads the bundled releases and the neighbour model, as serve
// does on a new database.
func loadBundled(ctx context.Context, st *store.Store) error {
	if err := ingest.LoadBundled(ctx, st, indicators.Default(), indicators.Bundled(), "test"); err != nil {
		return err
	}
	return ingest.LoadReference(ctx, st, indicators.Bundled(), indicators.NeighbourModels)
}

// shared is one bundled database for the tests that only read, loaded
// once (loading takes seconds under the race detector).
var shared struct {
	once   sync.Once
	dir    string
	reader *Reader
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.reader != nil {
		shared.reader.Store.Close()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// sharedReader is the read-only bundled database.
func sharedReader(t *testing.T) *Reader {
	t.Helper()
	shared.once.Do(func() {
		ctx := context.Background()
		if shared.dir, shared.err = os.MkdirTemp("", "cptrends-figures"); shared.err != nil {
			return
		}
		st, err := store.Open(ctx, filepath.Join(shared.dir, "cptrends.db"))
		if err != nil {
			shared.err = err
			return
		}
		shared.reader = New(st, indicators.Default())
		shared.err = loadBundled(ctx, st)
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.reader
}

func mustDefinition(t *testing.T, id string) *indicators.Definition {
	t.Helper()
	d, ok := indicators.Default().Lookup(id)
	if !ok {
		t.Fatalf("no indicator %q", id)
	}
	return d
}

// d3Row is one local authority's row of the bundled d3 file.
type d3Row struct {
	code, name string
	start, sub float64
	pct        float64
}

// readD3 reads the local authority rows of one year of the d3 file as
// downloaded, skipping those with a symbol: the acceptance checks'
// view of the data, which does not pass through cptrends' importer.
func readD3(t *testing.T, year string) (rows []d3Row, england d3Row) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "indicators", "data", "2025", "d3_cpps_subsequent_plan_2013_to_2025.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, r := range recs[1:] {
		if r[col["time_period"]] != year {
			continue
		}
		start, e1 := strconv.ParseFloat(r[col["CPP_start"]], 64)
		sub, e2 := strconv.ParseFloat(r[col["CPP_subsequent"]], 64)
		pct, e3 := strconv.ParseFloat(r[col["CPP_subsequent_percent"]], 64)
		if e1 != nil || e2 != nil || e3 != nil {
			continue
		}
		row := d3Row{r[col["new_la_code"]], r[col["la_name"]], start, sub, pct}
		switch r[col["geographic_level"]] {
		case "National":
			england = row
		case "Local authority":
			rows = append(rows, row)
		}
	}
	return rows, england
}

// tau2FromFile recomputes FunnelPlotR's between-area variance for
// proportions straight from the file's counts.
func tau2FromFile(rows []d3Row, centre float64) (phi, tau2 float64) {
	var z, w []float64
	t := math.Asin(math.Sqrt(centre))
	for _, r := range rows {
		s := 1 / (2 * math.Sqrt(r.start))
		z = append(z, (math.Asin(math.Sqrt(r.sub/r.start))-t)/s)
		w = append(w, 1/(s*s))
	}
	sorted := append([]float64(nil), z...)
	sort.Float64s(sorted)
	q := func(p float64) float64 {
		h := float64(len(sorted)-1) * p
		i := int(h)
		return sorted[i] + (h-float64(i))*(sorted[i+1]-sorted[i])
	}
	lo, hi := q(0.1), q(0.9)
	var sz2, sw, sw2 float64
	for i := range z {
		v := math.Min(math.Max(z[i], lo), hi)
		sz2 += v * v
		sw += w[i]
		sw2 += w[i] * w[i]
	}
	n := float64(len(z))
	phi = sz2 / n
	if n*phi < n-1 {
		return phi, 0
	}
	return phi, (n*phi - (n - 1)) / (sw - sw2/sw)
}

func TestReader_Funnel_SecondPlans(t *testing.T) {
	r := sharedReader(t)
	ctx := context.Background()
	f, err := r.Funnel(ctx, mustDefinition(t, "cpp_second_or_subsequent_pct"), indicators.PeriodOf(2024))
	if err != nil {
		t.Fatal(err)
	}
	rows, england := readD3(t, "2024")
	if f.Centre != england.pct || f.Centre != 24.7 {
		t.Errorf("centre %v, want England's 24.7", f.Centre)
	}
	if len(f.Areas) != len(rows) {
		t.Errorf("%d areas on the funnel, %d with figures in the file", len(f.Areas), len(rows))
	}
	phi, tau2 := tau2FromFile(rows, f.Centre/100)
	if !f.Overdispersion.Needed || math.Abs(f.Overdispersion.Tau2-tau2) > 1e-12 || math.Abs(f.Overdispersion.Phi-phi) > 1e-9 {
		t.Errorf("overdispersion %+v, want phi %v tau2 %v", f.Overdispersion, phi, tau2)
	}
	byCode := map[string]d3Row{}
	for _, row := range rows {
		byCode[row.code] = row
	}
	ct := math.Asin(math.Sqrt(f.Centre / 100))
	unadjusted := map[string]int{}
	adjusted := map[string]int{}
	for _, a := range f.Areas {
		row, ok := byCode[a.Code]
		if !ok {
			t.Errorf("%s %s is on the funnel but has no figures in the file", a.Code, a.Name)
			continue
		}
		if a.Published == nil || *a.Published != row.pct || math.Abs(a.Value-row.sub/row.start*100) > 1e-9 || a.Numerator != row.sub || a.Denominator != row.start {
			t.Errorf("%s: %v (%v of %v), file %v (%v of %v)", a.Name, a.Value, a.Numerator, a.Denominator, row.pct, row.sub, row.start)
		}
		small := row.start*f.Centre/100 < 10 || row.start*(1-f.Centre/100) < 10
		if a.Small != small {
			t.Errorf("%s: small %v with %v plans", a.Name, a.Small, row.start)
		}
		s2 := 1 / (4 * row.start)
		for _, l := range []struct {
			name string
			z    float64
		}{{"95", 1.959964}, {"99.8", 3.090232}} {
			for adj, lim := range map[bool][2]float64{true: a.Limits[l.name], false: a.Unadjusted[l.name]} {
				v := s2
				if adj {
					v += tau2
				}
				lo := 100 * math.Pow(math.Sin(math.Max(0, ct-l.z*math.Sqrt(v))), 2)
				hi := 100 * math.Pow(math.Sin(ct+l.z*math.Sqrt(v)), 2)
				if math.Abs(lim[0]-lo) > 1e-4 || math.Abs(lim[1]-hi) > 1e-4 {
					t.Errorf("%s %s%% adjusted=%v: limits %v, want [%v, %v]", a.Name, l.name, adj, lim, lo, hi)
				}
				p := row.sub / row.start * 100
				out := ""
				if !small && p > hi {
					out = "higher"
				} else if !small && p < lo {
					out = "lower"
				}
				got := a.UnadjustedOutside[l.name]
				if adj {
					got = a.OutsideBy[l.name]
				}
				if got != out {
					t.Errorf("%s %s%% adjusted=%v: outside %q, want %q", a.Name, l.name, adj, got, out)
				}
				if out != "" && adj {
					adjusted[l.name]++
				} else if out != "" {
					unadjusted[l.name]++
				}
			}
		}
		if a.Outside != a.OutsideBy["95"] {
			t.Errorf("%s: outside %q but %q at 95%%", a.Name, a.Outside, a.OutsideBy["95"])
		}
	}
	for _, l := range []string{"95", "99.8"} {
		if f.Counts.Adjusted[l].Total() != adjusted[l] || f.Counts.Unadjusted[l].Total() != unadjusted[l] {
			t.Errorf("%s%%: counts %+v / %+v, recomputed %d adjusted, %d unadjusted", l, f.Counts.Adjusted[l], f.Counts.Unadjusted[l], adjusted[l], unadjusted[l])
		}
		// Adjusting for overdispersion flags fewer authorities.
		if adjusted[l] >= unadjusted[l] {
			t.Errorf("%s%%: %d outside adjusted limits, %d outside unadjusted", l, adjusted[l], unadjusted[l])
		}
	}
	t.Logf("2023/24: %d authorities, %d small; tau2 %.6g phi %.4g; outside 95%%: %d unadjusted (%+v), %d adjusted (%+v); outside 99.8%%: %d unadjusted (%+v), %d adjusted (%+v)",
		f.Counts.Placed, f.Counts.Small, f.Overdispersion.Tau2, f.Overdispersion.Phi,
		unadjusted["95"], f.Counts.Unadjusted["95"], adjusted["95"], f.Counts.Adjusted["95"],
		unadjusted["99.8"], f.Counts.Unadjusted["99.8"], adjusted["99.8"], f.Counts.Adjusted["99.8"])

	// Authorities whose figure is a symbol are listed, not placed.
	excluded := map[string]string{}
	for _, e := range f.Excluded {
		excluded[e.Name] = e.Reason
	}
	for _, name := range []string{"Hampshire", "City of London", "Isles of Scilly"} {
		if excluded[name] == "" {
			t.Errorf("%s not listed as excluded: %v", name, excluded)
		}
	}
}

// mustImport loads native CSV text as one more upload.
func mustImport(t *testing.T, r *Reader, text string) {
	t.Helper()
	res := ingest.Read(r.Catalog, ingest.Options{}, ingest.Input{Name: "extra.csv", R: strings.NewReader(text)})
	if !res.OK() {
		t.Fatalf("refused: %v", res.Problems)
	}
	if _, err := r.Store.Import(context.Background(), store.NewUpload{By: "test", Files: res.Files, Observations: res.Observations}, false); err != nil {
		t.Fatal(err)
	}
}

func TestReader_Funnel_SmallAreasPooled(t *testing.T) {
	r := newBundledReader(t)
	// A made-up authority with few plans in each of three years.
	mustImport(t, r, `indicator,period,geography_code,geography_name,value
cpp_started,2021/22,E06999999,Smallshire,20
cpp_started,2022/23,E06999999,Smallshire,25
cpp_started,2023/24,E06999999,Smallshire,30
cpp_second_or_subsequent,2021/22,E06999999,Smallshire,12
cpp_second_or_subsequent,2022/23,E06999999,Smallshire,14
cpp_second_or_subsequent,2023/24,E06999999,Smallshire,18
cpp_second_or_subsequent_pct,2021/22,E06999999,Smallshire,60
cpp_second_or_subsequent_pct,2022/23,E06999999,Smallshire,56
cpp_second_or_subsequent_pct,2023/24,E06999999,Smallshire,60
`)
	f, err := r.Funnel(context.Background(), mustDefinition(t, "cpp_second_or_subsequent_pct"), indicators.PeriodOf(2024))
	if err != nil {
		t.Fatal(err)
	}
	want := []indicators.Period{indicators.PeriodOf(2022), indicators.PeriodOf(2023), indicators.PeriodOf(2024)}
	if !slices.Equal(f.PooledPeriods, want) {
		t.Errorf("pooled periods %v, want %v", f.PooledPeriods, want)
	}
	a, ok := f.Area("E06999999")
	if !ok {
		t.Fatal("Smallshire is not on the funnel")
	}
	// 18 of 30 (60%) is far above England's 24.7%, but 30 plans make a
	// small year: it is not flagged. Its three years, 44 of 75, are not
	// small, and are placed.
	if !a.Small || a.Outside != "" || a.OutsideBy["99.8"] != "" || a.UnadjustedOutside["95"] != "" {
		t.Errorf("small year flagged: %+v", a)
	}
	if a.UnadjustedOutside["95"] != "" {
		t.Error("flagged against the unadjusted limits")
	}
	if a.Pooled == nil {
		t.Fatal("no pooled figures")
	}
	p := a.Pooled
	if p.Numerator != 44 || p.Denominator != 75 || math.Abs(p.Value-44.0/75*100) > 1e-9 {
		t.Errorf("pooled %v of %v = %v", p.Numerator, p.Denominator, p.Value)
	}
	if p.Outside != "higher" {
		t.Errorf("pooled outside %q, limits %v", p.Outside, p.Limits)
	}
	if f.PooledOverdispersion == nil || f.PooledOverdispersion.Areas < 140 {
		t.Errorf("pooled overdispersion %+v", f.PooledOverdispersion)
	}
	// Rutland (39 plans) is small too; its two earlier years are
	// suppressed, so it has no pooled figure.
	if ru, ok := f.Area("E06000017"); !ok || !ru.Small || ru.Pooled != nil {
		t.Errorf("Rutland: %+v", ru)
	}
	for _, x := range f.Areas {
		if x.Pooled != nil && !x.Small {
			t.Errorf("%s is not small but has pooled figures", x.Name)
		}
	}
}

func TestReader_Funnel_Rate(t *testing.T) {
	r := sharedReader(t)
	// 2023/24, the last year the department published rates for.
	f, err := r.Funnel(context.Background(), mustDefinition(t, "referrals_rate"), indicators.PeriodOf(2024))
	if err != nil {
		t.Fatal(err)
	}
	if f.Period != indicators.PeriodOf(2024) || f.Scale == "" || len(f.Areas) < 140 {
		t.Fatalf("period %v scale %q areas %d", f.Period, f.Scale, len(f.Areas))
	}
	for _, a := range f.Areas {
		if got := a.Numerator / a.Denominator * 10000; math.Abs(got-a.Value) > 1e-9 {
			t.Errorf("%s: rate %v, counts give %v", a.Name, a.Value, got)
		}
		// The department's rates of 2023/24 rest on the population
		// estimates of their day, within a few per cent of today's.
		if a.Published == nil || (a.Denominator > 20000 && math.Abs(*a.Published-a.Value) > 0.05**a.Published) {
			t.Errorf("%s: rate %v from the counts, %v published", a.Name, a.Value, a.Published)
		}
		if l := a.Limits["95"]; !(l[0] < f.Centre && f.Centre < l[1]) {
			t.Errorf("%s: limits %v around %v", a.Name, l, f.Centre)
		}
	}
	// A count with a rate is drawn as its rate.
	g, err := r.Funnel(context.Background(), mustDefinition(t, "cpp_started"), indicators.PeriodOf(2024))
	if err != nil {
		t.Fatal(err)
	}
	if g.Unit != indicators.UnitRate || len(g.Areas) < 140 {
		t.Errorf("cpp_started funnel: unit %q, %d areas", g.Unit, len(g.Areas))
	}
	t.Logf("referrals per 10,000 2023/24: centre %v (%s), %s; outside 95%% adjusted %+v, unadjusted %+v",
		f.Centre, f.CentreSource, f.Overdispersion.Summary, f.Counts.Adjusted["95"], f.Counts.Unadjusted["95"])
}

func TestReader_Funnel_Errors(t *testing.T) {
	r := sharedReader(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		id     string
		period indicators.Period
	}{
		{"no denominator held", "cpp_ended_2yrs_plus_pct", 0},
		{"a count with no rate", "population_0_17", 0},
		{"a year with no local figures", "cpp_second_or_subsequent_pct", indicators.PeriodOf(2005)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Funnel(ctx, mustDefinition(t, tc.id), tc.period)
			var e *indicators.Error
			if !errors.As(err, &e) || e.Code != indicators.ENOTFOUND {
				t.Errorf("err = %v, want ENOTFOUND", err)
			}
		})
	}
}

// A rate the department did not publish for a year is worked out from the
// counts, as for a rate cptrends derives.
func TestReader_Funnel_RateFromCountsAlone(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "cptrends.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := New(st, indicators.Default())
	mustImport(t, r, `indicator,period,geography_code,geography_name,value
referrals,2030/31,E06000001,Hartlepool,2000
referrals,2030/31,E06000002,Middlesbrough,3000
referrals,2030/31,E06000003,Redcar and Cleveland,1500
population_0_17,2030/31,E06000001,Hartlepool,20000
population_0_17,2030/31,E06000002,Middlesbrough,35000
population_0_17,2030/31,E06000003,Redcar and Cleveland,25000
`)
	f, err := r.Funnel(context.Background(), mustDefinition(t, "referrals_rate"), indicators.PeriodOf(2031))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Areas) != 3 || f.Areas[0].Published != nil || math.Abs(f.Areas[0].Value-1000) > 1e-9 {
		t.Fatalf("areas %+v", f.Areas)
	}
	// No England figure that year: the centre is the authorities' counts.
	if want := 6500.0 / 80000 * 10000; math.Abs(f.Centre-want) > 1e-9 || !strings.Contains(f.CentreSource, "authorities") {
		t.Errorf("centre %v (%s), want %v", f.Centre, f.CentreSource, want)
	}
}

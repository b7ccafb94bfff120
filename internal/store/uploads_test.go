package store

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"cptrends/indicators"
)

// TestStore_UploadLifecycle: a previewed upload lists its changes with the
// values they replace, a cancel removes it and nothing else, a rename is
// a revision, and a rollback brings back the earlier value and name.
func TestStore_UploadLifecycle(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	first := mustImport(t, st, obs("referrals", 2014, num(657780), ""), obs("referrals", 2015, num(635600), ""))

	renamed := obs("referrals", 2015, num(635600), "")
	renamed.Geography.Name = "England (renamed)"
	stage := func() Summary {
		t.Helper()
		sum, err := st.Stage(ctx, NewUpload{By: "ana", Files: []File{{Name: "r.csv", SHA256: "y", Rows: 3}},
			Observations: []indicators.Observation{obs("referrals", 2016, num(621470), ""), obs("referrals", 2014, num(1), ""), renamed}})
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}

	sum := stage()
	if sum.Added != 1 || sum.Revised != 2 || sum.Unchanged != 0 {
		t.Fatalf("preview = %+v; want 1 added, 2 revised (a value and a name)", sum)
	}
	changes, err := st.Changes(ctx, sum.UploadID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]string{}
	for _, c := range changes {
		s := c.Kind + " " + c.New.Geography.Name
		if c.Old != nil {
			s += " from " + indicators.FormatNumber(*c.Old.Value, 0)
		}
		got[int(c.New.Period)] = s
	}
	want := map[int]string{2014: "revised England from 657,780", 2015: "revised England (renamed) from 635,600", 2016: "added England"}
	if len(got) != 3 || got[2014] != want[2014] || got[2015] != want[2015] || got[2016] != want[2016] {
		t.Fatalf("changes = %v, want %v", got, want)
	}

	if err := st.Cancel(ctx, sum.UploadID, "ana"); err != nil {
		t.Fatal(err)
	}
	var rows int
	st.db.QueryRow(`SELECT count(*) FROM figures`).Scan(&rows)
	if v := values(t, st, "referrals"); rows != 2 || len(v) != 2 || v[2014] != "657,780.0" {
		t.Fatalf("after cancel: %d rows, values %v; want the first upload's two", rows, v)
	}

	sum = stage()
	if err := st.Commit(ctx, sum.UploadID); err != nil {
		t.Fatal(err)
	}
	current, _ := st.Observations(ctx, "referrals", indicators.EnglandCode)
	if len(current) != 3 || current[0].Earlier == nil || current[1].Geography.Name != "England (renamed)" {
		t.Fatalf("after commit: %+v", current)
	}
	if err := st.Rollback(ctx, sum.UploadID, "ana"); err != nil {
		t.Fatal(err)
	}
	current, _ = st.Observations(ctx, "referrals", indicators.EnglandCode)
	if len(current) != 2 || *current[0].Value != 657780 || current[1].Geography.Name != "England" {
		t.Fatalf("after rollback: %+v; want upload %d's figures and name", current, first.UploadID)
	}
}

// TestChunk_Sort: figures come out in key order whatever order they went in.
func TestChunk_Sort(t *testing.T) {
	order := func(a, b figure) int {
		if a.series != b.series {
			return int(a.series - b.series)
		}
		return int(a.period - b.period)
	}
	for _, spread := range []int64{10, 1000, 1 << 40} { // dense series, and sparse ones
		c := &chunk{}
		for range 5000 {
			c.rows = append(c.rows, figure{series: 1 + rand.Int64N(spread), period: indicators.Period(1990 + rand.IntN(40)), value: rand.Float64()})
		}
		want := slices.Clone(c.rows)
		slices.SortStableFunc(want, order)
		c.sort()
		if !slices.IsSortedFunc(c.rows, order) || len(c.rows) != len(want) {
			t.Fatalf("spread %d: not sorted", spread)
		}
		for i := range want {
			if order(c.rows[i], want[i]) != 0 {
				t.Fatalf("spread %d: figure %d = %+v, want %+v", spread, i, c.rows[i], want[i])
			}
		}
	}
}

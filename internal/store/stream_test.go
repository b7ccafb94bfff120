package store

import (
	"context"
	"errors"
	"testing"

	"cptrends/indicators"
)

func TestStore_ImportStream(t *testing.T) {
	ctx := context.Background()
	count := func(t *testing.T, st *Store) (uploads, rows int) {
		t.Helper()
		st.db.QueryRow(`SELECT count(*) FROM uploads`).Scan(&uploads)
		st.db.QueryRow(`SELECT count(*) FROM observations`).Scan(&rows)
		return uploads, rows
	}
	fill := func(o []indicators.Observation, err error) func(func(indicators.Observation) error) ([]File, error) {
		return func(add func(indicators.Observation) error) ([]File, error) {
			for _, x := range o {
				if err := add(x); err != nil {
					return nil, err
				}
			}
			return []File{{Name: "t.csv", SHA256: "x", Rows: len(o)}}, err
		}
	}

	t.Run("OK", func(t *testing.T) {
		st, _ := newTestStore(t)
		mustImport(t, st, obs("referrals", 2014, num(657780), ""), obs("referrals", 2015, num(1), ""))
		var changes []Change
		// More than one chunk, with revised, unchanged and added cells.
		many := []indicators.Observation{obs("referrals", 2014, num(657780), ""), obs("referrals", 2015, nil, "c")}
		for y := 1980; len(many) < streamChunk+10; y++ {
			for _, id := range []string{"cpp_started", "cpp_at_31_march"} {
				o := obs(id, y, num(float64(y)), "")
				o.Geography = indicators.Geography{Code: "E05000001", Name: "Ward", Level: indicators.LevelLocal}
				if y > 2100 {
					o.Geography.Code = "E05000002"
					o.Period = indicators.Period(y - 100)
				}
				many = append(many, o)
			}
		}
		sum, err := st.ImportStream(ctx, StreamUpload{By: "test", OnRevision: func(c Change) { changes = append(changes, c) }}, fill(many, nil))
		if err != nil {
			t.Fatal(err)
		}
		if sum.Unchanged != 1 || sum.Revised != 1 || sum.Added != len(many)-2 || sum.UploadID == 0 || sum.Changes != nil {
			t.Fatalf("summary = %+v", sum)
		}
		if len(changes) != 1 || changes[0].New.Period != 2015 || changes[0].Old.Value == nil || *changes[0].Old.Value != 1 {
			t.Fatalf("OnRevision was told of %+v; want the one revision, of 2014/15 from 1", changes)
		}
		// Added: the other 2 x 2 areas' worth of cpp_started and cpp_at_31_march.
		var total int
		for _, g := range sum.AddedGroups {
			if g.Level != indicators.LevelLocal || g.Areas != 2 || g.First != 1980 {
				t.Errorf("added group %+v; want 2 local areas from 1979/80", g)
			}
			total += g.Values
		}
		if len(sum.AddedGroups) != 2 || sum.AddedGroups[0].Indicator != "cpp_at_31_march" || total != sum.Added {
			t.Fatalf("added groups = %+v; want cpp_at_31_march then cpp_started, %d values in all", sum.AddedGroups, sum.Added)
		}
		if got := values(t, st, "referrals"); got[2015] != "c" {
			t.Fatalf("values = %v", got)
		}
		ups, err := st.Uploads(ctx)
		if err != nil || len(ups) != 2 || ups[0].Added != len(many)-2 || len(ups[0].Files) != 1 {
			t.Fatalf("uploads = %+v, %v", ups, err)
		}
	})
	t.Run("DryRun", func(t *testing.T) {
		st, _ := newTestStore(t)
		sum, err := st.ImportStream(ctx, StreamUpload{By: "test", DryRun: true}, fill([]indicators.Observation{obs("referrals", 2014, num(1), "")}, nil))
		if err != nil || sum.Added != 1 {
			t.Fatalf("dry run: %+v, %v", sum, err)
		}
		if u, r := count(t, st); u != 0 || r != 0 {
			t.Fatalf("a dry run wrote %d uploads, %d rows", u, r)
		}
	})
	t.Run("ErrFill", func(t *testing.T) {
		st, _ := newTestStore(t)
		refused := errors.New("refused")
		var many []indicators.Observation
		for y := 1980; y < 2100; y++ {
			many = append(many, obs("referrals", y, num(1), ""))
		}
		_, err := st.ImportStream(ctx, StreamUpload{By: "test"}, fill(many, refused))
		if !errors.Is(err, refused) {
			t.Fatalf("err = %v, want %v", err, refused)
		}
		if u, r := count(t, st); u != 0 || r != 0 {
			t.Fatalf("a refused import wrote %d uploads, %d rows", u, r)
		}
	})
	t.Run("ErrWrite", func(t *testing.T) {
		st, _ := newTestStore(t)
		// The same cell twice is refused by the primary key; add then
		// reports the error, and nothing is written.
		dup := make([]indicators.Observation, 3*streamChunk)
		for i := range dup {
			dup[i] = obs("referrals", 2014, num(1), "")
		}
		if _, err := st.ImportStream(ctx, StreamUpload{By: "test"}, fill(dup, nil)); err == nil {
			t.Fatal("no error for a cell given twice")
		}
		if u, r := count(t, st); u != 0 || r != 0 {
			t.Fatalf("a failed import wrote %d uploads, %d rows", u, r)
		}
	})
}

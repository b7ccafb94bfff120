package store

import (
	"context"
	"strings"
	"testing"

	"cptrends/indicators"
)

func TestStore_CreateSnapshot(t *testing.T) {
	ctx := context.Background()
	newSnap := func(v int64) Snapshot {
		return Snapshot{Subject: "referrals", Geography: indicators.EnglandCode, Indicators: []string{"referrals"},
			Title: "Before the autumn release", Comment: "For the panel", CreatedBy: "vic", DataVersion: v, Content: []byte(`{"figures":[]}`)}
	}
	t.Run("OK", func(t *testing.T) {
		st, _ := newTestStore(t)
		mustImport(t, st, obs("referrals", 2015, num(635620), ""))
		v, err := st.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		made, err := st.CreateSnapshot(ctx, newSnap(v))
		if err != nil {
			t.Fatal(err)
		}
		if !ValidSnapshotID(made.ID) {
			t.Fatalf("id %q is not a valid snapshot id", made.ID)
		}
		got, err := st.Snapshot(ctx, made.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Before the autumn release" || got.CreatedBy != "vic" || got.DataVersion != v ||
			string(got.Content) != `{"figures":[]}` || strings.Join(got.Indicators, ",") != "referrals" || got.CreatedAt.IsZero() {
			t.Errorf("snapshot read back = %+v", got)
		}
		list, err := st.Snapshots(ctx)
		if err != nil || len(list) != 1 || list[0].ID != made.ID || list[0].Content != nil {
			t.Errorf("Snapshots = %+v, %v; want the one, without content", list, err)
		}
	})
	t.Run("RandomIDs", func(t *testing.T) {
		st, _ := newTestStore(t)
		a, err := st.CreateSnapshot(ctx, newSnap(0))
		if err != nil {
			t.Fatal(err)
		}
		b, err := st.CreateSnapshot(ctx, newSnap(0))
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == b.ID {
			t.Errorf("two snapshots share id %s", a.ID)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		st, _ := newTestStore(t)
		mustImport(t, st, obs("referrals", 2015, num(635620), ""))
		if _, err := st.CreateSnapshot(ctx, newSnap(0)); indicators.ErrorCode(err) != indicators.ECONFLICT {
			t.Errorf("snapshot of an out-of-date version: err = %v, want a conflict", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		st, _ := newTestStore(t)
		sn := newSnap(0)
		sn.Title = strings.Repeat("x", MaxSnapshotTitle+1)
		if _, err := st.CreateSnapshot(ctx, sn); indicators.ErrorCode(err) != indicators.EINVALID {
			t.Errorf("long title: err = %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		st, _ := newTestStore(t)
		for _, id := range []string{"", "../../etc/passwd", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"} {
			if _, err := st.Snapshot(ctx, id); indicators.ErrorCode(err) != indicators.ENOTFOUND {
				t.Errorf("Snapshot(%q): err = %v, want not found", id, err)
			}
		}
	})
	t.Run("Immutable", func(t *testing.T) {
		st, _ := newTestStore(t)
		made, err := st.CreateSnapshot(ctx, newSnap(0))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.db.ExecContext(ctx, `UPDATE snapshots SET content = 'x' WHERE id = ?`, made.ID); err == nil {
			t.Error("a snapshot was changed")
		}
	})
}

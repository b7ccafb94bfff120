package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"cptrends/indicators"
)

// TestStore_Durable: every pooled connection syncs at each commit
// (synchronous=FULL in WAL mode), so an acknowledged commit survives a
// power loss (finding 12).
func TestStore_Durable(t *testing.T) {
	st, _ := newTestStore(t)
	ctx := context.Background()
	if st.Postgres() {
		// A commit is acknowledged once its WAL record is flushed.
		var sync string
		if err := st.db.QueryRowContext(ctx, `SHOW synchronous_commit`).Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if sync != "on" && sync != "remote_apply" && sync != "remote_write" {
			t.Errorf("synchronous_commit = %s; want on", sync)
		}
		return
	}
	// Several connections at once, so that more than one of the pool is asked.
	var conns []interface{ Close() error }
	for range 3 {
		c, err := st.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var level int
		var mode string
		if err := c.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&level); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if level != 2 || mode != "wal" {
			t.Errorf("synchronous = %d, journal_mode = %s; want 2 (FULL) and wal", level, mode)
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

// TestStore_CommitRechecksUnchanged: a cell the preview called unchanged
// that another upload changes before commit makes the commit refuse, as a
// revised or added one does (finding 8).
func TestStore_CommitRechecksUnchanged(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	mustImport(t, st, obs("referrals", 2014, num(100), ""), obs("referrals", 2015, num(200), ""))
	preview, err := st.Stage(ctx, NewUpload{By: "ana", Observations: []indicators.Observation{
		obs("referrals", 2014, num(100), ""), // unchanged
		obs("referrals", 2016, num(300), ""), // added
	}})
	if err != nil {
		t.Fatal(err)
	}
	if preview.Unchanged != 1 || preview.Added != 1 {
		t.Fatalf("preview = %+v", preview)
	}
	// Another analyst's commit revises the cell the preview left alone.
	mustImport(t, st, obs("referrals", 2014, num(111), ""))
	err = st.Commit(ctx, preview.UploadID)
	if indicators.ErrorCode(err) != indicators.ECONFLICT || !strings.Contains(indicators.ErrorMessage(err), "out of date") {
		t.Fatalf("commit of a stale preview = %v, want a conflict saying the preview is out of date", err)
	}
	if v := values(t, st, "referrals"); v[2014] != "111.0" || v[2016] != "" {
		t.Errorf("after the refused commit: %v", v)
	}

	// A fresh preview of the same file commits, once the analyst confirms
	// that it puts back the 2013/14 figure the other upload revised.
	fresh, err := st.Stage(ctx, NewUpload{By: "ana", Observations: []indicators.Observation{
		obs("referrals", 2014, num(100), ""), obs("referrals", 2016, num(300), "")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(ctx, fresh.UploadID); indicators.ErrorCode(err) != indicators.ECONFLICT {
		t.Fatalf("commit of a preview that reverts a revision without confirmation = %v, want a conflict", err)
	}
	if err := st.CommitConfirmed(ctx, fresh.UploadID); err != nil {
		t.Fatal(err)
	}
	if v := values(t, st, "referrals"); v[2014] != "100.0" || v[2016] != "300.0" {
		t.Errorf("after commit: %v", v)
	}
}

func hackney(region string, period int) LACode {
	return LACode{New: "E09000012", Old: "204", Name: "Hackney", RegionCode: region, RegionName: "Somewhere", LastPeriod: indicators.Period(period)}
}

// TestStore_LACodesWithUploads: the codes an upload carries count only
// while it is committed: not while pending, not once cancelled, not after
// a rollback, which brings back the ones before; and codes that are not
// sound are refused with the upload (finding 1).
func TestStore_LACodesWithUploads(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	if err := st.SaveLACodes(ctx, []LACode{hackney("E13000001", 2024)}); err != nil {
		t.Fatal(err)
	}
	region := func() string {
		t.Helper()
		codes, err := st.LACodes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return codes["E09000012"].RegionCode
	}
	claim := NewUpload{By: "mallory", Observations: []indicators.Observation{obs("referrals", 2100, num(1), "")},
		LACodes: []LACode{hackney("E12000001", 2100)}}

	pending, err := st.Stage(ctx, claim)
	if err != nil {
		t.Fatal(err)
	}
	if r := region(); r != "E13000001" {
		t.Errorf("a pending upload moved Hackney to %s", r)
	}
	if err := st.Cancel(ctx, pending.UploadID, "mallory"); err != nil {
		t.Fatal(err)
	}
	if r := region(); r != "E13000001" {
		t.Errorf("a cancelled upload moved Hackney to %s", r)
	}
	var left int
	st.db.QueryRow(`SELECT count(*) FROM upload_la_codes`).Scan(&left)
	if left != 0 {
		t.Errorf("a cancelled upload left %d codes", left)
	}

	sum, err := st.Import(ctx, claim, false)
	if err != nil {
		t.Fatal(err)
	}
	if r := region(); r != "E12000001" {
		t.Errorf("after commit Hackney is in %s, want the upload's E12000001", r)
	}
	if err := st.Rollback(ctx, sum.UploadID, "ana"); err != nil {
		t.Fatal(err)
	}
	if r := region(); r != "E13000001" {
		t.Errorf("after rollback Hackney is in %s, want E13000001 back", r)
	}

	for _, bad := range []LACode{
		{New: "E09000012", Old: "204", Name: "Hackney\nData version: 999999", RegionCode: "E13000001", RegionName: "Inner London", LastPeriod: 2024},
		{New: "E09000012", Old: "204", Name: "Hackney", RegionCode: "E13000001", RegionName: strings.Repeat("x", indicators.MaxNameLength+1), LastPeriod: 2024},
		{New: "E09000012", Old: "204", Name: "Hackney", RegionCode: "North East", RegionName: "North East", LastPeriod: 2024},
		{New: "Hackney", Old: "204", Name: "Hackney", RegionCode: "E13000001", RegionName: "Inner London", LastPeriod: 2024},
		{New: "E09000012", Old: "20", Name: "Hackney", RegionCode: "E13000001", RegionName: "Inner London", LastPeriod: 2024},
	} {
		up := NewUpload{By: "mallory", Observations: []indicators.Observation{obs("referrals", 2030, num(1), "")}, LACodes: []LACode{bad}}
		if _, err := st.Import(ctx, up, false); indicators.ErrorCode(err) != indicators.EINVALID {
			t.Errorf("codes %+v: import = %v, want refused", bad, err)
		}
		if err := st.SaveLACodes(ctx, []LACode{bad}); indicators.ErrorCode(err) != indicators.EINVALID {
			t.Errorf("codes %+v: save = %v, want refused", bad, err)
		}
	}
	if v := values(t, st, "referrals"); v[2030] != "" {
		t.Error("an upload with unsound codes wrote its figures")
	}
}

// TestStore_SnapshotQuota: an account that keeps the most snapshots it
// may is refused another until an admin deletes some (finding 4).
func TestStore_SnapshotQuota(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	old := timestamp(time.Now().Add(-72 * time.Hour))
	tx, _ := st.db.Begin()
	var first string
	for i := range SnapshotQuota {
		id, _ := newSnapshotID()
		if i == 0 {
			first = id
		}
		if _, err := tx.Exec(`INSERT INTO snapshots (id, subject, geography_code, indicators, title, created_by, created_at, data_version, content)
			VALUES (?, 'referrals', 'E92000001', 'referrals', 't', 'vic', ?, 0, ?)`, id, old, []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	v, _ := st.DataVersion(ctx)
	_, err := st.CreateSnapshot(ctx, Snapshot{Subject: "referrals", Geography: "E92000001", Title: "t", CreatedBy: "vic", DataVersion: v, Content: []byte("{}")})
	var limit *SnapshotLimitError
	if !errors.As(err, &limit) || limit.RetryAfter != 0 {
		t.Fatalf("snapshot over the quota = %v, want the quota refusal", err)
	}
	if _, err := st.CreateSnapshot(ctx, Snapshot{Subject: "referrals", Geography: "E92000001", Title: "t", CreatedBy: "other", DataVersion: v, Content: []byte("{}")}); err != nil {
		t.Errorf("another account = %v", err)
	}
	if err := st.DeleteSnapshot(ctx, first, "ada"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Snapshot(ctx, first); indicators.ErrorCode(err) != indicators.ENOTFOUND {
		t.Errorf("a deleted snapshot = %v, want not found", err)
	}
	if _, err := st.CreateSnapshot(ctx, Snapshot{Subject: "referrals", Geography: "E92000001", Title: "t", CreatedBy: "vic", DataVersion: v, Content: []byte("{}")}); err != nil {
		t.Errorf("after a deletion = %v, want room for one more", err)
	}
	del, err := st.DeletedSnapshots(ctx)
	if err != nil || len(del) != 1 || del[0].ID != first || del[0].DeletedBy != "ada" || del[0].CreatedBy != "vic" {
		t.Errorf("deleted snapshots = %+v, %v", del, err)
	}
}

// TestStore_UploadWarnings: a preview of a file loaded before, or of
// figures a later upload revised, says so, and its commit needs the
// analyst's confirmation; a preview with neither commits as it is.
func TestStore_UploadWarnings(t *testing.T) {
	ctx := context.Background()
	st, _ := newTestStore(t)
	file := func(sum string) []File { return []File{{Name: "release.csv", SHA256: sum, Size: 10, Rows: 1}} }
	stage := func(sum string, o ...indicators.Observation) int64 {
		t.Helper()
		s, err := st.Stage(ctx, NewUpload{By: "ana", Files: file(sum), Observations: o})
		if err != nil {
			t.Fatal(err)
		}
		return s.UploadID
	}
	first := stage("aaaa", obs("referrals", 2022, num(23.3), ""))
	if err := st.Commit(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := stage("bbbb", obs("referrals", 2022, num(22.7), ""))
	if w, err := st.UploadWarnings(ctx, second); err != nil || w.Any() {
		t.Fatalf("a revision by a new file warns: %+v, %v", w, err)
	}
	if err := st.Commit(ctx, second); err != nil {
		t.Fatal(err)
	}
	again := stage("aaaa", obs("referrals", 2022, num(23.3), ""))
	w, err := st.UploadWarnings(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.SameFiles) != 1 || w.SameFiles[0].EarlierID != first || w.Reverts != 1 ||
		w.Examples[0].Period != indicators.PeriodOf(2022) || w.Examples[0].RevisedBy != second {
		t.Fatalf("warnings = %+v", w)
	}
	if err := st.Commit(ctx, again); indicators.ErrorCode(err) != indicators.ECONFLICT {
		t.Fatalf("unconfirmed commit = %v, want a conflict", err)
	}
	if v := values(t, st, "referrals"); v[2022] != "22.7" {
		t.Fatalf("the refused commit changed the figure: %v", v)
	}
	if err := st.CommitConfirmed(ctx, again); err != nil {
		t.Fatal(err)
	}
	if v := values(t, st, "referrals"); v[2022] != "23.3" {
		t.Errorf("after the confirmed commit: %v", v)
	}
}

package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cptrends/indicators"
	"cptrends/internal/store"
)

// newAuthorityEES is a later release's file with an authority the bundled
// data has never seen.
const newAuthorityEES = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,Referrals,Referrals_rate\n" +
	"2026,Reporting year,Local authority,E92000001,England,E12000002,North West,998,E06000099,Newtown,1234,456.7\n"

// TestUploadRecordsNewAuthority: an upload records the codes and region
// of an authority new in its release, as the bundled load does, so the
// picker places it under its region; but only once committed, and only
// while it stands: a preview or a cancelled one leaves nothing, a
// rollback takes them back.
func TestUploadRecordsNewAuthority(t *testing.T) {
	ts, st := newAuthServer(t)
	b := newBrowser(t, ts)
	b.login("ana", "correct horse battery")
	newtown := func() store.LACode {
		t.Helper()
		codes, err := st.LACodes(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return codes["E06000099"]
	}
	preview := func() string {
		t.Helper()
		code, body := b.upload(b.token("/uploads"), map[string]string{"later_release.csv": newAuthorityEES})
		if code != http.StatusOK {
			t.Fatalf("upload = %d\n%s", code, body)
		}
		m := regexp.MustCompile(`/uploads/(\d+)/commit`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no commit form on the preview")
		}
		return "/uploads/" + m[1]
	}
	up := preview()
	if c := newtown(); c.New != "" {
		t.Fatalf("a preview recorded Newtown's codes: %+v", c)
	}
	if code, _ := b.post(up+"/cancel", url.Values{"csrf_token": {b.token(up)}}); code != http.StatusOK {
		t.Fatalf("cancel = %d", code)
	}
	if c := newtown(); c.New != "" {
		t.Fatalf("a cancelled preview left Newtown's codes: %+v", c)
	}
	up = preview()
	if code, _ := b.post(up+"/commit", url.Values{"csrf_token": {b.token(up)}}); code != http.StatusOK {
		t.Fatalf("commit = %d", code)
	}
	if c := newtown(); c.Old != "998" || c.Name != "Newtown" || c.RegionCode != "E12000002" {
		t.Errorf("Newtown's codes after commit = %+v", c)
	}
	if code, _ := b.post(up+"/rollback", url.Values{"csrf_token": {b.token(up)}}); code != http.StatusOK {
		t.Fatalf("rollback = %d", code)
	}
	if c := newtown(); c.New != "" {
		t.Errorf("a rolled back upload left Newtown's codes: %+v", c)
	}
}

// TestUploadLAIT: a LAIT file, which names authorities by three-digit code
// alone, is read by the codes recorded so far; an authority not known is
// refused at its line and column, and nothing is staged.
func TestUploadLAIT(t *testing.T) {
	ts, st := newAuthServer(t)
	b := newBrowser(t, ts)
	b.login("ana", "correct horse battery")
	const lait = "Short Desc,Data item,Years,LA and Regions,Values,LA Number,Region\n" +
		"CPPlans2yrs,Child Protection Plans lasting 2 years or more,2025,Hackney,2.7000000000000002,204,Inner London\n"
	code, body := b.upload(b.token("/uploads"), map[string]string{"lait.csv": lait})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "lait.csv") || !strings.Contains(body, "LA Number") || !strings.Contains(body, "old_la_code of any local authority known") {
		t.Fatalf("with no authority codes recorded: upload = %d, want 422 citing lait.csv's LA Number\n%s", code, body)
	}
	if err := st.SaveLACodes(context.Background(), []store.LACode{{New: "E09000012", Old: "204", Name: "Hackney",
		RegionCode: "E13000001", RegionName: "Inner London", LastPeriod: indicators.PeriodOf(2025)}}); err != nil {
		t.Fatal(err)
	}
	code, body = b.upload(b.token("/uploads"), map[string]string{"lait.csv": lait})
	if code != http.StatusOK || !strings.Contains(body, `id="count-added">1<`) || !strings.Contains(body, "Hackney") {
		t.Fatalf("upload = %d, want a preview adding Hackney's 1 value\n%s", code, body)
	}
}

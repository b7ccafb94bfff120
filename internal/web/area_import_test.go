package web

import (
	"context"
	"net/http"
	"testing"
)

// newAuthorityEES is a later release's file with an authority the bundled
// data has never seen.
const newAuthorityEES = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,Referrals,Referrals_rate\n" +
	"2026,Reporting year,Local authority,E92000001,England,E12000002,North West,998,E06000099,Newtown,1234,456.7\n"

// TestUploadRecordsNewAuthority: an upload records the codes and region
// of an authority new in its release, as the bundled load does, so the
// picker places it under its region.
func TestUploadRecordsNewAuthority(t *testing.T) {
	ts, st := newAuthServer(t)
	b := newBrowser(t, ts)
	b.login("ana", "correct horse battery")
	code, body := b.upload(b.token("/uploads"), map[string]string{"later_release.csv": newAuthorityEES})
	if code != http.StatusOK {
		t.Fatalf("upload = %d\n%s", code, body)
	}
	codes, err := st.LACodes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c := codes["E06000099"]; c.Old != "998" || c.Name != "Newtown" || c.RegionCode != "E12000002" {
		t.Errorf("Newtown's codes = %+v", c)
	}
}

package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cptrends/internal/store"

	"github.com/PuerkitoBio/goquery"
)

// TestUpload_ReuploadWarns: the 2024 release uploaded again on a new
// installation (which loaded it, then the 2025 release that revised
// England's 2021/22 second or subsequent plans from 23.3% to 22.7%) says
// at the top of its preview that the file was loaded before and that it
// would put that revision back; its commit needs the analyst's explicit
// confirmation, and without it nothing changes.
func TestUpload_ReuploadWarns(t *testing.T) {
	srv, st := newAreaTestServer(t)
	if _, err := st.AddUser(context.Background(), "ana", store.RoleAnalyst, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	b := newBrowser(t, ts)
	b.login("ana", "correct horse battery")
	file, err := os.ReadFile(filepath.Join("..", "..", "testdata", "ees", "d3_cpps_subsequent_plan_2013_to_2024.csv"))
	if err != nil {
		t.Fatal(err)
	}
	code, body := b.upload(b.token("/uploads"), map[string]string{"d3_cpps_subsequent_plan_2013_to_2024.csv": string(file)})
	if code != http.StatusOK {
		t.Fatalf("upload = %d\n%s", code, body)
	}
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	warning := d.Find("#upload-warning").Text()
	if !strings.Contains(warning, "same file (the same SHA-256)") || !strings.Contains(warning, "put back") {
		t.Errorf("preview warning = %q", strings.Join(strings.Fields(warning), " "))
	}
	if !strings.Contains(d.Find("table.app-reverts").Text(), "E92000001") || !strings.Contains(d.Find("table.app-reverts").Text(), "23.3%") {
		t.Errorf("reverts table does not list England's 2021/22 23.3%%: %q", strings.Join(strings.Fields(d.Find("table.app-reverts").Text()), " "))
	}
	m := regexp.MustCompile(`/uploads/(\d+)/commit`).FindStringSubmatch(body)
	if m == nil || d.Find(`input[name="confirm"][type="checkbox"]`).Length() != 1 {
		t.Fatal("no commit form with a confirmation on the preview")
	}
	up := "/uploads/" + m[1]
	if code, _ := b.post(up+"/commit", url.Values{"csrf_token": {b.token(up)}}); code != http.StatusConflict {
		t.Errorf("commit without confirmation = %d, want 409", code)
	}
	if got := englandSecondPlans(t, b); got != 22.7 {
		t.Fatalf("after the refused commit England's 2021/22 = %v, want 22.7", got)
	}
	if code, _ := b.post(up+"/commit", url.Values{"csrf_token": {b.token(up)}, "confirm": {"yes"}}); code != http.StatusOK {
		t.Fatalf("confirmed commit = %d", code)
	}
	if got := englandSecondPlans(t, b); got != 23.3 {
		t.Errorf("after the confirmed commit England's 2021/22 = %v, want 23.3", got)
	}
}

func englandSecondPlans(t *testing.T, b *browser) float64 {
	t.Helper()
	_, body := b.get("/api/indicators/cpp_second_or_subsequent_pct")
	var s struct {
		Points []struct {
			Period string   `json:"period"`
			Value  *float64 `json:"value"`
		} `json:"points"`
	}
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatal(err)
	}
	for _, p := range s.Points {
		if p.Period == "2021/22" && p.Value != nil {
			return *p.Value
		}
	}
	return 0
}

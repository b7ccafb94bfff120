package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestGlancePages: an indicator page says which DfE release its figures
// come from beside when they were loaded here; a table quotes each
// secondary source once, numbered, under it, not on every row.
func TestGlancePages(t *testing.T) {
	srv, _ := newAreaTestServer(t)
	d := mustDoc(t, srv, "/indicators/cpp_at_31_march")
	if got := strings.TrimSpace(d.Find(".app-release").Text()); got != "In the reporting year 2025 release (figures to 31 March 2025)" {
		t.Errorf("release %q", got)
	}
	if !strings.Contains(d.Find("main").Text(), "Loaded into this dashboard on") {
		t.Error("no date the figures were loaded")
	}
	table := d.Find("table.app-data-table").First()
	if n := strings.Count(table.Text(), "Secondary source:"); n != 0 {
		t.Errorf("%d rows still quote their source in full", n)
	}
	cites := d.Find(".app-citations li")
	if cites.Length() == 0 {
		t.Fatal("no list of secondary sources under the table")
	}
	seen := map[string]bool{}
	for i := range cites.Length() {
		c := strings.TrimSpace(cites.Eq(i).Text())
		if seen[c] {
			t.Errorf("source %q listed twice", c)
		}
		seen[c] = true
	}
	if table.Find(".app-cites").Length() == 0 || table.Find(".app-secondary").Length() == 0 {
		t.Error("secondary rows are not marked or do not name their source")
	}
}

// TestSnapshotListNamesArea: the list of snapshots says which area each
// is of.
func TestSnapshotListNamesArea(t *testing.T) {
	ts, _ := newAuthServer(t)
	b := newBrowser(t, ts)
	b.login("vic", viewerPassword)
	b.mustSnapshot("referrals", "Referrals for the panel")
	code, body := b.get("/snapshots")
	if code != http.StatusOK {
		t.Fatalf("GET /snapshots = %d", code)
	}
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(d.Find("thead th").Eq(1).Text()); got != "Area" {
		t.Errorf("second column %q, want Area", got)
	}
	if got := strings.TrimSpace(d.Find("tbody tr").First().Find("td").First().Text()); got != "England" {
		t.Errorf("the snapshot's area is %q, want England", got)
	}
}

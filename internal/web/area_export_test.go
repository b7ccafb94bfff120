package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"cptrends/indicators"
	"cptrends/internal/store"

	"github.com/PuerkitoBio/goquery"
)

// camdenSet is how every export of Camden's comparison names its
// neighbours.
const camdenSet = "Statistical neighbours: DfE statistical neighbours, 2025 model (Islington, Westminster, Hammersmith and Fulham, Southwark, Lambeth, Kensington and Chelsea, Lewisham, Haringey, Hackney, Barnet)"

func TestAreaExports(t *testing.T) {
	srv, st := newAreaTestServer(t)

	t.Run("CSV", func(t *testing.T) {
		rec := get(t, srv, "/indicators/referrals.csv?area=E09000007")
		rows, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("csv: %v, %d rows", err, len(rows))
		}
		last := slices.Index(rows[0], "statistical_neighbours")
		if last < 0 || rows[1][2] != "E09000007" || rows[1][last] != camdenSet {
			t.Errorf("header %q, first row %q", rows[0], rows[1])
		}
		eng, _ := csv.NewReader(get(t, srv, "/indicators/referrals.csv").Body).ReadAll()
		if eng[1][last] != "" {
			t.Errorf("England's CSV names neighbours: %q", eng[1][last])
		}
	})

	t.Run("JSON", func(t *testing.T) {
		var got struct {
			Geography  struct{ Code string }
			Neighbours string `json:"statistical_neighbours"`
		}
		if err := json.Unmarshal(get(t, srv, "/indicators/cpp_second_or_subsequent_pct.json?area=E09000007").Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if got.Geography.Code != "E09000007" || got.Neighbours != camdenSet {
			t.Errorf("geography %q, neighbours %q", got.Geography.Code, got.Neighbours)
		}
		if body := get(t, srv, "/indicators/referrals.json").Body.String(); strings.Contains(body, "statistical_neighbours") {
			t.Error("England's JSON names neighbours")
		}
		// A count with no rate has no comparison, so no neighbour set.
		if body := get(t, srv, "/indicators/cpp_at_31_march.json?area=E09000007").Body.String(); strings.Contains(body, "statistical_neighbours") && !strings.Contains(body, camdenSet) {
			t.Error("a neighbour set that is not Camden's")
		}
	})

	t.Run("Zip", func(t *testing.T) {
		rec := get(t, srv, "/indicators/referrals.zip?area=E09000007")
		zr, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			r, _ := f.Open()
			b, _ := io.ReadAll(r)
			r.Close()
			if !strings.Contains(string(b), camdenSet) {
				t.Errorf("%s does not name the neighbour set", f.Name)
			}
			if f.Name == "metadata.txt" && !strings.Contains(string(b), "Geography: Camden (E09000007)") {
				t.Errorf("metadata.txt is not Camden's:\n%s", b)
			}
		}
	})

	t.Run("ImageText", func(t *testing.T) {
		d := mustDoc(t, srv, "/indicators/referrals?area=E09000007")
		ch := d.Find(".app-compare .app-chart")
		notes, _ := ch.Attr("data-export-notes")
		stamp, _ := ch.Attr("data-export-stamp")
		sub, _ := ch.Attr("data-export-subtitle")
		if !strings.HasPrefix(notes, camdenSet) || stamp == "" || !strings.HasPrefix(sub, "Camden, ") {
			t.Errorf("image text: subtitle %q, notes %q, stamp %q", sub, notes, stamp)
		}
		// Hackney's own gaps are explained in its picture.
		notes, _ = mustDoc(t, srv, "/indicators/referrals?area=E09000012").Find(".app-compare .app-chart").Attr("data-export-notes")
		if !strings.Contains(notes, "Statistical neighbours: DfE statistical neighbours, 2025 model (Southwark,") || !strings.Contains(notes, "x = not available") {
			t.Errorf("Hackney's image notes = %q", notes)
		}
		for _, a := range []string{"json", "zip", "csv"} {
			if d.Find(`a[href="/indicators/referrals.`+a+`?area=E09000007"]`).Length() != 1 {
				t.Errorf("the %s download does not keep the area", a)
			}
		}
	})

	t.Run("Snapshot", func(t *testing.T) {
		if _, err := st.AddUser(context.Background(), "vic", store.RoleViewer, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)
		b := newBrowser(t, ts)
		b.login("vic", "correct horse battery")
		code, loc := b.snapshot(url.Values{"indicator": {"referrals"}, "geography": {"E09000007"}, "title": {"Camden"},
			"csrf_token": {b.token("/indicators/referrals?area=E09000007")}})
		if code != http.StatusSeeOther || !snapshotPath.MatchString(loc) {
			t.Fatalf("snapshot = %d %q", code, loc)
		}
		code, body := b.get(loc)
		if code != http.StatusOK {
			t.Fatalf("GET %s = %d", loc, code)
		}
		// The offline file, rendered from the same document without its
		// inlined scripts.
		sn, doc, err := srv.loadSnapshot(context.Background(), strings.TrimPrefix(loc, "/snapshots/"))
		if err != nil {
			t.Fatal(err)
		}
		var file bytes.Buffer
		if err := srv.pages.sets["snapshot_show"].ExecuteTemplate(&file, "offline", snapshotFilePage{Snap: sn, Doc: doc, Files: &offlineFiles{}}); err != nil {
			t.Fatal(err)
		}
		for name, page := range map[string]string{"page": body, "offline file": file.String()} {
			if !strings.Contains(page, "Statistical neighbours (DfE statistical neighbours, 2025 model)") || !strings.Contains(page, "app-compare-table") ||
				!strings.Contains(page, `data-neighbour-set="`+camdenSet+`"`) {
				t.Errorf("%s: the snapshot lost Camden's comparison", name)
			}
		}
		if !strings.Contains(body, `href="/indicators/referrals?area=E09000007"`) {
			t.Error("the link to the current page loses the area")
		}
	})
}

// TestLeagueCache: the league table depends only on the data and its
// address (indicator, year, order), so it is cached per address like the
// other pages every visitor sees alike, and changes with the data.
func TestLeagueCache(t *testing.T) {
	srv, st := newAreaTestServer(t)
	const path = "/indicators/referrals/areas?period=2023/24"
	first := get(t, srv, path)
	etag := first.Header().Get("ETag")
	if first.Code != http.StatusOK || etag == "" || strings.Contains(first.Body.String(), `name="csrf_token"`) {
		t.Fatalf("status %d, ETag %q", first.Code, etag)
	}
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("If-None-Match", etag)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("with If-None-Match = %d, want 304", rec.Code)
	}
	if other := get(t, srv, path+"&sort=name"); other.Header().Get("ETag") == etag {
		t.Error("another order shares the first order's cached page")
	}
	// Camden's referrals revised: its rate is worked out from them.
	v := 9990.0
	if _, err := st.Import(context.Background(), store.NewUpload{By: "test", Observations: []indicators.Observation{
		{Indicator: "referrals", Geography: indicators.Geography{Code: "E09000007", Name: "Camden", Level: indicators.LevelLocal}, Period: indicators.PeriodOf(2024), Value: &v},
	}}, false); err != nil {
		t.Fatal(err)
	}
	rate := indicators.FormatNumber(v/value(t, st, "population_0_17", "E09000007", 2024)*10000, 1)
	after := get(t, srv, path)
	if after.Header().Get("ETag") == etag || !strings.Contains(after.Body.String(), rate) {
		t.Error("the cached league table outlived a change to the data")
	}
}

// TestCompare_NeighbourLinks: the neighbours' names link to the indicator
// page for each neighbour, also from a snapshot, where "?area=" alone
// would lead back to the snapshot.
func TestCompare_NeighbourLinks(t *testing.T) {
	srv, _ := newAreaTestServer(t)
	d := doc(t, get(t, srv, "/indicators/referrals?area=E09000012"))
	links := d.Find(".app-neighbour-set a")
	if links.Length() == 0 {
		t.Fatal("no neighbour links")
	}
	links.Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		if !strings.HasPrefix(href, "/indicators/") || !strings.Contains(href, "?area=E") {
			t.Errorf("neighbour link %q does not lead to an indicator page", href)
		}
	})
}

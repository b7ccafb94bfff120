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
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cptrends/internal/store"
)

func TestPathwayPages(t *testing.T) {
	srv, _ := newAreaTestServer(t)

	t.Run("APIShape", func(t *testing.T) {
		rec := get(t, srv, "/api/pathway?area=E09000012")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET = %d %s", rec.Code, rec.Body)
		}
		var got struct {
			Geography map[string]string `json:"geography"`
			Period    string            `json:"period"`
			Stages    []struct {
				ID    string   `json:"id"`
				Value *float64 `json:"value"`
				Rate  *float64 `json:"rate"`
			} `json:"stages"`
			Conversions []struct {
				From    string   `json:"from"`
				To      string   `json:"to"`
				Per100  *float64 `json:"per_100"`
				Change  *float64 `json:"change"`
				Num     *float64 `json:"numerator"`
				Den     *float64 `json:"denominator"`
				Over100 bool     `json:"over_100"`
			} `json:"conversions"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if got.Geography["code"] != "E09000012" || got.Geography["name"] != "Hackney" || got.Period != "2024/25" {
			t.Errorf("geography %v, period %q", got.Geography, got.Period)
		}
		var ids []string
		for _, s := range got.Stages {
			ids = append(ids, s.ID)
			if s.Value == nil || s.Rate == nil {
				t.Errorf("%s: value %v rate %v", s.ID, s.Value, s.Rate)
			}
		}
		if strings.Join(ids, ",") != "referrals,s47_enquiries,icpcs,cpp_started,cpp_at_31_march" {
			t.Errorf("stages %v", ids)
		}
		if len(got.Conversions) != 3 || got.Conversions[1].From != "s47_enquiries" || got.Conversions[1].To != "icpcs" {
			t.Fatalf("conversions %+v", got.Conversions)
		}
		for _, c := range got.Conversions {
			if c.Per100 == nil || *c.Per100 != *c.Num / *c.Den * 100 || c.Change == nil {
				t.Errorf("%s->%s: %+v", c.From, c.To, c)
			}
		}
		// Hackney 2024/25 (c4): 332 conferences, 1,352 enquiries, unrounded.
		if *got.Conversions[1].Per100 != 332.0/1352*100 {
			t.Errorf("Hackney conferences per 100 enquiries %v, want %v", *got.Conversions[1].Per100, 332.0/1352*100)
		}
		eng := get(t, srv, "/api/pathway?period=2024/25")
		if !strings.Contains(eng.Body.String(), `"geography":{"code":"E92000001","name":"England","level":"national"}`) {
			t.Errorf("England: %.300s", eng.Body)
		}
	})

	t.Run("BadInput", func(t *testing.T) {
		for _, path := range []string{"/pathway?period=2030/31", "/pathway?period=soon", "/api/pathway?area=nowhere", "/pathway.csv?period=1990/91"} {
			rec := get(t, srv, path)
			if rec.Code != http.StatusBadRequest && rec.Code != http.StatusUnprocessableEntity && rec.Code != http.StatusNotFound {
				t.Errorf("GET %s = %d, want a 4xx", path, rec.Code)
			}
			if strings.Contains(rec.Body.String(), "goroutine") {
				t.Errorf("GET %s shows internals", path)
			}
		}
	})

	t.Run("Page", func(t *testing.T) {
		d := mustDoc(t, srv, "/pathway?area=E09000012&period=2023/24")
		if got := strings.TrimSpace(d.Find("h1").Text()); got != "Hackney: The child protection pathway, 2023/24" {
			t.Errorf("h1 %q", got)
		}
		if d.Find("#chart-pathway[data-option]").Length() != 1 {
			t.Error("no pathway chart")
		}
		for _, id := range []string{"chart-referrals_to_s47_enquiries", "chart-s47_enquiries_to_icpcs", "chart-icpcs_to_cpp_started", "chart-plans-flow", "chart-plans-bands"} {
			if d.Find("#"+id+"[data-option]").Length() != 1 {
				t.Errorf("no chart #%s", id)
			}
		}
		if got := d.Find(".app-pathway-stages tbody tr").Length(); got != 5 {
			t.Errorf("%d stage rows", got)
		}
		heads := strings.Join(strings.Fields(d.Find(".app-pathway-stages thead").Text()), " ")
		for _, h := range []string{"England per 10,000", "London per 10,000", "Neighbours' average"} {
			if !strings.Contains(heads, h) {
				t.Errorf("stage table heads %q lack %q", heads, h)
			}
		}
		// Hackney 2023/24: 1,306 enquiries, 350 conferences: 26.8 per 100.
		row := d.Find(`.app-pathway-conversions tr[data-from="s47_enquiries"]`)
		if got := strings.TrimSpace(row.Find(".app-per-100").Text()); got != "26.8" {
			t.Errorf("conferences per 100 enquiries %q, want 26.8", got)
		}
		if d.Find(`#period option[selected]`).AttrOr("value", "") != "2023/24" || d.Find("#period option").First().AttrOr("value", "") != "2024/25" {
			t.Error("year picker does not hold 2023/24 with the newest year first")
		}
		if d.Find(`a[href="/pathway.csv?area=E09000012&period=2023%2F24"]`).Length() != 1 {
			t.Error("no CSV link for the area and year")
		}
		caveats := d.Find(".app-pathway-caveats").Text()
		for _, c := range []string{"events", "moves into the area", "different units"} {
			if !strings.Contains(caveats, c) {
				t.Errorf("caveats lack %q", c)
			}
		}
		if !strings.Contains(d.Find("#chart-pathway-summary").Text(), "per 100") {
			t.Error("no text summary of the pathway")
		}
	})

	t.Run("Over100", func(t *testing.T) { // Liverpool 2012/13: 523 conferences, 377 enquiries
		d := mustDoc(t, srv, "/pathway?area=E08000012&period=2012/13")
		row := d.Find(`.app-pathway-conversions tr[data-from="s47_enquiries"]`)
		if got := strings.TrimSpace(row.Find(".app-per-100").Text()); got != "138.7" {
			t.Errorf("Liverpool 2012/13 %q, want 138.7 (unclipped)", got)
		}
		if row.Find(".app-over-100").Length() != 1 || !strings.Contains(row.Find(".app-caveat").Text(), "not capped") {
			t.Error("over 100 without its caveat")
		}
	})

	t.Run("NoReturn", func(t *testing.T) { // Hackney 2020/21
		d := mustDoc(t, srv, "/pathway?area=E09000012&period=2020/21")
		if got := strings.TrimSpace(d.Find(`.app-pathway-stages tr[data-stage="referrals"] .app-value`).Text()); got != "x" {
			t.Errorf("Hackney 2020/21 referrals %q, want x", got)
		}
		if !strings.Contains(d.Find(".app-pathway-conversions").Text(), "No figure:") {
			t.Error("no reason for the missing conversions")
		}
		if key := d.Find(".app-symbol-key").First().Text(); !strings.Contains(key, "not available") {
			t.Errorf("symbol key %q, want x explained", key)
		}
	})

	t.Run("CSV", func(t *testing.T) {
		rec := get(t, srv, "/pathway.csv?area=E10000014")
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
			t.Fatalf("GET = %d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+5+3 {
			t.Fatalf("%d rows", len(rows))
		}
		api := get(t, srv, "/api/pathway?area=E10000014")
		var pw struct {
			Conversions []struct {
				Per100 float64 `json:"per_100"`
			} `json:"conversions"`
		}
		if err := json.Unmarshal(api.Body.Bytes(), &pw); err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		for i, cv := range pw.Conversions {
			if got := rows[6+i][col["per_100"]]; got == "" || !strings.HasPrefix(strings.TrimRight(jsonNumber(cv.Per100), "0"), strings.TrimRight(got, "0")) {
				t.Errorf("row %d per_100 %q, API %v", 6+i, got, cv.Per100)
			}
		}
	})

	t.Run("Zip", func(t *testing.T) {
		rec := get(t, srv, "/pathway.zip?area=E06000063&period=2023/24")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET = %d", rec.Code)
		}
		zr, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]string{}
		for _, f := range zr.File {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r)
			files[f.Name] = string(b)
		}
		if want := get(t, srv, "/pathway.csv?area=E06000063&period=2023/24").Body.String(); files["pathway.csv"] != want {
			t.Error("the zip's CSV is not the CSV download")
		}
		meta := files["metadata.txt"]
		for _, want := range []string{"Cumberland (E06000063)", "2023/24", "Data version", "not the route of individual children", "Statistical neighbours:"} {
			if !strings.Contains(meta, want) {
				t.Errorf("metadata lacks %q", want)
			}
		}
	})

	t.Run("Links", func(t *testing.T) {
		for _, path := range []string{"/?area=E09000012", "/indicators/referrals?area=E09000012"} {
			d := mustDoc(t, srv, path)
			if d.Find(`a[href^="/pathway?area=E09000012"]`).Length() == 0 {
				t.Errorf("%s: no link to the pathway", path)
			}
		}
	})

	t.Run("OverviewPanel", func(t *testing.T) {
		d := mustDoc(t, srv, "/?area=E09000012")
		panel := d.Find(".app-pathway-panel")
		if panel.Length() != 1 {
			t.Fatal("no pathway panel on the overview")
		}
		text := strings.Join(strings.Fields(panel.Text()), " ")
		for _, want := range []string{"2024/25", "24.6", "31.3", "Neighbours' average"} {
			if !strings.Contains(text, want) {
				t.Errorf("panel lacks %q: %s", want, text)
			}
		}
	})
}

func jsonNumber(v float64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestPathwaySnapshot(t *testing.T) {
	srv, st := newAreaTestServer(t)
	if _, err := st.AddUser(context.Background(), "vic", store.RoleViewer, viewerPassword); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	b := newBrowser(t, ts)
	b.login("vic", viewerPassword)
	page := "/pathway?area=E09000012&period=2023/24"
	_, body := b.get(page)
	if !strings.Contains(body, `name="indicator" value="pathway:2023/24"`) {
		t.Fatal("no snapshot form for the pathway in its year")
	}
	code, loc := b.snapshot(url.Values{"indicator": {"pathway:2023/24"}, "geography": {"E09000012"}, "csrf_token": {b.token(page)}})
	if code != http.StatusSeeOther || !snapshotPath.MatchString(loc) {
		t.Fatalf("create = %d %q", code, loc)
	}
	code, body = b.get(loc)
	if code != http.StatusOK {
		t.Fatalf("GET %s = %d", loc, code)
	}
	for _, want := range []string{"The child protection pathway, 2023/24: Hackney", `id="chart-pathway"`, `id="chart-s47_enquiries_to_icpcs"`,
		`href="/pathway?area=E09000012&amp;period=2023%2F24"`, "26.8"} {
		if !strings.Contains(body, want) {
			t.Errorf("snapshot lacks %q", want)
		}
	}
	if strings.Contains(body, "Newer or revised figures exist") {
		t.Error("a fresh snapshot says it is out of date")
	}
	if code, _ := b.get(loc + ".html"); code != http.StatusOK {
		t.Errorf("offline file = %d", code)
	}
	// A revision of one stage shows the snapshot out of date, and what changed.
	importCSV(t, st, "indicator,period,geography_code,value\nicpcs,2023/24,E09000012,400\n")
	_, body = b.get(loc)
	if !strings.Contains(body, "Newer or revised figures exist") || !strings.Contains(body, "26.8") {
		t.Error("after a revision the snapshot does not say newer figures exist, or changed its own")
	}
	_, body = b.get(loc + "/compare")
	if !strings.Contains(body, "Initial child protection conferences: Hackney") || !strings.Contains(body, "350") || !strings.Contains(body, "400") {
		t.Error("compare does not show conferences 350 revised to 400")
	}
	if code, _ := b.snapshot(url.Values{"indicator": {"pathway:soon"}, "csrf_token": {b.token(page)}}); code != http.StatusBadRequest && code != http.StatusUnprocessableEntity {
		t.Errorf("snapshot of pathway:soon = %d, want refused", code)
	}
}

// futureRelease is a later release of a 2025 file, as downloaded: its
// header and its rows for Hackney and England in 2024/25, moved on a year
// to 2025/26.
func futureRelease(t *testing.T, name string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "indicators", "data", "2025", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(rows[0])
	for _, row := range rows[1:] {
		if row[0] == "2025" && (row[2] == "National" || (row[2] == "Local authority" && row[8] == "E09000012")) {
			row[0] = "2026"
			w.Write(row)
		}
	}
	w.Flush()
	return b.String()
}

// TestPathwayUpload uploads a later release of every file the pathway
// reads, as downloaded, through the upload form: previewed with the
// columns that feed nothing listed, committed, shown as the pathway's
// latest year, and rolled back.
func TestPathwayUpload(t *testing.T) {
	srv, st := newAreaTestServer(t)
	if _, err := st.AddUser(context.Background(), "ana", store.RoleAnalyst, viewerPassword); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	b := newBrowser(t, ts)
	b.login("ana", viewerPassword)
	files := map[string]string{}
	for _, name := range []string{
		"b1_children_in_need_2013_to_2025.csv", "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
		"c3_factors_identified_at_end_of_assessment_2018_to_2025.csv", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv",
		"d3_cpps_subsequent_plan_2013_to_2025.csv", "d5_cpps_at31march_by_duration_2013_to_2025.csv",
	} {
		files[strings.Replace(name, "2025", "2026", 1)] = futureRelease(t, name)
	}
	code, body := b.upload(b.token("/uploads"), files)
	if code != http.StatusOK {
		t.Fatalf("upload = %d\n%.2000s", code, body)
	}
	if !strings.Contains(body, "Commit these changes") || !strings.Contains(body, "<code>Section47_child</code>") {
		t.Fatalf("preview lacks the commit button or the columns that feed nothing\n%.3000s", body)
	}
	id := regexp.MustCompile(`action="/uploads/(\d+)/commit"`).FindStringSubmatch(body)[1]
	if code, _ := b.post("/uploads/"+id+"/commit", url.Values{"csrf_token": {csrfInput.FindStringSubmatch(body)[1]}}); code != http.StatusOK {
		t.Fatalf("commit = %d", code)
	}
	var pw struct {
		Period      string `json:"period"`
		Conversions []struct {
			Per100 *float64 `json:"per_100"`
			Change *float64 `json:"change"`
		} `json:"conversions"`
	}
	_, body = b.get("/api/pathway?area=E09000012")
	if err := json.Unmarshal([]byte(body), &pw); err != nil {
		t.Fatal(err)
	}
	// The same counts a year on: the same conversions, unchanged.
	if pw.Period != "2025/26" || pw.Conversions[1].Per100 == nil || *pw.Conversions[1].Per100 != 332.0/1352*100 ||
		pw.Conversions[1].Change == nil || *pw.Conversions[1].Change != 0 {
		t.Errorf("after the upload: %s", body)
	}
	if code, _ := b.post("/uploads/"+id+"/rollback", url.Values{"csrf_token": {b.token("/uploads/" + id)}}); code != http.StatusOK {
		t.Fatalf("rollback = %d", code)
	}
	_, body = b.get("/api/pathway?area=E09000012")
	if err := json.Unmarshal([]byte(body), &pw); err != nil || pw.Period != "2024/25" {
		t.Errorf("after the rollback: period %q (%v)", pw.Period, err)
	}
}

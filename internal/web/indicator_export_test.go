package web

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestIndicatorJSON(t *testing.T) {
	srv, _ := newTestServer(t)
	rec := get(t, srv, "/indicators/referrals.json")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("GET json = %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var got struct {
		Indicator struct {
			ID, Definition, Source, SourceURL string
			Footnotes                         []string
			Breaks                            []map[string]string
		}
		Geography   struct{ Code string }
		Points      []map[string]any
		DataVersion int64  `json:"data_version"`
		Updated     string `json:"data_last_updated"`
		Generated   string `json:"generated_at"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Indicator.ID != "referrals" || got.Indicator.Definition == "" || !strings.HasPrefix(got.Indicator.Source, "Department for Education") ||
		len(got.Indicator.Footnotes) == 0 || len(got.Indicator.Breaks) == 0 {
		t.Errorf("metadata = %+v", got.Indicator)
	}
	if got.Geography.Code != "E92000001" || got.DataVersion != 1 || got.Updated == "" || got.Generated == "" {
		t.Errorf("geography %q, data version %d, updated %q, generated %q", got.Geography.Code, got.DataVersion, got.Updated, got.Generated)
	}
	// The same points as the API.
	var api struct{ Points []map[string]any }
	json.Unmarshal(get(t, srv, "/api/indicators/referrals").Body.Bytes(), &api)
	a, _ := json.Marshal(api.Points)
	b, _ := json.Marshal(got.Points)
	if len(got.Points) == 0 || !bytes.Equal(a, b) {
		t.Error("the download's points differ from the API's")
	}
}

func TestIndicatorZip(t *testing.T) {
	srv, _ := newTestServer(t)
	rec := get(t, srv, "/indicators/cpp_ended_2yrs_plus_pct.zip")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/zip" {
		t.Fatalf("GET zip = %d %s", rec.Code, rec.Header().Get("Content-Type"))
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
		r.Close()
		files[f.Name] = string(b)
	}
	if len(files) != 2 {
		t.Errorf("files = %d, want data.csv and metadata.txt", len(files))
	}
	csvBody := get(t, srv, "/indicators/cpp_ended_2yrs_plus_pct.csv").Body.String()
	if files["data.csv"] != csvBody || !strings.HasPrefix(csvBody, "indicator,period,geography_code,geography_name,value,note,") {
		t.Error("data.csv is not the CSV download, header first")
	}
	meta := files["metadata.txt"]
	for _, want := range []string{"Child protection plans ending that had lasted two years or more, as a percentage",
		"Definition\n", "Source\nDepartment for Education", "Breaks in series", "Before 2008/09: Child protection registers",
		"Footnotes\n1. ", "Data version: 1\n", "Data last updated: ", "File made: "} {
		if !strings.Contains(meta, want) {
			t.Errorf("metadata.txt lacks %q", want)
		}
	}
	if rec := get(t, srv, "/indicators/nope.zip"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown indicator zip = %d", rec.Code)
	}
	if rec := get(t, srv, "/indicators/nope.json"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown indicator json = %d", rec.Code)
	}
}

func TestIndicatorPageLinksAndExport(t *testing.T) {
	srv, _ := newTestServer(t)
	rec := get(t, srv, "/indicators/referrals")
	d := doc(t, rec)
	for _, href := range []string{"/indicators/referrals.csv", "/indicators/referrals.json", "/indicators/referrals.zip"} {
		if d.Find(`a[href="`+href+`"]`).Length() != 1 {
			t.Errorf("no link to %s", href)
		}
	}
	chart := d.Find(".app-chart")
	for attr, want := range map[string]string{
		"data-export-title":    "Referrals accepted by children's social care",
		"data-export-subtitle": "England, 2003/04 to 2024/25",
		"data-export-source":   "Department for Education",
		"data-export-notes":    "breaks in series (before 2009/10, 2012/13)",
		"data-export-stamp":    "Data version 1, last updated",
		"data-export-name":     "cptrends-referrals",
	} {
		if got := chart.AttrOr(attr, ""); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", attr, got, want)
		}
	}
	if d.Find(`script[src*="js/export.js"]`).Length() != 1 {
		t.Error("export.js is not loaded")
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "blob:") {
		t.Errorf("CSP = %q; exports need no change to it", csp)
	}
}

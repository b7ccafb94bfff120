package web

import (
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"cptrends/indicators"

	"github.com/PuerkitoBio/goquery"
)

// agreeAreas are authorities with and without boundary changes: Hackney
// (no returns for two years), Hampshire (an unreliable return), Cumberland
// and West Northamptonshire (created from larger counties), Buckinghamshire
// and North Yorkshire (a change of code only).
var agreeAreas = []string{"E09000012", "E10000014", "E06000063", "E06000062", "E06000060", "E06000065"}

type agreedPoint struct {
	Period        string            `json:"period"`
	Value         *float64          `json:"value"`
	Symbol        indicators.Symbol `json:"symbol"`
	GeographyCode string            `json:"geography_code"`
	Revised       bool              `json:"revised"`
	Previous      *float64          `json:"previous_value"`
	Notes         []string          `json:"notes"`
	Change        *float64          `json:"change"`
}

// TestFormsAgree: for every indicator and every one of these areas, the
// API, the JSON download, the CSV and the page's table show the same
// years, the same figures and symbols, the same lineage and the same
// revisions.
func TestFormsAgree(t *testing.T) {
	srv, _ := newAreaTestServer(t)
	// The tables are read here, not the charts: drawing some 3,000 charts
	// on the server would take minutes and check nothing this test reads.
	srv.svg = nil
	for _, d := range indicators.Default().All() {
		for _, code := range agreeAreas {
			t.Run(d.ID+"/"+code, func(t *testing.T) {
				q := "?area=" + code
				var api struct {
					Points []agreedPoint `json:"points"`
				}
				if err := json.Unmarshal(get(t, srv, "/api/indicators/"+d.ID+"?geography="+code).Body.Bytes(), &api); err != nil {
					t.Fatal(err)
				}
				var dl struct {
					Points []agreedPoint `json:"points"`
				}
				if err := json.Unmarshal(get(t, srv, "/indicators/"+d.ID+".json"+q).Body.Bytes(), &dl); err != nil {
					t.Fatal(err)
				}
				published := func(ps []agreedPoint) []agreedPoint {
					var out []agreedPoint
					for _, p := range ps {
						if p.Value != nil || p.Symbol != "" {
							out = append(out, p)
						}
					}
					return out
				}
				want := published(api.Points)
				if got := published(dl.Points); len(got) != len(want) {
					t.Fatalf("JSON download has %d published years, the API %d", len(got), len(want))
				}
				rows, err := csv.NewReader(get(t, srv, "/indicators/"+d.ID+".csv"+q).Body).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				col := map[string]int{}
				for i, h := range rows[0] {
					col[h] = i
				}
				rows = rows[1:]
				if len(rows) != len(want) {
					t.Fatalf("CSV has %d rows, the API %d published years", len(rows), len(want))
				}
				table := pageTable(t, mustDoc(t, srv, "/indicators/"+d.ID+q))
				for i, p := range want {
					row := rows[i]
					if row[col["period"]] != p.Period {
						t.Fatalf("row %d: CSV period %s, API %s", i, row[col["period"]], p.Period)
					}
					wantCode := p.GeographyCode
					if wantCode == "" {
						wantCode = code
					}
					if row[col["geography_code"]] != wantCode || row[col["series_geography_code"]] != code {
						t.Errorf("%s: CSV published for %s in the series of %s; API %s", p.Period, row[col["geography_code"]], row[col["series_geography_code"]], wantCode)
					}
					text, csvValue := string(p.Symbol), string(p.Symbol)
					if p.Value != nil {
						text = d.FormatValue(*p.Value)
						csvValue = strconv.FormatFloat(*p.Value, 'f', d.Decimals, 64)
					}
					if row[col["value"]] != csvValue {
						t.Errorf("%s: CSV value %q, API %v (want %q)", p.Period, row[col["value"]], p.Value, csvValue)
					}
					cell, ok := table[p.Period]
					if !ok || !strings.HasPrefix(cell, text) {
						t.Errorf("%s: page shows %q, API %q", p.Period, cell, text)
					}
					if p.Revised != (row[col["revised"]] == "true") || (p.Revised && p.Previous == nil && row[col["previous_value"]] == "") {
						t.Errorf("%s: revised %v in the API, CSV %q %q", p.Period, p.Revised, row[col["revised"]], row[col["previous_value"]])
					}
					if dl := published(dl.Points)[i]; dl.Period != p.Period || (dl.Value == nil) != (p.Value == nil) || dl.Symbol != p.Symbol || dl.GeographyCode != p.GeographyCode {
						t.Errorf("%s: JSON download %+v, API %+v", p.Period, dl, p)
					}
				}
			})
		}
	}
}

// pageTable maps each year of an indicator page's own table to its value
// cell's text.
func pageTable(t *testing.T, d *goquery.Document) map[string]string {
	t.Helper()
	out := map[string]string{}
	d.Find(dataTable + " tbody tr").Each(func(_ int, tr *goquery.Selection) {
		out[tr.Find("th").Text()] = strings.TrimSpace(strings.ReplaceAll(tr.Find("td").First().Text(), "\u00a0", " "))
	})
	return out
}

package web

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"cptrends/indicators"

	"github.com/labstack/echo/v4"
)

// indicatorDownload is the series JSON of the API with what a file kept on
// its own needs: the data version and when the file was made.
type indicatorDownload struct {
	apiSeries
	// StatisticalNeighbours names the neighbour set an area's page
	// compares it with; absent for England and areas with none.
	StatisticalNeighbours string    `json:"statistical_neighbours,omitempty"`
	DataVersion           int64     `json:"data_version"`
	DataUpdated           time.Time `json:"data_last_updated,omitzero"`
	Generated             time.Time `json:"generated_at"`
}

func (s *Server) handleIndicatorJSON(c echo.Context, id string) error {
	d, sr, set, stamp, err := s.download(c, id)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+d.ID+`.json"`)
	return c.JSON(http.StatusOK, indicatorDownload{
		apiSeries:             apiSeries{Indicator: s.toAPI(d), Geography: sr.Geography, Points: nonNil(sr.Points)},
		StatisticalNeighbours: set,
		DataVersion:           stamp.Version, DataUpdated: stamp.Updated.UTC(), Generated: time.Now().UTC().Truncate(time.Second),
	})
}

// handleIndicatorZip sends the CSV with a metadata.txt beside it, so the
// plain CSV keeps its header on the first line for scripts.
func (s *Server) handleIndicatorZip(c echo.Context, id string) error {
	d, sr, set, stamp, err := s.download(c, id)
	if err != nil {
		return err
	}
	body, err := seriesCSV(sr, set)
	if err != nil {
		return err
	}
	now := time.Now()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range []struct {
		name string
		body []byte
	}{{"data.csv", body}, {"metadata.txt", []byte(metadataText(sr, set, stamp, now))}} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: now})
		if err != nil {
			return err
		}
		if _, err := w.Write(f.body); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+d.ID+`.zip"`)
	return c.Blob(http.StatusOK, "application/zip", buf.Bytes())
}

// download loads what every data download of an indicator needs: the
// series of the area in the address (England when none) and the
// neighbour set its page compares it with.
func (s *Server) download(c echo.Context, id string) (d *indicators.Definition, sr indicators.Series, set string, stamp dataStamp, err error) {
	if d, err = s.lookup(id); err != nil {
		return
	}
	ctx := c.Request().Context()
	if stamp, err = s.dataStamp(ctx); err != nil {
		return
	}
	geo, err := s.requestArea(c)
	if err != nil {
		return
	}
	if sr, err = s.series(ctx, d, geo); err != nil {
		return
	}
	set, err = s.neighbourSet(ctx, d, geo)
	return
}

// metadataText says what data.csv holds, in plain text.
func metadataText(sr indicators.Series, neighbours string, stamp dataStamp, made time.Time) string {
	d := sr.Definition
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", d.Title)
	fmt.Fprintf(&b, "Indicator id: %s\n", d.ID)
	fmt.Fprintf(&b, "Geography: %s (%s)\n", sr.Geography.Name, sr.Geography.Code)
	if neighbours != "" {
		fmt.Fprintf(&b, "%s. The area's page compares it with their average, England and its region.\n", neighbours)
	}
	if n := len(sr.Points); n > 0 {
		fmt.Fprintf(&b, "Years: %s to %s (reporting years ending 31 March)\n", sr.Points[0].Period, sr.Points[n-1].Period)
	}
	fmt.Fprintf(&b, "Unit: %s\n", d.Unit)
	fmt.Fprintf(&b, "Data version: %d\n", stamp.Version)
	if !stamp.Updated.IsZero() {
		fmt.Fprintf(&b, "Data last updated: %s\n", stamp.Updated.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(&b, "File made: %s\n", made.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "\nDefinition\n%s\n", d.Definition)
	fmt.Fprintf(&b, "\nSource\n%s\n", d.Source.Name)
	if d.Source.URL != "" {
		fmt.Fprintf(&b, "%s\n", d.Source.URL)
	}
	if len(d.Breaks) > 0 {
		b.WriteString("\nBreaks in series (no change is computed across a break)\n")
		for _, br := range d.Breaks {
			fmt.Fprintf(&b, "- Before %s: %s\n", br.Period, br.Explanation)
		}
	}
	if len(d.Notes) > 0 {
		b.WriteString("\nNotes on particular years\n")
		for _, n := range d.Notes {
			fmt.Fprintf(&b, "- %s: %s\n", n.Period, n.Text)
		}
	}
	if len(d.Footnotes) > 0 {
		b.WriteString("\nFootnotes\n")
		for i, f := range d.Footnotes {
			fmt.Fprintf(&b, "%d. %s\n", i+1, f)
		}
	}
	b.WriteString("\nColumns of data.csv\n" +
		"indicator, period, geography_code, geography_name, value, note: the cptrends upload format (value is a number or a suppression symbol)\n" +
		"change, change_pct: change on the previous year (percentage points for percentages; change_pct in per cent); empty where none can be computed\n" +
		"break_before: a break in series lies between the previous year and this one\n" +
		"secondary_source: the figure is quoted from a secondary source\n" +
		"caveats: the definition's notes on this year\n" +
		"statistical_neighbours: the neighbour set the area's page compares it with; empty for England and areas with none\n")
	return b.String()
}

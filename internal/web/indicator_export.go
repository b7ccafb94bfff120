package web

import (
	"archive/zip"
	"bytes"
	"net/http"
	"time"

	"cptrends/indicators"
	"cptrends/internal/figures"

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
	body, err := figures.CSV(sr, set)
	if err != nil {
		return err
	}
	now := time.Now()
	return sendZip(c, d.ID+".zip", now, zipFile{"data.csv", body}, zipFile{"metadata.txt", []byte(figures.Metadata(sr, set, stamp, now))})
}

// zipFile is one file of a download's zip.
type zipFile struct {
	name string
	body []byte
}

// sendZip answers with the files in one zip, as an attachment called name.
func sendZip(c echo.Context, name string, made time.Time, files ...zipFile) error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: made})
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
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "application/zip", buf.Bytes())
}

// download loads what every data download of an indicator needs: the
// series of the area in the address (England when none) and the
// neighbour set its page compares it with.
func (s *Server) download(c echo.Context, id string) (d *indicators.Definition, sr indicators.Series, set string, stamp figures.Stamp, err error) {
	if d, err = s.lookup(id); err != nil {
		return
	}
	ctx := c.Request().Context()
	if stamp, err = s.fig.Stamp(ctx); err != nil {
		return
	}
	geo, err := s.requestArea(c)
	if err != nil {
		return
	}
	if sr, err = s.fig.Series(ctx, d, geo); err != nil {
		return
	}
	set, err = s.fig.NeighbourSet(ctx, d, geo)
	return
}

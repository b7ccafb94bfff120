package web

import (
	"net/http"
	"net/url"
	"time"

	"cptrends/indicators"
	"cptrends/internal/figures"

	"github.com/labstack/echo/v4"
)

type pathwayPage struct {
	layout
	Area    indicators.Geography
	Pathway figures.Pathway
	Picker  areaPickerView
	// Years are the pathway's years, newest first, for the year picker;
	// Query keeps the area and year in the links to its data.
	Years []indicators.Period
	Query string
	// Snapshot is the snapshot subject of the page: the pathway in its year.
	Snapshot string
}

// requestPathway is the pathway a request asks for: ?area= (England when
// none) and ?period= (the latest year with figures when none).
func (s *Server) requestPathway(c echo.Context) (figures.Pathway, error) {
	geo, err := s.requestArea(c)
	if err != nil {
		return figures.Pathway{}, err
	}
	var per indicators.Period
	if q := c.QueryParam("period"); q != "" {
		if per, err = indicators.ParsePeriod(q); err != nil {
			return figures.Pathway{}, indicators.Errorf(indicators.EINVALID, "%q is not a reporting year: give one as 2024/25.", q)
		}
	}
	return s.fig.Pathway(c.Request().Context(), geo, per)
}

// handlePathway shows an area's child protection pathway in a year.
func (s *Server) handlePathway(c echo.Context) error {
	ctx := c.Request().Context()
	pw, err := s.requestPathway(c)
	if err != nil {
		return err
	}
	stamp, err := s.fig.Stamp(ctx)
	if err != nil {
		return err
	}
	pw.Chart.Stamp, pw.Plans.Stamp, pw.Bands.Stamp = stamp.String(), stamp.String(), stamp.String()
	pw.ConversionFigures = figures.Stamped(pw.ConversionFigures, stamp)
	page := pathwayPage{layout: s.layout(c, "Child protection pathway: "+pw.Geography.Name), Area: pw.Geography, Pathway: pw}
	for i := len(pw.Periods) - 1; i >= 0; i-- {
		page.Years = append(page.Years, pw.Periods[i])
	}
	q := url.Values{"period": {pw.Period.String()}}
	if pw.Geography.Code != indicators.EnglandCode {
		q.Set(areaParam, pw.Geography.Code)
		page.AreaQuery = areaQuery(pw.Geography)
	}
	page.Query = "?" + q.Encode()
	page.Snapshot = figures.PathwaySnapshotSubject(pw.Period)
	if page.Picker, err = s.picker(ctx, s.url("/pathway"), pw.Geography); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "pathway", page)
}

// handleAPIPathway answers the pathway as JSON (CONTRACT.md's shape).
func (s *Server) handleAPIPathway(c echo.Context) error {
	pw, err := s.requestPathway(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pw)
}

// handlePathwayJSON is the API's answer as a file to keep.
func (s *Server) handlePathwayJSON(c echo.Context) error {
	pw, err := s.requestPathway(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="pathway-`+pw.Geography.Code+`.json"`)
	return c.JSON(http.StatusOK, pw)
}

// handlePathwayCSV is the pathway of the year as CSV.
func (s *Server) handlePathwayCSV(c echo.Context) error {
	pw, err := s.requestPathway(c)
	if err != nil {
		return err
	}
	body, err := figures.PathwayCSV(pw)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="pathway-`+pw.Geography.Code+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", body)
}

// handlePathwayZip sends the pathway's CSV with a metadata.txt beside it.
func (s *Server) handlePathwayZip(c echo.Context) error {
	pw, err := s.requestPathway(c)
	if err != nil {
		return err
	}
	stamp, err := s.fig.Stamp(c.Request().Context())
	if err != nil {
		return err
	}
	body, err := figures.PathwayCSV(pw)
	if err != nil {
		return err
	}
	now := time.Now()
	return sendZip(c, "pathway-"+pw.Geography.Code+".zip", now,
		zipFile{"pathway.csv", body}, zipFile{"metadata.txt", []byte(figures.PathwayMetadata(pw, stamp, now))})
}

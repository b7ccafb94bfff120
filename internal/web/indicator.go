package web

import (
	"net/http"
	"path"
	"strings"

	"cptrends/indicators"
	"cptrends/internal/figures"

	"github.com/labstack/echo/v4"
)

type indicatorShowPage struct {
	layout
	Def     *indicators.Definition
	Figure  figures.Figure
	Area    indicators.Geography
	Picker  areaPickerView
	Compare *figures.Comparison
	About   figures.AreaContext
}

type indicatorIndexPage struct {
	layout
	Indicators []figures.Headline
}

// lookup finds the indicator named in the URL.
func (s *Server) lookup(id string) (*indicators.Definition, error) {
	d, ok := s.cat.Lookup(id)
	if !ok {
		return nil, indicators.Errorf(indicators.ENOTFOUND, "There is no indicator called %q.", id)
	}
	return d, nil
}

func (s *Server) handleIndicatorIndex(c echo.Context) error {
	hs, err := s.fig.Headlines(c.Request().Context(), indicators.England)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "indicator_index", indicatorIndexPage{layout: s.layout(c, "All indicators"), Indicators: hs})
}

// handleIndicatorShow shows one indicator in full, or its data when the
// address ends in .csv, .json or .zip.
func (s *Server) handleIndicatorShow(c echo.Context) error {
	id := c.Param("id")
	switch ext := path.Ext(id); ext {
	case ".csv":
		return s.handleIndicatorCSV(c, strings.TrimSuffix(id, ext))
	case ".json":
		return s.handleIndicatorJSON(c, strings.TrimSuffix(id, ext))
	case ".zip":
		return s.handleIndicatorZip(c, strings.TrimSuffix(id, ext))
	}
	d, err := s.lookup(id)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	stamp, err := s.fig.Stamp(ctx)
	if err != nil {
		return err
	}
	geo, err := s.requestArea(c)
	if err != nil {
		return err
	}
	v, err := s.fig.Indicator(ctx, d, geo)
	if err != nil {
		return err
	}
	v.Figure.Stamp = stamp.String()
	if v.Compare != nil {
		v.Compare.Stamp = v.Figure.Stamp
	}
	title := d.Title
	if geo.Code != indicators.EnglandCode {
		title += ": " + geo.Name
	}
	page := indicatorShowPage{layout: s.layout(c, title), Def: d, Figure: v.Figure, Area: geo, Compare: v.Compare, About: v.About}
	if page.Picker, err = s.picker(ctx, s.url("/indicators/"+d.ID), geo); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "indicator_show", page)
}

func (s *Server) handleIndicatorCSV(c echo.Context, id string) error {
	d, sr, set, _, err := s.download(c, id)
	if err != nil {
		return err
	}
	body, err := figures.CSV(sr, set)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+d.ID+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", body)
}

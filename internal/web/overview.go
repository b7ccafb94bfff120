package web

import (
	"net/http"

	"cptrends/indicators"
	"cptrends/internal/figures"

	"github.com/labstack/echo/v4"
)

type overviewPage struct {
	layout
	Geography indicators.Geography
	Figures   []figures.Figure
	Others    []figures.Headline
	Picker    areaPickerView
	About     figures.AreaContext
	Pathway   figures.Pathway
}

// handleOverview shows figures 1 to 4 with their headlines, and the other
// indicators with theirs.
func (s *Server) handleOverview(c echo.Context) error {
	ctx := c.Request().Context()
	geo, err := s.requestArea(c)
	if err != nil {
		return err
	}
	page := overviewPage{layout: s.layout(c, "Child protection in "+geo.Name), Geography: geo}
	if page.Picker, err = s.picker(ctx, s.url("/"), geo); err != nil {
		return err
	}
	stamp, err := s.fig.Stamp(ctx)
	if err != nil {
		return err
	}
	v, err := s.fig.Overview(ctx, geo)
	if err != nil {
		return err
	}
	page.Figures, page.Others, page.About, page.Pathway = figures.Stamped(v.Figures, stamp), v.Others, v.About, v.Pathway
	return s.render(c, http.StatusOK, "overview", page)
}

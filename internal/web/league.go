package web

import (
	"net/http"

	"cptrends/indicators"
	"cptrends/internal/figures"

	"github.com/labstack/echo/v4"
)

// leaguePage is every local authority's figure for one indicator and year.
type leaguePage struct {
	layout
	figures.League
}

func (s *Server) handleIndicatorAreas(c echo.Context) error {
	d, err := s.lookup(c.Param("id"))
	if err != nil {
		return err
	}
	var period indicators.Period
	if p := c.QueryParam("period"); p != "" {
		if period, err = indicators.ParsePeriod(p); err != nil {
			return indicators.Errorf(indicators.EINVALID, "%s", err.Error())
		}
	}
	area := c.QueryParam(areaParam)
	if !indicators.ValidCode(area) {
		area = ""
	}
	lg, err := s.fig.League(c.Request().Context(), d, period, c.QueryParam("sort"), area)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "indicator_areas", leaguePage{layout: s.layout(c, d.Title+": every local authority"), League: lg})
}

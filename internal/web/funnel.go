package web

import (
	"net/http"

	"cptrends/indicators"
	"cptrends/internal/figures"

	"github.com/labstack/echo/v4"
)

// funnelPage is the funnel plot of every authority for one indicator and
// year, and the table of the same.
type funnelPage struct {
	layout
	figures.FunnelView
}

// funnelRequest reads the indicator, year and reader a funnel request names.
func (s *Server) funnelRequest(c echo.Context) (*indicators.Definition, indicators.Period, *figures.Reader, error) {
	d, err := s.lookup(c.Param("id"))
	if err != nil {
		return nil, 0, nil, err
	}
	var p indicators.Period
	if q := c.QueryParam("period"); q != "" {
		if p, err = indicators.ParsePeriod(q); err != nil {
			return nil, 0, nil, indicators.Errorf(indicators.EINVALID, "%s", err.Error())
		}
	}
	return d, p, s.fig, nil
}

func (s *Server) handleAPIIndicatorFunnel(c echo.Context) error {
	d, p, r, err := s.funnelRequest(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f, err := r.Funnel(ctx, d, p)
	if err != nil {
		return err
	}
	out := struct {
		figures.Funnel
		// History is the area asked for (?area=) on every year's funnel.
		History []figures.FunnelYear `json:"history,omitempty"`
	}{Funnel: f}
	if code := c.QueryParam(areaParam); indicators.ValidCode(code) {
		if out.History, err = r.FunnelHistory(ctx, d, code); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) handleIndicatorFunnel(c echo.Context) error {
	d, p, r, err := s.funnelRequest(c)
	if err != nil {
		return err
	}
	v, err := r.FunnelPage(c.Request().Context(), d, p, c.QueryParam(areaParam))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "indicator_funnel", funnelPage{
		layout: s.layout(c, v.FunnelDef.ShortTitle+": funnel plot, "+v.Period.String()), FunnelView: v})
}

package web

import (
	"net/http"
	"strings"
	"time"

	"cptrends/indicators"
	"cptrends/internal/figures"

	"github.com/labstack/echo/v4"
)

type packPage struct {
	layout
	Geography indicators.Geography
	Data      figures.Stamp
	Made      time.Time
	Figures   []figures.Figure
	Overview  bool
}

// handlePack shows a page to print: the overview's four figures, or the
// indicators named in ?indicators=a,b,c, one to a page with everything that
// travels with them.
func (s *Server) handlePack(c echo.Context) error {
	ctx := c.Request().Context()
	geo := indicators.England
	page := packPage{layout: s.layout(c, "Evidence pack: child protection in "+geo.Name), Geography: geo, Made: time.Now()}
	var err error
	if page.Data, err = s.fig.Stamp(ctx); err != nil {
		return err
	}
	var defs []*indicators.Definition
	seen := map[string]bool{}
	for _, id := range strings.Split(c.QueryParam("indicators"), ",") {
		if id = strings.TrimSpace(id); id == "" || seen[id] {
			continue
		}
		seen[id] = true
		d, err := s.lookup(id)
		if err != nil {
			return err
		}
		defs = append(defs, d)
	}
	if len(defs) == 0 {
		page.Overview = true
		page.Figures, err = s.fig.OverviewFigures(ctx, geo)
	} else {
		page.Figures, err = s.fig.IndicatorFigures(ctx, defs, geo)
	}
	if err != nil {
		return err
	}
	page.Figures = figures.Stamped(page.Figures, page.Data)
	return s.render(c, http.StatusOK, "pack", page)
}

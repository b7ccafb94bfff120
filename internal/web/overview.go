package web

import (
	"context"
	"fmt"
	"net/http"

	"cptrends/indicators"

	"github.com/labstack/echo/v4"
)

type overviewPage struct {
	layout
	Geography indicators.Geography
	Figures   []figureView
	Others    []otherIndicator
	Picker    areaPickerView
	About     areaContext
}

type otherIndicator struct {
	Def      *indicators.Definition
	Headline string
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
	if page.About, err = s.areaContext(ctx, geo); err != nil {
		return err
	}
	stamp, err := s.dataStamp(ctx)
	if err != nil {
		return err
	}
	figs, err := s.overviewFigures(ctx, geo)
	if err != nil {
		return err
	}
	page.Figures = stamped(figs, stamp)
	onFigure := map[string]bool{}
	for _, f := range page.Figures {
		for _, sr := range f.Series {
			onFigure[sr.Definition.ID] = true
		}
	}
	for _, d := range s.cat.All() {
		if onFigure[d.ID] {
			continue
		}
		sr, err := s.areaSeries(ctx, d, geo)
		if err != nil {
			return err
		}
		page.Others = append(page.Others, otherIndicator{Def: d, Headline: sr.Headline()})
	}
	return s.render(c, http.StatusOK, "overview", page)
}

// overviewFigures builds figures 1 to 4 from the current data.
func (s *Server) overviewFigures(ctx context.Context, geo indicators.Geography) ([]figureView, error) {
	var figs []figureView
	for _, fig := range s.cat.Figures() {
		var series []indicators.Series
		for _, d := range fig.Definitions {
			sr, err := s.areaSeries(ctx, d, geo)
			if err != nil {
				return nil, err
			}
			series = append(series, sr)
		}
		title := fig.Definitions[0].Title
		if len(fig.Definitions) == 2 {
			title = fig.Definitions[0].Title + ": number and percentage of plans ending"
		}
		f, err := buildFigure(fmt.Sprintf("figure-%d", fig.Number), fig.Number, title, false, series...)
		if err != nil {
			return nil, err
		}
		figs = append(figs, f)
	}
	return figs, nil
}

package web

import (
	"net/http"

	"cptrends/indicators"

	"github.com/labstack/echo/v4"
)

// apiIndicator is an indicator's metadata in the JSON API.
type apiIndicator struct {
	ID              string                `json:"id"`
	Title           string                `json:"title"`
	ShortTitle      string                `json:"short_title"`
	Unit            string                `json:"unit"`
	Decimals        int                   `json:"decimals"`
	Definition      string                `json:"definition"`
	Source          string                `json:"source"`
	SourceURL       string                `json:"source_url"`
	SecondaryBefore indicators.Period     `json:"secondary_before,omitzero"`
	Footnotes       []string              `json:"footnotes"`
	Breaks          []indicators.Break    `json:"breaks"`
	Notes           []indicators.Note     `json:"notes"`
	Figure          int                   `json:"figure,omitempty"`
	EES             []indicators.EESField `json:"ees_columns"`
	Links           map[string]string     `json:"links"`
}

func (s *Server) toAPI(d *indicators.Definition) apiIndicator {
	return apiIndicator{
		ID: d.ID, Title: d.Title, ShortTitle: d.ShortTitle, Unit: d.Unit, Decimals: d.Decimals,
		Definition: d.Definition, Source: d.Source.Name, SourceURL: d.Source.URL, SecondaryBefore: d.SecondaryBefore,
		Footnotes: nonNil(d.Footnotes), Breaks: nonNil(d.Breaks), Notes: nonNil(d.Notes), Figure: d.Chart.Figure,
		EES: nonNil(d.EES),
		Links: map[string]string{
			"page": s.url("/indicators/" + d.ID), "csv": s.url("/indicators/" + d.ID + ".csv"), "series": s.url("/api/indicators/" + d.ID),
		},
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Server) handleAPIIndicatorIndex(c echo.Context) error {
	out := []apiIndicator{}
	for _, d := range s.cat.All() {
		out = append(out, s.toAPI(d))
	}
	return c.JSON(http.StatusOK, map[string]any{"indicators": out})
}

// apiSeries is the series JSON promised in CONTRACT.md.
type apiSeries struct {
	Indicator apiIndicator         `json:"indicator"`
	Geography indicators.Geography `json:"geography"`
	Points    []indicators.Point   `json:"points"`
}

func (s *Server) handleAPIIndicatorShow(c echo.Context) error {
	d, err := s.lookup(c.Param("id"))
	if err != nil {
		return err
	}
	geo, err := s.fig.Geography(c.Request().Context(), s.fig.Current(c.QueryParam("geography")))
	if err != nil {
		return err
	}
	sr, err := s.fig.Series(c.Request().Context(), d, geo)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiSeries{Indicator: s.toAPI(d), Geography: geo, Points: nonNil(sr.Points)})
}

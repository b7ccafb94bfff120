package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"path"
	"strconv"
	"strings"

	"cptrends/indicators"

	"github.com/labstack/echo/v4"
)

type indicatorShowPage struct {
	layout
	Def     *indicators.Definition
	Figure  figureView
	Area    indicators.Geography
	Picker  areaPickerView
	Compare *compareView
	About   areaContext
}

type indicatorIndexPage struct {
	layout
	Indicators []otherIndicator
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
	page := indicatorIndexPage{layout: s.layout(c, "All indicators")}
	for _, d := range s.cat.All() {
		sr, err := s.series(c.Request().Context(), d, indicators.England)
		if err != nil {
			return err
		}
		page.Indicators = append(page.Indicators, otherIndicator{Def: d, Headline: sr.Headline()})
	}
	return s.render(c, http.StatusOK, "indicator_index", page)
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
	stamp, err := s.dataStamp(ctx)
	if err != nil {
		return err
	}
	geo, err := s.requestArea(c)
	if err != nil {
		return err
	}
	fig, err := s.indicatorFigure(ctx, d, geo)
	if err != nil {
		return err
	}
	fig.Stamp = stamp.String()
	page := indicatorShowPage{layout: s.layout(c, d.Title), Def: d, Figure: fig, Area: geo}
	if page.Picker, err = s.picker(ctx, s.url("/indicators/"+d.ID), geo); err != nil {
		return err
	}
	if page.Compare, err = s.compare(ctx, d, geo); err != nil {
		return err
	}
	if page.Compare != nil {
		page.Compare.Stamp = fig.Stamp
	}
	if page.About, err = s.areaContext(ctx, geo); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "indicator_show", page)
}

// indicatorFigure builds one indicator's chart, with each year's change
// labelled, from the current data.
func (s *Server) indicatorFigure(ctx context.Context, d *indicators.Definition, geo indicators.Geography) (figureView, error) {
	sr, err := s.areaSeries(ctx, d, geo)
	if err != nil {
		return figureView{}, err
	}
	return buildFigure("chart-"+d.ID, d.Chart.Figure, d.Title, true, sr)
}

// csvHeader names the columns of a chart's data download. The first six
// are the native upload format, so a download loads back as it is.
var csvHeader = []string{"indicator", "period", "geography_code", "geography_name", "value", "note",
	"change", "change_pct", "break_before", "secondary_source", "caveats", "statistical_neighbours"}

func (s *Server) handleIndicatorCSV(c echo.Context, id string) error {
	d, err := s.lookup(id)
	if err != nil {
		return err
	}
	geo, err := s.requestArea(c)
	if err != nil {
		return err
	}
	sr, err := s.series(c.Request().Context(), d, geo)
	if err != nil {
		return err
	}
	set, err := s.neighbourSet(c.Request().Context(), d, geo)
	if err != nil {
		return err
	}
	body, err := seriesCSV(sr, set)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+d.ID+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", body)
}

// seriesCSV writes a series as CSV, header first. neighbours names the
// neighbour set the area's page compares it with, on every row; "" for
// England and areas with none.
func seriesCSV(sr indicators.Series, neighbours string) ([]byte, error) {
	d := sr.Definition
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(csvHeader)
	for _, p := range sr.Points {
		if p.Value == nil && p.Symbol == "" {
			continue // a year with nothing published
		}
		value := string(p.Symbol)
		if p.Value != nil {
			value = strconv.FormatFloat(*p.Value, 'f', -1, 64)
		}
		w.Write([]string{d.ID, p.Period.String(), sr.Geography.Code, safeCell(sr.Geography.Name), value,
			safeCell(p.Note), formatOptional(p.Change), formatOptional(p.ChangePct),
			strconv.FormatBool(p.BreakBefore), strconv.FormatBool(p.Secondary), safeCell(strings.Join(d.NotesFor(p.Period, sr.Geography.Code), " ")),
			safeCell(neighbours)})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func formatOptional(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// safeCell stops a spreadsheet from running text as a formula: a cell that
// starts with =, +, -, @, tab or carriage return gets a leading apostrophe,
// which spreadsheets hide.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

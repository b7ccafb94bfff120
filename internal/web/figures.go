package web

import (
	"context"
	"fmt"
	"strings"

	"cptrends/indicators"
	"cptrends/internal/chart"
)

// series loads one indicator's current series for a geography.
func (s *Server) series(ctx context.Context, def *indicators.Definition, geo indicators.Geography) (indicators.Series, error) {
	if def.Ratio != nil && def.Ratio.Computed {
		return s.computedSeries(ctx, def, geo, s.series)
	}
	obs, err := s.store.Observations(ctx, def.ID, geo.Code)
	if err != nil {
		return indicators.Series{}, err
	}
	return indicators.NewSeries(def, geo, obs), nil
}

// figureView is a chart with everything that travels with it: headline,
// text summary, data tables, and the option JSON for charts.js. Snapshots
// store it as JSON: keep the json names when renaming fields.
type figureView struct {
	DOMID     string              `json:"dom_id"`
	Number    int                 `json:"number"`
	Title     string              `json:"title"`
	Headlines []string            `json:"headlines"`
	Summary   string              `json:"summary"`
	Option    string              `json:"option"`
	Tips      string              `json:"tips"`
	Tables    []tableView         `json:"tables"`
	Series    []indicators.Series `json:"series"`
	// What an image exported from the chart says about itself (export.js):
	// area and years, sources, short notes one a line, the data version.
	Subtitle string `json:"subtitle"`
	Source   string `json:"source"`
	Notes    string `json:"notes"`
	Stamp    string `json:"stamp"`
	FileName string `json:"file_name"`
}

// tableView is the accessible table of one series.
type tableView struct {
	Caption string                 `json:"caption"`
	Def     *indicators.Definition `json:"def"`
	Rows    []rowView              `json:"rows"`
	Symbols []indicators.Symbol    `json:"symbols"`
	Breaks  []indicators.Break     `json:"breaks"`
}

type rowView struct {
	Period    string            `json:"period"`
	Value     string            `json:"value"`
	Symbol    indicators.Symbol `json:"symbol"`
	Change    string            `json:"change"`
	ChangePct string            `json:"change_pct"`
	NoChange  string            `json:"no_change"`
	Break     bool              `json:"break"`
	Secondary bool              `json:"secondary"`
	Revised   bool              `json:"revised"`
	Previous  string            `json:"previous"`
	Unusual   string            `json:"unusual,omitempty"`
	Notes     []string          `json:"notes"`
}

// buildFigure draws one or two series as one figure.
func buildFigure(domID string, number int, title string, labels bool, series ...indicators.Series) (figureView, error) {
	f := figureView{DOMID: domID, Number: number, Title: title, Series: series}
	var summaries []string
	for _, s := range series {
		f.Headlines = append(f.Headlines, s.Headline())
		summaries = append(summaries, s.Summary())
		f.Tables = append(f.Tables, table(s))
	}
	f.Summary = strings.Join(summaries, " ")
	f.Subtitle, f.Source, f.Notes = exportText(series)
	f.FileName = "cptrends-" + strings.TrimPrefix(domID, "chart-")
	c, err := chart.Build(chart.Options{Labels: labels, Description: f.Summary}, series...)
	if err != nil {
		return f, err
	}
	f.Option, f.Tips, err = c.Strings()
	return f, err
}

func table(s indicators.Series) tableView {
	d := s.Definition
	t := tableView{Def: d, Breaks: d.Breaks}
	if n := len(s.Points); n > 0 {
		t.Caption = fmt.Sprintf("%s, %s, %s to %s", d.Title, s.Geography.Name, s.Points[0].Period, s.Points[n-1].Period)
	} else {
		t.Caption = fmt.Sprintf("%s, %s", d.Title, s.Geography.Name)
	}
	used := map[indicators.Symbol]bool{}
	unusual := indicators.UnusualChanges(s)
	for _, p := range s.Points {
		r := rowView{Period: p.Period.String(), Value: d.FormatPoint(p), Symbol: p.Symbol, NoChange: p.NoChange,
			Break: p.BreakBefore, Secondary: p.Secondary && p.Value != nil, Notes: p.Notes, Unusual: unusual[p.Period]}
		if p.Revised {
			r.Revised, r.Previous = true, d.FormatPoint(indicators.Point{Value: p.Previous.Value, Symbol: p.Previous.Symbol})
		}
		if p.Change != nil {
			r.Change = d.FormatChange(*p.Change)
			if p.ChangePct != nil {
				r.ChangePct = indicators.FormatChangePct(*p.ChangePct)
			}
		}
		if p.Symbol != "" {
			used[p.Symbol] = true
		}
		t.Rows = append(t.Rows, r)
	}
	for _, sym := range indicators.Symbols() {
		if used[sym] {
			t.Symbols = append(t.Symbols, sym)
		}
	}
	return t
}

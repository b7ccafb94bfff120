package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"cptrends/indicators"
	"cptrends/internal/chart"
)

// series loads one indicator's current series for a geography.
func (s *Server) series(ctx context.Context, def *indicators.Definition, geo indicators.Geography) (indicators.Series, error) {
	obs, err := s.store.Observations(ctx, def.ID, geo.Code)
	if err != nil {
		return indicators.Series{}, err
	}
	return indicators.NewSeries(def, geo, obs), nil
}

// figureView is a chart with everything that travels with it: headline,
// text summary, data tables, and the option JSON for charts.js.
type figureView struct {
	DOMID     string
	Number    int
	Title     string
	Headlines []string
	Summary   string
	Option    string
	Tips      string
	Tables    []tableView
	Series    []indicators.Series
}

// tableView is the accessible table of one series.
type tableView struct {
	Caption string
	Def     *indicators.Definition
	Rows    []rowView
	Symbols []indicators.Symbol
	Breaks  []indicators.Break
}

type rowView struct {
	Period    string
	Value     string
	Symbol    indicators.Symbol
	Change    string
	ChangePct string
	NoChange  string
	Break     bool
	Secondary bool
	Revised   bool
	Previous  string
	Notes     []string
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
	c, err := chart.Build(chart.Options{Labels: labels, Description: f.Summary}, series...)
	if err != nil {
		return f, err
	}
	tips, err := json.Marshal(c.Tips)
	if err != nil {
		return f, err
	}
	f.Option, f.Tips = string(c.Option), string(tips)
	return f, nil
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
	for _, p := range s.Points {
		r := rowView{Period: p.Period.String(), Value: d.FormatPoint(p), Symbol: p.Symbol, NoChange: p.NoChange,
			Break: p.BreakBefore, Secondary: p.Secondary && p.Value != nil, Notes: p.Notes}
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

package figures

import (
	"context"
	"fmt"

	"cptrends/indicators"
)

// Headline is an indicator's one-line summary for an area.
type Headline struct {
	Def      *indicators.Definition
	Headline string
}

// IndicatorView is everything an indicator's page shows for an area.
type IndicatorView struct {
	Figure  Figure
	Compare *Comparison
	About   AreaContext
}

// Indicator builds one indicator's page for an area from the current
// data: its chart with each year's change labelled, and, for an area
// other than England, its comparison; in one read of the figures.
func (r *Reader) Indicator(ctx context.Context, def *indicators.Definition, geo indicators.Geography) (IndicatorView, error) {
	var v IndicatorView
	var err error
	if v.About, err = r.Context(ctx, geo); err != nil {
		return v, err
	}
	geos := []indicators.Geography{geo}
	compare := geo.Code != indicators.EnglandCode && comparable(def)
	if compare {
		geos = append(geos, indicators.England)
		geos = append(geos, v.About.Neighbours...)
		if v.About.Region != nil {
			geos = append(geos, *v.About.Region)
		}
	}
	l, err := r.load(ctx, []*indicators.Definition{def}, geos)
	if err != nil {
		return v, err
	}
	if v.Figure, err = r.indicatorFigure(l, def, geo); err != nil {
		return v, err
	}
	if compare {
		v.Compare, err = r.compare(l, def, geo, v.About)
	}
	return v, err
}

func (r *Reader) indicatorFigure(l loaded, def *indicators.Definition, geo indicators.Geography) (Figure, error) {
	return buildFigure("chart-"+def.ID, def.Chart.Figure, def.Title, true, r.drawn(l, def, geo))
}

func (r *Reader) drawn(l loaded, def *indicators.Definition, geo indicators.Geography) drawn {
	return drawn{s: r.series(l, def, geo), base: r.base(l, def, geo)}
}

// OverviewView is the overview of an area: figures 1 to 4, and every other
// indicator's headline.
type OverviewView struct {
	Figures []Figure
	Others  []Headline
	About   AreaContext
	// Pathway is the latest year's pathway, for the panel under the
	// figures (without its charts).
	Pathway Pathway
}

// Overview builds the overview of an area in one read of the figures.
func (r *Reader) Overview(ctx context.Context, geo indicators.Geography) (OverviewView, error) {
	var v OverviewView
	var err error
	if v.About, err = r.Context(ctx, geo); err != nil {
		return v, err
	}
	l, err := r.load(ctx, r.Catalog.All(), []indicators.Geography{geo})
	if err != nil {
		return v, err
	}
	if v.Figures, err = r.overviewFigures(l, geo); err != nil {
		return v, err
	}
	onFigure := map[string]bool{}
	for _, f := range v.Figures {
		for _, sr := range f.Series {
			onFigure[sr.Definition.ID] = true
		}
	}
	for _, d := range r.Catalog.All() {
		if !onFigure[d.ID] {
			v.Others = append(v.Others, Headline{Def: d, Headline: r.series(l, d, geo).Headline()})
		}
	}
	v.Pathway, err = r.pathway(ctx, geo, 0, false)
	return v, err
}

// OverviewFigures is figures 1 to 4 for an area, from the current data.
func (r *Reader) OverviewFigures(ctx context.Context, geo indicators.Geography) ([]Figure, error) {
	l, err := r.load(ctx, r.Catalog.All(), []indicators.Geography{geo})
	if err != nil {
		return nil, err
	}
	return r.overviewFigures(l, geo)
}

func (r *Reader) overviewFigures(l loaded, geo indicators.Geography) ([]Figure, error) {
	var figs []Figure
	for _, fig := range r.Catalog.Figures() {
		var series []drawn
		for _, d := range fig.Definitions {
			series = append(series, r.drawn(l, d, geo))
		}
		title := fig.Definitions[0].Title
		if len(fig.Definitions) == 2 {
			title = fig.Definitions[0].Title + ": number and percentage of plans ending"
		}
		f, err := buildFigure(fmt.Sprintf("figure-%d", fig.Number), fig.Number, title, true, series...)
		if err != nil {
			return nil, err
		}
		figs = append(figs, f)
	}
	return figs, nil
}

// IndicatorFigures is one figure per indicator for an area, each with its
// changes labelled (the pack of chosen indicators).
func (r *Reader) IndicatorFigures(ctx context.Context, defs []*indicators.Definition, geo indicators.Geography) ([]Figure, error) {
	l, err := r.load(ctx, defs, []indicators.Geography{geo})
	if err != nil {
		return nil, err
	}
	var figs []Figure
	for _, d := range defs {
		f, err := r.indicatorFigure(l, d, geo)
		if err != nil {
			return nil, err
		}
		figs = append(figs, f)
	}
	return figs, nil
}

// Headlines is every indicator's headline for an area.
func (r *Reader) Headlines(ctx context.Context, geo indicators.Geography) ([]Headline, error) {
	l, err := r.load(ctx, r.Catalog.All(), []indicators.Geography{geo})
	if err != nil {
		return nil, err
	}
	var out []Headline
	for _, d := range r.Catalog.All() {
		out = append(out, Headline{Def: d, Headline: r.series(l, d, geo).Headline()})
	}
	return out, nil
}

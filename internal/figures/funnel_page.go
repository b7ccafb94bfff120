package figures

import (
	"context"
	"fmt"
	"strings"

	"cptrends/indicators"
	"cptrends/internal/chart"
)

// FunnelView is the funnel plot page of every authority for one indicator
// and year, with the table of the same, and the chosen area over time.
type FunnelView struct {
	Def, FunnelDef *indicators.Definition
	Period         indicators.Period
	Periods        []indicators.Period
	Funnel         Funnel
	Option, Tips   string
	Description    string
	Centre         string
	Adjustment     string
	Outside        string
	Chosen         *FunnelRow
	ChosenMissing  string
	Rows           []FunnelRow
	SmallRows      []FunnelRow
	Pooled         string
	XName          string
	XNameLower     string
	UnitLower      string
	// History is the chosen area's place against the limits every year.
	History                    []FunnelHistoryRow
	HistoryOption, HistoryTips string
	HistoryDescription         string
	HistorySummary             string
}

type FunnelHistoryRow struct {
	Period        indicators.Period
	Value, Counts string
	Low95, High95 string
	Where         string
	Quartile      int
	Outside       string
}

type FunnelRow struct {
	Code, Name             string
	Value, Published       string
	Numerator, Denominator string
	Low95, High95          string
	Low998, High998        string
	Where                  string
	Outside                string
	Small, Chosen          bool
	Pooled                 *FunnelPooledRow
}

type FunnelPooledRow struct {
	Value, Numerator, Denominator string
	Low95, High95                 string
	Where                         string
}

// FunnelPage builds the funnel plot page of an indicator for a year (the
// latest when period is zero), with the area named by code (if any)
// picked out and followed over time.
func (r *Reader) FunnelPage(ctx context.Context, d *indicators.Definition, p indicators.Period, code string) (FunnelView, error) {
	f, err := r.Funnel(ctx, d, p)
	if err != nil {
		return FunnelView{}, err
	}
	page := FunnelView{Def: d, FunnelDef: f.Indicator, Period: f.Period, Funnel: f}
	if page.Periods, err = r.FunnelPeriods(ctx, d); err != nil {
		return page, err
	}
	fd := f.Indicator
	page.XName = denominatorHeading(r.Catalog, fd)
	page.XNameLower, page.UnitLower = strings.ToLower(page.XName), strings.ToLower(fd.ValueHeading())
	page.Centre = fd.FormatValue(f.Centre)
	page.Adjustment = adjustmentText(f)
	page.Outside = outsideText(f)
	if f.PooledPeriods != nil {
		page.Pooled = f.PooledPeriods[0].String() + " to " + f.PooledPeriods[len(f.PooledPeriods)-1].String()
	}
	in := chart.FunnelInput{XName: page.XName, YName: fd.ValueHeading(), Percent: fd.IsPercent(),
		Centre: f.Centre, CentreName: "England (" + page.Centre + ")"}
	for _, a := range f.Areas {
		row := FunnelRowOf(fd, a)
		row.Chosen = a.Code == code
		if row.Chosen {
			rr := row
			page.Chosen = &rr
		}
		page.Rows = append(page.Rows, row)
		if a.Small {
			page.SmallRows = append(page.SmallRows, row)
		}
		in.Points = append(in.Points, chart.FunnelPoint{Name: a.Name, X: a.Denominator, Y: a.Value, Highlight: row.Chosen,
			Tip: []string{a.Name, fd.FormatValue(a.Value) + " (" + row.Numerator + " of " + row.Denominator + ")",
				"95% limits: " + row.Low95 + " to " + row.High95, upperFirst(row.Where) + "."}})
	}
	if code != "" && page.Chosen == nil {
		page.ChosenMissing = "The area chosen has no figure on this funnel plot."
		for _, e := range f.Excluded {
			if e.Code == code {
				page.ChosenMissing = e.Name + " has no figure on this funnel plot: " + e.Reason + "."
			}
		}
	}
	in.XMin, in.XMax = chart.LogAxisBounds(f.DenominatorRange())
	for _, l := range f.Curve(in.XMin, in.XMax, 60) {
		in.Curve = append(in.Curve, chart.FunnelLimits{X: l.Denominator,
			Low95: l.Adjusted["95"][0], High95: l.Adjusted["95"][1], Low998: l.Adjusted["99.8"][0], High998: l.Adjusted["99.8"][1]})
	}
	page.Description = fmt.Sprintf("Funnel plot of %s for %d local authorities in %s, against %s, with England's %s as the centre line. %s",
		strings.ToLower(fd.ShortTitle), len(f.Areas), f.Period, strings.ToLower(page.XName), page.Centre, page.Outside)
	in.Description = page.Description
	ch, err := chart.Funnel(in)
	if err != nil {
		return page, err
	}
	if page.Option, page.Tips, err = ch.Strings(); err != nil {
		return page, err
	}
	if page.Chosen != nil {
		if err := r.funnelHistory(ctx, d, &page); err != nil {
			return page, err
		}
	}
	return page, nil
}

// funnelHistory adds the chosen area's place on every year's funnel: the
// strip that tells "persistently high" from "one high year".
func (r *Reader) funnelHistory(ctx context.Context, d *indicators.Definition, page *FunnelView) error {
	hist, err := r.FunnelHistory(ctx, d, page.Chosen.Code)
	if err != nil || len(hist) == 0 {
		return err
	}
	fd := page.FunnelDef
	in := chart.FunnelHistoryInput{Area: page.Chosen.Name, YName: fd.ValueHeading(), Percent: fd.IsPercent()}
	outside := map[string]int{}
	for _, y := range hist {
		row := FunnelHistoryRow{Period: y.Period, Value: fd.FormatValue(y.Value),
			Counts: indicators.FormatNumber(y.Numerator, 0) + " of " + indicators.FormatNumber(y.Denominator, 0),
			Low95:  fd.FormatValue(y.Limits["95"][0]), High95: fd.FormatValue(y.Limits["95"][1]),
			Where: placementText(y.OutsideBy, y.Small), Quartile: y.Quartile, Outside: y.Outside}
		outside[y.Outside]++
		page.History = append(page.History, row)
		in.Years = append(in.Years, chart.FunnelYear{Period: y.Period.String(), Value: y.Value, Centre: y.Centre,
			Low95: y.Limits["95"][0], High95: y.Limits["95"][1], Low998: y.Limits["99.8"][0], High998: y.Limits["99.8"][1],
			Tip: []string{page.Chosen.Name + ", " + y.Period.String(), row.Value + " (" + row.Counts + ")",
				"95% limits: " + row.Low95 + " to " + row.High95, upperFirst(row.Where) + ".", fmt.Sprintf("Quartile %d of 4 among authorities.", y.Quartile)}})
	}
	first, last, name, n := hist[0].Period, hist[len(hist)-1].Period, page.Chosen.Name, len(hist)
	switch {
	case outside["higher"]+outside["lower"] == 0:
		page.HistorySummary = fmt.Sprintf("From %s to %s, %s was within the 95%% limits for its size in every one of the %s years with a figure.", first, last, name, countText(n))
	default:
		page.HistorySummary = fmt.Sprintf("From %s to %s, %s was above the 95%% limits for its size in %s of %s years and below them in %s.",
			first, last, name, countText(outside["higher"]), countText(n), countText(outside["lower"]))
	}
	page.HistoryDescription = page.HistorySummary
	in.Description = page.HistorySummary
	ch, err := chart.FunnelHistory(in)
	if err != nil {
		return err
	}
	page.HistoryOption, page.HistoryTips, err = ch.Strings()
	return err
}

func FunnelRowOf(d *indicators.Definition, a FunnelArea) FunnelRow {
	r := FunnelRow{Code: a.Code, Name: a.Name, Value: d.FormatValue(a.Value),
		Numerator: indicators.FormatNumber(a.Numerator, 0), Denominator: indicators.FormatNumber(a.Denominator, 0),
		Low95: d.FormatValue(a.Limits["95"][0]), High95: d.FormatValue(a.Limits["95"][1]),
		Low998: d.FormatValue(a.Limits["99.8"][0]), High998: d.FormatValue(a.Limits["99.8"][1]),
		Outside: a.Outside, Small: a.Small}
	if a.Published != nil {
		r.Published = d.FormatValue(*a.Published)
	}
	r.Where = placementText(a.OutsideBy, a.Small)
	if p := a.Pooled; p != nil {
		r.Pooled = &FunnelPooledRow{Value: d.FormatValue(p.Value), Numerator: indicators.FormatNumber(p.Numerator, 0),
			Denominator: indicators.FormatNumber(p.Denominator, 0), Low95: d.FormatValue(p.Limits["95"][0]),
			High95: d.FormatValue(p.Limits["95"][1]), Where: placementText(p.OutsideBy, false)}
	}
	return r
}

// placementText says in neutral words where a figure falls: never good or
// bad, since for most of these measures neither direction is.
func placementText(by map[string]string, small bool) string {
	switch {
	case small:
		return "too small a number in one year to compare"
	case by["99.8"] == "higher":
		return "higher than almost all authorities of its size (above the 99.8% limit)"
	case by["99.8"] == "lower":
		return "lower than almost all authorities of its size (below the 99.8% limit)"
	case by["95"] == "higher":
		return "higher than most authorities of its size (above the 95% limit)"
	case by["95"] == "lower":
		return "lower than most authorities of its size (below the 95% limit)"
	}
	return "within the range expected for its size"
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func denominatorHeading(cat *indicators.Catalog, d *indicators.Definition) string {
	if den, ok := cat.Lookup(d.Ratio.Denominator); ok {
		return den.ShortTitle
	}
	return "Denominator"
}

// adjustmentText states the overdispersion adjustment in plain words.
func adjustmentText(f Funnel) string {
	od := f.Overdispersion
	if !od.Needed {
		return fmt.Sprintf("No adjustment was needed: the %d authorities differ from one another by no more than chance would produce (dispersion ratio %s), so the limits are the plain ones.",
			od.Areas, indicators.FormatNumber(od.Phi, 2))
	}
	return fmt.Sprintf("Authorities differ from one another by more than chance alone would produce (their dispersion ratio is %s, where chance alone would give about 1), as is usual in children's social care: local practice, thresholds and populations differ. "+
		"So the limits are widened by the variation between authorities, estimated at %s (tau², on the scale of the %s) by Spiegelhalter's method (2005) from the %d authorities' figures, after pulling in the most extreme 10%% at each end (Winsorisation), as the NHS-R FunnelPlotR package does.",
		indicators.FormatNumber(od.Phi, 2), fmt.Sprintf("%.3g", od.Tau2), f.Scale, od.Areas)
}

// outsideText counts the authorities outside the limits, with the
// adjustment and without it.
func outsideText(f Funnel) string {
	n := f.Counts.Placed - f.Counts.Small
	a95, a998 := f.Counts.Adjusted["95"], f.Counts.Adjusted["99.8"]
	u95, u998 := f.Counts.Unadjusted["95"], f.Counts.Unadjusted["99.8"]
	text := fmt.Sprintf("Of %s authorities compared, %s are outside the 95%% limits (%s higher, %s lower) and %s outside the 99.8%% limits (%s higher, %s lower).",
		indicators.FormatNumber(float64(n), 0), countText(a95.Total()), countText(a95.Higher), countText(a95.Lower), countText(a998.Total()), countText(a998.Higher), countText(a998.Lower))
	if f.Overdispersion.Needed {
		text += fmt.Sprintf(" Without the adjustment for variation between authorities, %s and %s would be, where chance alone would put about %s and %s outside.",
			countText(u95.Total()), countText(u998.Total()), indicators.FormatNumber(float64(n)*0.05, 1), indicators.FormatNumber(float64(n)*0.002, 1))
	}
	return text
}

func countText(n int) string { return indicators.FormatNumber(float64(n), 0) }

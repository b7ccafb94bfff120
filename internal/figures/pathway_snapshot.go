package figures

import (
	"context"
	"strings"

	"cptrends/indicators"
)

// PathwaySubject is the snapshot subject of an area's pathway in its
// latest year; "pathway:2023/24" is its pathway in that year.
const PathwaySubject = "pathway"

// PathwaySnapshotPeriod reads a pathway snapshot's subject: ok is false
// for any other subject; the period is zero for the latest year.
func PathwaySnapshotPeriod(subject string) (indicators.Period, bool, error) {
	if subject == PathwaySubject {
		return 0, true, nil
	}
	rest, ok := strings.CutPrefix(subject, PathwaySubject+":")
	if !ok {
		return 0, false, nil
	}
	per, err := indicators.ParsePeriod(rest)
	if err != nil {
		return 0, true, indicators.Errorf(indicators.EINVALID, "%q is not a reporting year: give one as 2024/25.", rest)
	}
	return per, true, nil
}

// PathwaySnapshotSubject is the snapshot subject of a pathway page.
func PathwaySnapshotSubject(per indicators.Period) string {
	return PathwaySubject + ":" + per.String()
}

// pathwaySnapshot keeps the pathway page's figures: the year's pathway,
// with a table of each stage's count over time (so that a later revision
// of any stage shows as a change), each conversion over time, the plans'
// stock and flow and the lengths of open plans.
func (r *Reader) pathwaySnapshot(ctx context.Context, doc SnapshotDoc, geo indicators.Geography, per indicators.Period) (SnapshotDoc, error) {
	pw, err := r.Pathway(ctx, geo, per)
	if err != nil {
		return doc, err
	}
	doc.Heading = "The child protection pathway"
	if !pw.Period.IsZero() {
		doc.Heading += ", " + pw.Period.String()
	}
	doc.Heading += ": " + geo.Name
	if len(pw.Stages) == 0 {
		return doc, indicators.Errorf(indicators.ENOTFOUND, "cptrends holds no pathway figures for %s.", geo.Name)
	}
	chart := pw.Chart
	for _, st := range pw.Stages {
		sr, err := r.Series(ctx, st.Def, geo)
		if err != nil {
			return doc, err
		}
		chart.Series = append(chart.Series, sr)
		chart.Tables = append(chart.Tables, table(drawn{s: sr}))
	}
	figs := append([]Figure{chart}, pw.ConversionFigures...)
	for _, f := range []Figure{pw.Plans, pw.Bands} {
		if f.Option != "" {
			figs = append(figs, f)
		}
	}
	for i := range figs {
		figs[i].Number = i + 1
	}
	doc.Figures = Stamped(figs, doc.Data)
	return doc, nil
}

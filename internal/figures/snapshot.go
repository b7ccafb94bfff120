package figures

import (
	"context"
	"encoding/json"
	"fmt"

	"cptrends/indicators"
)

// OverviewSubject is the snapshot subject of the overview's four figures.
const OverviewSubject = "overview"

// SnapshotVersion is the version of the snapshot document written now.
// Documents without a version were written before versions (version 0):
// the same shape, less what was added since. Every version ever written
// must go on decoding and rendering as it was made.
const SnapshotVersion = 1

// SnapshotDoc is what a snapshot keeps: everything its page shows, as it
// was drawn. Pages of a snapshot read only this, never current data.
type SnapshotDoc struct {
	Version   int                  `json:"version,omitempty"`
	Heading   string               `json:"heading"`
	Geography indicators.Geography `json:"geography"`
	Data      Stamp                `json:"data"`
	Figures   []Figure             `json:"figures"`
	// Compare is an area's comparison with England, its region and its
	// statistical neighbours, as the indicator's page showed it; absent for
	// England, the overview and snapshots made before areas had one.
	Compare *Comparison `json:"compare,omitempty"`
}

// DecodeSnapshot reads a stored snapshot document of any version so far.
func DecodeSnapshot(b []byte) (SnapshotDoc, error) {
	var doc SnapshotDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return doc, fmt.Errorf("figures: snapshot document: %w", err)
	}
	if doc.Version > SnapshotVersion {
		return doc, fmt.Errorf("figures: snapshot document version %d is newer than this release reads (%d)", doc.Version, SnapshotVersion)
	}
	return doc, nil
}

// Snapshot builds the document of a subject (an indicator id, or
// OverviewSubject) for an area from the current data.
func (r *Reader) Snapshot(ctx context.Context, subject string, geo indicators.Geography) (SnapshotDoc, error) {
	doc := SnapshotDoc{Version: SnapshotVersion, Geography: geo}
	var err error
	if doc.Data, err = r.Stamp(ctx); err != nil {
		return doc, err
	}
	if subject == OverviewSubject {
		doc.Heading = "Child protection in " + geo.Name
		figs, err := r.OverviewFigures(ctx, geo)
		doc.Figures = Stamped(figs, doc.Data)
		return doc, err
	}
	if per, ok, err := PathwaySnapshotPeriod(subject); ok || err != nil {
		if err != nil {
			return doc, err
		}
		return r.pathwaySnapshot(ctx, doc, geo, per)
	}
	def, ok := r.Catalog.Lookup(subject)
	if !ok {
		return doc, indicators.Errorf(indicators.ENOTFOUND, "There is no indicator called %q.", subject)
	}
	doc.Heading = def.Title
	if geo.Code != indicators.EnglandCode {
		doc.Heading += ": " + geo.Name
	}
	v, err := r.Indicator(ctx, def, geo)
	if err != nil {
		return doc, err
	}
	doc.Figures = Stamped([]Figure{v.Figure}, doc.Data)
	if doc.Compare = v.Compare; doc.Compare != nil {
		doc.Compare.Stamp = doc.Data.String()
	}
	return doc, nil
}

// Indicators lists the indicator ids a document's figures show.
func (doc SnapshotDoc) Indicators() []string {
	var ids []string
	for _, f := range doc.Figures {
		for _, sr := range f.Series {
			ids = append(ids, sr.Definition.ID)
		}
	}
	return ids
}

// series lists every series a document shows, each once: its figures',
// then its comparison's (England, the region, the neighbours' average).
func (doc SnapshotDoc) series() []indicators.Series {
	seen := map[string]bool{}
	var out []indicators.Series
	add := func(sr indicators.Series) {
		if k := seriesKey(sr); !seen[k] {
			seen[k] = true
			out = append(out, sr)
		}
	}
	for _, f := range doc.Figures {
		for _, sr := range f.Series {
			add(sr)
		}
	}
	if doc.Compare != nil {
		for _, sr := range doc.Compare.Series {
			add(sr)
		}
	}
	return out
}

func seriesKey(sr indicators.Series) string {
	return sr.Definition.ID + "\x00" + sr.Geography.Code + "\x00" + sr.Geography.Name
}

// SeriesChanges is what changed in one series between two versions.
type SeriesChanges struct {
	Title string
	Rows  []ChangeRow
}

// ChangeRow is one year whose figure changed, and why (indicators.Revision,
// NewYear or Removed).
type ChangeRow struct {
	Period     string
	Old        string
	New        string
	Difference string
	Reason     string
}

// ChangesSince compares a snapshot of subject with the current data:
// every series it shows, the comparators too.
func (r *Reader) ChangesSince(ctx context.Context, subject string, doc SnapshotDoc) ([]SeriesChanges, error) {
	now, err := r.Snapshot(ctx, subject, doc.Geography)
	if err != nil {
		return nil, err
	}
	return CompareDocs(doc, now), nil
}

// CompareDocs lists, per series of old, the years whose figures differ in
// new; series with no differences are left out.
func CompareDocs(old, new SnapshotDoc) []SeriesChanges {
	byKey := map[string]indicators.Series{}
	for _, sr := range new.series() {
		byKey[seriesKey(sr)] = sr
	}
	var out []SeriesChanges
	for _, o := range old.series() {
		d := o.Definition
		n, ok := byKey[seriesKey(o)]
		if !ok {
			n = indicators.Series{Definition: d, Geography: o.Geography}
		}
		sc := SeriesChanges{Title: d.Title + ": " + o.Geography.Name}
		for _, diff := range indicators.Diff(o, n) {
			row := ChangeRow{Period: diff.Period.String(), Reason: diff.Reason, Old: "none", New: "none"}
			if diff.Old != nil {
				row.Old = d.FormatPoint(*diff.Old)
			}
			if diff.New != nil {
				row.New = d.FormatPoint(*diff.New)
			}
			if diff.Old != nil && diff.New != nil && diff.Old.Value != nil && diff.New.Value != nil {
				row.Difference = d.FormatChange(*diff.New.Value - *diff.Old.Value)
			}
			sc.Rows = append(sc.Rows, row)
		}
		if len(sc.Rows) > 0 {
			out = append(out, sc)
		}
	}
	if sc := rangeChanges(old.Compare, new.Compare); len(sc.Rows) > 0 {
		out = append(out, sc)
	}
	return out
}

// rangeChanges lists the years whose range of the neighbours' figures
// differs between two comparisons of the same area.
func rangeChanges(old, new *Comparison) SeriesChanges {
	if old == nil || new == nil || !old.HasSpread {
		return SeriesChanges{}
	}
	sc := SeriesChanges{Title: "Range of " + old.Context.Area.Name + "'s statistical neighbours"}
	now := map[string]string{}
	for _, r := range new.Rows {
		now[r.Period] = r.Range
	}
	for _, r := range old.Rows {
		n, ok := now[r.Period]
		if !ok {
			sc.Rows = append(sc.Rows, ChangeRow{Period: r.Period, Old: r.Range, New: "none", Reason: indicators.Removed})
		} else if n != r.Range {
			sc.Rows = append(sc.Rows, ChangeRow{Period: r.Period, Old: r.Range, New: n, Reason: indicators.Revision})
		}
	}
	return sc
}

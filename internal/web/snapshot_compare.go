package web

import (
	"context"
	"net/http"

	"cptrends/indicators"
	"cptrends/internal/store"

	"github.com/labstack/echo/v4"
)

// seriesChanges is what changed in one indicator between two versions.
type seriesChanges struct {
	Title string
	Rows  []changeRow
}

// changeRow is one year whose figure changed, and why (indicators.Revision,
// NewYear or Removed).
type changeRow struct {
	Period     string
	Old        string
	New        string
	Difference string
	Reason     string
}

// docSeries lists a snapshot's series, each indicator once.
func docSeries(doc snapshotDoc) []indicators.Series {
	seen := map[string]bool{}
	var out []indicators.Series
	for _, f := range doc.Figures {
		for _, sr := range f.Series {
			if !seen[sr.Definition.ID] {
				seen[sr.Definition.ID] = true
				out = append(out, sr)
			}
		}
	}
	return out
}

// changesSince compares a snapshot's figures with the current data.
func (s *Server) changesSince(ctx context.Context, doc snapshotDoc) ([]seriesChanges, error) {
	var now []indicators.Series
	for _, sr := range docSeries(doc) {
		cur, err := s.series(ctx, sr.Definition, doc.Geography)
		if err != nil {
			return nil, err
		}
		now = append(now, cur)
	}
	return compareSeries(docSeries(doc), now), nil
}

// compareSeries lists, per indicator of old, the years whose figures differ
// in new; indicators with no differences are left out.
func compareSeries(old, new []indicators.Series) []seriesChanges {
	byID := map[string]indicators.Series{}
	for _, sr := range new {
		byID[sr.Definition.ID] = sr
	}
	var out []seriesChanges
	for _, o := range old {
		d := o.Definition
		n, ok := byID[d.ID]
		if !ok {
			n = indicators.Series{Definition: d, Geography: o.Geography}
		}
		sc := seriesChanges{Title: d.Title}
		for _, diff := range indicators.Diff(o, n) {
			r := changeRow{Period: diff.Period.String(), Reason: diff.Reason, Old: "none", New: "none"}
			if diff.Old != nil {
				r.Old = d.FormatPoint(*diff.Old)
			}
			if diff.New != nil {
				r.New = d.FormatPoint(*diff.New)
			}
			if diff.Old != nil && diff.New != nil && diff.Old.Value != nil && diff.New.Value != nil {
				r.Difference = d.FormatChange(*diff.New.Value - *diff.Old.Value)
			}
			sc.Rows = append(sc.Rows, r)
		}
		if len(sc.Rows) > 0 {
			out = append(out, sc)
		}
	}
	return out
}

type snapshotComparePage struct {
	layout
	Snap  store.Snapshot
	Doc   snapshotDoc
	With  *store.Snapshot // nil: compared with the current data
	Now   dataStamp
	Diffs []seriesChanges
}

// handleSnapshotCompare shows what changed between a snapshot and the
// current data, or a second snapshot named by ?with=.
func (s *Server) handleSnapshotCompare(c echo.Context) error {
	ctx := c.Request().Context()
	sn, doc, err := s.loadSnapshot(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	page := snapshotComparePage{layout: s.layout(c, "What changed since snapshot: "+sn.Title), Snap: sn, Doc: doc}
	if with := c.QueryParam("with"); with != "" {
		other, otherDoc, err := s.loadSnapshot(ctx, with)
		if err != nil {
			return err
		}
		if other.Subject != sn.Subject || other.Geography != sn.Geography {
			return indicators.Errorf(indicators.EINVALID, "The two snapshots show different figures (%s and %s); compare snapshots of the same page.",
				doc.Heading, otherDoc.Heading)
		}
		page.With, page.Now = &other, otherDoc.Data
		page.Diffs = compareSeries(docSeries(doc), docSeries(otherDoc))
		return s.render(c, http.StatusOK, "snapshot_compare", page)
	}
	if page.Now, err = s.dataStamp(ctx); err != nil {
		return err
	}
	if page.Diffs, err = s.changesSince(ctx, doc); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "snapshot_compare", page)
}

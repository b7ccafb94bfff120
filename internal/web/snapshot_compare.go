package web

import (
	"net/http"

	"cptrends/indicators"
	"cptrends/internal/figures"
	"cptrends/internal/store"

	"github.com/labstack/echo/v4"
)

type snapshotComparePage struct {
	layout
	Snap  store.Snapshot
	Doc   figures.SnapshotDoc
	With  *store.Snapshot // nil: compared with the current data
	Now   figures.Stamp
	Diffs []figures.SeriesChanges
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
		page.Diffs = figures.CompareDocs(doc, otherDoc)
		return s.render(c, http.StatusOK, "snapshot_compare", page)
	}
	if page.Now, err = s.fig.Stamp(ctx); err != nil {
		return err
	}
	if page.Diffs, err = s.fig.ChangesSince(ctx, sn.Subject, doc); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "snapshot_compare", page)
}

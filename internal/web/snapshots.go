package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"cptrends/indicators"
	"cptrends/internal/figures"
	"cptrends/internal/store"

	"github.com/labstack/echo/v4"
)

// subjectPath is the address of the live page a snapshot was taken from,
// with its area.
func subjectPath(subject, geography string) string {
	q := areaQuery(indicators.Geography{Code: geography})
	if subject == figures.OverviewSubject {
		return "/" + q
	}
	if per, ok, err := figures.PathwaySnapshotPeriod(subject); ok && err == nil {
		if per.IsZero() {
			return "/pathway" + q
		}
		if q == "" {
			return "/pathway?period=" + url.QueryEscape(per.String())
		}
		return "/pathway" + q + "&period=" + url.QueryEscape(per.String())
	}
	return "/indicators/" + subject + q
}

// handleSnapshotCreate freezes what a page shows now and sends the user to
// the snapshot.
func (s *Server) handleSnapshotCreate(c echo.Context) error {
	ctx := c.Request().Context()
	subject := strings.TrimSpace(c.FormValue("indicator"))
	title, comment := strings.TrimSpace(c.FormValue("title")), strings.TrimSpace(c.FormValue("comment"))
	if subject == "" {
		return indicators.Errorf(indicators.EINVALID, "Say which figures to snapshot: an indicator id, or overview.")
	}
	geo, err := s.fig.Geography(ctx, s.fig.Current(strings.TrimSpace(c.FormValue("geography"))))
	if err != nil {
		return err
	}
	// Refused before the figures are read, if the account has made as many
	// snapshots as it may for now; CreateSnapshot checks again.
	if refused, err := s.refuseSnapshotLimit(c, s.store.SnapshotAllowance(ctx, currentUser(c).Name)); refused {
		return err
	}
	// An upload committed while the figures are read makes CreateSnapshot
	// refuse; read them again, a few times at most.
	for try := 1; ; try++ {
		doc, err := s.fig.Snapshot(ctx, subject, geo)
		if err != nil {
			return err
		}
		heading, stamp := doc.Heading, doc.Data
		content, err := json.Marshal(doc)
		if err != nil {
			return fmt.Errorf("web: encode snapshot: %w", err)
		}
		sn := store.Snapshot{Subject: subject, Geography: geo.Code, Indicators: doc.Indicators(), Title: title, Comment: comment,
			CreatedBy: currentUser(c).Name, DataVersion: stamp.Version, Content: content}
		if sn.Title == "" {
			sn.Title = heading
		}
		sn, err = s.store.CreateSnapshot(ctx, sn)
		if refused, rerr := s.refuseSnapshotLimit(c, err); refused {
			return rerr
		}
		if indicators.ErrorCode(err) == indicators.ECONFLICT && try < 3 {
			continue
		}
		if err != nil {
			return err
		}
		s.log.Info("snapshot", "id", sn.ID, "subject", subject, "user", sn.CreatedBy, "data_version", sn.DataVersion)
		return c.Redirect(http.StatusSeeOther, s.url("/snapshots/"+sn.ID))
	}
}

// loadSnapshot reads a snapshot and its frozen figures. Ids of the wrong
// shape are refused before any lookup.
func (s *Server) loadSnapshot(ctx context.Context, id string) (store.Snapshot, figures.SnapshotDoc, error) {
	if !store.ValidSnapshotID(id) {
		return store.Snapshot{}, figures.SnapshotDoc{}, indicators.Errorf(indicators.ENOTFOUND, "There is no such snapshot.")
	}
	sn, err := s.store.Snapshot(ctx, id)
	if err != nil {
		return sn, figures.SnapshotDoc{}, err
	}
	doc, err := figures.DecodeSnapshot(sn.Content)
	if err != nil {
		return sn, doc, fmt.Errorf("web: snapshot %s: %w", id, err)
	}
	return sn, doc, nil
}

type snapshotShowPage struct {
	layout
	Snap    store.Snapshot
	Doc     figures.SnapshotDoc
	Current string
	// Newer is set when the data has moved on and the figures differ.
	Newer bool
}

// handleSnapshotShow shows a snapshot as it stood, or sends it as one
// HTML file when the address ends in .html.
func (s *Server) handleSnapshotShow(c echo.Context) error {
	id := c.Param("id")
	if strings.HasSuffix(id, ".html") {
		return s.handleSnapshotFile(c, strings.TrimSuffix(id, ".html"))
	}
	ctx := c.Request().Context()
	sn, doc, err := s.loadSnapshot(ctx, id)
	if err != nil {
		return err
	}
	page := snapshotShowPage{layout: s.layout(c, "Snapshot: "+sn.Title), Snap: sn, Doc: doc, Current: s.url(subjectPath(sn.Subject, sn.Geography))}
	v, err := s.store.DataVersion(ctx)
	if err != nil {
		return err
	}
	if v != sn.DataVersion {
		changes, err := s.fig.ChangesSince(ctx, sn.Subject, doc)
		if err != nil {
			return err
		}
		page.Newer = len(changes) > 0
	}
	return s.render(c, http.StatusOK, "snapshot_show", page)
}

type snapshotIndexPage struct {
	layout
	Snapshots []store.Snapshot
	// Areas names each snapshot's area by its code.
	Areas map[string]string
}

func (s *Server) handleSnapshotIndex(c echo.Context) error {
	list, err := s.store.Snapshots(c.Request().Context())
	if err != nil {
		return err
	}
	areas := map[string]string{}
	for _, sn := range list {
		if _, ok := areas[sn.Geography]; ok {
			continue
		}
		areas[sn.Geography] = sn.Geography // an area no longer known keeps its code
		if g, err := s.fig.Geography(c.Request().Context(), sn.Geography); err == nil && g.Name != "" {
			areas[sn.Geography] = g.Name
		}
	}
	return s.render(c, http.StatusOK, "snapshots", snapshotIndexPage{layout: s.layout(c, "Snapshots"), Snapshots: list, Areas: areas})
}

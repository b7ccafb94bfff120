package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"cptrends/indicators"
	"cptrends/internal/store"

	"github.com/labstack/echo/v4"
)

// overviewSubject is the snapshot subject of the overview's four figures.
const overviewSubject = "overview"

// snapshotDoc is what a snapshot keeps: everything its page shows, as it
// was drawn. Pages of a snapshot read only this, never current data.
type snapshotDoc struct {
	Heading   string               `json:"heading"`
	Geography indicators.Geography `json:"geography"`
	Data      dataStamp            `json:"data"`
	Figures   []figureView         `json:"figures"`
	// Compare is an area's comparison with England, its region and its
	// statistical neighbours, as the indicator's page showed it; absent for
	// England, the overview and snapshots made before areas had one.
	Compare *compareView `json:"compare,omitempty"`
}

// subjectFigures builds, from the current data, the figures a page shows:
// the overview's four, or one indicator's.
func (s *Server) subjectFigures(ctx context.Context, subject string, geo indicators.Geography) (string, []figureView, error) {
	if subject == overviewSubject {
		figs, err := s.overviewFigures(ctx, geo)
		return "Child protection in " + geo.Name, figs, err
	}
	d, err := s.lookup(subject)
	if err != nil {
		return "", nil, err
	}
	f, err := s.indicatorFigure(ctx, d, geo)
	return d.Title, []figureView{f}, err
}

// subjectPath is the address of the live page a snapshot was taken from,
// with its area.
func subjectPath(subject, geography string) string {
	q := areaQuery(indicators.Geography{Code: geography})
	if subject == overviewSubject {
		return "/" + q
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
	geo, err := s.geography(ctx, strings.TrimSpace(c.FormValue("geography")))
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
		stamp, err := s.dataStamp(ctx)
		if err != nil {
			return err
		}
		heading, figs, err := s.subjectFigures(ctx, subject, geo)
		if err != nil {
			return err
		}
		doc := snapshotDoc{Heading: heading, Geography: geo, Data: stamp, Figures: stamped(figs, stamp)}
		if subject != overviewSubject {
			d, _ := s.lookup(subject) // found by subjectFigures
			if doc.Compare, err = s.compare(ctx, d, geo); err != nil {
				return err
			}
			if doc.Compare != nil {
				doc.Compare.Stamp = stamp.String()
			}
		}
		content, err := json.Marshal(doc)
		if err != nil {
			return fmt.Errorf("web: encode snapshot: %w", err)
		}
		sn := store.Snapshot{Subject: subject, Geography: geo.Code, Indicators: docIndicators(doc), Title: title, Comment: comment,
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

// docIndicators lists the indicator ids a snapshot's figures show.
func docIndicators(doc snapshotDoc) []string {
	var ids []string
	for _, f := range doc.Figures {
		for _, sr := range f.Series {
			ids = append(ids, sr.Definition.ID)
		}
	}
	return ids
}

// loadSnapshot reads a snapshot and its frozen figures. Ids of the wrong
// shape are refused before any lookup.
func (s *Server) loadSnapshot(ctx context.Context, id string) (store.Snapshot, snapshotDoc, error) {
	if !store.ValidSnapshotID(id) {
		return store.Snapshot{}, snapshotDoc{}, indicators.Errorf(indicators.ENOTFOUND, "There is no such snapshot.")
	}
	sn, err := s.store.Snapshot(ctx, id)
	if err != nil {
		return sn, snapshotDoc{}, err
	}
	var doc snapshotDoc
	if err := json.Unmarshal(sn.Content, &doc); err != nil {
		return sn, doc, fmt.Errorf("web: snapshot %s: %w", id, err)
	}
	return sn, doc, nil
}

type snapshotShowPage struct {
	layout
	Snap    store.Snapshot
	Doc     snapshotDoc
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
		changes, err := s.changesSince(ctx, doc)
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
}

func (s *Server) handleSnapshotIndex(c echo.Context) error {
	list, err := s.store.Snapshots(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "snapshots", snapshotIndexPage{layout: s.layout(c, "Snapshots"), Snapshots: list})
}

package web

import (
	"fmt"
	"mime/multipart"
	"net/http"
	"sort"
	"strconv"

	"cptrends/indicators"
	"cptrends/internal/ingest"
	"cptrends/internal/store"

	"github.com/labstack/echo/v4"
)

type uploadsPage struct {
	layout
	Uploads []store.Upload
	MaxMB   int64
}

// handleUploads lists the upload history, with the upload form for analysts.
func (s *Server) handleUploads(c echo.Context) error {
	ups, err := s.store.Uploads(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "uploads", uploadsPage{layout: s.layout(c, "Uploads"), Uploads: ups, MaxMB: s.opts.MaxUploadBytes >> 20})
}

type uploadErrorsPage struct {
	layout
	Problems []ingest.Problem
	Omitted  int
	MaxMB    int64
}

// handleUploadCreate validates the files and, if they are sound, stages
// them and shows the preview; otherwise it lists every problem.
func (s *Server) handleUploadCreate(c echo.Context) error {
	form, err := c.MultipartForm()
	if err != nil {
		return s.renderUploadProblems(c, []ingest.Problem{{File: "(upload)", Line: 1, Column: ingest.NoColumn,
			Message: "the upload could not be read; choose one or more CSV files and try again"}}, 0)
	}
	files := form.File["file"]
	if len(files) == 0 {
		return s.renderUploadProblems(c, []ingest.Problem{{File: "(upload)", Line: 1, Column: ingest.NoColumn, Message: "choose at least one CSV file"}}, 0)
	}
	var inputs []ingest.Input
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		inputs = append(inputs, ingest.Input{Name: fileName(fh), R: f})
	}
	res := ingest.Read(s.cat, ingest.Options{MaxFileSize: s.opts.MaxUploadBytes}, inputs...)
	if !res.OK() {
		return s.renderUploadProblems(c, res.Problems, res.Omitted)
	}
	// The local authorities' codes and regions, as the bundled load records
	// them, so that an authority new in this release finds its region and
	// neighbours. They are reference data, not figures: a cancelled upload
	// leaves them, and they name no area that has no figures.
	if err := s.store.SaveLACodes(c.Request().Context(), res.LACodes); err != nil {
		return err
	}
	sum, err := s.store.Stage(c.Request().Context(), store.NewUpload{By: currentUser(c).Name, Files: res.Files, Observations: res.Observations})
	if err != nil {
		return err
	}
	s.log.Info("upload staged", "upload", sum.UploadID, "user", currentUser(c).Name, "added", sum.Added, "revised", sum.Revised)
	return s.renderUpload(c, sum.UploadID, res.Ignored)
}

func fileName(fh *multipart.FileHeader) string {
	if fh.Filename == "" {
		return "(unnamed file)"
	}
	return fh.Filename
}

func (s *Server) renderUploadProblems(c echo.Context, problems []ingest.Problem, omitted int) error {
	page := uploadErrorsPage{layout: s.layout(c, "Error: there is a problem with the upload"), Problems: problems, Omitted: omitted, MaxMB: s.opts.MaxUploadBytes >> 20}
	return s.render(c, http.StatusUnprocessableEntity, "upload_errors", page)
}

type uploadShowPage struct {
	layout
	Upload  store.Upload
	Groups  []changeGroup
	Ignored map[string][]string
}

// changeGroup gathers an upload's changes for one indicator and geography
// level, as the preview shows them.
type changeGroup struct {
	Def     *indicators.Definition
	Level   string
	Added   []store.Change
	Revised []store.Change
}

func (s *Server) handleUploadShow(c echo.Context) error {
	id, err := uploadID(c)
	if err != nil {
		return err
	}
	return s.renderUpload(c, id, nil)
}

func (s *Server) renderUpload(c echo.Context, id int64, ignored map[string][]string) error {
	ctx := c.Request().Context()
	up, err := s.store.Upload(ctx, id)
	if err != nil {
		return err
	}
	changes, err := s.store.Changes(ctx, id)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("Upload %d", id)
	if up.Status == "pending" {
		title = "Check the upload before you commit it"
	}
	page := uploadShowPage{layout: s.layout(c, title), Upload: up, Ignored: ignored}
	byKey := map[string]*changeGroup{}
	for _, ch := range changes {
		key := ch.New.Indicator + "|" + ch.New.Geography.Level
		g, ok := byKey[key]
		if !ok {
			def, _ := s.cat.Lookup(ch.New.Indicator)
			g = &changeGroup{Def: def, Level: ch.New.Geography.Level}
			byKey[key] = g
		}
		if ch.Kind == store.Revised {
			g.Revised = append(g.Revised, ch)
		} else {
			g.Added = append(g.Added, ch)
		}
	}
	for _, g := range byKey {
		page.Groups = append(page.Groups, *g)
	}
	// In the catalogue's order (the overview's figures first), then from
	// national down to local authority.
	rank := map[string]int{}
	for i, d := range s.cat.All() {
		rank[d.ID] = i
	}
	levels := map[string]int{indicators.LevelNational: 0, indicators.LevelRegional: 1, indicators.LevelLocal: 2}
	sort.Slice(page.Groups, func(i, j int) bool {
		a, b := page.Groups[i], page.Groups[j]
		if a.Def.ID != b.Def.ID {
			return rank[a.Def.ID] < rank[b.Def.ID]
		}
		return levels[a.Level] < levels[b.Level]
	})
	return s.render(c, http.StatusOK, "upload_show", page)
}

func uploadID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, indicators.Errorf(indicators.ENOTFOUND, "There is no upload %q.", c.Param("id"))
	}
	return id, nil
}

func (s *Server) handleUploadCommit(c echo.Context) error {
	id, err := uploadID(c)
	if err != nil {
		return err
	}
	if err := s.store.Commit(c.Request().Context(), id); err != nil {
		return err
	}
	s.log.Info("upload committed", "upload", id, "user", currentUser(c).Name)
	return c.Redirect(http.StatusSeeOther, s.url(fmt.Sprintf("/uploads/%d", id)))
}

func (s *Server) handleUploadCancel(c echo.Context) error {
	id, err := uploadID(c)
	if err != nil {
		return err
	}
	if err := s.store.Cancel(c.Request().Context(), id, currentUser(c).Name); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.url("/uploads"))
}

func (s *Server) handleUploadRollback(c echo.Context) error {
	id, err := uploadID(c)
	if err != nil {
		return err
	}
	if err := s.store.Rollback(c.Request().Context(), id, currentUser(c).Name); err != nil {
		return err
	}
	s.log.Info("upload rolled back", "upload", id, "user", currentUser(c).Name)
	return c.Redirect(http.StatusSeeOther, s.url(fmt.Sprintf("/uploads/%d", id)))
}

package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
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
	// Cancelled lists the previews cancelled, for analysts.
	Cancelled []store.Cancellation
}

// handleUploads lists the upload history, with the upload form for analysts.
func (s *Server) handleUploads(c echo.Context) error {
	all, err := s.store.Uploads(c.Request().Context())
	if err != nil {
		return err
	}
	// Pending uploads are unpublished figures: analysts' business alone.
	ups := all[:0:0]
	for _, u := range all {
		if u.Status != "pending" || canSeePending(currentUser(c)) {
			ups = append(ups, u)
		}
	}
	page := uploadsPage{layout: s.layout(c, "Uploads"), Uploads: ups, MaxMB: s.opts.MaxUploadBytes >> 20}
	if canSeePending(currentUser(c)) {
		if page.Cancelled, err = s.store.Cancellations(c.Request().Context()); err != nil {
			return err
		}
	}
	return s.render(c, http.StatusOK, "uploads", page)
}

type uploadErrorsPage struct {
	layout
	Problems []ingest.Problem
	Omitted  int
	MaxMB    int64
}

// handleUploadCreate validates the files and, if they are sound, stages
// them and shows the preview; otherwise it lists every problem. The
// files are read from the request as they arrive, each written to a
// temporary file, and then streamed into the staged upload, so memory
// does not grow with their size and no write lock is held while a slow
// client sends them.
func (s *Server) handleUploadCreate(c echo.Context) error {
	files, problem, err := s.receiveUpload(c)
	defer files.remove()
	if err != nil {
		return err
	}
	if problem != "" {
		return s.renderUploadProblems(c, []ingest.Problem{{File: "(upload)", Line: 1, Column: ingest.NoColumn, Message: problem}}, 0)
	}
	i := 0
	next := func() (ingest.Input, bool, error) {
		if i == len(files) {
			return ingest.Input{}, false, nil
		}
		f := files[i]
		i++
		if _, err := f.file.Seek(0, io.SeekStart); err != nil {
			return ingest.Input{}, false, err
		}
		return ingest.Input{Name: f.name, R: f.file}, true, nil
	}
	known, err := s.knownLACodes(c.Request().Context())
	if err != nil {
		return err
	}
	res, sum, err := ingest.Import(c.Request().Context(), s.store, s.cat, ingest.Options{MaxFileSize: s.opts.MaxUploadBytes, LACodes: known},
		store.StreamUpload{By: currentUser(c).Name, Pending: true}, next)
	if errors.Is(err, ingest.ErrRefused) {
		return s.renderUploadProblems(c, res.Problems, res.Omitted)
	}
	if err != nil {
		return err
	}
	s.log.Info("upload staged", "upload", sum.UploadID, "user", currentUser(c).Name, "added", sum.Added, "revised", sum.Revised)
	return s.renderUpload(c, sum.UploadID, res.Ignored)
}

// maxUploadFiles is the most files one upload may hold.
const maxUploadFiles = 100

// spooled is an uploaded file, kept in a temporary file until it is read.
type spooled struct {
	name string
	file *os.File
}

type spooledFiles []spooled

func (fs spooledFiles) remove() {
	for _, f := range fs {
		f.file.Close()
		os.Remove(f.file.Name())
	}
}

// receiveUpload reads the multipart form of an upload as it arrives: the
// CSRF token, which must come before the files (as a browser sends the
// form's hidden field), then each file into a temporary file. It returns a
// problem to show the user for an upload that cannot be taken, and an
// error for a token that is not this browser's or a failure of the
// server's own.
func (s *Server) receiveUpload(c echo.Context) (spooledFiles, string, error) {
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return nil, "the upload could not be read; choose one or more CSV files and try again", nil
	}
	var files spooledFiles
	tokenChecked := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return files, "", unreadable(err)
		}
		switch {
		case part.FormName() == csrfField && !tokenChecked:
			token, _ := io.ReadAll(io.LimitReader(part, 256))
			if !s.validCSRF(c, string(token)) {
				return files, "", errCSRF
			}
			tokenChecked = true
		case part.FormName() == "file":
			if !tokenChecked {
				return files, "", errCSRF
			}
			if len(files) == maxUploadFiles {
				return files, fmt.Sprintf("This upload has more than %d files; upload at most %d files at a time.", maxUploadFiles, maxUploadFiles), nil
			}
			f, err := os.CreateTemp("", "cptrends-upload-*.csv")
			if err != nil {
				return files, "", fmt.Errorf("web: spool upload: %w", err)
			}
			files = append(files, spooled{name: partName(part), file: f})
			// No more than one byte over the limit is kept: that is enough
			// for ingest to refuse the file as too large.
			n, err := io.Copy(f, io.LimitReader(part, s.opts.MaxUploadBytes+1))
			if err != nil {
				return files, "", unreadable(err)
			}
			if n == 0 && part.FileName() == "" {
				// The form's file field with no file chosen.
				files[len(files)-1].file.Close()
				os.Remove(f.Name())
				files = files[:len(files)-1]
			}
		}
		part.Close()
	}
	if !tokenChecked {
		return files, "", errCSRF
	}
	if len(files) == 0 {
		return files, "choose at least one CSV file", nil
	}
	return files, "", nil
}

// unreadable is the error for an upload whose body could not be read: a
// body over the limit, or a broken form.
func unreadable(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) || errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
		return echo.ErrStatusRequestEntityTooLarge
	}
	return indicators.Errorf(indicators.EINVALID, "The upload could not be read. Choose one or more CSV files and try again.")
}

func partName(p *multipart.Part) string {
	if p.FileName() == "" {
		return "(unnamed file)"
	}
	return p.FileName()
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
	// One page of the revisions and one of the additions, each with the
	// address of the next page when there is one.
	Revised, Added         []changeRun
	NextRevised, NextAdded string
	// Later says these are not the first pages.
	Later bool
	// Warnings, for a pending upload, are what its commit must confirm:
	// files loaded before, figures a later upload revised put back.
	Warnings store.UploadWarnings
	Reverts  []revertRow
}

// revertRow is a figure the upload would put back, as the warning lists it.
type revertRow struct {
	Title, Geography, Period, Value, RevisedBy string
}

// changeGroup sums up an upload's changes for one indicator and geography
// level, as the preview shows them.
type changeGroup struct {
	Def *indicators.Definition
	store.AddedGroup
}

// changeRun is a run of changes to one indicator, as a page lists them.
type changeRun struct {
	Def     *indicators.Definition
	Changes []store.Change
}

// runs splits a page of changes into runs of one indicator.
func (s *Server) runs(changes []store.Change) []changeRun {
	var out []changeRun
	for _, ch := range changes {
		if n := len(out); n > 0 && out[n-1].Def.ID == ch.New.Indicator {
			out[n-1].Changes = append(out[n-1].Changes, ch)
			continue
		}
		def, ok := s.cat.Lookup(ch.New.Indicator)
		if !ok {
			def = &indicators.Definition{ID: ch.New.Indicator, Title: ch.New.Indicator}
		}
		out = append(out, changeRun{Def: def, Changes: []store.Change{ch}})
	}
	return out
}

// Pages of the preview: every revision is listed, each with the value it
// replaces, a page at a time; additions, which are summed up by group,
// can be looked through a smaller page at a time. A page costs the same
// for an upload of any size.
const (
	revisionsPerPage = 500
	additionsPerPage = 100
)

func (s *Server) handleUploadShow(c echo.Context) error {
	id, err := uploadID(c)
	if err != nil {
		return err
	}
	return s.renderUpload(c, id, nil)
}

// canSeePending reports whether u may see uploads not yet committed:
// their figures are unpublished, so only analysts (and admins) may.
func canSeePending(u *store.User) bool {
	return u != nil && roleRank[u.Role] >= roleRank[store.RoleAnalyst]
}

func (s *Server) renderUpload(c echo.Context, id int64, ignored map[string][]string) error {
	ctx := c.Request().Context()
	up, err := s.store.Upload(ctx, id)
	if err != nil {
		return err
	}
	if up.Status == "pending" && !canSeePending(currentUser(c)) {
		return indicators.Errorf(indicators.ENOTFOUND, "There is no upload %d.", id)
	}
	groups, err := s.store.UploadGroups(ctx, id)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("Upload %d", id)
	if up.Status == "pending" {
		title = "Check the upload before you commit it"
	}
	page := uploadShowPage{layout: s.layout(c, title), Upload: up, Ignored: ignored}
	if up.Status == "pending" {
		if page.Warnings, err = s.store.UploadWarnings(ctx, id); err != nil {
			return err
		}
		for _, r := range page.Warnings.Examples {
			row := revertRow{Title: r.Indicator, Geography: r.Geography, Period: r.Period.String(),
				RevisedBy: fmt.Sprintf("upload %d (%s)", r.RevisedBy, r.RevisedByFile)}
			if def, ok := s.cat.Lookup(r.Indicator); ok {
				row.Title, row.Value = def.Title, def.FormatPoint(indicators.Point{Value: r.Value, Symbol: r.Symbol})
			}
			page.Reverts = append(page.Reverts, row)
		}
	}
	for _, g := range groups {
		def, ok := s.cat.Lookup(g.Indicator)
		if !ok {
			continue
		}
		page.Groups = append(page.Groups, changeGroup{Def: def, AddedGroup: g})
	}
	// In the catalogue's order (the overview's figures first), then from
	// national down to local authority.
	rank := map[string]int{}
	for i, d := range s.cat.All() {
		rank[d.ID] = i
	}
	levels := map[string]int{indicators.LevelNational: 0, indicators.LevelRegional: 1, indicators.LevelLocal: 2}
	sort.SliceStable(page.Groups, func(i, j int) bool {
		a, b := page.Groups[i], page.Groups[j]
		if a.Def.ID != b.Def.ID {
			return rank[a.Def.ID] < rank[b.Def.ID]
		}
		return levels[a.Level] < levels[b.Level]
	})

	revAfter := store.ParseChangeCursor(c.QueryParam("revised_after"))
	addAfter := store.ParseChangeCursor(c.QueryParam("added_after"))
	page.Later = revAfter != (store.ChangeCursor{}) || addAfter != (store.ChangeCursor{})
	if c.QueryParam("added_after") == "" {
		changes, last, more, err := s.store.UploadChanges(ctx, id, true, revAfter, revisionsPerPage)
		if err != nil {
			return err
		}
		if page.Revised = s.runs(changes); more {
			page.NextRevised = fmt.Sprintf("/uploads/%d?revised_after=%s", id, last)
		}
	}
	if c.QueryParam("revised_after") == "" {
		changes, last, more, err := s.store.UploadChanges(ctx, id, false, addAfter, additionsPerPage)
		if err != nil {
			return err
		}
		if page.Added = s.runs(changes); more {
			page.NextAdded = fmt.Sprintf("/uploads/%d?added_after=%s", id, last)
		}
	}
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
	commit := s.store.Commit
	if c.FormValue("confirm") == "yes" { // the analyst has read the preview's warnings
		commit = s.store.CommitConfirmed
	}
	if err := commit(c.Request().Context(), id); err != nil {
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

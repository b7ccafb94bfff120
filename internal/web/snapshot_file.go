package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"cptrends/assets"
	"cptrends/internal/figures"
	"cptrends/internal/store"

	"github.com/labstack/echo/v4"
)

// offlineFiles are the stylesheet and scripts an offline snapshot carries
// inline, read once from the embedded assets, with a Content-Security-Policy
// that lets exactly those run (by hash) and fetches nothing.
type offlineFiles struct {
	CSS     template.CSS
	Scripts []template.JS
	CSP     string
}

// loadOfflineFiles returns the stylesheet with ECharts and our drawing
// code, for a file with a chart the server could not draw.
var loadOfflineFiles = sync.OnceValues(func() (*offlineFiles, error) { return readOfflineFiles(true) })

// loadOfflineStyle returns the stylesheet alone, for a file whose charts
// are all drawn as SVG: it runs no script.
var loadOfflineStyle = sync.OnceValues(func() (*offlineFiles, error) { return readOfflineFiles(false) })

func readOfflineFiles(scripts bool) (*offlineFiles, error) {
	read := func(name string) (string, string, error) {
		b, err := fs.ReadFile(assets.FS(), name)
		if err != nil {
			return "", "", fmt.Errorf("web: offline asset: %w", err)
		}
		// Inline, these would end the element early; refuse rather than
		// write a broken file.
		if low := strings.ToLower(string(b)); strings.Contains(low, "</script") || strings.Contains(low, "</style") || strings.Contains(low, "<!--") {
			return "", "", fmt.Errorf("web: offline asset %s cannot be inlined", name)
		}
		sum := sha256.Sum256(b)
		return string(b), "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'", nil
	}
	css, cssHash, err := read("vendor/app.css")
	if err != nil {
		return nil, err
	}
	f := &offlineFiles{CSS: template.CSS(css)}
	if !scripts {
		f.CSP = "default-src 'none'; script-src 'none'; style-src " + cssHash + "; img-src data:; base-uri 'none'; form-action 'none'"
		return f, nil
	}
	var hashes []string
	for _, name := range []string{"vendor/echarts.custom.min.js", "js/charts.js", "js/export.js"} {
		js, hash, err := read(name)
		if err != nil {
			return nil, err
		}
		f.Scripts = append(f.Scripts, template.JS(js))
		hashes = append(hashes, hash)
	}
	f.CSP = "default-src 'none'; script-src " + strings.Join(hashes, " ") + "; style-src " + cssHash +
		"; img-src data:; base-uri 'none'; form-action 'none'"
	return f, nil
}

type snapshotFilePage struct {
	Snap   store.Snapshot
	Doc    figures.SnapshotDoc
	Online string
	Made   time.Time
	Files  *offlineFiles
}

// handleSnapshotFile sends a snapshot as one HTML file that opens from disk
// with no network: the stylesheet inline, and the figures, as frozen, in
// the same markup as the snapshot page, their charts drawn as SVG (with
// ECharts and our drawing code inline only if a chart was not).
func (s *Server) handleSnapshotFile(c echo.Context, id string) error {
	sn, doc, err := s.loadSnapshot(c.Request().Context(), id)
	if err != nil {
		return err
	}
	page := snapshotFilePage{Snap: sn, Doc: doc, Online: c.Scheme() + "://" + c.Request().Host + s.url("/snapshots/"+sn.ID),
		Made: time.Now()}
	// Charts drawn as SVG need no script; ECharts goes in only when one
	// could not be drawn on the server and must be drawn on opening.
	var buf bytes.Buffer
	for _, load := range []func() (*offlineFiles, error){loadOfflineStyle, loadOfflineFiles} {
		files, err := load()
		if err != nil {
			return err
		}
		page.Files = files
		buf.Reset()
		if err := s.pages.sets["snapshot_show"].ExecuteTemplate(&buf, "offline", page); err != nil {
			return fmt.Errorf("web: render offline snapshot: %w", err)
		}
		if allDrawn(buf.Bytes()) {
			break
		}
	}
	files := page.Files
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, `attachment; filename="cptrends-snapshot-`+sn.ID+`.html"`)
	// This answer is a file to save, not a page of the site: the site's
	// policy (scripts from 'self' only) would stop its inline scripts, so it
	// gets the file's own policy, which the file also carries in a meta tag
	// for when it is opened from disk.
	h.Set("Content-Security-Policy", files.CSP+"; frame-ancestors 'none'")
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// chartDiv is the opening tag of a chart's container.
var chartDiv = regexp.MustCompile(`<div class="app-chart[ "][^>]*>`)

// allDrawn tells whether every chart in page came drawn from the server.
func allDrawn(page []byte) bool {
	for _, tag := range chartDiv.FindAll(page, -1) {
		if !bytes.Contains(tag, []byte("app-chart--drawn")) {
			return false
		}
	}
	return true
}

package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"cptrends/assets"

	"github.com/labstack/echo/v4"
)

// asset is one static file, held with its gzip and brotli forms and a
// content hash that goes in its URL, so that it can be cached for a year.
type asset struct {
	body        []byte
	gzipped     []byte
	brotli      []byte // nil when the build left none for this body
	hash        string
	contentType string
}

type assetSet struct {
	files map[string]*asset
	base  string // the server's base path, put before every URL
}

// compressedDir holds the gzip and brotli forms that `make assets` writes
// for each file (assets/build/build.mjs), with a manifest of the sha256 of
// the file each was made from.
const compressedDir = "vendor/compressed"

func loadAssets() (*assetSet, error) {
	return loadAssetsFrom(assets.FS())
}

func loadAssetsFrom(fsys fs.FS) (*assetSet, error) {
	made := map[string]string{}
	if b, err := fs.ReadFile(fsys, compressedDir+"/manifest.json"); err == nil {
		if err := json.Unmarshal(b, &made); err != nil {
			return nil, errors.New("web: " + compressedDir + "/manifest.json: " + err.Error())
		}
	}
	set := &assetSet{files: map[string]*asset{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == compressedDir {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".go") {
			return nil
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		a := &asset{body: body, hash: hex.EncodeToString(sum[:6]), contentType: mime.TypeByExtension(path.Ext(p))}
		// The build's forms when they were made from this very file; else
		// gzip here, and no brotli (the standard library has no encoder).
		if made[p] == hex.EncodeToString(sum[:]) {
			a.gzipped, _ = fs.ReadFile(fsys, compressedDir+"/"+p+".gz")
			a.brotli, _ = fs.ReadFile(fsys, compressedDir+"/"+p+".br")
			if a.gzipped != nil && !gunzipsTo(a.gzipped, body) {
				a.gzipped = nil
			}
		}
		if a.gzipped == nil {
			var gz bytes.Buffer
			w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
			w.Write(body)
			w.Close()
			a.gzipped = gz.Bytes()
		}
		set.files[p] = a
		return nil
	})
	return set, err
}

// gunzipsTo reports whether gz is the gzip form of body.
func gunzipsTo(gz, body []byte) bool {
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return false
	}
	got, err := io.ReadAll(r)
	return err == nil && bytes.Equal(got, body)
}

// url returns the content-hashed address of an asset.
func (set *assetSet) url(name string) string {
	a, ok := set.files[name]
	if !ok {
		return set.base + "/assets/missing/" + name
	}
	return set.base + "/assets/" + a.hash + "/" + name
}

// handleAsset serves an asset whose hash matches, brotli or gzip where the
// browser accepts it.
func (s *Server) handleAsset(c echo.Context) error {
	a, ok := s.assets.files[c.Param("*")]
	if !ok || a.hash != c.Param("hash") {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Add("Vary", "Accept-Encoding")
	h.Set("ETag", `"`+a.hash+`"`)
	if c.Request().Header.Get("If-None-Match") == `"`+a.hash+`"` {
		return c.NoContent(http.StatusNotModified)
	}
	br, gz := acceptedEncodings(c.Request().Header.Get("Accept-Encoding"))
	switch {
	case br && a.brotli != nil:
		h.Set("Content-Encoding", "br")
		return c.Blob(http.StatusOK, a.contentType, a.brotli)
	case gz:
		h.Set("Content-Encoding", "gzip")
		return c.Blob(http.StatusOK, a.contentType, a.gzipped)
	}
	return c.Blob(http.StatusOK, a.contentType, a.body)
}

// acceptedEncodings reads an Accept-Encoding header: whether it allows
// brotli and gzip. A coding given q=0 is refused; "*" allows both.
func acceptedEncodings(header string) (br, gz bool) {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		if q, ok := strings.CutPrefix(strings.ReplaceAll(strings.TrimSpace(params), " ", ""), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v <= 0 {
				continue
			}
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "br":
			br = true
		case "gzip", "x-gzip":
			gz = true
		case "*":
			br, gz = true, true
		}
	}
	return br, gz
}

package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"cptrends/assets"

	"github.com/labstack/echo/v4"
)

// asset is one static file, held with its gzip form and a content hash
// that goes in its URL, so that it can be cached for a year.
type asset struct {
	body        []byte
	gzipped     []byte
	hash        string
	contentType string
}

type assetSet struct {
	files map[string]*asset
}

func loadAssets() (*assetSet, error) {
	set := &assetSet{files: map[string]*asset{}}
	err := fs.WalkDir(assets.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".go") {
			return err
		}
		body, err := fs.ReadFile(assets.FS(), p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		a := &asset{body: body, hash: hex.EncodeToString(sum[:6]), contentType: mime.TypeByExtension(path.Ext(p))}
		var gz bytes.Buffer
		w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		w.Write(body)
		w.Close()
		a.gzipped = gz.Bytes()
		set.files[p] = a
		return nil
	})
	return set, err
}

// url returns the content-hashed address of an asset.
func (set *assetSet) url(name string) string {
	a, ok := set.files[name]
	if !ok {
		return "/assets/missing/" + name
	}
	return "/assets/" + a.hash + "/" + name
}

// handleAsset serves an asset whose hash matches, compressed where the
// browser accepts it.
func (s *Server) handleAsset(c echo.Context) error {
	a, ok := s.assets.files[c.Param("*")]
	if !ok || a.hash != c.Param("hash") {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Vary", "Accept-Encoding")
	h.Set("ETag", `"`+a.hash+`"`)
	if c.Request().Header.Get("If-None-Match") == `"`+a.hash+`"` {
		return c.NoContent(http.StatusNotModified)
	}
	if strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		return c.Blob(http.StatusOK, a.contentType, a.gzipped)
	}
	return c.Blob(http.StatusOK, a.contentType, a.body)
}

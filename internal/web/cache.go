package web

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"
)

// pageCache keeps the pages and API answers that every visitor sees alike,
// for the data version they were made from: a commit or a rollback moves
// the version on and empties it. Answers carry an ETag, so a browser that
// has the page gets 304 Not Modified, and are kept gzipped too, for the
// browsers that take gzip (nearly all: the overview is a tenth the size).
// The version comes from memory (store.RecentDataVersion), not a query per
// request.
type pageCache struct {
	mu      sync.Mutex
	version int64
	entries map[string]*list.Element // of *cachedPage, in order
	order   *list.List               // most recently used first
	bytes   int                      // in entries
}

type cachedPage struct {
	key      string
	header   http.Header
	body     []byte
	etag     string
	gzipped  []byte // nil when not worth it
	gzipETag string
}

// minGzip is the smallest answer worth compressing.
const minGzip = 1024

// maxCachedBytes bounds the cache: pages, CSV and JSON for a few dozen
// indicators and areas, some 20 KB each (and its gzipped copy) with the
// national and local authority series.
const maxCachedBytes = 16 << 20

// cacheable lists the routes whose answers depend only on the data and the
// address, not on who asks, each with the query parameters its page reads
// (the area is read by every page's menu). A page is cached under its path
// and those parameters alone, so that junk parameters cannot fill the cache
// with copies of one page: a route added here must list every parameter
// its handler reads.
var cacheable = map[string][]string{
	"/":                          {areaParam, "geography"},
	"/indicators":                {areaParam, "geography"},
	"/indicators/:id":            {areaParam, "geography"},
	"/indicators/:id/areas":      {areaParam, "geography", "period", "sort"},
	"/api/indicators":            nil,
	"/api/indicators/:id":        {areaParam, "geography"},
	"/pack":                      {areaParam, "geography", "indicators"},
	"/indicators/:id/funnel":     {areaParam, "geography", "period"},
	"/api/indicators/:id/funnel": {areaParam, "geography", "period"},
	"/pathway":                   {areaParam, "geography", "period"},
	"/pathway.csv":               {areaParam, "geography", "period"},
	"/pathway.json":              {areaParam, "geography", "period"},
	"/pathway.zip":               {areaParam, "geography", "period"},
	"/api/pathway":               {areaParam, "geography", "period"},
}

func newPageCache() *pageCache {
	return &pageCache{entries: map[string]*list.Element{}, order: list.New()}
}

// sharedPage reports whether a request is for a page that every visitor
// who is not signed in sees alike (signed-in pages carry names and form
// tokens).
func (s *Server) sharedPage(c echo.Context) bool {
	_, ok := cacheable[c.Path()]
	return c.Request().Method == http.MethodGet && ok && currentUser(c) == nil
}

// cacheKey is the path of a request with only the query parameters its
// page reads, in a fixed order, each with the first value given (the one
// the page reads).
func cacheKey(c echo.Context) string {
	u := c.Request().URL
	key := u.EscapedPath()
	q := u.Query()
	sep := "?"
	for _, p := range cacheable[c.Path()] {
		if vs, ok := q[p]; ok && len(vs) > 0 {
			key += sep + url.QueryEscape(p) + "=" + url.QueryEscape(vs[0])
			sep = "&"
		}
	}
	return key
}

// cachePages serves shared pages from the cache.
func (s *Server) cachePages(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if !s.sharedPage(c) {
			return next(c)
		}
		version, err := s.store.RecentDataVersion(req.Context())
		if err != nil {
			return err
		}
		key := cacheKey(c)
		if page := s.cache.get(version, key); page != nil {
			return page.write(c)
		}
		// The handler answers into a recorder, through a response of its own;
		// the real one is written once the page is cached.
		orig := c.Response()
		rec := &recorder{header: http.Header{}}
		c.SetResponse(echo.NewResponse(rec, c.Echo()))
		err = next(c)
		c.SetResponse(orig)
		if err != nil {
			return err
		}
		if rec.status != http.StatusOK {
			for k, v := range rec.header {
				orig.Header()[k] = v
			}
			orig.WriteHeader(rec.status)
			_, err := orig.Write(rec.body.Bytes())
			return err
		}
		page := &cachedPage{header: rec.header, body: rec.body.Bytes()}
		sum := sha256.Sum256(page.body)
		page.etag = `"` + hex.EncodeToString(sum[:12]) + `"`
		if len(page.body) >= minGzip {
			var gz bytes.Buffer
			w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
			w.Write(page.body)
			w.Close()
			page.gzipped, page.gzipETag = gz.Bytes(), `"`+hex.EncodeToString(sum[:12])+`-gzip"`
		}
		s.cache.put(version, key, page)
		return page.write(c)
	}
}

func (pc *pageCache) get(version int64, key string) *cachedPage {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if version != pc.version {
		pc.version, pc.bytes = version, 0
		clear(pc.entries)
		pc.order.Init()
	}
	e, ok := pc.entries[key]
	if !ok {
		return nil
	}
	pc.order.MoveToFront(e)
	return e.Value.(*cachedPage)
}

func (pc *pageCache) put(version int64, key string, page *cachedPage) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if version != pc.version {
		return // the data moved on while the page was made
	}
	size := page.size()
	if size > maxCachedBytes/16 {
		return // made each time: it would crowd out the rest
	}
	if e, ok := pc.entries[key]; ok {
		pc.bytes -= e.Value.(*cachedPage).size()
		pc.order.Remove(e)
	}
	// The least recently used pages make room.
	for pc.bytes+size > maxCachedBytes {
		last := pc.order.Back()
		old := last.Value.(*cachedPage)
		pc.order.Remove(last)
		delete(pc.entries, old.key)
		pc.bytes -= old.size()
	}
	page.key = key
	pc.entries[key] = pc.order.PushFront(page)
	pc.bytes += size
}

func (p *cachedPage) size() int { return len(p.body) + len(p.gzipped) }

// write answers with the cached page, gzipped if the browser takes it, or
// 304 when the browser has it.
func (p *cachedPage) write(c echo.Context) error {
	h := c.Response().Header()
	for k, v := range p.header {
		h[k] = v
	}
	body, etag := p.body, p.etag
	if p.gzipped != nil {
		h.Add("Vary", "Accept-Encoding")
		if _, gz := acceptedEncodings(c.Request().Header.Get("Accept-Encoding")); gz {
			body, etag = p.gzipped, p.gzipETag
			h.Set("Content-Encoding", "gzip")
			h.Del("Content-Length")
		}
	}
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache") // keep it, but ask each time: the data may change
	if match := c.Request().Header.Get("If-None-Match"); match != "" && (match == p.etag || match == p.gzipETag) {
		return c.NoContent(http.StatusNotModified)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Response().WriteHeader(http.StatusOK)
	_, err := c.Response().Write(body)
	return err
}

// recorder holds a handler's answer so that it can be cached before it is
// sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) { r.status = status }

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

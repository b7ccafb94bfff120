package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/PuerkitoBio/goquery"
)

// TestAssets: the layout names the custom ECharts bundle, and every asset
// it references is served brotli, gzip or plain as the browser asks, with
// Vary, a year's immutable caching and its hash in the address.
func TestAssets(t *testing.T) {
	srv, _ := newTestServer(t)
	d := doc(t, get(t, srv, "/"))
	var urls []string
	// Charts come drawn as SVG; charts.js fetches the custom bundle later,
	// from the address in its data-echarts.
	if n := d.Find(`script[src$="/js/charts.js"][data-echarts$="/vendor/echarts.custom.min.js"]`).Length(); n != 1 {
		t.Fatalf("charts.js names the custom ECharts bundle %d times, want 1", n)
	}
	if n := d.Find(`script[src$="/vendor/echarts.custom.min.js"]`).Length(); n != 0 {
		t.Errorf("the layout loads ECharts before the page is shown")
	}
	if src, ok := d.Find(`script[data-echarts]`).Attr("data-echarts"); ok {
		urls = append(urls, src)
	}
	if n := d.Find(`script[src$="/echarts.min.js"]`).Length(); n != 0 {
		t.Errorf("the layout still loads the full echarts.min.js")
	}
	d.Find(`script[src], link[rel="stylesheet"]`).Each(func(_ int, s *goquery.Selection) {
		u, ok := s.Attr("src")
		if !ok {
			u, _ = s.Attr("href")
		}
		urls = append(urls, u)
	})
	if len(urls) < 4 {
		t.Fatalf("the layout references %d assets: %v", len(urls), urls)
	}
	for _, u := range urls {
		plain := fetchAsset(t, srv, u, "")
		for _, c := range []struct {
			accept, want string
		}{
			{"", ""},
			{"identity", ""},
			{"gzip", "gzip"},
			{"gzip, deflate", "gzip"},
			{"gzip, deflate, br, zstd", "br"},
			{"br;q=1.0, gzip;q=0.8", "br"},
			{"br;q=0, gzip", "gzip"},
			{"*", "br"},
		} {
			rec := fetchAsset(t, srv, u, c.accept)
			h := rec.Header()
			if got := h.Get("Content-Encoding"); got != c.want {
				t.Errorf("GET %s, Accept-Encoding %q: Content-Encoding %q, want %q", u, c.accept, got, c.want)
			}
			if !slices.Contains(h.Values("Vary"), "Accept-Encoding") || h.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
				h.Get("ETag") != plain.Header().Get("ETag") || !strings.Contains(u, "/"+strings.Trim(h.Get("ETag"), `"`)+"/") {
				t.Errorf("GET %s: Vary %q, Cache-Control %q, ETag %q", u, h.Values("Vary"), h.Get("Cache-Control"), h.Get("ETag"))
			}
			if got := decode(t, h.Get("Content-Encoding"), rec.Body.Bytes()); got != nil && !bytes.Equal(got, plain.Body.Bytes()) {
				t.Errorf("GET %s, %s: the body does not decode to the file", u, c.want)
			}
			if c.want != "" && rec.Body.Len() >= plain.Body.Len()/2 {
				t.Errorf("GET %s, %s: %d bytes of %d, hardly compressed", u, c.want, rec.Body.Len(), plain.Body.Len())
			}
		}
		if strings.Contains(u, "echarts") {
			// The build's forms, not gzip made at start-up.
			if br := fetchAsset(t, srv, u, "br").Body.Len(); br > 200_000 {
				t.Errorf("ECharts brotli = %d bytes, want the custom bundle (< 200 KB)", br)
			}
		}
		req := httptest.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("If-None-Match", plain.Header().Get("ETag"))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified {
			t.Errorf("GET %s with its ETag = %d, want 304", u, rec.Code)
		}
	}
	for _, bad := range []string{"/assets/000000000000/js/charts.js", "/assets/x/../../go.mod", "/assets/x/%2e%2e/go.mod",
		"/assets/x/vendor/compressed/manifest.json"} {
		if rec := get(t, srv, bad); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", bad, rec.Code)
		}
	}
}

func fetchAsset(t *testing.T, srv http.Handler, url, accept string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	if accept != "" {
		req.Header.Set("Accept-Encoding", accept)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s (Accept-Encoding %q) = %d", url, accept, rec.Code)
	}
	return rec
}

// decode undoes a Content-Encoding; brotli has no decoder in the standard
// library, so its body is returned as is and checked by the browser tests
// (every chart drawn) and the bench instead.
func decode(t *testing.T, enc string, b []byte) []byte {
	t.Helper()
	switch enc {
	case "gzip":
		r, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return out
	case "br":
		return nil
	}
	return b
}

// TestLoadAssets_Stale: a compressed form made from another version of a
// file (a script edited after `make assets`) is never served.
func TestLoadAssets_Stale(t *testing.T) {
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte("old"))
	w.Close()
	fsys := fstest.MapFS{
		"js/a.js":                            {Data: []byte("new")},
		"js/b.js":                            {Data: []byte("b")},
		"vendor/compressed/manifest.json":    {Data: []byte(`{"js/a.js": "0000", "js/b.js": "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"}`)},
		"vendor/compressed/js/a.js.br":       {Data: []byte("stale brotli")},
		"vendor/compressed/js/a.js.gz":       {Data: gz.Bytes()},
		"vendor/compressed/js/b.js.br":       {Data: []byte("b brotli")},
		"vendor/compressed/js/b.js.gz":       {Data: gz.Bytes()}, // right hash, wrong content
		"vendor/compressed/js/unrelated.txt": {Data: []byte("x")},
	}
	set, err := loadAssetsFrom(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.files) != 2 {
		t.Errorf("assets = %d, want 2 (the compressed forms are not assets themselves)", len(set.files))
	}
	a := set.files["js/a.js"]
	if a.brotli != nil || !bytes.Equal(decode(t, "gzip", a.gzipped), []byte("new")) {
		t.Errorf("a stale file: brotli %q, gzip of %q", a.brotli, decode(t, "gzip", a.gzipped))
	}
	b := set.files["js/b.js"]
	if string(b.brotli) != "b brotli" || !bytes.Equal(decode(t, "gzip", b.gzipped), []byte("b")) {
		t.Errorf("a fresh file: brotli %q, gzip of %q", b.brotli, decode(t, "gzip", b.gzipped))
	}
}

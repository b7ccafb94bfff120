package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"cptrends/indicators"
	"cptrends/internal/store"
)

// TestPageCache: pages that every visitor sees alike carry an ETag, answer
// 304 to a browser that has them, and change as soon as the data does.
func TestPageCache(t *testing.T) {
	srv, st := newTestServer(t)
	for _, path := range []string{"/", "/indicators/referrals", "/api/indicators/referrals", "/indicators/referrals.csv"} {
		first := get(t, srv, path)
		etag := first.Header().Get("ETag")
		if first.Code != http.StatusOK || etag == "" {
			t.Fatalf("%s: status %d, ETag %q", path, first.Code, etag)
		}
		if strings.Contains(first.Body.String(), `name="csrf_token"`) {
			t.Errorf("%s: a page cached for every visitor carries a form token", path)
		}
		again := get(t, srv, path)
		if again.Body.String() != first.Body.String() || again.Header().Get("Content-Type") != first.Header().Get("Content-Type") {
			t.Errorf("%s: the cached answer differs from the first", path)
		}
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("If-None-Match", etag)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified {
			t.Errorf("%s with If-None-Match = %d, want 304", path, rec.Code)
		}
	}

	before := get(t, srv, "/api/indicators/referrals").Header().Get("ETag")
	v := 640000.0
	if _, err := st.Import(context.Background(), store.NewUpload{By: "test", Observations: []indicators.Observation{
		{Indicator: "referrals", Geography: indicators.England, Period: 2026, Value: &v},
	}}, false); err != nil {
		t.Fatal(err)
	}
	after := get(t, srv, "/api/indicators/referrals")
	if after.Header().Get("ETag") == before || !strings.Contains(after.Body.String(), `"2025/26"`) {
		t.Fatal("the cached answer outlived a change to the data")
	}
	if rec := get(t, srv, "/indicators/nope"); rec.Code != http.StatusNotFound {
		t.Errorf("a missing page through the cache = %d, want 404", rec.Code)
	}
}

// TestPageCache_Gzip: a cached page goes gzipped to a browser that takes
// gzip, with Vary and an ETag of its own, and plain to one that does not.
func TestPageCache_Gzip(t *testing.T) {
	srv, _ := newTestServer(t)
	plain := get(t, srv, "/")
	for i := 0; i < 2; i++ { // the answer that fills the cache, then one from it
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Accept-Encoding", "gzip, deflate, br")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		h := rec.Header()
		if rec.Code != http.StatusOK || h.Get("Content-Encoding") != "gzip" || !slices.Contains(h.Values("Vary"), "Accept-Encoding") {
			t.Fatalf("GET / with gzip: %d, Content-Encoding %q, Vary %q", rec.Code, h.Get("Content-Encoding"), h.Values("Vary"))
		}
		if h.Get("ETag") == "" || h.Get("ETag") == plain.Header().Get("ETag") {
			t.Errorf("gzipped ETag %q, plain %q: want two different", h.Get("ETag"), plain.Header().Get("ETag"))
		}
		r, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(body, plain.Body.Bytes()) {
			t.Fatalf("the gzipped page does not decode to the plain one (%v)", err)
		}
		if rec.Body.Len() > plain.Body.Len()/4 {
			t.Errorf("gzipped overview %d bytes of %d", rec.Body.Len(), plain.Body.Len())
		}
		req.Header.Set("If-None-Match", h.Get("ETag"))
		rec = httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified {
			t.Errorf("GET / with the gzipped ETag = %d, want 304", rec.Code)
		}
	}
}

package web

import (
	"context"
	"net/http"
	"net/http/httptest"
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

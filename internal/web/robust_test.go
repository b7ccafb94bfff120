package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
)

// syncBuffer collects log output from the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestPanicRecovered: a handler that panics gives the error page with a
// request id to quote, and no stack trace or internal detail.
func TestPanicRecovered(t *testing.T) {
	srv, _ := newTestServer(t)
	logs := &syncBuffer{}
	srv.log = slog.New(slog.NewTextHandler(logs, nil))
	srv.echo.GET("/test-panic", func(echo.Context) error { panic("secret internal detail") })
	rec := get(t, srv, "/test-panic")
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", rec.Code)
	}
	body := rec.Body.String()
	id := rec.Header().Get(echo.HeaderXRequestID)
	if id == "" || !strings.Contains(body, id) {
		t.Errorf("the error page does not quote the request id %q", id)
	}
	for _, leak := range []string{"secret internal detail", "goroutine", ".go:"} {
		if strings.Contains(body, leak) {
			t.Errorf("the error page shows %q", leak)
		}
	}
	if !strings.Contains(logs.String(), id) {
		t.Error("the log does not carry the request id of the failure")
	}
}

// TestLogsKeepNoSecrets: passwords and session tokens never reach the log.
func TestLogsKeepNoSecrets(t *testing.T) {
	srv, st := newTestServer(t)
	logs := &syncBuffer{}
	srv.log = slog.New(slog.NewTextHandler(logs, nil))
	if _, err := st.AddUser(context.Background(), "ana", "analyst", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	b := newBrowser(t, ts)
	b.post("/login", url.Values{"username": {"ana"}, "password": {"a wrong password here"}, "csrf_token": {b.token("/login")}})
	b.login("ana", "correct horse battery")
	var session string
	for _, c := range b.client.Jar.Cookies(mustURL(t, ts.URL)) {
		if c.Name == sessionCookie {
			session = c.Value
		}
	}
	out := logs.String()
	for _, secret := range []string{"a wrong password here", "correct horse battery", session} {
		if secret != "" && strings.Contains(out, secret) {
			t.Errorf("the log contains a secret: %q", secret)
		}
	}
	if !strings.Contains(out, "login failed") || !strings.Contains(out, "user=ana") {
		t.Errorf("the log does not record the login attempts:\n%s", out)
	}
}

// TestUpload_RateLimited: one account sending uploads in a burst is slowed
// down with 429 before the server reads them all.
func TestUpload_RateLimited(t *testing.T) {
	ts, _ := newAuthServer(t)
	b := newBrowser(t, ts)
	b.login("ana", "correct horse battery")
	tok := b.token("/uploads")
	limited := false
	for i := 0; i < uploadRateLimit && !limited; i++ {
		code, _ := b.upload(tok, map[string]string{"r.csv": "indicator,period,value\nreferrals,2014/15,1\n"})
		limited = code == http.StatusTooManyRequests
	}
	if !limited {
		t.Fatalf("%d uploads in a burst were all accepted", uploadRateLimit)
	}
	// Viewing is not limited by it.
	if code, _ := b.get("/"); code != http.StatusOK {
		t.Fatalf("overview after the limit = %d", code)
	}
}

package web

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cptrends/internal/store"
)

// TestUpload_Hostile sends every file of the hostile corpus through the
// upload form: refused files get the error summary (422) and change
// nothing; accepted ones preview with their text shown inert.
func TestUpload_Hostile(t *testing.T) {
	ts, st := newAuthServer(t)
	b := newBrowser(t, ts)
	b.login("ana", "correct horse battery")
	_, before := b.get("/api/indicators/referrals")
	// Uploads are rate-limited per account: a fresh analyst takes over
	// every few files.
	sent := 0
	nextAnalyst := func() {
		t.Helper()
		if sent++; sent%8 != 0 {
			return
		}
		name := fmt.Sprintf("analyst%d", sent)
		if _, err := st.AddUser(context.Background(), name, store.RoleAnalyst, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		b = newBrowser(t, ts)
		b.login(name, "correct horse battery")
	}

	files, _ := filepath.Glob("../../testdata/hostile/*.csv")
	if len(files) == 0 {
		t.Fatal("no hostile fixtures found")
	}
	for _, path := range files {
		name := filepath.Base(path)
		body, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		nextAnalyst()
		t.Run(name, func(t *testing.T) {
			code, page := b.upload(b.token("/uploads"), map[string]string{name: string(body)})
			if strings.HasSuffix(name, "_accepted.csv") {
				if code != http.StatusOK {
					t.Fatalf("status %d, want the preview", code)
				}
			} else if code != http.StatusUnprocessableEntity || !strings.Contains(page, "govuk-error-summary") {
				t.Fatalf("status %d, want 422 with the error summary", code)
			}
			for _, raw := range []string{"<script>alert", "<script>window", "<img src=x", "<b>bold</b>"} {
				if strings.Contains(page, raw) {
					t.Errorf("the page carries %q unescaped", raw)
				}
			}
		})
	}
	if _, after := b.get("/api/indicators/referrals"); after != before {
		t.Error("refused or uncommitted uploads changed the published figures")
	}
}

// TestUpload_Oversized refuses a body over the limit from its declared
// length, before reading it: the request announces 1 GB and sends none.
func TestUpload_Oversized(t *testing.T) {
	ts, _ := newAuthServer(t)
	b := newBrowser(t, ts)
	b.login("ana", "correct horse battery")
	u := mustURL(t, ts.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var cookies []string
	for _, c := range b.client.Jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	fmt.Fprintf(conn, "POST /uploads HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: %d\r\n\r\n",
		u.Host, strings.Join(cookies, "; "), 1<<30)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to an announced 1 GB upload: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("1 GB upload = %d, want 413", resp.StatusCode)
	}
}

// TestQueryParams_SQL: SQL and markup in every query parameter get a clear
// answer (never a server error) and change nothing.
func TestQueryParams_SQL(t *testing.T) {
	srv, _ := newAreaTestServer(t)
	before := get(t, srv, "/api/indicators/referrals").Body.String()
	evil := url.QueryEscape(`E09000012' OR '1'='1'; DROP TABLE observations;--<script>`)
	for _, path := range []string{
		"/?area=" + evil,
		"/indicators/referrals?area=" + evil,
		"/indicators/referrals.csv?area=" + evil,
		"/indicators/referrals.json?area=" + evil,
		"/api/indicators/referrals?geography=" + evil,
		"/indicators/referrals/areas?period=" + evil + "&sort=" + evil,
		"/pack?indicators=" + evil,
		"/snapshots/" + evil,
	} {
		rec := get(t, srv, path)
		if rec.Code >= 500 {
			t.Errorf("GET %s = %d", path, rec.Code)
		}
		if strings.Contains(rec.Body.String(), "<script>") {
			t.Errorf("GET %s echoes the markup unescaped", path)
		}
	}
	if after := get(t, srv, "/api/indicators/referrals").Body.String(); after != before {
		t.Error("the figures changed")
	}
}

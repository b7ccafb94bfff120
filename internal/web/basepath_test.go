package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cptrends/internal/store"

	"github.com/PuerkitoBio/goquery"
)

func TestNormaliseBasePath(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		wantErr  bool
	}{
		{in: "", want: ""},
		{in: "/", want: ""},
		{in: "cptrends", want: "/cptrends"},
		{in: "/cptrends/", want: "/cptrends"},
		{in: " /intranet/child-protection_v1.2 ", want: "/intranet/child-protection_v1.2"},
		{in: "/../cptrends", wantErr: true},
		{in: "/a/./b", wantErr: true},
		{in: "/a//b", wantErr: true},
		{in: "/a b", wantErr: true},
		{in: "/a?b", wantErr: true},
		{in: "/%2e%2e", wantErr: true},
		{in: `/a"><script>`, wantErr: true},
	} {
		got, err := NormaliseBasePath(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("NormaliseBasePath(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	if _, err := New(nil, nil, Options{BasePath: "/../x"}); err == nil {
		t.Error("New accepted the base path /../x")
	}
}

const basePath = "/cptrends"

// newBasePathServer serves the dashboard under /cptrends, with an analyst
// and an admin.
func newBasePathServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv, st := newTestServerOpts(t, Options{BasePath: basePath})
	for _, u := range [][2]string{{"ana", store.RoleAnalyst}, {"ada", store.RoleAdmin}} {
		if _, err := st.AddUser(context.Background(), u[0], u[1], "correct horse battery"); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

// newPrefixedBrowser is a browser whose paths are relative to the base
// path, as a user behind the proxy sees them.
func newPrefixedBrowser(t *testing.T, ts *httptest.Server) *browser {
	b := newBrowser(t, ts)
	b.base += basePath
	return b
}

// noRedirects makes b report redirects instead of following them.
func noRedirects(b *browser) *browser {
	c := *b.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: b.t, base: b.base, client: &c}
}

// checkURLsUnderBase fails for every absolute URL on a page that is not
// under the base path. Relative ("?area=..."), fragment, data: and other
// sites' URLs are left alone.
func checkURLsUnderBase(t *testing.T, page, body string) []string {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var local []string
	for _, attr := range []string{"href", "src", "action", "formaction", "data-action"} {
		d.Find("[" + attr + "]").Each(func(_ int, sel *goquery.Selection) {
			v, _ := sel.Attr(attr)
			if !strings.HasPrefix(v, "/") {
				return
			}
			if !strings.HasPrefix(v, basePath+"/") {
				t.Errorf("%s: %s=%q is outside %s/", page, attr, v, basePath)
			}
			local = append(local, v)
		})
	}
	if len(local) == 0 {
		t.Errorf("%s: no local URLs at all", page)
	}
	return local
}

func TestBasePath(t *testing.T) {
	ts := newBasePathServer(t)

	t.Run("PagesLinkUnderBase", func(t *testing.T) {
		b := newPrefixedBrowser(t, ts)
		seen := map[string]bool{}
		check := func(p string) {
			t.Helper()
			code, body := b.get(p)
			if code != http.StatusOK {
				t.Fatalf("GET %s%s = %d", basePath, p, code)
			}
			for _, u := range checkURLsUnderBase(t, basePath+p, body) {
				seen[u] = true
			}
		}
		for _, p := range []string{"/", "", "/indicators", "/indicators/referrals", "/indicators/referrals?area=E92000001",
			"/pack", "/login", "/login?next=%2Fuploads"} {
			check(p)
		}
		// An error page too.
		code, body := b.get("/indicators/no_such_thing")
		if code != http.StatusNotFound {
			t.Errorf("unknown indicator = %d, want 404", code)
		}
		checkURLsUnderBase(t, "error page", body)

		b.login("ada", "correct horse battery")
		code, loc := b.snapshot(url.Values{"indicator": {"referrals"}, "title": {"Under a base path"}, "csrf_token": {b.token("/indicators/referrals")}})
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, basePath+"/snapshots/") {
			t.Fatalf("create snapshot = %d, Location %q; want 303 under %s", code, loc, basePath)
		}
		id := strings.TrimPrefix(loc, basePath+"/snapshots/")
		for _, p := range []string{"/", "/uploads", "/snapshots", "/admin/users", "/snapshots/" + id, "/snapshots/" + id + "/compare"} {
			check(p)
		}
		// Every asset the pages name is served under the base path.
		for u := range seen {
			if !strings.HasPrefix(u, basePath+"/assets/") {
				continue
			}
			resp, err := http.Get(ts.URL + u)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s = %d", u, resp.StatusCode)
			}
		}
		// The offline file points back at the snapshot online, under the base path.
		_, file := b.get("/snapshots/" + id + ".html")
		if !strings.Contains(file, ts.URL+basePath+"/snapshots/"+id) {
			t.Error("the snapshot file does not link to the snapshot under the base path")
		}
	})

	t.Run("OutsideBaseNotFound", func(t *testing.T) {
		for _, p := range []string{"/", "/healthz", "/login", "/api/indicators", "/indicators/referrals", "/cptrendsx/healthz", "/cptrends.healthz", "/cptrends/../healthz", "/cptrends/%2e%2e/healthz"} {
			resp, err := http.Get(ts.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404 outside %s", p, resp.StatusCode, basePath)
			}
		}
		for _, p := range []string{basePath, basePath + "/", basePath + "/healthz", basePath + "/api/indicators", basePath + "/indicators/referrals.csv"} {
			resp, err := http.Get(ts.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s = %d, want 200", p, resp.StatusCode)
			}
		}
	})

	t.Run("APILinks", func(t *testing.T) {
		b := newPrefixedBrowser(t, ts)
		_, body := b.get("/api/indicators/referrals")
		var got struct {
			Indicator struct {
				Links map[string]string `json:"links"`
			} `json:"indicator"`
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"page": "/cptrends/indicators/referrals", "csv": "/cptrends/indicators/referrals.csv", "series": "/cptrends/api/indicators/referrals"}
		for k, v := range want {
			if got.Indicator.Links[k] != v {
				t.Errorf("links.%s = %q, want %q", k, got.Indicator.Links[k], v)
			}
		}
	})

	t.Run("Redirects", func(t *testing.T) {
		b := noRedirects(newPrefixedBrowser(t, ts))
		location := func(resp *http.Response, err error) string {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s %s = %d, want 303", resp.Request.Method, resp.Request.URL, resp.StatusCode)
			}
			return resp.Header.Get("Location")
		}
		if got, want := location(b.client.Get(b.base+"/uploads")), "/cptrends/login?next=%2Fuploads"; got != want {
			t.Errorf("signed out /uploads: Location %q, want %q", got, want)
		}
		for next, want := range map[string]string{
			"/uploads":          "/cptrends/uploads",
			"/cptrends/uploads": "/cptrends/uploads",
			"/cptrends":         "/cptrends/",
			"/?area=E92000001":  "/cptrends/?area=E92000001",
			"//evil.example":    "/cptrends/",
			"https://evil.test": "/cptrends/",
		} {
			form := url.Values{"username": {"ana"}, "password": {"correct horse battery"}, "csrf_token": {b.token("/login")}, "next": {next}}
			if got := location(b.client.PostForm(b.base+"/login", form)); got != want {
				t.Errorf("login with next %q: Location %q, want %q", next, got, want)
			}
		}
		if got := location(b.client.PostForm(b.base+"/logout", url.Values{"csrf_token": {b.token("/")}})); got != "/cptrends/" {
			t.Errorf("logout: Location %q, want /cptrends/", got)
		}
	})

	t.Run("Cookies", func(t *testing.T) {
		b := noRedirects(newPrefixedBrowser(t, ts))
		paths := map[string]string{}
		record := func(resp *http.Response, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			for _, ck := range resp.Cookies() {
				paths[ck.Name] = ck.Path
			}
		}
		record(b.client.Get(b.base + "/login"))
		record(b.client.PostForm(b.base+"/login", url.Values{"username": {"ana"}, "password": {"correct horse battery"}, "csrf_token": {b.token("/login")}}))
		for _, name := range []string{"cptrends_csrf", sessionCookie} {
			if got, ok := paths[name]; !ok || got != basePath {
				t.Errorf("cookie %s: Path %q (set %v), want %q", name, got, ok, basePath)
			}
		}
	})

	t.Run("UploadFlow", func(t *testing.T) {
		b := newPrefixedBrowser(t, ts)
		b.login("ana", "correct horse battery")
		code, body := b.upload(b.token("/uploads"), map[string]string{"revision.csv": revision})
		if code != http.StatusOK {
			t.Fatalf("upload = %d: %s", code, body)
		}
		checkURLsUnderBase(t, "upload preview", body)
		m := regexp.MustCompile(`action="/cptrends/uploads/(\d+)/commit"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("the preview's commit form does not post under the base path")
		}
		nr := noRedirects(b)
		resp, err := nr.client.PostForm(b.base+"/uploads/"+m[1]+"/commit", url.Values{"csrf_token": {csrfInput.FindStringSubmatch(body)[1]}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != basePath+"/uploads/"+m[1] {
			t.Fatalf("commit = %d, Location %q; want 303 to %s/uploads/%s", resp.StatusCode, resp.Header.Get("Location"), basePath, m[1])
		}
		if got := referralsValue(t, b, "2014/15"); got != 635600.0 {
			t.Fatalf("after commit 2014/15 = %v, want 635600", got)
		}
	})
}

// TestBasePath_Private: with every page behind a login, a visitor is sent
// to the login page under the base path, and back after signing in.
func TestBasePath_Private(t *testing.T) {
	srv, st := newTestServerOpts(t, Options{BasePath: basePath, Private: true})
	if _, err := st.AddUser(context.Background(), "vic", store.RoleViewer, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	b := noRedirects(newPrefixedBrowser(t, ts))
	resp, err := b.client.Get(b.base + "/indicators/referrals?area=E92000001")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := "/cptrends/login?next=" + url.QueryEscape("/indicators/referrals?area=E92000001")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Fatalf("private page signed out = %d, Location %q; want 303 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	code, body := b.get(strings.TrimPrefix(want, basePath))
	if code != http.StatusOK {
		t.Fatalf("login page = %d", code)
	}
	checkURLsUnderBase(t, "private login page", body)
	next := regexp.MustCompile(`name="next" value="([^"]*)"`).FindStringSubmatch(body)
	if next == nil {
		t.Fatal("the login form does not carry next")
	}
	form := url.Values{"username": {"vic"}, "password": {"correct horse battery"}, "csrf_token": {csrfInput.FindStringSubmatch(body)[1]},
		"next": {strings.ReplaceAll(next[1], "&amp;", "&")}}
	resp, err = b.client.PostForm(b.base+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Location"); got != "/cptrends/indicators/referrals?area=E92000001" {
		t.Errorf("after login: Location %q, want back to the page under the base path", got)
	}
}

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"cptrends/internal/store"
)

// browser is a client with its own cookies, like one person's browser.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newBrowser(t *testing.T, ts *httptest.Server) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: ts.URL, client: &http.Client{Jar: jar}}
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.client.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// token reads the CSRF token from a page's form.
func (b *browser) token(path string) string {
	b.t.Helper()
	_, body := b.get(path)
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

func (b *browser) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	resp, err := b.client.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *browser) login(name, password string) {
	b.t.Helper()
	code, body := b.post("/login", url.Values{"username": {name}, "password": {password}, "csrf_token": {b.token("/login")}, "next": {"/uploads"}})
	if code != http.StatusOK || !strings.Contains(body, "Sign out") {
		b.t.Fatalf("login as %s = %d", name, code)
	}
}

func (b *browser) upload(token string, files map[string]string) (int, string) {
	b.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if token != "" {
		w.WriteField("csrf_token", token)
	}
	for name, text := range files {
		fw, _ := w.CreateFormFile("file", name)
		fw.Write([]byte(text))
	}
	w.Close()
	resp, err := b.client.Post(b.base+"/uploads", w.FormDataContentType(), &buf)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func referralsValue(t *testing.T, b *browser, period string) any {
	t.Helper()
	_, body := b.get("/api/indicators/referrals")
	var s struct {
		Points []map[string]any `json:"points"`
	}
	json.Unmarshal([]byte(body), &s)
	for _, p := range s.Points {
		if p["period"] == period {
			return p["value"]
		}
	}
	return nil
}

const revision = "indicator,period,value\nreferrals,2014/15,\"635,600\"\nreferrals,2025/26,640000\n"

func newAuthServer(t *testing.T) (*httptest.Server, *store.Store) {
	srv, st := newTestServer(t)
	ctx := context.Background()
	for _, u := range [][2]string{{"ana", store.RoleAnalyst}, {"vic", store.RoleViewer}} {
		if _, err := st.AddUser(ctx, u[0], u[1], "correct horse battery"); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts, st
}

func TestUploadFlow(t *testing.T) {
	ts, _ := newAuthServer(t)
	b := newBrowser(t, ts)
	b.login("ana", "correct horse battery")

	code, body := b.upload(b.token("/uploads"), map[string]string{"revision.csv": revision})
	if code != http.StatusOK {
		t.Fatalf("upload = %d: %s", code, body)
	}
	for _, want := range []string{`id="count-added">1<`, `id="count-revised">1<`, "635,620", "635,600", "Commit these changes"} {
		if !strings.Contains(body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	if got := referralsValue(t, b, "2014/15"); got != 635620.0 {
		t.Fatalf("before commit 2014/15 = %v, want 635620 still", got)
	}
	id := regexp.MustCompile(`action="/uploads/(\d+)/commit"`).FindStringSubmatch(body)[1]
	token := csrfInput.FindStringSubmatch(body)[1]

	if code, _ := b.post("/uploads/"+id+"/commit", url.Values{"csrf_token": {token}}); code != http.StatusOK {
		t.Fatalf("commit = %d", code)
	}
	if got := referralsValue(t, b, "2014/15"); got != 635600.0 {
		t.Fatalf("after commit 2014/15 = %v, want 635600", got)
	}
	_, page := b.get("/indicators/referrals")
	if !strings.Contains(page, `class="app-revised"`) || !strings.Contains(page, "previously published as 635,620") {
		t.Error("the indicator page does not mark the revision with its earlier value")
	}

	// The same file again changes nothing.
	_, body = b.upload(b.token("/uploads"), map[string]string{"revision.csv": revision})
	if !strings.Contains(body, `id="count-unchanged">2<`) || !strings.Contains(body, `id="count-added">0<`) {
		t.Error("the same file twice is not reported as unchanged")
	}

	if code, _ := b.post("/uploads/"+id+"/rollback", url.Values{"csrf_token": {b.token("/uploads/" + id)}}); code != http.StatusOK {
		t.Fatalf("rollback = %d", code)
	}
	if got := referralsValue(t, b, "2014/15"); got != 635620.0 {
		t.Fatalf("after rollback 2014/15 = %v, want 635620 again", got)
	}
	if got := referralsValue(t, b, "2025/26"); got != nil {
		t.Fatalf("after rollback 2025/26 = %v, want gone", got)
	}
	_, hist := b.get("/uploads")
	if !strings.Contains(hist, "Rolled back") || !strings.Contains(hist, "ana") {
		t.Error("history does not show the rollback and who did it")
	}
}

func TestUploadRefused(t *testing.T) {
	ts, _ := newAuthServer(t)
	before := func(b *browser) any { return referralsValue(t, b, "2014/15") }

	t.Run("NoLogin", func(t *testing.T) {
		b := newBrowser(t, ts)
		code, _ := b.upload(b.token("/login"), map[string]string{"r.csv": revision})
		if code != http.StatusUnauthorized && code != http.StatusForbidden {
			t.Fatalf("upload without login = %d", code)
		}
		if got := before(b); got != 635620.0 {
			t.Fatalf("data changed: %v", got)
		}
	})
	t.Run("Viewer", func(t *testing.T) {
		b := newBrowser(t, ts)
		b.login("vic", "correct horse battery")
		code, _ := b.upload(b.token("/uploads"), map[string]string{"r.csv": revision})
		if code != http.StatusForbidden {
			t.Fatalf("upload as viewer = %d, want 403", code)
		}
	})
	t.Run("NoCSRF", func(t *testing.T) {
		b := newBrowser(t, ts)
		b.login("ana", "correct horse battery")
		if code, _ := b.upload("", map[string]string{"r.csv": revision}); code != http.StatusForbidden {
			t.Fatalf("upload without CSRF token = %d, want 403", code)
		}
		if code, _ := b.upload("forged", map[string]string{"r.csv": revision}); code != http.StatusForbidden {
			t.Fatalf("upload with a forged token = %d, want 403", code)
		}
	})
	t.Run("BadFile", func(t *testing.T) {
		b := newBrowser(t, ts)
		b.login("ana", "correct horse battery")
		code, body := b.upload(b.token("/uploads"), map[string]string{"bad<b>.csv": "indicator,period,value\nreferrals,2014/16,-5\n"})
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("bad file = %d, want 422", code)
		}
		for _, want := range []string{"govuk-error-summary", "bad&lt;b&gt;.csv", ">2<", "period", "value", "negative"} {
			if !strings.Contains(body, want) {
				t.Errorf("error page lacks %q", want)
			}
		}
		if got := before(b); got != 635620.0 {
			t.Fatalf("data changed: %v", got)
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		b := newBrowser(t, ts)
		tok := b.token("/login")
		for i := 0; i < 5; i++ {
			if code, _ := b.post("/login", url.Values{"username": {"vic"}, "password": {"wrong password"}, "csrf_token": {tok}}); code != http.StatusUnauthorized {
				t.Fatalf("attempt %d = %d, want 401", i, code)
			}
		}
		if code, _ := b.post("/login", url.Values{"username": {"vic"}, "password": {"correct horse battery"}, "csrf_token": {tok}}); code != http.StatusTooManyRequests {
			t.Fatalf("sixth attempt = %d, want 429 even with the right password", code)
		}
	})
}

func TestLogoutEndsSession(t *testing.T) {
	ts, _ := newAuthServer(t)
	b := newBrowser(t, ts)
	b.login("ana", "correct horse battery")
	stolen := b.client.Jar.Cookies(mustURL(t, ts.URL))
	if code, _ := b.post("/logout", url.Values{"csrf_token": {b.token("/uploads")}}); code != http.StatusOK {
		t.Fatalf("logout = %d", code)
	}
	// A copy of the old cookie no longer works: the session is gone on the server.
	thief := newBrowser(t, ts)
	thief.client.Jar.SetCookies(mustURL(t, ts.URL), stolen)
	thief.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if code, _ := thief.get("/uploads"); code != http.StatusSeeOther {
		t.Fatalf("old session cookie after logout = %d, want a redirect to sign in", code)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestAdminUsers(t *testing.T) {
	ts, st := newAuthServer(t)
	if _, err := st.AddUser(context.Background(), "ada", store.RoleAdmin, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	t.Run("AnalystRefused", func(t *testing.T) {
		b := newBrowser(t, ts)
		b.login("ana", "correct horse battery")
		if code, _ := b.get("/admin/users"); code != http.StatusForbidden {
			t.Fatalf("analyst on /admin/users = %d, want 403", code)
		}
	})
	t.Run("AddAndRemove", func(t *testing.T) {
		b := newBrowser(t, ts)
		b.login("ada", "correct horse battery")
		code, body := b.post("/admin/users", url.Values{"name": {"newbie"}, "role": {"viewer"}, "password": {"a long new password"}, "csrf_token": {b.token("/admin/users")}})
		if code != http.StatusOK || !strings.Contains(body, "newbie") {
			t.Fatalf("add user = %d", code)
		}
		code, body = b.post("/admin/users", url.Values{"name": {"short"}, "role": {"viewer"}, "password": {"short"}, "csrf_token": {b.token("/admin/users")}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, "at least 10 characters") {
			t.Fatalf("short password = %d", code)
		}
		nb := newBrowser(t, ts)
		nb.login("newbie", "a long new password")
		users, _ := st.Users(context.Background())
		var id string
		for _, u := range users {
			if u.Name == "newbie" {
				id = strconv.FormatInt(u.ID, 10)
			}
		}
		if code, _ := b.post("/admin/users/"+id+"/password", url.Values{"password": {"another long password"}, "csrf_token": {b.token("/admin/users")}}); code != http.StatusOK {
			t.Fatalf("set password = %d", code)
		}
		nb.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		if code, _ := nb.get("/uploads"); code != http.StatusSeeOther {
			t.Fatalf("session after a password change = %d, want it ended", code)
		}
		if code, _ := b.post("/admin/users/"+id+"/remove", url.Values{"csrf_token": {b.token("/admin/users")}}); code != http.StatusOK {
			t.Fatalf("remove = %d", code)
		}
		if _, err := st.Authenticate(context.Background(), "newbie", "another long password"); err == nil {
			t.Fatal("a removed user can still sign in")
		}
	})
}

// TestLogin_ForwardedForNotTrusted: with no trusted proxy configured, a
// client cannot dodge the per-address throttle by sending its own
// X-Forwarded-For header.
func TestLogin_ForwardedForNotTrusted(t *testing.T) {
	ts, _ := newAuthServer(t)
	b := newBrowser(t, ts)
	tok := b.token("/login")
	try := func(i int, user string) int {
		form := url.Values{"username": {user}, "password": {"wrong password"}, "csrf_token": {tok}}
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", "203.0.113."+strconv.Itoa(i))
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := 0; i < 5; i++ {
		try(i, "nobody"+strconv.Itoa(i)) // a different account each time
	}
	if code := try(99, "someone-else"); code != http.StatusTooManyRequests {
		t.Fatalf("sixth failure from one address with forged X-Forwarded-For = %d, want 429", code)
	}
}

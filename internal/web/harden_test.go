package web

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"cptrends/internal/store"
)

// noFollow makes a browser stop at redirects, to read where they go.
func noFollow(b *browser) *browser {
	b.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return b
}

// postRaw posts a form and returns the whole response, with optional
// extra headers.
func (b *browser) postRaw(path string, form url.Values, header map[string]string) *http.Response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestLogin_NextSameSite: after login, next leads only to a path on this
// site; whatever a browser would read as another host goes to the
// overview instead (finding 3).
func TestLogin_NextSameSite(t *testing.T) {
	ts, _ := newAuthServer(t)
	for _, tc := range []struct{ next, want string }{
		{"/\t/evil.example/x", "/"},
		{"/\t\\evil.example", "/"},
		{"/\\evil.example", "/"},
		{"//evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"/uploads/../\\evil.example", "/"},
		{"evil.example", "/"},
		{"/indicators/referrals?area=E09000012", "/indicators/referrals?area=E09000012"},
	} {
		t.Run(fmt.Sprintf("%q", tc.next), func(t *testing.T) {
			b := noFollow(newBrowser(t, ts))
			// The form carries next as the login page was given it.
			_, page := b.get("/login?next=" + url.QueryEscape(tc.next))
			if strings.Contains(page, "evil.example") {
				t.Errorf("the login form carries %q", tc.next)
			}
			resp := b.postRaw("/login", url.Values{"username": {"ana"}, "password": {"correct horse battery"},
				"csrf_token": {b.token("/login")}, "next": {tc.next}}, nil)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login = %d", resp.StatusCode)
			}
			if got := resp.Header.Get("Location"); got != tc.want {
				t.Errorf("Location = %q, want %q", got, tc.want)
			}
		})
	}
}

// newProxiedServer is an authenticated test server behind a trusted
// proxy at 127.0.0.1, so that X-Forwarded-For names the client.
func newProxiedServer(t *testing.T, opts Options) (*httptest.Server, *store.Store) {
	t.Helper()
	_, loopback, _ := net.ParseCIDR("127.0.0.1/32")
	opts.TrustedProxies = append(opts.TrustedProxies, loopback)
	srv, st := newTestServerOpts(t, opts)
	for _, u := range [][2]string{{"ana", store.RoleAnalyst}, {"vic", store.RoleViewer}, {"ada", store.RoleAdmin}} {
		if _, err := st.AddUser(context.Background(), u[0], u[1], "correct horse battery"); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts, st
}

// TestLogin_StrangersCannotLockOwnerOut: wrong passwords for an account
// from many addresses slow those addresses down, but the owner, from
// another address, signs in (finding 5).
func TestLogin_StrangersCannotLockOwnerOut(t *testing.T) {
	ts, _ := newProxiedServer(t, Options{})
	b := noFollow(newBrowser(t, ts))
	tok := b.token("/login")
	try := func(addr, password string) int {
		return b.postRaw("/login", url.Values{"username": {"ana"}, "password": {password}, "csrf_token": {tok}},
			map[string]string{"X-Forwarded-For": addr}).StatusCode
	}
	for i := 1; i <= 5; i++ {
		if code := try(fmt.Sprintf("203.0.113.%d", i), "wrong password"); code != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d, want 401", i, code)
		}
	}
	for i := 1; i <= 5; i++ {
		try("203.0.113.9", "wrong password")
	}
	if code := try("203.0.113.9", "correct horse battery"); code != http.StatusTooManyRequests {
		t.Errorf("the address that failed five times = %d, want 429 even with the right password", code)
	}
	// An IPv6 client is counted by its /64: it cannot try again from each
	// of its addresses.
	for i := 1; i <= 5; i++ {
		try(fmt.Sprintf("2001:db8:1:2::%x", i), "wrong password")
	}
	if code := try("2001:db8:1:2::ff", "correct horse battery"); code != http.StatusTooManyRequests {
		t.Errorf("another address of the same /64 = %d, want 429", code)
	}
	if code := try("198.51.100.7", "correct horse battery"); code != http.StatusSeeOther {
		t.Fatalf("the owner from another address = %d, want signed in (303)", code)
	}
}

// cookieOf returns the Set-Cookie of name in resp, or nil.
func cookieOf(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestSecureCookies: cookies are Secure, and HSTS is sent, only when the
// request came over TLS through a trusted proxy or the option says so;
// a client's own X-Forwarded-Proto proves nothing (finding 6).
func TestSecureCookies(t *testing.T) {
	_, proxy, _ := net.ParseCIDR("192.0.2.0/24") // httptest.NewRequest's client
	for _, tc := range []struct {
		name   string
		opts   Options
		header string
		secure bool
	}{
		{"plain HTTP", Options{}, "", false},
		{"untrusted X-Forwarded-Proto", Options{}, "https", false},
		{"trusted proxy over TLS", Options{TrustedProxies: []*net.IPNet{proxy}}, "https", true},
		{"trusted proxy over HTTP", Options{TrustedProxies: []*net.IPNet{proxy}}, "http", false},
		{"secure-cookies option", Options{SecureCookies: true}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, st := newTestServerOpts(t, tc.opts)
			if _, err := st.AddUser(context.Background(), "ana", store.RoleAnalyst, "correct horse battery"); err != nil {
				t.Fatal(err)
			}
			do := func(req *http.Request) *http.Response {
				if tc.header != "" {
					req.Header.Set("X-Forwarded-Proto", tc.header)
				}
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				return rec.Result()
			}
			form := do(httptest.NewRequest(http.MethodGet, "/login", nil))
			csrf := cookieOf(form, csrfCookie)
			if csrf == nil {
				t.Fatal("no CSRF cookie on the login form")
			}
			m := csrfInput.FindStringSubmatch(readBody(t, form))
			req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{
				"username": {"ana"}, "password": {"correct horse battery"}, "csrf_token": {m[1]}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(csrf)
			login := do(req)
			session := cookieOf(login, sessionCookie)
			if session == nil {
				t.Fatalf("login = %d, no session cookie", login.StatusCode)
			}
			if csrf.Secure != tc.secure || session.Secure != tc.secure {
				t.Errorf("Secure: CSRF cookie %v, session cookie %v; want %v", csrf.Secure, session.Secure, tc.secure)
			}
			if hsts := form.Header.Get("Strict-Transport-Security") != ""; hsts != tc.secure {
				t.Errorf("HSTS sent = %v, want %v", hsts, tc.secure)
			}
		})
	}
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCSRF_BoundToSession: a token and cookie minted in another browser,
// planted beside a user's session cookie, are refused; a token from before
// login is refused after it (finding 7).
func TestCSRF_BoundToSession(t *testing.T) {
	ts, _ := newAuthServer(t)
	u := mustURL(t, ts.URL)

	victim := newBrowser(t, ts)
	before := victim.token("/login")
	victim.login("ana", "correct horse battery")
	if code, _ := victim.post("/snapshots", url.Values{"indicator": {"referrals"}, "csrf_token": {before}}); code != http.StatusForbidden {
		t.Errorf("a token from before login, after it = %d, want 403", code)
	}

	for _, signedIn := range []bool{false, true} {
		attacker := newBrowser(t, ts)
		if signedIn {
			attacker.login("vic", "correct horse battery")
		}
		tok := attacker.token("/snapshots")
		if signedIn {
			// The attacker's token works in the attacker's own browser.
			if code, _ := attacker.post("/snapshots", url.Values{"indicator": {"referrals"}, "csrf_token": {tok}}); code != http.StatusOK {
				t.Fatalf("the attacker's own snapshot = %d", code)
			}
			tok = attacker.token("/snapshots")
		}
		var planted *http.Cookie
		for _, c := range attacker.client.Jar.Cookies(u) {
			if c.Name == csrfCookie {
				planted = c
			}
		}
		if planted == nil {
			t.Fatal("the attacker has no CSRF cookie")
		}
		victim.client.Jar.SetCookies(u, []*http.Cookie{{Name: csrfCookie, Value: planted.Value, Path: "/"}})
		if code, _ := victim.post("/snapshots", url.Values{"indicator": {"referrals"}, "csrf_token": {tok}}); code != http.StatusForbidden {
			t.Errorf("a planted token and cookie (attacker signed in: %v) = %d, want 403", signedIn, code)
		}
	}
}

// TestPageCache_JunkQuery: query parameters a page does not read do not
// make new cache entries, and a full cache drops the least recently used
// pages, not all of them (finding 9).
func TestPageCache_JunkQuery(t *testing.T) {
	srv, _ := newTestServer(t)
	get(t, srv, "/indicators/referrals?area=E92000001")
	for i := 0; i < 200; i++ {
		if rec := get(t, srv, fmt.Sprintf("/indicators/referrals?area=E92000001&junk%d=%d", i, i)); rec.Code != http.StatusOK {
			t.Fatalf("junk query %d = %d", i, rec.Code)
		}
	}
	if n := len(srv.cache.entries); n != 1 {
		t.Errorf("%d cache entries after 200 junk queries of one page, want 1", n)
	}

	pc := newPageCache()
	page := func() *cachedPage { return &cachedPage{body: make([]byte, maxCachedBytes/20)} }
	pc.get(1, "")
	pc.put(1, "hot", page())
	for i := 0; i < 40; i++ {
		pc.put(1, fmt.Sprintf("cold%d", i), page())
		if pc.get(1, "hot") == nil {
			t.Fatalf("the page used all along was dropped after %d others", i+1)
		}
	}
	if pc.get(1, "cold39") == nil {
		t.Error("the newest page is not kept")
	}
	if pc.get(1, "cold0") != nil {
		t.Error("the least recently used page is still kept past the limit")
	}
	if pc.bytes > maxCachedBytes {
		t.Errorf("the cache holds %d bytes, over its %d", pc.bytes, maxCachedBytes)
	}
}

// TestPrivate_NothingAboutData: in private mode a stranger's pages (the
// login form, error pages) say nothing about the data, not even when it
// last changed (finding 10).
func TestPrivate_NothingAboutData(t *testing.T) {
	srv, _ := newTestServerOpts(t, Options{Private: true})
	for _, req := range []*http.Request{
		httptest.NewRequest(http.MethodGet, "/login", nil),
		httptest.NewRequest(http.MethodPost, "/snapshots", nil),
		httptest.NewRequest(http.MethodGet, "/assets/nothing/here.css", nil),
	} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		body := rec.Body.String()
		for _, leak := range []string{"last updated", "Data last", "never", "/api/indicators"} {
			if strings.Contains(body, leak) {
				t.Errorf("%s %s (%d) says %q to a stranger", req.Method, req.URL.Path, rec.Code, leak)
			}
		}
	}
	// Public mode still says it.
	pub, _ := newTestServer(t)
	if body := get(t, pub, "/login").Body.String(); !strings.Contains(body, "Data last updated") {
		t.Error("the public login page no longer says when the data last changed")
	}
}

var commitForm = regexp.MustCompile(`/uploads/(\d+)/commit`)

// TestUploads_PendingForAnalysts: viewers cannot read or list uploads not
// yet committed; cancelling one is recorded with who and when (finding
// 11).
func TestUploads_PendingForAnalysts(t *testing.T) {
	ts, st := newAuthServer(t)
	ana := newBrowser(t, ts)
	ana.login("ana", "correct horse battery")
	code, body := ana.upload(ana.token("/uploads"), map[string]string{"r.csv": revision})
	m := commitForm.FindStringSubmatch(body)
	if code != http.StatusOK || m == nil {
		t.Fatalf("preview = %d", code)
	}
	up := "/uploads/" + m[1]
	vic := newBrowser(t, ts)
	vic.login("vic", "correct horse battery")
	if code, page := vic.get(up); code != http.StatusNotFound || strings.Contains(page, "640,000") {
		t.Errorf("a viewer reading a pending upload = %d, want 404 with none of its figures", code)
	}
	if _, page := vic.get("/uploads"); strings.Contains(page, `href="`+up+`"`) {
		t.Error("a viewer's upload list links to a pending upload")
	}
	if code, _ := ana.get(up); code != http.StatusOK {
		t.Errorf("the analyst reading her preview = %d", code)
	}
	if code, _ := ana.post(up+"/cancel", url.Values{"csrf_token": {ana.token(up)}}); code != http.StatusOK {
		t.Fatalf("cancel = %d", code)
	}
	cs, err := st.Cancellations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, page := ana.get("/uploads"); !strings.Contains(page, "Cancelled previews") || !strings.Contains(page, "Upload "+m[1]) {
		t.Error("the uploads page does not list the cancelled preview")
	}
	if _, page := vic.get("/uploads"); strings.Contains(page, "Cancelled previews") {
		t.Error("a viewer sees the cancelled previews")
	}
	if len(cs) != 1 || cs[0].CancelledBy != "ana" || cs[0].CreatedBy != "ana" || cs[0].CancelledAt.IsZero() || cs[0].Files != "r.csv" {
		t.Errorf("cancellations = %+v, want ana's of r.csv, with when", cs)
	}
}

// TestUpload_TooManyFiles: an upload of a thousand files is told so,
// not that its form has expired (finding 11).
func TestUpload_TooManyFiles(t *testing.T) {
	ts, _ := newAuthServer(t)
	b := newBrowser(t, ts)
	b.login("ana", "correct horse battery")
	files := map[string]string{}
	for i := 0; i < 1000; i++ {
		files[fmt.Sprintf("f%04d.csv", i)] = "indicator,period,value\nreferrals,2014/15,1\n"
	}
	code, page := b.upload(b.token("/uploads"), files)
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, fmt.Sprintf("more than %d files", maxUploadFiles)) {
		t.Errorf("1,000 files = %d; want 422 saying there are too many files", code)
	}
	if strings.Contains(page, "expired") {
		t.Error("the answer says the form has expired")
	}
}

// TestAdmin_NoticesByKey: the admin page's banner says only its own
// messages, never text from the address (finding 11).
func TestAdmin_NoticesByKey(t *testing.T) {
	ts, _ := newProxiedServer(t, Options{})
	b := newBrowser(t, ts)
	b.login("ada", "correct horse battery")
	_, page := b.get("/admin/users?done=" + url.QueryEscape("Data version: 999999. Call 0800 000 000"))
	if strings.Contains(page, "999999") || strings.Contains(page, "0800") {
		t.Error("the admin page echoes ?done= text")
	}
	if _, page := b.get("/admin/users?done=added"); !strings.Contains(page, adminNotices["added"]) {
		t.Error("the admin page does not show its own notice")
	}
}

// TestSnapshots_LimitedAndDeleted: one account's snapshots are rate-
// limited, held in the database; an admin can delete one, which then
// shows to no one and stays in the admin's list (finding 4).
func TestSnapshots_LimitedAndDeleted(t *testing.T) {
	ts, _ := newProxiedServer(t, Options{})
	vic := newBrowser(t, ts)
	vic.login("vic", "correct horse battery")
	noFollow(vic)
	tok := vic.token("/snapshots")
	var first string
	limited := 0
	for i := 0; i < store.SnapshotBurst+5; i++ {
		resp := vic.postRaw("/snapshots", url.Values{"indicator": {"referrals"}, "csrf_token": {tok}}, nil)
		switch resp.StatusCode {
		case http.StatusSeeOther:
			if first == "" {
				first = resp.Header.Get("Location")
			}
		case http.StatusTooManyRequests:
			if resp.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
			limited++
		default:
			t.Fatalf("snapshot %d = %d", i, resp.StatusCode)
		}
	}
	if limited != 5 {
		t.Errorf("%d of %d snapshots in a burst refused, want 5", limited, store.SnapshotBurst+5)
	}
	// The limit is the account's, wherever it comes from.
	if code := vic.postRaw("/snapshots", url.Values{"indicator": {"referrals"}, "csrf_token": {tok}},
		map[string]string{"X-Forwarded-For": "198.51.100.99"}).StatusCode; code != http.StatusTooManyRequests {
		t.Errorf("from another address = %d, want 429", code)
	}

	if code := vic.postRaw(first+"/delete", url.Values{"csrf_token": {tok}}, nil).StatusCode; code != http.StatusForbidden {
		t.Errorf("a viewer deleting a snapshot = %d, want 403", code)
	}
	ada := newBrowser(t, ts)
	ada.login("ada", "correct horse battery")
	if code, _ := ada.post(first+"/delete", url.Values{"csrf_token": {ada.token(first)}}); code != http.StatusOK {
		t.Fatalf("an admin deleting a snapshot = %d", code)
	}
	for _, p := range []string{first, first + ".html", first + "/compare"} {
		if code, _ := ada.get(p); code != http.StatusNotFound {
			t.Errorf("GET %s after delete = %d, want 404", p, code)
		}
	}
	if _, page := vic.get("/snapshots"); !strings.Contains(page, "Snapshots") || strings.Contains(page, strings.TrimPrefix(first, "/snapshots/")) {
		t.Error("the deleted snapshot is still listed")
	}
	if _, page := ada.get("/admin/users"); !strings.Contains(page, strings.TrimPrefix(first, "/snapshots/")) || !strings.Contains(page, "ada") {
		t.Error("the admin page does not list the deleted snapshot and who deleted it")
	}
}

// TestUpload_SkippedRowsGiveNoCodes: a row the upload does not read (here
// an authority's row broken down by age) gives no local authority codes,
// even once committed (finding 1).
func TestUpload_SkippedRowsGiveNoCodes(t *testing.T) {
	ts, st := newAuthServer(t)
	b := newBrowser(t, ts)
	b.login("ana", "correct horse battery")
	body, err := os.ReadFile("../../testdata/hostile/la_codes_from_skipped_row_accepted.csv")
	if err != nil {
		t.Fatal(err)
	}
	code, page := b.upload(b.token("/uploads"), map[string]string{"f.csv": string(body)})
	m := commitForm.FindStringSubmatch(page)
	if code != http.StatusOK || m == nil {
		t.Fatalf("preview = %d", code)
	}
	up := "/uploads/" + m[1]
	if code, _ := b.post(up+"/commit", url.Values{"csrf_token": {b.token(up)}}); code != http.StatusOK {
		t.Fatalf("commit = %d", code)
	}
	codes, err := st.LACodes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := codes["E09000012"]; ok {
		t.Errorf("a skipped row recorded Hackney's codes: %+v", c)
	}
}

// TestUpload_PreviewSummarised: the preview sums up by indicator and level
// and lists additions a page at a time, so its size does not grow with
// the upload (finding 2).
func TestUpload_PreviewSummarised(t *testing.T) {
	ts, _ := newAuthServer(t)
	b := newBrowser(t, ts)
	b.login("ana", "correct horse battery")
	var csv strings.Builder
	csv.WriteString("indicator,period,geography_code,geography_name,value\n")
	n := 0
	for area := 0; area < 60; area++ {
		for year := 2010; year < 2020; year++ {
			fmt.Fprintf(&csv, "referrals,%d/%02d,E06%06d,Area %d,%d\n", year-1, year%100, 900+area, area, 100+area+year)
			n++
		}
	}
	code, page := b.upload(b.token("/uploads"), map[string]string{"areas.csv": csv.String()})
	if code != http.StatusOK {
		t.Fatalf("preview = %d", code)
	}
	rowsOf := func(page string) int { return strings.Count(page, `<td class="govuk-table__cell">Area `) }
	if got := rowsOf(page); got != additionsPerPage {
		t.Errorf("the preview lists %d additions, want one page of %d", got, additionsPerPage)
	}
	if !strings.Contains(page, "600") || !strings.Contains(page, "More values added") {
		t.Error("the preview does not sum up the 600 values added, or has no next page")
	}
	next := regexp.MustCompile(`href="(/uploads/\d+\?added_after=[0-9.]+)#additions"`).FindStringSubmatch(page)
	if next == nil {
		t.Fatal("no link to the next page of additions")
	}
	seen := 0
	for path := next[1]; path != ""; {
		_, p := b.get(path)
		seen += rowsOf(p)
		path = ""
		if m := regexp.MustCompile(`href="(/uploads/\d+\?added_after=[0-9.]+)#additions"`).FindStringSubmatch(p); m != nil {
			path = m[1]
		}
	}
	if seen+additionsPerPage != n {
		t.Errorf("the pages list %d additions in all, want %d", seen+additionsPerPage, n)
	}
}

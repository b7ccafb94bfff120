package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cptrends/indicators"
	"cptrends/internal/ingest"
	"cptrends/internal/store"

	"github.com/PuerkitoBio/goquery"
)

const viewerPassword = "correct horse battery"

// importCSV commits native CSV text as one upload and returns its id.
func importCSV(t *testing.T, st *store.Store, text string) int64 {
	t.Helper()
	res := ingest.Read(indicators.Default(), ingest.Options{}, ingest.Input{Name: "test.csv", R: strings.NewReader(text)})
	if !res.OK() {
		t.Fatalf("fixture refused: %v", res.Problems)
	}
	sum, err := st.Import(context.Background(), store.NewUpload{By: "ana", Files: res.Files, Observations: res.Observations}, false)
	if err != nil {
		t.Fatal(err)
	}
	return sum.UploadID
}

var snapshotPath = regexp.MustCompile(`^/snapshots/[a-z2-7]{26}$`)

// snapshot posts the snapshot form as b and returns the status and the
// address it redirects to.
func (b *browser) snapshot(form url.Values) (int, string) {
	b.t.Helper()
	c := *b.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.PostForm(b.base+"/snapshots", form)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// mustSnapshot makes a snapshot of subject and returns its address.
func (b *browser) mustSnapshot(subject, title string) string {
	b.t.Helper()
	code, loc := b.snapshot(url.Values{"indicator": {subject}, "title": {title}, "comment": {"For the panel\non Tuesday"},
		"csrf_token": {b.token("/indicators/referrals")}})
	if code != http.StatusSeeOther || !snapshotPath.MatchString(loc) {
		b.t.Fatalf("create snapshot of %s = %d, Location %q", subject, code, loc)
	}
	return loc
}

// figuresOf returns the markup of a snapshot's frozen figures.
func figuresOf(t *testing.T, body string) string {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sel := d.Find("#snapshot-figures")
	if sel.Length() != 1 {
		t.Fatal("no #snapshot-figures")
	}
	html, err := sel.Html()
	if err != nil {
		t.Fatal(err)
	}
	return html
}

func TestSnapshotCreate(t *testing.T) {
	ts, st := newAuthServer(t)
	count := func() int {
		list, err := st.Snapshots(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	t.Run("NoLogin", func(t *testing.T) {
		b := newBrowser(t, ts)
		code, _ := b.snapshot(url.Values{"indicator": {"referrals"}, "csrf_token": {b.token("/login")}})
		if code != http.StatusUnauthorized && code != http.StatusForbidden {
			t.Errorf("snapshot without login = %d", code)
		}
		if n := count(); n != 0 {
			t.Errorf("%d snapshots made without login", n)
		}
		_, page := b.get("/indicators/referrals")
		if !strings.Contains(page, "Sign in to create a snapshot") || strings.Contains(page, `action="/snapshots"`) {
			t.Error("a visitor is not asked to sign in to make a snapshot")
		}
	})
	t.Run("NoCSRF", func(t *testing.T) {
		b := newBrowser(t, ts)
		b.login("vic", viewerPassword)
		for _, tok := range []string{"", "forged"} {
			if code, _ := b.snapshot(url.Values{"indicator": {"referrals"}, "csrf_token": {tok}}); code != http.StatusForbidden {
				t.Errorf("snapshot with token %q = %d, want 403", tok, code)
			}
		}
		if n := count(); n != 0 {
			t.Errorf("%d snapshots made without a valid token", n)
		}
	})
	t.Run("Viewer", func(t *testing.T) {
		b := newBrowser(t, ts)
		b.login("vic", viewerPassword)
		_, page := b.get("/indicators/referrals")
		if !strings.Contains(page, `action="/snapshots"`) || !strings.Contains(page, `name="indicator" value="referrals"`) {
			t.Fatal("no snapshot form on the indicator page")
		}
		loc := b.mustSnapshot("referrals", "Referrals <for> the panel")
		code, body := b.get(loc)
		if code != http.StatusOK {
			t.Fatalf("GET %s = %d", loc, code)
		}
		for _, want := range []string{"Referrals &lt;for&gt; the panel", "For the panel\non Tuesday", "vic", "Data version 1", "635,620"} {
			if !strings.Contains(body, want) {
				t.Errorf("snapshot page lacks %q", want)
			}
		}
		if strings.Contains(body, `id="newer-figures"`) {
			t.Error("a fresh snapshot says newer figures exist")
		}
		if d, _ := goquery.NewDocumentFromReader(strings.NewReader(body)); d.Find("#snapshot-figures .app-chart[data-option][data-tips][data-export-title]").Length() != 1 {
			t.Error("the snapshot has no chart")
		}
		_, list := b.get("/snapshots")
		if !strings.Contains(list, `href="`+loc+`"`) || !strings.Contains(list, "vic") {
			t.Error("the snapshot list does not show the snapshot and who made it")
		}
		// The overview too, with its four figures.
		_, body = b.get(b.mustSnapshot("overview", ""))
		if n := len(regexp.MustCompile(`class="app-chart[ "]`).FindAllString(figuresOf(t, body), -1)); n != 4 {
			t.Errorf("overview snapshot has %d charts, want 4", n)
		}
		if !strings.Contains(body, "Child protection in England") {
			t.Error("an untitled snapshot is not named after its page")
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		b := newBrowser(t, ts)
		b.login("vic", viewerPassword)
		before := count()
		for _, tc := range []struct {
			form url.Values
			want int
		}{
			{url.Values{"indicator": {"nope"}}, http.StatusNotFound},
			{url.Values{"indicator": {""}}, http.StatusBadRequest},
			{url.Values{"indicator": {"referrals"}, "geography": {"../etc"}}, http.StatusBadRequest},
			{url.Values{"indicator": {"referrals"}, "title": {strings.Repeat("x", 201)}}, http.StatusBadRequest},
		} {
			tc.form.Set("csrf_token", b.token("/"))
			if code, _ := b.snapshot(tc.form); code != tc.want {
				t.Errorf("snapshot %v = %d, want %d", tc.form, code, tc.want)
			}
		}
		if count() != before {
			t.Error("a refused snapshot was stored")
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		b := newBrowser(t, ts)
		for _, p := range []string{"/snapshots/abc", "/snapshots/abc.html", "/snapshots/..%2F..%2Fgo.mod",
			"/snapshots/" + strings.Repeat("a", 26), "/snapshots/" + strings.Repeat("A", 26) + ".html",
			"/snapshots/" + strings.Repeat("a", 26) + "/compare", "/snapshots/%2e%2e/compare"} {
			if code, _ := b.get(p); code != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", p, code)
			}
		}
	})
	t.Run("ListNeedsLogin", func(t *testing.T) {
		b := newBrowser(t, ts)
		b.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		if code, _ := b.get("/snapshots"); code != http.StatusSeeOther {
			t.Errorf("GET /snapshots as a visitor = %d, want a redirect to sign in", code)
		}
	})
}

// The snapshot shows the same figures, byte for byte, after a revision, a
// new year and rollbacks; it says when newer figures differ.
func TestSnapshotImmutable(t *testing.T) {
	ts, st := newAuthServer(t)
	ctx := context.Background()
	b := newBrowser(t, ts)
	b.login("vic", viewerPassword)
	loc := b.mustSnapshot("referrals", "Before the release")
	overview := b.mustSnapshot("overview", "")
	_, first := b.get(loc)
	_, firstOverview := b.get(overview)
	want, wantOverview := figuresOf(t, first), figuresOf(t, firstOverview)
	if !strings.Contains(want, "635,620") {
		t.Fatal("the snapshot lacks 2014/15 as published (635,620)")
	}

	check := func(stage string, newer bool) {
		t.Helper()
		_, body := b.get(loc)
		if got := figuresOf(t, body); got != want {
			t.Errorf("%s: the snapshot's figures changed", stage)
		}
		if got := strings.Contains(body, "Newer or revised figures exist"); got != newer {
			t.Errorf("%s: newer-figures notice shown = %v, want %v", stage, got, newer)
		}
		_, body = b.get(overview)
		if figuresOf(t, body) != wantOverview {
			t.Errorf("%s: the overview snapshot's figures changed", stage)
		}
	}

	rev := importCSV(t, st, revision) // 2014/15 revised, 2025/26 added
	check("after a revision and a new year", true)
	if _, page := b.get("/indicators/referrals"); !strings.Contains(page, "635,600") {
		t.Fatal("the live page does not show the revision")
	}
	other := importCSV(t, st, "indicator,period,value\nreferrals,2013/14,657000\n")
	if err := st.Rollback(ctx, other, "ana"); err != nil {
		t.Fatal(err)
	}
	check("after an upload and its rollback", true)
	if err := st.Rollback(ctx, rev, "ana"); err != nil {
		t.Fatal(err)
	}
	// The data version has moved on, but the figures are as they were.
	check("after rolling the revision back", false)
	if v, _ := st.DataVersion(ctx); v == 1 {
		t.Fatal("the data version did not move")
	}
}

func TestSnapshotCompare(t *testing.T) {
	ts, st := newAuthServer(t)
	b := newBrowser(t, ts)
	b.login("vic", viewerPassword)
	type row struct{ Period, Old, New, Diff, Reason string }
	rows := func(path string) []row {
		t.Helper()
		code, body := b.get(path)
		if code != http.StatusOK {
			t.Fatalf("GET %s = %d", path, code)
		}
		d, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
		var out []row
		d.Find("table.app-changes tbody tr").Each(func(_ int, s *goquery.Selection) {
			cells := s.Find("th, td").Map(func(_ int, c *goquery.Selection) string { return strings.TrimSpace(c.Text()) })
			out = append(out, row{cells[0], cells[1], cells[2], cells[3], cells[4]})
		})
		return out
	}
	before := b.mustSnapshot("referrals", "Before")
	if got := rows(before + "/compare"); len(got) != 0 {
		t.Errorf("a fresh snapshot compared with now = %v, want no changes", got)
	}

	up := importCSV(t, st, revision)
	t.Run("RevisionAndNewYear", func(t *testing.T) {
		got := rows(before + "/compare")
		want := []row{{"2014/15", "635,620", "635,600", "-20", "revision"}, {"2025/26", "none", "640,000", "", "new year"}}
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("changes = %v, want %v", got, want)
		}
	})

	after := b.mustSnapshot("referrals", "After")
	if err := st.Rollback(context.Background(), up, "ana"); err != nil {
		t.Fatal(err)
	}
	t.Run("Rollback", func(t *testing.T) {
		got := rows(after + "/compare")
		want := []row{{"2014/15", "635,600", "635,620", "+20", "revision"}, {"2025/26", "640,000", "none", "", "removed"}}
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("changes = %v, want %v", got, want)
		}
	})
	t.Run("WithLaterSnapshot", func(t *testing.T) {
		got := rows(before + "/compare?with=" + strings.TrimPrefix(after, "/snapshots/"))
		if len(got) != 2 || got[0].Reason != "revision" || got[1].Reason != "new year" {
			t.Errorf("changes = %v", got)
		}
	})
	t.Run("ErrDifferentFigures", func(t *testing.T) {
		ov := b.mustSnapshot("overview", "")
		if code, _ := b.get(before + "/compare?with=" + strings.TrimPrefix(ov, "/snapshots/")); code != http.StatusBadRequest {
			t.Errorf("comparing a referrals snapshot with the overview = %d, want 400", code)
		}
		if code, _ := b.get(before + "/compare?with=../../x"); code != http.StatusNotFound {
			t.Errorf("comparing with a bad id = %d, want 404", code)
		}
	})
}

func TestSnapshotFile(t *testing.T) {
	ts, st := newAuthServer(t)
	hostile := `</script><script>alert(1)</script><img src=x onerror=alert(2)>`
	importCSV(t, st, "indicator,period,value,note\nreferrals,2014/15,635620,\""+hostile+"\"\n")
	b := newBrowser(t, ts)
	b.login("vic", viewerPassword)
	loc := b.mustSnapshot("referrals", "Offline <copy>")

	resp, err := b.client.Get(b.base + loc + ".html")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	d, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("GET %s.html = %d, Content-Disposition %q", loc, resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	html, _ := d.Html()
	t.Logf("offline file: %d bytes", len(html))
	// Its chart is drawn as SVG: no script at all.
	if n := d.Find("script").Length(); n != 0 {
		t.Errorf("scripts = %d, want none", n)
	}
	if d.Find(".app-chart.app-chart--drawn svg.app-chart__svg--wide text").Length() == 0 {
		t.Error("the chart is not drawn as SVG")
	}
	if d.Find("style").Length() != 1 || len(d.Find("style").Text()) < 10_000 {
		t.Error("the stylesheet is not inline")
	}
	for _, bad := range []string{`src="/assets`, `href="/assets`, `<link`, "<img src=x", "<script>alert"} {
		if strings.Contains(html, bad) {
			t.Errorf("the offline file contains %q", bad)
		}
	}
	if !strings.Contains(d.Find("table").Text(), hostile) {
		t.Error("the hostile note is not shown as text in the table")
	}
	if !strings.Contains(d.Find("h1").Text(), "Offline <copy>") {
		t.Error("no title")
	}
	chart := d.Find(".app-chart[data-option][data-tips]")
	if chart.Length() != 1 {
		t.Fatal("no chart with its option and tips")
	}
	for _, want := range []string{"Data version 2", "Department for Education", "Saved from"} {
		if !strings.Contains(d.Text(), want) {
			t.Errorf("the offline file lacks %q", want)
		}
	}
	// No script runs, and nothing is fetched.
	for _, csp := range []string{resp.Header.Get("Content-Security-Policy"), d.Find(`meta[http-equiv="Content-Security-Policy"]`).AttrOr("content", "")} {
		if strings.Count(csp, "'sha256-") != 1 || !strings.Contains(csp, "script-src 'none'") || strings.Contains(csp, "unsafe") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("CSP = %q", csp)
		}
	}
	// The same markup as the snapshot page.
	_, page := b.get(loc)
	offline, _ := d.Find("#snapshot-figures").Html()
	if online := figuresOf(t, page); strings.TrimSpace(offline) != strings.TrimSpace(online) {
		t.Errorf("the offline file's figures differ from the snapshot page's:\n%s\n---\n%s", offline[:2000], online[:2000])
	}
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"cptrends/internal/browsertest"
)

// The files the analyst uploads; testdata/browser/README.md says what
// each one holds.
const browserFixtures = "../../testdata/browser"

// uploadFixture returns the absolute path of a file in testdata/browser:
// the browser reads the files it uploads from disk, not from the test's
// working directory.
func uploadFixture(t *testing.T, name string) string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join(browserFixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return path
}

// tableRows returns the text of every cell (th and td) of every body row of
// the tables that match a CSS selector.
func tableRows(selector string) string {
	return fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).flatMap(t =>
		Array.from(t.querySelectorAll('tbody tr')).map(tr =>
			Array.from(tr.querySelectorAll('th, td')).map(c => c.textContent.replace(/\s+/g, ' ').trim())))`, selector)
}

// h1Is is true once the page's first h1 says want.
func h1Is(want string) string {
	return fmt.Sprintf(`(() => { const h = document.querySelector('h1'); return !!h && h.textContent.trim() === %q; })()`, want)
}

// dataRow is one row of an indicator page's data table.
type dataRow struct {
	Period  string `json:"period"`
	Value   string `json:"value"`
	Revised bool   `json:"revised"`
}

// dataRows reads the data table of an indicator page: the year, the text
// of the value cell and whether it carries the revised mark.
const dataRows = `Array.from(document.querySelectorAll('main table tbody tr')).filter(tr => tr.querySelector('th[scope=row]')).map(tr => {
	const cell = tr.querySelector('td');
	return {
		period: tr.querySelector('th[scope=row]').textContent.trim(),
		value: cell ? cell.textContent.replace(/\s+/g, ' ').trim() : '',
		revised: !!(cell && cell.querySelector('abbr.app-revised')),
	};
})`

// chartPeriods reads the categories of the first chart's x-axis from its
// ECharts instance.
const chartPeriods = `echarts.getInstanceByDom(document.querySelector('.app-chart')).getOption().xAxis[0].data
	.map(d => (d !== null && typeof d === 'object') ? String(d.value) : String(d))`

// saveScreenshot writes a full-page PNG of the tab to testdata/screenshots.
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 is PNG
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(screenshots, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshots, name+".png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
}

// referralsSeries fetches England's referrals from the API.
func referralsSeries(t *testing.T, base string) seriesJSON {
	t.Helper()
	var s seriesJSON
	mustGetJSON(t, base+"/api/indicators/referrals", &s)
	return s
}

func findPoint(s seriesJSON, period string) (pointJSON, bool) {
	for _, p := range s.Points {
		if p.Period == period {
			return p, true
		}
	}
	return pointJSON{}, false
}

// refusalRecorder is a browsertest.Recorder that expects Chrome's own log line for
// the refused upload. POST /uploads answers 422 when it refuses files (as
// CONTRACT.md promises), and Chrome then logs "Failed to load resource: the
// server responded with a status of 422" at level error, whatever the page
// does. That line, for that URL, is counted instead of failing the test;
// every other error still fails it.
type refusalRecorder struct {
	*browsertest.Recorder
	url string

	mu      sync.Mutex
	refused int
}

func (r *refusalRecorder) listen(ev any) {
	if e, ok := ev.(*cdplog.EventEntryAdded); ok && e.Entry.Source == cdplog.EntrySourceNetwork &&
		e.Entry.Level == cdplog.EntryLevelError && e.Entry.URL == r.url && strings.Contains(e.Entry.Text, "status of 422") {
		r.mu.Lock()
		r.refused++
		r.mu.Unlock()
		return
	}
	r.Recorder.Listen(ev)
}

func (r *refusalRecorder) refusals() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refused
}

// TestBrowser_Upload follows an analyst through headless Chromium: sign in,
// upload a native CSV and an Explore Education Statistics file, check the
// preview, commit, see the new year on the chart and in the table, have a
// bad file refused with every problem listed, and roll the upload back.
// The one tab must log no error (but Chrome's note of the refusal's 422)
// and fetch nothing from another host.
func TestBrowser_Upload(t *testing.T) {
	start := time.Now()
	browser := browsertest.Start(t) // skips when chromium is missing

	// An analyst, made with the command line before the server starts.
	db := filepath.Join(t.TempDir(), "cptrends.db")
	var out, errOut strings.Builder
	cli := &Main{Stdin: strings.NewReader("correct horse battery\n"), Stdout: &out, Stderr: &errOut, Getenv: noEnv}
	if code := cli.Run(context.Background(), []string{"user", "add", "--db", db, "--name", "ana", "--role", "analyst"}); code != 0 {
		t.Fatalf("user add: status %d\n%s%s", code, out.String(), errOut.String())
	}
	base := MustRunMain(t, "--db", db)

	before := referralsSeries(t, base)
	if p, ok := findPoint(before, "2014/15"); !ok || p.Value == nil || *p.Value != 635620 {
		t.Fatalf("bundled series: 2014/15 referrals = %+v, want 635620", p)
	}
	if _, ok := findPoint(before, "2025/26"); ok {
		t.Fatalf("bundled series already has 2025/26")
	}

	rec := &refusalRecorder{Recorder: &browsertest.Recorder{}, url: base + "/uploads"}
	tab, cancelTab := chromedp.NewContext(browser, chromedp.WithListener(rec.listen))
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil { // opens the tab, with no deadline
		t.Fatalf("open a tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, 3*time.Minute) // a guard against a hang: the race detector slows drawing charts many times over
	t.Cleanup(cancel)

	// text returns the trimmed text of the first element matching a CSS
	// selector, waiting for it to be there.
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return strings.Join(strings.Fields(s), " ")
	}
	// click clicks a button that loads a new page, waits for it and
	// checks it answered 200.
	click := func(sel, what string) {
		t.Helper()
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if resp.Status != http.StatusOK {
			t.Fatalf("%s: status %d, want 200", what, resp.Status)
		}
	}
	// submitUpload chooses files in the upload form and submits it. The
	// form posts with XHR and swaps the answer in: no navigation.
	submitUpload := func(files ...string) {
		t.Helper()
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+"/uploads"))
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("GET /uploads: %v, %+v", err, resp)
		}
		if err := chromedp.Do(ctx,
			chromedp.SetUploadFiles(chromedp.CSS(`form.app-upload-form input[type=file]`), files),
			// Lost on a navigation: still there afterwards shows that the
			// answer came by XHR into this page.
			chromedp.Evaluate[chromedp.Void](`window.__samePage = true`),
			chromedp.Click(chromedp.CSS(`form.app-upload-form button[type=submit]`)),
		); err != nil {
			t.Fatalf("upload %v: %v", files, err)
		}
	}
	waitFor := func(expr, what string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
			t.Fatalf("%s: %v\npage text:\n%s", what, err, body)
		}
	}
	evalJSON := func(expr string, v any) {
		t.Helper()
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr))
		if err != nil {
			t.Fatalf("evaluate %s: %v", expr, err)
		}
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("evaluate %s: %v\n%s", expr, err, raw)
		}
	}

	// 1. Sign in.
	if resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+"/login")); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("GET /login: %v, %+v", err, resp)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("username"), "ana"),
		chromedp.SendKeys(chromedp.ID("password"), "correct horse battery"),
	); err != nil {
		t.Fatalf("fill in the login form: %v", err)
	}
	click(`main form[action="/login"] button[type=submit]`, "sign in")
	if got := text(`form[action="/logout"] button`); got != "Sign out ana" {
		t.Fatalf("after signing in the menu says %q, want \"Sign out ana\"", got)
	}

	// 2. Upload a native CSV and an EES file; check the preview.
	submitUpload(uploadFixture(t, "referrals_2025_26.csv"), uploadFixture(t, "d3_cpps_subsequent_plan_2024_revised.csv"))
	waitFor(h1Is("Check the upload before you commit it"), "the preview page")
	if same, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__samePage === true`)); !same {
		t.Errorf("the preview came by a navigation, not into the page by upload.js")
	}
	// The bundled data already has the North East's 2023/24 values.
	if got := text("#count-added"); got != "1" {
		t.Errorf("#count-added = %q, want 1 (referrals 2025/26)", got)
	}
	if got := text("#count-revised"); got != "3" {
		t.Errorf("#count-revised = %q, want 3 (referrals 2014/15, and England 2023/24 plans that were a second or subsequent plan, count and per cent)", got)
	}
	if got := text("#count-unchanged"); got != "8" {
		t.Errorf("#count-unchanged = %q, want 8", got)
	}
	var revised [][]string
	evalJSON(tableRows("table.app-revisions"), &revised)
	if !slices.ContainsFunc(revised, func(r []string) bool {
		return len(r) == 4 && strings.HasPrefix(r[0], "England") && r[1] == "2014/15" && r[2] == "635,620" && r[3] == "635,600"
	}) {
		t.Errorf("the revisions table has no row England 2014/15 | 635,620 | 635,600; rows: %q", revised)
	}
	if !slices.ContainsFunc(revised, func(r []string) bool {
		return len(r) == 4 && r[1] == "2023/24" && r[2] == "15,330" && r[3] == "15,400"
	}) {
		t.Errorf("the revisions table has no row from the EES file, 2023/24 | 15,330 | 15,400; rows: %q", revised)
	}
	saveScreenshot(t, ctx, "upload_preview")

	// 3. Commit; the upload's page says so.
	click(`form[action$="/commit"] button[type=submit]`, "commit")
	uploadURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`/uploads/\d+$`).MatchString(uploadURL) {
		t.Errorf("after committing the browser is at %s, want /uploads/{id}", uploadURL)
	}
	if got := text("main .govuk-tag"); got != "Committed" {
		t.Errorf("upload status = %q, want Committed", got)
	}

	// The new year is on the chart and in the table; the revision is marked.
	if resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+"/indicators/referrals")); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("GET /indicators/referrals: %v, %+v", err, resp)
	}
	waitFor(`(() => { const r = `+chartsDrawn+`; return r !== false && r !== 'error'; })()`, "the chart drawn")
	var periods []string
	evalJSON(chartPeriods, &periods)
	if len(periods) == 0 || periods[len(periods)-1] != "2025/26" {
		t.Errorf("chart x-axis = %v, want it to end with 2025/26", periods)
	}
	var rows []dataRow
	evalJSON(dataRows, &rows)
	row := func(period string) dataRow {
		for _, r := range rows {
			if r.Period == period {
				return r
			}
		}
		return dataRow{}
	}
	if r := row("2025/26"); r.Value != "640,000" || r.Revised {
		t.Errorf("table row 2025/26 = %+v, want 640,000 with no revised mark", r)
	}
	if r := row("2014/15"); !strings.HasPrefix(r.Value, "635,600") || !r.Revised {
		t.Errorf("table row 2014/15 = %+v, want 635,600 marked r", r)
	}
	_, _ = chromedp.Run(ctx, chromedp.Poll[bool](chartsStill, chromedp.WithPollingTimeout(5*time.Second)))
	saveScreenshot(t, ctx, "after_commit")
	committed := referralsSeries(t, base)
	if p, ok := findPoint(committed, "2025/26"); !ok {
		t.Errorf("API after commit: no 2025/26 point")
	} else {
		checkNumber(t, "API after commit: 2025/26", p.Value, 640000)
	}

	// 4. A bad file is refused, with every problem listed by line and
	// column, and nothing changes.
	submitUpload(uploadFixture(t, "bad_referrals.csv"))
	waitFor(`!!document.querySelector('.govuk-error-summary')`, "the error summary")
	if same, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__samePage === true`)); !same {
		t.Errorf("the problems came by a navigation, not into the page by upload.js")
	}
	if focused, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement === document.querySelector('.govuk-error-summary')`)); !focused {
		t.Errorf("the error summary does not have the focus")
	}
	var problems [][]string
	evalJSON(tableRows("table.app-problems"), &problems)
	for _, want := range []struct{ line, column, says string }{
		{"2", "value", "negative"},
		{"3", "period", "2014/16"},
	} {
		if !slices.ContainsFunc(problems, func(r []string) bool {
			return len(r) == 4 && r[0] == "bad_referrals.csv" && r[1] == want.line && r[2] == want.column && strings.Contains(r[3], want.says)
		}) {
			t.Errorf("the problems table has no row bad_referrals.csv | %s | %s | …%s…; rows: %q", want.line, want.column, want.says, problems)
		}
	}
	if len(problems) != 2 {
		t.Errorf("the problems table has %d rows, want 2: %q", len(problems), problems)
	}
	saveScreenshot(t, ctx, "upload_errors")
	if after := referralsSeries(t, base); !slices.EqualFunc(after.Points, committed.Points, samePoint) {
		t.Errorf("the refused upload changed the series:\nbefore %+v\nafter  %+v", committed.Points, after.Points)
	}

	// 5. Roll the committed upload back from its page.
	if resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(uploadURL)); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("GET %s: %v, %+v", uploadURL, err, resp)
	}
	click(`form[action$="/rollback"] button[type=submit]`, "roll back")
	if got := text("main .govuk-tag"); got != "Rolled back" {
		t.Errorf("upload status after rolling back = %q, want Rolled back", got)
	}
	rolled := referralsSeries(t, base)
	if p, ok := findPoint(rolled, "2014/15"); !ok {
		t.Errorf("API after rollback: no 2014/15 point")
	} else {
		checkNumber(t, "API after rollback: 2014/15", p.Value, 635620)
	}
	if p, ok := findPoint(rolled, "2025/26"); ok {
		t.Errorf("API after rollback: 2025/26 is still there: %s", show(p.Value))
	}
	if !slices.EqualFunc(rolled.Points, before.Points, samePoint) {
		t.Errorf("after rolling back the series differs from the bundled one:\nbefore %+v\nafter  %+v", before.Points, rolled.Points)
	}

	// 6. The 2024 release, which the new database loaded before the 2025
	// release revised it, uploaded again: the preview says at its top that
	// the file was loaded before and would put revised figures back, and
	// the commit waits for the analyst to confirm it.
	again, err := filepath.Abs("../../testdata/ees/d3_cpps_subsequent_plan_2013_to_2024.csv")
	if err != nil {
		t.Fatal(err)
	}
	submitUpload(again)
	waitFor(`!!document.querySelector('#upload-warning')`, "the re-upload warning")
	if got := text("#upload-warning"); !strings.Contains(got, "same file (the same SHA-256)") || !strings.Contains(got, "put back") {
		t.Errorf("re-upload warning = %q", got)
	}
	if visible, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const r = document.querySelector('#upload-warning').getBoundingClientRect();
		return r.top < window.innerHeight && r.height > 0; })()`)); !visible {
		t.Errorf("the warning is not at the top of the preview, in view")
	}
	saveScreenshot(t, ctx, "upload_reupload_warning")
	// Unticked, the browser keeps the form on the page.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action$="/commit"] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	if still, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](h1Is("Check the upload before you commit it"))); !still {
		t.Errorf("an unconfirmed commit left the preview")
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("confirm"))); err != nil {
		t.Fatal(err)
	}
	click(`form[action$="/commit"] button[type=submit]`, "confirmed commit")
	if got := text("main .govuk-tag"); got != "Committed" {
		t.Errorf("status after the confirmed commit = %q, want Committed", got)
	}

	// Chrome logged the refusal's 422 once, and nothing else went wrong.
	if n := rec.refusals(); n != 1 {
		t.Errorf("Chrome logged %d answers of 422 from POST /uploads, want 1 (the refused file)", n)
	}
	rec.Check(t, "the analyst's upload path")
	t.Logf("upload browser test took %v", time.Since(start).Round(time.Millisecond))
}

func samePoint(a, b pointJSON) bool {
	return a.Period == b.Period && show(a.Value) == show(b.Value) && a.Symbol == b.Symbol &&
		show(a.Change) == show(b.Change) && a.BreakBefore == b.BreakBefore && slices.Equal(a.Notes, b.Notes)
}

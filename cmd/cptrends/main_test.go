package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cptrends/indicators"
	"cptrends/internal/store"
)

// Fixtures shared with the other packages' tests live at the repository root.
const cliFixtures = "../../testdata/cli"

func fixture(name string) string { return filepath.Join(cliFixtures, name) }

// The indicator ids that CONTRACT.md promises.
var contractIDs = []string{
	"referrals", "children_referred", "cpp_started", "cpp_at_31_march",
	"cpp_ended_2yrs_plus", "cpp_ended_2yrs_plus_pct", "cpp_at_31_march_2yrs_plus_pct",
	"cpp_second_or_subsequent", "cpp_second_or_subsequent_pct",
}

// noEnv keeps the tests away from the environment of whoever runs them
// (a CPTRENDS_DB there must not send a test to a real database).
func noEnv(string) string { return "" }

// lockedBuffer collects what a running server writes, from any goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// running is the whole program running `serve` in this process.
type running struct {
	URL    string
	Stderr *lockedBuffer
	cancel context.CancelFunc
	done   chan int
}

// stop cancels the program's context, as SIGINT or SIGTERM does in main,
// and returns its exit status.
func (r *running) stop(t *testing.T) int {
	t.Helper()
	r.cancel()
	select {
	case code := <-r.done:
		return code
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop within 30s of its context ending; log:\n%s", r.Stderr.String())
		return -1
	}
}

// startWait bounds the wait for serve to listen: a new database loads the
// bundled releases first, which under the race detector on a busy machine
// takes a minute or more. It guards against a hang; it times nothing.
const startWait = 5 * time.Minute

// startMain runs m.Run(ctx, args) in a goroutine under a context derived
// from parent, and waits for serve to say where it listens.
func startMain(t *testing.T, parent context.Context, m *Main, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(parent)
	r := &running{Stderr: &lockedBuffer{}, cancel: cancel, done: make(chan int, 1)}
	ready := make(chan string, 1)
	m.Stdin = strings.NewReader("")
	m.Stdout, m.Stderr = r.Stderr, r.Stderr
	if m.Getenv == nil {
		m.Getenv = noEnv
	}
	m.Ready = func(addr string) { ready <- addr }
	go func() { r.done <- m.Run(ctx, args) }()
	select {
	case addr := <-ready:
		r.URL = "http://" + addr
	case code := <-r.done:
		cancel()
		t.Fatalf("cptrends %s exited with status %d before listening; output:\n%s", strings.Join(args, " "), code, r.Stderr.String())
	case <-time.After(startWait):
		cancel()
		t.Fatalf("cptrends %s did not start listening within %v; output:\n%s", strings.Join(args, " "), startWait, r.Stderr.String())
	}
	return r
}

// MustRunMain runs the whole program, `cptrends serve`, on 127.0.0.1:0 with
// a new database in t.TempDir(), and returns its base URL. args go after
// the defaults, so "--db", path chooses another database. When the test
// ends, the program is stopped as a signal stops it, and must exit 0.
func MustRunMain(t *testing.T, args ...string) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "cptrends.db")
	all := append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, args...)
	r := startMain(t, context.Background(), &Main{Getenv: noEnv}, all...)
	t.Cleanup(func() {
		if code := r.stop(t); code != 0 {
			t.Errorf("serve exited with status %d, want 0 on a clean stop", code)
		}
		if t.Failed() {
			t.Logf("serve log:\n%s", r.Stderr.String())
		}
	})
	return r.URL
}

// result is what one command run printed and returned.
type result struct {
	Code           int
	Stdout, Stderr string
}

// runMain runs one command of the whole program to its end.
func runMain(t *testing.T, args ...string) result {
	t.Helper()
	return runMainEnv(t, noEnv, args...)
}

func runMainEnv(t *testing.T, getenv func(string) string, args ...string) result {
	t.Helper()
	return runMainWith(t, getenv, "", args...)
}

// runMainWith runs one command with stdin as its standard input.
func runMainWith(t *testing.T, getenv func(string) string, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr, Getenv: getenv}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code := m.Run(ctx, args)
	return result{Code: code, Stdout: stdout.String(), Stderr: stderr.String()}
}

// mustImport imports files into db and fails the test unless it succeeds.
func mustImport(t *testing.T, db string, files ...string) result {
	t.Helper()
	res := runMain(t, append([]string{"import", "--db", db}, files...)...)
	if res.Code != 0 {
		t.Fatalf("import %v: exit status %d, want 0\nstdout:\n%s\nstderr:\n%s", files, res.Code, res.Stdout, res.Stderr)
	}
	return res
}

// newDB returns the path of a database that serve has loaded with the
// bundled national series.
func newDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "cptrends.db")
	r := startMain(t, context.Background(), &Main{}, "serve", "--db", db, "--addr", "127.0.0.1:0")
	if code := r.stop(t); code != 0 {
		t.Fatalf("serve exited with status %d; log:\n%s", code, r.Stderr.String())
	}
	return db
}

func httpGet(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	return resp, body
}

// mustGet fetches url and fails the test unless the status is want.
func mustGet(t *testing.T, url string, want int) []byte {
	t.Helper()
	resp, body := httpGet(t, url)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: status %d, want %d\n%s", url, resp.StatusCode, want, body)
	}
	return body
}

func mustGetJSON(t *testing.T, url string, v any) {
	t.Helper()
	body := mustGet(t, url, http.StatusOK)
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", url, err, body)
	}
}

// seriesJSON is the series shape of CONTRACT.md.
type seriesJSON struct {
	Indicator struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		Unit  string `json:"unit"`
	} `json:"indicator"`
	Geography struct {
		Code string `json:"code"`
		Name string `json:"name"`
	} `json:"geography"`
	Points []pointJSON `json:"points"`
}

type pointJSON struct {
	Period      string   `json:"period"`
	Value       *float64 `json:"value"`
	Symbol      string   `json:"symbol"`
	Change      *float64 `json:"change"`
	ChangePct   *float64 `json:"change_pct"`
	BreakBefore bool     `json:"break_before"`
	Notes       []string `json:"notes"`
}

func (s seriesJSON) point(t *testing.T, period string) pointJSON {
	t.Helper()
	for _, p := range s.Points {
		if p.Period == period {
			return p
		}
	}
	t.Fatalf("series %s has no point for %s", s.Indicator.ID, period)
	return pointJSON{}
}

func show(v *float64) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(*v)
}

func checkNumber(t *testing.T, what string, got *float64, want float64) {
	t.Helper()
	if got == nil || *got != want {
		t.Errorf("%s = %s, want %v", what, show(got), want)
	}
}

func checkApprox(t *testing.T, what string, got *float64, want, tolerance float64) {
	t.Helper()
	if got == nil || math.Abs(*got-want) > tolerance {
		t.Errorf("%s = %s, want %v ± %v", what, show(got), want, tolerance)
	}
}

func TestMain_Serve(t *testing.T) {
	base := MustRunMain(t)

	t.Run("Healthz", func(t *testing.T) {
		mustGet(t, base+"/healthz", http.StatusOK)
	})

	t.Run("Indicators", func(t *testing.T) {
		var got struct {
			Indicators []struct {
				ID    string `json:"id"`
				Title string `json:"title"`
				Unit  string `json:"unit"`
			} `json:"indicators"`
		}
		mustGetJSON(t, base+"/api/indicators", &got)
		var ids []string
		for _, ind := range got.Indicators {
			ids = append(ids, ind.ID)
			if ind.Title == "" || (ind.Unit != "count" && ind.Unit != "percent" && ind.Unit != "rate") {
				t.Errorf("indicator %s: title %q, unit %q; want a title and unit count, percent or rate", ind.ID, ind.Title, ind.Unit)
			}
		}
		for _, id := range contractIDs {
			if !slices.Contains(ids, id) {
				t.Errorf("/api/indicators lacks %q; got %v", id, ids)
			}
		}
		// CONTRACT.md: more may be added (rates and population, for areas).
		if len(ids) < len(contractIDs) {
			t.Errorf("/api/indicators lists %d indicators, want at least the %d of CONTRACT.md: %v", len(ids), len(contractIDs), ids)
		}
	})

	t.Run("Series", func(t *testing.T) {
		var s seriesJSON
		mustGetJSON(t, base+"/api/indicators/referrals", &s)
		if s.Indicator.ID != "referrals" || s.Indicator.Unit != "count" {
			t.Errorf("indicator = %+v, want referrals, a count", s.Indicator)
		}
		if s.Geography.Code != "E92000001" || s.Geography.Name != "England" {
			t.Errorf("geography = %+v, want E92000001 England", s.Geography)
		}

		p := s.point(t, "2012/13")
		if !p.BreakBefore || p.Change != nil || p.ChangePct != nil {
			t.Errorf("2012/13: break_before %v, change %s, change_pct %s; want a break and no change",
				p.BreakBefore, show(p.Change), show(p.ChangePct))
		}
		checkNumber(t, "2012/13 value", p.Value, 593470)

		p = s.point(t, "2013/14")
		checkNumber(t, "2013/14 value", p.Value, 657780)
		checkNumber(t, "2013/14 change", p.Change, 64310)
		checkApprox(t, "2013/14 change_pct", p.ChangePct, 10.836, 0.001)
		if p.BreakBefore {
			t.Errorf("2013/14: break_before true, want false")
		}

		p = s.point(t, "2014/15")
		checkNumber(t, "2014/15 value", p.Value, 635620)
		checkNumber(t, "2014/15 change", p.Change, -22160)
		checkApprox(t, "2014/15 change_pct", p.ChangePct, -3.369, 0.001)

		// Every point has notes as a list, never null.
		for _, p := range s.Points {
			if p.Notes == nil {
				t.Errorf("%s: notes is null, want a list", p.Period)
			}
		}
	})

	t.Run("CSV", func(t *testing.T) {
		resp, body := httpGet(t, base+"/indicators/referrals.csv")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d, want 200", resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("Content-Type %q, want text/csv", ct)
		}
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("the download is not valid CSV: %v\n%s", err, body)
		}
		wantHeader := []string{"indicator", "period", "geography_code", "geography_name", "value", "note"}
		if len(rows) < 2 || len(rows[0]) < len(wantHeader) || !slices.Equal(rows[0][:len(wantHeader)], wantHeader) {
			t.Fatalf("header = %v, want it to start %v", rows[0], wantHeader)
		}
		found := false
		for _, row := range rows[1:] {
			if row[1] == "2014/15" {
				found = true
				if row[0] != "referrals" || row[2] != "E92000001" || row[4] != "635620" {
					t.Errorf("2014/15 row = %v, want referrals, E92000001, value 635620", row)
				}
			}
		}
		if !found {
			t.Errorf("no row for 2014/15 in\n%s", body)
		}
	})

	t.Run("Pages", func(t *testing.T) {
		for _, path := range []string{"/", "/indicators", "/indicators/referrals", "/indicators/cpp_second_or_subsequent_pct"} {
			body := mustGet(t, base+path, http.StatusOK)
			if !bytes.Contains(body, []byte(`class="app-chart`)) && path != "/indicators" {
				t.Errorf("GET %s: no chart on the page", path)
			}
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		mustGet(t, base+"/indicators/no_such_indicator", http.StatusNotFound)
		mustGet(t, base+"/indicators/no_such_indicator.csv", http.StatusNotFound)
		var got map[string]string
		resp, body := httpGet(t, base+"/api/indicators/no_such_indicator")
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("API status %d, want 404", resp.StatusCode)
		}
		if err := json.Unmarshal(body, &got); err != nil || got["error"] == "" {
			t.Errorf("API 404 body = %s, want JSON with an error message", body)
		}
	})
}

// dbState describes everything a refused import must leave alone: the
// upload history and every current value the fixtures could touch.
func dbState(t *testing.T, path string) string {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer st.Close()
	var b strings.Builder
	ups, err := st.Uploads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range ups {
		fmt.Fprintf(&b, "upload %d %s +%d ~%d =%d\n", u.ID, u.Status, u.Added, u.Revised, u.Unchanged)
	}
	for _, def := range indicators.Default().All() {
		for _, geo := range []string{"E92000001", "E12000001", "E12000002"} {
			obs, err := st.Observations(ctx, def.ID, geo)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range obs {
				fmt.Fprintf(&b, "%s %s %s %q %s %s %q\n", def.ID, geo, o.Period, o.Geography.Name, show(o.Value), o.Symbol, o.Note)
			}
		}
	}
	return b.String()
}

// summaryLine matches the last line of an import's summary.
var summaryLine = regexp.MustCompile(`(?m)^(upload \d+|dry run \(nothing written\)): (\d+) added, (\d+) revised, (\d+) unchanged$`)

// counts returns the added, revised and unchanged counts an import printed.
func counts(t *testing.T, res result) string {
	t.Helper()
	m := summaryLine.FindStringSubmatch(res.Stdout)
	if m == nil {
		t.Fatalf("no summary line (N added, N revised, N unchanged) in stdout:\n%s", res.Stdout)
	}
	return fmt.Sprintf("%s added, %s revised, %s unchanged", m[2], m[3], m[4])
}

func TestMain_Import(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "cptrends.db")
		res := mustImport(t, db, fixture("regional.csv"))
		if got, want := counts(t, res), "3 added, 0 revised, 0 unchanged"; got != want {
			t.Errorf("summary %q, want %q\n%s", got, want, res.Stdout)
		}
		if !strings.Contains(res.Stdout, "added") {
			t.Errorf("stdout has no summary with \"added\":\n%s", res.Stdout)
		}
		if res.Stderr != "" {
			t.Errorf("stderr = %q, want nothing", res.Stderr)
		}
		state := dbState(t, db)
		for _, want := range []string{
			`referrals E12000001 2013/14 "North East" 30120  ""`,
			`referrals E12000001 2014/15 "North East" 31480  ""`,
			`cpp_started E12000001 2014/15 "North East" null c "Suppressed to protect confidentiality."`,
		} {
			if !strings.Contains(state, want) {
				t.Errorf("database lacks %s; it holds:\n%s", want, state)
			}
		}
	})

	t.Run("DryRun", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "cptrends.db")
		dry := runMain(t, "import", "--db", db, "--dry-run", fixture("regional.csv"))
		if dry.Code != 0 {
			t.Fatalf("dry run: exit status %d, want 0\n%s%s", dry.Code, dry.Stdout, dry.Stderr)
		}
		if !strings.Contains(dry.Stdout, "dry run") {
			t.Errorf("dry run does not say so:\n%s", dry.Stdout)
		}
		// Flags may follow the files.
		dry2 := runMain(t, "import", "--db", db, fixture("regional.csv"), "--dry-run")
		if dry2.Code != 0 || counts(t, dry2) != counts(t, dry) {
			t.Errorf("import FILE --dry-run: status %d, %q; want 0, %q", dry2.Code, counts(t, dry2), counts(t, dry))
		}
		if state := dbState(t, db); state != "" {
			t.Errorf("the dry run wrote to the database:\n%s", state)
		}

		real := mustImport(t, db, fixture("regional.csv"))
		if got, want := counts(t, real), counts(t, dry); got != want {
			t.Errorf("import after a dry run: %q, want the dry run's %q (nothing written by it)", got, want)
		}
		if want := "3 added, 0 revised, 0 unchanged"; counts(t, real) != want {
			t.Errorf("import: %q, want %q", counts(t, real), want)
		}
		// The dry run printed the same lines, bar the last.
		if a, b := withoutSummary(dry.Stdout), withoutSummary(real.Stdout); a != b {
			t.Errorf("dry run and import print different details:\n%s\n---\n%s", a, b)
		}
	})

	t.Run("Unchanged", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "cptrends.db")
		mustImport(t, db, fixture("regional.csv"))
		again := mustImport(t, db, fixture("regional.csv"))
		if got, want := counts(t, again), "0 added, 0 revised, 3 unchanged"; got != want {
			t.Errorf("second import: %q, want %q\n%s", got, want, again.Stdout)
		}
	})

	t.Run("Revision", func(t *testing.T) {
		db := newDB(t)
		base := MustRunMain(t, "--db", db)
		// Imported while serve runs, as a user would.
		res := mustImport(t, db, fixture("revision.csv"))
		if got, want := counts(t, res), "0 added, 1 revised, 0 unchanged"; got != want {
			t.Errorf("revision: %q, want %q\n%s", got, want, res.Stdout)
		}
		if !strings.Contains(res.Stdout, "referrals E92000001 2014/15: 635620 -> 635600") {
			t.Errorf("summary does not show the revision 635620 -> 635600:\n%s", res.Stdout)
		}
		var s seriesJSON
		mustGetJSON(t, base+"/api/indicators/referrals", &s)
		checkNumber(t, "2014/15 value after revision", s.point(t, "2014/15").Value, 635600)
		checkNumber(t, "2014/15 change after revision", s.point(t, "2014/15").Change, 635600-657780)
		checkNumber(t, "2015/16 change after revision", s.point(t, "2015/16").Change, 621470-635600)
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		db := newDB(t)
		before := dbState(t, db)
		file := fixture("invalid.csv")
		res := runMain(t, "import", "--db", db, file)
		if res.Code != 1 {
			t.Errorf("exit status %d, want 1", res.Code)
		}
		got := problems(t, res.Stderr)
		want := []string{file + ":3:value", file + ":4:period"}
		if !slices.Equal(got, want) {
			t.Errorf("problems at %v, want %v\nstderr:\n%s", got, want, res.Stderr)
		}
		if !strings.Contains(res.Stderr, `"forty thousand"`) {
			t.Errorf("the value message does not quote the value:\n%s", res.Stderr)
		}
		if strings.Contains(res.Stdout, "added") {
			t.Errorf("stdout has a summary for a refused import:\n%s", res.Stdout)
		}
		if after := dbState(t, db); after != before {
			t.Errorf("a refused import changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})

	t.Run("ErrSecondFile", func(t *testing.T) {
		db := newDB(t)
		before := dbState(t, db)
		res := runMain(t, "import", "--db", db, fixture("regional.csv"), fixture("invalid.csv"))
		if res.Code != 1 {
			t.Errorf("exit status %d, want 1", res.Code)
		}
		want := []string{fixture("invalid.csv") + ":3:value", fixture("invalid.csv") + ":4:period"}
		if got := problems(t, res.Stderr); !slices.Equal(got, want) {
			t.Errorf("problems at %v, want %v\nstderr:\n%s", got, want, res.Stderr)
		}
		if after := dbState(t, db); after != before {
			t.Errorf("the good first file was written although the second was refused:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})

	t.Run("ErrMissingFile", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "cptrends.db")
		missing := filepath.Join(t.TempDir(), "missing.csv")
		// Reported like any other problem, with the other files' problems.
		res := runMain(t, "import", "--db", db, missing, fixture("invalid.csv"))
		if res.Code != 1 {
			t.Errorf("exit status %d, want 1", res.Code)
		}
		want := []string{missing + ":1:-", fixture("invalid.csv") + ":3:value", fixture("invalid.csv") + ":4:period"}
		if got := problems(t, res.Stderr); !slices.Equal(got, want) {
			t.Errorf("problems at %v, want %v\n%s", got, want, res.Stderr)
		}
	})

	t.Run("ErrUsage", func(t *testing.T) {
		if res := runMain(t, "import", "--db", filepath.Join(t.TempDir(), "x.db")); res.Code != 2 {
			t.Errorf("import with no file: status %d, want 2", res.Code)
		}
	})
}

// problemLine is FILE:LINE:COLUMN: message, as CONTRACT.md promises.
// COLUMN is a header name as the file writes it (EES headers have capitals,
// digits and +), or - for a whole line or file.
var problemLine = regexp.MustCompile(`^(.+):([0-9]+):([^:]+): (\S.*)$`)

// problems returns FILE:LINE:COLUMN of every problem on stderr, and fails
// on any other line but the final "import refused" one.
func problems(t *testing.T, stderr string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if strings.HasPrefix(line, "cptrends: import refused") || strings.HasPrefix(line, "... and ") {
			continue
		}
		m := problemLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("stderr line is not FILE:LINE:COLUMN: message: %q", line)
			continue
		}
		out = append(out, m[1]+":"+m[2]+":"+m[3])
	}
	return out
}

func withoutSummary(stdout string) string {
	return summaryLine.ReplaceAllString(stdout, "")
}

func TestMain_Backup(t *testing.T) {
	db := newDB(t)
	mustImport(t, db, fixture("regional.csv"))
	MustRunMain(t, "--db", db) // the copy is taken while serve runs

	copyPath := filepath.Join(t.TempDir(), "backup.db")
	res := runMain(t, "backup", "--db", db, copyPath)
	if res.Code != 0 {
		t.Fatalf("backup: exit status %d\n%s%s", res.Code, res.Stdout, res.Stderr)
	}
	if !strings.Contains(res.Stdout, copyPath) {
		t.Errorf("backup does not name the file it wrote:\n%s", res.Stdout)
	}

	ctx := context.Background()
	orig, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	cp, err := store.Open(ctx, copyPath)
	if err != nil {
		t.Fatalf("the backup does not open as a cptrends database: %v", err)
	}
	defer cp.Close()
	total := 0
	for _, def := range indicators.Default().All() {
		for _, geo := range []string{"E92000001", "E12000001"} {
			want, err := orig.Observations(ctx, def.ID, geo)
			if err != nil {
				t.Fatal(err)
			}
			got, err := cp.Observations(ctx, def.ID, geo)
			if err != nil {
				t.Fatal(err)
			}
			total += len(got)
			if !sameObservations(got, want) {
				t.Errorf("%s %s: backup has %d observations that differ from the original's %d", def.ID, geo, len(got), len(want))
			}
		}
	}
	if total < 100 {
		t.Errorf("backup holds %d observations, want the bundled series (more than 100)", total)
	}
	if got, want := dbState(t, copyPath), dbState(t, db); got != want {
		t.Errorf("backup differs from the original:\n%s\n---\n%s", got, want)
	}

	// An existing file is never overwritten.
	again := runMain(t, "backup", "--db", db, copyPath)
	if again.Code != 1 || !strings.Contains(again.Stderr, "already exists") {
		t.Errorf("backup over an existing file: status %d, stderr %q; want 1 and \"already exists\"", again.Code, again.Stderr)
	}
	// An empty file, as mktemp makes, is written.
	empty := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if res := runMain(t, "backup", "--db", db, empty); res.Code != 0 {
		t.Fatalf("backup into an empty file: status %d, stderr %q", res.Code, res.Stderr)
	}
	if got, want := dbState(t, empty), dbState(t, db); got != want {
		t.Error("the backup written into an empty file differs from the original")
	}
	// No database, no backup (and none is created).
	missing := filepath.Join(t.TempDir(), "missing.db")
	if res := runMain(t, "backup", "--db", missing, filepath.Join(t.TempDir(), "out.db")); res.Code != 1 {
		t.Errorf("backup of a missing database: status %d, want 1", res.Code)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("backup created the database it was asked to copy")
	}
}

func sameObservations(a, b []indicators.Observation) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Period != b[i].Period || !a[i].Same(b[i]) || a[i].Geography != b[i].Geography {
			return false
		}
	}
	return true
}

// TestMain_Stop: ending the context (what SIGINT or SIGTERM does in main)
// stops serve cleanly, with status 0, and closes the port.
func TestMain_Stop(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cptrends.db")
	r := startMain(t, context.Background(), &Main{}, "serve", "--db", db, "--addr", "127.0.0.1:0")
	mustGet(t, r.URL+"/healthz", http.StatusOK)
	if code := r.stop(t); code != 0 {
		t.Fatalf("serve exited with status %d, want 0\n%s", code, r.Stderr.String())
	}
	if !strings.Contains(r.Stderr.String(), "stopped") {
		t.Errorf("serve did not log that it stopped:\n%s", r.Stderr.String())
	}
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(r.URL, "http://"), time.Second)
	if err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after serve returned", r.URL)
	}
}

// TestMain_Signal sends this process a real SIGTERM, caught the way main
// catches it.
func TestMain_Signal(t *testing.T) {
	ctx, stopNotify := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopNotify()
	db := filepath.Join(t.TempDir(), "cptrends.db")
	r := startMain(t, ctx, &Main{}, "serve", "--db", db, "--addr", "127.0.0.1:0")
	mustGet(t, r.URL+"/healthz", http.StatusOK)

	self, err := os.FindProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if err := self.Signal(syscall.SIGTERM); err != nil {
		r.stop(t)
		t.Skipf("cannot send SIGTERM on this system: %v", err)
	}
	select {
	case code := <-r.done:
		if code != 0 {
			t.Errorf("serve exited with status %d after SIGTERM, want 0\n%s", code, r.Stderr.String())
		}
	case <-time.After(30 * time.Second):
		r.cancel()
		t.Fatalf("serve still running 30s after SIGTERM\n%s", r.Stderr.String())
	}
}

// TestMain_EnvDB: with no --db, every command uses $CPTRENDS_DB.
func TestMain_EnvDB(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "from-env.db")
	env := func(key string) string {
		if key == "CPTRENDS_DB" {
			return db
		}
		return ""
	}
	_, errDefault := os.Stat("cptrends.db")

	r := startMain(t, context.Background(), &Main{Getenv: env}, "serve", "--addr", "127.0.0.1:0")
	mustGet(t, r.URL+"/healthz", http.StatusOK)
	var s seriesJSON
	mustGetJSON(t, r.URL+"/api/indicators/referrals", &s)
	checkNumber(t, "2014/15 referrals", s.point(t, "2014/15").Value, 635620)
	if code := r.stop(t); code != 0 {
		t.Fatalf("serve exited with status %d\n%s", code, r.Stderr.String())
	}
	if !strings.Contains(r.Stderr.String(), "db="+db) {
		t.Errorf("serve does not log the database from $CPTRENDS_DB (%s):\n%s", db, r.Stderr.String())
	}

	res := runMainEnv(t, env, "import", fixture("regional.csv"))
	// The bundled data has every region, so the fixture's North East
	// figures revise it.
	if res.Code != 0 || counts(t, res) != "0 added, 3 revised, 0 unchanged" {
		t.Errorf("import with $CPTRENDS_DB: status %d\n%s%s", res.Code, res.Stdout, res.Stderr)
	}
	state := dbState(t, db)
	if !strings.Contains(state, `referrals E92000001 2014/15 "England" 635620`) || !strings.Contains(state, `referrals E12000001 2014/15`) {
		t.Errorf("$CPTRENDS_DB database lacks the bundled series or the import:\n%s", state)
	}

	backup := filepath.Join(dir, "backup.db")
	if res := runMainEnv(t, env, "backup", backup); res.Code != 0 {
		t.Errorf("backup with $CPTRENDS_DB: status %d\n%s", res.Code, res.Stderr)
	} else if got := dbState(t, backup); got != state {
		t.Errorf("backup of $CPTRENDS_DB differs from it")
	}

	// And nothing went to the default ./cptrends.db.
	if _, err := os.Stat("cptrends.db"); errors.Is(errDefault, os.ErrNotExist) && err == nil {
		os.Remove("cptrends.db")
		t.Errorf("a command wrote ./cptrends.db although $CPTRENDS_DB was set")
	}
}

func TestMain_UserAdd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cptrends.db")
	const password = "correct horse battery staple"
	add := func(name, role, stdin string) result {
		t.Helper()
		return runMainWith(t, noEnv, stdin, "user", "add", "--db", db, "--name", name, "--role", role)
	}

	t.Run("OK", func(t *testing.T) {
		res := add("ann", "analyst", password+"\n")
		if res.Code != 0 {
			t.Fatalf("status %d, want 0\n%s%s", res.Code, res.Stdout, res.Stderr)
		}
		if strings.Contains(res.Stdout+res.Stderr, password) {
			t.Errorf("the password was printed:\n%s%s", res.Stdout, res.Stderr)
		}
		st, err := store.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		u, err := st.Authenticate(context.Background(), "ann", password)
		if err != nil || u.Role != "analyst" {
			t.Errorf("log in as ann with the password from stdin: %+v, %v; want an analyst", u, err)
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		if res := add("dan", "viewer", password+"\n"); res.Code != 0 {
			t.Fatalf("first dan: status %d, want 0\n%s", res.Code, res.Stderr)
		}
		if res := add("dan", "admin", password+"\n"); res.Code != 1 {
			t.Errorf("second dan: status %d, want 1\n%s", res.Code, res.Stderr)
		}
	})
	t.Run("ErrRole", func(t *testing.T) {
		if res := add("bob", "owner", password+"\n"); res.Code != 1 || res.Stderr == "" {
			t.Errorf("role owner: status %d, stderr %q; want 1 and a reason", res.Code, res.Stderr)
		}
	})
	t.Run("ErrNoPassword", func(t *testing.T) {
		if res := add("cat", "viewer", ""); res.Code == 0 {
			t.Errorf("no password on stdin: status 0, want a refusal")
		}
	})
}

func TestMain_Usage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"NoCommand", nil, 2},
		{"Unknown", []string{"frobnicate"}, 2},
		{"Help", []string{"help"}, 0},
		{"BadFlag", []string{"serve", "--no-such-flag"}, 2},
		{"BackupNoFile", []string{"backup", "--db", "x.db"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runMain(t, tt.args...)
			if res.Code != tt.want {
				t.Errorf("cptrends %v: status %d, want %d\n%s%s", tt.args, res.Code, tt.want, res.Stdout, res.Stderr)
			}
			if tt.want != 0 && res.Stderr == "" {
				t.Errorf("cptrends %v: nothing on stderr", tt.args)
			}
		})
	}
}

// TestMain_DryRunNewDatabase: a dry run against a database that does not
// exist yet writes nothing, not even the empty database.
func TestMain_DryRunNewDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "new.db")
	res := runMain(t, "import", "--dry-run", "--db", db, "../../testdata/native/valid/referrals_2012_to_2015.csv")
	if res.Code != 0 || counts(t, res) != "3 added, 0 revised, 0 unchanged" {
		t.Fatalf("dry run: status %d\n%s%s", res.Code, res.Stdout, res.Stderr)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if _, err := os.Stat(db + suffix); err == nil {
			t.Errorf("the dry run left %s behind", filepath.Base(db+suffix))
		}
	}
}

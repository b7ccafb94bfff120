package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cptrends/internal/store"
	"cptrends/internal/store/storetest"
)

// serveProcess starts `cptrends serve` on db in a process of its own and
// returns its base URL; it is stopped with SIGTERM when the test ends,
// and must exit 0.
func serveProcess(t *testing.T, db string) string {
	t.Helper()
	cmd := asProcess(t, "serve", "--db", db, "--addr", "127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	var log lockedBuffer
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			fmt.Fprintln(&log, sc.Text())
			if m := servingURL.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("serve on %s: %v; log:\n%s", db, err, log.String())
		}
	})
	select {
	case u := <-found:
		return u
	case <-time.After(90 * time.Second):
		t.Fatalf("serve did not start within 90s; log:\n%s", log.String())
		return ""
	}
}

var servingURL = regexp.MustCompile(`msg=serving url=(http://\S+)`)

// client is one person's browser in front of a load balancer: its cookies
// go to every instance (cookies do not belong to a port).
type client struct {
	t    *testing.T
	http *http.Client
}

func newClient(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(req *http.Request) (int, string) {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (c *client) get(u string) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return c.do(req)
}

func (c *client) post(u string, form url.Values) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (c *client) token(u string) string {
	c.t.Helper()
	_, body := c.get(u)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no CSRF token on %s", u)
	}
	return m[1]
}

func (c *client) login(base, name, password string) int {
	c.t.Helper()
	code, _ := c.post(base+"/login", url.Values{"username": {name}, "password": {password}, "csrf_token": {c.token(base + "/login")}})
	return code
}

var commitAction = regexp.MustCompile(`action="[^"]*/uploads/(\d+)/commit"`)

// stage uploads a native CSV through base and returns the preview's id.
func (c *client) stage(base, csv string) string {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("csrf_token", c.token(base+"/uploads"))
	fw, _ := w.CreateFormFile("file", "revision.csv")
	fw.Write([]byte(csv))
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/uploads", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	code, body := c.do(req)
	m := commitAction.FindStringSubmatch(body)
	if code != http.StatusOK || m == nil {
		c.t.Fatalf("upload through %s = %d, no preview to commit", base, code)
	}
	return m[1]
}

func referrals(t *testing.T, c *client, base, period string) float64 {
	t.Helper()
	_, body := c.get(base + "/api/indicators/referrals")
	var s seriesJSON
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatalf("series from %s: %v", base, err)
	}
	p := s.point(t, period)
	if p.Value == nil {
		t.Fatalf("%s from %s has no value", period, base)
	}
	return *p.Value
}

// TestMain_TwoInstances: two serve processes on one PostgreSQL database,
// as behind a load balancer. It runs when CPTRENDS_TEST_PG names a
// PostgreSQL server, and fails if that cannot be reached.
func TestMain_TwoInstances(t *testing.T) {
	if os.Getenv("CPTRENDS_TEST_PG") == "" {
		t.Skip("needs PostgreSQL: set CPTRENDS_TEST_PG (make test does when it is set; .ci/run always does)")
	}
	if testing.Short() {
		t.Skip("starts real processes; skipped with -short")
	}
	db := storetest.PostgresDSN(t)
	if res := runMainWith(t, noEnv, "correct horse battery\n", "user", "add", "--db", db, "--name", "ana", "--role", "analyst"); res.Code != 0 {
		t.Fatalf("user add: %d %s", res.Code, res.Stderr)
	}
	// Started together: one migrates and loads the bundled data, the
	// other waits for it, and the data is loaded once.
	var a, b string
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a = serveProcess(t, db) }()
	go func() { defer wg.Done(); b = serveProcess(t, db) }()
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	ana := newClient(t)
	// Each bundled release is one upload; an instance that loaded them a
	// second time would double the count.
	bundled := countBundled(t, db)
	if bundled == 0 {
		t.Fatal("no bundled uploads in the history")
	}

	t.Run("Session", func(t *testing.T) {
		if code := ana.login(a, "ana", "correct horse battery"); code != http.StatusSeeOther {
			t.Fatalf("login on A = %d", code)
		}
		code, body := ana.get(b + "/uploads")
		if code != http.StatusOK || !strings.Contains(body, "Sign out") || !strings.Contains(body, `name="file"`) {
			t.Fatalf("B with A's session = %d, signed in and shown the upload form: %v", code, strings.Contains(body, "Sign out"))
		}
	})

	t.Run("CommitSeenOnOther", func(t *testing.T) {
		before := referrals(t, ana, b, "2014/15")
		id := ana.stage(a, "indicator,period,value\nreferrals,2014/15,123457\n")
		if code, _ := ana.post(b+"/uploads/"+id+"/commit", url.Values{"csrf_token": {ana.token(b + "/uploads/" + id)}}); code != http.StatusSeeOther {
			t.Fatalf("commit through B of A's preview = %d", code)
		}
		// A's page cache checks the data version at most every 100 ms.
		time.Sleep(150 * time.Millisecond)
		for _, base := range []string{a, b} {
			if got := referrals(t, ana, base, "2014/15"); got != 123457 {
				t.Fatalf("2014/15 referrals on %s after commit = %v (before %v), want 123457", base, got, before)
			}
			if _, page := ana.get(base + "/indicators/referrals"); !strings.Contains(page, "123,457") {
				t.Fatalf("the indicator page on %s does not show the committed 123,457", base)
			}
		}
		// Rolled back through A: both go back at once.
		if code, _ := ana.post(a+"/uploads/"+id+"/rollback", url.Values{"csrf_token": {ana.token(a + "/uploads/" + id)}}); code != http.StatusSeeOther {
			t.Fatalf("rollback through A = %d", code)
		}
		time.Sleep(150 * time.Millisecond)
		for _, base := range []string{a, b} {
			if got := referrals(t, ana, base, "2014/15"); got != before {
				t.Fatalf("2014/15 referrals on %s after rollback = %v, want %v", base, got, before)
			}
		}
	})

	t.Run("CommitsAtOnce", func(t *testing.T) {
		for round := range 3 {
			p1 := ana.stage(a, fmt.Sprintf("indicator,period,value\nreferrals,2015/16,%d\n", 700001+round))
			p2 := ana.stage(b, fmt.Sprintf("indicator,period,value\nreferrals,2015/16,%d\n", 800001+round))
			t1, t2 := ana.token(a+"/uploads/"+p1), ana.token(b+"/uploads/"+p2)
			codes := make([]int, 2)
			var wg sync.WaitGroup
			wg.Add(2)
			go func() {
				defer wg.Done()
				codes[0], _ = ana.post(a+"/uploads/"+p1+"/commit", url.Values{"csrf_token": {t1}})
			}()
			go func() {
				defer wg.Done()
				codes[1], _ = ana.post(b+"/uploads/"+p2+"/commit", url.Values{"csrf_token": {t2}})
			}()
			wg.Wait()
			ok, conflict := 0, 0
			for _, c := range codes {
				switch c {
				case http.StatusSeeOther:
					ok++
				case http.StatusConflict:
					conflict++
				}
			}
			if ok != 1 || conflict != 1 {
				t.Fatalf("round %d: two commits at once of previews of one cell = %v; want one 303 and one 409", round, codes)
			}
			time.Sleep(150 * time.Millisecond)
			want := float64(700001 + round)
			if codes[1] == http.StatusSeeOther {
				want = float64(800001 + round)
			}
			if ga, gb := referrals(t, ana, a, "2015/16"), referrals(t, ana, b, "2015/16"); ga != want || gb != want {
				t.Fatalf("round %d: after the commits A shows %v and B %v; want %v", round, ga, gb, want)
			}
		}
	})

	t.Run("BackupPointsToPgDump", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "copy.db")
		res := runMain(t, "backup", "--db", db, out)
		if res.Code != 1 || !strings.Contains(res.Stderr, "pg_dump") || strings.Contains(res.Stderr, "postgres://") {
			t.Fatalf("backup on PostgreSQL = %d, %q; want status 1 pointing to pg_dump, without the URL", res.Code, res.Stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Fatalf("backup on PostgreSQL wrote %s", out)
		}
	})

	t.Run("Healthz", func(t *testing.T) {
		for _, base := range []string{a, b} {
			if code, _ := ana.get(base + "/healthz"); code != http.StatusOK {
				t.Fatalf("healthz on %s = %d", base, code)
			}
		}
	})

	// A process killed while it writes (here an import, holding the write
	// lock in the middle of its transaction) leaves the upload wholly
	// there or not at all, and its locks go with its connection: the
	// instances go on committing.
	t.Run("KilledMidWrite", func(t *testing.T) {
		const rows = 60_000
		// Each file revises every value of the one before, so that each
		// import writes all its rows.
		file := func(n int) string {
			path := filepath.Join(t.TempDir(), fmt.Sprintf("large%d.csv", n))
			var sb strings.Builder
			sb.WriteString("indicator,period,geography_code,geography_name,value\n")
			for i := range rows {
				la, year := i/25, 2000+i%25
				fmt.Fprintf(&sb, "referrals,%d/%02d,E06%06d,Area %d,%d\n", year, (year+1)%100, la, la, 1000*n+i%977)
			}
			if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			return path
		}
		start := time.Now()
		if out, err := asProcess(t, "import", "--db", db, file(1)).CombinedOutput(); err != nil {
			t.Fatalf("a whole import: %v\n%s", err, out)
		}
		full := time.Since(start)
		before := len(uploadsIn(t, db))
		for run, share := range []float64{0.4, 0.6, 0.8} {
			cmd := asProcess(t, "import", "--db", db, file(2+run))
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Duration(share * float64(full)))
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			ups := uploadsIn(t, db)
			t.Logf("run %d: killed after %.0f%% of a whole import's %v; %d new uploads", run, 100*share, full.Round(time.Millisecond), len(ups)-before)
			switch n := len(ups) - before; {
			case n == 0:
			case n == 1 && ups[0].Revised == rows:
				before++
			default:
				t.Fatalf("run %d: %d new uploads, the latest %+v; want none or one whole", run, n, ups[0])
			}
			id := ana.stage(b, fmt.Sprintf("indicator,period,value\nreferrals,2016/17,%d\n", 900001+run))
			before++
			done := make(chan int, 1)
			go func() {
				code, _ := ana.post(a+"/uploads/"+id+"/commit", url.Values{"csrf_token": {ana.token(a + "/uploads/" + id)}})
				done <- code
			}()
			select {
			case code := <-done:
				if code != http.StatusSeeOther {
					t.Fatalf("run %d: commit after the kill = %d", run, code)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("run %d: a commit after the kill waited 30 s: the killed process's lock was kept", run)
			}
		}
	})

	// Last, as it blocks this address from signing in.
	t.Run("FailedLoginsCountTogether", func(t *testing.T) {
		eve := newClient(t)
		for i := range 5 {
			base := []string{a, b}[i%2]
			if code := eve.login(base, "ana", "wrong password "+fmt.Sprint(i)); code != http.StatusUnauthorized {
				t.Fatalf("failed login %d on %s = %d, want 401", i+1, base, code)
			}
		}
		for _, base := range []string{a, b} {
			if code := eve.login(base, "ana", "correct horse battery"); code != http.StatusTooManyRequests {
				t.Fatalf("after five failures spread over two instances, a login on %s = %d, want 429", base, code)
			}
		}
	})

	if got := countBundled(t, db); got != bundled {
		t.Fatalf("bundled uploads went from %d to %d", bundled, got)
	}
}

func uploadsIn(t *testing.T, db string) []store.Upload {
	t.Helper()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ups, err := st.Uploads(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ups
}

// countBundled counts the bundled data's uploads in the database, and
// fails if any bundled file was loaded twice.
func countBundled(t *testing.T, db string) int {
	t.Helper()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ups, err := st.Uploads(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n, seen := 0, map[string]bool{}
	for _, u := range ups {
		if u.CreatedBy != bundledBy {
			continue
		}
		n++
		for _, f := range u.Files {
			if seen[f.SHA256] {
				t.Fatalf("the bundled file %s was loaded twice", f.Name)
			}
			seen[f.SHA256] = true
		}
	}
	return n
}

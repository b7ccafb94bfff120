package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// TestMain lets the test binary stand in for cptrends itself when a test
// needs a real process to kill: with CPTRENDS_AS_MAIN set, it runs the
// program with the JSON list of arguments in that variable.
func TestMain(m *testing.M) {
	if raw := os.Getenv("CPTRENDS_AS_MAIN"); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		main := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: noEnv}
		// Stopped by SIGINT or SIGTERM as main is.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := main.Run(ctx, args)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// asProcess returns a command that runs cptrends with args in a child process.
func asProcess(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	raw, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CPTRENDS_AS_MAIN="+string(raw))
	return cmd
}

// writeLargeCSV writes n rows of local authority referrals.
func writeLargeCSV(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "large.csv")
	var b strings.Builder
	b.WriteString("indicator,period,geography_code,geography_name,value,note\n")
	for i := 0; i < n; i++ {
		la, year := i/25, 2000+i%25
		fmt.Fprintf(&b, "referrals,%d/%02d,E06%06d,Area %d,%d,\n", year, (year+1)%100, la, la, 1000+i%977)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestImport_KilledMidWrite kills a large import at random moments with
// SIGKILL. After each kill the database must pass SQLite's integrity check
// and hold the upload wholly or not at all.
func TestImport_KilledMidWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes; skipped with -short")
	}
	const rows, runs = 60_000, 8
	csvPath := writeLargeCSV(t, rows)
	db := filepath.Join(t.TempDir(), "cptrends.db")
	// A first, complete import tells how long one takes here.
	start := time.Now()
	if out, err := asProcess(t, "import", "--db", db, csvPath).CombinedOutput(); err != nil {
		t.Fatalf("first import: %v\n%s", err, out)
	}
	full := time.Since(start)
	os.Remove(db)
	os.Remove(db + "-wal")
	os.Remove(db + "-shm")

	whole, absent := 0, 0
	for run := 0; run < runs; run++ {
		cmd := asProcess(t, "import", "--db", db, csvPath)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// From 30% to 110% of a full import: most kills land while rows are
		// written or the transaction commits, some after it has finished.
		time.Sleep(full*3/10 + time.Duration(rand.Int64N(int64(full*8/10))))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		conn, err := sql.Open("sqlite", "file:"+db)
		if err != nil {
			t.Fatal(err)
		}
		var check string
		if err := conn.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Fatalf("run %d: integrity_check = %q, %v", run, check, err)
		}
		var uploads, observations int
		conn.QueryRow(`SELECT count(*) FROM uploads`).Scan(&uploads)
		conn.QueryRow(`SELECT count(*) FROM observations`).Scan(&observations)
		conn.Close()
		switch {
		case uploads == 0 && observations == 0:
			absent++
		case uploads == 1 && observations == rows:
			whole++
			// Start the next run on an empty database again.
			os.Remove(db)
			os.Remove(db + "-wal")
			os.Remove(db + "-shm")
		default:
			t.Fatalf("run %d: %d uploads and %d observations: a partial upload survived a kill", run, uploads, observations)
		}
	}
	t.Logf("%d kills over a %v import: %d left the upload whole, %d left nothing; integrity ok every time", runs, full.Round(time.Millisecond), whole, absent)
}

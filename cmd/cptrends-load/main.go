// Command cptrends-load puts a running cptrends under load on 127.0.0.1:
// concurrent clients read the overview, indicator pages, the API and CSV
// downloads for a bounded time while an import and a backup run. It
// reports requests, errors (which must be none), latency and the server's
// peak memory, and exits 1 if any request failed.
//
//	go run ./cmd/cptrends-load -bin bin/cptrends -duration 20s -clients 32
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/cptrends", "the cptrends binary")
	duration := flag.Duration("duration", 20*time.Second, "how long to load the server")
	clients := flag.Int("clients", 32, "concurrent clients")
	rows := flag.Int("import-rows", 200_000, "rows in the import that runs during the load")
	dbURL := flag.String("db", "", "a PostgreSQL database to load (postgres://...; it should be empty); default a new SQLite file")
	instances := flag.Int("instances", 1, "serve processes on the one database, the clients spread over them")
	flag.Parse()
	if err := run(*bin, *duration, *clients, *rows, *dbURL, max(1, *instances)); err != nil {
		fmt.Fprintln(os.Stderr, "cptrends-load:", err)
		os.Exit(1)
	}
}

var paths = []string{"/", "/indicators/referrals", "/api/indicators/referrals", "/indicators/referrals.csv", "/indicators/cpp_second_or_subsequent_pct"}

func run(bin string, duration time.Duration, clients, rows int, dbURL string, instances int) error {
	dir, err := os.MkdirTemp("", "cptrends-load")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db := filepath.Join(dir, "load.db")
	if dbURL != "" {
		db = dbURL
	}
	var bases []string
	var server *exec.Cmd // the first, whose memory is reported
	for range instances {
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		srv := exec.Command(bin, "serve", "--db", db, "--addr", addr)
		srv.Stderr = io.Discard
		if err := srv.Start(); err != nil {
			return err
		}
		defer func() {
			srv.Process.Signal(os.Interrupt)
			srv.Wait()
		}()
		if server == nil {
			server = srv
		}
		bases = append(bases, "http://"+addr)
	}
	for _, base := range bases {
		if err := waitHealthy(base, 60*time.Second); err != nil {
			return err
		}
	}
	addr := strings.Join(bases, ", ")
	csvPath := filepath.Join(dir, "import.csv")
	if err := writeImport(csvPath, rows); err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	var side sync.WaitGroup
	sideErrs := make(chan error, 2)
	side.Add(2)
	go func() { // an import in the middle of the load
		defer side.Done()
		time.Sleep(duration / 4)
		if out, err := exec.Command(bin, "import", "--db", db, csvPath).CombinedOutput(); err != nil {
			sideErrs <- fmt.Errorf("import during load: %v: %s", err, out)
		}
	}()
	go func() { // and a backup
		defer side.Done()
		time.Sleep(duration / 3)
		backup := exec.Command(bin, "backup", "--db", db, filepath.Join(dir, "backup.db"))
		if dbURL != "" { // PostgreSQL's own tool, as cptrends backup says
			backup = exec.Command("pg_dump", "--format=custom", "--file", filepath.Join(dir, "backup.dump"), db)
		}
		if out, err := backup.CombinedOutput(); err != nil {
			sideErrs <- fmt.Errorf("backup during load: %v: %s", err, out)
		}
	}()

	var mu sync.Mutex
	var latencies []time.Duration
	var failures []string
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 10 * time.Second}
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for n := i; ctx.Err() == nil; n++ {
				path := paths[n%len(paths)]
				start := time.Now()
				resp, err := client.Get(bases[i%len(bases)] + path)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				took := time.Since(start)
				mu.Lock()
				if err != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
					failures = append(failures, path+": "+err.Error())
				} else if err == nil {
					latencies = append(latencies, took)
				}
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	side.Wait()
	close(sideErrs)
	for err := range sideErrs {
		failures = append(failures, err.Error())
	}
	peak := peakRSS(server.Process.Pid)

	slices.Sort(latencies)
	q := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))]
	}
	fmt.Printf("load: %d clients for %v on %s (%s), with a %d-row import and a backup during it\n", clients, duration, addr, describeDB(db), rows)
	fmt.Printf("%-12s %10d\n%-12s %10.0f\n%-12s %10d\n%-12s %10v\n%-12s %10v\n%-12s %10v\n%-12s %7d MB\n",
		"requests", len(latencies), "per second", float64(len(latencies))/duration.Seconds(), "errors", len(failures),
		"p50", q(0.50).Round(time.Microsecond), "p99", q(0.99).Round(time.Microsecond), "max", q(1).Round(time.Microsecond), "peak RSS", peak>>10)
	if len(failures) > 0 {
		for _, f := range failures[:min(10, len(failures))] {
			fmt.Println("  error:", f)
		}
		return fmt.Errorf("%d requests failed", len(failures))
	}
	return nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitHealthy(base string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("the server did not answer /healthz within %v", limit)
}

// writeImport writes local authority referrals in the native format.
func writeImport(path string, rows int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var b strings.Builder
	b.WriteString("indicator,period,geography_code,geography_name,value,note\n")
	for i := 0; i < rows; i++ {
		la, year := i/25, 2000+i%25
		fmt.Fprintf(&b, "referrals,%d/%02d,E06%06d,Area %d,%d,\n", year, (year+1)%100, la, la, 1000+i%977)
	}
	_, err = f.WriteString(b.String())
	return err
}

// peakRSS reads the process's high-water mark of resident memory, in KB.
func peakRSS(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%d", &kb)
			return kb
		}
	}
	return 0
}

// describeDB names the database without a password.
func describeDB(db string) string {
	if u, err := url.Parse(db); err == nil && u.Scheme != "" {
		return u.Redacted()
	}
	return "SQLite"
}

package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"cptrends/internal/store"
)

// writeLargeUpload writes a native CSV of about size bytes: values for
// many areas, years and indicators, each cell once.
func writeLargeUpload(tb testing.TB, path string, size int64) int {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	ids := []string{"referrals", "children_referred", "cpp_started", "cpp_at_31_march", "cpp_second_or_subsequent"}
	n, written := 0, int64(0)
	c, _ := w.WriteString("indicator,period,geography_code,geography_name,value\n")
	written += int64(c)
	for area := 0; written < size; area++ {
		for year := 2010; year <= 2025 && written < size; year++ {
			for _, id := range ids {
				c, _ := fmt.Fprintf(w, "%s,%d/%02d,E06%06d,Area %d,%d\n", id, year-1, year%100, area, area, 100+(area*7+year)%5000)
				written += int64(c)
				n++
			}
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	return n
}

// rssKB reads a field of /proc/self/status (VmRSS, VmHWM), in KB.
func rssKB(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			v, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return v
		}
	}
	return 0
}

// BenchmarkUpload_Large sends a large file (50 MB, or
// CPTRENDS_BENCH_UPLOAD_MB) through the upload form over real HTTP, with
// the garbage collector set as serve sets it, and reports the process's
// peak memory above what it held before (the client streams the file from
// disk, so nearly all of it is the server's), then the cost of viewing the
// preview: the targets are a peak within twice the file plus 60 MB, and a
// view under 10 MB and 100 ms. Run it with -benchtime 1x.
func BenchmarkUpload_Large(b *testing.B) {
	mb := int64(50)
	if v, err := strconv.ParseInt(os.Getenv("CPTRENDS_BENCH_UPLOAD_MB"), 10, 64); err == nil && v > 0 {
		mb = v
	}
	path := filepath.Join(b.TempDir(), "large.csv")
	rows := writeLargeUpload(b, path, mb<<20)
	fi, _ := os.Stat(path)

	srv, st := newTestServerOpts(b, Options{MaxUploadBytes: (mb + 1) << 20})
	if _, err := st.AddUser(context.Background(), "ana", store.RoleAnalyst, "correct horse battery"); err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	br := &browser{base: ts.URL, client: &http.Client{Jar: jar}}
	login(b, br)
	tok := tokenOf(b, br, "/uploads")

	defer debug.SetGCPercent(debug.SetGCPercent(400))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(32 << 20))
	var id string
	for b.Loop() {
		runtime.GC()
		debug.FreeOSMemory()
		before := rssKB("VmRSS")
		os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // resets VmHWM
		start := time.Now()
		code, page := streamUpload(b, br, tok, path)
		elapsed := time.Since(start)
		peak := rssKB("VmHWM")
		if code != http.StatusOK {
			b.Fatalf("upload = %d\n%.2000s", code, page)
		}
		m := regexp.MustCompile(`/uploads/(\d+)/commit`).FindStringSubmatch(page)
		if m == nil {
			b.Fatal("no preview")
		}
		id = m[1]
		b.ReportMetric(float64(fi.Size())/(1<<20), "file-MB")
		b.ReportMetric(float64(rows), "rows")
		b.ReportMetric(float64(peak-before)/1024, "peak-rss-growth-MB")
		b.ReportMetric(float64(peak)/1024, "peak-rss-MB")
		b.ReportMetric(float64(2*fi.Size()+60<<20)/(1<<20), "target-MB")
		b.ReportMetric(elapsed.Seconds(), "upload-s")
		b.ReportMetric(float64(len(page))/1024, "preview-KB")
	}

	// Viewing the preview, as any analyst may again and again.
	const views = 20
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	start := time.Now()
	size := 0
	for range views {
		code, page := getPage(b, br, "/uploads/"+id)
		if code != http.StatusOK {
			b.Fatalf("view = %d", code)
		}
		size = len(page)
	}
	per := time.Since(start) / views
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(per.Microseconds())/1000, "view-ms")
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/views/(1<<20), "view-alloc-MB")
	b.ReportMetric(float64(size)/1024, "view-KB")
}

func login(tb testing.TB, b *browser) {
	tb.Helper()
	tok := tokenOf(tb, b, "/login")
	resp, err := b.client.PostForm(b.base+"/login", map[string][]string{"username": {"ana"}, "password": {"correct horse battery"}, "csrf_token": {tok}})
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
}

func getPage(tb testing.TB, b *browser, path string) (int, string) {
	tb.Helper()
	resp, err := b.client.Get(b.base + path)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func tokenOf(tb testing.TB, b *browser, path string) string {
	tb.Helper()
	_, body := getPage(tb, b, path)
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		tb.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

// streamUpload posts the file at path through the upload form, streaming
// it from disk as a browser does.
func streamUpload(tb testing.TB, b *browser, token, path string) (int, string) {
	tb.Helper()
	pr, pw := io.Pipe()
	w := multipart.NewWriter(pw)
	go func() {
		w.WriteField("csrf_token", token)
		fw, _ := w.CreateFormFile("file", filepath.Base(path))
		f, err := os.Open(path)
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		defer f.Close()
		if _, err := io.Copy(fw, f); err != nil {
			pw.CloseWithError(err)
			return
		}
		pw.CloseWithError(w.Close())
	}()
	resp, err := b.client.Post(b.base+"/uploads", w.FormDataContentType(), pr)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

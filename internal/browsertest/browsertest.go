// Package browsertest starts headless Chromium for tests and records what
// its tabs report: errors, warnings and every request. Only tests import
// it.
package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp/jsonv2"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Start starts a headless Debian chromium with a fresh profile, stopped
// when the test ends, or skips the test, loudly, when there is none.
func Start(t testing.TB) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	// Cleanups run last first: the browser stops before its profile
	// directory is removed.
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	// The first Do starts the browser, which lives as long as the context
	// of that call: it gets no deadline.
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return browserCtx
}

func chromiumPath(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if path, err := exec.LookPath("chromium"); err == nil {
		return path
	}
	msg := "BROWSER TEST SKIPPED: neither /usr/bin/chromium nor chromium on PATH; install it (apt-get install chromium) to check pages in a browser"
	bar := strings.Repeat("!", len(msg))
	fmt.Fprintf(os.Stderr, "\n%s\n%s\n%s\n\n", bar, msg, bar)
	t.Skip(msg)
	return ""
}

// Recorder keeps what a tab reports: console messages, exceptions, browser
// log entries (CSP violations among them) and every request it makes. Its
// Listen method runs in the tab's event loop, so it only records.
type Recorder struct {
	mu       sync.Mutex
	errors   []string
	warnings []string
	requests []string
}

// Listen is the tab's listener: chromedp.WithListener(r.Listen).
func (r *Recorder) Listen(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		msg := fmt.Sprintf("console.%s: %s", ev.Type, argsText(ev.Args))
		switch ev.Type {
		case runtime.ConsoleAPICalledTypeError, runtime.ConsoleAPICalledTypeAssert:
			r.errors = append(r.errors, msg)
		case runtime.ConsoleAPICalledTypeWarning:
			r.warnings = append(r.warnings, msg)
		}
	case *runtime.EventExceptionThrown:
		r.errors = append(r.errors, "uncaught exception: "+exceptionText(ev.ExceptionDetails))
	case *cdplog.EventEntryAdded:
		msg := fmt.Sprintf("browser log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		switch {
		case ev.Entry.Level == cdplog.EntryLevelError:
			r.errors = append(r.errors, msg)
		case ev.Entry.Level == cdplog.EntryLevelWarning:
			r.warnings = append(r.warnings, msg)
		}
	case *network.EventRequestWillBeSent:
		r.requests = append(r.requests, ev.Request.URL)
	}
}

// Errors are the errors reported so far.
func (r *Recorder) Errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errors...)
}

// Requests are the URLs requested so far.
func (r *Recorder) Requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.requests...)
}

// Check fails the test for every error the tab reported and every request
// it made to a host other than 127.0.0.1, and logs its warnings; page
// names the page in the messages.
func (r *Recorder) Check(t testing.TB, page string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, w := range r.warnings {
		t.Logf("%s: %s", page, w)
	}
	for _, e := range r.errors {
		t.Errorf("%s: %s", page, e)
	}
	if len(r.requests) == 0 {
		t.Errorf("%s: the browser reported no requests; is the network domain on?", page)
	}
	for _, raw := range r.requests {
		u, err := url.Parse(raw)
		switch {
		case err != nil:
			t.Errorf("%s: request to an unreadable URL %q", page, raw)
		case u.Scheme == "data":
		case u.Hostname() != "127.0.0.1":
			t.Errorf("%s: request to another host: %s", page, raw)
		}
	}
}

func argsText(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		switch {
		case a.Type == runtime.RemoteObjectTypeString:
			var s string
			if jsonv2.Unmarshal(a.Value, &s) == nil {
				parts = append(parts, s)
				continue
			}
			parts = append(parts, string(a.Value))
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "(no details)"
	}
	s := fmt.Sprintf("%s at %s:%d:%d", d.Text, d.URL, d.LineNumber+1, d.ColumnNumber+1)
	if d.Exception != nil && d.Exception.Description != "" {
		s += ": " + d.Exception.Description
	}
	return s
}

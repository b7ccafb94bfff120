package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"

	"cptrends/indicators"
	"cptrends/internal/chartsvg"
	"cptrends/internal/ingest"
	"cptrends/internal/store"
	"cptrends/internal/web"
)

func (m *Main) serve(ctx context.Context, args []string) error {
	fset, dbPath := m.flags("serve")
	addr := fset.String("addr", "127.0.0.1:8080", "address to listen on, HOST:PORT")
	private := fset.Bool("private", m.Getenv("CPTRENDS_PRIVATE") == "true", "require a login to view anything (default $CPTRENDS_PRIVATE=true)")
	maxMB := fset.Int64("max-upload-mb", 50, "largest uploaded file accepted, in MB")
	proxies := fset.String("trusted-proxy", m.Getenv("CPTRENDS_TRUSTED_PROXIES"), "comma-separated CIDR ranges of reverse proxies whose X-Forwarded-For is trusted (default $CPTRENDS_TRUSTED_PROXIES)")
	secureCookies := fset.Bool("secure-cookies", m.Getenv("CPTRENDS_SECURE_COOKIES") == "true",
		"mark cookies Secure and send HSTS on every answer, for a server reached only over HTTPS (default $CPTRENDS_SECURE_COOKIES=true); without it they are Secure when the request came over TLS, directly or through a --trusted-proxy that says so in X-Forwarded-Proto")
	basePath := fset.String("base-path", m.Getenv("CPTRENDS_BASE_PATH"), "serve everything under this sub-path, such as /cptrends, behind a reverse proxy (default $CPTRENDS_BASE_PATH)")
	if rest, err := parse(fset, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return &exitError{code: 2, msg: fmt.Sprintf("serve: unexpected argument %q", rest[0])}
	}
	trusted, err := parseCIDRs(*proxies)
	if err != nil {
		return &exitError{code: 2, msg: "serve: --trusted-proxy: " + err.Error()}
	}
	base, err := web.NormaliseBasePath(*basePath)
	if err != nil {
		return &exitError{code: 2, msg: "serve: --base-path: " + err.Error()}
	}
	logs := newLogBuffer(m.Stderr)
	defer logs.Close()
	log := slog.New(slog.NewTextHandler(logs, nil))
	st, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := loadBundled(ctx, st); err != nil {
		return err
	}
	// Tuned for serving only after the one-off load of a new database,
	// which holds the bundled release in memory (some 60 MB at its peak)
	// and under the serving limit would spend most of its time collecting.
	tuneGC(m.Getenv)
	srv, err := web.New(st, indicators.Default(), web.Options{Logger: log, Private: *private, MaxUploadBytes: *maxMB << 20, TrustedProxies: trusted, BasePath: base, SecureCookies: *secureCookies})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	log.Info("serving", "url", "http://"+ln.Addr().String()+base, "db", store.Describe(*dbPath))
	if m.Ready != nil {
		m.Ready(ln.Addr().String())
	}
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// tuneGC sets the garbage collector for serving, unless GOGC or GOMEMLIMIT
// say otherwise. Under load serve allocates fast and keeps little (a page
// from the cache is a few small allocations; the live heap is some 15 MB),
// so collecting when the heap has grown by four times what is live,
// rather than by once, cuts the collector's share of the work and the
// latency it adds; the soft limit keeps the peak near 50 MB. The engines
// that draw charts as SVG keep their own heap on top (chartsvg.EngineMemory
// each), so the limit grows by that much for each, lest the collector run
// without end once they are loaded.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" && getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(400)
		debug.SetMemoryLimit(32<<20 + int64(chartsvg.DefaultEngines())*chartsvg.EngineMemory)
	}
}

// bundledBy names the bundled data's uploads in the history.
const bundledBy = "cptrends (bundled series)"

// loadBundled loads the series shipped in the binary into a database that
// has never had an upload, so a new user sees real charts, and the
// reference data for comparing areas into any database that lacks it.
func loadBundled(ctx context.Context, st *store.Store) error {
	if err := ingest.LoadBundled(ctx, st, indicators.Default(), indicators.Bundled(), bundledBy); err != nil {
		return err
	}
	return ingest.LoadReference(ctx, st, indicators.Bundled(), indicators.NeighbourModels)
}

// parseCIDRs reads a comma-separated list of address ranges; a bare
// address is a range of one.
func parseCIDRs(list string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			if ip := net.ParseIP(item); ip != nil && ip.To4() != nil {
				item += "/32"
			} else {
				item += "/128"
			}
		}
		_, n, err := net.ParseCIDR(item)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR range", item)
		}
		out = append(out, n)
	}
	return out, nil
}

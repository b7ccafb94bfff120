// Package web serves the dashboard: pages, the JSON API, CSV downloads and
// static assets. It is the only package that imports echo.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"cptrends/indicators"
	"cptrends/internal/chartsvg"
	"cptrends/internal/figures"
	"cptrends/internal/ingest"
	"cptrends/internal/store"

	"github.com/labstack/echo/v4"
)

// Options configure the server.
type Options struct {
	Logger *slog.Logger
	// Private makes every page need a login; by default viewing is public.
	Private bool
	// MaxUploadBytes caps each uploaded file (default ingest.DefaultMaxFileSize).
	MaxUploadBytes int64
	// TrustedProxies lists the reverse proxies (CIDR ranges) whose
	// X-Forwarded-For is believed. With none, the client address is the
	// connection's, whatever headers say.
	TrustedProxies []*net.IPNet
	// BasePath is the sub-path the dashboard lives under behind a reverse
	// proxy, such as "/cptrends": every route is answered under it and
	// every URL the server writes carries it. Empty means the root.
	BasePath string
	// SecureCookies marks the session and CSRF cookies Secure, and sends
	// HSTS, on every answer: for a server that only TLS reaches, through a
	// proxy that cannot be listed in TrustedProxies. Without it they are
	// Secure on requests that came over TLS directly, or through a trusted
	// proxy that says so in X-Forwarded-Proto.
	SecureCookies bool
}

// NormaliseBasePath returns p with one leading slash and no trailing
// slash ("" for the root), or an error when it holds anything but
// letters, digits and / _ . - or a "." or ".." segment.
func NormaliseBasePath(p string) (string, error) {
	p = strings.Trim(strings.TrimSpace(p), "/")
	if p == "" {
		return "", nil
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/_.-", r)) {
			return "", fmt.Errorf("base path %q: only letters, digits and / _ . - are allowed", p)
		}
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", fmt.Errorf("base path %q: empty, . and .. segments are not allowed", p)
		}
	}
	return "/" + p, nil
}

// Server is the dashboard's HTTP server.
type Server struct {
	echo       *echo.Echo
	store      *store.Store
	cat        *indicators.Catalog
	log        *slog.Logger
	pages      *pages
	assets     *assetSet
	opts       Options
	throttle   *throttle
	uploadRate echo.MiddlewareFunc
	cache      *pageCache
	fig        *figures.Reader
	svg        *chartsvg.Renderer // nil: charts are drawn in the browser
}

// New builds the server and its routes.
func New(st *store.Store, cat *indicators.Catalog, opts Options) (*Server, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	as, err := loadAssets()
	if err != nil {
		return nil, err
	}
	if opts.BasePath, err = NormaliseBasePath(opts.BasePath); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	as.base = opts.BasePath
	if opts.MaxUploadBytes <= 0 {
		opts.MaxUploadBytes = ingest.DefaultMaxFileSize
	}
	s := &Server{echo: echo.New(), store: st, cat: cat, log: log, assets: as, opts: opts,
		throttle: newThrottle(st, 5, 15*time.Minute), uploadRate: limitUploads(st), cache: newPageCache(), fig: figures.New(st, cat)}
	s.newChartRenderer()
	if s.pages, err = loadPages(s.templateFuncs()); err != nil {
		return nil, err
	}
	s.echo.HideBanner, s.echo.HidePort = true, true
	s.echo.IPExtractor = echo.ExtractIPDirect()
	if len(opts.TrustedProxies) > 0 {
		trust := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, r := range opts.TrustedProxies {
			trust = append(trust, echo.TrustIPRange(r))
		}
		s.echo.IPExtractor = echo.ExtractIPFromXFFHeader(trust...)
	}
	s.echo.HTTPErrorHandler = s.handleError
	s.routes()
	return s, nil
}

// url is the address of the app-relative path p ("/uploads/3") under
// the base path.
func (s *Server) url(p string) string { return s.opts.BasePath + p }

// ServeHTTP makes the server an http.Handler, for tests and for Serve.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Serve answers requests on ln until ctx is cancelled, then stops taking
// new connections and lets requests in flight finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads of large files
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		done <- srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return <-done
}

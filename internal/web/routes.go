package web

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cptrends/internal/store"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes lists every route the dashboard answers, and its middleware.
func (s *Server) routes() {
	e := s.echo
	if s.opts.BasePath != "" {
		e.Pre(s.stripBasePath)
	}
	e.Pre(middleware.RemoveTrailingSlash())
	e.Use(middleware.RequestID())
	e.Use(s.logRequests())
	e.Use(middleware.Recover())
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: contentSecurityPolicy,
	}))
	// HSTS only over TLS as s.secure judges it: echo's would believe any
	// client's X-Forwarded-Proto.
	e.Use(s.hsts)

	// Bodies are capped before anything reads them: uploads at four files'
	// worth, every other request at 64 KB. Each file is capped again by ingest.
	isUpload := func(c echo.Context) bool { return c.Request().Method == http.MethodPost && c.Path() == "/uploads" }
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: strconv.FormatInt(s.opts.MaxUploadBytes*4+1<<20, 10) + "B"}))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "64K", Skipper: isUpload}))
	e.Use(s.loadSession)
	e.Use(s.requireViewer)

	// The CSRF token is issued on every page but the shared ones, which
	// have no form (most come from the cache, and a new token and cookie
	// for each would cost more than the page). It is checked on each form
	// post after the role check, so that a visitor without the role is
	// refused before the body of an upload is read.
	e.Use(s.issueCSRF)
	e.Use(s.cachePages)
	checkCSRF := s.checkCSRF
	// posted is the middleware of a form post: the role, then the token.
	posted := func(role string) []echo.MiddlewareFunc {
		if role == "" {
			return []echo.MiddlewareFunc{checkCSRF}
		}
		return []echo.MiddlewareFunc{s.requireRole(role), checkCSRF}
	}

	e.GET("/healthz", s.handleHealth)
	e.GET("/", s.handleOverview)
	e.GET("/indicators", s.handleIndicatorIndex)
	e.GET("/indicators/:id", s.handleIndicatorShow) // also :id.csv
	e.GET("/indicators/:id/areas", s.handleIndicatorAreas)
	e.GET("/indicators/:id/funnel", s.handleIndicatorFunnel)
	e.GET("/api/indicators", s.handleAPIIndicatorIndex)
	e.GET("/api/indicators/:id", s.handleAPIIndicatorShow)
	e.GET("/api/indicators/:id/funnel", s.handleAPIIndicatorFunnel)
	e.GET("/pathway", s.handlePathway)
	e.GET("/pathway.csv", s.handlePathwayCSV)
	e.GET("/pathway.json", s.handlePathwayJSON)
	e.GET("/pathway.zip", s.handlePathwayZip)
	e.GET("/api/pathway", s.handleAPIPathway)
	e.GET("/assets/:hash/*", s.handleAsset)

	e.GET("/login", s.handleLoginForm)
	e.POST("/login", s.handleLogin, posted("")...)
	e.POST("/logout", s.handleLogout, posted("")...)

	e.GET("/uploads", s.handleUploads, s.requireRole(store.RoleViewer))
	// Throttled before the body is read; the handler checks the CSRF
	// token, the form's first field, as it reads the files that follow.
	e.POST("/uploads", s.handleUploadCreate, s.requireRole(store.RoleAnalyst), s.uploadRate)
	e.GET("/uploads/:id", s.handleUploadShow, s.requireRole(store.RoleViewer))
	e.POST("/uploads/:id/commit", s.handleUploadCommit, posted(store.RoleAnalyst)...)
	e.POST("/uploads/:id/cancel", s.handleUploadCancel, posted(store.RoleAnalyst)...)
	e.POST("/uploads/:id/rollback", s.handleUploadRollback, posted(store.RoleAnalyst)...)

	e.GET("/pack", s.handlePack)
	e.GET("/snapshots", s.handleSnapshotIndex, s.requireRole(store.RoleViewer))
	e.POST("/snapshots", s.handleSnapshotCreate, posted(store.RoleViewer)...)
	e.GET("/snapshots/:id", s.handleSnapshotShow) // also :id.html, the offline file
	e.GET("/snapshots/:id/compare", s.handleSnapshotCompare)
	e.POST("/snapshots/:id/delete", s.handleSnapshotDelete, posted(store.RoleAdmin)...)

	e.GET("/admin/users", s.handleAdminUsers, s.requireRole(store.RoleAdmin))
	e.POST("/admin/users", s.handleAdminUserAdd, posted(store.RoleAdmin)...)
	e.POST("/admin/users/:id/remove", s.handleAdminUserRemove, posted(store.RoleAdmin)...)
	e.POST("/admin/users/:id/password", s.handleAdminUserPassword, posted(store.RoleAdmin)...)
}

// stripBasePath answers only requests under the base path, and routes
// them by the rest of the path, so that every handler and middleware sees
// the same paths as at the root. Anything outside it is not found.
func (s *Server) stripBasePath(next echo.HandlerFunc) echo.HandlerFunc {
	base := s.opts.BasePath
	strip := func(p string) (string, bool) {
		if p == base {
			return "/", true
		}
		rest, ok := strings.CutPrefix(p, base)
		if !ok || !strings.HasPrefix(rest, "/") {
			return "", false
		}
		return rest, true
	}
	return func(c echo.Context) error {
		u := c.Request().URL
		p, ok := strip(u.Path)
		if !ok {
			return echo.ErrNotFound
		}
		if u.RawPath != "" {
			raw, ok := strip(u.RawPath)
			if !ok {
				return echo.ErrNotFound
			}
			u.RawPath = raw
		}
		u.Path = p
		return next(c)
	}
}

// cookiePath scopes the session and CSRF cookies to the base path.
func (s *Server) cookiePath() string {
	if s.opts.BasePath == "" {
		return "/"
	}
	return s.opts.BasePath
}

// uploadRateLimit is how many uploads one account may send a minute: far
// more than a person checking files needs, far fewer than a script abusing
// the server would send.
const uploadRateLimit = 20

// limitUploads throttles uploads per account: at most half the minute's
// allowance in any 30 seconds, and so uploadRateLimit a minute. The count
// is kept in the database, so that every instance sharing it counts the
// same uploads.
func limitUploads(st *store.Store) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			key := "upload:addr:" + c.RealIP()
			if u := currentUser(c); u != nil {
				key = "upload:user:" + strings.ToLower(u.Name)
			}
			wait, err := st.TakeAttempt(c.Request().Context(), key, uploadRateLimit/2, 30*time.Second)
			if err != nil {
				return err
			}
			if wait > 0 {
				c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
				return echo.NewHTTPError(http.StatusTooManyRequests, "Too many uploads in a short time. Wait a minute and try again.")
			}
			return next(c)
		}
	}
}

// contentSecurityPolicy allows nothing from another host and no inline
// script or style: chart options travel in data attributes and one static
// script draws them.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// logRequests writes one structured line per request.
func (s *Server) logRequests() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod: true, LogURI: true, LogStatus: true, LogLatency: true, LogRequestID: true, LogError: true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			s.log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method), slog.String("uri", v.URI), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency.Round(time.Microsecond)), slog.String("request_id", v.RequestID))
			return nil
		},
	})
}

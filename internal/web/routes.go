package web

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"cptrends/indicators"
	"cptrends/internal/store"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes lists every route the dashboard answers, and its middleware.
func (s *Server) routes() {
	e := s.echo
	e.Pre(middleware.RemoveTrailingSlash())
	e.Use(middleware.RequestID())
	e.Use(s.logRequests())
	e.Use(middleware.Recover())
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		HSTSMaxAge:            31536000,
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: contentSecurityPolicy,
	}))

	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:" + csrfField,
		ContextKey:     csrfKey,
		CookieName:     "cptrends_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteLaxMode,
		ErrorHandler: func(err error, c echo.Context) error {
			return indicators.Errorf(indicators.EFORBIDDEN, "This form has expired or did not come from this site. Go back, reload the page and try again.")
		},
	}))
	e.Use(s.loadSession)
	e.Use(s.requireViewer)
	// Each file is capped by ingest; this caps the whole request early.
	uploadLimit := middleware.BodyLimit(strconv.FormatInt(s.opts.MaxUploadBytes*4+1<<20, 10) + "B")
	formLimit := middleware.BodyLimit("64K")

	e.GET("/healthz", s.handleHealth)
	e.GET("/", s.handleOverview)
	e.GET("/indicators", s.handleIndicatorIndex)
	e.GET("/indicators/:id", s.handleIndicatorShow) // also :id.csv
	e.GET("/api/indicators", s.handleAPIIndicatorIndex)
	e.GET("/api/indicators/:id", s.handleAPIIndicatorShow)
	e.GET("/assets/:hash/*", s.handleAsset)

	e.GET("/login", s.handleLoginForm)
	e.POST("/login", s.handleLogin, formLimit)
	e.POST("/logout", s.handleLogout, formLimit)

	analyst := requireRole(store.RoleAnalyst)
	e.GET("/uploads", s.handleUploads, requireRole(store.RoleViewer))
	e.POST("/uploads", s.handleUploadCreate, analyst, uploadLimit)
	e.GET("/uploads/:id", s.handleUploadShow, requireRole(store.RoleViewer))
	e.POST("/uploads/:id/commit", s.handleUploadCommit, analyst, formLimit)
	e.POST("/uploads/:id/cancel", s.handleUploadCancel, analyst, formLimit)
	e.POST("/uploads/:id/rollback", s.handleUploadRollback, analyst, formLimit)

	admin := requireRole(store.RoleAdmin)
	e.GET("/admin/users", s.handleAdminUsers, admin)
	e.POST("/admin/users", s.handleAdminUserAdd, admin, formLimit)
	e.POST("/admin/users/:id/remove", s.handleAdminUserRemove, admin, formLimit)
	e.POST("/admin/users/:id/password", s.handleAdminUserPassword, admin, formLimit)
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

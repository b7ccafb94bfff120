package web

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cptrends/indicators"
	"cptrends/internal/store"

	"github.com/labstack/echo/v4"
)

const (
	sessionCookie = "cptrends_session"
	userKey       = "user"
	csrfKey       = "csrf"
	csrfField     = "csrf_token"
)

// roleRank orders roles so that a higher one can do what a lower one can.
var roleRank = map[string]int{store.RoleViewer: 1, store.RoleAnalyst: 2, store.RoleAdmin: 3}

// currentUser returns the signed-in user, or nil.
func currentUser(c echo.Context) *store.User {
	u, _ := c.Get(userKey).(*store.User)
	return u
}

// loadSession puts the session's user, if any, on the request.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			if u, err := s.store.SessionUser(c.Request().Context(), ck.Value); err == nil {
				c.Set(userKey, &u)
			} else if indicators.ErrorCode(err) == indicators.EINTERNAL {
				return err
			} else {
				s.clearSessionCookie(c)
			}
		}
		return next(c)
	}
}

// requireViewer sends visitors to the login page when viewing is private.
func (s *Server) requireViewer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !s.opts.Private || currentUser(c) != nil {
			return next(c)
		}
		p := c.Request().URL.Path
		if p == "/login" || p == "/healthz" || strings.HasPrefix(p, "/assets/") {
			return next(c)
		}
		if strings.HasPrefix(p, "/api/") || c.Request().Method != http.MethodGet {
			return indicators.Errorf(indicators.EUNAUTHORIZED, "Sign in to see these figures.")
		}
		return c.Redirect(http.StatusSeeOther, s.url("/login?next="+url.QueryEscape(c.Request().URL.RequestURI())))
	}
}

// requireRole lets through users with at least the given role. Visitors
// who are not signed in are sent to the login page (or get 401); users
// without the role get 403.
func (s *Server) requireRole(role string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := currentUser(c)
			if u == nil {
				if c.Request().Method == http.MethodGet {
					return c.Redirect(http.StatusSeeOther, s.url("/login?next="+url.QueryEscape(c.Request().URL.RequestURI())))
				}
				return indicators.Errorf(indicators.EUNAUTHORIZED, "Sign in first.")
			}
			if roleRank[u.Role] < roleRank[role] {
				return indicators.Errorf(indicators.EFORBIDDEN, "This needs the %s role; you are signed in as a %s.", role, u.Role)
			}
			return next(c)
		}
	}
}

func (s *Server) setSessionCookie(c echo.Context, token string) {
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: token, Path: s.cookiePath(), HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secure(c), MaxAge: int(store.SessionLifetime / time.Second),
	})
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: s.cookiePath(), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(c), MaxAge: -1})
}

type loginPage struct {
	layout
	Next     string
	Username string
	Error    string
}

func (s *Server) handleLoginForm(c echo.Context) error {
	return s.render(c, http.StatusOK, "login", loginPage{layout: s.layout(c, "Sign in"), Next: s.safeNext(c.QueryParam("next"))})
}

// handleLogin signs a user in. Failed attempts are throttled by the
// address they come from (all accounts together) and by account at that
// address, never by account alone: a stranger's wrong passwords slow the
// stranger down, and the account's owner, signing in from elsewhere, is
// let in.
func (s *Server) handleLogin(c echo.Context) error {
	name, password := strings.TrimSpace(c.FormValue("username")), c.FormValue("password")
	next := s.safeNext(c.FormValue("next"))
	page := loginPage{layout: s.layout(c, "Sign in"), Next: next, Username: name}
	addr := throttleAddr(c.RealIP())
	keys := []string{"user:" + strings.ToLower(name) + "@" + addr, "addr:" + addr}
	ctx := c.Request().Context()
	wait, err := s.throttle.blocked(ctx, keys...)
	if err != nil {
		return err
	}
	if wait > 0 {
		page.Error = "Too many failed attempts. Try again in " + wait.Round(time.Minute).String() + "."
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
		return s.render(c, http.StatusTooManyRequests, "login", page)
	}
	u, err := s.store.Authenticate(ctx, name, password)
	if indicators.ErrorCode(err) == indicators.EUNAUTHORIZED {
		if err := s.throttle.fail(ctx, keys...); err != nil {
			return err
		}
		s.log.Warn("login failed", "user", name, "addr", c.RealIP())
		page.Error = indicators.ErrorMessage(err)
		return s.render(c, http.StatusUnauthorized, "login", page)
	}
	if err != nil {
		return err
	}
	if err := s.throttle.reset(ctx, keys[0]); err != nil {
		return err
	}
	token, err := s.store.CreateSession(ctx, u.ID)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token)
	s.rotateCSRF(c)
	s.log.Info("login", "user", u.Name)
	return c.Redirect(http.StatusSeeOther, s.url(next))
}

func (s *Server) handleLogout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.store.EndSession(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	s.rotateCSRF(c)
	return c.Redirect(http.StatusSeeOther, s.url("/"))
}

// safeNext keeps a post-login redirect on this site. It returns a path
// relative to the base path; one that already carries the base path has
// it taken off, so that either form can be given.
func (s *Server) safeNext(next string) string {
	if b := s.opts.BasePath; b != "" {
		if next == b {
			return "/"
		}
		if rest, ok := strings.CutPrefix(next, b); ok && (strings.HasPrefix(rest, "/") || strings.HasPrefix(rest, "?")) {
			next = rest
			if strings.HasPrefix(next, "?") {
				next = "/" + next
			}
		}
	}
	return sameSitePath(next)
}

// sameSitePath returns next as a path on this site, or "/" when it is
// anything else. Browsers forgive much in a Location header (they drop
// tabs and line breaks and read a backslash as a slash, so "/\t/evil" and
// "/\\evil" both leave the site), so next is refused if it holds any of
// those, and otherwise accepted only if, parsed as a URL, it has no scheme,
// no host and a path starting with one slash.
func sameSitePath(next string) string {
	for i := 0; i < len(next); i++ {
		if c := next[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	out := u.EscapedPath()
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	return out
}

// throttleAddr is the address failed logins are counted by: an IPv4
// address, or the /64 an IPv6 address is in (one household or machine is
// given a whole /64, and could otherwise try from each of its addresses).
func throttleAddr(ip string) string {
	parsed := net.ParseIP(ip)
	if parsed == nil || parsed.To4() != nil {
		return ip
	}
	return parsed.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// throttle counts failed logins per key in a sliding window. The counts
// are kept in the database, so that every instance of cptrends sharing it
// counts the same failures.
type throttle struct {
	st     *store.Store
	limit  int
	window time.Duration
}

func newThrottle(st *store.Store, limit int, window time.Duration) *throttle {
	return &throttle{st: st, limit: limit, window: window}
}

// blocked returns how long until any of the keys may try again.
func (t *throttle) blocked(ctx context.Context, keys ...string) (time.Duration, error) {
	return t.st.AttemptWait(ctx, t.limit, t.window, keys...)
}

func (t *throttle) fail(ctx context.Context, keys ...string) error {
	return t.st.RecordAttempt(ctx, keys...)
}

func (t *throttle) reset(ctx context.Context, key string) error {
	return t.st.ClearAttempts(ctx, key)
}

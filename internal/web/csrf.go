package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"strings"

	"cptrends/indicators"

	"github.com/labstack/echo/v4"
)

// csrfCookie holds a browser's CSRF secret. The token a form carries is
// the secret signed with the session it was issued in, so a token and
// cookie minted in another browser (another session, or none) are
// refused beside this browser's session cookie, and every token changes
// at login, when the session does.
const csrfCookie = "cptrends_csrf"

// csrfSecretLen is the length of a CSRF secret, in bytes before encoding.
const csrfSecretLen = 32

var errCSRF = indicators.Errorf(indicators.EFORBIDDEN, "This form has expired or did not come from this site. Go back, reload the page and try again.")

// csrfToken is the token for a secret in a session ("" when no one is
// signed in).
func csrfToken(secret, session string) string {
	m := hmac.New(sha256.New, []byte("cptrends csrf\x00"+session))
	m.Write([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfSession is what a request's token is bound to: the session cookie
// when it names a live session, else nothing.
func csrfSession(c echo.Context) string {
	if currentUser(c) == nil {
		return ""
	}
	if ck, err := c.Cookie(sessionCookie); err == nil {
		return ck.Value
	}
	return ""
}

// csrfSecret returns the browser's CSRF secret, or "" when it has none of
// the right shape.
func csrfSecret(c echo.Context) string {
	ck, err := c.Cookie(csrfCookie)
	if err != nil {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil || len(b) != csrfSecretLen {
		return ""
	}
	return ck.Value
}

// newCSRFSecret gives the browser a fresh secret and returns it.
func (s *Server) newCSRFSecret(c echo.Context) string {
	b := make([]byte, csrfSecretLen)
	rand.Read(b)
	secret := base64.RawURLEncoding.EncodeToString(b)
	c.SetCookie(&http.Cookie{Name: csrfCookie, Value: secret, Path: s.cookiePath(), HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(c), MaxAge: 86400})
	return secret
}

// issueCSRF puts the form token on the request, giving the browser a
// secret first if it has none. Shared pages (cached, the same for every
// visitor who is not signed in) have no form and get no token.
func (s *Server) issueCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Method == http.MethodPost || s.sharedPage(c) {
			return next(c)
		}
		secret := csrfSecret(c)
		if secret == "" {
			secret = s.newCSRFSecret(c)
		}
		c.Set(csrfKey, csrfToken(secret, csrfSession(c)))
		return next(c)
	}
}

// checkCSRF refuses a form post whose token is not this browser's for
// this session.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !s.validCSRF(c, c.FormValue(csrfField)) {
			return errCSRF
		}
		return next(c)
	}
}

// validCSRF reports whether token is this browser's for this session, and
// if so puts it on the request for the page that answers.
func (s *Server) validCSRF(c echo.Context, token string) bool {
	secret := csrfSecret(c)
	if secret == "" {
		return false
	}
	want := csrfToken(secret, csrfSession(c))
	if !hmac.Equal([]byte(token), []byte(want)) {
		return false
	}
	c.Set(csrfKey, want)
	return true
}

// rotateCSRF gives the browser a new secret, at login and logout, so that
// no token from before outlives the change of session.
func (s *Server) rotateCSRF(c echo.Context) {
	s.newCSRFSecret(c)
}

// secure reports whether the request reached the server over TLS: directly,
// through a trusted proxy that says so in X-Forwarded-Proto, or as the
// --secure-cookies option declares. Only then are cookies marked Secure and
// HSTS sent; a header from anyone else proves nothing.
func (s *Server) secure(c echo.Context) bool {
	r := c.Request()
	if s.opts.SecureCookies || r.TLS != nil {
		return true
	}
	if !strings.EqualFold(strings.TrimSpace(r.Header.Get(echo.HeaderXForwardedProto)), "https") {
		return false
	}
	return s.fromTrustedProxy(r)
}

// fromTrustedProxy reports whether the connection comes from one of the
// trusted proxies.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	for _, n := range s.opts.TrustedProxies {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// hsts tells browsers to use HTTPS only, on answers to requests that came
// over it.
func (s *Server) hsts(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.secure(c) {
			c.Response().Header().Set(echo.HeaderStrictTransportSecurity, "max-age=31536000")
		}
		return next(c)
	}
}

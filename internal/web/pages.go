package web

import (
	"bytes"
	"cptrends/internal/figures"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"cptrends/indicators"
	"cptrends/internal/store"

	"github.com/labstack/echo/v4"
)

//go:embed templates
var templateFiles embed.FS

// pages holds one template set per page, each with the shared layout and
// partials.
type pages struct {
	sets map[string]*template.Template
}

func loadPages(funcs template.FuncMap) (*pages, error) {
	shared := []string{"templates/layout.html"}
	partials, err := fs.Glob(templateFiles, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	shared = append(shared, partials...)
	names, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, name := range names {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, append(shared, name)...)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		p.sets[strings.TrimSuffix(path.Base(name), ".html")] = t
	}
	return p, nil
}

// render writes a page into a buffer first, so that a template error
// becomes an error page rather than half a page.
func (s *Server) render(c echo.Context, status int, page string, data any) error {
	t, ok := s.pages.sets[page]
	if !ok {
		return fmt.Errorf("web: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// layout is what every page's frame needs.
type layout struct {
	Title       string
	Path        string
	LastUpdated time.Time
	User        *store.User
	CSRF        string
	// AreaQuery keeps the chosen area in the menu's links: "?area=CODE".
	AreaQuery string
	// Private is set for a visitor who may see nothing about the data
	// (viewing is private and no one is signed in): not even when it
	// last changed.
	Private bool
}

func (s *Server) layout(c echo.Context, title string) layout {
	csrf, _ := c.Get(csrfKey).(string)
	l := layout{Title: title, Path: c.Request().URL.Path, User: currentUser(c), CSRF: csrf}
	if code := c.QueryParam(areaParam); indicators.ValidCode(code) {
		l.AreaQuery = areaQuery(indicators.Geography{Code: code})
	}
	if s.opts.Private && l.User == nil {
		l.Private = true
		return l
	}
	l.LastUpdated, _ = s.store.LastUpdated(c.Request().Context())
	return l
}

func (s *Server) templateFuncs() template.FuncMap {
	return template.FuncMap{
		"asset": s.assets.url,
		// chartSVG draws a chart on the server (chart_svg.go).
		"chartSVG": s.chartSVG,
		// path is the address of an app-relative path under the base path:
		// {{path "/indicators/" .ID}}. Every absolute URL in a template
		// goes through it.
		"path": func(parts ...any) string {
			var b strings.Builder
			b.WriteString(s.opts.BasePath)
			for _, p := range parts {
				fmt.Fprint(&b, p)
			}
			return b.String()
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "never"
			}
			return t.In(london).Format("2 January 2006")
		},
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(london).Format("2 January 2006 at 15:04")
		},
		"isoTime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
		"symbolMeaning": func(s indicators.Symbol) string { return s.Meaning() },
		"intervalNote":  func() string { return figures.IntervalNote },
		"list":          func(items ...string) []string { return items },
		"isAdmin":       func(u *store.User) bool { return u != nil && u.Role == store.RoleAdmin },
		"canUpload":     func(u *store.User) bool { return u != nil && roleRank[u.Role] >= roleRank[store.RoleAnalyst] },
		// shown writes an observation's figure in its indicator's unit, or
		// its symbol.
		"shown": func(o *indicators.Observation) string {
			switch {
			case o == nil:
				return ""
			case o.Value == nil:
				return string(o.Symbol)
			}
			if d, ok := s.cat.Lookup(o.Indicator); ok {
				return d.FormatValue(*o.Value)
			}
			return indicators.FormatNumber(*o.Value, 3)
		},
		// count writes a whole number with thousands separators.
		"count": func(n int) string { return indicators.FormatNumber(float64(n), 0) },
		"short": func(h string) string {
			if len(h) > 12 {
				return h[:12]
			}
			return h
		},
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := map[string]any{}
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"navCurrent": func(current, prefix string) bool {
			if prefix == "/" {
				return current == "/"
			}
			return strings.HasPrefix(current, prefix)
		},
	}
}

// london is where the figures' readers are; dates are shown in UK time.
var london = figures.London

func (s *Server) handleHealth(c echo.Context) error {
	if err := s.store.Ping(c.Request().Context()); err != nil {
		s.log.Error("health check", "err", err)
		return c.String(http.StatusServiceUnavailable, "database unavailable\n")
	}
	return c.String(http.StatusOK, "ok\n")
}

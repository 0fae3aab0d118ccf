package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	fiberlog "github.com/gofiber/fiber/v2/log"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/template/html/v2"

	"passhub/app/i18n"
	"passhub/app/once"
)

// Options configure the web layer.
type Options struct {
	Production bool
	BaseURL    string
	BodyLimit  int
	// MaxUpload is the largest file the upload forms accept, announced on them and in the 413 page.
	MaxUpload int64
	// Theme is the theme's file tree (layouts/, partials/, pages/, i18n/ and domain folders).
	Theme fs.FS
	// Static is the static tree (css/, js/, img/, vendor/).
	Static fs.FS
	Log    *slog.Logger
	// PageCache keeps anonymous visitors' pages for this long; zero turns the cache off.
	PageCache time.Duration
	// SessionCookie names the cookie of logged-in people, whose pages are never cached.
	SessionCookie string
	// TrustedProxies are the reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For,
	// X-Forwarded-Proto and X-Forwarded-Host are believed; nobody else's are.
	TrustedProxies []string
	// RequestTimeout is the deadline of each request's context (none when zero); the websocket,
	// which lives as long as the page, has none.
	RequestTimeout time.Duration
	// HeaderTimeout bounds the time to receive a request's line and headers (default 10 s).
	HeaderTimeout time.Duration
	// BodyMinRate is the slowest upload accepted, in bytes per second: a body of n bytes may
	// take HeaderTimeout + n/BodyMinRate to arrive (default 32 KiB/s).
	BodyMinRate int
}

// Server is the Fiber application with the shared rendering and security helpers.
type Server struct {
	App        *fiber.App
	Assets     *Assets
	I18n       *i18n.Catalogue
	log        *slog.Logger
	production bool
	baseURL    string
	metrics    *metrics
	engine     *html.Engine
	csrfExempt map[string]bool
	// Pages is the cache of anonymous pages; nil when turned off.
	Pages   *PageCache
	proxies []netip.Prefix
	// bodyLimit is the largest request body accepted, in bytes.
	bodyLimit int
	// maxUpload is the largest file the upload forms accept, in bytes.
	maxUpload int64
}

// New builds the Fiber application with its middleware; domains mount their routes on App.
func New(o Options) (*Server, error) {
	cat, err := i18n.Load(o.Theme)
	if err != nil {
		return nil, err
	}
	assets, err := NewAssets(o.Static)
	if err != nil {
		return nil, fmt.Errorf("web: assets: %w", err)
	}
	if o.HeaderTimeout <= 0 {
		o.HeaderTimeout = 10 * time.Second
	}
	if o.BodyMinRate <= 0 {
		o.BodyMinRate = 32 << 10
	}
	if o.BodyLimit <= 0 {
		o.BodyLimit = fiber.DefaultBodyLimit
	}
	s := &Server{Assets: assets, I18n: cat, log: o.Log, production: o.Production, baseURL: o.BaseURL, metrics: newMetrics(),
		csrfExempt: map[string]bool{}, bodyLimit: o.BodyLimit, maxUpload: o.MaxUpload}
	if s.proxies, err = ParseProxies(o.TrustedProxies); err != nil {
		return nil, fmt.Errorf("web: trusted proxies: %w", err)
	}

	engine := html.NewFileSystem(http.FS(o.Theme), ".html")
	s.engine = engine
	engine.AddFuncMap(s.funcs())
	if err := engine.Load(); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	s.App = fiber.New(fiber.Config{
		Views:                 engine,
		ErrorHandler:          s.handleError,
		BodyLimit:             o.BodyLimit,
		DisableStartupMessage: true,
		ReadTimeout:           o.HeaderTimeout,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,

		// Bodies are read off the connection by readBody, multipart files spooled to disk,
		// instead of whole into memory before the handlers run.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,

		// c.IP() is the client address clientAddress resolved; X-Forwarded-Proto and -Host count
		// only from trusted proxies.
		ProxyHeader:             clientHeader,
		EnableTrustedProxyCheck: true,
		TrustedProxies:          proxyList(s.proxies),
		StrictRouting:           false,
		CaseSensitive:           true,
	})
	fiberlog.SetLogger(fiberLogger{s.log})
	s.App.Server().HeaderReceived = BodyDeadline(o.HeaderTimeout, o.BodyMinRate, o.BodyLimit)
	s.App.Use(recover.New())
	s.App.Use(s.clientAddress)
	// The body is read before the request is timed, logged and given its deadline, as when
	// fasthttp read it whole: a slow upload is bounded by BodyDeadline, not by RequestTimeout.
	s.App.Use(s.readBody)
	// Pages and API answers go out Brotli- or gzip-compressed; static files carry their own
	// compressed forms and the websocket is not an HTTP body.
	s.App.Use(compress.New(compress.Config{Level: compress.LevelDefault, Next: func(c *fiber.Ctx) bool {
		return strings.HasPrefix(c.Path(), "/static/") || c.Path() == "/ws"
	}}))
	s.App.Use(s.metrics.handler)
	s.App.Use(s.logRequests)
	if !o.Production {
		s.App.Use(canonicalHost(o.BaseURL))
	}
	if o.RequestTimeout > 0 {
		s.App.Use(deadline(o.RequestTimeout))
	}
	s.App.Use(securityHeaders(o.Production))
	s.App.Use(s.language)
	s.App.Use(validInput)
	s.App.Use(s.csrf)
	if o.PageCache > 0 {
		s.Pages = NewPageCache(o.PageCache, 5000, o.SessionCookie)
		s.App.Use(s.Pages.handler)
	}
	s.App.Get("/static/:hash/*", assets.Handler)
	s.App.Get("/favicon.ico", func(c *fiber.Ctx) error { // browsers ask for it on pages without a <link rel=icon>
		return c.Redirect(assets.URL("img/favicon.svg"), fiber.StatusMovedPermanently)
	})
	s.App.Get("/metrics", s.metrics.expose())
	return s, nil
}

// proxyList writes trusted proxies as Fiber reads them: addresses alone, ranges in CIDR notation.
func proxyList(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		if p.IsSingleIP() {
			out[i] = p.Addr().String()
		} else {
			out[i] = p.String()
		}
	}
	return out
}

// deadline gives each request's context a deadline, so work that waits on the database (or any
// other context-aware dependency) ends in a bounded time with 503 instead of holding the client.
func deadline(d time.Duration) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Path() == "/ws" {
			return c.Next()
		}
		ctx, cancel := context.WithTimeout(c.UserContext(), d)
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	}
}

// NotFound is the last handler: every unmatched route gets the theme's 404 page.
func (s *Server) NotFound(c *fiber.Ctx) error { return fiber.ErrNotFound }

func (s *Server) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.App.ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	level := slog.LevelDebug
	if status >= 500 {
		level = slog.LevelWarn
	}
	s.log.Log(c.UserContext(), level, "request", "method", c.Method(), "path", c.Path(), "status", status,
		"duration", time.Since(start), "ip", c.IP())
	return nil
}

// language picks the interface language: ?lang= (remembered in a cookie), the cookie, then
// Accept-Language.
func (s *Server) language(c *fiber.Ctx) error {
	lang := c.Query("lang")
	if i18n.Supported(lang) {
		c.Cookie(&fiber.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			Secure: s.production, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	} else if l := c.Cookies("lang"); i18n.Supported(l) {
		lang = l
	} else {
		lang = s.I18n.Match(c.Get(fiber.HeaderAcceptLanguage))
	}
	c.Locals("lang", lang)
	c.Set(fiber.HeaderContentLanguage, lang)
	c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
	return c.Next()
}

// Lang returns the request's interface language.
func Lang(c *fiber.Ctx) string {
	if l, ok := c.Locals("lang").(string); ok {
		return l
	}
	return i18n.Default
}

// T translates id into the request's language.
func (s *Server) T(c *fiber.Ctx, id string, args ...any) string {
	return s.I18n.T(Lang(c), id, args...)
}

// IsHTMX reports whether the request comes from htmx (and so wants a fragment).
func IsHTMX(c *fiber.Ctx) bool {
	return c.Get("HX-Request") == "true" && c.Get("HX-History-Restore-Request") != "true"
}

// MaxUploadMB is the largest file an upload form accepts, in whole megabytes (MiB, as people
// read the sizes their computer shows).
func (s *Server) MaxUploadMB() int64 { return s.maxUpload >> 20 }

func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

// base returns the data every template receives.
func (s *Server) base(c *fiber.Ctx, data fiber.Map) fiber.Map {
	m := fiber.Map{
		"Lang":      Lang(c),
		"Path":      c.Path(),
		"URL":       c.OriginalURL(),
		"BaseURL":   s.baseURL,
		"Languages": i18n.Languages,
	}
	if extra, ok := c.Locals(dataLocal).(fiber.Map); ok {
		for k, v := range extra {
			m[k] = v
		}
	}
	for k, v := range data {
		m[k] = v
	}
	if si, ok := c.Locals("web.session").(SessionInfo); ok {
		m["Session"] = si // partials/session
	}
	if items, ok := c.Locals("web.menu").([]MenuItem); ok {
		m["Menu"] = items
	}
	if n, ok := c.Locals("web.bell").(int); ok {
		m["Bell"] = n
	}
	if v := c.Locals("web.viewer"); v != nil {
		m["Viewer"] = v
		s.CSRFToken(c) // logged-in pages carry forms (logout) on every page
	}
	if _, ok := m["CSRF"]; !ok {
		if tok, ok := c.Locals(csrfLocal).(string); ok {
			m["CSRF"] = tok
		}
	}
	return m
}

// Page renders the page template name inside the main layout. The page is rendered first and
// handed to the layout as .Content: rendering both without the engine's layout mechanism (which
// takes an exclusive lock for every render) lets pages render in parallel.
func (s *Server) Page(c *fiber.Ctx, name string, data fiber.Map) error {
	m := s.base(c, data)
	if msg, warning, link := s.takeFlash(c); msg != "" {
		m["Flash"], m["FlashWarning"], m["FlashLink"] = msg, warning, link // partials/flash, at the top of the main content
	}
	var page bytes.Buffer
	if err := s.engine.Render(&page, name, m); err != nil {
		return err
	}
	m["Content"] = template.HTML(page.String()) //nolint:gosec // rendered by html/template
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return s.engine.Render(c, "layouts/main", m)
}

// Fragment renders the template name alone, for htmx swaps.
func (s *Server) Fragment(c *fiber.Ctx, name string, data fiber.Map) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Vary("HX-Request")
	return c.Render(name, s.base(c, data))
}

// PageOrFragment renders fragment for htmx requests and the whole page otherwise.
func (s *Server) PageOrFragment(c *fiber.Ctx, page, fragment string, data fiber.Map) error {
	c.Vary("HX-Request")
	if IsHTMX(c) {
		return s.Fragment(c, fragment, data)
	}
	return s.Page(c, page, data)
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"t":     func(lang, id string, args ...any) string { return s.I18n.T(lang, id, args...) },
		"asset": s.Assets.URL,
		// maxUpload and maxUploadMB are the largest file an upload form accepts (data-max-bytes, hints).
		"maxUpload":   func() int64 { return s.maxUpload },
		"maxUploadMB": s.MaxUploadMB,
		"date":        s.Date,
		"isodate":     func(t time.Time) string { return t.Format("2006-01-02") },
		// once is a fresh one-time token for a form's hidden once.Field.
		"once":  once.NewToken,
		"clock": s.clock,
		"add":   func(a, b int) int { return a + b },
		"sub":   func(a, b int) int { return a - b },
		"query": func(path string, kv ...any) string {
			v := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				if val := fmt.Sprint(kv[i+1]); val != "" && val != "0" {
					v.Set(fmt.Sprint(kv[i]), val)
				}
			}
			if len(v) == 0 {
				return path
			}
			return path + "?" + v.Encode()
		},
		// pageURL returns the request URL with its "pagina" parameter set to page, keeping filters.
		"pageURL": func(raw string, page int) string {
			u, err := url.Parse(raw)
			if err != nil {
				return "?pagina=" + strconv.Itoa(page)
			}
			q := u.Query()
			q.Del("lang")
			if page <= 1 {
				q.Del("pagina")
			} else {
				q.Set("pagina", strconv.Itoa(page))
			}
			u.RawQuery = q.Encode()
			return u.String()
		},
		"humanSize": func(n int64) string {
			switch {
			case n >= 1<<20:
				return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
			case n >= 1<<10:
				return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " kB"
			}
			return strconv.FormatInt(n, 10) + " B"
		},
		// paragraphs splits a text at its blank lines, for free text shown as paragraphs.
		"paragraphs": func(text string) []string {
			var out []string
			for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
			return out
		},
		"hasPrefix":   strings.HasPrefix,
		"join":        strings.Join,
		"fieldErrors": FieldErrors,
		"list":        func(v ...string) []string { return v },
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}
}

// Date writes a day in lang ("4 dicembre 2026"), "" for the zero time.
func (s *Server) Date(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.Itoa(t.Day()) + " " + s.I18n.T(lang, "month."+strconv.Itoa(int(t.Month()))) + " " + strconv.Itoa(t.Year())
}

// SetBell records the viewer's unread notifications, for the header's bell.
func SetBell(c *fiber.Ctx, unread int) { c.Locals("web.bell", unread) }

// SetViewer records who is asking, for templates (the header's reserved-area menu); the web layer
// treats it as opaque.
func SetViewer(c *fiber.Ctx, v any) { c.Locals("web.viewer", v) }

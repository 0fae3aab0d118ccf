package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// contentSecurityPolicy allows only this origin's scripts, styles, fonts and images, no inline
// code, no framing; connect-src admits same-origin websockets for later realtime pages. Fonts may
// also come from data: URIs, which Bootstrap Italia's stylesheet embeds for its icon font.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"

// securityHeaders sets the headers every response carries.
func securityHeaders(production bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := &c.Response().Header
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if production {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		return c.Next()
	}
}

// CSRF protection: a random token in a cookie must come back, in the form field or in the header,
// with every state-changing request (double submit), and cross-site requests announced by the
// browser through Sec-Fetch-Site are refused outright.
const (
	csrfField  = "_csrf"
	csrfHeader = "X-CSRF-Token"
	csrfLocal  = "csrf"
)

func (s *Server) csrfCookieName() string {
	if s.production {
		return "__Host-csrf"
	}
	return "csrf"
}

// CSRFToken returns the request's CSRF token, issuing the cookie that carries it when missing.
func (s *Server) CSRFToken(c *fiber.Ctx) string {
	if t, ok := c.Locals(csrfLocal).(string); ok && t != "" {
		return t
	}
	t := c.Cookies(s.csrfCookieName())
	if len(t) != 43 {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		t = base64.RawURLEncoding.EncodeToString(b)
		c.Cookie(&fiber.Cookie{Name: s.csrfCookieName(), Value: t, Path: "/", HTTPOnly: true,
			Secure: s.production, SameSite: fiber.CookieSameSiteLaxMode})
	}
	c.Locals(csrfLocal, t)
	return t
}

// ExemptFromCSRF lets POSTs to path through without a token: only for endpoints that carry their
// own proof of origin, such as a SAML assertion consumer (signed response, InResponseTo).
func (s *Server) ExemptFromCSRF(path string) { s.csrfExempt[path] = true }

func (s *Server) csrf(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if s.csrfExempt[c.Path()] {
		return c.Next()
	}
	api := strings.HasPrefix(c.Path(), "/api/v1/")
	if api && c.Get(fiber.HeaderAuthorization) != "" {
		// The headless API's writes are authorised by the token alone, never by a cookie: a
		// cross-site page cannot make a browser send it. A bad token is refused with 401 next.
		return c.Next()
	}
	if api && !s.csrfPassed(c) {
		// No token and no cookie proof: what the API lacks is a token.
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="`+Realm+`"`)
		return s.SendProblem(c, fiber.StatusUnauthorized, "api.token.missing")
	}
	if !s.csrfPassed(c) {
		return ErrCSRF
	}
	c.Locals(csrfLocal, c.Cookies(s.csrfCookieName()))
	return c.Next()
}

// csrfPassed reports whether a state-changing request proves it comes from our own pages: not
// announced as cross-site, and carrying the cookie's token back.
func (s *Server) csrfPassed(c *fiber.Ctx) bool {
	if site := c.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return false
	}
	cookie := c.Cookies(s.csrfCookieName())
	sent := c.Get(csrfHeader)
	if sent == "" {
		sent = c.FormValue(csrfField)
	}
	return cookie != "" && subtle.ConstantTimeCompare([]byte(cookie), []byte(strings.TrimSpace(sent))) == 1
}

package web

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// canonicalHost is the dev-mode middleware that sends a request for another host (127.0.0.1 when
// the base URL says localhost, say) to the same path on the base URL's host: cookies, the SAML
// flow and the websocket origin check are all bound to that host, and a login started elsewhere
// would fail with an identity provider's error. Probes (/healthz, /readyz, /metrics) answer on any
// host.
func canonicalHost(baseURL string) fiber.Handler {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	host, origin := strings.ToLower(u.Host), u.Scheme+"://"+u.Host
	if u.Scheme == "http" {
		host = strings.TrimSuffix(host, ":80")
	}
	return func(c *fiber.Ctx) error {
		switch c.Path() {
		case "/healthz", "/readyz", "/metrics":
			return c.Next()
		}
		got := strings.ToLower(c.Hostname())
		if u.Scheme == "http" {
			got = strings.TrimSuffix(got, ":80")
		}
		if got == host {
			return c.Next()
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Redirect(origin+c.OriginalURL(), fiber.StatusTemporaryRedirect)
	}
}

package web

import (
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// PageCache keeps the HTML that anonymous visitors get, so public pages are rendered once per
// language and URL instead of once per request. A response is kept only when it is a 200 HTML
// page that sets no cookie (pages with forms set the CSRF cookie, so they are never kept), and
// for at most TTL; Clear drops everything when content changes. Requests carrying a session
// cookie always go to the handlers.
type PageCache struct {
	mu      sync.RWMutex
	ttl     time.Duration
	max     int
	items   map[string]cachedPage
	session string // the session cookie's name
}

type cachedPage struct {
	body        []byte
	contentType string
	expires     time.Time
}

// maxCachedBody is the largest page kept.
const maxCachedBody = 512 << 10

// NewPageCache returns a cache of at most max pages, each kept for at most ttl.
func NewPageCache(ttl time.Duration, max int, sessionCookie string) *PageCache {
	return &PageCache{ttl: ttl, max: max, items: map[string]cachedPage{}, session: sessionCookie}
}

// Clear drops every kept page.
func (p *PageCache) Clear() {
	p.mu.Lock()
	p.items = map[string]cachedPage{}
	p.mu.Unlock()
}

// DropPath drops the kept pages whose path starts with prefix ("/cerca"): for what changes
// with something other than content, such as the search index.
func (p *PageCache) DropPath(prefix string) {
	p.mu.Lock()
	for k := range p.items {
		if parts := strings.SplitN(k, "|", 3); len(parts) == 3 && strings.HasPrefix(parts[2], prefix) {
			delete(p.items, k)
		}
	}
	p.mu.Unlock()
}

// Len returns how many pages are kept.
func (p *PageCache) Len() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.items)
}

func (p *PageCache) handler(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodGet || c.Cookies(p.session) != "" || c.Cookies(flashCookie) != "" || c.Cookies("__Host-"+p.session) != "" {
		return c.Next()
	}
	key := Lang(c) + "|" + c.Get("HX-Request") + c.Get("HX-History-Restore-Request") + "|" + c.OriginalURL()
	now := time.Now()
	p.mu.RLock()
	it, ok := p.items[key]
	p.mu.RUnlock()
	if ok && now.Before(it.expires) {
		c.Set(fiber.HeaderContentType, it.contentType)
		c.Set("X-Cache", "hit")
		return c.Send(it.body)
	}
	if err := c.Next(); err != nil {
		return err
	}
	res := c.Response()
	ct := string(res.Header.ContentType())
	// A page that carries a CSRF token is the visitor's own, even when the cookie was already
	// there (no Set-Cookie): served to the next visitor, its form would be refused.
	_, csrf := c.Locals(csrfLocal).(string)
	if res.StatusCode() != fiber.StatusOK || csrf || hasSetCookie(res) || strings.Contains(string(res.Header.Peek(fiber.HeaderCacheControl)), "no-store") ||
		len(ct) < 9 || ct[:9] != "text/html" || len(res.Body()) > maxCachedBody {
		return nil
	}
	body := append([]byte(nil), res.Body()...)
	p.mu.Lock()
	if len(p.items) >= p.max {
		p.items = map[string]cachedPage{}
	}
	p.items[key] = cachedPage{body: body, contentType: ct, expires: now.Add(p.ttl)}
	p.mu.Unlock()
	return nil
}

func hasSetCookie(res *fiber.Response) bool {
	found := false
	res.Header.VisitAllCookie(func(_, _ []byte) { found = true })
	return found
}

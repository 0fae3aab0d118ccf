package preview

import (
	"github.com/gofiber/fiber/v2"

	"passhub/app/content"
	"passhub/app/web"
)

// Show renders an entry's page as the portal does; extra adds to the template's data.
type Show func(c *fiber.Ctx, d *content.Definition, p *content.Published, extra fiber.Map) error

// Handlers serve the preview links.
type Handlers struct {
	web  *web.Server
	svc  *Service
	show Show
}

// NewHandlers returns the handlers of the public preview page.
func NewHandlers(w *web.Server, svc *Service, show Show) *Handlers {
	return &Handlers{web: w, svc: svc, show: show}
}

// errorStatus is how a link that does not open is answered.
var errorStatus = web.Errors{
	ErrTampered: {Code: fiber.StatusForbidden, Message: "preview.error.tampered"},
	ErrExpired:  {Code: fiber.StatusGone, Message: "preview.error.expired"},
	ErrRevoked:  {Code: fiber.StatusGone, Message: "preview.error.revoked"},
}

// Mount registers GET /anteprima/:token: public, the signature is the permission.
func (h *Handlers) Mount(r fiber.Router) {
	r.Get("/anteprima/:token", h.view)
}

func (h *Handlers) view(c *fiber.Ctx) error {
	// Never kept by the page cache, a proxy or the browser, never indexed.
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Robots-Tag", "noindex, nofollow")
	c.Set("Referrer-Policy", "no-referrer") // the token stays out of the Referer of the page's links
	p, def, l, err := h.svc.Open(c.UserContext(), c.Params("token"))
	if err != nil {
		st, ok := errorStatus.Of(err)
		if !ok {
			return err
		}
		c.Status(st.Code)
		return h.web.Page(c, "pages/error", fiber.Map{"Status": st.Code, "Title": h.web.T(c, "preview.error.title"),
			"Message": h.web.Say(c, st), "NoIndex": true})
	}
	return h.show(c, def, p, fiber.Map{"NoIndex": true, "PreviewUntil": l.Expires})
}

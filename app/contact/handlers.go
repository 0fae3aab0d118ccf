package contact

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"passhub/app/access"
	"passhub/app/content"
	"passhub/app/once"
	"passhub/app/web"
)

// Handlers serve the contact form.
type Handlers struct {
	web     *web.Server
	svc     *Service
	content *content.Service
	limit   int
	window  time.Duration
}

// NewHandlers returns the contact handlers; POST /contatti is limited to limit messages per window
// per address.
func NewHandlers(w *web.Server, svc *Service, cs *content.Service, limit int, window time.Duration) *Handlers {
	return &Handlers{web: w, svc: svc, content: cs, limit: limit, window: window}
}

// Mount registers GET and POST /contatti and the staff's list of messages.
func (h *Handlers) Mount(r fiber.Router) {
	limit, window := h.limit, h.window
	r.Get("/contatti", h.show)
	r.Post("/contatti", limiter.New(limiter.Config{
		Max: limit, Expiration: window, SkipFailedRequests: true, // only messages actually sent count
		LimitReached: func(c *fiber.Ctx) error {
			c.Status(fiber.StatusTooManyRequests)
			return h.render(c, Form{}, nil, h.web.T(c, "contact.limited"), false)
		},
	}), h.send)
	r.Get("/admin/messaggi", access.Require(access.ReadContactMessages, nil), h.list)
}

// list shows the staff the messages received, newest first, a page at a time.
func (h *Handlers) list(c *fiber.Ctx) error {
	page, err := strconv.Atoi(c.Query("pagina", "1"))
	if err != nil || page < 1 || page > 100000 {
		page = 1
	}
	msgs, total, err := h.svc.Page(c.UserContext(), page)
	if err != nil {
		return err
	}
	pages := (total + PageSize - 1) / PageSize
	if page > 1 && page > pages {
		return fiber.ErrNotFound
	}
	return h.web.Page(c, "contact/admin_list", fiber.Map{"Title": h.web.T(c, "contact.admin.title"), "Messages": msgs, "Total": total,
		"Pager": struct{ Page, Pages int }{page, pages}})
}

func (h *Handlers) show(c *fiber.Ctx) error {
	h.web.CSRFToken(c)
	return h.render(c, Form{}, nil, "", false)
}

func (h *Handlers) send(c *fiber.Ctx) error {
	f := Form{Name: c.FormValue("name"), Email: c.FormValue("email"), Ente: c.FormValue("ente"),
		Subject: c.FormValue("subject"), Message: c.FormValue("message"), Website: c.FormValue("website")}
	ctx, err := once.Bind(c.UserContext(), c.FormValue(once.Field), 0, "", nil)
	if err != nil {
		c.Status(fiber.StatusBadRequest)
		return h.render(c, f, nil, h.web.T(c, "once.bad"), false)
	}
	_, err = h.svc.Send(ctx, f, web.Lang(c), c.IP())
	var verr *ValidationError
	var replay *once.Replayed
	switch {
	case err == nil, errors.As(err, &replay): // sent again: the same acknowledgment, nothing stored
		return h.render(c, Form{}, nil, "", true)
	case errors.As(err, &verr):
		c.Status(fiber.StatusUnprocessableEntity)
		msgs := map[string]string{}
		for name, fe := range verr.Fields {
			msgs[name] = h.web.T(c, fe.ID, fe.Args...)
		}
		return h.render(c, f, msgs, h.web.T(c, "contact.errors"), false)
	}
	if st, ok := errorStatus.Of(err); ok {
		c.Status(st.Code)
		return h.render(c, Form{}, nil, h.web.Say(c, st), false) // what was typed is not shown again
	}
	return err
}

// errorStatus is how the contact form answers the errors of the package; its field errors
// (ValidationError) are answered next to their fields.
var errorStatus = web.Errors{
	ErrSpam: {Code: fiber.StatusUnprocessableEntity, Message: "contact.rejected"},
}

func (h *Handlers) render(c *fiber.Ctx, f Form, errs map[string]string, alert string, sent bool) error {
	h.web.CSRFToken(c)
	data := fiber.Map{"Title": h.web.T(c, "contact.title"), "Form": f, "Errors": errs, "Alert": alert, "Sent": sent}
	if !web.IsHTMX(c) {
		if info, err := h.content.Published(c.UserContext(), content.TypePage, "contatti"); err == nil {
			data["Info"] = info
		}
	}
	return h.web.PageOrFragment(c, "contact/page", "contact/form", data)
}

package webhook

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/web"
)

// Handlers serve the admins' pages of webhooks.
type Handlers struct {
	Web *web.Server
	Svc *Service
}

// NewHandlers returns the admins' webhook handlers.
func NewHandlers(w *web.Server, svc *Service) *Handlers { return &Handlers{Web: w, Svc: svc} }

// Mount registers the /admin/webhook routes, and the webhook gauges on /metrics.
func (h *Handlers) Mount(r fiber.Router) {
	h.Web.Registry().MustRegister(h.Svc.Collector())
	admin := access.Require(access.ManageWebhooks, nil)
	r.Get("/admin/webhook", admin, h.list)
	r.Post("/admin/webhook", admin, h.create)
	r.Get("/admin/webhook/:id", admin, h.endpoint)
	r.Post("/admin/webhook/:id/stato", admin, h.setEnabled)
	r.Post("/admin/webhook/:id/elimina", admin, h.delete)
	r.Post("/admin/webhook/:id/consegne/:did/reinvia", admin, h.redeliver)
}

func actor(c *fiber.Ctx) Actor { return Actor(web.ActorOf(c)) }

func (h *Handlers) list(c *fiber.Ctx) error { return h.renderList(c, Form{}, "", nil) }

func (h *Handlers) renderList(c *fiber.Ctx, f Form, alert string, fields map[string]string) error {
	h.Web.CSRFToken(c)
	eps, err := h.Svc.Endpoints(c.UserContext())
	if err != nil {
		return err
	}
	picked := map[string]bool{}
	for _, e := range f.Events {
		picked[e] = true
	}
	return h.Web.Page(c, "webhook/list", fiber.Map{"Title": h.Web.T(c, "admin.webhooks"), "Endpoints": eps, "Hooks": h.Svc.Hooks(),
		"Form": f, "Picked": picked, "Alert": alert, "Errors": fields})
}

func (h *Handlers) create(c *fiber.Ctx) error {
	f := Form{URL: c.FormValue("url"), Description: c.FormValue("description"), Internal: c.FormValue("internal") == "1"}
	for _, v := range c.Request().PostArgs().PeekMulti("events") {
		f.Events = append(f.Events, string(v))
	}
	ep, err := h.Svc.Create(c.UserContext(), actor(c), f)
	if err != nil {
		st, ok := formErrors.Of(err)
		if !ok {
			return err
		}
		c.Status(st.Code)
		if errors.Is(err, ErrTooMany) {
			return h.renderList(c, f, h.Web.T(c, st.Message, "Max", h.Svc.Options().MaxEndpoints), nil)
		}
		return h.renderList(c, f, "", map[string]string{st.Field: h.Web.Say(c, st)})
	}
	// The secret is shown on this answer only: the page after a reload no longer has it.
	c.Status(fiber.StatusCreated)
	return h.renderEndpoint(c, ep, ep.Secret, "")
}

func (h *Handlers) endpoint(c *fiber.Ctx) error {
	id, err := web.ID(c, "id")
	if err != nil {
		return err
	}
	ep, err := h.Svc.Endpoint(c.UserContext(), id)
	if err != nil {
		return h.fail(c, err)
	}
	return h.renderEndpoint(c, ep, "", "")
}

func (h *Handlers) renderEndpoint(c *fiber.Ctx, ep *Endpoint, secret, alert string) error {
	h.Web.CSRFToken(c)
	ds, err := h.Svc.Deliveries(c.UserContext(), ep.ID, 100)
	if err != nil {
		return err
	}
	return h.Web.Page(c, "webhook/endpoint", fiber.Map{"Title": ep.URL, "Endpoint": ep, "Secret": secret, "Deliveries": ds,
		"Alert": alert, "DisableAfter": h.Svc.opts.DisableAfter,
		"Crumbs": []map[string]string{{"URL": "/admin/webhook", "Label": h.Web.T(c, "admin.webhooks")}}})
}

// fail answers an error of the table with its status and message, any other as the server does.
func (h *Handlers) fail(c *fiber.Ctx, err error) error {
	st, ok := formErrors.Of(err)
	if !ok {
		return err
	}
	return fiber.NewError(st.Code, h.Web.Say(c, st))
}

func (h *Handlers) setEnabled(c *fiber.Ctx) error {
	id, err := web.ID(c, "id")
	if err != nil {
		return err
	}
	enabled := c.FormValue("enabled") == "1"
	if err := h.Svc.SetEnabled(c.UserContext(), actor(c), id, enabled); err != nil {
		return h.fail(c, err)
	}
	h.Web.Flash(c, map[bool]string{true: "webhook.enabled", false: "webhook.disabled"}[enabled])
	return c.Redirect("/admin/webhook/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

func (h *Handlers) delete(c *fiber.Ctx) error {
	id, err := web.ID(c, "id")
	if err != nil {
		return err
	}
	ep, err := h.Svc.Endpoint(c.UserContext(), id)
	if err != nil {
		return h.fail(c, err)
	}
	if !web.Confirmed(c) { // nothing irreversible on one click, with or without JavaScript
		page := "/admin/webhook/" + strconv.FormatInt(id, 10)
		return h.Web.Confirm(c, web.Confirmation{Title: h.Web.T(c, "webhook.delete.title"), Subject: ep.URL,
			Consequences: []string{h.Web.T(c, "webhook.delete.consequence")}, Action: page + "/elimina",
			Submit: h.Web.T(c, "webhook.delete"), Cancel: page, Danger: true,
			Crumbs: []map[string]string{{"URL": "/admin/webhook", "Label": h.Web.T(c, "admin.webhooks")}, {"URL": page, "Label": ep.URL}}})
	}
	if err := h.Svc.Delete(c.UserContext(), actor(c), id); err != nil {
		return h.fail(c, err)
	}
	h.Web.Flash(c, "webhook.deleted")
	return c.Redirect("/admin/webhook", fiber.StatusSeeOther)
}

func (h *Handlers) redeliver(c *fiber.Ctx) error {
	id, err := web.ID(c, "id")
	if err != nil {
		return err
	}
	did, err := web.ID(c, "did")
	if err != nil {
		return err
	}
	if _, err := h.Svc.Redeliver(c.UserContext(), actor(c), id, did); err != nil {
		st, ok := formErrors.Of(err)
		if !ok || st.Code == fiber.StatusNotFound {
			return h.fail(c, err)
		}
		ep, lerr := h.Svc.Endpoint(c.UserContext(), id)
		if lerr != nil {
			return h.fail(c, lerr)
		}
		c.Status(st.Code)
		return h.renderEndpoint(c, ep, "", h.Web.Say(c, st))
	}
	h.Web.Flash(c, "webhook.redelivered")
	return c.Redirect("/admin/webhook/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

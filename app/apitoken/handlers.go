package apitoken

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/once"
	"passhub/app/web"
)

// Handlers serve the admins' token pages and authenticate the API's requests.
type Handlers struct {
	web *web.Server
	svc *Service
}

// NewHandlers returns the token handlers.
func NewHandlers(w *web.Server, svc *Service) *Handlers { return &Handlers{web: w, svc: svc} }

// Base is the address of the admins' token pages.
const Base = "/admin/token-api"

// Mount registers the admins' pages: the list with the form of a new token, its creation (which
// shows the secret once), and a revocation with its confirmation.
func (h *Handlers) Mount(r fiber.Router) {
	admin := access.Require(access.ManageAPITokens, nil)
	r.Get(Base, admin, h.list)
	r.Post(Base, admin, h.create)
	r.Get(Base+"/:id/revoca", admin, h.confirmRevoke)
	r.Post(Base+"/:id/revoca", admin, h.revoke)
}

// scopeOption is one scope checkbox of the form.
type scopeOption struct {
	Name    string
	Checked bool
}

// page renders the list and the form: f is the form as sent, secret the token just created.
func (h *Handlers) page(c *fiber.Ctx, f Form, created *Token, secret string, st *web.Status) error {
	h.web.CSRFToken(c)
	tokens, err := h.svc.List(c.UserContext())
	if err != nil {
		return err
	}
	opts := make([]scopeOption, 0, len(access.Scopes))
	for _, sc := range access.Scopes {
		checked := sc == access.ScopeReadPublished && f.Name == "" && st == nil // the form's default
		for _, s := range f.Scopes {
			checked = checked || s == sc
		}
		opts = append(opts, scopeOption{Name: sc, Checked: checked})
	}
	days := f.Days
	if days == 0 {
		days = 90
	}
	data := fiber.Map{"Title": h.web.T(c, "apitoken.title"), "Tokens": tokens, "Now": h.svc.Now(), "Form": f, "Once": h.onceToken(c, st),
		"Scopes": opts, "Lifetimes": Lifetimes, "Days": days, "Created": created, "Secret": secret}
	if st != nil {
		data["Alert"], data["Field"] = h.web.Say(c, *st), st.Field
	}
	if secret != "" {
		c.Set(fiber.HeaderCacheControl, "no-store") // the one page that shows the secret
	}
	return h.web.Page(c, "apitoken/admin_tokens", data)
}

// onceToken is the form's one-time token: the one it was sent with when it comes back with an
// error (nothing was made, so the token is still unused), a fresh one otherwise.
func (h *Handlers) onceToken(c *fiber.Ctx, st *web.Status) string {
	if t := c.FormValue(once.Field); st != nil && t != "" {
		return t
	}
	return once.NewToken()
}

func (h *Handlers) list(c *fiber.Ctx) error { return h.page(c, Form{}, nil, "", nil) }

func (h *Handlers) create(c *fiber.Ctx) error {
	f := Form{Name: c.FormValue("name")}
	for _, v := range c.Request().PostArgs().PeekMulti("scope") {
		f.Scopes = append(f.Scopes, string(v))
	}
	f.Days, _ = strconv.Atoi(c.FormValue("days"))
	// A second submission of the form (a reload of the page with the secret, a double click)
	// makes no second token: it goes back to the list.
	ctx, err := once.Bind(c.UserContext(), c.FormValue(once.Field), access.Of(c).UserID, "api_token", func(int64) string { return Base })
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, h.web.T(c, "once.bad"))
	}
	t, secret, err := h.svc.Create(ctx, Actor(web.ActorOf(c)), f)
	if err != nil {
		st, ok := formErrors.Of(err)
		if !ok {
			return err
		}
		c.Status(st.Code)
		return h.page(c, f, nil, "", &st)
	}
	c.Status(fiber.StatusCreated)
	return h.page(c, Form{}, t, secret, nil)
}

func (h *Handlers) confirmRevoke(c *fiber.Ctx) error {
	id, err := web.ID(c, "id")
	if err != nil {
		return err
	}
	t, err := h.svc.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	if t.Revoked() {
		return fiber.ErrNotFound
	}
	return h.web.Confirm(c, web.Confirmation{Title: h.web.T(c, "apitoken.revoke.title", "Name", t.Name), Subject: t.Display(),
		Action: c.Path(), Submit: h.web.T(c, "apitoken.revoke.submit"), Cancel: Base, Danger: true,
		Consequences: []string{h.web.T(c, "apitoken.revoke.1"), h.web.T(c, "apitoken.revoke.2")},
		Crumbs:       []map[string]string{{"URL": Base, "Label": h.web.T(c, "apitoken.title")}}})
}

func (h *Handlers) revoke(c *fiber.Ctx) error {
	id, err := web.ID(c, "id")
	if err != nil {
		return err
	}
	if !web.Confirmed(c) {
		return c.Redirect(c.Path(), fiber.StatusSeeOther) // to the confirmation page
	}
	if err := h.svc.Revoke(c.UserContext(), Actor(web.ActorOf(c)), id); err != nil {
		return err
	}
	return c.Redirect(Base, fiber.StatusSeeOther)
}

// Authenticate is the middleware of /api/v1. Without an Authorization header the request goes on
// as it came (the API is public for published content). With one, it must be "Bearer" and a
// valid token: the request's subject is then the token and its scopes alone, whatever session
// cookie comes with it. An invalid, expired or revoked token is 401 with a Bearer challenge,
// never anonymous access; an address that sent too many of them is 429.
func (h *Handlers) Authenticate(c *fiber.Ctx) error {
	c.Vary(fiber.HeaderAuthorization) // a shared cache keeps anonymous answers apart from the tokens'
	header := c.Get(fiber.HeaderAuthorization)
	if header == "" {
		return c.Next()
	}
	scheme, secret, _ := strings.Cut(strings.TrimSpace(header), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		secret = "" // another scheme: no token of ours, counted as a failure
	}
	t, err := h.svc.Verify(c.UserContext(), strings.TrimSpace(secret), c.IP())
	if err != nil {
		st, ok := authErrors.Of(err)
		if !ok {
			return err
		}
		if st.Code == fiber.StatusTooManyRequests {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(FailureWindow.Seconds())))
		} else {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="`+web.Realm+`", error="invalid_token"`)
		}
		return h.web.SendProblem(c, st.Code, st.Message)
	}
	access.Set(c, &access.Subject{Name: t.Name, Token: &access.Token{ID: t.ID, Name: t.Name, Scopes: t.ScopeList()}})
	if err := c.Next(); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store") // an answer to a token is the token's
	return nil
}

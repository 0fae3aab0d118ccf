package identity

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/auth"
	"passhub/app/web"
)

const viewerKey = "viewer"

// Handlers serve login, logout and session management, and complete logins for the providers.
type Handlers struct {
	web        *web.Server
	svc        *Service
	buttons    []auth.Button
	production bool
}

// NewHandlers returns the identity handlers; buttons are the providers' login buttons.
func NewHandlers(w *web.Server, svc *Service, buttons []auth.Button, production bool) *Handlers {
	return &Handlers{web: w, svc: svc, buttons: buttons, production: production}
}

// Mount registers the identity routes and the middleware that identifies the viewer.
func (h *Handlers) Mount(r fiber.Router) {
	r.Get("/accedi", h.login)
	r.Post("/esci", RequireLogin, h.logout)
	r.Post("/esci-ovunque", RequireLogin, h.logoutEverywhere)
	r.Get("/area-riservata/sessioni", RequireLogin, h.sessions)
	r.Post("/area-riservata/sessioni/:id/termina", RequireLogin, h.endSession)
}

// CookieName is the session cookie's name ("__Host-" prefixed in production).
const CookieName = "pass_session"

func (h *Handlers) cookieName() string {
	if h.production {
		return "__Host-" + CookieName
	}
	return CookieName
}

// Identify is the middleware that puts the request's viewer, if any, in the context.
func (h *Handlers) Identify(c *fiber.Ctx) error {
	token := c.Cookies(h.cookieName())
	if token != "" {
		v, err := h.svc.Authenticate(c.UserContext(), token)
		switch {
		case err == nil:
			c.Locals(viewerKey, v)
			web.SetViewer(c, v)
			c.Set(fiber.HeaderCacheControl, "private, no-store")
		case errors.Is(err, ErrNoSession):
			h.clearCookie(c)
		default:
			return err
		}
	}
	return c.Next()
}

// ViewerOf returns the request's viewer, or nil for anonymous visitors.
func ViewerOf(c *fiber.Ctx) *Viewer {
	v, _ := c.Locals(viewerKey).(*Viewer)
	return v
}

// RequireLogin sends anonymous visitors to the login page (GET) or refuses them with 401. An
// htmx request (a form or a live update on a page whose session ended) gets the 401 with
// HX-Redirect to the login page, which comes back to the page the browser shows.
func RequireLogin(c *fiber.Ctx) error {
	if ViewerOf(c) != nil {
		return c.Next()
	}
	if c.Get("HX-Request") == "true" {
		next := "/area-riservata"
		if u, err := url.Parse(c.Get("HX-Current-URL")); err == nil && u.Path != "" {
			next = u.RequestURI()
		}
		c.Set("HX-Redirect", "/accedi?next="+url.QueryEscape(SafeNext(next)))
		return fiber.ErrUnauthorized
	}
	if c.Method() == fiber.MethodGet {
		return c.Redirect("/accedi?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
	}
	return fiber.ErrUnauthorized
}

func clientOf(c *fiber.Ctx) Client {
	return Client{IP: c.IP(), UserAgent: c.Get(fiber.HeaderUserAgent)}
}

// SafeNext returns next as a normalised path on this site (auth.LocalPath), else the reserved
// area's home.
func SafeNext(next string) string {
	if p := auth.LocalPath(next); p != "" {
		return p
	}
	return "/area-riservata"
}

// CompleteLogin opens a session for a proved identity and redirects to returnTo.
func (h *Handlers) CompleteLogin(c *fiber.Ctx, id auth.Identity, returnTo string) error {
	if old := c.Cookies(h.cookieName()); old != "" {
		if v, err := h.svc.Authenticate(c.UserContext(), old); err == nil {
			_ = h.svc.Logout(c.UserContext(), v, clientOf(c)) // a new login never reuses a session
		}
	}
	_, token, err := h.svc.Login(c.UserContext(), id, clientOf(c))
	if err != nil {
		return h.FailLogin(c, err)
	}
	h.setSession(c, token)
	return c.Redirect(SafeNext(returnTo), fiber.StatusSeeOther)
}

// setSession gives the browser the session cookie.
func (h *Handlers) setSession(c *fiber.Ctx, token string) {
	c.Cookie(&fiber.Cookie{Name: h.cookieName(), Value: token, Path: "/", HTTPOnly: true, Secure: h.production,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Now().Add(h.svc.Absolute)})
}

// FailLogin shows the login page with a message saying why the login was refused.
func (h *Handlers) FailLogin(c *fiber.Ctx, reason error) error {
	msg := "login.error.refused"
	switch {
	case errors.Is(reason, ErrDisabled):
		msg = "login.error.disabled"
	case errors.Is(reason, auth.ErrLevel):
		msg = "login.error.level"
	case errors.Is(reason, auth.ErrNoCode):
		msg = "login.error.code"
	case errors.Is(reason, auth.ErrCancelled):
		msg = "login.error.cancelled"
	}
	c.Status(fiber.StatusUnauthorized)
	return h.renderLogin(c, h.web.T(c, msg))
}

func (h *Handlers) clearCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: h.cookieName(), Value: "", Path: "/", HTTPOnly: true, Secure: h.production,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(0, 0), MaxAge: -1})
}

func (h *Handlers) login(c *fiber.Ctx) error {
	if ViewerOf(c) != nil {
		return c.Redirect(SafeNext(c.Query("next")), fiber.StatusSeeOther)
	}
	return h.renderLogin(c, "")
}

func (h *Handlers) renderLogin(c *fiber.Ctx, alert string) error {
	next := SafeNext(c.Query("next"))
	buttons := make([]auth.Button, 0, len(h.buttons))
	for _, b := range h.buttons {
		b.URL = b.URL + sep(b.URL) + "next=" + url.QueryEscape(next)
		buttons = append(buttons, b)
	}
	return h.web.Page(c, "identity/login", fiber.Map{"Title": h.web.T(c, "login.title"), "Buttons": buttons, "Alert": alert})
}

func sep(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}

func (h *Handlers) logout(c *fiber.Ctx) error {
	if err := h.svc.Logout(c.UserContext(), ViewerOf(c), clientOf(c)); err != nil {
		return err
	}
	h.clearCookie(c)
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (h *Handlers) logoutEverywhere(c *fiber.Ctx) error {
	if _, err := h.svc.LogoutEverywhere(c.UserContext(), ViewerOf(c), clientOf(c)); err != nil {
		return err
	}
	h.clearCookie(c)
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (h *Handlers) sessions(c *fiber.Ctx) error {
	v := ViewerOf(c)
	list, err := h.svc.Sessions(c.UserContext(), v)
	if err != nil {
		return err
	}
	h.web.CSRFToken(c)
	return h.web.Page(c, "identity/sessions", fiber.Map{"Title": h.web.T(c, "sessions.title"), "Sessions": list, "Current": v.Session.ID})
}

func (h *Handlers) endSession(c *fiber.Ctx) error {
	v := ViewerOf(c)
	id := c.Params("id")
	if err := h.svc.EndSession(c.UserContext(), v, id, clientOf(c)); err != nil {
		return err
	}
	if id == v.Session.ID {
		h.clearCookie(c)
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return c.Redirect("/area-riservata/sessioni", fiber.StatusSeeOther)
}

package identity

import (
	"errors"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/auth"
	"passhub/app/db"
	"passhub/app/web"
)

const viewerKey = "viewer"

// Handlers serve login, logout and session management, and complete logins for the providers.
type Handlers struct {
	web        *web.Server
	svc        *Service
	buttons    []auth.Button
	production bool
	// Background tells the requests a page makes by itself (the bell's poll, live updates): they
	// do not count as activity, so they never keep a session alive.
	Background func(c *fiber.Ctx) bool
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
	r.Get("/area-riservata/sessione", RequireLogin, h.sessionStatus)
	r.Post("/area-riservata/sessione", RequireLogin, h.extend)
	r.Get("/area-riservata/ripresa", RequireLogin, h.resume)
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

// Identify is the middleware that puts the request's viewer, if any, in the context, with when
// their session ends. A form posted just after the session ended is kept for its author, who is
// asked to log in again and then finds it.
func (h *Handlers) Identify(c *fiber.Ctx) error {
	token := c.Cookies(h.cookieName())
	if token != "" {
		background := h.Background != nil && h.Background(c)
		var v *Viewer
		var err error
		if background {
			v, err = h.svc.Check(c.UserContext(), token)
		} else {
			v, err = h.svc.Authenticate(c.UserContext(), token)
		}
		var expired *ExpiredError
		switch {
		case err == nil:
			c.Locals(viewerKey, v)
			web.SetViewer(c, v)
			idle, absolute := h.svc.Expiry(v)
			web.SetSession(c, web.SessionInfo{IdleAt: idle, AbsoluteAt: absolute, Now: h.svc.Now(), Warn: h.svc.Warn})
			c.Set(fiber.HeaderCacheControl, "private, no-store")
		case errors.As(err, &expired):
			c.Locals(expiredKey, true)
			if !background && c.Method() == fiber.MethodPost && reserved(c.Path()) {
				return h.keepTyped(c, expired.UserID)
			}
		case errors.Is(err, ErrNoSession):
			h.clearCookie(c)
		default:
			return err
		}
	}
	return c.Next()
}

const (
	expiredKey  = "identity.expired"
	draftCookie = "pass_draft"
	// resumePath shows what was kept of a form posted after the session ended.
	resumePath = "/area-riservata/ripresa"
)

func reserved(path string) bool {
	return strings.HasPrefix(path, "/area-riservata") || strings.HasPrefix(path, "/admin")
}

// keepTyped saves the fields of a form posted after the session ended, for its author, and sends
// them to log in again; files attached cannot be kept and are said to be lost.
func (h *Handlers) keepTyped(c *fiber.Ctx, userID int64) error {
	var fields []Field
	multipart, hadFiles := false, false
	if form, err := c.MultipartForm(); err == nil {
		multipart = true
		for name, values := range form.Value {
			for _, v := range values {
				fields = append(fields, Field{Name: name, Value: v})
			}
		}
		for _, files := range form.File {
			hadFiles = hadFiles || len(files) > 0
		}
		sort.SliceStable(fields, func(i, j int) bool { return fields[i].Name < fields[j].Name })
	} else {
		c.Request().PostArgs().VisitAll(func(k, v []byte) {
			fields = append(fields, Field{Name: string(k), Value: string(v)})
		})
	}
	kept := fields[:0]
	for _, f := range fields {
		if f.Name != "_csrf" {
			kept = append(kept, f)
		}
	}
	login := "/accedi?next=" + url.QueryEscape(resumePath) + "&motivo=sessione"
	if len(kept) == 0 {
		return c.Next() // nothing typed: the route refuses the anonymous request as usual
	}
	token, err := h.svc.SaveDraft(c.UserContext(), userID, c.OriginalURL(), multipart, hadFiles, kept)
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: draftCookie, Value: token, Path: "/", HTTPOnly: true, Secure: h.production,
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: int(KeepDraft / time.Second)})
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Redirect", login) // htmx leaves the page for the login, which brings the text back
		return c.SendStatus(fiber.StatusUnauthorized)
	}
	return c.Redirect(login, fiber.StatusSeeOther)
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
		reason := ""
		if expired, _ := c.Locals(expiredKey).(bool); expired {
			reason = "&motivo=scaduta"
		}
		return c.Redirect("/accedi?next="+url.QueryEscape(c.OriginalURL())+reason, fiber.StatusSeeOther)
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
	st, ok := loginErrors.Of(reason)
	if !ok {
		st = web.Status{Code: fiber.StatusUnauthorized, Message: "login.error.refused"}
	}
	c.Status(st.Code)
	return h.renderLogin(c, h.web.Say(c, st))
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
	notice := ""
	switch c.Query("motivo") {
	case "sessione":
		notice = h.web.T(c, "session.login.kept")
	case "scaduta":
		notice = h.web.T(c, "session.login.expired")
	}
	return h.web.Page(c, "identity/login", fiber.Map{"Title": h.web.T(c, "login.title"), "Buttons": buttons, "Alert": alert, "Notice": notice})
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

// sessionStatus tells the page how long its session has left; asking does not extend it.
func (h *Handlers) sessionStatus(c *fiber.Ctx) error {
	return h.sessionJSON(c, ViewerOf(c))
}

func (h *Handlers) sessionJSON(c *fiber.Ctx, v *Viewer) error {
	idle, absolute := h.svc.Expiry(v)
	now := h.svc.Now()
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"idle_in": int(idle.Sub(now) / time.Second), "absolute_in": int(absolute.Sub(now) / time.Second),
		"idle_at": h.web.Clock(c, idle, now), "absolute_at": h.web.Clock(c, absolute, now)})
}

// extend counts the request as activity: the idle timeout starts again. The page's script gets
// the new times; without it, the browser goes back to the page it came from.
func (h *Handlers) extend(c *fiber.Ctx) error {
	v := ViewerOf(c)
	if err := h.svc.Extend(c.UserContext(), v); err != nil {
		return err
	}
	if strings.Contains(c.Get(fiber.HeaderAccept), fiber.MIMEApplicationJSON) {
		return h.sessionJSON(c, v)
	}
	h.web.Flash(c, "session.extended")
	return c.Redirect(SafeNext(c.FormValue("back")), fiber.StatusSeeOther)
}

// resume shows, after a new login, the form that was posted when the session had ended, filled
// with what was typed, ready to be sent again.
func (h *Handlers) resume(c *fiber.Ctx) error {
	v := ViewerOf(c)
	token := c.Cookies(draftCookie)
	c.Cookie(&fiber.Cookie{Name: draftCookie, Value: "", Path: "/", HTTPOnly: true, Secure: h.production,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(0, 0), MaxAge: -1})
	d, fields, err := h.svc.TakeDraft(c.UserContext(), token, v.User.ID)
	if errors.Is(err, db.ErrNotFound) {
		return h.web.Page(c, "identity/resume", fiber.Map{"Title": h.web.T(c, "session.resume.title")})
	}
	if err != nil {
		return err
	}
	type shown struct {
		Name, Value, Label string
		Typed, Long        bool
	}
	var list []shown
	for _, f := range fields {
		typed := strings.ContainsAny(f.Value, " \n\t") || len([]rune(f.Value)) > 40
		label := f.Name
		if h.web.I18n.Has("field." + f.Name) {
			label = h.web.T(c, "field."+f.Name)
		}
		list = append(list, shown{Name: f.Name, Value: f.Value, Label: label, Typed: typed,
			Long: strings.Contains(f.Value, "\n") || len([]rune(f.Value)) > 80})
	}
	h.web.CSRFToken(c)
	return h.web.Page(c, "identity/resume", fiber.Map{"Title": h.web.T(c, "session.resume.title"), "Draft": d, "Fields": list,
		"Action": SafeNext(d.Path)})
}

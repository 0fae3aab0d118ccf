package identity

import (
	"errors"

	"github.com/gofiber/fiber/v2"
)

// MountStaff registers the staff login (/accedi/staff, throttled per username and client address
// and per address by the service) and the one-time code enrolment.
func (h *Handlers) MountStaff(r fiber.Router) {
	r.Get("/accedi/staff", h.staffForm)
	r.Post("/accedi/staff", h.staffLogin)
	r.Get("/area-riservata/codice", RequireLogin, h.totpForm)
	r.Post("/area-riservata/codice", RequireLogin, h.totpConfirm)
}

func (h *Handlers) staffForm(c *fiber.Ctx) error {
	if ViewerOf(c) != nil {
		return c.Redirect(SafeNext(c.Query("next")), fiber.StatusSeeOther)
	}
	return h.renderStaff(c, "", "")
}

func (h *Handlers) renderStaff(c *fiber.Ctx, username, alert string) error {
	h.web.CSRFToken(c)
	return h.web.Page(c, "identity/staff_login", fiber.Map{"Title": h.web.T(c, "staff.title"), "Username": username,
		"Alert": alert, "Next": SafeNext(c.Query("next"))})
}

func (h *Handlers) staffLogin(c *fiber.Ctx) error {
	username := c.FormValue("username")
	_, token, err := h.svc.StaffLogin(c.UserContext(), username, c.FormValue("password"), c.FormValue("code"), clientOf(c))
	if err != nil {
		st, ok := staffErrors.Of(err)
		if !ok {
			return err
		}
		c.Status(st.Code)
		return h.renderStaff(c, username, h.web.Say(c, st))
	}
	if old := c.Cookies(h.cookieName()); old != "" {
		if v, err := h.svc.Authenticate(c.UserContext(), old); err == nil {
			_ = h.svc.Logout(c.UserContext(), v, clientOf(c))
		}
	}
	h.setSession(c, token)
	return c.Redirect(SafeNext(c.FormValue("next")), fiber.StatusSeeOther)
}

func (h *Handlers) totpForm(c *fiber.Ctx) error { return h.renderTOTP(c, "", "") }

func (h *Handlers) renderTOTP(c *fiber.Ctx, secret, alert string) error {
	h.web.CSRFToken(c)
	v := ViewerOf(c)
	url := ""
	if secret == "" {
		var err error
		if secret, url, err = h.svc.NewTOTPSecret(v.User); err != nil {
			return err
		}
	}
	return h.web.Page(c, "identity/totp", fiber.Map{"Title": h.web.T(c, "totp.title"), "Secret": secret, "URL": url,
		"Enrolled": v.User.TOTPSecret != "", "Alert": alert})
}

func (h *Handlers) totpConfirm(c *fiber.Ctx) error {
	secret := c.FormValue("secret")
	if err := h.svc.ConfirmTOTP(c.UserContext(), ViewerOf(c).User.ID, secret, c.FormValue("code")); err != nil {
		if st, ok := staffErrors.Of(err); ok && errors.Is(err, ErrBadTOTP) {
			c.Status(fiber.StatusUnprocessableEntity) // a wrong code while enrolling is the form's error, not a refused login
			return h.renderTOTP(c, secret, h.web.Say(c, st))
		}
		return err
	}
	h.web.Flash(c, "totp.done")
	return c.Redirect("/area-riservata/codice", fiber.StatusSeeOther)
}

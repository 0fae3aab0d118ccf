package web

import "github.com/gofiber/fiber/v2"

// Confirmation is the page that stands before an action that cannot be undone: it says what will
// happen and carries the one button that does it, so nothing irreversible happens on one click,
// with or without JavaScript.
type Confirmation struct {
	Title        string   // the question, e.g. "Withdraw the request?"
	Subject      string   // what the action is about, e.g. the request's title
	Consequences []string // what will happen, one sentence each
	Action       string   // where the confirming form posts
	Submit       string   // the confirming button's label
	Cancel       string   // where "cancel" goes back to
	Danger       bool     // the button is styled as destructive
	Field        *ConfirmField
	Crumbs       any // the page's breadcrumb, as other reserved pages pass it
}

// ConfirmField is a text the action needs, typed on the confirmation page (a reason, a summary).
type ConfirmField struct {
	Name, Label, Value, Error, Hint string
	MaxLength                       int
}

// ConfirmedField is the form field that marks a POST as confirmed.
const ConfirmedField = "confirm"

// Confirmed reports whether a POST comes from a confirmation page.
func Confirmed(c *fiber.Ctx) bool { return c.FormValue(ConfirmedField) == "1" }

// Confirm renders the confirmation page.
func (s *Server) Confirm(c *fiber.Ctx, p Confirmation) error {
	s.CSRFToken(c)
	data := fiber.Map{"Title": p.Title, "Confirm": p, "Crumbs": p.Crumbs}
	if p.Field != nil && p.Field.Error != "" {
		data["Errors"] = map[string]string{p.Field.Name: p.Field.Error} // the error summary and the title's "Errore:"
	}
	return s.Page(c, "pages/confirm", data)
}

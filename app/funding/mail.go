package funding

import (
	"context"

	"passhub/app/identity"
	"passhub/app/mail"
)

// Mails sends the bulletins to a user's address, in their language.
type Mails struct {
	Users interface {
		User(ctx context.Context, id int64) (*identity.User, []identity.Role, error)
	}
	Post *mail.Postman
}

// BulletinCall is one call in a bulletin's e-mail.
type BulletinCall struct{ Title, Programme, URL, Deadline string }

// SendBulletin e-mails one bulletin. A user with no address, or whose address was refused for
// good, gets nothing.
func (m Mails) SendBulletin(ctx context.Context, userID int64, b *Bulletin) error {
	u, _, err := m.Users.User(ctx, userID)
	if err != nil || u.Email == "" || !u.EmailBouncedAt.IsZero() || b.Empty() {
		return err
	}
	var fresh, closing []BulletinCall
	for _, c := range b.New {
		next := ""
		if len(c.Deadlines) > 0 {
			next = c.Deadlines[len(c.Deadlines)-1].DueOn
		}
		fresh = append(fresh, BulletinCall{Title: c.Title, Programme: c.Programme, URL: m.Post.URL(CallURL(c.Slug)), Deadline: next})
	}
	for _, e := range b.Closing {
		when := e.Deadline.DueOn
		if e.Deadline.DueTime != "" {
			when += " " + e.Deadline.DueTime
		}
		if e.Deadline.Label != "" {
			when += " (" + e.Deadline.Label + ")"
		}
		closing = append(closing, BulletinCall{Title: e.Call.Title, Programme: e.Call.Programme, URL: m.Post.URL(CallURL(e.Call.Slug)), Deadline: when})
	}
	msg, err := m.Post.Templates.Render("funding_bulletin", mail.Lang(u.Lang), []string{u.Email}, map[string]any{"Name": u.FullName(),
		"Week": b.Week, "New": fresh, "Closing": closing, "Calendar": m.Post.URL("/bandi"), "Alerts": m.Post.URL(AlertsPath)})
	if err != nil {
		return err
	}
	return m.Post.Send(ctx, msg)
}

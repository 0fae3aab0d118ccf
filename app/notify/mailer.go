package notify

import (
	"context"

	"passhub/app/identity"
	"passhub/app/mail"
)

// Mails sends notification e-mails to a user's address, in their language.
type Mails struct {
	Users interface {
		User(ctx context.Context, id int64) (*identity.User, []identity.Role, error)
	}
	Post *mail.Postman
	I18n interface {
		T(lang, id string, args ...any) string
	}
}

// SendNotices e-mails one notification, or a digest of several grouped by request. A user with no
// address, or whose address was refused for good, gets nothing.
func (m Mails) SendNotices(ctx context.Context, userID int64, items []Notification, digest bool) error {
	u, _, err := m.Users.User(ctx, userID)
	if err != nil || u.Email == "" || !u.EmailBouncedAt.IsZero() || len(items) == 0 {
		return err
	}
	lang := mail.Lang(u.Lang)
	type group struct {
		Subject, URL string
		Kinds        []string
	}
	var groups []*group
	index := map[string]*group{}
	for _, n := range items {
		g, ok := index[n.URL]
		if !ok {
			g = &group{Subject: n.Subject, URL: m.Post.URL(n.URL)}
			index[n.URL] = g
			groups = append(groups, g)
		}
		g.Kinds = append(g.Kinds, m.I18n.T(lang, "notification."+n.Kind))
	}
	name := "notification_now"
	if digest {
		name = "notification_digest"
	}
	msg, err := m.Post.Templates.Render(name, lang, []string{u.Email}, map[string]any{"Name": u.FullName(), "Groups": groups,
		"Count": len(items), "Prefs": m.Post.URL("/area-riservata/notifiche/preferenze")})
	if err != nil {
		return err
	}
	return m.Post.Send(ctx, msg)
}

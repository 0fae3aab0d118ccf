package app

import (
	"context"
	"strings"

	"passhub/app/identity"
	"passhub/app/notify"
)

// mailEnteEvent e-mails the people an ente's event concerns: the applicant of a registration (at
// the address given with it and at their own), or the person invited as a delegate.
func (a *App) mailEnteEvent(ctx context.Context, ev EnteEventArgs) error {
	base := strings.TrimSuffix(a.Config.BaseURL, "/")
	data := map[string]any{"URL": base + "/area-riservata"}
	if e, err := a.Enti.Ente(ctx, ev.EnteID); err == nil {
		data["Ente"] = e.Name
	}
	switch ev.Event {
	case "registration.submitted", "registration.approved", "registration.rejected":
		reg, err := a.Enti.Registration(ctx, ev.RegistrationID)
		if err != nil {
			return err
		}
		to, lang := []string{reg.Email}, "it"
		if u, _, err := a.Identity.User(ctx, reg.ApplicantID); err == nil {
			data["Name"], lang = u.FullName(), langOf(u)
			if u.Email != "" && !strings.EqualFold(u.Email, reg.Email) && u.EmailBouncedAt.IsZero() {
				to = append(to, u.Email)
			}
		}
		data["Reason"] = reg.Reason
		return a.sendEach(ctx, "registration_"+strings.TrimPrefix(ev.Event, "registration."), lang, to, data)
	case "delegate.invited":
		invs, err := a.Enti.Invitations(ctx, ev.EnteID)
		if err != nil {
			return err
		}
		for _, inv := range invs {
			if inv.ID == ev.InvitationID {
				data["FiscalCode"] = strings.TrimPrefix(inv.FiscalCode, "TINIT-")
				data["Expires"] = inv.ExpiresAt.Format("02/01/2006")
				data["URL"] = base + "/accedi"
				return a.sendEach(ctx, "delegate_invited", "it", []string{inv.Email}, data)
			}
		}
	}
	return nil
}

func langOf(u *identity.User) string {
	if u.Lang == "en" {
		return "en"
	}
	return "it"
}

// noticeMailer sends notification e-mails to a user's address, in their language.
type noticeMailer struct{ a *App }

// SendNotices e-mails one notification, or a digest of several grouped by request. A user with no
// address, or whose address was refused for good, gets nothing.
func (m noticeMailer) SendNotices(ctx context.Context, userID int64, items []notify.Notification, digest bool) error {
	u, _, err := m.a.Identity.User(ctx, userID)
	if err != nil || u.Email == "" || !u.EmailBouncedAt.IsZero() || len(items) == 0 {
		return err
	}
	lang := langOf(u)
	base := strings.TrimSuffix(m.a.Config.BaseURL, "/")
	type group struct {
		Subject, URL string
		Kinds        []string
	}
	var groups []*group
	index := map[string]*group{}
	for _, n := range items {
		g, ok := index[n.URL]
		if !ok {
			g = &group{Subject: n.Subject, URL: base + n.URL}
			index[n.URL] = g
			groups = append(groups, g)
		}
		g.Kinds = append(g.Kinds, m.a.I18n.T(lang, "notification."+n.Kind))
	}
	name := "notification_now"
	if digest {
		name = "notification_digest"
	}
	msg, err := m.a.Mails.Render(name, lang, []string{u.Email}, map[string]any{"Name": u.FullName(), "Groups": groups,
		"Count": len(items), "Prefs": base + "/area-riservata/notifiche/preferenze"})
	if err != nil {
		return err
	}
	return m.a.send(ctx, msg)
}

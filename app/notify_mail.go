package app

import (
	"context"
	"strings"

	"passhub/app/ente"
	"passhub/app/notify"
)

// notifyEnte e-mails the people an ente event concerns, after its transaction committed. Failures
// are logged: the reserved area shows the same facts, and durable delivery comes with jobs.
func (a *App) notifyEnte(ctx context.Context, ev ente.Event) {
	var name string
	var to []string
	data := map[string]any{"URL": strings.TrimSuffix(a.Config.BaseURL, "/") + "/area-riservata"}
	if ev.Ente != nil {
		data["Ente"] = ev.Ente.Name
	}
	switch ev.Kind {
	case "registration.submitted", "registration.approved", "registration.rejected":
		name = strings.ReplaceAll(strings.TrimPrefix(ev.Kind, "registration."), ".", "_")
		name = "registration_" + name
		to = []string{ev.Registration.Email}
		if u, _, err := a.Identity.User(ctx, ev.Registration.ApplicantID); err == nil {
			data["Name"] = u.FullName()
			if u.Email != "" && !strings.EqualFold(u.Email, ev.Registration.Email) {
				to = append(to, u.Email)
			}
		}
		data["Reason"] = ev.Registration.Reason
	case "delegate.invited":
		name, to = "delegate_invited", []string{ev.Invitation.Email}
		data["FiscalCode"] = strings.TrimPrefix(ev.Invitation.FiscalCode, "TINIT-")
		data["Expires"] = ev.Invitation.ExpiresAt.Format("02/01/2006")
		data["URL"] = strings.TrimSuffix(a.Config.BaseURL, "/") + "/accedi"
	default:
		return
	}
	msg, err := a.Mails.Render(name, "it", to, data)
	if err != nil {
		a.Log.Error("mail not rendered", "template", name, "err", err)
		return
	}
	if err := a.Mailer.Send(ctx, msg); err != nil {
		a.Log.Error("mail not sent", "template", name, "to", strings.Join(to, ", "), "err", err)
	}
}

// noticeMailer sends notification e-mails to a user's address.
type noticeMailer struct{ a *App }

// SendNotices e-mails one notification, or a digest of several grouped by request.
func (m noticeMailer) SendNotices(ctx context.Context, userID int64, items []notify.Notification, digest bool) error {
	u, _, err := m.a.Identity.User(ctx, userID)
	if err != nil || u.Email == "" || len(items) == 0 {
		return err
	}
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
		g.Kinds = append(g.Kinds, m.a.I18n.T("it", "notification."+n.Kind))
	}
	name := "notification_now"
	if digest {
		name = "notification_digest"
	}
	msg, err := m.a.Mails.Render(name, "it", []string{u.Email}, map[string]any{"Name": u.FullName(), "Groups": groups,
		"Count": len(items), "Prefs": base + "/area-riservata/notifiche/preferenze"})
	if err != nil {
		return err
	}
	return m.a.Mailer.Send(ctx, msg)
}

package app

import (
	"context"
	"errors"
	"strings"

	"github.com/riverqueue/river"

	"passhub/app/contact"
	"passhub/app/mail"
)

// ContactArgs is the job of a contact message: the e-mail to the staff and the acknowledgment to
// the visitor, each sent once.
type ContactArgs struct {
	MessageID int64 `json:"message_id"`
}

// Kind names the job.
func (ContactArgs) Kind() string { return "contact.message" }

type contactWorker struct {
	river.WorkerDefaults[ContactArgs]
	a *App
}

// Work sends what was not sent yet: the staff's copy, then the visitor's acknowledgment in the
// language of the form. A visitor's address refused for good is not tried again.
func (w *contactWorker) Work(ctx context.Context, j *river.Job[ContactArgs]) error {
	m, err := w.a.Contact.Message(ctx, j.Args.MessageID)
	if err != nil {
		return err
	}
	if m.StaffMailedAt.IsZero() {
		if err := w.a.mailContactStaff(ctx, m); err != nil {
			return err
		}
		if err := w.a.Contact.MarkStaffMailed(ctx, m.ID); err != nil {
			return err
		}
	}
	if m.AckMailedAt.IsZero() {
		msg, err := w.a.Mails.Render("contact_ack", m.Lang, []string{m.Email}, contactData(w.a, m))
		if err != nil {
			return err
		}
		err = w.a.Mailer.Send(ctx, msg)
		var bounce *mail.BounceError
		if errors.As(err, &bounce) {
			return river.JobCancel(err)
		}
		if err != nil {
			return err
		}
		return w.a.Contact.MarkAcknowledged(ctx, m.ID)
	}
	return nil
}

// mailContactStaff e-mails a contact message to the staff: the configured addresses, or the
// administrators' when none is configured. Each address gets its own message.
func (a *App) mailContactStaff(ctx context.Context, m *contact.Message) error {
	to := a.Config.ContactRecipients()
	if len(to) == 0 {
		admins, err := a.Identity.UsersWithRole(ctx, "admin", "")
		if err != nil {
			return err
		}
		for _, u := range admins {
			if u.Email != "" && u.EmailBouncedAt.IsZero() {
				to = append(to, u.Email)
			}
		}
	}
	if len(to) == 0 {
		a.Log.Warn("contact message not e-mailed: no PASSHUB_CONTACT_TO and no administrator with an address", "message", m.ID)
		return nil // the staff still find it in the list at /admin/messaggi
	}
	return a.sendEach(ctx, "contact_staff", "it", to, contactData(a, m))
}

func contactData(a *App, m *contact.Message) map[string]any {
	return map[string]any{"Name": m.Name, "Email": m.Email, "Ente": m.Ente, "Subject": m.Subject, "Message": m.Message,
		"Lang": m.Lang, "ID": m.ID, "URL": strings.TrimSuffix(a.Config.BaseURL, "/") + "/admin/messaggi"}
}

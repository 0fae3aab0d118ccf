package contact

import (
	"context"
	"errors"

	"github.com/riverqueue/river"

	"passhub/app/event"
	"passhub/app/identity"
	"passhub/app/mail"
)

// MessageReceived is the event of a contact message stored.
type MessageReceived struct {
	MessageID int64 `json:"message_id"`
}

// EventName names the event and its job.
func (MessageReceived) EventName() string { return "contact.message" }

// Staff tells who receives the contact messages: the configured addresses, or else the
// administrators.
type Staff struct {
	Recipients func() []string
	Users      interface {
		UsersWithRole(ctx context.Context, role, taskForce string) ([]identity.User, error)
	}
}

// Listen registers the contact domain's rule: a message is e-mailed to the staff and acknowledged
// to the visitor, each once.
func (s *Service) Listen(d *event.Dispatcher, staff Staff, post *mail.Postman) {
	event.On(d, "mail", func(ctx context.Context, ev MessageReceived) error { return s.deliver(ctx, staff, post, ev.MessageID) })
}

// deliver sends what was not sent yet: the staff's copy, then the visitor's acknowledgment in the
// language of the form. A visitor's address refused for good is not tried again.
func (s *Service) deliver(ctx context.Context, staff Staff, post *mail.Postman, id int64) error {
	m, err := s.Message(ctx, id)
	if err != nil {
		return err
	}
	if m.StaffMailedAt.IsZero() {
		if err := mailStaff(ctx, staff, post, m); err != nil {
			return err
		}
		if err := s.MarkStaffMailed(ctx, m.ID); err != nil {
			return err
		}
	}
	if !m.AckMailedAt.IsZero() {
		return nil
	}
	msg, err := post.Templates.Render("contact_ack", m.Lang, []string{m.Email}, mailData(post, m))
	if err != nil {
		return err
	}
	err = post.Sender.Send(ctx, msg)
	var bounce *mail.BounceError
	if errors.As(err, &bounce) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	return s.MarkAcknowledged(ctx, m.ID)
}

// mailStaff e-mails a contact message to the staff: the configured addresses, or the
// administrators' when none is configured. Each address gets its own message.
func mailStaff(ctx context.Context, staff Staff, post *mail.Postman, m *Message) error {
	to := staff.Recipients()
	if len(to) == 0 {
		admins, err := staff.Users.UsersWithRole(ctx, "admin", "")
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
		post.Log.Warn("contact message not e-mailed: no PASSHUB_CONTACT_TO and no administrator with an address", "message", m.ID)
		return nil // the staff still find it in the list at /admin/messaggi
	}
	return post.SendEach(ctx, "contact_staff", "it", to, mailData(post, m))
}

func mailData(post *mail.Postman, m *Message) map[string]any {
	return map[string]any{"Name": m.Name, "Email": m.Email, "Ente": m.Ente, "Subject": m.Subject, "Message": m.Message,
		"Lang": m.Lang, "ID": m.ID, "URL": post.URL("/admin/messaggi")}
}

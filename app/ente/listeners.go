package ente

import (
	"context"
	"errors"
	"strings"

	"github.com/riverqueue/river"

	"passhub/app/event"
	"passhub/app/identity"
	"passhub/app/jobs"
	"passhub/app/mail"
)

// Users finds the account of an applicant, for their name, language and own address.
type Users interface {
	User(ctx context.Context, id int64) (*identity.User, []identity.Role, error)
}

// Listen registers the ente domain's rules: the e-mails of a registration and of an invitation.
func (s *Service) Listen(d *event.Dispatcher, users Users, post *mail.Postman) {
	m := &enteMail{s: s, users: users, post: post}
	event.On(d, "mail", func(ctx context.Context, ev RegistrationSubmitted) error {
		return cancelBounce(m.registration(ctx, ev.EnteID, ev.RegistrationID, "submitted"))
	})
	event.On(d, "mail", func(ctx context.Context, ev RegistrationDecided) error {
		outcome := "rejected"
		if ev.Approved {
			outcome = "approved"
		}
		return cancelBounce(m.registration(ctx, ev.EnteID, ev.RegistrationID, outcome))
	})
	event.On(d, "mail", func(ctx context.Context, ev InvitationSent) error {
		return cancelBounce(m.invitation(ctx, ev.EnteID, ev.InvitationID))
	})
	d.OnOpen(func(q *jobs.Queue) { jobs.Add(q, &formerEventWorker{m: m}) })
}

// FormerEventArgs is the job an earlier version queued for an ente's event (kind "ente.event"):
// one still waiting when the new version starts sends the e-mail it stood for.
type FormerEventArgs struct {
	Event          string `json:"event"` // registration.submitted|approved|rejected, delegate.invited
	EnteID         int64  `json:"ente_id"`
	RegistrationID int64  `json:"registration_id,omitempty"`
	InvitationID   int64  `json:"invitation_id,omitempty"`
}

// Kind names the job as the earlier version did.
func (FormerEventArgs) Kind() string { return "ente.event" }

// InsertOpts puts the job in the mail queue, as the earlier version did.
func (FormerEventArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueMail} }

type formerEventWorker struct {
	river.WorkerDefaults[FormerEventArgs]
	m *enteMail
}

func (w *formerEventWorker) Work(ctx context.Context, j *river.Job[FormerEventArgs]) error {
	a := j.Args
	switch a.Event {
	case "registration.submitted", "registration.approved", "registration.rejected":
		return cancelBounce(w.m.registration(ctx, a.EnteID, a.RegistrationID, strings.TrimPrefix(a.Event, "registration.")))
	case "delegate.invited":
		return cancelBounce(w.m.invitation(ctx, a.EnteID, a.InvitationID))
	}
	return nil // an event that sent nothing
}

// cancelBounce gives up on an address refused for good instead of retrying it.
func cancelBounce(err error) error {
	var bounce *mail.BounceError
	if errors.As(err, &bounce) {
		return river.JobCancel(err)
	}
	return err
}

type enteMail struct {
	s     *Service
	users Users
	post  *mail.Postman
}

func (m *enteMail) data(ctx context.Context, enteID int64) map[string]any {
	data := map[string]any{"URL": m.post.URL("/area-riservata")}
	if e, err := m.s.Ente(ctx, enteID); err == nil {
		data["Ente"] = e.Name
	}
	return data
}

// registration e-mails the applicant of a registration, at the address given with it and at
// their own.
func (m *enteMail) registration(ctx context.Context, enteID, regID int64, outcome string) error {
	data := m.data(ctx, enteID)
	reg, err := m.s.Registration(ctx, regID)
	if err != nil {
		return err
	}
	to, lang := []string{reg.Email}, "it"
	if u, _, err := m.users.User(ctx, reg.ApplicantID); err == nil {
		data["Name"], lang = u.FullName(), mail.Lang(u.Lang)
		if u.Email != "" && !strings.EqualFold(u.Email, reg.Email) && u.EmailBouncedAt.IsZero() {
			to = append(to, u.Email)
		}
	}
	data["Reason"] = reg.Reason
	return m.post.SendEach(ctx, "registration_"+outcome, lang, to, data)
}

// invitation e-mails the person invited as a delegate.
func (m *enteMail) invitation(ctx context.Context, enteID, invID int64) error {
	data := m.data(ctx, enteID)
	invs, err := m.s.Invitations(ctx, enteID)
	if err != nil {
		return err
	}
	for _, inv := range invs {
		if inv.ID == invID {
			data["FiscalCode"] = strings.TrimPrefix(inv.FiscalCode, "TINIT-")
			data["Expires"] = inv.ExpiresAt.Format("02/01/2006")
			data["URL"] = m.post.URL("/accedi")
			return m.post.SendEach(ctx, "delegate_invited", "it", []string{inv.Email}, data)
		}
	}
	return nil
}

package request

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"passhub/app/db"
	"passhub/app/ente"
	"passhub/app/event"
	"passhub/app/identity"
	"passhub/app/realtime"
)

// Audience is what the request domain needs to tell people of a change: who holds a role, who
// belongs to an ente, and the notification centre.
type Audience struct {
	Staff interface {
		UsersWithRole(ctx context.Context, role, taskForce string) ([]identity.User, error)
	}
	Members interface {
		Members(ctx context.Context, enteID int64) ([]ente.Member, error)
	}
	Notices interface {
		Notify(ctx context.Context, users []int64, kind, subject, url string) error
	}
}

// Listen registers the request domain's rules: who is notified of a change, the outcome asked
// of a concluded request (outcome.go), and what an open workspace receives when the bus says its
// request changed.
func (s *Service) Listen(d *event.Dispatcher, rt *realtime.Service, a Audience) {
	event.On(d, "notify", func(ctx context.Context, c Changed) error { return s.notify(ctx, a, c) })
	event.On(d, "outcome", s.askAtConclusion)
	rt.Handle("request:", func(topic string) {
		n, err := strconv.ParseInt(strings.TrimPrefix(topic, "request:"), 10, 64)
		if err != nil {
			return
		}
		// The frame replaces a placeholder with an element that loads the update through the
		// normal, authorised handler.
		rt.Hub.Publish(topic, fmt.Appendf(nil, `<div id="live-updates" hx-swap-oob="true"><span hx-get="/area-riservata/richieste/%d/aggiornamenti" hx-trigger="load" hx-swap="none"></span></div>`, n))
	})
}

// notify puts a notification in the bell of the people a request's change concerns: the task
// force's PMs for a request to review; the ente's members, the assigned experts and the PMs for
// everything else; never the person who made the change. An outcome's ask goes to the ente's
// members alone; its answer tells nobody: its figures are for the statistics, and the form is
// the ente's alone (docs/outcomes.md).
func (s *Service) notify(ctx context.Context, a Audience, c Changed) error {
	switch c.Kind {
	case "edited", OutcomeKind:
		return nil // a corrected message is not news; an outcome's answer is the statistics' business
	case AskedKind:
		return s.notifyAsk(ctx, a, c) // the ente's members, with the form's link
	}
	r, err := s.Get(ctx, c.RequestID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && r.Draft()) { // a draft, even withdrawn, is the ente's alone
		return nil
	}
	if err != nil {
		return err
	}
	var users []int64
	pms, err := a.Staff.UsersWithRole(ctx, "pm", r.TaskForce)
	if err != nil {
		return err
	}
	if len(pms) == 0 && (c.Kind == "created" || c.Kind == "submitted") && r.State == Submitted {
		return notifyUntriaged(ctx, a, r)
	}
	for _, u := range pms {
		users = append(users, u.ID)
	}
	if c.Kind != "created" && c.Kind != "submitted" {
		users = append(users, r.ExpertIDs()...)
		members, err := enabledMembers(ctx, a, r.EnteID)
		if err != nil {
			return err
		}
		users = append(users, members...)
	}
	var to []int64
	for _, u := range users {
		if u != c.ActorID {
			to = append(to, u)
		}
	}
	return a.Notices.Notify(ctx, to, "request."+c.Kind, subjectOf(r), "/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10))
}

// notifyUntriaged tells the admins that a request reached a task force with no project manager,
// so no one can triage it, and tells the ente that its request waits for one.
func notifyUntriaged(ctx context.Context, a Audience, r *Request) error {
	admins, err := a.Staff.UsersWithRole(ctx, "admin", "")
	if err != nil {
		return err
	}
	var to []int64
	for _, u := range admins {
		to = append(to, u.ID)
	}
	if err := a.Notices.Notify(ctx, to, "request.untriaged", subjectOf(r), "/admin/richieste-senza-pm"); err != nil {
		return err
	}
	members, err := enabledMembers(ctx, a, r.EnteID)
	if err != nil {
		return err
	}
	return a.Notices.Notify(ctx, members, "request.no_pm", subjectOf(r), "/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10))
}

func enabledMembers(ctx context.Context, a Audience, enteID int64) ([]int64, error) {
	members, err := a.Members.Members(ctx, enteID)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, m := range members {
		if m.Enabled {
			out = append(out, m.UserID)
		}
	}
	return out, nil
}

func subjectOf(r *Request) string { return r.Title + " (" + r.EnteName + ", " + r.ProcedureCode + ")" }

package webhook

import (
	"context"
	"errors"

	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/ente"
	"passhub/app/event"
	"passhub/app/request"
)

// Sources re-read what a payload names: listeners see the committed rows, not a copy.
type Sources struct {
	Requests interface {
		Get(ctx context.Context, id int64) (*request.Request, error)
	}
	Enti interface {
		Ente(ctx context.Context, id int64) (*ente.Ente, error)
		Registration(ctx context.Context, id int64) (*ente.Registration, error)
	}
}

// Listen offers the domain events to endpoints. THIS is the one place that names them: a new
// event (content.Published, say) is one more Hook line with the function that builds its
// payload. The name is what admins pick and what a delivery's "type" says; keep it stable.
func (s *Service) Listen(d *event.Dispatcher, src Sources) {
	Hook(s, d, "request.changed", src.requestChanged)
	Hook(s, d, "registration.decided", src.registrationDecided)
	Hook(s, d, "content.changed", contentChanged)
	Hook(s, d, "content.published", contentStep[content.WentLive])
	Hook(s, d, "content.unpublished", contentStep[content.Unpublished])
	Hook(s, d, "content.scheduled", contentStep[content.Scheduled])
}

// Hook offers the events of type E to endpoints under name: when one is committed, every enabled
// endpoint subscribed to name gets a delivery of what build says of it.
func Hook[E event.Event](s *Service, d *event.Dispatcher, name string, build func(ctx context.Context, ev E) (Data, error)) {
	s.hooks = append(s.hooks, name)
	event.On(d, "webhooks", func(ctx context.Context, ev E) error {
		return s.Fanout(ctx, name, func(ctx context.Context) (Data, error) { return build(ctx, ev) })
	})
}

// requestChanged: ids, the kind of change and the state for everyone; who acted, the title, the
// ente and the task force for internal endpoints only.
func (src Sources) requestChanged(ctx context.Context, c request.Changed) (Data, error) {
	d := Data{Public: map[string]any{"request_id": c.RequestID, "kind": c.Kind}, Internal: map[string]any{"actor_id": c.ActorID}}
	if c.ObjectID != 0 {
		d.Public["object_id"] = c.ObjectID
	}
	r, err := src.Requests.Get(ctx, c.RequestID)
	if errors.Is(err, db.ErrNotFound) {
		return d, nil
	} else if err != nil {
		return d, err
	}
	d.Public["state"] = string(r.State)
	d.Internal["title"] = r.Title
	d.Internal["ente_id"] = r.EnteID
	d.Internal["task_force"] = r.TaskForce
	return d, nil
}

// registrationDecided: the ente (a public body, its name is public) and the decision; who applied
// for internal endpoints only.
func (src Sources) registrationDecided(ctx context.Context, ev ente.RegistrationDecided) (Data, error) {
	d := Data{Public: map[string]any{"ente_id": ev.EnteID, "registration_id": ev.RegistrationID, "approved": ev.Approved},
		Internal: map[string]any{}}
	if e, err := src.Enti.Ente(ctx, ev.EnteID); err == nil {
		d.Public["ente_name"] = e.Name
		d.Public["istat_code"] = e.ISTAT
	} else if !errors.Is(err, db.ErrNotFound) {
		return d, err
	}
	if r, err := src.Enti.Registration(ctx, ev.RegistrationID); err == nil {
		d.Internal["applicant_id"] = r.ApplicantID
		d.Internal["role"] = r.Role
	} else if !errors.Is(err, db.ErrNotFound) {
		return d, err
	}
	return d, nil
}

// contentChanged: the entries published or changed (public content).
func contentChanged(_ context.Context, c content.Changed) (Data, error) {
	entries := make([]map[string]any, len(c.Entries))
	for i, e := range c.Entries {
		entries[i] = map[string]any{"type": string(e.Type), "id": e.ID}
	}
	return Data{Public: map[string]any{"entries": entries}}, nil
}

// contentStep: the entry and revision a newsroom step concerns, for everyone; who acted for
// internal endpoints only.
func contentStep[E interface {
	event.Event
	About() content.Step
}](_ context.Context, ev E) (Data, error) {
	st := ev.About()
	return Data{Public: map[string]any{"type": string(st.Type), "slug": st.Slug, "entry_id": st.EntryID, "revision_id": st.RevisionID},
		Internal: map[string]any{"actor_id": st.ActorID}}, nil
}

package content

import (
	"context"
	"errors"
	"fmt"

	"passhub/app/db"
	"passhub/app/event"
)

// Role names the newsroom's notifications use (identity's names).
const (
	rolePublisher = "publisher"
	roleAdmin     = "admin"
)

// Audience is what the content domain needs to tell people of a step: who holds a role, and
// the notification centre (bell and e-mail, by each person's preferences).
type Audience struct {
	Staff interface {
		UserIDsWithRole(ctx context.Context, role string) ([]int64, error)
	}
	Notices interface {
		Notify(ctx context.Context, users []int64, kind, subject, url string) error
	}
}

// ListenNewsroom registers the newsroom's rules of who is told of each step: the publishers of
// a submission (the admins when there is none), the author of a request for changes, of a
// publication, an unpublication and a schedule, the publisher who scheduled a failed one; never
// the person who took the step.
func (s *Service) ListenNewsroom(d *event.Dispatcher, a Audience) {
	event.On(d, "notify", func(ctx context.Context, ev Submitted) error {
		to, err := a.Staff.UserIDsWithRole(ctx, rolePublisher)
		if err == nil && len(to) == 0 {
			to, err = a.Staff.UserIDsWithRole(ctx, roleAdmin)
		}
		if err != nil {
			return err
		}
		return s.tell(ctx, a, ev.Step, "content.submitted", to)
	})
	author := func(kind string) func(ctx context.Context, st Step) error {
		return func(ctx context.Context, st Step) error {
			id, err := s.Author(ctx, st.RevisionID)
			if errors.Is(err, db.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			return s.tell(ctx, a, st, kind, []int64{id})
		}
	}
	event.On(d, "notify", func(ctx context.Context, ev ChangesRequested) error {
		return author("content.changes_requested")(ctx, ev.Step)
	})
	event.On(d, "notify", func(ctx context.Context, ev WentLive) error { return author("content.published")(ctx, ev.Step) })
	event.On(d, "notify", func(ctx context.Context, ev Unpublished) error { return author("content.unpublished")(ctx, ev.Step) })
	event.On(d, "notify", func(ctx context.Context, ev Scheduled) error { return author("content.scheduled")(ctx, ev.Step) })
	event.On(d, "notify", func(ctx context.Context, ev ScheduleFailed) error {
		st := ev.Step
		st.ActorID = 0 // the schedule acted: its publisher is told
		return s.tell(ctx, a, st, "content.schedule_failed", []int64{ev.ActorID})
	})
	event.On(d, "notify", func(ctx context.Context, ev PublishedBroken) error {
		return s.tellBroken(ctx, a, ev)
	})
}

// tellBroken tells the publisher who scheduled a publication that it went live with ev.Count
// broken links: the subject is the entry's title and the count.
func (s *Service) tellBroken(ctx context.Context, a Audience, ev PublishedBroken) error {
	if ev.ActorID == 0 {
		return nil // scheduled by an API token: the dashboard's list shows it
	}
	e, err := s.store.EntryByID(ctx, s.db, ev.EntryID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return a.Notices.Notify(ctx, []int64{ev.ActorID}, "content.published_broken_links", fmt.Sprintf("%s (%d link)", e.Title, ev.Count), DeskURL(e.Type, e.Slug))
}

func (s *Service) tell(ctx context.Context, a Audience, st Step, kind string, users []int64) error {
	var to []int64
	for _, u := range users {
		if u != 0 && u != st.ActorID {
			to = append(to, u)
		}
	}
	if len(to) == 0 {
		return nil
	}
	e, err := s.store.EntryByID(ctx, s.db, st.EntryID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return a.Notices.Notify(ctx, to, kind, e.Title, DeskURL(e.Type, e.Slug))
}

// DeskURL is the newsroom's page of an entry.
func DeskURL(t Type, slug string) string { return "/redazione/contenuti/" + string(t) + "/" + slug }

package workarea

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"passhub/app/event"
	"passhub/app/realtime"
)

// Notices is the notification centre, as the areas use it.
type Notices interface {
	Notify(ctx context.Context, users []int64, kind, subject, url string) error
}

// Listen registers the areas' rules: who is notified of a change (the members, never the author;
// a mentioned member by a mention instead), and what an area's open pages receive when the bus
// says the area changed: a frame that loads the update through the normal, authorised handler,
// with what the page already shows (its form #area-live).
func (s *Service) Listen(d *event.Dispatcher, rt *realtime.Service, notices Notices) {
	event.On(d, "notify", func(ctx context.Context, c Changed) error { return s.notify(ctx, notices, c) })
	rt.Handle("area:", func(topic string) {
		n, err := strconv.ParseInt(topic[len("area:"):], 10, 64)
		if err != nil {
			return
		}
		rt.Hub.Publish(topic, fmt.Appendf(nil, `<div id="live-updates" hx-swap-oob="true"><span hx-get="%s/aggiornamenti" hx-include="#area-live" hx-trigger="load" hx-swap="none"></span></div>`, URL(n)))
	})
}

// notify tells the area's members of a new topic or reply: the people mentioned by a mention,
// the others by the topic or the reply. Documents and moderation tell nobody.
func (s *Service) notify(ctx context.Context, notices Notices, c Changed) error {
	if c.Kind == KindEvent {
		return s.notifyEvent(ctx, notices, c)
	}
	if c.Kind != KindTopic && c.Kind != KindReply {
		return nil
	}
	t, err := s.Topic(ctx, c.AreaID, c.TopicID)
	if errors.Is(err, ErrNoTopic) || errors.Is(err, ErrNoArea) {
		return nil
	}
	if err != nil {
		return err
	}
	a, err := s.Get(ctx, c.AreaID)
	if err != nil {
		return err
	}
	people, err := s.People(ctx, c.AreaID)
	if err != nil {
		return err
	}
	member := map[int64]bool{}
	for _, p := range people {
		member[p.UserID] = true
	}
	mention := map[int64]bool{}
	var mentioned, others []int64
	for _, u := range c.Mentions {
		if member[u] && u != c.ActorID && !mention[u] { // only who belongs to the area now
			mention[u] = true
			mentioned = append(mentioned, u)
		}
	}
	for _, p := range people {
		if p.UserID != c.ActorID && !mention[p.UserID] {
			others = append(others, p.UserID)
		}
	}
	subject := a.Name + ": " + t.Title
	url := TopicURL(c.AreaID, c.TopicID) + "#post-" + strconv.FormatInt(c.ObjectID, 10)
	if err := notices.Notify(ctx, mentioned, "area.mention", subject, url); err != nil {
		return err
	}
	return notices.Notify(ctx, others, "area."+c.Kind, subject, url)
}

// notifyEvent tells the area's people, but its author, of a new event of the calendar.
func (s *Service) notifyEvent(ctx context.Context, notices Notices, c Changed) error {
	e, err := s.Event(ctx, c.AreaID, c.ObjectID)
	if errors.Is(err, ErrNoEvent) {
		return nil
	}
	if err != nil {
		return err
	}
	a, err := s.Get(ctx, c.AreaID)
	if err != nil {
		return err
	}
	people, err := s.People(ctx, c.AreaID)
	if err != nil {
		return err
	}
	var to []int64
	for _, p := range people {
		if p.UserID != c.ActorID {
			to = append(to, p.UserID)
		}
	}
	return notices.Notify(ctx, to, "area.event", a.Name+": "+e.Title, EventURL(c.AreaID, e.ID))
}

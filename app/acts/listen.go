package acts

import (
	"context"
	"errors"
	"strconv"
	"unicode/utf8"

	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/event"
	"passhub/app/jobs"
)

// KindSuperseded is the kind of the notification of a new version of a template one used.
const KindSuperseded = "acts.superseded"

// Notifier stores notifications and sends their e-mails through each user's preferences
// (notify.Centre); a key already used adds nothing.
type Notifier interface {
	Notify(ctx context.Context, users []int64, kind, subject, url string) error
}

// Listen registers the rule of new versions: when a template goes live with a version higher
// than one a person or their ente used, they are told what changed, once per version (the
// notice's key is the template and its version, so publishing the same version again after a
// typo is fixed tells nobody twice, and a rerun of the job adds nothing).
func (s *Service) Listen(d *event.Dispatcher, notices Notifier) {
	event.On(d, "acts", func(ctx context.Context, ev content.WentLive) error {
		if ev.Type != Type {
			return nil
		}
		t, err := s.fresh(ctx, ev.Slug)
		if errors.Is(err, db.ErrNotFound) {
			return nil // taken off again meanwhile
		}
		if err != nil || t.Version < 2 {
			return err
		}
		users, err := s.Recipients(ctx, t.EntryID, t.Version)
		if err != nil || len(users) == 0 {
			return err
		}
		key := "act:" + strconv.FormatInt(t.EntryID, 10) + ":v" + strconv.Itoa(t.Version)
		return notices.Notify(jobs.WithEventKey(ctx, key), users, KindSuperseded, SupersededSubject(t), t.URL()+"#novita")
	})
}

// SupersededSubject is what the notice of a new version says: the template, its version and
// what changed (cut at 400 characters).
func SupersededSubject(t *Template) string {
	s := t.Title + " – v" + strconv.Itoa(t.Version)
	if t.Changes != "" {
		s += ": " + t.Changes
	}
	if utf8.RuneCountInString(s) > 400 {
		s = string([]rune(s)[:399]) + "…"
	}
	return s
}

package tender

import (
	"context"
	"strconv"
	"unicode/utf8"

	"passhub/app/event"
)

// NoticeKind is the kind of the notification of a new version; SupersededKind of a document
// replaced by another.
const (
	NoticeKind     = "tender.version"
	SupersededKind = "tender.superseded"
)

// Notifier stores notifications and sends their e-mails through each user's preferences
// (notify.Centre); inside an event's job a rerun adds nothing twice.
type Notifier interface {
	Notify(ctx context.Context, users []int64, kind, subject, url string) error
}

// Listen registers the library's rules on the events: a change puts the document out of date in
// the search index (reindex queues its update), and a new version of an approved document tells
// the enabled members of every ente that downloaded an earlier one what changed, once (the
// notification centre records each notice under the event's key, so a rerun of the job sends
// nothing twice, and a crash before the job completed makes it run again: nothing is lost).
func (s *Service) Listen(d *event.Dispatcher, notices Notifier, reindex func(ctx context.Context, docID int64) error) {
	if reindex != nil {
		event.On(d, "search", func(ctx context.Context, ev Changed) error { return reindex(ctx, ev.DocumentID) })
	}
	if notices != nil {
		event.On(d, "notices", func(ctx context.Context, ev Changed) error {
			switch {
			case ev.NewVersion != 0:
				return s.tell(ctx, notices, ev)
			case ev.SupersededBy != 0:
				return s.tellSuperseded(ctx, notices, ev)
			}
			return nil
		})
	}
}

func (s *Service) tell(ctx context.Context, notices Notifier, ev Changed) error {
	doc, err := s.Get(ctx, ev.DocumentID)
	if err != nil {
		return err
	}
	v, err := s.Version(ctx, ev.DocumentID, ev.NewVersion)
	if err != nil {
		return err
	}
	users, err := s.Recipients(ctx, doc.ID, v.ID)
	if err != nil || len(users) == 0 {
		return err
	}
	return notices.Notify(ctx, users, NoticeKind, NoticeSubject(doc.Title, v.Number, v.ChangeNote), URL(doc.ID)+"#versione-"+strconv.Itoa(v.Number))
}

// tellSuperseded tells the enti that downloaded any version of a document that another document
// replaces it, with a link to the new one.
func (s *Service) tellSuperseded(ctx context.Context, notices Notifier, ev Changed) error {
	old, err := s.Get(ctx, ev.DocumentID)
	if err != nil {
		return err
	}
	by, err := s.Get(ctx, ev.SupersededBy)
	if err != nil {
		return err
	}
	users, err := s.Recipients(ctx, old.ID, 0)
	if err != nil || len(users) == 0 {
		return err
	}
	return notices.Notify(ctx, users, SupersededKind, SupersededSubject(old.Title, by.Title), URL(by.ID))
}

// SupersededSubject is what the notice of a superseded document says: the old title and the new
// one (each cut at 190 characters).
func SupersededSubject(old, by string) string {
	cut := func(s string) string {
		if utf8.RuneCountInString(s) > 190 {
			return string([]rune(s)[:189]) + "…"
		}
		return s
	}
	return cut(old) + " → " + cut(by)
}

// NoticeSubject is what the notice of a new version says: the document, the version's number
// and its change note (cut at 400 characters).
func NoticeSubject(title string, number int, note string) string {
	s := title + " – v" + strconv.Itoa(number) + ": " + note
	if utf8.RuneCountInString(s) > 400 {
		s = string([]rune(s)[:399]) + "…"
	}
	return s
}

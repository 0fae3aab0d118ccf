package content

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"passhub/app/audit"
	"passhub/app/db"
)

// Actor is who works in the newsroom. Publisher is set by the handlers from the access policy
// (access.PublishContent): publishers review, publish, schedule and unpublish.
type Actor struct {
	UserID    int64
	Name      string
	IP        string
	Publisher bool
}

// Errors of the workflow.
var (
	// ErrMoved is a save or a step that names a revision the entry has moved on from: someone
	// else saved or acted meanwhile.
	ErrMoved = errors.New("content: the entry changed since it was opened")
	// ErrStep is a step its revision's state does not allow.
	ErrStep = errors.New("content: not possible in this state")
	// ErrNotPublisher is a step only a publisher may take (the type is not direct-publishing).
	ErrNotPublisher = errors.New("content: only a publisher may do this")
	// ErrPast is a schedule at a time already gone; ErrWindow an unpublication before the publication.
	ErrPast   = errors.New("content: the time is in the past")
	ErrWindow = errors.New("content: unpublish time before the publish time")
	// ErrNoTime is a schedule without any time.
	ErrNoTime = errors.New("content: no time given")
	// ErrComment is a request for changes without a comment.
	ErrComment = errors.New("content: a comment is needed")
	// ErrSlugTaken is a new entry whose slug another entry of its type has.
	ErrSlugTaken = errors.New("content: slug already used")
	// ErrBadSlug is a new entry's slug that cannot name a URL.
	ErrBadSlug = errors.New("content: bad slug")
	// ErrNoRename is a slug change on a type whose URLs others depend on (the catalogue's
	// procedures and task forces, which requests reference by slug).
	ErrNoRename = errors.New("content: the slug of this type cannot change")
)

// Refused is a publication the rest of the site refuses: a procedure naming an unknown task force,
// a code used twice. Its message says what is wrong.
type Refused struct {
	Msg string
	// Key and Rule, when set, name the field the refusal is about and the rule it breaks, as a
	// FileError does.
	Key, Rule string
	// Detail is the value the message names, as a FileError's.
	Detail string
}

func (e *Refused) Error() string { return "content: refused: " + e.Msg }

// Steps of the workflow, as the forms name them.
const (
	StepSave           = "save"
	StepSubmit         = "submit"
	StepRequestChanges = "request_changes"
	StepPublish        = "publish"
	StepSchedule       = "schedule"
	StepUnpublish      = "unpublish"
	StepArchive        = "archive"
)

// Steps lists the steps who may take on the entry e whose latest revision is head: the one rule
// the service applies and the newsroom's buttons show. head nil is a new entry.
func Steps(who Actor, def *Definition, e *Entry, head *Revision) map[string]bool {
	may := map[string]bool{}
	publish := who.Publisher || def.DirectPublish
	state := StateDraft
	if head != nil {
		state = head.State
	}
	may[StepSave] = state != StateReview || who.Publisher
	if head == nil {
		return may
	}
	may[StepSubmit] = state == StateDraft
	may[StepRequestChanges] = who.Publisher && (state == StateReview || state == StateScheduled)
	may[StepPublish] = publish && (state == StateDraft || state == StateReview || state == StateScheduled)
	may[StepSchedule] = publish && (may[StepPublish] || e.PublishedRevisionID != 0)
	may[StepUnpublish] = publish && e.PublishedRevisionID != 0
	may[StepArchive] = who.Publisher && state != StateArchived
	return may
}

// Work is an entry as the newsroom shows it: its latest revision, parsed, and the live one.
type Work struct {
	Entry   *Entry
	Def     *Definition
	Head    *Revision
	Doc     *Document
	Live    *Revision // nil when nothing is published
	History []Revision
}

// Work returns the entry t/slug with its latest revision and history.
func (s *Service) Work(ctx context.Context, t Type, slug string) (*Work, error) {
	def, ok := Lookup(t)
	if !ok || !ValidSlug(slug) {
		return nil, fmt.Errorf("content: %s/%s: %w", t, slug, db.ErrNotFound)
	}
	e, err := s.store.Entry(ctx, s.db, t, slug)
	if err != nil {
		return nil, err
	}
	w := &Work{Entry: e, Def: def}
	if w.Head, err = s.store.Revision(ctx, s.db, e.CurrentRevisionID); err != nil {
		return nil, err
	}
	if w.Doc, err = Parse(t, slug, e.SourcePath, []byte(w.Head.Source)); err != nil {
		return nil, err
	}
	if e.PublishedRevisionID != 0 {
		if w.Live, err = s.store.Revision(ctx, s.db, e.PublishedRevisionID); err != nil {
			return nil, err
		}
	}
	if w.History, err = s.store.Revisions(ctx, s.db, e.ID); err != nil {
		return nil, err
	}
	return w, nil
}

// Preview parses a draft by the import's rules and renders its body as the public page does.
func Preview(d Draft) (*Document, error) {
	def, ok := Lookup(d.Type)
	if !ok {
		return nil, fmt.Errorf("content: %s: %w", d.Type, db.ErrNotFound)
	}
	src, err := d.Source(def, nil)
	if err != nil {
		return nil, err
	}
	slug := d.Slug
	if slug == "" {
		slug = "anteprima"
	}
	return Parse(d.Type, slug, def.Dir+"/"+slug+".md", []byte(src))
}

// SaveDraft stores the draft as a new revision of its entry, in state draft; a new entry (Base
// 0) is created with it. The draft is checked by the import's rules; a FileError says which
// field is wrong. It returns the entry and the new revision.
func (s *Service) SaveDraft(ctx context.Context, who Actor, d Draft) (*Entry, *Revision, error) {
	e, rev, _, err := s.saveDraft(ctx, who, d, saveOpts{})
	return e, rev, err
}

// SaveDraftWith is SaveDraft, and also runs inside the save's transaction, after its audit
// entry: a writer that is not a person (the monitoring reports) records its own event with the
// revision, so that the event exists exactly when the draft does.
func (s *Service) SaveDraftWith(ctx context.Context, who Actor, d Draft,
	also func(ctx context.Context, tx bun.Tx, e *Entry, r *Revision) error) (*Entry, *Revision, error) {
	e, rev, _, err := s.saveDraft(ctx, who, d, saveOpts{also: also})
	return e, rev, err
}

// saveDraft is SaveDraft with its variants (saveOpts): a restore, an autosave. inPlace reports an
// autosave that updated the head revision instead of adding one.
func (s *Service) saveDraft(ctx context.Context, who Actor, d Draft, opt saveOpts) (_ *Entry, _ *Revision, inPlace bool, _ error) {
	restored := opt.restored
	def, ok := Lookup(d.Type)
	if !ok {
		return nil, nil, false, fmt.Errorf("content: %s: %w", d.Type, db.ErrNotFound)
	}
	if opt.auto && d.Base == 0 {
		return nil, nil, false, ErrStep // a new entry is saved by hand first
	}
	if d.Base == 0 {
		if d.Slug == "" {
			d.Slug = Slugify(d.Fields["title"])
		}
		if !ValidSlug(d.Slug) {
			return nil, nil, false, ErrBadSlug
		}
	}
	if d.Base != 0 && d.Rename != "" && d.Rename != d.Slug {
		if !ValidSlug(d.Rename) {
			return nil, nil, false, ErrBadSlug
		}
		if !Renamable(def) {
			return nil, nil, false, ErrNoRename
		}
	} else {
		d.Rename = ""
	}
	var e *Entry
	var rev, head *Revision
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := time.Now().UTC()
		var keep *Document
		var err error
		inPlace = false
		if d.Base == 0 {
			if _, err := s.store.Entry(ctx, tx, d.Type, d.Slug); err == nil {
				return ErrSlugTaken
			} else if !errors.Is(err, db.ErrNotFound) {
				return err
			}
		} else {
			if e, err = s.store.LockEntry(ctx, tx, d.Type, d.Slug); err != nil {
				return err
			}
			if e.CurrentRevisionID != d.Base {
				return ErrMoved
			}
			if head, err = s.store.Revision(ctx, tx, e.CurrentRevisionID); err != nil {
				return err
			}
			if d.BaseHash != "" && d.BaseHash != head.Hash {
				return ErrMoved // saved over in place by an autosave since the form was opened
			}
			if !Steps(who, def, e, head)[StepSave] || opt.auto && head.State != StateDraft {
				return ErrStep
			}
			keep, _ = Parse(d.Type, d.Slug, e.SourcePath, []byte(head.Source))
			if restored != 0 {
				old, err := s.store.RevisionNumber(ctx, tx, e.ID, restored)
				if err != nil {
					return err
				}
				keep, _ = Parse(d.Type, d.Slug, e.SourcePath, []byte(old.Source))
			}
			if d.Rename != "" {
				if err := s.slugFree(ctx, tx, e, d.Rename); err != nil {
					return err
				}
			}
		}
		src, err := d.Source(def, keep)
		if err != nil {
			return err
		}
		path := def.Dir + "/" + d.Slug + ".md"
		doc, err := Parse(d.Type, d.Slug, path, []byte(src))
		if err != nil {
			return err
		}
		if opt.auto && overwritable(who, head) {
			rev, inPlace = head, true
			return s.overwrite(ctx, tx, e, head, doc, src, d.Rename, now)
		}
		if e == nil {
			e = &Entry{Type: d.Type, Slug: d.Slug, SourcePath: path, CreatedAt: now, UpdatedAt: now, EditedSinceImport: true}
			fill(e, doc)
			if err := s.store.InsertEntry(ctx, tx, e); err != nil {
				return err
			}
			if err := s.attachNew(ctx, tx, e, d.Files); err != nil {
				return err
			}
		}
		rev = &Revision{EntryID: e.ID, Source: src, Hash: hashOf(src), Origin: OriginEditor, Author: who.Name, AuthorID: who.UserID,
			State: StateDraft, CreatedAt: now, UpdatedAt: now, Slug: d.Rename}
		if err := s.store.InsertRevision(ctx, tx, rev); err != nil {
			return err
		}
		if e.PublishedRevisionID == 0 {
			fill(e, doc) // not public yet: the newsroom's lists show the latest title
		}
		e.CurrentRevisionID, e.EditedSinceImport, e.UpdatedAt = rev.ID, true, now
		if err := s.store.UpdateEntry(ctx, tx, e); err != nil {
			return err
		}
		if restored != 0 {
			if err := s.record(ctx, tx, who, "content.restore", e, rev, fmt.Sprintf("from rev %d", restored)); err != nil {
				return err
			}
			return s.Events.InTx(ctx, tx, Restored{Step: stepOf(e, rev, who.UserID), From: restored})
		}
		if opt.auto {
			return s.record(ctx, tx, who, "content.autosave", e, rev)
		}
		if err := s.record(ctx, tx, who, "content.save", e, rev); err != nil {
			return err
		}
		if opt.also != nil {
			return opt.also(ctx, tx, e, rev)
		}
		return nil
	})
	if err != nil {
		return nil, nil, false, err
	}
	if !inPlace { // an autosave over the author's own draft is no new revision to announce
		s.saved(ctx, e, rev)
	}
	return e, rev, inPlace, nil
}

// step runs one transition on the latest revision of t/slug, which must be base: it checks the
// rule (Steps), then calls fn with the locked entry and the revision.
func (s *Service) step(ctx context.Context, who Actor, t Type, slug string, base int64, name string,
	fn func(ctx context.Context, tx bun.Tx, def *Definition, e *Entry, head *Revision) error) error {
	def, ok := Lookup(t)
	if !ok {
		return fmt.Errorf("content: %s: %w", t, db.ErrNotFound)
	}
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		e, err := s.store.LockEntry(ctx, tx, t, slug)
		if err != nil {
			return err
		}
		if e.CurrentRevisionID != base {
			return ErrMoved
		}
		head, err := s.store.Revision(ctx, tx, e.CurrentRevisionID)
		if err != nil {
			return err
		}
		if !Steps(who, def, e, head)[name] {
			if !who.Publisher && Steps(Actor{Publisher: true}, def, e, head)[name] {
				return ErrNotPublisher
			}
			return ErrStep
		}
		return fn(ctx, tx, def, e, head)
	})
	if err == nil {
		s.changed()
	}
	return err
}

func stepOf(e *Entry, r *Revision, actor int64) Step {
	return Step{EntryID: e.ID, RevisionID: r.ID, ActorID: actor, Type: e.Type, Slug: e.Slug}
}

func (s *Service) record(ctx context.Context, tx bun.IDB, who Actor, action string, e *Entry, r *Revision, detail ...string) error {
	d := fmt.Sprintf("%s/%s rev %d", e.Type, e.Slug, r.Number)
	if len(detail) > 0 && detail[0] != "" {
		d += ": " + detail[0]
	}
	return audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: cmpName(who), IP: who.IP, Action: action,
		ObjectType: "entry", ObjectID: e.ID, Detail: d})
}

func cmpName(who Actor) string {
	if who.Name == "" {
		return "system"
	}
	return who.Name
}

// Submit sends the draft base of t/slug for review.
func (s *Service) Submit(ctx context.Context, who Actor, t Type, slug string, base int64) error {
	return s.step(ctx, who, t, slug, base, StepSubmit, func(ctx context.Context, tx bun.Tx, _ *Definition, e *Entry, r *Revision) error {
		r.State, r.Comment, r.UpdatedAt = StateReview, "", time.Now().UTC()
		if err := s.store.UpdateRevision(ctx, tx, r); err != nil {
			return err
		}
		if err := s.record(ctx, tx, who, "content.submit", e, r); err != nil {
			return err
		}
		return s.Events.InTx(ctx, tx, Submitted{stepOf(e, r, who.UserID)})
	})
}

// RequestChanges sends the revision in review (or scheduled) back to its author as a draft, with
// the publisher's comment.
func (s *Service) RequestChanges(ctx context.Context, who Actor, t Type, slug string, base int64, comment string) error {
	comment = strings.TrimSpace(comment)
	if comment == "" {
		return ErrComment
	}
	return s.step(ctx, who, t, slug, base, StepRequestChanges, func(ctx context.Context, tx bun.Tx, _ *Definition, e *Entry, r *Revision) error {
		r.State, r.Comment, r.UpdatedAt = StateDraft, comment, time.Now().UTC()
		r.PublishAt, r.UnpublishAt, r.ScheduledBy = time.Time{}, time.Time{}, 0
		if err := s.store.UpdateRevision(ctx, tx, r); err != nil {
			return err
		}
		if err := s.record(ctx, tx, who, "content.request_changes", e, r, comment); err != nil {
			return err
		}
		return s.Events.InTx(ctx, tx, ChangesRequested{stepOf(e, r, who.UserID)})
	})
}

// Publish makes the latest revision of t/slug live at once: the public pages, the catalogue,
// search and the caches follow, as after an import.
// A revision linking to pages of the site that do not exist or are not published is refused with
// *BrokenLinks; PublishAnyway publishes it all the same.
func (s *Service) Publish(ctx context.Context, who Actor, t Type, slug string, base int64) error {
	return s.publish(ctx, who, t, slug, base, false)
}

// PublishAnyway is Publish when the publisher confirmed the broken links.
func (s *Service) PublishAnyway(ctx context.Context, who Actor, t Type, slug string, base int64) error {
	return s.publish(ctx, who, t, slug, base, true)
}

func (s *Service) publish(ctx context.Context, who Actor, t Type, slug string, base int64, anyway bool) error {
	return s.step(ctx, who, t, slug, base, StepPublish, func(ctx context.Context, tx bun.Tx, _ *Definition, e *Entry, r *Revision) error {
		if !anyway {
			if err := s.checkLinks(ctx, tx, e, r); err != nil {
				return err
			}
		}
		return s.goLive(ctx, tx, who, e, r)
	})
}

// checkLinks returns *BrokenLinks when revision r of entry e links to pages of the site that
// reach no published page now (its own URL, and the slug it asks for, count as reachable).
func (s *Service) checkLinks(ctx context.Context, tx bun.IDB, e *Entry, r *Revision) error {
	bl, err := s.brokenOf(ctx, tx, e, r)
	if err != nil {
		return err
	}
	if len(bl) > 0 {
		return &BrokenLinks{Links: bl}
	}
	return nil
}

func (s *Service) brokenOf(ctx context.Context, idb bun.IDB, e *Entry, r *Revision) ([]Link, error) {
	doc, err := Parse(e.Type, e.Slug, e.SourcePath, []byte(r.Source))
	if err != nil {
		return nil, err
	}
	if len(InternalLinks(doc.Body)) == 0 {
		return nil, nil
	}
	tg, err := s.targets(ctx, idb)
	if err != nil {
		return nil, err
	}
	self := []string{key(e.Type, e.Slug)}
	if r.Slug != "" {
		self = append(self, key(e.Type, r.Slug))
	}
	return tg.broken(doc.Body, self...), nil
}

// goLive publishes revision r of entry e inside tx: the previous live revision is archived.
func (s *Service) goLive(ctx context.Context, tx bun.Tx, who Actor, e *Entry, r *Revision) error {
	src := r.Source
	if src == "" { // loaded without its source
		full, err := s.store.Revision(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		src = full.Source
	}
	now := time.Now().UTC()
	if r.Slug != "" && r.Slug != e.Slug {
		// The revision renames its entry: the old URL redirects to the new one from now on.
		if err := s.slugFree(ctx, tx, e, r.Slug); err != nil {
			return err
		}
		def, _ := Lookup(e.Type)
		from := e.Slug
		e.Slug = r.Slug
		if def != nil {
			e.SourcePath = def.Dir + "/" + e.Slug + ".md"
		}
		if err := s.store.Rename(ctx, tx, e, from, e.Slug, now); err != nil {
			return err
		}
		if err := s.record(ctx, tx, who, "content.rename", e, r, from+" → "+e.Slug); err != nil {
			return err
		}
	}
	doc, err := Parse(e.Type, e.Slug, e.SourcePath, []byte(src))
	if err != nil {
		return err
	}
	if e.PublishedRevisionID != 0 && e.PublishedRevisionID != r.ID {
		old, err := s.store.Revision(ctx, tx, e.PublishedRevisionID)
		if err != nil {
			return err
		}
		old.State, old.UnpublishAt, old.UpdatedAt = StateArchived, time.Time{}, now
		if err := s.store.UpdateRevision(ctx, tx, old); err != nil {
			return err
		}
	}
	r.State, r.Comment, r.PublishAt, r.UpdatedAt = StatePublished, "", time.Time{}, now
	if err := s.store.UpdateRevision(ctx, tx, r); err != nil {
		return err
	}
	fill(e, doc)
	e.PublishedRevisionID, e.EditedSinceImport, e.UpdatedAt = r.ID, true, now
	if err := s.store.UpdateEntry(ctx, tx, e); err != nil {
		return err
	}
	if err := s.enqueue(ctx, tx, []*Entry{e}); err != nil {
		return err
	}
	rep := &ImportReport{}
	if err := s.sync(ctx, tx, rep); err != nil {
		return err
	}
	for _, fe := range rep.Errors {
		if fe.Path == e.SourcePath {
			return &Refused{Msg: fe.Msg, Key: fe.Key, Rule: fe.Rule, Detail: fe.Detail}
		}
	}
	if err := s.record(ctx, tx, who, "content.publish", e, r); err != nil {
		return err
	}
	return s.Events.InTx(ctx, tx, WentLive{stepOf(e, r, who.UserID)})
}

// Renamable reports whether entries of type def may change slug: the types the portal serves.
// The catalogue's procedures and task forces are referenced by slug elsewhere.
func Renamable(def *Definition) bool { return def.Template != "" }

// slugFree returns ErrSlugTaken when another entry of e's type has slug.
func (s *Service) slugFree(ctx context.Context, tx bun.IDB, e *Entry, slug string) error {
	other, err := s.store.Entry(ctx, tx, e.Type, slug)
	switch {
	case err == nil && other.ID != e.ID:
		return ErrSlugTaken
	case err != nil && !errors.Is(err, db.ErrNotFound):
		return err
	}
	return nil
}

// Redirect returns the slug that the former slug from of type t leads to now.
func (s *Service) Redirect(ctx context.Context, t Type, from string) (string, error) {
	if !t.Valid() || !ValidSlug(from) {
		return "", fmt.Errorf("content: redirect %s/%s: %w", t, from, db.ErrNotFound)
	}
	r, err := s.store.Redirect(ctx, s.db, t, from)
	if err != nil {
		return "", err
	}
	return r.To, nil
}

// SlugOf returns the current slug of entry id.
func (s *Service) SlugOf(ctx context.Context, id int64) (string, error) {
	e, err := s.store.EntryByID(ctx, s.db, id)
	if err != nil {
		return "", err
	}
	return e.Slug, nil
}

// Unpublish takes t/slug off the public site: its live revision is archived.
func (s *Service) Unpublish(ctx context.Context, who Actor, t Type, slug string, base int64) error {
	return s.step(ctx, who, t, slug, base, StepUnpublish, func(ctx context.Context, tx bun.Tx, _ *Definition, e *Entry, _ *Revision) error {
		return s.takeDown(ctx, tx, who, e)
	})
}

func (s *Service) takeDown(ctx context.Context, tx bun.Tx, who Actor, e *Entry) error {
	live, err := s.store.Revision(ctx, tx, e.PublishedRevisionID)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	live.State, live.UnpublishAt, live.UpdatedAt = StateArchived, time.Time{}, now
	if err := s.store.UpdateRevision(ctx, tx, live); err != nil {
		return err
	}
	e.PublishedRevisionID, e.UpdatedAt = 0, now
	if _, err := tx.NewUpdate().Model(e).Column("published_revision_id", "updated_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("content: unpublish %d: %w", e.ID, db.Map(err))
	}
	if err := s.enqueue(ctx, tx, []*Entry{e}); err != nil {
		return err
	}
	if err := s.record(ctx, tx, who, "content.unpublish", e, live); err != nil {
		return err
	}
	return s.Events.InTx(ctx, tx, Unpublished{stepOf(e, live, who.UserID)})
}

// Archive withdraws t/slug: its latest revision is archived and, if it is live, it is unpublished.
func (s *Service) Archive(ctx context.Context, who Actor, t Type, slug string, base int64) error {
	return s.step(ctx, who, t, slug, base, StepArchive, func(ctx context.Context, tx bun.Tx, _ *Definition, e *Entry, r *Revision) error {
		if e.PublishedRevisionID != 0 {
			if err := s.takeDown(ctx, tx, who, e); err != nil {
				return err
			}
		}
		if r.State != StateArchived {
			r.State, r.PublishAt, r.UpdatedAt = StateArchived, time.Time{}, time.Now().UTC()
			if err := s.store.UpdateRevision(ctx, tx, r); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, who, "content.archive", e, r)
	})
}

// Schedule sets the latest revision of t/slug to be published at publishAt, and the entry to
// be unpublished at unpublishAt; either may be zero (not both). With only unpublishAt, it is
// the live revision that will be taken down. Durable jobs do it at the time (jobs.go).
// A publication of a revision whose internal links are broken now is refused with
// *BrokenLinks, as Publish refuses it; ScheduleAnyway schedules it all the same.
func (s *Service) Schedule(ctx context.Context, who Actor, t Type, slug string, base int64, publishAt, unpublishAt time.Time) error {
	return s.schedule(ctx, who, t, slug, base, publishAt, unpublishAt, false)
}

// ScheduleAnyway is Schedule when the publisher confirmed the broken links. When the job
// publishes the revision, links still broken then are reported to the publisher
// (PublishedBroken), not refused.
func (s *Service) ScheduleAnyway(ctx context.Context, who Actor, t Type, slug string, base int64, publishAt, unpublishAt time.Time) error {
	return s.schedule(ctx, who, t, slug, base, publishAt, unpublishAt, true)
}

func (s *Service) schedule(ctx context.Context, who Actor, t Type, slug string, base int64, publishAt, unpublishAt time.Time, anyway bool) error {
	now := time.Now()
	switch {
	case publishAt.IsZero() && unpublishAt.IsZero():
		return ErrNoTime
	case !publishAt.IsZero() && !publishAt.After(now), !unpublishAt.IsZero() && !unpublishAt.After(now):
		return ErrPast
	case !publishAt.IsZero() && !unpublishAt.IsZero() && !unpublishAt.After(publishAt):
		return ErrWindow
	}
	publishAt, unpublishAt = publishAt.UTC().Truncate(time.Second), unpublishAt.UTC().Truncate(time.Second)
	return s.step(ctx, who, t, slug, base, StepSchedule, func(ctx context.Context, tx bun.Tx, def *Definition, e *Entry, r *Revision) error {
		target := r
		if publishAt.IsZero() {
			if e.PublishedRevisionID == 0 {
				return ErrNoTime
			}
			live, err := s.store.Revision(ctx, tx, e.PublishedRevisionID)
			if err != nil {
				return err
			}
			target = live
		} else if !Steps(who, def, e, r)[StepPublish] {
			return ErrStep
		} else {
			if !anyway {
				if err := s.checkLinks(ctx, tx, e, r); err != nil {
					return err
				}
			}
			target.State, target.PublishAt = StateScheduled, publishAt
		}
		target.UnpublishAt, target.ScheduledBy, target.UpdatedAt = unpublishAt, who.UserID, time.Now().UTC()
		if err := s.store.UpdateRevision(ctx, tx, target); err != nil {
			return err
		}
		if s.Jobs == nil {
			return errors.New("content: schedule: no job queue")
		}
		if !publishAt.IsZero() {
			if err := s.Jobs.Enqueue(ctx, tx, ScheduleArgs{EntryID: e.ID, RevisionID: target.ID, Op: StepPublish, At: publishAt}); err != nil {
				return err
			}
		}
		if !unpublishAt.IsZero() {
			if err := s.Jobs.Enqueue(ctx, tx, ScheduleArgs{EntryID: e.ID, RevisionID: target.ID, Op: StepUnpublish, At: unpublishAt}); err != nil {
				return err
			}
		}
		detail := ""
		if !publishAt.IsZero() {
			detail = "publish " + publishAt.Format(time.RFC3339)
		}
		if !unpublishAt.IsZero() {
			detail = strings.TrimSpace(detail + " unpublish " + unpublishAt.Format(time.RFC3339))
		}
		if err := s.record(ctx, tx, who, "content.schedule", e, target, detail); err != nil {
			return err
		}
		return s.Events.InTx(ctx, tx, Scheduled{stepOf(e, target, who.UserID)})
	})
}

// Enqueuer inserts jobs, inside the caller's transaction.
type Enqueuer interface {
	Enqueue(ctx context.Context, idb bun.IDB, args river.JobArgs) error
}

// DeskItem is one line of the newsroom's lists: the entry and its latest and live revisions.
type DeskItem struct {
	Entry Entry
	Head  *Revision
	Live  *Revision
}

// DeskPage is one page of the newsroom's list and the total that matched.
type DeskPage struct {
	Items []DeskItem
	Total int
}

// Desk returns the entries matching q with their revisions.
func (s *Service) Desk(ctx context.Context, q Desk) (*DeskPage, error) {
	entries, total, err := s.store.Desk(ctx, s.db, q)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, e := range entries {
		ids = append(ids, e.CurrentRevisionID)
		if e.PublishedRevisionID != 0 {
			ids = append(ids, e.PublishedRevisionID)
		}
	}
	revs, err := s.store.RevisionsByID(ctx, s.db, ids)
	if err != nil {
		return nil, err
	}
	page := &DeskPage{Total: total}
	for _, e := range entries {
		page.Items = append(page.Items, DeskItem{Entry: e, Head: revs[e.CurrentRevisionID], Live: revs[e.PublishedRevisionID]})
	}
	return page, nil
}

// Outgoing is one line of the "in uscita" list: a revision waiting for its time.
type Outgoing struct {
	Entry    *Entry
	Revision Revision
}

// Outgoing lists what is scheduled to be published or unpublished, soonest first.
func (s *Service) Outgoing(ctx context.Context) ([]Outgoing, error) {
	revs, err := s.store.ScheduledRevisions(ctx, s.db)
	if err != nil {
		return nil, err
	}
	var out []Outgoing
	for _, r := range revs {
		e, err := s.store.EntryByID(ctx, s.db, r.EntryID)
		if err != nil {
			return nil, err
		}
		out = append(out, Outgoing{Entry: e, Revision: r})
	}
	return out, nil
}

// Author returns the user id of revision id's author (0 for an import).
func (s *Service) Author(ctx context.Context, id int64) (int64, error) {
	r, err := s.store.Revision(ctx, s.db, id)
	if err != nil {
		return 0, err
	}
	return r.AuthorID, nil
}

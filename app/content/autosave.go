package content

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/db"
)

// Autosave stores the draft d of an existing entry while its author types. On top of the
// author's own latest draft revision it updates that revision in place, so that history is not
// flooded with one revision per pause; otherwise (another author's draft, a draft sent back with a
// publisher's comment, an imported revision) it adds a draft revision as SaveDraft does. It is
// checked as a save is (Base, BaseHash: ErrMoved; Steps: ErrStep; the import's rules: FileError),
// refuses a new entry and a head that is not a draft (ErrStep), and returns the revision it wrote
// and whether it was updated in place. An update in place records no audit entry and no event; a
// new revision is audited as content.autosave.
func (s *Service) Autosave(ctx context.Context, who Actor, d Draft) (rev *Revision, inPlace bool, err error) {
	_, rev, inPlace, err = s.saveDraft(ctx, who, d, saveOpts{auto: true})
	return rev, inPlace, err
}

// saveOpts are saveDraft's variants: restored, when not 0, is the number of the revision a
// restore brings back (its attachments are kept instead of the head's, the audit says so); auto
// is an autosave; also, when not nil, runs last inside the save's transaction (SaveDraftWith).
type saveOpts struct {
	restored int
	auto     bool
	also     func(ctx context.Context, tx bun.Tx, e *Entry, r *Revision) error
}

// overwritable reports whether an autosave by who may update head in place: head is who's own
// draft, written in the newsroom, and not a draft a publisher sent back with a comment (the
// revision they reviewed stays in history).
func overwritable(who Actor, head *Revision) bool {
	return head != nil && who.UserID != 0 && head.AuthorID == who.UserID && head.State == StateDraft &&
		head.Origin == OriginEditor && head.Comment == ""
}

// overwrite replaces the source of the draft revision head of e by src (doc parsed), inside tx.
func (s *Service) overwrite(ctx context.Context, tx bun.Tx, e *Entry, head *Revision, doc *Document, src, rename string, now time.Time) error {
	head.Source, head.Hash, head.Slug, head.UpdatedAt = src, hashOf(src), rename, now
	if _, err := tx.NewUpdate().Model(head).Column("source", "hash", "slug", "updated_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("content: autosave revision %d: %w", head.ID, db.Map(err))
	}
	if e.PublishedRevisionID == 0 {
		fill(e, doc) // not public yet: the newsroom's lists show the latest title
	}
	e.UpdatedAt = now
	return s.store.UpdateEntry(ctx, tx, e)
}

// Choice is one value a reference field may take: an entry's code and its title.
type Choice struct {
	Value, Label string
}

// Choices returns the values a KindRef field naming type t may take: the code of every published
// entry of t (its first KindCode field) with its title, by title.
func (s *Service) Choices(ctx context.Context, t Type) ([]Choice, error) {
	def, ok := Lookup(t)
	if !ok {
		return nil, fmt.Errorf("content: %s: %w", t, db.ErrNotFound)
	}
	code := ""
	for _, f := range def.Fields {
		if f.Kind == KindCode {
			code = f.Name
			break
		}
	}
	if code == "" {
		return nil, fmt.Errorf("content: %s has no code field", t)
	}
	docs, _, err := s.Documents(ctx, s.db, t)
	if err != nil {
		return nil, err
	}
	out := make([]Choice, 0, len(docs))
	for _, d := range docs {
		if v := d.Front.Text(code); v != "" {
			out = append(out, Choice{Value: v, Label: d.Front.Text("title")})
		}
	}
	slices.SortFunc(out, func(a, b Choice) int { return cmp.Or(cmp.Compare(a.Label, b.Label), cmp.Compare(a.Value, b.Value)) })
	return out, nil
}

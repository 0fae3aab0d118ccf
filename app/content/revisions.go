package content

import (
	"context"
	"fmt"

	"passhub/app/db"
)

// Version is one revision of an entry with its source parsed by the import's parser.
type Version struct {
	Revision *Revision
	Doc      *Document
	// Fields are the values of the type's fields as the form shows them (FormValues).
	Fields map[string]string
}

// Version returns revision number of the entry t/slug, parsed.
func (s *Service) Version(ctx context.Context, t Type, slug string, number int) (*Version, error) {
	def, ok := Lookup(t)
	if !ok || !ValidSlug(slug) {
		return nil, fmt.Errorf("content: %s/%s: %w", t, slug, db.ErrNotFound)
	}
	e, err := s.store.Entry(ctx, s.db, t, slug)
	if err != nil {
		return nil, err
	}
	r, err := s.store.RevisionNumber(ctx, s.db, e.ID, number)
	if err != nil {
		return nil, err
	}
	doc, err := Parse(t, slug, e.SourcePath, []byte(r.Source))
	if err != nil {
		return nil, err
	}
	return &Version{Revision: r, Doc: doc, Fields: FormValues(def, doc)}, nil
}

// Restore saves revision number of t/slug again as a new draft, through SaveDraft's rules: base
// is the revision the user saw as the latest (ErrMoved when the entry moved on since), and the
// step must be one who may take (ErrStep). The old revision's attachments come back with it.
func (s *Service) Restore(ctx context.Context, who Actor, t Type, slug string, number int, base int64) (*Entry, *Revision, error) {
	v, err := s.Version(ctx, t, slug, number)
	if err != nil {
		return nil, nil, err
	}
	if base == 0 {
		return nil, nil, ErrMoved // a restore always names the latest revision it replaces
	}
	d := Draft{Type: t, Slug: slug, Base: base, Fields: v.Fields, Body: v.Doc.Body}
	e, rev, _, err := s.saveDraft(ctx, who, d, saveOpts{restored: number})
	return e, rev, err
}

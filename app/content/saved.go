package content

import "context"

// OnSave registers fn to run in this process after every committed save of a new revision (a
// draft saved from the newsroom or the API, a restored revision), with the entry and the
// revision: not durable, best effort (the newsroom's presence tells the other editors).
func (s *Service) OnSave(fn func(ctx context.Context, e *Entry, r *Revision)) {
	s.mu.Lock()
	s.onSave = append(s.onSave, fn)
	s.mu.Unlock()
}

func (s *Service) saved(ctx context.Context, e *Entry, r *Revision) {
	s.mu.RLock()
	fns := s.onSave
	s.mu.RUnlock()
	for _, fn := range fns {
		fn(context.WithoutCancel(ctx), e, r)
	}
}

// EntryByID returns the entry with the given id (db.ErrNotFound when there is none).
func (s *Service) EntryByID(ctx context.Context, id int64) (*Entry, error) {
	return s.store.EntryByID(ctx, s.db, id)
}

// EntryBySlug returns the entry t/slug (db.ErrNotFound when there is none).
func (s *Service) EntryBySlug(ctx context.Context, t Type, slug string) (*Entry, error) {
	return s.store.Entry(ctx, s.db, t, slug)
}

// RevisionByID returns the revision with the given id (db.ErrNotFound when there is none).
func (s *Service) RevisionByID(ctx context.Context, id int64) (*Revision, error) {
	return s.store.Revision(ctx, s.db, id)
}

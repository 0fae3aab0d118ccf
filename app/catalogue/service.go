package catalogue

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/cache"
	"passhub/app/content"
	"passhub/app/db"
)

// Service owns the catalogue: syncing it from content and reading it.
type Service struct {
	db      *db.DB
	content *content.Service
	store   Store
	cache   *cache.Cache
}

// NewService returns the catalogue service and registers it to sync on every content change, and
// to drop its cache whenever content changed on any instance.
func NewService(d *db.DB, cs *content.Service, cacheTTL time.Duration) *Service {
	s := &Service{db: d, content: cs, cache: cache.New(cacheTTL)}
	cs.AddSyncer(s)
	cs.OnChange(s.Invalidate)
	return s
}

// SyncContent writes the task forces and procedures of the current content into the catalogue
// tables. A procedure naming an unknown task force, or reusing another's code, is reported.
func (s *Service) SyncContent(ctx context.Context, tx bun.IDB) ([]*content.FileError, error) {
	var problems []*content.FileError
	now := time.Now().UTC()
	docs, entries, err := s.content.Documents(ctx, tx, content.TypeTaskForce)
	if err != nil {
		return nil, err
	}
	byCode := map[string]*TaskForce{}
	for i, d := range docs {
		if other, dup := byCode[d.Front.Code]; dup {
			problems = append(problems, &content.FileError{Path: entries[i].SourcePath,
				Key: "code", Rule: "taken", Msg: fmt.Sprintf("code %q is already used by task force %q", d.Front.Code, other.Slug)})
			continue
		}
		tf := &TaskForce{Code: d.Front.Code, Slug: d.Slug, Title: d.Front.Title, Summary: d.Front.Summary,
			Weight: d.Front.Weight, EntryID: entries[i].ID, UpdatedAt: now}
		if err := s.store.SaveTaskForce(ctx, tx, tf); err != nil {
			return nil, err
		}
		byCode[tf.Code] = tf
	}
	docs, entries, err = s.content.Documents(ctx, tx, content.TypeProcedure)
	if err != nil {
		return nil, err
	}
	seen := map[string]string{}
	for i, d := range docs {
		f := d.Front
		tf, ok := byCode[f.TaskForce]
		if !ok {
			problems = append(problems, &content.FileError{Path: entries[i].SourcePath,
				Key: "task_force", Rule: "unknown_ref", Msg: fmt.Sprintf("task_force %q is not the code of any task force", f.TaskForce)})
			continue
		}
		if other, dup := seen[f.Code]; dup {
			problems = append(problems, &content.FileError{Path: entries[i].SourcePath,
				Key: "code", Rule: "taken", Msg: fmt.Sprintf("code %q is already used by procedure %q", f.Code, other)})
			continue
		}
		seen[f.Code] = d.Slug
		accepts := f.AcceptsRequests == nil || *f.AcceptsRequests
		p := &Procedure{Code: f.Code, Slug: d.Slug, TaskForceID: tf.ID, Title: f.Title, Summary: f.Summary,
			AcceptsRequests: accepts, Office: f.Office, Responsible: f.Responsible, LegalBasis: nonNil(f.LegalBasis),
			Duration: f.Duration, Costs: f.Costs, Documents: nonNil(f.Documents), EntryID: entries[i].ID, UpdatedAt: now}
		if err := s.store.SaveProcedure(ctx, tx, p); err != nil {
			return nil, err
		}
	}
	return problems, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Catalogue returns every task force with its procedures.
func (s *Service) Catalogue(ctx context.Context) ([]*TaskForce, error) {
	v, err := s.cache.Get("all", func() (any, error) { return s.store.TaskForces(ctx, s.db) })
	if err != nil {
		return nil, err
	}
	return v.([]*TaskForce), nil
}

// Filter is what a visitor asks of the catalogue.
type Filter struct {
	TaskForce string // a task force code; empty for all
	Words     string // words that must all appear in a procedure's code, title or summary (see matches)
}

// Search returns the task forces (with only their matching procedures) that match f, and how many
// procedures matched; task forces left with no procedure are dropped.
func (s *Service) Search(ctx context.Context, f Filter) ([]*TaskForce, int, error) {
	all, err := s.Catalogue(ctx)
	if err != nil {
		return nil, 0, err
	}
	words := strings.Fields(strings.ToLower(f.Words))
	var out []*TaskForce
	n := 0
	for _, tf := range all {
		if f.TaskForce != "" && tf.Code != f.TaskForce {
			continue
		}
		var procs []*Procedure
		for _, p := range tf.Procedures {
			if matches(p, tf, words) {
				procs = append(procs, p)
			}
		}
		if len(procs) == 0 {
			continue
		}
		cp := *tf
		cp.Procedures = procs
		out = append(out, &cp)
		n += len(procs)
	}
	return out, n, nil
}

// TaskForce returns the task force whose page is at slug, with its procedures.
func (s *Service) TaskForce(ctx context.Context, slug string) (*TaskForce, error) {
	all, err := s.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	for _, tf := range all {
		if tf.Slug == slug {
			return tf, nil
		}
	}
	return nil, fmt.Errorf("catalogue: task force %q: %w", slug, db.ErrNotFound)
}

// Procedure returns the procedure whose sheet is at slug, with its task force.
func (s *Service) Procedure(ctx context.Context, slug string) (*Procedure, *TaskForce, error) {
	all, err := s.Catalogue(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, tf := range all {
		for _, p := range tf.Procedures {
			if p.Slug == slug {
				return p, tf, nil
			}
		}
	}
	return nil, nil, fmt.Errorf("catalogue: procedure %q: %w", slug, db.ErrNotFound)
}

// Title names a task force or a procedure by its code (key "task_force" or "procedure"); "" when
// the code is unknown.
func (s *Service) Title(ctx context.Context, key, code string) string {
	all, err := s.Catalogue(ctx)
	if err != nil {
		return ""
	}
	for _, tf := range all {
		if key == "task_force" && tf.Code == code {
			return tf.Title
		}
		for _, p := range tf.Procedures {
			if key == "procedure" && p.Code == code {
				return p.Title
			}
		}
	}
	return ""
}

// Invalidate drops the cached catalogue, after content changed.
func (s *Service) Invalidate() { s.cache.Clear() }

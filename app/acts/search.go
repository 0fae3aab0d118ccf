package acts

import (
	"context"
	"slices"
	"strings"

	"passhub/app/db"
	"passhub/app/search"
)

// IndexIn puts the published templates in the site search, open to every member of an approved
// ente and all staff. The content package's change events already queue the entries' refs
// ("modello:<id>"); the kind registered here turns them into reserved docs.
func (s *Service) IndexIn(x *search.Index) {
	x.AddKind(string(Type), searchSource{s})
}

type searchSource struct{ s *Service }

// published reads every published template without the cache: an index job may run before this
// process's cache hears of a publication.
func (s *Service) published(ctx context.Context) ([]*Template, error) {
	docs, entries, err := s.content.Documents(ctx, s.db, Type)
	if err != nil {
		return nil, err
	}
	out := make([]*Template, 0, len(docs))
	for i, d := range docs {
		if t := templateOf(entries[i], d); t.fieldsProblem == nil {
			out = append(out, t)
		}
	}
	return out, nil
}

// Load is the search doc of the published template whose entry is id; a template not published
// (or that cannot be filled) is not indexed.
func (src searchSource) Load(ctx context.Context, id int64, full bool) (search.Doc, error) {
	all, err := src.s.published(ctx)
	if err != nil {
		return search.Doc{}, err
	}
	i := slices.IndexFunc(all, func(t *Template) bool { return t.EntryID == id })
	if i < 0 {
		return search.Doc{}, db.ErrNotFound
	}
	t := all[i]
	body := []string{t.Summary}
	if full {
		labels := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			labels[i] = f.Label
		}
		body = append(body, strings.Join(t.LegalBasis, "\n"), t.Changes, t.Notes, strings.Join(labels, ", "),
			placeholder.ReplaceAllString(t.Body, ""))
	}
	year := t.Updated.Year()
	if t.Updated.IsZero() {
		year = 0
	}
	return search.Doc{ID: search.Ref(string(Type), t.EntryID), Type: string(Type), Title: t.Title, URL: t.URL(),
		Body: strings.Join(body, "\n\n"), Private: true, Audience: search.AudienceMembers, Updated: t.Updated, Year: year}, nil
}

// IDs lists the published templates' entry ids after after.
func (src searchSource) IDs(ctx context.Context, after int64, n int) ([]int64, error) {
	all, err := src.s.published(ctx)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, t := range all {
		if t.EntryID > after {
			ids = append(ids, t.EntryID)
		}
	}
	slices.Sort(ids)
	if len(ids) > n {
		ids = ids[:n]
	}
	return ids, nil
}

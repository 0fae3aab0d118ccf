package project

import (
	"context"
	"errors"
	"strings"

	"passhub/app/db"
	"passhub/app/event"
	"passhub/app/search"
)

// Type is the sheets' type in the site search.
const Type = "progetto"

// IndexIn puts the published sheets in the site search, open to every member of an approved ente
// and all staff (those who may open them: access.ViewProjects); a draft is in no index.
func (s *Service) IndexIn(d *event.Dispatcher, x *search.Index) {
	x.AddKind(Type, searchSource{s})
	event.On(d, "search", func(ctx context.Context, ev Changed) error {
		if ev.Step != "" {
			return nil // an answer changes nothing the search shows
		}
		return x.Queue(ctx, search.Ref(Type, ev.Sheet))
	})
}

type searchSource struct{ s *Service }

// Load is the search doc of a published sheet; an unpublished one is not indexed.
func (src searchSource) Load(ctx context.Context, id int64, full bool) (search.Doc, error) {
	sh, err := src.s.Get(ctx, id)
	if errors.Is(err, db.ErrNotFound) || err == nil && !sh.Published() {
		return search.Doc{}, db.ErrNotFound
	}
	if err != nil {
		return search.Doc{}, err
	}
	body := []string{sh.Summary}
	if full {
		body = append(body, strings.Join(sh.Topics, ", "), sh.PartnerProfile)
		if sh.Ente != nil {
			body = append(body, sh.Ente.Name)
		}
		if sh.Call != nil {
			body = append(body, sh.Call.Title, sh.Call.Programme)
		}
	}
	return search.Doc{ID: search.Ref(Type, sh.ID), Type: Type, Title: sh.Title, URL: URL(sh.ID), Body: strings.Join(body, "\n\n"),
		Private: true, Audience: search.AudienceMembers, Updated: sh.UpdatedAt, Year: sh.CreatedAt.Year()}, nil
}

// IDs lists the published sheets' ids after after.
func (src searchSource) IDs(ctx context.Context, after int64, n int) ([]int64, error) {
	return src.s.PublishedIDs(ctx, after, n)
}

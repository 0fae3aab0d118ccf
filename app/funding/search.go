package funding

import (
	"context"
	"errors"
	"strings"

	"passhub/app/db"
	"passhub/app/event"
	"passhub/app/search"
)

// TypeCall is the calls' type in the site search.
const TypeCall = "bando"

// IndexIn puts the published calls in the site search (public items): x holds them as a kind of
// its own, and every change of calls updates their docs.
func (s *Service) IndexIn(d *event.Dispatcher, x *search.Index) {
	x.AddKind(TypeCall, searchSource{s})
	event.On(d, "search", func(ctx context.Context, ev Changed) error {
		refs := make([]string, len(ev.Calls))
		for i, id := range ev.Calls {
			refs[i] = search.Ref(TypeCall, id)
		}
		return x.Queue(ctx, refs...)
	})
}

type searchSource struct{ s *Service }

// Load is the search doc of a published call; an unpublished or deleted one is not indexed
// (db.ErrNotFound).
func (src searchSource) Load(ctx context.Context, id int64, full bool) (search.Doc, error) {
	c, err := src.s.Get(ctx, id)
	if errors.Is(err, db.ErrNotFound) || err == nil && !c.Published() {
		return search.Doc{}, db.ErrNotFound
	}
	if err != nil {
		return search.Doc{}, err
	}
	d := search.Doc{ID: search.Ref(TypeCall, c.ID), Type: TypeCall, Title: c.Title, URL: CallURL(c.Slug), Public: true, Updated: c.UpdatedAt,
		Body: c.Summary}
	if full {
		d.Body = strings.Join(nonEmpty(c.Summary, c.Programme, c.Authority, c.Beneficiaries, strings.Join(c.Topics, ", "), c.Code), "\n")
	}
	if len(c.Deadlines) > 0 {
		d.Year = c.Deadlines[len(c.Deadlines)-1].Day().Year()
	}
	return d, nil
}

// IDs lists the published calls' ids after after.
func (src searchSource) IDs(ctx context.Context, after int64, n int) ([]int64, error) {
	return src.s.PublishedIDs(ctx, after, n)
}

func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

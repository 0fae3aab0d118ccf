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

// IndexIn puts the published calls in the site search (public items): x holds them as an Extra
// source, and every change of calls updates their docs.
func (s *Service) IndexIn(d *event.Dispatcher, x *search.Index) {
	if x.Extra == nil {
		x.Extra = map[string]search.Source{}
	}
	x.Extra[TypeCall] = searchSource{s}
	event.On(d, "search", func(ctx context.Context, ev Changed) error {
		refs := make([]string, len(ev.Calls))
		for i, id := range ev.Calls {
			refs[i] = search.Ref(TypeCall, id)
		}
		return x.Queue(ctx, refs...)
	})
}

type searchSource struct{ s *Service }

// Doc is the search doc of a published call; an unpublished or deleted one is not indexed.
func (src searchSource) Doc(ctx context.Context, id int64, full bool) (search.Doc, bool, error) {
	c, err := src.s.Get(ctx, id)
	if errors.Is(err, db.ErrNotFound) || err == nil && !c.Published() {
		return search.Doc{}, false, nil
	}
	if err != nil {
		return search.Doc{}, false, err
	}
	d := search.Doc{ID: search.Ref(TypeCall, c.ID), Type: TypeCall, Title: c.Title, URL: CallURL(c.Slug), Public: true, Updated: c.UpdatedAt,
		Body: c.Summary}
	if full {
		d.Body = strings.Join(nonEmpty(c.Summary, c.Programme, c.Authority, c.Beneficiaries, strings.Join(c.Topics, ", "), c.Code), "\n")
	}
	if len(c.Deadlines) > 0 {
		d.Year = c.Deadlines[len(c.Deadlines)-1].Day().Year()
	}
	return d, true, nil
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

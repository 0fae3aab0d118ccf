package search

import (
	"context"
	"html"
	"html/template"
	"slices"
	"sort"
	"strconv"
	"strings"

	"passhub/app/access"
	"passhub/app/db"
)

// Item is one result as a page shows it.
type Item struct {
	Ref, Type, Title, URL, Slug string
	Snippet                     template.HTML
}

// Results is one page of results the user may open.
type Results struct {
	Partial            bool // no item has every word: these are the best partial matches
	Total, Page, Pages int
	Items              []Item
	Facets             map[string][]FacetCount
}

// AccessOf returns what subject may open: public content for visitors, and the requests of the
// subject's access scope (access.Subject.Scope, the rule of access.ViewRequest): their enti's
// items, drafts included; once submitted, their task forces' items for project managers, the
// requests assigned to them, everything for admins. The rules add up. Besides: the work areas
// they belong to, the help desk's tickets for those who work them, their own tickets.
func AccessOf(s *access.Subject) Access {
	if s.Anonymous() {
		return Access{}
	}
	sc := s.Scope()
	a := Access{All: sc.All, TaskForces: sc.TaskForces,
		Members: s.Can(access.ViewTenderDocs, access.Object{}), Writers: s.Can(access.ViewTenderDocs, access.Object{Draft: true})}
	if sc.Expert != 0 {
		a.User = strconv.FormatInt(sc.Expert, 10)
	}
	for _, id := range sc.Entes {
		a.Entes = append(a.Entes, strconv.FormatInt(id, 10))
	}
	for id := range s.Areas { // the work areas the subject belongs to (an admin finds those they are a member of)
		if s.Can(access.ViewArea, access.Object{AreaID: id}) {
			a.Entes = append(a.Entes, AreaAccess(id))
		}
	}
	if s.Can(access.WorkTickets, access.Object{}) { // the help desk's tickets, internal notes included
		a.Entes = append(a.Entes, DeskAccess)
	}
	// one's own tickets (access.OpenOwnTicket)
	a.Entes = append(a.Entes, RequesterAccess(s.UserID))
	sort.Strings(a.Entes) // the same access, the same cache key
	return a
}

// accessFor is AccessOf without the value of one's own tickets when one has none, so that the
// people of one ente who never asked the help desk share their cached results.
func (x *Index) accessFor(ctx context.Context, s *access.Subject) (Access, error) {
	a := AccessOf(s)
	if s.Anonymous() {
		return a, nil
	}
	has, err := x.DB.NewSelect().TableExpr("helpdesk_tickets").Where("requester_id = ?", s.UserID).Limit(1).Exists(ctx)
	if err != nil || has {
		return a, db.Map(err)
	}
	own := RequesterAccess(s.UserID)
	a.Entes = slices.DeleteFunc(a.Entes, func(v string) bool { return v == own })
	return a, nil
}

// mayOpen re-checks a hit against the database: content must still be published, and a reserved
// item must be one the subject may view now.
func mayOpen(s *access.Subject, d Doc) bool {
	if d.Public {
		return true
	}
	if d.Audience != "" { // the card was built from the row as it is now
		return AccessOf(s).Allows(d)
	}
	if d.Record != 0 { // a CRM row: the viewer must be a member of the province that keeps it, which follows the comune now
		province, _ := strconv.ParseInt(d.Ente, 10, 64)
		return s.Can(access.ViewComuneRecord, access.Object{EnteID: d.Record}) && slices.Contains(s.Provinces, province)
	}
	if d.Ente == DeskAccess { // a ticket as the desk sees it: the operators alone
		return s.Can(access.WorkTickets, access.Object{})
	}
	if user, ok := strings.CutPrefix(d.Ente, requesterPrefix); ok { // a ticket as its requester sees it (the card is the row as it is now)
		id, err := strconv.ParseInt(user, 10, 64)
		return err == nil && s.Can(access.OpenOwnTicket, access.Object{Requester: id})
	}
	if area, ok := strings.CutPrefix(d.Ente, "area-"); ok { // a work area's item: its members alone
		id, err := strconv.ParseInt(area, 10, 64)
		return err == nil && s.Can(access.ViewArea, access.Object{AreaID: id})
	}
	ente, _ := strconv.ParseInt(d.Ente, 10, 64)
	obj := access.Object{EnteID: ente, TaskForce: d.TaskForce, Draft: d.Private}
	for _, e := range d.Experts {
		if id, err := strconv.ParseInt(e, 10, 64); err == nil {
			obj.Experts = append(obj.Experts, id)
		}
	}
	return s.Can(access.ViewRequest, obj)
}

// Search runs q for subject (nil for a visitor) and returns the hits they may open, rows reloaded
// from the database. Filters on the reserved facets are ignored for visitors.
func (x *Index) Search(ctx context.Context, s *access.Subject, q Query) (Results, error) {
	a, err := x.accessFor(ctx, s)
	if err != nil {
		return Results{}, err
	}
	q.Access = a
	if q.Text != "" {
		syn, err := x.Synonyms(ctx)
		if err != nil {
			return Results{}, err
		}
		q.Synonyms = syn
	}
	if s.Anonymous() {
		delete(q.Filters, "state")
		delete(q.Filters, "ente")
	}
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage <= 0 {
		q.PerPage = DefaultPage
	}
	res, err := x.cached(ctx, q)
	if err != nil {
		return Results{}, err
	}
	out := Results{Partial: res.Partial, Total: res.Total, Page: q.Page, Pages: (res.Total + q.PerPage - 1) / q.PerPage, Facets: res.Facets}
	refs := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		refs[i] = h.ID
	}
	cards, err := x.Cards(ctx, refs)
	if err != nil {
		return Results{}, err
	}
	for _, h := range res.Hits {
		d, ok := cards[h.ID]
		if !ok || !mayOpen(s, d) {
			out.Total-- // stale in the index: the next refresh removes it
			continue
		}
		it := Item{Ref: h.ID, Type: d.Type, Title: d.Title, URL: d.URL, Snippet: SafeSnippet(h.Snippet)}
		if d.Public {
			it.Slug = d.URL[strings.LastIndex(d.URL, "/")+1:]
		}
		if it.Snippet == "" {
			it.Snippet = template.HTML(html.EscapeString(clipRunes(d.Body, 200)))
		}
		out.Items = append(out.Items, it)
	}
	return out, nil
}

// SafeSnippet keeps <mark> and </mark> and escapes everything else, whatever the engine returned.
func SafeSnippet(s string) template.HTML {
	var b strings.Builder
	for i, part := range strings.Split(s, "<mark>") {
		if i > 0 {
			b.WriteString("<mark>")
		}
		for j, p := range strings.Split(part, "</mark>") {
			if j > 0 {
				b.WriteString("</mark>")
			}
			b.WriteString(html.EscapeString(html.UnescapeString(p)))
		}
	}
	return template.HTML(balanceMarks(b.String())) //nolint:gosec // escaped above
}

// balanceMarks closes a <mark> left open and drops a stray </mark>.
func balanceMarks(s string) string {
	var b strings.Builder
	open := false
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, "<mark>"):
			if !open {
				b.WriteString("<mark>")
			}
			open, s = true, s[len("<mark>"):]
		case strings.HasPrefix(s, "</mark>"):
			if open {
				b.WriteString("</mark>")
			}
			open, s = false, s[len("</mark>"):]
		default:
			b.WriteByte(s[0])
			s = s[1:]
		}
	}
	if open {
		b.WriteString("</mark>")
	}
	return b.String()
}

func clipRunes(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "…"
}

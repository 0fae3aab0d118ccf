package content

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/uptrace/bun"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"passhub/app/db"
)

// MaxLinks bounds the internal links checked in one document.
const MaxLinks = 200

// MaxLinkScan bounds the published entries the dashboard's broken-links report reads.
const MaxLinkScan = 2000

// Link is a link of a document's Markdown: its text and where it points.
type Link struct {
	Text, Target string
}

// BrokenLinks is a publication refused because the draft links to pages of the site that do not
// exist or are not published; the publisher may publish anyway.
type BrokenLinks struct{ Links []Link }

func (e *BrokenLinks) Error() string {
	return fmt.Sprintf("content: %d internal links are broken", len(e.Links))
}

// InternalLinks returns the links of body to paths of the public types' routes (the registry's
// Route of each type), at most MaxLinks, in the order they appear.
func InternalLinks(body string) []Link {
	src := []byte(body)
	doc := markdown.Parser().Parse(text.NewReader(src))
	var out []Link
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || len(out) >= MaxLinks {
			return ast.WalkContinue, nil
		}
		var dest, label string
		switch l := n.(type) {
		case *ast.Link:
			dest, label = string(l.Destination), plainText(l, src)
		case *ast.AutoLink:
			dest = string(l.URL(src))
			label = dest
		default:
			return ast.WalkContinue, nil
		}
		if _, _, ok := routeOf(dest); ok {
			out = append(out, Link{Text: label, Target: dest})
		}
		return ast.WalkContinue, nil
	})
	return out
}

func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			if t, ok := c.(*ast.Text); ok {
				b.Write(t.Segment.Value(src))
			} else if s, ok := c.(*ast.String); ok {
				b.Write(s.Value)
			}
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// routeOf reads a site path: the type whose route it is under and the rest ("" for the route
// itself, "slug" or "slug/allegati/name"). ok is false for what is not such a path.
func routeOf(dest string) (*Definition, string, bool) {
	if !strings.HasPrefix(dest, "/") || strings.HasPrefix(dest, "//") {
		return nil, "", false
	}
	u, err := url.Parse(dest)
	if err != nil {
		return nil, "", false
	}
	p := strings.TrimSuffix(u.Path, "/")
	for _, d := range Definitions() {
		if d.Route == "" {
			continue
		}
		if p == d.Route {
			return d, "", true
		}
		if strings.HasPrefix(p, d.Route+"/") {
			return d, strings.TrimPrefix(p, d.Route+"/"), true
		}
	}
	return nil, "", false
}

// linkTargets knows which entries of the site a link may reach now: the published ones, and the
// former slugs that redirect to them.
type linkTargets struct {
	live map[string]bool
}

func (s *Service) targets(ctx context.Context, idb bun.IDB) (*linkTargets, error) {
	var rows []struct {
		Type Type   `bun:"type"`
		Slug string `bun:"slug"`
	}
	if err := idb.NewSelect().Model((*Entry)(nil)).Column("type", "slug").Where("published_revision_id IS NOT NULL").Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("content: published slugs: %w", db.Map(err))
	}
	t := &linkTargets{live: make(map[string]bool, len(rows))}
	for _, r := range rows {
		t.live[key(r.Type, r.Slug)] = true
	}
	var reds []Redirect
	if err := idb.NewSelect().Model(&reds).Scan(ctx); err != nil {
		return nil, fmt.Errorf("content: redirects: %w", db.Map(err))
	}
	for _, r := range reds {
		if t.live[key(r.Type, r.To)] {
			t.live[key(r.Type, r.From)] = true
		}
	}
	return t, nil
}

// broken returns the links of body that reach no published page; self is the entry's own key
// (a link to itself is not broken: it is published with it).
func (t *linkTargets) broken(body string, self ...string) []Link {
	var out []Link
	for _, l := range InternalLinks(body) {
		d, rest, _ := routeOf(l.Target)
		if rest == "" {
			continue // the type's own page
		}
		slug, tail, _ := strings.Cut(rest, "/")
		k := key(d.Name, slug)
		ok := t.live[k] || contains(self, k)
		if tail != "" && !(d.Attachments && strings.HasPrefix(tail, "allegati/") && !strings.Contains(strings.TrimPrefix(tail, "allegati/"), "/")) {
			ok = false
		}
		if !ok {
			out = append(out, l)
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// BrokenLinksOf returns the internal links of body that reach no published page of the site, for
// the entry t/slug (whose own URL counts as reachable).
func (s *Service) BrokenLinksOf(ctx context.Context, t Type, slug, body string) ([]Link, error) {
	if len(InternalLinks(body)) == 0 {
		return nil, nil
	}
	tg, err := s.targets(ctx, s.db)
	if err != nil {
		return nil, err
	}
	return tg.broken(body, key(t, slug)), nil
}

// Broken is a published entry whose links are broken now.
type Broken struct {
	Entry Entry
	Links []Link
}

// PublishedWithBrokenLinks reads the published revisions of at most MaxLinkScan entries and
// returns those with internal links that reach no published page now, by type and title.
func (s *Service) PublishedWithBrokenLinks(ctx context.Context) ([]Broken, error) {
	tg, err := s.targets(ctx, s.db)
	if err != nil {
		return nil, err
	}
	var entries []Entry
	if err := s.db.NewSelect().Model(&entries).Where("published_revision_id IS NOT NULL").OrderExpr("id").Limit(MaxLinkScan).Scan(ctx); err != nil {
		return nil, fmt.Errorf("content: published entries: %w", db.Map(err))
	}
	var out []Broken
	for i := 0; i < len(entries); i += 200 {
		chunk := entries[i:min(i+200, len(entries))]
		ids := make([]int64, len(chunk))
		for j, e := range chunk {
			ids[j] = e.PublishedRevisionID
		}
		var rows []*Revision
		if err := s.db.NewSelect().Model(&rows).Column("id", "source").Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
			return nil, fmt.Errorf("content: published sources: %w", db.Map(err))
		}
		revs := make(map[int64]*Revision, len(rows))
		for _, r := range rows {
			revs[r.ID] = r
		}
		for _, e := range chunk {
			r := revs[e.PublishedRevisionID]
			if r == nil {
				continue
			}
			doc, err := Parse(e.Type, e.Slug, e.SourcePath, []byte(r.Source))
			if err != nil {
				continue
			}
			if bl := tg.broken(doc.Body, key(e.Type, e.Slug)); len(bl) > 0 {
				out = append(out, Broken{Entry: e, Links: bl})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Entry.Type != out[j].Entry.Type {
			return out[i].Entry.Type < out[j].Entry.Type
		}
		return out[i].Entry.Title < out[j].Entry.Title
	})
	return out, nil
}

package portal

import (
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"passhub/app/catalogue"
	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/web"
)

// PageSize is how many news items a listing page shows.
const PageSize = 6

// Handlers serve the portal's pages.
type Handlers struct {
	web       *web.Server
	content   *content.Service
	catalogue *catalogue.Service
}

// Crumb is one step of a breadcrumb.
type Crumb struct{ URL, Label, ContentLang string }

// Pager tells a listing template where it is.
type Pager struct{ Page, Pages int }

// NewHandlers returns the portal handlers.
func NewHandlers(w *web.Server, cs *content.Service, cat *catalogue.Service) *Handlers {
	return &Handlers{web: w, content: cs, catalogue: cat}
}

// Mount registers the portal's routes: the home page, and for every registered content type
// with a template of its own its listing, its entries and their attachments, as its registration
// says.
func (h *Handlers) Mount(r fiber.Router) {
	r.Get("/", h.home)
	for _, d := range content.Definitions() {
		if d.Template == "" {
			continue // another package serves it
		}
		if d.ListTemplate != "" {
			r.Get(d.Route, h.listing(d))
		}
		r.Get(d.Route+"/:slug", h.entry(d))
		if d.Attachments {
			r.Get(d.Route+"/:slug/allegati/:name", ofType(d), h.attachment)
		}
	}
}

// Redirects is the fallback before the 404: a GET of an entry's URL (or of one of its
// attachments) under a slug the entry had before a rename answers 301 to its URL now. It is
// mounted after every route, so it never hides one; the entry routes pass an unknown slug on.
func (h *Handlers) Redirects(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return c.Next()
	}
	path := c.Path()
	for _, d := range content.Definitions() {
		if d.Template == "" || !strings.HasPrefix(path, d.Route+"/") {
			continue
		}
		slug, rest, _ := strings.Cut(strings.TrimPrefix(path, d.Route+"/"), "/")
		if rest != "" && !(d.Attachments && strings.HasPrefix(rest, "allegati/") && !strings.Contains(rest[len("allegati/"):], "/")) {
			continue
		}
		to, err := h.content.Redirect(c.UserContext(), d.Name, slug)
		if errors.Is(err, db.ErrNotFound) {
			break
		}
		if err != nil {
			return err
		}
		target := d.Route + "/" + url.PathEscape(to)
		if rest != "" {
			target += "/" + rest
		}
		if q := string(c.Request().URI().QueryString()); q != "" {
			target += "?" + q
		}
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
		return c.Redirect(target, fiber.StatusMovedPermanently)
	}
	return c.Next()
}

func (h *Handlers) home(c *fiber.Ctx) error {
	tfs, err := h.catalogue.Catalogue(c.UserContext())
	if err != nil {
		return err
	}
	news, err := h.content.List(c.UserContext(), content.Query{Type: content.TypeNews, Limit: 3})
	if err != nil {
		return err
	}
	reports, err := h.content.List(c.UserContext(), content.Query{Type: content.TypeReport, Limit: 3})
	if err != nil {
		return err
	}
	return h.web.Page(c, "portal/home", fiber.Map{"TaskForces": tfs, "News": news.Entries, "Reports": reports.Entries})
}

// listing serves the listing of type d: every entry, or one page of them filtered by tag.
func (h *Handlers) listing(d *content.Definition) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if d.Paged {
			return h.pagedList(c, d)
		}
		l, err := h.content.List(c.UserContext(), content.Query{Type: d.Name})
		if err != nil {
			return err
		}
		entries := l.Entries
		if d.ByWeight {
			entries = guideOrder(entries)
		}
		return h.web.Page(c, d.ListTemplate, fiber.Map{"Title": h.web.T(c, d.ListTitle), "Entries": entries})
	}
}

// entry serves one published entry of type d.
func (h *Handlers) entry(d *content.Definition) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := h.content.Published(c.UserContext(), d.Name, c.Params("slug"))
		if errors.Is(err, db.ErrNotFound) {
			return c.Next() // a former slug: Redirects answers, or the 404
		}
		if err != nil {
			return err
		}
		return h.Show(c, d, p, nil)
	}
}

// Show renders the page of entry p of type d as readers see it; extra adds to the template's
// data (the preview links mark their pages). A type another package serves is shown as an
// article.
func (h *Handlers) Show(c *fiber.Ctx, d *content.Definition, p *content.Published, extra fiber.Map) error {
	data := fiber.Map{"Title": p.Front.Title, "TitleLang": "it", "Description": p.Front.Summary, "Entry": p}
	if d.ListTemplate != "" {
		data["Crumbs"] = []Crumb{{d.Route, h.web.T(c, d.ListTitle), ""}}
	}
	if d.Sidebar {
		l, err := h.content.List(c.UserContext(), content.Query{Type: d.Name})
		if err != nil {
			return err
		}
		entries := l.Entries
		if d.ByWeight {
			entries = guideOrder(entries)
		}
		data["Sidebar"] = entries
	}
	if d.Tags {
		data["TagBase"] = d.Route
	}
	for k, v := range extra {
		data[k] = v
	}
	tpl := d.Template
	if tpl == "" {
		tpl = "portal/article"
	}
	return h.web.Page(c, tpl, data)
}

// guideOrder sorts guide pages by weight (the listing sorts by date first, which guides lack).
func guideOrder(entries []content.Entry) []content.Entry {
	out := append([]content.Entry(nil), entries...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Weight < out[j].Weight })
	return out
}

func (h *Handlers) pagedList(c *fiber.Ctx, d *content.Definition) error {
	page := pageParam(c)
	tag := strings.ToLower(strings.TrimSpace(c.Query("tag")))
	q := content.Query{Type: d.Name, Tag: tag, Limit: PageSize, Offset: (page - 1) * PageSize}
	var l *content.Listing
	var err error
	if validTag(tag) {
		if l, err = h.content.List(c.UserContext(), q); err != nil {
			return err
		}
	} else {
		l = &content.Listing{} // a tag no entry can carry finds nothing
	}
	pages := (l.Total + PageSize - 1) / PageSize
	if page > 1 && page > pages {
		return fiber.ErrNotFound
	}
	title := h.web.T(c, d.ListTitle)
	data := fiber.Map{"Entries": l.Entries, "Pager": Pager{Page: page, Pages: pages}, "Tag": tag}
	if tag != "" {
		if d.TagTitle != "" {
			title = h.web.T(c, d.TagTitle, "Tag", tag)
		}
		data["Crumbs"] = []Crumb{{d.Route, h.web.T(c, d.ListTitle), ""}}
	}
	data["Title"] = title
	return h.web.Page(c, d.ListTemplate, data)
}

// validTag reports whether tag could be one of an entry's tags: letters, digits, spaces and
// dashes, as editors write them.
func validTag(tag string) bool {
	if len(tag) > 60 {
		return false
	}
	for _, r := range tag {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != ' ' {
			return false
		}
	}
	return true
}

func pageParam(c *fiber.Ctx) int {
	n, err := strconv.Atoi(c.Query("pagina", "1"))
	if err != nil || n < 1 || n > 100000 {
		return 1
	}
	return n
}

// ofType marks the request as one for entries of type d, for handlers shared by every type.
func ofType(d *content.Definition) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(typeKey{}, d.Name)
		return c.Next()
	}
}

type typeKey struct{}

func typeOf(c *fiber.Ctx) content.Type { t, _ := c.Locals(typeKey{}).(content.Type); return t }

func (h *Handlers) attachment(c *fiber.Ctx) error {
	a, err := h.content.Attachment(c.UserContext(), typeOf(c), c.Params("slug"), c.Params("name"))
	if errors.Is(err, db.ErrNotFound) {
		return c.Next()
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	web.Attachment(c, a.Name)
	c.Set(fiber.HeaderETag, `"`+a.SHA256+`"`)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	if strings.Contains(c.Get(fiber.HeaderIfNoneMatch), a.SHA256) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	f, err := h.content.OpenAttachment(c.UserContext(), a)
	if err != nil {
		return err
	}
	c.Context().SetBodyStream(f, int(a.Size)) // streamed from the store; closed once sent
	return nil
}

package portal

import (
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"passhub/app/catalogue"
	"passhub/app/content"
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

// Mount registers the portal's routes.
func Mount(r fiber.Router, w *web.Server, cs *content.Service, cat *catalogue.Service) {
	h := &Handlers{web: w, content: cs, catalogue: cat}
	r.Get("/", h.home)
	r.Get("/guida", h.guideIndex)
	r.Get("/guida/:slug", h.guide)
	r.Get("/notizie", h.newsList)
	r.Get("/notizie/:slug", h.news)
	r.Get("/report", h.reportList)
	r.Get("/report/:slug", h.report)
	r.Get("/report/:slug/allegati/:name", h.attachment)
	r.Get("/pagine/:slug", h.page)
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

func (h *Handlers) guideIndex(c *fiber.Ctx) error {
	l, err := h.content.List(c.UserContext(), content.Query{Type: content.TypeGuide})
	if err != nil {
		return err
	}
	return h.web.Page(c, "portal/guide_index", fiber.Map{"Title": h.web.T(c, "guide.title"), "Entries": guideOrder(l.Entries)})
}

func (h *Handlers) guide(c *fiber.Ctx) error {
	p, err := h.content.Published(c.UserContext(), content.TypeGuide, c.Params("slug"))
	if err != nil {
		return err
	}
	l, err := h.content.List(c.UserContext(), content.Query{Type: content.TypeGuide})
	if err != nil {
		return err
	}
	return h.web.Page(c, "portal/article", fiber.Map{
		"Title": p.Front.Title, "TitleLang": "it", "Description": p.Front.Summary, "Entry": p, "Sidebar": guideOrder(l.Entries),
		"Crumbs": []Crumb{{"/guida", h.web.T(c, "guide.title"), ""}},
	})
}

// guideOrder sorts guide pages by weight (the listing sorts by date first, which guides lack).
func guideOrder(entries []content.Entry) []content.Entry {
	out := append([]content.Entry(nil), entries...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Weight < out[j].Weight })
	return out
}

func (h *Handlers) newsList(c *fiber.Ctx) error {
	page := pageParam(c)
	tag := strings.ToLower(strings.TrimSpace(c.Query("tag")))
	q := content.Query{Type: content.TypeNews, Tag: tag, Limit: PageSize, Offset: (page - 1) * PageSize}
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
	title := h.web.T(c, "news.title")
	data := fiber.Map{"Entries": l.Entries, "Pager": Pager{Page: page, Pages: pages}, "Tag": tag}
	if tag != "" {
		title = h.web.T(c, "news.tag.title", "Tag", tag)
		data["Crumbs"] = []Crumb{{"/notizie", h.web.T(c, "news.title"), ""}}
	}
	data["Title"] = title
	return h.web.Page(c, "portal/news_list", data)
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

func (h *Handlers) news(c *fiber.Ctx) error {
	p, err := h.content.Published(c.UserContext(), content.TypeNews, c.Params("slug"))
	if err != nil {
		return err
	}
	return h.web.Page(c, "portal/article", fiber.Map{
		"Title": p.Front.Title, "TitleLang": "it", "Description": p.Front.Summary, "Entry": p, "TagBase": "/notizie",
		"Crumbs": []Crumb{{"/notizie", h.web.T(c, "news.title"), ""}},
	})
}

func (h *Handlers) reportList(c *fiber.Ctx) error {
	l, err := h.content.List(c.UserContext(), content.Query{Type: content.TypeReport})
	if err != nil {
		return err
	}
	return h.web.Page(c, "portal/report_list", fiber.Map{"Title": h.web.T(c, "reports.title"), "Entries": l.Entries})
}

func (h *Handlers) report(c *fiber.Ctx) error {
	p, err := h.content.Published(c.UserContext(), content.TypeReport, c.Params("slug"))
	if err != nil {
		return err
	}
	return h.web.Page(c, "portal/report", fiber.Map{
		"Title": p.Front.Title, "TitleLang": "it", "Description": p.Front.Summary, "Entry": p,
		"Crumbs": []Crumb{{"/report", h.web.T(c, "reports.title"), ""}},
	})
}

func (h *Handlers) attachment(c *fiber.Ctx) error {
	a, err := h.content.Attachment(c.UserContext(), content.TypeReport, c.Params("slug"), c.Params("name"))
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

func (h *Handlers) page(c *fiber.Ctx) error {
	p, err := h.content.Published(c.UserContext(), content.TypePage, c.Params("slug"))
	if err != nil {
		return err
	}
	return h.web.Page(c, "portal/article", fiber.Map{"Title": p.Front.Title, "TitleLang": "it", "Description": p.Front.Summary, "Entry": p})
}

package search

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/web"
)

// Params maps the search page's query parameters to facet keys; the parameters are Italian, as the
// shared URLs are.
var Params = []struct{ Name, Key string }{{"tipo", "type"}, {"task_force", "task_force"}, {"procedura", "procedure"},
	{"anno", "year"}, {"stato", "state"}, {"ente", "ente"}}

// Handlers serve the search page, the header's suggestions and the public search API.
type Handlers struct {
	Web   *web.Server
	Index *Index
	// Name names a facet value that is a code or an id (an ente, a task force, a procedure); nil,
	// or "", shows the value itself.
	Name func(ctx context.Context, key, value string) string
	Log  *slog.Logger
}

// NewHandlers returns the search handlers; name names facet values (see Handlers.Name).
func NewHandlers(w *web.Server, index *Index, name func(ctx context.Context, key, value string) string, log *slog.Logger) *Handlers {
	return &Handlers{Web: w, Index: index, Name: name, Log: log}
}

func (h *Handlers) log() *slog.Logger {
	if h.Log == nil {
		return slog.Default()
	}
	return h.Log
}

// Mount registers GET /cerca, GET /cerca/suggerimenti, GET /api/v1/search and the editors'
// synonyms list.
func (h *Handlers) Mount(r fiber.Router) {
	r.Get("/cerca", h.page)
	r.Get("/cerca/suggerimenti", h.suggest)
	r.Get("/api/v1/search", h.api)
	h.mountSynonyms(r)
}

// Facet is one facet as the page shows it: its values, with labels and counts, and which are on.
type Facet struct {
	Key, Param, Label string
	Content           bool // the labels are the content's words (Italian), not the interface's
	Values            []FacetValue
}

// FacetValue is one value of a facet.
type FacetValue struct {
	Value, Label string
	Count        int
	On           bool
}

// form reads the query and the filters from the URL.
func form(c *fiber.Ctx) (string, map[string][]string, int) {
	args := c.Context().QueryArgs()
	filters := map[string][]string{}
	for _, p := range Params {
		for _, v := range args.PeekMulti(p.Name) {
			if s := strings.TrimSpace(string(v)); s != "" && len(s) <= 64 && len(filters[p.Key]) < 20 {
				filters[p.Key] = append(filters[p.Key], s)
			}
		}
	}
	page, _ := strconv.Atoi(c.Query("pagina", "1"))
	if page < 1 || page > MaxOffset/DefaultPage {
		page = 1
	}
	q := c.Query("q")
	if len(q) > 4*MaxQueryBytes {
		q = q[:4*MaxQueryBytes]
	}
	return strings.TrimSpace(q), filters, page
}

func (h *Handlers) page(c *fiber.Ctx) error {
	q, filters, page := form(c)
	s := access.Of(c)
	data := fiber.Map{"Query": q, "Reserved": !s.Anonymous(), "OOB": web.IsHTMX(c)}
	data["Title"], data["Crumb"] = h.title(c, q, filters, page), h.Web.T(c, "search.title")
	if q == "" && len(filters) == 0 {
		data["Message"] = h.Web.T(c, "search.empty")
		return h.Web.PageOrFragment(c, "search/page", "search/results", data)
	}
	res, err := h.Index.Search(c.UserContext(), s, Query{Text: q, Filters: filters, Page: page, Facets: true})
	switch {
	case errors.Is(err, ErrEmpty) || (err == nil && res.Total == 0):
		data["Message"] = h.Web.T(c, "search.none", "Query", q)
	case err != nil:
		h.log().Error("search failed", "err", err)
		data["Message"] = h.Web.T(c, "search.unavailable")
		c.Status(fiber.StatusServiceUnavailable)
		return h.Web.PageOrFragment(c, "search/page", "search/results", data)
	}
	data["Results"] = res
	data["Facets"] = h.facets(c, res.Facets, filters, !s.Anonymous())
	data["Pager"] = struct{ Page, Pages int }{res.Page, min(res.Pages, MaxOffset/DefaultPage)} // partials/pager
	return h.Web.PageOrFragment(c, "search/page", "search/results", data)
}

// facets labels the engine's counts for the page, keeping the values the user chose even when
// they count nothing now.
func (h *Handlers) facets(c *fiber.Ctx, counts map[string][]FacetCount, filters map[string][]string, reserved bool) []Facet {
	lang := web.Lang(c)
	var out []Facet
	for _, p := range Params {
		if !reserved && (p.Key == "state" || p.Key == "ente") {
			continue
		}
		f := Facet{Key: p.Key, Param: p.Name, Label: h.Web.I18n.T(lang, "search.facet."+p.Key),
			Content: p.Key == "task_force" || p.Key == "procedure" || p.Key == "ente"}
		on := map[string]bool{}
		for _, v := range filters[p.Key] {
			on[v] = true
		}
		for _, fc := range counts[p.Key] {
			if fc.Value == "" || fc.Value == "0" || p.Key == "ente" && AccessValue(fc.Value) { // a ticket's access value names no ente
				continue
			}
			f.Values = append(f.Values, FacetValue{Value: fc.Value, Label: h.label(c, p.Key, fc.Value), Count: fc.Count, On: on[fc.Value]})
			delete(on, fc.Value)
		}
		for v := range on {
			if p.Key == "ente" && AccessValue(v) {
				continue
			}
			f.Values = append(f.Values, FacetValue{Value: v, Label: h.label(c, p.Key, v), On: true})
		}
		if len(f.Values) > 0 {
			out = append(out, f)
		}
	}
	return out
}

func (h *Handlers) label(c *fiber.Ctx, key, value string) string {
	lang := web.Lang(c)
	switch key {
	case "type":
		return h.Web.I18n.T(lang, "search.type."+value)
	case "state":
		return h.Web.I18n.T(lang, "state."+value)
	case "task_force", "procedure", "ente":
		if h.Name != nil {
			if n := h.Name(c.UserContext(), key, value); n != "" {
				return n
			}
		}
	}
	return value
}

// title names the page after what was asked: the words, the filters, the page, so the browser's
// history and a screen reader's first announcement say which search this is.
func (h *Handlers) title(c *fiber.Ctx, q string, filters map[string][]string, page int) string {
	var parts []string
	if q != "" {
		parts = append(parts, "«"+q+"»")
	}
	var chosen []string
	for _, p := range Params {
		for _, v := range filters[p.Key] {
			chosen = append(chosen, h.label(c, p.Key, v))
		}
	}
	if len(chosen) > 0 {
		parts = append(parts, h.Web.T(c, "search.title.filters", "Filters", strings.Join(chosen, ", ")))
	}
	if page > 1 {
		parts = append(parts, h.Web.T(c, "search.title.page", "Page", page))
	}
	parts = append(parts, h.Web.T(c, "search.title"))
	return strings.Join(parts, " – ")
}

// suggest answers the header's box as the user types: a few titles, as a listbox fragment.
func (h *Handlers) suggest(c *fiber.Ctx) error {
	q := strings.TrimSpace(c.Query("q"))
	data := fiber.Map{"Query": q}
	if len([]rune(q)) >= 2 {
		res, err := h.Index.Search(c.UserContext(), access.Of(c), Query{Text: q, Prefix: true, PerPage: 6})
		if err != nil && !errors.Is(err, ErrEmpty) {
			h.log().Error("search failed", "err", err) // no suggestions; the form still submits
		}
		data["Items"] = res.Items
	}
	c.Set(fiber.HeaderCacheControl, "private, max-age=30")
	return h.Web.Fragment(c, "search/suggest", data)
}

// APIHit is one result of the public search API.
type APIHit struct {
	Type    string `json:"type"`
	Slug    string `json:"slug"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	Snippet string `json:"snippet"`
}

// api searches public content for the headless API: ?q=…&type=…&page=….
func (h *Handlers) api(c *fiber.Ctx) error {
	q := strings.TrimSpace(c.Query("q"))
	filters := map[string][]string{}
	for _, t := range c.Context().QueryArgs().PeekMulti("type") {
		filters["type"] = append(filters["type"], string(t))
	}
	page, err := strconv.Atoi(c.Query("page", "1"))
	if err != nil || page < 1 || page > MaxOffset/DefaultPage {
		return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{"error": "page must be a number from 1 to " + strconv.Itoa(MaxOffset/DefaultPage)})
	}
	if q == "" && len(filters) == 0 {
		return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{"error": "q is required"})
	}
	res, err := h.Index.Search(c.UserContext(), nil, Query{Text: q, Filters: filters, Page: page, Facets: true})
	if err != nil && !errors.Is(err, ErrEmpty) {
		h.log().Error("search failed", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"error": "search is unavailable, try again later"})
	}
	hits := make([]APIHit, 0, len(res.Items))
	for _, it := range res.Items {
		hits = append(hits, APIHit{Type: it.Type, Slug: it.Slug, Title: it.Title, URL: it.URL, Snippet: string(it.Snippet)})
	}
	facets := map[string]map[string]int{}
	for k, values := range res.Facets {
		if k == "state" || k == "ente" {
			continue
		}
		facets[k] = map[string]int{}
		for _, v := range values {
			facets[k][v.Value] = v.Count
		}
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	return c.JSON(fiber.Map{"total": res.Total, "hits": hits, "facets": facets})
}

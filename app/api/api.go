// Package api serves the headless JSON API over published content and its OpenAPI document.
package api

import (
	_ "embed"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/web"
)

//go:embed openapi.json
var openapi []byte

// MaxLimit is the largest page of the content listing.
const MaxLimit = 100

// Handlers serve /api/v1/content and the OpenAPI document, and hold the API's access rules.
type Handlers struct {
	web     *web.Server
	content *content.Service
}

// NewHandlers returns the API's handlers.
func NewHandlers(w *web.Server, cs *content.Service) *Handlers { return &Handlers{web: w, content: cs} }

// Mount registers the API routes, and the rule every /api/v1 GET route but the OpenAPI document
// obeys: reading published content (public without a token; with one, it needs a reading
// scope). Mount it before the other packages' /api/v1 routes (search, catalogue).
func (h *Handlers) Mount(r fiber.Router) {
	doc := withTypes(openapi)
	r.Get(DocumentPath, func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Send(doc)
	})
	r.Use("/api/v1", func(c *fiber.Ctx) error {
		if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
			return c.Next() // the writes ask for their own scopes (write.go)
		}
		if !access.Of(c).Can(access.ReadPublishedContent, access.Object{}) {
			return h.web.RefuseAPI(c, access.ReadPublishedContent)
		}
		return c.Next()
	})
	r.Get("/api/v1/content", h.list)
	r.Get("/api/v1/content/:type/:slug", h.get)
	h.mountWrites(r)
}

// DocumentPath is where the OpenAPI document is served.
const DocumentPath = "/api/v1/openapi.json"

// Document returns the OpenAPI document as served.
func Document() []byte { return withTypes(openapi) }

// Item is one entry in a listing.
type Item struct {
	Type      content.Type `json:"type"`
	Slug      string       `json:"slug"`
	Title     string       `json:"title"`
	Summary   string       `json:"summary"`
	Date      string       `json:"date,omitempty"`
	TaskForce string       `json:"task_force,omitempty"`
	Tags      []string     `json:"tags"`
	URL       string       `json:"url"`
}

// List is the JSON shape of GET /api/v1/content.
type List struct {
	Total  int    `json:"total"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
	Items  []Item `json:"items"`
}

// Doc is the JSON shape of GET /api/v1/content/{type}/{slug}.
type Doc struct {
	Type        content.Type    `json:"type"`
	Slug        string          `json:"slug"`
	Revision    int             `json:"revision"`
	FrontMatter content.Front   `json:"front_matter"`
	Markdown    string          `json:"markdown"`
	HTML        string          `json:"html"`
	Attachments []AttachmentDoc `json:"attachments"`
	URL         string          `json:"url"`
	// Published tells whether this revision is the published one (false for a draft read with
	// ?revision=current).
	Published bool `json:"published"`
}

// AttachmentDoc describes a downloadable attachment.
type AttachmentDoc struct {
	Name   string `json:"name"`
	Title  string `json:"title"`
	Type   string `json:"content_type"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	URL    string `json:"url"`
}

// typeEnum is the enumeration of the Type schema in the OpenAPI document.
var typeEnum = regexp.MustCompile(`("Type": \{ "type": "string", "enum": )\[[^\]]*\]`)

// withTypes returns the OpenAPI document with the content types of the registry as the Type
// enumeration.
func withTypes(doc []byte) []byte {
	names := make([]string, 0, len(content.Types()))
	for _, t := range content.Types() {
		b, _ := json.Marshal(string(t))
		names = append(names, string(b))
	}
	return typeEnum.ReplaceAll(doc, []byte("${1}["+strings.Join(names, ", ")+"]"))
}

// typeNames lists the registered content types, for messages.
func typeNames() string {
	names := make([]string, 0, len(content.Types()))
	for _, t := range content.Types() {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}

type badRequest struct {
	Error struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
	} `json:"error"`
}

func bad(c *fiber.Ctx, msg string) error {
	var b badRequest
	b.Error.Status, b.Error.Message = fiber.StatusBadRequest, msg
	return c.Status(fiber.StatusBadRequest).JSON(b)
}

func (h *Handlers) list(c *fiber.Ctx) error {
	q := content.Query{Type: content.Type(c.Query("type")), TaskForce: strings.ToUpper(c.Query("task_force")),
		Tag: strings.ToLower(c.Query("tag")), Limit: 20}
	if q.Type != "" && !q.Type.Valid() {
		return bad(c, "type must be one of "+typeNames())
	}
	var err error
	if v := c.Query("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit < 1 || q.Limit > MaxLimit {
			return bad(c, "limit must be a number from 1 to 100")
		}
	}
	if v := c.Query("offset"); v != "" {
		if q.Offset, err = strconv.Atoi(v); err != nil || q.Offset < 0 {
			return bad(c, "offset must be a number from 0")
		}
	}
	for name, dst := range map[string]*time.Time{"since": &q.Since, "until": &q.Until} {
		if v := c.Query(name); v != "" {
			if *dst, err = time.Parse("2006-01-02", v); err != nil {
				return bad(c, name+" must be a date written as YYYY-MM-DD")
			}
		}
	}
	l, err := h.content.List(c.UserContext(), q)
	if err != nil {
		return err
	}
	out := List{Total: l.Total, Limit: q.Limit, Offset: q.Offset, Items: make([]Item, 0, len(l.Entries))}
	for _, e := range l.Entries {
		it := Item{Type: e.Type, Slug: e.Slug, Title: e.Title, Summary: e.Summary, TaskForce: e.TaskForce,
			Tags: e.TagList(), URL: e.Type.URL(e.Slug)}
		if it.Tags == nil {
			it.Tags = []string{}
		}
		if !e.PublishedOn.IsZero() {
			it.Date = e.PublishedOn.Format("2006-01-02")
		}
		out.Items = append(out.Items, it)
	}
	return web.JSON(c, out)
}

func (h *Handlers) get(c *fiber.Ctx) error {
	t := content.Type(c.Params("type"))
	load := h.content.Published
	switch c.Query("revision") {
	case "":
	case "current":
		if !access.Of(c).Can(access.ReadDraftContent, access.Object{}) {
			return h.web.RefuseAPI(c, access.ReadDraftContent)
		}
		load = h.content.Current
	default:
		return bad(c, "revision must be current, or absent for the published revision")
	}
	if !t.Valid() {
		return db.ErrNotFound
	}
	p, err := load(c.UserContext(), t, c.Params("slug"))
	if err != nil {
		return err
	}
	d := Doc{Type: t, Slug: p.Entry.Slug, Revision: p.Revision, FrontMatter: p.Front, Markdown: p.Markdown,
		HTML: string(p.HTML), URL: t.URL(p.Entry.Slug), Attachments: []AttachmentDoc{},
		Published: p.RevisionID == p.Entry.PublishedRevisionID}
	for _, a := range p.Attachments {
		d.Attachments = append(d.Attachments, AttachmentDoc{Name: a.Name, Title: a.Title, Type: a.ContentType,
			Size: a.Size, SHA256: a.SHA256, URL: t.URL(p.Entry.Slug) + "/allegati/" + a.Name})
	}
	if c.Query("revision") != "" {
		c.Set(fiber.HeaderCacheControl, "private, no-store")
		body, err := json.Marshal(d)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Send(body)
	}
	return web.JSON(c, d)
}

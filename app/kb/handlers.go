package kb

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"passhub/app/access"
	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/web"
)

// VoterCookie names the cookie that tells one browser's votes: a random value, set only when the
// browser votes, of which the database keeps only the SHA-256.
const VoterCookie = "kb_voter"

// Defaults of the votes' rate limit per client address.
const (
	VoteLimit  = 20
	VoteWindow = 10 * time.Minute
)

// FiguresPath is the editors' page of the articles' usefulness.
const FiguresPath = "/redazione/faq/utilita"

// Handlers serve the knowledge base's pages, its votes and the editors' figures.
type Handlers struct {
	web     *web.Server
	svc     *Service
	content *content.Service
	// Limit votes are accepted per Window and client address.
	Limit  int
	Window time.Duration
}

// NewHandlers returns the knowledge base's handlers, with the default rate limit of votes.
func NewHandlers(w *web.Server, svc *Service, cs *content.Service) *Handlers {
	return &Handlers{web: w, svc: svc, content: cs, Limit: VoteLimit, Window: VoteWindow}
}

// Mount registers GET /faq, GET /faq/{slug}, POST /faq/{slug}/utile and the editors' figures. It
// must come before the portal's routes, which would serve /faq as a plain listing.
func (h *Handlers) Mount(r fiber.Router) {
	r.Get(Route, h.index)
	r.Get(Route+"/:slug", h.article)
	r.Post(Route+"/:slug/utile", limiter.New(limiter.Config{
		Max: h.Limit, Expiration: h.Window, SkipFailedRequests: true, // only votes taken count
		LimitReached: func(c *fiber.Ctx) error {
			c.Status(fiber.StatusTooManyRequests)
			return h.answer(c, nil, voteState{Alert: h.web.T(c, "kb.vote.limited")})
		},
	}), h.vote)
	r.Get(FiguresPath, access.Require(access.WriteContent, nil), h.figures)
}

// crumb is one step of a breadcrumb (partials/breadcrumb).
type crumb struct{ URL, Label, ContentLang string }

func (h *Handlers) index(c *fiber.Ctx) error {
	f := Filter{Category: strings.TrimSpace(c.Query("categoria")), Tag: strings.ToLower(strings.TrimSpace(c.Query("tag")))}
	f.Page, _ = strconv.Atoi(c.Query("pagina", "1"))
	if f.Page < 1 || f.Page > 100000 {
		f.Page = 1
	}
	if f.Category != "" && !ValidCategory(f.Category) {
		return fiber.ErrNotFound
	}
	data := fiber.Map{"Filter": f, "Title": h.web.T(c, "kb.title")}
	var ix *Index
	var err error
	if validTag(f.Tag) {
		ix, err = h.svc.Index(c.UserContext(), f)
	} else {
		ix = &Index{Page: 1} // a tag no article can carry finds nothing
		for _, cat := range Categories {
			ix.Categories = append(ix.Categories, Group{Category: cat.Value, Message: cat.Message})
		}
	}
	if errors.Is(err, db.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	if f.Category != "" || f.Tag != "" {
		var parts []string
		if f.Category != "" {
			parts = append(parts, h.web.T(c, CategoryMessage(f.Category)))
		}
		if f.Tag != "" {
			parts = append(parts, h.web.T(c, "kb.filter.tag", "Tag", f.Tag))
		}
		data["Title"] = h.web.T(c, "kb.title.filtered", "Filter", strings.Join(parts, ", "))
		data["Crumbs"] = []crumb{{Route, h.web.T(c, "kb.title"), ""}}
	}
	data["Index"] = ix
	data["Pager"] = struct{ Page, Pages int }{ix.Page, ix.Pages}
	data["Description"] = h.web.T(c, "kb.lead")
	return h.web.Page(c, "kb/index", data)
}

// validTag reports whether tag could be one of an article's tags: letters, digits, spaces and
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

// voteState is what the vote box shows: the form, an error, or the thanks.
type voteState struct {
	Slug    string
	Choice  string
	Comment string
	Error   string // beside the field named by Field
	Field   string
	Alert   string
	Done    bool // the vote is stored (or was, by this browser)
	Max     int
}

// article serves an article with its related articles and the vote box. The page carries this
// browser's CSRF token and whether it voted, so it is never kept by the page cache.
func (h *Handlers) article(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p, err := h.content.Published(ctx, Type, c.Params("slug"))
	if errors.Is(err, db.ErrNotFound) {
		return c.Next() // a former slug: the portal's redirects answer, or the 404
	}
	if err != nil {
		return err
	}
	a, err := h.svc.Article(ctx, p.Entry.Slug)
	if err != nil {
		return err
	}
	rel, err := h.svc.Related(ctx, a)
	if err != nil {
		return err
	}
	voted, err := h.svc.Voted(ctx, a, c.Cookies(VoterCookie))
	if err != nil {
		return err
	}
	h.web.CSRFToken(c)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return h.web.Page(c, "kb/article", h.articleData(c, p, a, rel, voteState{Slug: a.Slug, Done: voted, Max: MaxComment}))
}

func (h *Handlers) articleData(c *fiber.Ctx, p *content.Published, a *Article, rel []*Article, v voteState) fiber.Map {
	return fiber.Map{"Title": p.Front.Title, "TitleLang": "it", "Description": p.Front.Summary, "Entry": p, "Article": a,
		"Related": rel, "Vote": v, "Crumbs": []crumb{{Route, h.web.T(c, "kb.title"), ""},
			{CategoryURL(a.Category), h.web.T(c, CategoryMessage(a.Category)), ""}}}
}

// vote stores a reader's answer to "was it useful?". With htmx the box is swapped for the
// thanks; without, the browser goes back to the article with a flash message. A bad answer is
// 422 with the message beside the field, and nothing is stored.
func (h *Handlers) vote(c *fiber.Ctx) error {
	ctx := c.UserContext()
	a, err := h.svc.Article(ctx, c.Params("slug"))
	if errors.Is(err, db.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	v := Vote{Choice: c.FormValue("utile"), Comment: c.FormValue("commento")}
	st := voteState{Slug: a.Slug, Choice: v.Choice, Comment: v.Comment, Max: MaxComment}
	switch err := v.Check(); {
	case errors.Is(err, ErrChoice):
		st.Field, st.Error = "utile", h.web.T(c, "kb.vote.choose")
	case errors.Is(err, ErrLong):
		st.Field, st.Error = "commento", h.web.T(c, "kb.vote.long", "Max", MaxComment)
	}
	if st.Error != "" {
		c.Status(fiber.StatusUnprocessableEntity)
		st.Alert = h.web.T(c, "kb.vote.invalid")
		return h.answer(c, a, st)
	}
	voter := c.Cookies(VoterCookie)
	if len(voter) != 22 {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		voter = base64.RawURLEncoding.EncodeToString(b)
		c.Cookie(&fiber.Cookie{Name: VoterCookie, Value: voter, Path: Route, MaxAge: 2 * 365 * 24 * 3600, HTTPOnly: true,
			Secure: strings.HasPrefix(c.BaseURL(), "https://"), SameSite: fiber.CookieSameSiteLaxMode})
	}
	if _, err := h.svc.Record(ctx, a, voter, web.Lang(c), v); err != nil {
		return err
	}
	if !web.IsHTMX(c) {
		h.web.Flash(c, "kb.vote.thanks")
		return c.Redirect(a.URL()+"#kb-vote", fiber.StatusSeeOther)
	}
	return h.answer(c, a, voteState{Slug: a.Slug, Done: true})
}

// answer renders the vote box alone for htmx, or the whole article around it.
func (h *Handlers) answer(c *fiber.Ctx, a *Article, st voteState) error {
	h.web.CSRFToken(c)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	if a == nil { // the rate limit answers before the article is looked up
		found, err := h.svc.Article(c.UserContext(), c.Params("slug"))
		if err != nil {
			return fiber.ErrNotFound
		}
		a, st.Slug, st.Max = found, found.Slug, MaxComment
	}
	if web.IsHTMX(c) {
		c.Vary("HX-Request")
		return h.web.Fragment(c, "kb/vote", fiber.Map{"Vote": st})
	}
	p, err := h.content.Published(c.UserContext(), Type, a.Slug)
	if err != nil {
		return err
	}
	rel, err := h.svc.Related(c.UserContext(), a)
	if err != nil {
		return err
	}
	return h.web.Page(c, "kb/article", h.articleData(c, p, a, rel, st))
}

// figures shows the editors how useful readers found each article, with the latest comments.
func (h *Handlers) figures(c *fiber.Ctx) error {
	figs, err := h.svc.Figures(c.UserContext())
	if err != nil {
		return err
	}
	yes, no := 0, 0
	for _, f := range figs {
		yes, no = yes+f.Yes, no+f.No
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return h.web.Page(c, "kb/figures", fiber.Map{"Title": h.web.T(c, "kb.figures.title"), "Figures": figs, "Yes": yes, "No": no,
		"Crumbs": []crumb{{"/redazione", h.web.T(c, "newsroom.title"), ""}}})
}

package helpdesk

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"passhub/app/access"
	"passhub/app/db"
	"passhub/app/ente"
	"passhub/app/kb"
	"passhub/app/search"
	"passhub/app/web"
)

// Handlers serve the requesters' "Assistenza" section, the rating page and the operators' queue.
type Handlers struct {
	web    *web.Server
	svc    *Service
	enti   *ente.Service
	search *search.Index
	// Operators lists the help desk's operators (the assignment's choices).
	Operators func(ctx context.Context) ([]Person, error)
	// Contact returns a user's name and e-mail address (the requester of a ticket from the page).
	Contact func(ctx context.Context, userID int64) (name, email string, err error)
	// Drafts sends an article drafted from a ticket to the newsroom and returns its page there.
	Drafts kb.Drafter
	// Requests turns a ticket into a draft assistance request of the requester's ente.
	Requests Requests
	// BaseURL is the site's address, for the links the desk writes in its answers.
	BaseURL string
}

// Person is an operator as the queue shows them.
type Person struct {
	ID   int64
	Name string
}

// NewHandlers returns the help desk's handlers.
func NewHandlers(w *web.Server, svc *Service, enti *ente.Service, idx *search.Index) *Handlers {
	return &Handlers{web: w, svc: svc, enti: enti, search: idx}
}

// Mount registers the routes.
func (h *Handlers) Mount(r fiber.Router) {
	ask := access.Require(access.AskAssistance, nil)
	work := access.Require(access.WorkTickets, nil)
	mine, desk := h.load(false), h.load(true)
	// The rating link works without an account: a few tries a minute per client.
	rate := limiter.New(limiter.Config{Max: 20, Expiration: time.Minute, KeyGenerator: func(c *fiber.Ctx) string { return "rate:" + c.IP() }})
	web.Mount(r, []web.Route{
		{Method: fiber.MethodGet, Path: Reserved, Handlers: []fiber.Handler{ask, h.home}},
		{Method: fiber.MethodPost, Path: Reserved, Handlers: []fiber.Handler{ask, h.open}},
		{Method: fiber.MethodGet, Path: Reserved + "/suggerimenti", Handlers: []fiber.Handler{ask, h.suggestions}},
		{Method: fiber.MethodGet, Path: Reserved + "/:id", Handlers: []fiber.Handler{mine, h.ticket}},
		{Method: fiber.MethodPost, Path: Reserved + "/:id/rispondi", Handlers: []fiber.Handler{mine, h.reply}},
		{Method: fiber.MethodPost, Path: Reserved + "/:id/valuta", Handlers: []fiber.Handler{mine, h.rateMine}},
		{Method: fiber.MethodGet, Path: Reserved + "/:id/allegati/:fid", Handlers: []fiber.Handler{mine, h.file(false)}},
		{Method: fiber.MethodGet, Path: "/assistenza/valuta/:token", Handlers: []fiber.Handler{rate, h.ratePage}},
		{Method: fiber.MethodPost, Path: "/assistenza/valuta/:token", Handlers: []fiber.Handler{rate, h.rateByToken}},

		{Method: fiber.MethodGet, Path: Queue, Handlers: []fiber.Handler{work, h.queue}},
		{Method: fiber.MethodGet, Path: Queue + "/aggiornamenti", Handlers: []fiber.Handler{work, h.updates}},
		{Method: fiber.MethodGet, Path: Queue + "/telefonata", Handlers: []fiber.Handler{work, h.phoneForm}},
		{Method: fiber.MethodPost, Path: Queue + "/telefonata", Handlers: []fiber.Handler{work, h.logPhone}},
		{Method: fiber.MethodGet, Path: Queue + "/risposte", Handlers: []fiber.Handler{work, h.cannedList}},
		{Method: fiber.MethodPost, Path: Queue + "/risposte", Handlers: []fiber.Handler{work, h.cannedSave}},
		{Method: fiber.MethodPost, Path: Queue + "/risposte/:canned", Handlers: []fiber.Handler{work, h.cannedSave}},
		{Method: fiber.MethodPost, Path: Queue + "/risposte/:canned/elimina", Handlers: []fiber.Handler{work, h.cannedDelete}},
		{Method: fiber.MethodGet, Path: Queue + "/:id", Handlers: []fiber.Handler{desk, h.deskTicket}},
		{Method: fiber.MethodPost, Path: Queue + "/:id/rispondi", Handlers: []fiber.Handler{desk, h.answer}},
		{Method: fiber.MethodGet, Path: Queue + "/:id/allegati/:fid", Handlers: []fiber.Handler{desk, h.file(true)}},
		{Method: fiber.MethodPost, Path: Queue + "/:id/nota", Handlers: []fiber.Handler{desk, h.note}},
		{Method: fiber.MethodPost, Path: Queue + "/:id/modifica", Handlers: []fiber.Handler{desk, h.update}},
		{Method: fiber.MethodPost, Path: Queue + "/:id/unisci", Handlers: []fiber.Handler{desk, h.merge}},
		{Method: fiber.MethodGet, Path: Queue + "/:id/articolo", Handlers: []fiber.Handler{desk, h.articleForm}},
		{Method: fiber.MethodPost, Path: Queue + "/:id/articolo", Handlers: []fiber.Handler{desk, h.article}},
		{Method: fiber.MethodGet, Path: Queue + "/:id/richiesta", Handlers: []fiber.Handler{desk, h.requestForm}},
		{Method: fiber.MethodPost, Path: Queue + "/:id/richiesta", Handlers: []fiber.Handler{desk, h.toRequest}},
	})
}

func actor(c *fiber.Ctx) Actor { return Actor(web.ActorOf(c)) }

const ticketKey = "helpdesk.ticket"

// load finds the route's ticket: for the operators (desk) any ticket, for a requester their own;
// another person's ticket is the same 404 as one that does not exist.
func (h *Handlers) load(desk bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		s := access.Of(c)
		if s.Anonymous() {
			return fiber.ErrUnauthorized
		}
		if desk && !s.Can(access.WorkTickets, access.Object{}) {
			return fiber.ErrForbidden
		}
		t, err := h.svc.Get(c.UserContext(), web.IDOrZero(c, "id"))
		if err != nil {
			return err
		}
		if !desk && !s.Can(access.OpenOwnTicket, access.Object{Requester: t.RequesterID}) {
			return db.ErrNotFound
		}
		c.Locals(ticketKey, t)
		return c.Next()
	}
}

func ticketOf(c *fiber.Ctx) *Ticket { return c.Locals(ticketKey).(*Ticket) }

// --- the requester's side

// NewForm is a new ticket as the requester types it.
type NewForm struct {
	Category, Subject, Body, Ente string
}

func (h *Handlers) home(c *fiber.Ctx) error {
	f := NewForm{Category: c.Query("categoria"), Subject: c.Query("oggetto"), Body: c.Query("testo")}
	return h.renderHome(c, f, nil, f.Subject != "" || f.Body != "")
}

// renderHome shows the section: the new ticket's form (with suggestions when asked, or after a
// refusal) and the person's tickets.
func (h *Handlers) renderHome(c *fiber.Ctx, f NewForm, errs map[string]string, suggest bool) error {
	ctx, s := c.UserContext(), access.Of(c)
	h.web.CSRFToken(c)
	tickets, err := h.svc.OfRequester(ctx, s.UserID, 50)
	if err != nil {
		return err
	}
	enti, err := h.myEnti(c)
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": h.web.T(c, "helpdesk.title"), "Form": f, "Errors": h.web.Messages(c, errs), "Tickets": tickets, "MaxFiles": MaxFiles,
		"Categories": Categories, "Enti": enti, "CanWork": s.Can(access.WorkTickets, access.Object{})}
	if suggest {
		data["Suggestions"] = h.suggest(c, f.Subject+" "+f.Body)
		data["Suggested"] = true
	}
	return h.web.Page(c, "helpdesk/home", data)
}

// myEnti lists the approved enti the person acts for.
func (h *Handlers) myEnti(c *fiber.Ctx) ([]*ente.Ente, error) {
	return h.enti.ActingFor(c.UserContext(), access.Of(c))
}

// suggest returns the public pages that may answer text (the knowledge base, the guide, the
// procedures), at most five; nothing when the search fails (the form works without them).
func (h *Handlers) suggest(c *fiber.Ctx, text string) []search.Item {
	text = strings.TrimSpace(text)
	if h.search == nil || len([]rune(text)) < 3 {
		return nil
	}
	if r := []rune(text); len(r) > 300 {
		text = string(r[:300])
	}
	res, err := h.search.Search(c.UserContext(), nil, search.Query{Text: text, PerPage: 5})
	if err != nil {
		return nil
	}
	return res.Items
}

func (h *Handlers) suggestions(c *fiber.Ctx) error {
	items := h.suggest(c, c.Query("subject", c.Query("oggetto"))+" "+c.Query("body", c.Query("testo"))) // the form's fields, or a link's
	return h.web.Fragment(c, "helpdesk/suggestions", fiber.Map{"Suggestions": items, "Suggested": true})
}

func (h *Handlers) open(c *fiber.Ctx) error {
	s := access.Of(c)
	f := NewForm{Category: c.FormValue("category"), Subject: c.FormValue("subject"), Body: c.FormValue("body"), Ente: c.FormValue("ente")}
	if c.FormValue("suggest") != "" { // "Cerca tra le risposte" without JavaScript: nothing is sent
		return h.renderHome(c, f, nil, true)
	}
	name, email, err := h.Contact(c.UserContext(), s.UserID)
	if err != nil {
		return err
	}
	files, done, err := h.uploads(c)
	defer done()
	if err != nil {
		return h.refusedHome(c, f, err)
	}
	o := Opening{Channel: ChannelWeb, Subject: f.Subject, Body: f.Body, Category: f.Category, RequesterID: s.UserID,
		Name: name, Email: email, Lang: web.Lang(c), Files: files}
	if f.Ente != "" {
		id, _ := strconv.ParseInt(f.Ente, 10, 64)
		if _, ok := s.Member(id); !ok {
			return h.refusedHome(c, f, Invalid{"ente": "helpdesk.error.ente"})
		}
		e, err := h.enti.Ente(c.UserContext(), id)
		if err != nil {
			return err
		}
		o.EnteID, o.EnteName = e.ID, e.Name
	}
	t, err := h.svc.Open(c.UserContext(), o)
	if err != nil {
		return h.refusedHome(c, f, err)
	}
	h.web.Flash(c, "helpdesk.opened")
	return c.Redirect(MineURL(t.ID), fiber.StatusSeeOther)
}

func (h *Handlers) refusedHome(c *fiber.Ctx, f NewForm, err error) error {
	var bad Invalid
	if !errors.As(h.fileInvalid(err), &bad) {
		return err
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return h.renderHome(c, f, bad, true)
}

func (h *Handlers) ticket(c *fiber.Ctx) error { return h.renderMine(c, "", nil, "") }

// renderMine shows the requester's ticket: the public thread, the reply form (with its text and
// errors after a refusal) and the rating form once resolved.
func (h *Handlers) renderMine(c *fiber.Ctx, body string, errs map[string]string, refused string) error {
	t := ticketOf(c)
	h.web.CSRFToken(c)
	thread, err := h.svc.Thread(c.UserContext(), t.ID, false)
	if err != nil {
		return err
	}
	answer, resolve := t.Levels(h.svc.cal, h.svc.Now())
	return h.web.Page(c, "helpdesk/ticket", fiber.Map{"Title": t.Subject, "TitleLang": "it", "Ticket": t, "Thread": thread,
		"Body": body, "Errors": h.web.Messages(c, errs), "Refused": refused, "Answer": answer, "Resolve": resolve, "Now": h.svc.Now(),
		"FileBase": FilesURL(false, t.ID), "MaxFiles": MaxFiles,
		"Crumbs": []map[string]string{{"URL": Reserved, "Label": h.web.T(c, "helpdesk.title")}}})
}

func (h *Handlers) reply(c *fiber.Ctx) error {
	t, body := ticketOf(c), c.FormValue("body")
	files, done, err := h.uploads(c)
	defer done()
	if err == nil {
		_, err = h.svc.Reply(c.UserContext(), actor(c), t.ID, body, ChannelWeb, "", files...)
	}
	if err != nil {
		return h.refusal(c, h.fileInvalid(err), func(bad Invalid, refused string) error { return h.renderMine(c, body, bad, refused) })
	}
	h.web.Flash(c, "helpdesk.replied")
	return c.Redirect(MineURL(t.ID)+"#ultimo", fiber.StatusSeeOther)
}

// refusal renders the page again after a refused step: 422 with each field's message for
// Invalid, 409 with the reason for Refused; any other error is returned as it is.
func (h *Handlers) refusal(c *fiber.Ctx, err error, render func(bad Invalid, refused string) error) error {
	var bad Invalid
	var refused Refused
	switch {
	case errors.As(err, &bad):
		c.Status(fiber.StatusUnprocessableEntity)
		return render(bad, "")
	case errors.As(err, &refused):
		c.Status(fiber.StatusConflict)
		return render(nil, h.web.T(c, string(refused)))
	}
	return err
}

// rating reads the rating form.
func rating(c *fiber.Ctx) (int, string) {
	n, _ := strconv.Atoi(c.FormValue("rating"))
	return n, c.FormValue("comment")
}

func (h *Handlers) rateMine(c *fiber.Ctx) error {
	t := ticketOf(c)
	n, comment := rating(c)
	if err := h.svc.Rate(c.UserContext(), t.ID, n, comment); err != nil {
		return h.refusal(c, err, func(bad Invalid, refused string) error { return h.renderMine(c, "", bad, refused) })
	}
	h.web.Flash(c, "helpdesk.rated")
	return c.Redirect(MineURL(t.ID), fiber.StatusSeeOther)
}

func (h *Handlers) ratePage(c *fiber.Ctx) error {
	t, err := h.svc.ByToken(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	return h.renderRate(c, t, nil, "", fiber.Map{})
}

func (h *Handlers) renderRate(c *fiber.Ctx, t *Ticket, errs map[string]string, refused string, extra fiber.Map) error {
	h.web.CSRFToken(c)
	c.Set("Referrer-Policy", "no-referrer") // the link is the ticket's key
	data := fiber.Map{"Title": h.web.T(c, "helpdesk.rate.title"), "Ticket": t, "Errors": h.web.Messages(c, errs), "Refused": refused,
		"Action": RateURL(t.Token), "NoIndex": true}
	for k, v := range extra {
		data[k] = v
	}
	return h.web.Page(c, "helpdesk/rate", data)
}

func (h *Handlers) rateByToken(c *fiber.Ctx) error {
	t, err := h.svc.ByToken(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	n, comment := rating(c)
	if err := h.svc.Rate(c.UserContext(), t.ID, n, comment); err != nil {
		return h.refusal(c, err, func(bad Invalid, refused string) error {
			return h.renderRate(c, t, bad, refused, fiber.Map{"Comment": comment})
		})
	}
	if t, err = h.svc.Get(c.UserContext(), t.ID); err != nil {
		return err
	}
	return h.renderRate(c, t, nil, "", fiber.Map{"Thanks": true})
}

package helpdesk

import (
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/kb"
	"passhub/app/web"
)

// --- the operators' queue

func (h *Handlers) filterOf(c *fiber.Ctx) (Filter, error) {
	f := Filter{View: c.Query("vista"), Category: c.Query("categoria"), Priority: c.Query("priorita"), Assigned: c.Query("assegnati"),
		Viewer: access.Of(c).UserID, Q: strings.TrimSpace(c.Query("q"))}
	f.Page, _ = strconv.Atoi(c.Query("pagina"))
	ok := slices.Contains([]string{ViewActive, ViewResolved, ViewClosed, ViewAll}, f.View) &&
		(f.Category == "" || slices.Contains(Categories, f.Category)) && (f.Priority == "" || slices.Contains(Priorities, f.Priority)) &&
		slices.Contains([]string{"", "me", "none"}, f.Assigned) && len(f.Q) <= 200
	if !ok {
		return f, fiber.NewError(fiber.StatusBadRequest, h.web.T(c, "helpdesk.error.filter"))
	}
	return f, nil
}

func (h *Handlers) queue(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f, err := h.filterOf(c)
	if err != nil {
		return err
	}
	tickets, total, err := h.svc.Queue(ctx, f)
	if err != nil {
		return err
	}
	counts, err := h.svc.Count(ctx, f.Viewer)
	if err != nil {
		return err
	}
	last, err := h.svc.LastID(ctx)
	if err != nil {
		return err
	}
	now := h.svc.Now()
	rows := make([]Row, len(tickets))
	for i := range tickets {
		rows[i] = Row{Ticket: &tickets[i]}
		rows[i].Answer, rows[i].Resolve = tickets[i].Levels(h.svc.cal, now)
	}
	page := max(f.Page, 1)
	return h.web.Page(c, "helpdesk/queue", fiber.Map{"Title": h.web.T(c, "helpdesk.queue.title"), "Rows": rows, "Total": total,
		"Filter": f, "Counts": counts, "Categories": Categories, "Priorities": Priorities, "Last": last, "Topics": LiveTopic, "Now": now,
		"Pager": struct{ Page, Pages int }{page, (total + PageSize - 1) / PageSize}, "URL": c.OriginalURL()})
}

// Row is a ticket of the queue with its service levels now.
type Row struct {
	*Ticket
	Answer, Resolve Level
}

// updates answers the queue's live frame: how many tickets arrived since the page was loaded, as
// a notice with a link that reloads the list (the list itself is never replaced under the
// operator's eyes).
func (h *Handlers) updates(c *fiber.Ctx) error {
	after, _ := strconv.ParseInt(c.Query("dopo"), 10, 64)
	n, err := h.svc.NewerThan(c.UserContext(), after)
	if err != nil {
		return err
	}
	return h.web.Fragment(c, "helpdesk/live", fiber.Map{"New": n, "URL": c.Query("pagina_url", Queue)})
}

// --- a ticket, as the operators see it

func (h *Handlers) deskTicket(c *fiber.Ctx) error { return h.renderDesk(c, deskForm{}) }

// deskForm is what the ticket page's forms carry back after a refusal.
type deskForm struct {
	Body, Note, Into string
	Errors           map[string]string
	Refused          string
}

func (h *Handlers) renderDesk(c *fiber.Ctx, f deskForm) error {
	ctx, t := c.UserContext(), ticketOf(c)
	h.web.CSRFToken(c)
	thread, err := h.svc.Thread(ctx, t.ID, true)
	if err != nil {
		return err
	}
	canned, err := h.svc.CannedReplies(ctx)
	if err != nil {
		return err
	}
	var operators []Person
	if h.Operators != nil {
		if operators, err = h.Operators(ctx); err != nil {
			return err
		}
	}
	others, err := h.svc.OthersOf(ctx, t)
	if err != nil {
		return err
	}
	answer, resolve := t.Levels(h.svc.cal, h.svc.Now())
	return h.web.Page(c, "helpdesk/desk_ticket", fiber.Map{"Title": t.Subject, "TitleLang": "it", "Ticket": t, "Thread": thread,
		"Canned": canned, "Operators": operators, "Others": others, "Form": f, "Errors": h.web.Messages(c, f.Errors),
		"Categories": Categories, "Priorities": Priorities, "Statuses": Statuses, "Now": h.svc.Now(), "Answer": answer, "Resolve": resolve,
		"ReplyAddress": h.svc.ReplyAddress(t), "CanDraft": h.Drafts != nil && h.Drafts.Enabled(), "MaxFiles": MaxFiles,
		"FileBase":   FilesURL(true, t.ID),
		"CanConvert": h.Requests != nil && convertible(t), "Crumbs": []map[string]string{{"URL": Queue, "Label": h.web.T(c, "helpdesk.queue.title")}}})
}

// refused renders the ticket page again after a step was refused, keeping what was typed.
func (h *Handlers) refused(c *fiber.Ctx, f deskForm, err error) error {
	return h.refusal(c, h.fileInvalid(err), func(bad Invalid, refused string) error {
		f.Errors, f.Refused = bad, refused
		return h.renderDesk(c, f)
	})
}

func (h *Handlers) answer(c *fiber.Ctx) error {
	t, body := ticketOf(c), c.FormValue("body")
	if c.FormValue("insert") != "" { // "Inserisci" a canned reply: the form comes back with it, nothing is sent
		n, _ := strconv.ParseInt(c.FormValue("canned"), 10, 64)
		if cr, err := h.svc.CannedReply(c.UserContext(), n); err == nil {
			body = strings.TrimSpace(strings.TrimSpace(body) + "\n\n" + cr.Body)
		}
		return h.renderDesk(c, deskForm{Body: body})
	}
	then := Status(c.FormValue("then", string(StatusWaiting)))
	files, done, err := h.uploads(c)
	defer done()
	if err == nil {
		_, err = h.svc.Answer(c.UserContext(), actor(c), t.ID, body, then, files...)
	}
	if err != nil {
		return h.refused(c, deskForm{Body: body}, err)
	}
	h.web.Flash(c, "helpdesk.answered")
	return c.Redirect(TicketURL(t.ID), fiber.StatusSeeOther)
}

func (h *Handlers) note(c *fiber.Ctx) error {
	t, body := ticketOf(c), c.FormValue("note")
	files, done, err := h.uploads(c)
	defer done()
	if err == nil {
		_, err = h.svc.Note(c.UserContext(), actor(c), t.ID, body, files...)
	}
	if err != nil {
		var bad Invalid
		if errors.As(h.fileInvalid(err), &bad) {
			moved := Invalid{}
			if m, ok := bad["body"]; ok {
				moved["note"] = m
			}
			if m, ok := bad["files"]; ok {
				moved["note_files"] = m
			}
			err = moved
		}
		return h.refused(c, deskForm{Note: body}, err)
	}
	h.web.Flash(c, "helpdesk.noted")
	return c.Redirect(TicketURL(t.ID)+"#ultimo", fiber.StatusSeeOther)
}

func (h *Handlers) operatorIDs(c *fiber.Ctx) ([]int64, error) {
	if h.Operators == nil {
		return nil, nil
	}
	ps, err := h.Operators(c.UserContext())
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids, err
}

func (h *Handlers) update(c *fiber.Ctx) error {
	t := ticketOf(c)
	ch := Changes{Category: c.FormValue("category"), Priority: c.FormValue("priority"), Status: Status(c.FormValue("status")), Assignee: c.FormValue("assignee")}
	switch ch.Assignee {
	case "":
	case "me":
		ch.AssigneeID = access.Of(c).UserID
	default:
		ch.AssigneeID, _ = strconv.ParseInt(ch.Assignee, 10, 64)
	}
	ids, err := h.operatorIDs(c)
	if err != nil {
		return err
	}
	if access.Of(c).Has(access.RoleAdmin) {
		ids = append(ids, access.Of(c).UserID)
	}
	if err := h.svc.Update(c.UserContext(), actor(c), t.ID, ch, ids); err != nil {
		return h.refused(c, deskForm{}, err)
	}
	h.web.Flash(c, "helpdesk.updated")
	return c.Redirect(TicketURL(t.ID), fiber.StatusSeeOther)
}

func (h *Handlers) merge(c *fiber.Ctx) error {
	t, into := ticketOf(c), strings.TrimPrefix(strings.TrimSpace(c.FormValue("into")), "#")
	id, err := strconv.ParseInt(into, 10, 64)
	if err != nil || id <= 0 {
		return h.refused(c, deskForm{Into: into}, Invalid{"into": "helpdesk.error.merge_unknown"})
	}
	if err := h.svc.Merge(c.UserContext(), actor(c), t.ID, id); err != nil {
		return h.refused(c, deskForm{Into: into}, err)
	}
	h.web.Flash(c, "helpdesk.merged")
	return c.Redirect(TicketURL(id), fiber.StatusSeeOther)
}

// --- phone calls

// PhoneForm is a phone call as the operator logs it.
type PhoneForm struct {
	Name, Email, Phone, Ente, Subject, Body, Category, Priority string
}

func (h *Handlers) phoneForm(c *fiber.Ctx) error {
	return h.renderPhone(c, PhoneForm{Priority: PriorityNormal}, nil)
}

func (h *Handlers) renderPhone(c *fiber.Ctx, f PhoneForm, errs map[string]string) error {
	h.web.CSRFToken(c)
	return h.web.Page(c, "helpdesk/phone", fiber.Map{"Title": h.web.T(c, "helpdesk.phone.title"), "Form": f, "Errors": h.web.Messages(c, errs),
		"Categories": Categories, "Priorities": Priorities, "Crumbs": []map[string]string{{"URL": Queue, "Label": h.web.T(c, "helpdesk.queue.title")}}})
}

func (h *Handlers) logPhone(c *fiber.Ctx) error {
	f := PhoneForm{Name: c.FormValue("name"), Email: c.FormValue("email"), Phone: c.FormValue("phone"), Ente: c.FormValue("ente"),
		Subject: c.FormValue("subject"), Body: c.FormValue("body"), Category: c.FormValue("category"), Priority: c.FormValue("priority")}
	t, err := h.svc.Open(c.UserContext(), Opening{Channel: ChannelPhone, Subject: f.Subject, Body: f.Body, Category: f.Category,
		Priority: f.Priority, Name: f.Name, Email: f.Email, Phone: f.Phone, EnteName: f.Ente, Lang: "it", LoggedBy: actor(c), AssignToLogger: true})
	var bad Invalid
	if errors.As(err, &bad) {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderPhone(c, f, bad)
	}
	if err != nil {
		return err
	}
	h.web.Flash(c, "helpdesk.phone.logged")
	return c.Redirect(TicketURL(t.ID), fiber.StatusSeeOther)
}

// --- canned replies

func (h *Handlers) cannedList(c *fiber.Ctx) error { return h.renderCanned(c, nil, nil) }

func (h *Handlers) renderCanned(c *fiber.Ctx, editing *Canned, errs map[string]string) error {
	h.web.CSRFToken(c)
	if editing == nil {
		editing = &Canned{}
	}
	list, err := h.svc.CannedReplies(c.UserContext())
	if err != nil {
		return err
	}
	return h.web.Page(c, "helpdesk/canned", fiber.Map{"Title": h.web.T(c, "helpdesk.canned.title"), "List": list, "Editing": editing,
		"Errors": h.web.Messages(c, errs), "Crumbs": []map[string]string{{"URL": Queue, "Label": h.web.T(c, "helpdesk.queue.title")}}})
}

func (h *Handlers) cannedSave(c *fiber.Ctx) error {
	id := web.IDOrZero(c, "canned")
	cr, err := h.svc.SaveCanned(c.UserContext(), actor(c), id, c.FormValue("title"), c.FormValue("body"))
	var bad Invalid
	if errors.As(err, &bad) {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderCanned(c, cr, bad)
	}
	if err != nil {
		return err
	}
	h.web.Flash(c, "helpdesk.canned.saved")
	return c.Redirect(Queue+"/risposte", fiber.StatusSeeOther)
}

func (h *Handlers) cannedDelete(c *fiber.Ctx) error {
	if err := h.svc.DeleteCanned(c.UserContext(), web.IDOrZero(c, "canned")); err != nil {
		return err
	}
	h.web.Flash(c, "helpdesk.canned.deleted")
	return c.Redirect(Queue+"/risposte", fiber.StatusSeeOther)
}

// --- a knowledge-base article from a resolved ticket

func (h *Handlers) review() kb.Review { return kb.Review{Web: h.web, Drafts: h.Drafts} }

func (h *Handlers) articleForm(c *fiber.Ctx) error {
	t := ticketOf(c)
	if !h.review().Enabled() || !t.Draftable() {
		return fiber.ErrNotFound
	}
	a, err := h.svc.ArticleOf(c.UserContext(), t, kb.WithoutEnte(c))
	if err != nil {
		return err
	}
	return h.review().Render(c, "helpdesk/article", a, nil, h.articleData(c, t))
}

// articleData is the review page's data beside the draft.
func (h *Handlers) articleData(c *fiber.Ctx, t *Ticket) fiber.Map {
	return fiber.Map{"Title": h.web.T(c, "helpdesk.article.title"), "Ticket": t,
		"Crumbs": []map[string]string{{"URL": Queue, "Label": h.web.T(c, "helpdesk.queue.title")}, {"URL": TicketURL(t.ID), "Label": "#" + strconv.FormatInt(t.ID, 10)}}}
}

func (h *Handlers) article(c *fiber.Ctx) error {
	t := ticketOf(c)
	if !h.review().Enabled() || !t.Draftable() {
		return fiber.ErrNotFound
	}
	src, err := h.svc.ArticleSource(c.UserContext(), t)
	if err != nil {
		return err
	}
	sent, err := h.review().Send(c, src, t.Category, "helpdesk/article", h.articleData(c, t))
	if err != nil || sent == nil {
		return err
	}
	h.web.Flash(c, "helpdesk.article.sent")
	return c.Redirect(sent.URL, fiber.StatusSeeOther)
}

// --- an assistance request from a ticket

// Procedure is a catalogue procedure a ticket can become a request for.
type Procedure struct {
	Code, Title, TaskForce string
}

// Requests turns tickets into assistance requests of the catalogue.
type Requests interface {
	// Procedures lists the catalogue's procedures that accept requests.
	Procedures(ctx context.Context) ([]Procedure, error)
	// Draft prepares a draft request of the ente, which its members complete and submit; a field
	// the request refuses comes back as Invalid.
	Draft(ctx context.Context, who Actor, enteID int64, procedure, title, description, outcome string) (int64, error)
	// AddFile adds a file to the draft request's documents, with the workspace's checks and quota.
	AddFile(ctx context.Context, who Actor, requestID int64, name string, data []byte) error
}

// RequestForm is the conversion's form.
type RequestForm struct {
	Procedure, Title, Description, Outcome string
}

// convertible reports whether the ticket can become a request: asked from the reserved page by a
// person for one of their enti.
func convertible(t *Ticket) bool {
	return t.EnteID != 0 && t.RequesterID != 0 && t.MergedInto == 0 && t.Status != StatusClosed
}

func (h *Handlers) requestForm(c *fiber.Ctx) error {
	t := ticketOf(c)
	if h.Requests == nil || !convertible(t) {
		return fiber.ErrNotFound
	}
	thread, err := h.svc.Thread(c.UserContext(), t.ID, false)
	if err != nil {
		return err
	}
	f := RequestForm{Title: t.Subject}
	if len(thread) > 0 {
		f.Description = thread[0].Body
	}
	return h.renderRequest(c, f, nil)
}

func (h *Handlers) renderRequest(c *fiber.Ctx, f RequestForm, errs map[string]string) error {
	t := ticketOf(c)
	procs, err := h.Requests.Procedures(c.UserContext())
	if err != nil {
		return err
	}
	h.web.CSRFToken(c)
	return h.web.Page(c, "helpdesk/request", fiber.Map{"Title": h.web.T(c, "helpdesk.request.title"), "Ticket": t, "Form": f, "Procedures": procs,
		"Errors": h.web.Messages(c, errs),
		"Crumbs": []map[string]string{{"URL": Queue, "Label": h.web.T(c, "helpdesk.queue.title")}, {"URL": TicketURL(t.ID), "Label": "#" + strconv.FormatInt(t.ID, 10)}}})
}

func (h *Handlers) toRequest(c *fiber.Ctx) error {
	t := ticketOf(c)
	if h.Requests == nil || !convertible(t) {
		return fiber.ErrNotFound
	}
	f := RequestForm{Procedure: c.FormValue("procedure"), Title: c.FormValue("title"), Description: c.FormValue("description"), Outcome: c.FormValue("outcome")}
	id, err := h.Requests.Draft(c.UserContext(), actor(c), t.EnteID, f.Procedure, f.Title, f.Description, f.Outcome)
	var bad Invalid
	if errors.As(err, &bad) {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderRequest(c, f, bad)
	}
	if err != nil {
		return err
	}
	// The ticket's files (not the internal notes') follow it into the request's documents.
	missed, err := h.copyFiles(c.UserContext(), actor(c), t.ID, id)
	if err != nil {
		return err
	}
	// The requester is told on the ticket, and by mail: the draft is theirs to complete and submit.
	body := h.web.I18n.T(t.Lang, "helpdesk.request.answer", "Title", f.Title, "URL", strings.TrimSuffix(h.BaseURL, "/")+"/area-riservata/richieste/"+strconv.FormatInt(id, 10))
	if _, err := h.svc.Answer(c.UserContext(), actor(c), t.ID, body, StatusWaiting); err != nil {
		return err
	}
	if missed > 0 {
		h.web.Flash(c, "!helpdesk.request.files_missed")
	} else {
		h.web.Flash(c, "helpdesk.request.done")
	}
	return c.Redirect(TicketURL(t.ID), fiber.StatusSeeOther)
}

// copyFiles adds the files of the ticket's public messages to the request's documents and says
// how many could not be (refused by the workspace: its quota, its checks); an error is the
// store's or the database's.
func (h *Handlers) copyFiles(ctx context.Context, who Actor, ticketID, requestID int64) (int, error) {
	files, err := h.svc.PublicFiles(ctx, ticketID)
	if err != nil {
		return 0, err
	}
	missed := 0
	for _, f := range files {
		_, r, err := h.svc.OpenFile(ctx, ticketID, f.ID, false)
		if err != nil {
			return 0, err
		}
		data, err := io.ReadAll(io.LimitReader(r, f.Size+1))
		r.Close()
		if err != nil {
			return 0, err
		}
		if err := h.Requests.AddFile(ctx, who, requestID, f.Name, data); err != nil {
			var refused *FileRefused
			if !errors.As(err, &refused) {
				return 0, err
			}
			missed++
		}
	}
	return missed, nil
}

package workspace

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/catalogue"
	"passhub/app/kb"
	"passhub/app/once"
	"passhub/app/request"
	"passhub/app/web"
)

// Handlers serve a request's workspace page and its content, and mount the request routes with
// theirs.
type Handlers struct {
	web      *web.Server
	svc      *Service
	requests *request.Service
	request  *request.Handlers
	// Drafts sends the knowledge-base articles drafted from concluded requests to the newsroom
	// (nil: no drafts, the routes answer 404).
	Drafts kb.Drafter
	// People names the ente's people on a request (its requester, legal representative and
	// delegates), whom a draft article leaves out.
	People func(ctx context.Context, r *request.Request) ([]string, error)
}

// NewHandlers returns the workspace handlers, with the request handlers of the same URL tree;
// withPM tells which task forces have a project manager.
func NewHandlers(w *web.Server, svc *Service, requests *request.Service, cat *catalogue.Service, withPM func(ctx context.Context, taskForce string) (bool, error)) *Handlers {
	h := &Handlers{web: w, svc: svc, requests: requests}
	h.request = request.NewHandlers(w, requests, cat, withPM, h)
	return h
}

// Mount registers the /area-riservata/richieste tree on the reserved router, in one place: the
// request routes (lists, filing, triage, lifecycle, request.Handlers.Routes) and the workspace's.
// web.Mount registers the most specific routes first, so the order of the tables does not matter.
func (h *Handlers) Mount(r fiber.Router) {
	web.Mount(r, append(h.request.Routes(), h.Routes()...))
}

// Routes are the workspace's routes. Each one loads and authorises its request before the
// handler (request.Service.Require), which reads it with request.From.
func (h *Handlers) Routes() []web.Route {
	reserved := access.Require(access.ViewReservedArea, nil)
	view, work := h.requests.Require(access.ViewRequest), h.requests.Require(access.WorkOnRequest)
	expert, ente := h.requests.Require(access.ExpertWork), h.requests.Require(access.ActForEnte)
	draft := h.requests.Require(access.DraftArticle)
	route := func(method, path string, handlers ...fiber.Handler) web.Route {
		return web.Route{Method: method, Path: "/area-riservata/richieste/:id" + path, Handlers: append([]fiber.Handler{reserved}, handlers...)}
	}
	return []web.Route{
		route("GET", "", view, h.Page),
		route("GET", "/messaggi", view, h.earlierMessages),
		route("POST", "/messaggi", work, h.post),
		route("POST", "/messaggi/:mid", work, h.edit),
		route("GET", "/documenti", view, h.earlierDocuments),
		route("POST", "/documenti", work, h.upload),
		route("GET", "/documenti/:vid", view, h.download),
		route("POST", "/integrazioni/:iid/risposta", ente, h.answer),
		route("POST", "/attivita", expert, h.activity),
		route("GET", "/fascicolo", view, h.dossier),
		route("GET", "/fascicolo.pdf", view, h.dossierPDF),
		route("GET", "/aggiornamenti", view, h.live),
		route("GET", "/articolo", draft, h.articleForm),
		route("POST", "/articolo", draft, h.article),
	}
}

// errorStatus is how the workspace handlers answer the errors of the workspace and of requests;
// a form's field errors are answered by its handler.
func (h *Handlers) errorStatus() web.Errors {
	fileType := web.Status{Code: fiber.StatusUnprocessableEntity, Message: "workspace.file.type"}
	locked := web.Status{Code: fiber.StatusConflict, Message: "workspace.message.locked"}
	return web.Errors{
		ErrTooLarge:  {Code: fiber.StatusRequestEntityTooLarge, Message: "workspace.file.large", Args: []any{"Max", h.svc.MaxFile >> 20}},
		ErrFileType:  fileType,
		ErrEmptyFile: fileType,
		ErrMismatch:  {Code: fiber.StatusUnprocessableEntity, Message: "workspace.file.mismatch"},
		ErrImage:     {Code: fiber.StatusUnprocessableEntity, Message: "workspace.file.image", Args: []any{"Max", MaxImagePixels / 1_000_000}},
		ErrArchive: {Code: fiber.StatusUnprocessableEntity, Message: "workspace.file.archive",
			Args: []any{"Entries", MaxArchiveEntries, "Max", MaxArchiveExpanded >> 30}},
		ErrQuota:         {Code: fiber.StatusUnprocessableEntity, Message: "workspace.file.quota"},
		ErrClosed:        {Code: fiber.StatusConflict, Message: "workspace.closed"},
		ErrEditWindow:    locked,
		ErrNotAuthor:     locked,
		request.ErrStale: {Code: fiber.StatusConflict, Message: "request.stale"},
	}
}

// How many messages and documents a page of the workspace shows.
const (
	ThreadPage    = 50
	DocumentsPage = 20
)

// panelStates lists, for each form of the workspace that depends on the request's state, the
// states in which it is shown; live updates show and hide them without re-rendering them.
var panelStates = map[string][]request.State{
	"post":     {request.Submitted, request.Assigned, request.InProgress, request.Waiting},
	"upload":   {request.Submitted, request.Assigned, request.InProgress, request.Waiting},
	"activity": {request.Assigned, request.InProgress, request.Waiting},
	"ask":      {request.Assigned, request.InProgress},
	"conclude": {request.InProgress},
	"assign":   {request.Submitted, request.Assigned, request.InProgress, request.Waiting},
	"reject":   {request.Submitted},
	"submit":   {request.Draft},
	"withdraw": {request.Draft, request.Submitted, request.Assigned, request.InProgress, request.Waiting},
	"archive":  {request.Concluded},
	"article":  {request.Concluded},
}

// panels returns, for the request's state, each panel's states (as a data-states attribute) and
// whether it is shown.
func panels(state request.State) (map[string]string, map[string]bool) {
	states, shown := map[string]string{}, map[string]bool{}
	for name, list := range panelStates {
		var names []string
		for _, st := range list {
			names = append(names, string(st))
			shown[name] = shown[name] || st == state
		}
		states[name] = strings.Join(names, " ")
	}
	return states, shown
}

// caps is what the viewer may do with the request, whatever its state: when it changes (an
// expert assigned or removed), the page offers a reload instead of re-rendering forms.
func caps(s *access.Subject, obj access.Object) string {
	var b strings.Builder
	for _, x := range []struct {
		a access.Action
		c byte
	}{{access.WorkOnRequest, 'w'}, {access.ExpertWork, 'x'}, {access.ActForEnte, 'e'}, {access.TriageRequests, 't'}, {access.ArchiveRequest, 'a'}} {
		if s.Can(x.a, obj) {
			b.WriteByte(x.c)
		}
	}
	return b.String()
}

// view loads what the workspace page shows of a request: the latest messages (or those before
// ?prima), the newest documents, the timeline and the integrations.
func (h *Handlers) view(c *fiber.Ctx, r *request.Request) (fiber.Map, error) {
	ctx := c.UserContext()
	before, _ := strconv.ParseInt(c.Query("prima"), 10, 64)
	msgs, more, err := h.svc.MessagesBefore(ctx, r.ID, before, ThreadPage)
	if err != nil {
		return nil, err
	}
	h.markEditable(c, r, msgs)
	docs, docsMore, err := h.svc.DocumentsBefore(ctx, r.ID, 0, DocumentsPage)
	if err != nil {
		return nil, err
	}
	choices, err := h.svc.DocumentChoices(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	events, err := h.requests.Timeline(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	acts, err := h.svc.Activities(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	ints, err := h.requests.Integrations(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	cur, err := h.cursor(c, r, events)
	if err != nil {
		return nil, err
	}
	data := fiber.Map{"Request": r, "Messages": msgs, "ThreadMore": more, "Before": before, "Timeline": Timeline(events, acts),
		"Documents": docs, "DocumentsMore": docsMore, "Choices": choices, "Integrations": pointers(ints), "Attachments": attachments(r.ID, choices),
		"Cursor": cur.String(), "CSRF": h.web.CSRFToken(c)}
	if len(msgs) > 0 {
		data["FirstMessage"] = msgs[0].ID
	}
	if len(docs) > 0 {
		data["LastDocument"] = docs[len(docs)-1].ID
	}
	return data, nil
}

// pointers lets templates call the integrations' methods.
func pointers(ints []request.Integration) []*request.Integration {
	out := make([]*request.Integration, len(ints))
	for i := range ints {
		out[i] = &ints[i]
	}
	return out
}

// Attachment is a document that came with an integration's answer, linked to the documents'
// page that starts with it.
type Attachment struct {
	Name, URL string
}

// attachments groups the documents that came with an integration's answer by integration.
func attachments(requestID int64, docs []Document) map[int64][]Attachment {
	out := map[int64][]Attachment{}
	for _, d := range docs {
		if d.IntegrationID != 0 {
			out[d.IntegrationID] = append(out[d.IntegrationID], Attachment{Name: d.Name,
				URL: fmt.Sprintf("/area-riservata/richieste/%d/documenti?prima=%d#documento-%d", requestID, d.ID+1, d.ID)})
		}
	}
	return out
}

func (h *Handlers) markEditable(c *fiber.Ctx, r *request.Request, msgs []Message) {
	if access.Of(c).Can(access.WorkOnRequest, request.ObjectOf(r)) {
		h.svc.MarkEditable(msgs, access.Of(c).UserID)
	}
}

// cursor is where the next live update of the viewer's page starts from.
func (h *Handlers) cursor(c *fiber.Ctx, r *request.Request, events []request.Event) (Cursor, error) {
	cur := Cursor{Seen: time.Now().UTC(), State: r.State, Caps: caps(access.Of(c), request.ObjectOf(r))}
	var err error
	cur.Message, cur.Version, cur.Activity, cur.Integration, err = h.svc.Newest(c.UserContext(), r.ID)
	for _, e := range events {
		cur.Event = max(cur.Event, e.ID)
	}
	return cur, err
}

// live renders what changed since the page's cursor (?cursore): the new messages appended, the
// edited ones' text, new and changed documents and integrations, the state, the experts and the
// timeline, each swapped out of band, with a sentence for the page's live region. Nothing the
// viewer may be typing into is re-rendered.
func (h *Handlers) live(c *fiber.Ctx) error {
	r := request.From(c)
	return h.renderLive(c, r, nil)
}

// renderLive renders the live update; extra is merged into its data.
func (h *Handlers) renderLive(c *fiber.Ctx, r *request.Request, extra fiber.Map) error {
	ctx := c.UserContext()
	raw := c.Query("cursore")
	if raw == "" {
		raw = c.FormValue("cursore")
	}
	prev, known := ParseCursor(raw)
	events, err := h.requests.Timeline(ctx, r.ID)
	if err != nil {
		return err
	}
	cur, err := h.cursor(c, r, events)
	if err != nil {
		return err
	}
	var msgs, edited []Message
	if known {
		msgs, err = h.svc.MessagesAfter(ctx, r.ID, prev.Message, 200)
		if err == nil {
			edited, err = h.svc.MessagesEditedSince(ctx, r.ID, prev.Message, prev.Seen.Add(-liveOverlap))
		}
	} else {
		msgs, _, err = h.svc.MessagesBefore(ctx, r.ID, 0, ThreadPage)
	}
	if err != nil {
		return err
	}
	h.markEditable(c, r, msgs)
	data := fiber.Map{"Request": r, "NewMessages": msgs, "Edited": edited, "Cursor": cur.String(), "CSRF": h.web.CSRFToken(c)}
	var say []string
	viewer := access.Of(c).UserID
	for _, m := range msgs {
		if m.AuthorID != viewer && known {
			say = append(say, h.web.T(c, "workspace.live.message", "Author", m.Author))
		}
	}
	if known && prev.State != r.State {
		say = append(say, h.web.T(c, "workspace.live.state", "State", h.web.T(c, "state."+string(r.State))))
	}
	if !known || cur.Event > prev.Event || cur.Activity > prev.Activity {
		acts, err := h.svc.Activities(ctx, r.ID)
		if err != nil {
			return err
		}
		data["Timeline"], data["TimelineChanged"] = Timeline(events, acts), true
	}
	if known && cur.Version > prev.Version {
		docs, err := h.svc.DocumentsChangedAfter(ctx, r.ID, prev.Version)
		if err != nil {
			return err
		}
		var added, changed []Document
		for _, d := range docs {
			if len(d.Versions) > 0 && d.Versions[0].ID > prev.Version {
				added = append(added, d)
				say = append(say, h.web.T(c, "workspace.live.document", "Name", d.Name))
			} else {
				changed = append(changed, d)
			}
		}
		data["NewDocuments"], data["ChangedDocuments"] = added, changed
	}
	if known && (cur.Integration > prev.Integration || cur.Version > prev.Version || prev.State != r.State) {
		ints, err := h.requests.Integrations(ctx, r.ID)
		if err != nil {
			return err
		}
		var newInts, answered []*request.Integration
		for _, in := range pointers(ints) {
			switch {
			case in.ID > prev.Integration:
				newInts = append(newInts, in)
				say = append(say, h.web.T(c, "workspace.live.integration"))
			case !in.Open() && !in.AnsweredAt.Before(prev.Seen.Add(-liveOverlap)):
				answered = append(answered, in)
			}
		}
		choices, err := h.svc.DocumentChoices(ctx, r.ID)
		if err != nil {
			return err
		}
		data["Attachments"] = attachments(r.ID, choices)
		data["NewIntegrations"], data["AnsweredIntegrations"] = newInts, answered
	}
	s, obj := access.Of(c), request.ObjectOf(r)
	data["CanEnte"], data["CanWork"], data["CanExpert"] = s.Can(access.ActForEnte, obj), s.Can(access.WorkOnRequest, obj), s.Can(access.ExpertWork, obj)
	if known && prev.Caps != cur.Caps {
		data["Reload"] = true
		say = append(say, h.web.T(c, "workspace.live.reload"))
	}
	data["Announce"] = strings.Join(say, ". ")
	for k, v := range extra {
		data[k] = v
	}
	return h.web.Fragment(c, "workspace/live", data)
}

// liveOverlap is how far back a live update looks for edits and answers before the page's last
// update, so that clocks a little apart miss none (swapping one twice is harmless).
const liveOverlap = 5 * time.Second

// earlierMessages renders the messages before ?prima, in place of the "earlier messages" link
// with htmx, as the workspace page without it.
func (h *Handlers) earlierMessages(c *fiber.Ctx) error {
	r := request.From(c)
	if !web.IsHTMX(c) {
		return h.Page(c) // the workspace with the messages before ?prima
	}
	before, _ := strconv.ParseInt(c.Query("prima"), 10, 64)
	msgs, more, err := h.svc.MessagesBefore(c.UserContext(), r.ID, before, ThreadPage)
	if err != nil {
		return err
	}
	h.markEditable(c, r, msgs)
	data := fiber.Map{"Request": r, "Messages": msgs, "ThreadMore": more, "CSRF": h.web.CSRFToken(c)}
	if len(msgs) > 0 {
		data["FirstMessage"] = msgs[0].ID
	}
	return h.web.Fragment(c, "workspace/earlier_messages", data)
}

// earlierDocuments renders the documents before ?prima: appended to the list with htmx, as a page
// of their own without it.
func (h *Handlers) earlierDocuments(c *fiber.Ctx) error {
	r := request.From(c)
	before, _ := strconv.ParseInt(c.Query("prima"), 10, 64)
	docs, more, err := h.svc.DocumentsBefore(c.UserContext(), r.ID, before, DocumentsPage)
	if err != nil {
		return err
	}
	data := fiber.Map{"Request": r, "Documents": docs, "DocumentsMore": more}
	if len(docs) > 0 {
		data["LastDocument"] = docs[len(docs)-1].ID
	}
	if web.IsHTMX(c) {
		return h.web.Fragment(c, "workspace/earlier_documents", data)
	}
	data["Title"] = r.Title
	data["Crumbs"] = []map[string]string{{"URL": "/area-riservata/richieste", "Label": h.web.T(c, "requests.title")},
		{"URL": "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10), "Label": r.Title}}
	return h.web.Page(c, "workspace/documents_page", data)
}

// Page renders the workspace: the request, its state and experts, the latest messages, the newest
// documents and the timeline, with the forms the viewer may use.
func (h *Handlers) Page(c *fiber.Ctx) error {
	r := request.From(c)
	ctx := c.UserContext()
	data, err := h.view(c, r)
	if err != nil {
		return err
	}
	s, obj := access.Of(c), request.ObjectOf(r)
	states, shown := panels(r.State)
	page := fiber.Map{"Title": r.Title, "TitleLang": "it", "Topics": "request:" + strconv.FormatInt(r.ID, 10), "States": states, "Shown": shown,
		"CanWork": s.Can(access.WorkOnRequest, obj), "CanExpert": s.Can(access.ExpertWork, obj), "CanEnte": s.Can(access.ActForEnte, obj),
		"CanTriage": s.Can(access.TriageRequests, obj), "CanArchive": s.Can(access.ArchiveRequest, obj),
		"CanDraftArticle": h.review().Enabled() && s.Can(access.DraftArticle, obj),
		"Failure":         request.FailureOf(c), "Kinds": ActivityKinds, "Today": time.Now().Format("2006-01-02"),
		"Crumbs": []map[string]string{{"URL": "/area-riservata/richieste", "Label": h.web.T(c, "requests.title")}}}
	for k, v := range page {
		data[k] = v
	}
	if s.Can(access.AnswerOutcome, obj) { // the ente's link to its outcome's form, while asked
		outs, err := h.requests.Outcomes(ctx, r.ID)
		if err != nil {
			return err
		}
		pending := false
		for i := range outs {
			pending = pending || !outs[i].Answered()
		}
		data["Outcomes"], data["OutcomePending"] = outs, pending
	}
	if data["CanTriage"].(bool) {
		wl, err := h.requests.Workloads(ctx, r.TaskForce)
		if err != nil {
			return err
		}
		data["Workloads"] = wl
		assigned := map[int64]bool{}
		for _, e := range r.Experts {
			assigned[e.UserID] = true
		}
		data["Assigned"] = assigned
	}
	return h.web.Page(c, "workspace/page", data)
}

func (h *Handlers) isExpert(c *fiber.Ctx, r *request.Request) bool {
	return access.Of(c).Can(access.ExpertWork, request.ObjectOf(r))
}

// bindOnce makes the services of this request act once per form token (see package once).
func (h *Handlers) bindOnce(c *fiber.Ctx, kind string, url func(int64) string) error {
	ctx, err := once.Bind(c.UserContext(), c.FormValue(once.Field), access.Of(c).UserID, kind, url)
	if err != nil {
		return h.fail(c, fiber.StatusBadRequest, h.web.T(c, "once.bad"))
	}
	c.SetUserContext(ctx)
	return nil
}

// fail explains a refused form: next to the form that sent it for htmx (the fragment is swapped
// into the form's error box and announced), on the whole page otherwise.
func (h *Handlers) fail(c *fiber.Ctx, status int, msg string) error {
	if web.IsHTMX(c) {
		if status != fiber.StatusConflict && status != fiber.StatusTooManyRequests {
			status = fiber.StatusUnprocessableEntity // the statuses htmx is configured to swap
		}
		c.Status(status)
		return h.web.Fragment(c, "workspace/form_error", fiber.Map{"Form": formID(c.Get("HX-Target")), "Message": msg})
	}
	if _, err := h.requests.Load(c); err != nil { // the page as it is now
		return err
	}
	c.Status(status)
	c.Locals("request.failure", request.Failure{Message: msg})
	return h.Page(c)
}

// formID keeps a form's element id to letters, digits and dashes; "post-form" when none is given.
func formID(id string) string {
	if id == "" || len(id) > 40 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return "post-form"
	}
	return id
}

func (h *Handlers) post(c *fiber.Ctx) error {
	r := request.From(c)
	page := "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10)
	if err := h.bindOnce(c, "message", func(id int64) string { return page + "#messaggio-" + strconv.FormatInt(id, 10) }); err != nil {
		return err
	}
	var docID int64
	if fh, ferr := c.FormFile("file"); ferr == nil && fh.Size > 0 {
		src, done, err := OpenUpload(fh, h.svc.MaxFile)
		if err != nil {
			return h.failure(c, err)
		}
		defer done()
		if strings.TrimSpace(c.FormValue("body")) == "" {
			return h.fail(c, fiber.StatusUnprocessableEntity, h.web.T(c, "workspace.message.empty"))
		}
		doc, err := h.svc.UploadFrom(c.UserContext(), request.ActorOf(c), r, h.isExpert(c, r), 0, fh.Filename, src, false)
		if err != nil {
			return h.failure(c, err)
		}
		docID = doc.ID
	}
	m, err := h.svc.PostWith(c.UserContext(), request.ActorOf(c), r, h.isExpert(c, r), c.FormValue("body"), docID)
	var ferrs request.FieldErrors
	switch {
	case errors.As(err, &ferrs):
		return h.fail(c, fiber.StatusUnprocessableEntity, h.web.T(c, "workspace.message.empty"))
	case err != nil:
		return h.failure(c, err)
	}
	if web.IsHTMX(c) {
		r, err := h.requests.Get(c.UserContext(), r.ID) // the post may have started the work
		if err != nil {
			return err
		}
		return h.renderLive(c, r, fiber.Map{"Posted": true})
	}
	return c.Redirect("/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10)+"#messaggio-"+strconv.FormatInt(m.ID, 10), fiber.StatusSeeOther)
}

func (h *Handlers) upload(c *fiber.Ctx) error {
	r := request.From(c)
	page := "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10)
	if err := h.bindOnce(c, "document", func(id int64) string { return page + "#documento-" + strconv.FormatInt(id, 10) }); err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return h.fail(c, fiber.StatusUnprocessableEntity, h.web.T(c, "workspace.file.missing"))
	}
	src, done, err := OpenUpload(fh, h.svc.MaxFile)
	if err != nil {
		return h.failure(c, err)
	}
	defer done()
	docID, _ := strconv.ParseInt(c.FormValue("document"), 10, 64)
	_, err = h.svc.UploadFrom(c.UserContext(), request.ActorOf(c), r, h.isExpert(c, r), docID, fh.Filename, src, c.FormValue("deliverable") != "")
	if err != nil {
		return h.failure(c, err)
	}
	h.web.Flash(c, "workspace.done.documento")
	return c.Redirect("/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10)+"#documenti", fiber.StatusSeeOther)
}

func (h *Handlers) download(c *fiber.Ctx) error {
	r := request.From(c)
	vid, err := web.ID(c, "vid")
	if err != nil {
		return err
	}
	v, f, err := h.svc.Open(c.UserContext(), r.ID, vid)
	if err != nil {
		return err
	}
	return web.SendStored(c, f, v.ContentType, v.Filename, v.Size)
}

func (h *Handlers) activity(c *fiber.Ctx) error {
	r := request.From(c)
	page := "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10)
	if err := h.bindOnce(c, "activity", func(int64) string { return page + "#timeline" }); err != nil {
		return err
	}
	on, _ := time.Parse("2006-01-02", c.FormValue("on_date"))
	hours, _ := strconv.ParseFloat(strings.ReplaceAll(c.FormValue("hours"), ",", "."), 64)
	doc, _ := strconv.ParseInt(c.FormValue("document"), 10, 64)
	_, err := h.svc.LogActivity(c.UserContext(), request.ActorOf(c), r, Activity{Kind: c.FormValue("kind"), OnDate: on,
		Minutes: int(hours * 60), Description: c.FormValue("description"), DocumentID: doc})
	var ferrs request.FieldErrors
	switch {
	case errors.As(err, &ferrs):
		return h.fail(c, fiber.StatusUnprocessableEntity, h.web.T(c, "workspace.activity.invalid"))
	case err != nil:
		return h.failure(c, err)
	}
	h.web.Flash(c, "workspace.done.attivita")
	return c.Redirect("/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10)+"#timeline", fiber.StatusSeeOther)
}

// answer records the ente's answer to an integration, with the files attached to it.
func (h *Handlers) answer(c *fiber.Ctx) error {
	r := request.From(c)
	var files []File
	if form, ferr := c.MultipartForm(); ferr == nil {
		if len(form.File["files"]) > MaxAnswerFiles {
			return h.fail(c, fiber.StatusUnprocessableEntity, h.web.T(c, "workspace.answer.files.many", "Max", MaxAnswerFiles))
		}
		for _, fh := range form.File["files"] {
			if fh.Size == 0 && fh.Filename == "" {
				continue
			}
			src, done, err := OpenUpload(fh, h.svc.MaxFile)
			if err != nil {
				return h.failure(c, err)
			}
			defer done()
			files = append(files, File{Name: fh.Filename, Src: src})
		}
	}
	iid, err := web.ID(c, "iid")
	if err != nil {
		return err
	}
	err = h.svc.AnswerIntegration(c.UserContext(), request.ActorOf(c), r, iid, c.FormValue("answer"), files)
	var ferrs request.FieldErrors
	switch {
	case errors.As(err, &ferrs):
		return h.fail(c, fiber.StatusUnprocessableEntity, h.web.T(c, "field.answer")+": "+h.web.T(c, "validation.required"))
	case err != nil:
		return h.failure(c, err)
	}
	h.web.Flash(c, "workspace.done.rispondi")
	return c.Redirect("/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10)+"#integrazione-"+strconv.FormatInt(iid, 10), fiber.StatusSeeOther)
}

// MaxAnswerFiles is how many files an integration's answer may carry.
const MaxAnswerFiles = 10

// dossierPDF sends the request's fascicolo as a PDF.
func (h *Handlers) dossierPDF(c *fiber.Ctx) error {
	r := request.From(c)
	var buf bytes.Buffer
	if err := h.svc.DossierPDF(c.UserContext(), r, h.italian(), &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="fascicolo-`+strconv.FormatInt(r.ID, 10)+`.pdf"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(buf.Bytes())
}

// italian translates into Italian, the dossier's language.
func (h *Handlers) italian() Translate {
	return func(id string, args ...any) string { return h.web.I18n.T("it", id, args...) }
}

// dossier sends the request's fascicolo as a ZIP.
func (h *Handlers) dossier(c *fiber.Ctx) error {
	r := request.From(c)
	write, err := h.svc.DossierStream(c.UserContext(), r, h.italian())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/zip")
	web.Attachment(c, "fascicolo-"+strconv.FormatInt(r.ID, 10)+".zip")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	h.web.StreamBody(c, write)
	return nil
}

// edit changes the viewer's own message within the edit window; the message shows it was edited.
func (h *Handlers) edit(c *fiber.Ctx) error {
	r := request.From(c)
	mid, err := web.ID(c, "mid")
	if err != nil {
		return err
	}
	_, err = h.svc.Edit(c.UserContext(), request.ActorOf(c), r.ID, mid, c.FormValue("body"))
	var ferrs request.FieldErrors
	switch {
	case errors.As(err, &ferrs):
		return h.fail(c, fiber.StatusUnprocessableEntity, h.web.T(c, "workspace.message.empty"))
	case err != nil:
		return h.failure(c, err)
	}
	return c.Redirect("/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10)+"#messaggio-"+c.Params("mid"), fiber.StatusSeeOther)
}

// OpenUpload opens an uploaded file where the server keeps it (in memory when small, in a
// temporary file when large) without copying it, refusing one larger than max without reading it.
// done closes it.
func OpenUpload(fh *multipart.FileHeader, max int64) (src *io.SectionReader, done func(), err error) {
	if fh.Size > max {
		return nil, nil, ErrTooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return nil, nil, err
	}
	return io.NewSectionReader(f, 0, fh.Size), func() { f.Close() }, nil
}

// failure explains a refused form with the message errorStatus gives err; an error the table
// does not name is returned as it is (a 404, a 503, a 500 page).
func (h *Handlers) failure(c *fiber.Ctx, err error) error {
	if st, ok := h.errorStatus().Of(err); ok {
		return h.fail(c, st.Code, h.web.T(c, st.Message, st.Args...))
	}
	return err
}

// AttachAtFiling stores the file sent with the filing form, if any, as the request's first
// document; it reports false when the file was refused (the request stays filed).
func (h *Handlers) AttachAtFiling(c *fiber.Ctx, r *request.Request) bool {
	fh, err := c.FormFile("attachment")
	if err != nil || fh.Size == 0 {
		return true
	}
	src, done, err := OpenUpload(fh, h.svc.MaxFile)
	if err == nil {
		defer done()
		_, err = h.svc.UploadFrom(c.UserContext(), request.ActorOf(c), r, false, 0, fh.Filename, src, false)
	}
	return err == nil
}

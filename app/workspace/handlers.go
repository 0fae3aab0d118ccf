package workspace

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/request"
	"passhub/app/web"
)

// Handlers serve a request's workspace page and its content.
type Handlers struct {
	web      *web.Server
	svc      *Service
	requests *request.Service
}

// NewHandlers returns the workspace handlers.
func NewHandlers(w *web.Server, svc *Service, requests *request.Service) *Handlers {
	return &Handlers{web: w, svc: svc, requests: requests}
}

// Mount registers the workspace routes on the reserved router.
func (h *Handlers) Mount(r fiber.Router) {
	r.Get("/area-riservata/richieste/:id", access.Require(access.ViewReservedArea, nil), h.Page)
	r.Post("/area-riservata/richieste/:id/messaggi", access.Require(access.ViewReservedArea, nil), h.post)
	r.Post("/area-riservata/richieste/:id/messaggi/:mid", access.Require(access.ViewReservedArea, nil), h.edit)
	r.Post("/area-riservata/richieste/:id/documenti", access.Require(access.ViewReservedArea, nil), h.upload)
	r.Get("/area-riservata/richieste/:id/documenti/:vid", access.Require(access.ViewReservedArea, nil), h.download)
	r.Post("/area-riservata/richieste/:id/attivita", access.Require(access.ViewReservedArea, nil), h.activity)
	r.Get("/area-riservata/richieste/:id/fascicolo", access.Require(access.ViewReservedArea, nil), h.dossier)
	r.Get("/area-riservata/richieste/:id/aggiornamenti", access.Require(access.ViewReservedArea, nil), h.live)
}

// Entry is one line of the timeline: a state change or an activity.
type Entry struct {
	At       time.Time
	Event    *request.Event
	Activity *Activity
}

// view loads what the workspace shows of a request.
func (h *Handlers) view(c *fiber.Ctx, r *request.Request) (fiber.Map, error) {
	ctx := c.UserContext()
	msgs, err := h.svc.Messages(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	if access.Of(c).Can(access.WorkOnRequest, request.ObjectOf(r)) {
		h.svc.MarkEditable(msgs, access.Of(c).UserID)
	}
	acts, err := h.svc.Activities(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	events, err := h.requests.Timeline(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	var timeline []Entry
	for i := range events {
		timeline = append(timeline, Entry{At: events[i].At, Event: &events[i]})
	}
	for i := range acts {
		timeline = append(timeline, Entry{At: acts[i].OnDate, Activity: &acts[i]})
	}
	sort.SliceStable(timeline, func(i, j int) bool { return timeline[i].At.Before(timeline[j].At) })
	docs, err := h.svc.Documents(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	return fiber.Map{"Request": r, "Messages": msgs, "Timeline": timeline, "Documents": docs, "CSRF": h.web.CSRFToken(c)}, nil
}

// live renders what a push asks for: the thread, the state and the timeline, swapped in place.
func (h *Handlers) live(c *fiber.Ctx) error {
	r, err := h.requests.Load(c)
	if err != nil {
		return err
	}
	data, err := h.view(c, r)
	if err != nil {
		return err
	}
	return h.web.Fragment(c, "workspace/live", data)
}

// Page renders the workspace: the request, its state and experts, the thread, the documents and
// the timeline, with the forms the viewer may use.
func (h *Handlers) Page(c *fiber.Ctx) error {
	r, err := h.requests.Load(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	data, err := h.view(c, r)
	if err != nil {
		return err
	}
	ints, err := h.requests.Integrations(ctx, r.ID)
	if err != nil {
		return err
	}
	s, obj := access.Of(c), request.ObjectOf(r)
	page := fiber.Map{"Title": r.Title, "TitleLang": "it", "Topics": "request:" + strconv.FormatInt(r.ID, 10), "Integrations": ints,
		"CanWork":   s.Can(access.WorkOnRequest, obj) && (r.State.Open() || r.State == request.Submitted),
		"CanExpert": s.Can(access.ExpertWork, obj) && r.State.Open(), "CanEnte": s.Can(access.ActForEnte, obj),
		"CanTriage": s.Can(access.TriageRequests, obj), "CanArchive": s.Can(access.ArchiveRequest, obj) && r.State == request.Concluded,
		"Failure": request.FailureOf(c), "Done": c.Query("fatto"), "Kinds": ActivityKinds, "Today": time.Now().Format("2006-01-02"),
		"Crumbs": []map[string]string{{"URL": "/area-riservata/richieste", "Label": h.web.T(c, "requests.title")}}}
	for k, v := range page {
		data[k] = v
	}
	if data["CanTriage"].(bool) && (r.State == request.Submitted || r.State.Open()) {
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

func (h *Handlers) fail(c *fiber.Ctx, status int, msg string) error {
	c.Status(status)
	c.Locals("request.failure", request.Failure{Message: msg})
	return h.Page(c)
}

func (h *Handlers) post(c *fiber.Ctx) error {
	r, err := h.requests.Load(c)
	if err != nil {
		return err
	}
	if !access.Of(c).Can(access.WorkOnRequest, request.ObjectOf(r)) {
		return fiber.ErrForbidden
	}
	var docID int64
	if fh, ferr := c.FormFile("file"); ferr == nil && fh.Size > 0 {
		data, err := readUpload(fh, h.svc.MaxFile)
		if err != nil {
			return h.uploadFailure(c, err)
		}
		if strings.TrimSpace(c.FormValue("body")) == "" {
			return h.fail(c, fiber.StatusUnprocessableEntity, h.web.T(c, "workspace.message.empty"))
		}
		doc, err := h.svc.Upload(c.UserContext(), request.ActorOf(c), r, h.isExpert(c, r), 0, fh.Filename, data, false)
		if err != nil {
			return h.uploadFailure(c, err)
		}
		docID = doc.ID
	}
	m, err := h.svc.PostWith(c.UserContext(), request.ActorOf(c), r, h.isExpert(c, r), c.FormValue("body"), docID)
	var ferrs request.FieldErrors
	switch {
	case errors.As(err, &ferrs):
		return h.fail(c, fiber.StatusUnprocessableEntity, h.web.T(c, "workspace.message.empty"))
	case errors.Is(err, ErrClosed):
		return h.fail(c, fiber.StatusConflict, h.web.T(c, "workspace.closed"))
	case err != nil:
		return err
	}
	if web.IsHTMX(c) {
		m.Editable = true
		return h.web.Fragment(c, "workspace/message", fiber.Map{"Message": m, "RequestID": r.ID, "CSRF": h.web.CSRFToken(c)})
	}
	return c.Redirect("/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10)+"#messaggio-"+strconv.FormatInt(m.ID, 10), fiber.StatusSeeOther)
}

func (h *Handlers) upload(c *fiber.Ctx) error {
	r, err := h.requests.Load(c)
	if err != nil {
		return err
	}
	if !access.Of(c).Can(access.WorkOnRequest, request.ObjectOf(r)) {
		return fiber.ErrForbidden
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return h.fail(c, fiber.StatusUnprocessableEntity, h.web.T(c, "workspace.file.missing"))
	}
	data, err := readUpload(fh, h.svc.MaxFile)
	if err != nil {
		return h.uploadFailure(c, err)
	}
	docID, _ := strconv.ParseInt(c.FormValue("document"), 10, 64)
	_, err = h.svc.Upload(c.UserContext(), request.ActorOf(c), r, h.isExpert(c, r), docID, fh.Filename, data, c.FormValue("deliverable") != "")
	if err != nil {
		return h.uploadFailure(c, err)
	}
	return c.Redirect("/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10)+"?fatto=documento#documenti", fiber.StatusSeeOther)
}

func (h *Handlers) download(c *fiber.Ctx) error {
	r, err := h.requests.Load(c)
	if err != nil {
		return err
	}
	v, f, err := h.svc.Open(c.UserContext(), r.ID, request.IDParam(c, "vid"))
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, v.ContentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+strings.ReplaceAll(v.Filename, `"`, "")+`"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(data)
}

func (h *Handlers) activity(c *fiber.Ctx) error {
	r, err := h.requests.Load(c)
	if err != nil {
		return err
	}
	if !access.Of(c).Can(access.ExpertWork, request.ObjectOf(r)) {
		return fiber.ErrForbidden
	}
	on, _ := time.Parse("2006-01-02", c.FormValue("on_date"))
	hours, _ := strconv.ParseFloat(strings.ReplaceAll(c.FormValue("hours"), ",", "."), 64)
	doc, _ := strconv.ParseInt(c.FormValue("document"), 10, 64)
	_, err = h.svc.LogActivity(c.UserContext(), request.ActorOf(c), r, Activity{Kind: c.FormValue("kind"), OnDate: on,
		Minutes: int(hours * 60), Description: c.FormValue("description"), DocumentID: doc})
	var ferrs request.FieldErrors
	switch {
	case errors.As(err, &ferrs):
		return h.fail(c, fiber.StatusUnprocessableEntity, h.web.T(c, "workspace.activity.invalid"))
	case errors.Is(err, ErrClosed):
		return h.fail(c, fiber.StatusConflict, h.web.T(c, "workspace.closed"))
	case err != nil:
		return err
	}
	return c.Redirect("/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10)+"?fatto=attivita#timeline", fiber.StatusSeeOther)
}

// dossier sends the request's fascicolo as a ZIP.
func (h *Handlers) dossier(c *fiber.Ctx) error {
	r, err := h.requests.Load(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := h.svc.Dossier(c.UserContext(), r, &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="fascicolo-`+strconv.FormatInt(r.ID, 10)+`.zip"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(buf.Bytes())
}

// edit changes the viewer's own message within the edit window; the message shows it was edited.
func (h *Handlers) edit(c *fiber.Ctx) error {
	r, err := h.requests.Load(c)
	if err != nil {
		return err
	}
	if !access.Of(c).Can(access.WorkOnRequest, request.ObjectOf(r)) {
		return fiber.ErrForbidden
	}
	_, err = h.svc.Edit(c.UserContext(), request.ActorOf(c), r.ID, request.IDParam(c, "mid"), c.FormValue("body"))
	var ferrs request.FieldErrors
	switch {
	case errors.As(err, &ferrs):
		return h.fail(c, fiber.StatusUnprocessableEntity, h.web.T(c, "workspace.message.empty"))
	case errors.Is(err, ErrEditWindow), errors.Is(err, ErrNotAuthor):
		return h.fail(c, fiber.StatusConflict, h.web.T(c, "workspace.message.locked"))
	case err != nil:
		return err
	}
	return c.Redirect("/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10)+"#messaggio-"+c.Params("mid"), fiber.StatusSeeOther)
}

// readUpload reads an uploaded file, refusing one larger than max without reading it.
func readUpload(fh *multipart.FileHeader, max int64) ([]byte, error) {
	if fh.Size > max {
		return nil, ErrTooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, ErrTooLarge
	}
	return data, nil
}

// uploadFailure explains a refused upload on the workspace page.
func (h *Handlers) uploadFailure(c *fiber.Ctx, err error) error {
	switch {
	case errors.Is(err, ErrTooLarge):
		return h.fail(c, fiber.StatusRequestEntityTooLarge, h.web.T(c, "workspace.file.large", "Max", h.svc.MaxFile>>20))
	case errors.Is(err, ErrFileType), errors.Is(err, ErrEmptyFile):
		return h.fail(c, fiber.StatusUnprocessableEntity, h.web.T(c, "workspace.file.type"))
	case errors.Is(err, ErrMismatch):
		return h.fail(c, fiber.StatusUnprocessableEntity, h.web.T(c, "workspace.file.mismatch"))
	case errors.Is(err, ErrQuota):
		return h.fail(c, fiber.StatusUnprocessableEntity, h.web.T(c, "workspace.file.quota"))
	case errors.Is(err, ErrClosed):
		return h.fail(c, fiber.StatusConflict, h.web.T(c, "workspace.closed"))
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
	data, err := readUpload(fh, h.svc.MaxFile)
	if err == nil {
		_, err = h.svc.Upload(c.UserContext(), request.ActorOf(c), r, false, 0, fh.Filename, data, false)
	}
	return err == nil
}

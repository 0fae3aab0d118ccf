package request

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/catalogue"
	"passhub/app/db"
	"passhub/app/once"
	"passhub/app/web"
)

// Handlers serve the lists, the filing form, the PM's triage, the lifecycle's actions and the
// admins' list of untriaged requests.
type Handlers struct {
	web       *web.Server
	svc       *Service
	catalogue *catalogue.Service
	withPM    func(ctx context.Context, taskForce string) (bool, error)
	workspace Workspace
}

// Workspace is what the request handlers need of the workspace's: its page, where a refused action
// is explained, and storing the files sent with the filing form as the request's first documents
// (false when one was refused).
type Workspace interface {
	Page(c *fiber.Ctx) error
	AttachAtFiling(c *fiber.Ctx, r *Request) bool
}

// NewHandlers returns the request handlers; withPM tells which task forces have a project manager.
func NewHandlers(w *web.Server, svc *Service, cat *catalogue.Service, withPM func(ctx context.Context, taskForce string) (bool, error), ws Workspace) *Handlers {
	return &Handlers{web: w, svc: svc, catalogue: cat, withPM: withPM, workspace: ws}
}

// errorStatus is how the request handlers answer the errors of the lifecycle.
var errorStatus = web.Errors{
	ErrStale:        {Code: fiber.StatusConflict, Message: "request.stale"},
	ErrNotExpert:    {Code: fiber.StatusUnprocessableEntity, Message: "triage.experts"},
	ErrNoExperts:    {Code: fiber.StatusUnprocessableEntity, Message: "triage.experts"},
	ErrNotAccepting: {Code: fiber.StatusUnprocessableEntity, Message: "request.procedure.closed", Field: "procedure"},
}

// Routes are the request routes of the /area-riservata/richieste tree, which
// workspace.Handlers.Mount mounts with the workspace's in one place. A request's routes load and
// authorise their request before the handler (Service.Require), which reads it with From.
func (h *Handlers) Routes() []web.Route {
	reserved := access.Require(access.ViewReservedArea, nil)
	route := func(method, path string, handlers ...fiber.Handler) web.Route {
		return web.Route{Method: method, Path: path, Handlers: handlers}
	}
	return []web.Route{
		route("GET", "/area-riservata/richieste", reserved, h.list),
		route("GET", "/area-riservata/richieste/nuova", reserved, h.newForm),
		route("POST", "/area-riservata/richieste/nuova", reserved, h.file),
		route("GET", "/area-riservata/triage", reserved, h.triage),
		route("GET", "/area-riservata/richieste/:id/azioni/:action", reserved, h.svc.Require(access.ViewRequest), h.requireAction, h.confirm),
		route("POST", "/area-riservata/richieste/:id/azioni/:action", reserved, h.svc.Require(access.ViewRequest), h.requireAction, h.act),
		route("GET", "/area-riservata/richieste/:id/esito", reserved, h.svc.requireOutcome, h.outcomePage),
		route("POST", "/area-riservata/richieste/:id/esito", reserved, h.svc.requireOutcome, h.answerOutcome),
		route("GET", "/admin/richieste-senza-pm", access.Require(access.ViewUntriaged, nil), h.untriaged),
	}
}

// IDParam reads a numeric route parameter (0 when it is not one).
func IDParam(c *fiber.Ctx, name string) int64 { return web.IDOrZero(c, name) }

// ObjectOf is the access object of a request.
func ObjectOf(r *Request) access.Object {
	return access.Object{EnteID: r.EnteID, TaskForce: r.TaskForce, Experts: r.ExpertIDs(), Draft: r.Draft()}
}

// Load returns the request of the route's :id when the subject may see it, and keeps it for From;
// one that does not exist or that the subject may not see is db.ErrNotFound alike, so a request's
// existence never leaks. Any other error (the database did not answer) is returned as it is,
// never as a 404.
func (s *Service) Load(c *fiber.Ctx) (*Request, error) {
	r, err := s.Get(c.UserContext(), IDParam(c, "id"))
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	if err != nil || !access.Of(c).Can(access.ViewRequest, ObjectOf(r)) {
		return nil, db.ErrNotFound
	}
	c.Locals(loadedKey{}, r)
	return r, nil
}

type loadedKey struct{}

// Require loads and authorises the object of a request's route before its handler, which reads it
// with From: the request of :id (a 404 when it does not exist or the subject may not see it, see
// Load), on which the subject must be allowed action (a 403 otherwise).
func (s *Service) Require(action access.Action) fiber.Handler {
	return func(c *fiber.Ctx) error {
		r, err := s.Load(c)
		if err != nil {
			return err
		}
		if !access.Of(c).Can(action, ObjectOf(r)) {
			return fiber.ErrForbidden
		}
		return c.Next()
	}
}

// From is the request the route's Require (or the last Load) loaded; nil when none.
func From(c *fiber.Ctx) *Request {
	r, _ := c.Locals(loadedKey{}).(*Request)
	return r
}

// ActorOf is the request's subject as an actor.
func ActorOf(c *fiber.Ctx) Actor { return Actor(web.ActorOf(c)) }

// visible is the filter of the requests the subject may see: its access scope, the same rule as
// access.ViewRequest (staff never list an ente's drafts; a delegate who is also a PM lists both).
func visible(s *access.Subject) (Filter, bool) {
	sc := s.Scope()
	return Filter{Scope: &sc}, !sc.Empty()
}

func (h *Handlers) list(c *fiber.Ctx) error {
	f, ok := visible(access.Of(c))
	if !ok {
		return h.web.Page(c, "request/list", fiber.Map{"Title": h.web.T(c, "requests.title")})
	}
	if st := c.Query("stato"); st != "" {
		f.States = []State{State(st)}
	}
	f.Limit = 200
	list, total, err := h.svc.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	return h.web.Page(c, "request/list", fiber.Map{"Title": h.web.T(c, "requests.title"), "Requests": list, "Total": total,
		"States": States, "State": c.Query("stato"), "CanFile": len(entiOf(access.Of(c))) > 0})
}

// entiOf lists the enti the subject may file for.
func entiOf(s *access.Subject) []int64 {
	var out []int64
	for _, m := range s.Memberships {
		if m.Enabled && m.Approved {
			out = append(out, m.EnteID)
		}
	}
	return out
}

func (h *Handlers) newForm(c *fiber.Ctx) error { return h.renderNew(c, Form{}, nil, "") }

func (h *Handlers) renderNew(c *fiber.Ctx, f Form, errs map[string]string, alert string) error {
	enti := entiOf(access.Of(c))
	if len(enti) == 0 {
		return fiber.ErrForbidden
	}
	h.web.CSRFToken(c)
	tfs, err := h.catalogue.Catalogue(c.UserContext())
	if err != nil {
		return err
	}
	if f.ProcedureCode == "" {
		f.ProcedureCode = c.Query("procedura")
	}
	return h.web.Page(c, "request/new", fiber.Map{"Title": h.web.T(c, "requests.new"), "TaskForces": tfs, "Form": f,
		"Errors": errs, "Alert": alert, "Once": formOnce(c), "Crumbs": []map[string]string{{"URL": "/area-riservata/richieste", "Label": h.web.T(c, "requests.title")}}})
}

func (h *Handlers) file(c *fiber.Ctx) error {
	enti := entiOf(access.Of(c))
	if len(enti) == 0 {
		return fiber.ErrForbidden
	}
	enteID := enti[0]
	if id, _ := strconv.ParseInt(c.FormValue("ente_id"), 10, 64); id != 0 {
		if !access.Of(c).Can(access.FileRequests, access.Object{EnteID: id}) {
			return fiber.ErrForbidden
		}
		enteID = id
	}
	ctx, err := once.Bind(c.UserContext(), c.FormValue(once.Field), access.Of(c).UserID, "request",
		func(id int64) string { return "/area-riservata/richieste/" + strconv.FormatInt(id, 10) })
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, h.web.T(c, "once.bad"))
	}
	c.SetUserContext(ctx)
	num := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(c.FormValue(name)))
		if err != nil && c.FormValue(name) != "" {
			return -1
		}
		return n
	}
	f := Form{ProcedureCode: c.FormValue("procedure"), Title: c.FormValue("title"), Description: c.FormValue("description"),
		BacklogPending: num("backlog_pending"), BacklogAvgDays: num("backlog_avg_days"), Bottleneck: c.FormValue("bottleneck"),
		DesiredOutcome: c.FormValue("desired_outcome")}
	r, err := h.svc.File(c.UserContext(), ActorOf(c), enteID, f, c.FormValue("draft") == "")
	var ferrs FieldErrors
	switch {
	case errors.As(err, &ferrs):
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderNew(c, f, h.web.Messages(c, ferrs), h.web.T(c, "form.errors"))
	case err != nil:
		if st, ok := errorStatus.Of(err); ok && st.Field != "" {
			c.Status(st.Code)
			return h.renderNew(c, f, map[string]string{st.Field: h.web.T(c, st.Message, st.Args...)}, h.web.T(c, "form.errors"))
		}
		return err
	}
	if !h.workspace.AttachAtFiling(c, r) { // the request is filed; its page says the file was refused
		h.web.FlashWarning(c, "workspace.done.allegato-rifiutato")
	} else if r.State == Draft {
		h.web.Flash(c, "requests.flash.draft")
	} else {
		h.web.Flash(c, "workspace.done.invia")
	}
	return c.Redirect("/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10), fiber.StatusSeeOther)
}

func (h *Handlers) triage(c *fiber.Ctx) error {
	s := access.Of(c)
	tfs := s.Roles[access.RolePM]
	if len(tfs) == 0 {
		return fiber.ErrForbidden
	}
	tf := c.Query("tf", tfs[0])
	if !s.Can(access.TriageRequests, access.Object{TaskForce: tf}) {
		return fiber.ErrForbidden
	}
	sc := s.Scope()
	f := Filter{Scope: &sc, TaskForces: []string{tf}, States: []State{Submitted}, Submitted: true, Province: strings.ToUpper(c.Query("provincia")), Limit: 200}
	state := Submitted // what the queue lists, and so what its filter shows selected
	for _, st := range TriageStates {
		if string(st) == c.Query("stato") {
			state = st
		}
	}
	f.States = []State{state}
	if p, err := strconv.ParseInt(c.Query("procedura"), 10, 64); err == nil {
		f.ProcedureID = p
	}
	f.EnteName = strings.TrimSpace(c.Query("ente"))
	if d, err := strconv.Atoi(c.Query("giorni")); err == nil && d > 0 {
		f.OlderThan = time.Duration(d) * 24 * time.Hour
	}
	list, total, err := h.svc.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	counts, err := h.svc.Counts(c.UserContext(), Filter{Scope: &sc, TaskForces: []string{tf}, Submitted: true, Province: f.Province, ProcedureID: f.ProcedureID,
		OlderThan: f.OlderThan, EnteName: f.EnteName})
	if err != nil {
		return err
	}
	wl, err := h.svc.Workloads(c.UserContext(), tf)
	if err != nil {
		return err
	}
	var procs []*catalogue.Procedure
	if all, err := h.catalogue.Catalogue(c.UserContext()); err == nil {
		for _, t := range all {
			if t.Code == tf {
				procs = t.Procedures
			}
		}
	}
	return h.web.Page(c, "request/triage", fiber.Map{"Procedures": procs, "Title": h.web.T(c, "triage.title"), "Requests": list, "Total": total,
		"Counts": counts, "States": TriageStates, "State": state, "TaskForce": tf, "TaskForces": tfs, "Workloads": wl, "Filter": f,
		"Query": map[string]string{"stato": c.Query("stato"), "provincia": c.Query("provincia"), "giorni": c.Query("giorni"),
			"ente": c.Query("ente"), "procedura": c.Query("procedura")}})
}

// need is the permission each action of the lifecycle asks for.
var need = map[string]access.Action{"invia": access.ActForEnte, "ritira": access.ActForEnte, "rispondi": access.ActForEnte,
	"respingi": access.TriageRequests, "assegna": access.TriageRequests, "integrazione": access.ExpertWork,
	"concludi": access.ExpertWork, "archivia": access.ArchiveRequest}

// irreversible are the actions that cannot be undone: each asks for confirmation first, and the
// field the confirmation page asks for ("" when none).
var irreversible = map[string]string{"ritira": "", "concludi": "summary", "respingi": "reason"}

// requireAction checks the route's action on the request its Require loaded: a 404 for an action
// the lifecycle does not have, a 403 for one the subject may not do.
func (h *Handlers) requireAction(c *fiber.Ctx) error {
	action, ok := need[c.Params("action")]
	if !ok {
		return fiber.ErrNotFound
	}
	if !access.Of(c).Can(action, ObjectOf(From(c))) {
		return fiber.ErrForbidden
	}
	return c.Next()
}

// confirm shows what an irreversible action will do, with the button that does it.
func (h *Handlers) confirm(c *fiber.Ctx) error {
	r := From(c)
	if _, ok := irreversible[c.Params("action")]; !ok {
		return fiber.ErrNotFound
	}
	return h.renderConfirm(c, r, "", "")
}

func (h *Handlers) renderConfirm(c *fiber.Ctx, r *Request, value, problem string) error {
	action := c.Params("action")
	page := "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10)
	p := web.Confirmation{Title: h.web.T(c, "confirm.request."+action+".title"), Subject: r.Title,
		Action: page + "/azioni/" + action, Submit: h.web.T(c, "confirm.request."+action+".submit"), Cancel: page, Danger: true,
		Crumbs: []map[string]string{{"URL": "/area-riservata/richieste", "Label": h.web.T(c, "requests.title")}, {"URL": page, "Label": r.Title}}}
	for i := 1; i <= 3; i++ {
		if id := "confirm.request." + action + "." + strconv.Itoa(i); h.web.I18n.Has(id) {
			p.Consequences = append(p.Consequences, h.web.T(c, id))
		}
	}
	if name := irreversible[action]; name != "" {
		p.Field = &web.ConfirmField{Name: name, Label: h.web.T(c, "confirm.request."+action+".field"), Value: value, Error: problem, MaxLength: 5000}
	}
	return h.web.Confirm(c, p)
}

// TriageStates are the states a project manager's queue can list: every state but the ente's
// drafts, which are not submitted yet.
var TriageStates = func() []State {
	var out []State
	for _, s := range States {
		if s != Draft {
			out = append(out, s)
		}
	}
	return out
}()

// untriaged is the admins' list of the requests no one can triage: submitted to a task force that
// has no project manager.
func (h *Handlers) untriaged(c *fiber.Ctx) error {
	tfs, err := h.catalogue.Catalogue(c.UserContext())
	if err != nil {
		return err
	}
	var orphans []*catalogue.TaskForce
	f := Filter{States: []State{Submitted}, Limit: 200}
	for _, tf := range tfs {
		has, err := h.withPM(c.UserContext(), tf.Code)
		if err != nil {
			return err
		}
		if !has {
			orphans = append(orphans, tf)
			f.TaskForces = append(f.TaskForces, tf.Code)
		}
	}
	var list []Request
	total := 0
	if len(f.TaskForces) > 0 { // an empty filter would list every task force's requests
		if list, total, err = h.svc.List(c.UserContext(), f); err != nil {
			return err
		}
	}
	return h.web.Page(c, "request/untriaged", fiber.Map{"Title": h.web.T(c, "untriaged.title"), "Requests": list, "Total": total, "Orphans": orphans})
}

// act runs one transition of the lifecycle chosen by the route's :action; an irreversible one
// only from its confirmation page.
func (h *Handlers) act(c *fiber.Ctx) error {
	r := From(c)
	who := ActorOf(c)
	if _, ok := irreversible[c.Params("action")]; ok && !web.Confirmed(c) {
		return c.Redirect("/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10)+"/azioni/"+c.Params("action"), fiber.StatusSeeOther)
	}
	done := "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10)
	ctx, err := once.Bind(c.UserContext(), c.FormValue(once.Field), who.UserID, "transition", func(int64) string { return done })
	if err != nil {
		return h.back(c, r, "error", h.web.T(c, "once.bad"), fiber.StatusBadRequest)
	}
	c.SetUserContext(ctx)
	switch c.Params("action") {
	case "invia":
		_, err = h.svc.Submit(c.UserContext(), who, r.ID)
	case "ritira":
		_, err = h.svc.Withdraw(c.UserContext(), who, r.ID)
	case "respingi":
		_, err = h.svc.Reject(c.UserContext(), who, r.ID, c.FormValue("reason"))
	case "assegna":
		var ids []int64
		for _, v := range multi(c, "experts") {
			if id, perr := strconv.ParseInt(v, 10, 64); perr == nil {
				ids = append(ids, id)
			}
		}
		_, err = h.svc.Assign(c.UserContext(), who, r.ID, ids)
	case "integrazione":
		due, _ := time.Parse("2006-01-02", c.FormValue("due"))
		_, err = h.svc.AskIntegration(c.UserContext(), who, r.ID, strings.Split(c.FormValue("items"), "\n"), c.FormValue("note"), due)
	case "rispondi":
		iid, _ := strconv.ParseInt(c.FormValue("integration"), 10, 64)
		_, err = h.svc.AnswerIntegration(c.UserContext(), who, r.ID, iid, c.FormValue("answer"))
	case "concludi":
		_, err = h.svc.Conclude(c.UserContext(), who, r.ID, c.FormValue("summary"))
	case "archivia":
		_, err = h.svc.Archive(c.UserContext(), who, r.ID)
	}
	var ferrs FieldErrors
	if name := irreversible[c.Params("action")]; name != "" && errors.As(err, &ferrs) && ferrs[name] != "" {
		c.Status(fiber.StatusUnprocessableEntity) // the confirmation page again, with what was typed
		return h.renderConfirm(c, r, c.FormValue(name), h.web.T(c, ferrs[name]))
	}
	switch {
	case errors.As(err, &ferrs):
		return h.back(c, r, "error", firstMessage(h, c, ferrs), fiber.StatusUnprocessableEntity)
	case err != nil:
		if st, ok := errorStatus.Of(err); ok {
			return h.back(c, r, "error", h.web.T(c, st.Message, st.Args...), st.Code)
		}
		return err
	}
	h.web.Flash(c, "workspace.done."+c.Params("action"))
	return c.Redirect("/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10), fiber.StatusSeeOther)
}

func multi(c *fiber.Ctx, name string) []string {
	var out []string
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if string(k) == name {
			out = append(out, string(v))
		}
	})
	return out
}

func firstMessage(h *Handlers, c *fiber.Ctx, errs FieldErrors) string {
	for field, id := range errs {
		return h.web.T(c, "field."+field) + ": " + h.web.T(c, id)
	}
	return ""
}

// Failure is an action's refusal shown on the workspace page.
type Failure struct{ Message string }

// FailureOf returns the refusal of the action that led to this page, if any.
func FailureOf(c *fiber.Ctx) string {
	f, _ := c.Locals("request.failure").(Failure)
	return f.Message
}

// back shows the workspace again, as it is now, with the reason the action was refused.
func (h *Handlers) back(c *fiber.Ctx, _ *Request, _ string, msg string, status int) error {
	if _, err := h.svc.Load(c); err != nil {
		return err
	}
	c.Status(status)
	c.Locals("request.failure", Failure{Message: msg})
	return h.workspace.Page(c)
}

// formOnce keeps the one-time token of a form shown again after an error, or makes a new one.
func formOnce(c *fiber.Ctx) string {
	if t := c.FormValue(once.Field); t != "" && c.Method() == fiber.MethodPost {
		return t
	}
	return once.NewToken()
}

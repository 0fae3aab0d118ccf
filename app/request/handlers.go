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

// Handlers serve the lists, the filing form, the PM's triage and the lifecycle's actions.
type Handlers struct {
	web       *web.Server
	svc       *Service
	catalogue *catalogue.Service
	show      fiber.Handler
	attach    func(c *fiber.Ctx, r *Request) bool
}

// Mount registers the request routes on the reserved router; show renders the workspace page,
// where a refused action is explained.
// attach stores the files sent with the filing form as the request's first documents.
func Mount(r fiber.Router, w *web.Server, svc *Service, cat *catalogue.Service, show fiber.Handler, attach func(*fiber.Ctx, *Request) bool) {
	h := &Handlers{web: w, svc: svc, catalogue: cat, show: show, attach: attach}
	r.Get("/area-riservata/richieste", access.Require(access.ViewReservedArea, nil), h.list)
	r.Get("/area-riservata/richieste/nuova", access.Require(access.ViewReservedArea, nil), h.newForm)
	r.Post("/area-riservata/richieste/nuova", access.Require(access.ViewReservedArea, nil), h.file)
	r.Get("/area-riservata/triage", access.Require(access.ViewReservedArea, nil), h.triage)
	r.Get("/area-riservata/richieste/:id/azioni/:action", access.Require(access.ViewReservedArea, nil), h.confirm)
	r.Post("/area-riservata/richieste/:id/azioni/:action", access.Require(access.ViewReservedArea, nil), h.act)
}

// IDParam reads a numeric route parameter (0 when it is not one).
func IDParam(c *fiber.Ctx, name string) int64 {
	n, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// ObjectOf is the access object of a request.
func ObjectOf(r *Request) access.Object {
	return access.Object{EnteID: r.EnteID, TaskForce: r.TaskForce, Experts: r.ExpertIDs(), Draft: r.Draft()}
}

// Load returns the request of the route's :id when the subject may see it; one that does not
// exist or that the subject may not see is db.ErrNotFound alike, so a request's existence never
// leaks. Any other error (the database did not answer) is returned as it is, never as a 404.
func (s *Service) Load(c *fiber.Ctx) (*Request, error) {
	r, err := s.Get(c.UserContext(), IDParam(c, "id"))
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	if err != nil || !access.Of(c).Can(access.ViewRequest, ObjectOf(r)) {
		return nil, db.ErrNotFound
	}
	return r, nil
}

// ActorOf is the request's subject as an actor.
func ActorOf(c *fiber.Ctx) Actor {
	s := access.Of(c)
	return Actor{UserID: s.UserID, Name: s.Name, IP: c.IP()}
}

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

func (h *Handlers) messages(c *fiber.Ctx, errs FieldErrors) map[string]string {
	out := map[string]string{}
	for k, id := range errs {
		out[k] = h.web.T(c, id)
	}
	return out
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
		return h.renderNew(c, f, h.messages(c, ferrs), h.web.T(c, "form.errors"))
	case errors.Is(err, ErrNotAccepting):
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderNew(c, f, map[string]string{"procedure": h.web.T(c, "request.procedure.closed")}, h.web.T(c, "form.errors"))
	case err != nil:
		return err
	}
	if !h.attach(c, r) { // the request is filed; its page says the file was refused
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

// allowed loads the route's request and checks the route's action on it.
func (h *Handlers) allowed(c *fiber.Ctx) (*Request, error) {
	r, err := h.svc.Load(c)
	if err != nil {
		return nil, err
	}
	action, ok := need[c.Params("action")]
	if !ok {
		return nil, fiber.ErrNotFound
	}
	if !access.Of(c).Can(action, ObjectOf(r)) {
		return nil, fiber.ErrForbidden
	}
	return r, nil
}

// confirm shows what an irreversible action will do, with the button that does it.
func (h *Handlers) confirm(c *fiber.Ctx) error {
	r, err := h.allowed(c)
	if err != nil {
		return err
	}
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

// MountUntriaged registers the admins' list of the requests no one can triage: submitted to a
// task force that has no project manager. withPM tells which task forces have one.
func MountUntriaged(r fiber.Router, w *web.Server, svc *Service, cat *catalogue.Service, withPM func(ctx context.Context, taskForce string) (bool, error)) {
	r.Get("/admin/richieste-senza-pm", access.Require(access.ViewUntriaged, nil), func(c *fiber.Ctx) error {
		tfs, err := cat.Catalogue(c.UserContext())
		if err != nil {
			return err
		}
		var orphans []*catalogue.TaskForce
		f := Filter{States: []State{Submitted}, Limit: 200}
		for _, tf := range tfs {
			has, err := withPM(c.UserContext(), tf.Code)
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
			if list, total, err = svc.List(c.UserContext(), f); err != nil {
				return err
			}
		}
		return w.Page(c, "request/untriaged", fiber.Map{"Title": w.T(c, "untriaged.title"), "Requests": list, "Total": total, "Orphans": orphans})
	})
}

// act runs one transition of the lifecycle chosen by the route's :action; an irreversible one
// only from its confirmation page.
func (h *Handlers) act(c *fiber.Ctx) error {
	r, err := h.allowed(c)
	if err != nil {
		return err
	}
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
	case errors.Is(err, ErrStale):
		return h.back(c, r, "error", h.web.T(c, "request.stale"), fiber.StatusConflict)
	case errors.Is(err, ErrNotExpert), errors.Is(err, ErrNoExperts):
		return h.back(c, r, "error", h.web.T(c, "triage.experts"), fiber.StatusUnprocessableEntity)
	case err != nil:
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

// back shows the workspace again with the reason the action was refused.
func (h *Handlers) back(c *fiber.Ctx, _ *Request, _ string, msg string, status int) error {
	c.Status(status)
	c.Locals("request.failure", Failure{Message: msg})
	return h.show(c)
}

// formOnce keeps the one-time token of a form shown again after an error, or makes a new one.
func formOnce(c *fiber.Ctx) string {
	if t := c.FormValue(once.Field); t != "" && c.Method() == fiber.MethodPost {
		return t
	}
	return once.NewToken()
}

package project

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/db"
	"passhub/app/ente"
	"passhub/app/funding"
	"passhub/app/web"
)

// Path is the reserved section of the project sheets and partner searches.
const Path = "/area-riservata/progetti"

// Handlers serve the project sheets and the partner searches.
type Handlers struct {
	web   *web.Server
	svc   *Service
	calls *funding.Service
	enti  *ente.Service
}

// NewHandlers returns the project sheets' handlers.
func NewHandlers(w *web.Server, svc *Service, calls *funding.Service, enti *ente.Service) *Handlers {
	return &Handlers{web: w, svc: svc, calls: calls, enti: enti}
}

// Mount registers the routes.
func (h *Handlers) Mount(r fiber.Router) {
	view := access.Require(access.ViewProjects, nil)
	read, write := h.load(false), h.load(true)
	web.Mount(r, []web.Route{
		{Method: fiber.MethodGet, Path: Path, Handlers: []fiber.Handler{view, h.list}},
		{Method: fiber.MethodGet, Path: Path + "/nuova", Handlers: []fiber.Handler{view, h.newForm}},
		{Method: fiber.MethodPost, Path: Path + "/nuova", Handlers: []fiber.Handler{view, h.create}},
		{Method: fiber.MethodGet, Path: Path + "/:id", Handlers: []fiber.Handler{read, h.sheet}},
		{Method: fiber.MethodGet, Path: Path + "/:id/modifica", Handlers: []fiber.Handler{write, h.editForm}},
		{Method: fiber.MethodPost, Path: Path + "/:id/modifica", Handlers: []fiber.Handler{write, h.update}},
		{Method: fiber.MethodPost, Path: Path + "/:id/pubblica", Handlers: []fiber.Handler{write, h.publish}},
		{Method: fiber.MethodPost, Path: Path + "/:id/risposte", Handlers: []fiber.Handler{read, h.answer}},
		{Method: fiber.MethodPost, Path: Path + "/:id/risposte/:answer", Handlers: []fiber.Handler{write, h.decide}},
	})
}

func actor(c *fiber.Ctx) Actor { return Actor(web.ActorOf(c)) }

const sheetKey = "project.sheet"

// load finds the route's sheet when the subject may open it (and write it, with write). An
// unpublished sheet of another ente is the same 404 as one that does not exist.
func (h *Handlers) load(write bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		s := access.Of(c)
		if s.Anonymous() {
			return fiber.ErrUnauthorized
		}
		sh, err := h.svc.Get(c.UserContext(), web.IDOrZero(c, "id"))
		if err != nil {
			return err
		}
		if !s.Can(access.ViewProjects, access.Object{EnteID: sh.EnteID, Draft: !sh.Published()}) {
			return db.ErrNotFound
		}
		if write && !s.Can(access.WriteProject, access.Object{EnteID: sh.EnteID}) {
			return fiber.ErrForbidden
		}
		c.Locals(sheetKey, sh)
		return c.Next()
	}
}

func sheetOf(c *fiber.Ctx) *Sheet { return c.Locals(sheetKey).(*Sheet) }

// myEnti lists the approved enti the subject acts for.
func (h *Handlers) myEnti(c *fiber.Ctx) ([]*ente.Ente, error) {
	return h.enti.ActingFor(c.UserContext(), access.Of(c))
}

func ids(enti []*ente.Ente) []int64 {
	out := make([]int64, len(enti))
	for i, e := range enti {
		out[i] = e.ID
	}
	return out
}

// filterOf reads the list's filters; unknown values are refused (400).
func (h *Handlers) filterOf(c *fiber.Ctx, provinces []string) (Filter, *funding.Call, error) {
	f := Filter{Topic: strings.TrimSpace(c.Query("tema")), Province: c.Query("provincia"), Seeking: c.Query("cerca") == "1"}
	f.Page, _ = strconv.Atoi(c.Query("pagina"))
	bad := fiber.NewError(fiber.StatusBadRequest, h.web.T(c, "project.error.filter"))
	if f.Province != "" && !contains(provinces, f.Province) || len(f.Topic) > 80 {
		return f, nil, bad
	}
	if v := c.Query("bando"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return f, nil, bad
		}
		call, err := h.calls.Get(c.UserContext(), id)
		if errors.Is(err, db.ErrNotFound) || err == nil && !call.Published() {
			return f, nil, bad
		}
		if err != nil {
			return f, nil, err
		}
		f.CallID = id
		return f, call, nil
	}
	return f, nil, nil
}

func (h *Handlers) list(c *fiber.Ctx) error {
	ctx := c.UserContext()
	provinces, err := h.svc.Provinces(ctx)
	if err != nil {
		return err
	}
	f, call, err := h.filterOf(c, provinces)
	if err != nil {
		return err
	}
	sheets, total, err := h.svc.List(ctx, f)
	if err != nil {
		return err
	}
	topics, err := h.svc.Topics(ctx)
	if err != nil {
		return err
	}
	enti, err := h.myEnti(c)
	if err != nil {
		return err
	}
	mine, err := h.svc.OfEnti(ctx, ids(enti))
	if err != nil {
		return err
	}
	suggested, err := h.svc.SuggestedSearches(ctx, enti)
	if err != nil {
		return err
	}
	page := max(f.Page, 1)
	return h.web.Page(c, "project/list", fiber.Map{"Title": h.web.T(c, "project.title"), "Sheets": sheets, "Total": total, "Filter": f,
		"FilterCall": call, "Topics": topics, "Provinces": provinces, "Mine": mine, "Suggested": h.why(c, suggested), "CanWrite": len(enti) > 0,
		"Today": h.svc.Today(), "URL": c.OriginalURL(), "Pager": struct{ Page, Pages int }{page, (total + PageSize - 1) / PageSize}})
}

// Suggestion is a suggested search with why it is suggested, in words.
type Suggestion struct {
	Match
	Why string
}

// why says in the viewer's language why each search is suggested: for which ente, the topics in
// common, the territory.
func (h *Handlers) why(c *fiber.Ctx, ms []Match) []Suggestion {
	out := make([]Suggestion, len(ms))
	for i, m := range ms {
		var reasons []string
		if len(m.Topics) > 0 {
			reasons = append(reasons, h.web.T(c, "project.match.topics")+": "+strings.Join(m.Topics, ", "))
		}
		if m.Territory {
			reasons = append(reasons, h.web.T(c, "project.match.territory"))
		}
		if m.Near {
			reasons = append(reasons, h.web.T(c, "project.match.near"))
		}
		out[i] = Suggestion{Match: m, Why: h.web.T(c, "project.match.for", "Ente", m.Ente.Name) + ": " + strings.Join(reasons, "; ")}
	}
	return out
}

func (h *Handlers) sheet(c *fiber.Ctx) error { return h.renderSheet(c, nil) }

// renderSheet shows the sheet, with extra: the answer form's values and errors after a refusal.
func (h *Handlers) renderSheet(c *fiber.Ctx, extra fiber.Map) error {
	ctx, s, sh := c.UserContext(), access.Of(c), sheetOf(c)
	h.web.CSRFToken(c)
	data := fiber.Map{"Title": sh.Title, "TitleLang": "it", "Sheet": sh, "Today": h.svc.Today(), "Open": sh.SearchOpen(h.svc.Today()),
		"CanWrite": s.Can(access.WriteProject, access.Object{EnteID: sh.EnteID}), "Crumbs": crumbs(c, h.web)}
	var answers []Answer
	var err error
	if s.Can(access.ViewProjectAnswers, access.Object{EnteID: sh.EnteID}) {
		data["AllAnswers"] = true
		answers, err = h.svc.Answers(ctx, sh.ID, nil)
	} else {
		var enti []*ente.Ente
		if enti, err = h.myEnti(c); err == nil {
			answers, err = h.svc.Answers(ctx, sh.ID, ids(enti))
			data["AnswerEnti"] = h.canAnswer(enti, sh, answers)
		}
	}
	if err != nil {
		return err
	}
	data["Answers"] = answers
	if data["CanWrite"] == true && sh.SearchOpen(h.svc.Today()) {
		partners, err := h.svc.SuggestedPartners(ctx, sh)
		if err != nil {
			return err
		}
		data["Partners"] = partners
	}
	for k, x := range extra {
		data[k] = x
	}
	return h.web.Page(c, "project/sheet", data)
}

// canAnswer lists the subject's enti that may still answer the sheet's search.
func (h *Handlers) canAnswer(enti []*ente.Ente, sh *Sheet, answers []Answer) []*ente.Ente {
	if !sh.SearchOpen(h.svc.Today()) {
		return nil
	}
	done := map[int64]bool{}
	for _, a := range answers {
		done[a.EnteID] = true
	}
	var out []*ente.Ente
	for _, e := range enti {
		if e.ID != sh.EnteID && !done[e.ID] {
			out = append(out, e)
		}
	}
	return out
}

func crumbs(c *fiber.Ctx, w *web.Server) []map[string]string {
	return []map[string]string{{"URL": Path, "Label": w.T(c, "project.title")}}
}

// --- writing a sheet

func (h *Handlers) newForm(c *fiber.Ctx) error {
	var f Form
	if slug := c.Query("bando"); slug != "" {
		call, err := h.calls.Published(c.UserContext(), slug)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		if call != nil {
			f.Call, f.Topics = strconv.FormatInt(call.ID, 10), strings.Join(call.Topics, ", ")
		}
	}
	return h.renderForm(c, nil, f, nil)
}

func (h *Handlers) renderForm(c *fiber.Ctx, sh *Sheet, f Form, errs map[string]string) error {
	ctx := c.UserContext()
	h.web.CSRFToken(c)
	data := fiber.Map{"Title": h.web.T(c, "project.new"), "Sheet": sh, "Form": f, "Stages": Stages, "Errors": h.web.Messages(c, errs),
		"Crumbs": crumbs(c, h.web), "Action": Path + "/nuova"}
	if sh != nil {
		data["Title"], data["Action"], data["Call"] = sh.Title, URL(sh.ID)+"/modifica", sh.Call
	} else {
		enti, err := h.myEnti(c)
		if err != nil {
			return err
		}
		if len(enti) == 0 {
			return fiber.ErrForbidden // staff read the sheets; enti write them
		}
		data["Enti"] = enti
		if id, err := strconv.ParseInt(f.Call, 10, 64); err == nil {
			call, err := h.calls.Get(ctx, id)
			if err != nil && !errors.Is(err, db.ErrNotFound) {
				return err
			}
			if call != nil && call.Published() {
				data["Call"] = call
			}
		}
	}
	provinces, err := h.svc.Provinces(ctx)
	if err != nil {
		return err
	}
	sought := map[string]bool{}
	for _, p := range f.Provinces {
		sought[p] = true
	}
	data["Provinces"], data["Sought"] = provinces, sought
	return h.web.Page(c, "project/form", data)
}

func formOf(c *fiber.Ctx) Form {
	f := Form{Ente: c.FormValue("ente"), Call: c.FormValue("call"), Title: c.FormValue("title"), Summary: c.FormValue("summary"),
		Budget: c.FormValue("budget"), Stage: c.FormValue("stage"), Topics: c.FormValue("topics"), SeeksPartners: c.FormValue("seeks_partners") == "1",
		PartnerProfile: c.FormValue("partner_profile"), PartnersUntil: c.FormValue("partners_until")}
	for _, v := range c.Request().PostArgs().PeekMulti("provinces") {
		f.Provinces = append(f.Provinces, string(v))
	}
	return f
}

func (h *Handlers) create(c *fiber.Ctx) error {
	f := formOf(c)
	enteID, _ := strconv.ParseInt(f.Ente, 10, 64)
	if !access.Of(c).Can(access.WriteProject, access.Object{EnteID: enteID}) {
		return h.refused(c, nil, f, Invalid{"ente": "project.error.ente"})
	}
	sh, err := h.svc.Create(c.UserContext(), actor(c), f)
	if err != nil {
		return h.refused(c, nil, f, err)
	}
	h.web.Flash(c, "project.created")
	return c.Redirect(URL(sh.ID), fiber.StatusSeeOther)
}

func (h *Handlers) refused(c *fiber.Ctx, sh *Sheet, f Form, err error) error {
	var bad Invalid
	if !errors.As(err, &bad) {
		return err
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return h.renderForm(c, sh, f, bad)
}

func (h *Handlers) editForm(c *fiber.Ctx) error {
	sh := sheetOf(c)
	return h.renderForm(c, sh, FormOf(sh), nil)
}

func (h *Handlers) update(c *fiber.Ctx) error {
	sh, f := sheetOf(c), formOf(c)
	if _, err := h.svc.Update(c.UserContext(), actor(c), sh.ID, f); err != nil {
		return h.refused(c, sh, f, err)
	}
	h.web.Flash(c, "project.saved")
	return c.Redirect(URL(sh.ID), fiber.StatusSeeOther)
}

func (h *Handlers) publish(c *fiber.Ctx) error {
	sh := sheetOf(c)
	publish := c.FormValue("publish") == "1"
	if err := h.svc.SetPublished(c.UserContext(), actor(c), sh.ID, publish); err != nil {
		return err
	}
	h.web.Flash(c, map[bool]string{true: "project.published", false: "project.withdrawn"}[publish])
	return c.Redirect(URL(sh.ID), fiber.StatusSeeOther)
}

// --- the partner search

func (h *Handlers) answer(c *fiber.Ctx) error {
	sh := sheetOf(c)
	enteID, _ := strconv.ParseInt(c.FormValue("ente"), 10, 64)
	message := c.FormValue("message")
	var err error
	if !access.Of(c).Can(access.AnswerPartnerSearch, access.Object{EnteID: enteID}) {
		err = Invalid{"ente": "project.error.ente"}
	} else {
		_, err = h.svc.Answer(c.UserContext(), actor(c), sh.ID, enteID, message)
	}
	var bad Invalid
	var refused Refused
	switch {
	case err == nil:
		h.web.Flash(c, "project.answer.done")
		return c.Redirect(URL(sh.ID)+"#risposta", fiber.StatusSeeOther)
	case errors.As(err, &bad):
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderSheet(c, fiber.Map{"AnswerErrors": h.web.Messages(c, bad), "AnswerMessage": message, "AnswerEnte": enteID})
	case errors.As(err, &refused):
		c.Status(fiber.StatusConflict)
		return h.renderSheet(c, fiber.Map{"AnswerRefused": h.web.T(c, string(refused)), "AnswerMessage": message, "AnswerEnte": enteID})
	}
	return err
}

func (h *Handlers) decide(c *fiber.Ctx) error {
	sh := sheetOf(c)
	accept := c.FormValue("decision") == "accept"
	err := h.svc.Decide(c.UserContext(), actor(c), sh.ID, web.IDOrZero(c, "answer"), accept, c.FormValue("reply"))
	var refused Refused
	var bad Invalid
	switch {
	case err == nil:
		h.web.Flash(c, map[bool]string{true: "project.decided.accepted", false: "project.decided.declined"}[accept])
	case errors.As(err, &refused):
		h.web.FlashWarning(c, string(refused))
	case errors.As(err, &bad):
		h.web.FlashWarning(c, bad["reply"])
	default:
		return err
	}
	return c.Redirect(URL(sh.ID)+"#risposte", fiber.StatusSeeOther)
}

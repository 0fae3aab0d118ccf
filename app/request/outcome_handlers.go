package request

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/db"
	"passhub/app/web"
)

// OutcomeFields are the two figures of an outcome's form, in the order the form shows them.
var OutcomeFields = []string{"backlog_pending", "backlog_avg_days"}

// OutcomeForm is one stage's form on the outcome page: what is typed (or stored), and what is
// wrong with it.
type OutcomeForm struct {
	Outcome *Outcome
	Values  map[string]string // the figures as typed
	Unknown map[string]bool   // the "not known" boxes
	Errors  map[string]string // messages by field
}

// requireOutcome loads the route's request for its outcome page: the ente's enabled members
// alone, on a request that has an ask. Anyone else (experts, PMs, admins, other enti) gets the
// answer of a request they may not see, so the page tells them nothing, not even whether an
// outcome is asked.
func (s *Service) requireOutcome(c *fiber.Ctx) error {
	r, err := s.Load(c)
	if err != nil {
		return err
	}
	if !access.Of(c).Can(access.AnswerOutcome, ObjectOf(r)) {
		return db.ErrNotFound
	}
	return c.Next()
}

func (h *Handlers) outcomePage(c *fiber.Ctx) error {
	return h.renderOutcome(c, "", nil)
}

// renderOutcome shows the request's asks, each with its form: the stored answer, or what was
// typed in the stage's form that failed (failed, with its errors).
func (h *Handlers) renderOutcome(c *fiber.Ctx, failed string, typed *OutcomeForm) error {
	r := From(c)
	outs, err := h.svc.Outcomes(c.UserContext(), r.ID)
	if err != nil {
		return err
	}
	if len(outs) == 0 {
		return db.ErrNotFound // nothing asked yet: the request is not concluded
	}
	var forms []*OutcomeForm
	for i := range outs {
		o := &outs[i]
		if o.Stage == failed && typed != nil {
			typed.Outcome = o
			forms = append(forms, typed)
			continue
		}
		f := &OutcomeForm{Outcome: o, Values: map[string]string{}, Unknown: map[string]bool{}}
		if o.Answered() {
			for name, v := range map[string]*int{"backlog_pending": o.BacklogPending, "backlog_avg_days": o.BacklogAvgDays} {
				if v == nil {
					f.Unknown[name] = true
				} else {
					f.Values[name] = strconv.Itoa(*v)
				}
			}
		}
		forms = append(forms, f)
	}
	page := "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10)
	data := fiber.Map{"Title": h.web.T(c, "outcome.title"), "Request": r, "Forms": forms, "Fields": OutcomeFields, "CSRF": h.web.CSRFToken(c),
		"Crumbs": []map[string]string{{"URL": "/area-riservata/richieste", "Label": h.web.T(c, "requests.title")}, {"URL": page, "Label": r.Title, "ContentLang": "it"}}}
	if typed != nil && len(typed.Errors) > 0 {
		data["Alert"] = h.web.T(c, "form.errors")
		var spec []string
		for _, name := range OutcomeFields {
			spec = append(spec, name, "esito-"+failed+"-"+name, h.web.T(c, "outcome.field."+name))
		}
		data["Summary"] = web.FieldErrors(typed.Errors, spec...)
	}
	data["Filing"] = map[string]int{"backlog_pending": r.BacklogPending, "backlog_avg_days": r.BacklogAvgDays}
	return h.web.Page(c, "request/outcome", data)
}

// answerOutcome stores the answer of one stage (the form's "stage"); bad input shows the page
// again with the messages beside the fields and what was typed, and stores nothing.
func (h *Handlers) answerOutcome(c *fiber.Ctx) error {
	r := From(c)
	stage := c.FormValue("stage")
	f := &OutcomeForm{Values: map[string]string{}, Unknown: map[string]bool{}, Errors: map[string]string{}}
	var a Answer
	for _, name := range OutcomeFields {
		raw := strings.TrimSpace(c.FormValue(name))
		unknown := c.FormValue(name+"_unknown") != ""
		f.Values[name], f.Unknown[name] = raw, unknown
		var n *int
		switch {
		case unknown && raw != "":
			f.Errors[name] = h.web.T(c, "outcome.error.both")
		case unknown:
		case raw == "":
			f.Errors[name] = h.web.T(c, "outcome.error.required")
		default:
			v, err := strconv.Atoi(raw)
			if err != nil {
				v = -1 // not a whole number: out of the limits
			}
			n = &v
		}
		if name == "backlog_pending" {
			a.BacklogPending = n
		} else {
			a.BacklogAvgDays = n
		}
	}
	for name, id := range a.Validate() {
		if f.Errors[name] == "" {
			f.Errors[name] = h.web.T(c, id)
		}
	}
	known := false
	for _, st := range Stages {
		known = known || st == stage
	}
	if !known {
		f.Errors["stage"] = h.web.T(c, "outcome.error.stage")
	}
	if len(f.Errors) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderOutcome(c, stage, f)
	}
	_, err := h.svc.AnswerOutcome(c.UserContext(), ActorOf(c), r.ID, stage, a)
	var ferrs FieldErrors
	switch {
	case errors.Is(err, ErrNoAsk):
		c.Status(fiber.StatusUnprocessableEntity)
		f.Errors["stage"] = h.web.T(c, "outcome.error.stage")
		return h.renderOutcome(c, stage, f)
	case errors.As(err, &ferrs):
		for name, id := range ferrs {
			f.Errors[name] = h.web.T(c, id)
		}
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderOutcome(c, stage, f)
	case err != nil:
		return err
	}
	h.web.Flash(c, "outcome.saved")
	return c.Redirect(OutcomeURL(r.ID), fiber.StatusSeeOther)
}

package acts

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/db"
	"passhub/app/ente"
	"passhub/app/kb"
	"passhub/app/web"
)

// Handlers serve the templates' list and each template's form under Route.
type Handlers struct {
	web  *web.Server
	svc  *Service
	enti *ente.Service
	kb   *kb.Service
}

// NewHandlers returns the templates' handlers.
func NewHandlers(w *web.Server, svc *Service, enti *ente.Service, articles *kb.Service) *Handlers {
	return &Handlers{web: w, svc: svc, enti: enti, kb: articles}
}

// Mount registers the routes.
func (h *Handlers) Mount(r fiber.Router) {
	use := access.Require(access.DraftActs, nil)
	web.Mount(r, []web.Route{
		{Method: fiber.MethodGet, Path: Route, Handlers: []fiber.Handler{use, h.list}},
		{Method: fiber.MethodGet, Path: Route + "/:slug", Handlers: []fiber.Handler{use, h.show}},
		{Method: fiber.MethodPost, Path: Route + "/:slug", Handlers: []fiber.Handler{use, h.fill}},
	})
}

// Listed is a template as the list shows it, with what the person's enti used of it.
type Listed struct {
	*Template
	Used       Used
	Superseded bool
}

func (h *Handlers) list(c *fiber.Ctx) error {
	ctx, s := c.UserContext(), access.Of(c)
	all, err := h.svc.Templates(ctx)
	if err != nil {
		return err
	}
	used, err := h.svc.UsedBy(ctx, s.UserID, h.memberOf(ctx, s))
	if err != nil {
		return err
	}
	kind := c.Query("tipo")
	if !slices.Contains(Kinds, kind) {
		kind = ""
	}
	var shown []Listed
	for _, t := range all {
		if kind == "" || t.Act == kind {
			u := used[t.EntryID]
			shown = append(shown, Listed{Template: t, Used: u, Superseded: u.Version > 0 && u.Version < t.Version})
		}
	}
	return h.web.Page(c, "acts/index", fiber.Map{"Title": h.web.T(c, "acts.title"), "Templates": shown, "Kinds": Kinds, "Kind": kind})
}

// memberOf lists the ids of the approved enti s acts for; none when that cannot be read (the
// badges of use are a help, the list works without them).
func (h *Handlers) memberOf(ctx context.Context, s *access.Subject) []int64 {
	enti, err := h.enti.ActingFor(ctx, s)
	if err != nil {
		return nil
	}
	ids := make([]int64, len(enti))
	for i, e := range enti {
		ids[i] = e.ID
	}
	return ids
}

func (h *Handlers) template(c *fiber.Ctx) (*Template, error) {
	return h.svc.Template(c.UserContext(), c.Params("slug"))
}

// form is what the template's page shows in its form: the answers and the ente chosen. The
// form's own controls are named _ente and _action: a field's key starts with a letter, so no
// template's field can take their names.
type form struct {
	Answers map[string]string
	Ente    string
	// From is the version the answers were saved on, when they come from an earlier use.
	From int
}

func (h *Handlers) show(c *fiber.Ctx) error {
	t, err := h.template(c)
	if err != nil {
		return err
	}
	f := form{Answers: map[string]string{}}
	if c.Query("nuovo") == "" { // pick up the person's latest answers, unless they start afresh
		u, err := h.svc.Latest(c.UserContext(), t, access.Of(c).UserID)
		switch {
		case err == nil:
			f.Answers = u.Values()
			if len(f.Answers) > 0 {
				f.From = u.Version
			}
			if u.EnteID != nil {
				f.Ente = strconv.FormatInt(*u.EnteID, 10)
			}
		case !errors.Is(err, db.ErrNotFound):
			return err
		}
	}
	return h.render(c, t, f, nil, nil)
}

// render shows the template's page: what it is, its legal references and notes, the form with
// the answers and their errors, the related articles and, when asked, the act's preview.
func (h *Handlers) render(c *fiber.Ctx, t *Template, f form, errs map[string]string, preview *Document) error {
	ctx, s := c.UserContext(), access.Of(c)
	h.web.CSRFToken(c)
	enti, err := h.enti.ActingFor(ctx, s)
	if err != nil {
		return err
	}
	used, err := h.svc.UsedBy(ctx, s.UserID, h.memberOf(ctx, s))
	if err != nil {
		return err
	}
	msgs := h.web.Messages(c, errs)
	spec := []string{"_ente", "act-for-ente", h.web.T(c, "acts.ente")}
	for _, fl := range t.Fields {
		spec = append(spec, fl.Key, "act-"+fl.Key, fl.Label)
	}
	data := fiber.Map{"Title": t.Title, "TitleLang": "it", "Template": t, "Form": f, "Errors": msgs,
		"Summary": web.FieldErrors(msgs, spec...), "Enti": enti, "Used": used[t.EntryID], "Related": h.related(ctx, t),
		"Crumbs": []map[string]string{{"URL": Route, "Label": h.web.T(c, "acts.title")}}}
	if preview != nil {
		data["Preview"] = preview.HTML()
	}
	return h.web.Page(c, "acts/template", data)
}

// related lists the knowledge-base articles the template names that are published.
func (h *Handlers) related(ctx context.Context, t *Template) []*kb.Article {
	var out []*kb.Article
	for _, slug := range t.Related {
		if a, err := h.kb.Article(ctx, slug); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// fill answers the form's buttons: "Anteprima" shows the act, "Salva le risposte" keeps them,
// "Scarica DOCX" and "Scarica ODT" give the document; each records the version used. A refused
// answer shows the form again with everything typed and the message beside the field.
func (h *Handlers) fill(c *fiber.Ctx) error {
	t, err := h.template(c)
	if err != nil {
		return err
	}
	ctx, s := c.UserContext(), access.Of(c)
	typed := map[string]string{}
	for _, fl := range t.Fields {
		typed[fl.Key] = c.FormValue(fl.Key)
	}
	f := form{Answers: typed, Ente: c.FormValue("_ente")}
	action := c.FormValue("_action")
	answers, err := t.Answers(typed)
	var bad Invalid
	switch {
	case errors.As(err, &bad):
	case err != nil:
		return err
	default:
		bad = Invalid{}
	}
	enteID, ok, err := h.chosenEnte(ctx, s, f.Ente)
	if err != nil {
		return err
	}
	if !ok {
		bad["_ente"] = "acts.error.ente"
	}
	if len(bad) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.render(c, t, f, bad, nil)
	}
	switch action {
	case "preview":
		return h.render(c, t, f, nil, t.Draft(answers))
	case "save":
		if _, err := h.svc.Record(ctx, t, s.UserID, enteID, "", answers); err != nil {
			return err
		}
		h.web.Flash(c, "acts.saved")
		return c.Redirect(t.URL(), fiber.StatusSeeOther)
	case FormatDOCX, FormatODT:
	default:
		return fiber.ErrBadRequest
	}
	var buf bytes.Buffer
	if err := t.Draft(answers).Write(&buf, action, "it"); err != nil {
		return err
	}
	if _, err := h.svc.Record(ctx, t, s.UserID, enteID, action, answers); err != nil {
		return err
	}
	web.Attachment(c, t.Slug+"-v"+strconv.Itoa(t.Version)+"."+action)
	c.Set(fiber.HeaderContentType, MediaType(action))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// chosenEnte is the ente the act is drafted for: the one s acts for, the one chosen among
// several (ok false when none of theirs is chosen), or none for a person who acts for none.
func (h *Handlers) chosenEnte(ctx context.Context, s *access.Subject, chosen string) (int64, bool, error) {
	enti, err := h.enti.ActingFor(ctx, s)
	if err != nil {
		return 0, false, err
	}
	switch len(enti) {
	case 0:
		return 0, true, nil
	case 1:
		return enti[0].ID, true, nil
	}
	id, _ := strconv.ParseInt(chosen, 10, 64)
	for _, e := range enti {
		if e.ID == id {
			return id, true, nil
		}
	}
	return 0, false, nil
}

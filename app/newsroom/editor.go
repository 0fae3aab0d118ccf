package newsroom

import (
	"errors"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/content"
)

// The editor's enhancements of the entry form: the live preview fragment, the autosave of
// drafts, and the choices of reference fields. The form works without them.

// previewOf renders the draft as the public page renders its body: the import's rules
// (content.Preview), then the public page's Markdown (content.Render). The "Anteprima" button
// and the live preview both use it.
func previewOf(d content.Draft) (template.HTML, error) {
	doc, err := content.Preview(d)
	if err != nil {
		return "", err
	}
	return content.Render(doc.Body)
}

// livePreview answers POST /redazione/anteprima/:type with the entry form's fields: a fragment
// holding the body rendered as previewOf renders it, or (422) a short message saying which field
// is wrong. Nothing is saved.
func (h *Handlers) livePreview(c *fiber.Ctx) error {
	def, err := definition(c)
	if err != nil {
		return err
	}
	slug := strings.TrimSpace(c.FormValue("slug"))
	if !content.ValidSlug(slug) {
		slug = ""
	}
	html, err := previewOf(formOf(c, def, def.Name, slug))
	var fe *content.FileError
	switch {
	case errors.As(err, &fe):
		c.Status(fiber.StatusUnprocessableEntity)
		return h.web.Fragment(c, "newsroom/live_preview", fiber.Map{"Error": h.fieldMessage(c, def, fe)})
	case err != nil:
		return err
	}
	return h.web.Fragment(c, "newsroom/live_preview", fiber.Map{"HTML": html})
}

// fieldMessage says, in the page's language, which field of def broke which rule.
func (h *Handlers) fieldMessage(c *fiber.Ctx, def *content.Definition, fe *content.FileError) string {
	if fe.Key == "" {
		return h.web.T(c, "editor.invalid.other", "Reason", fe.Msg)
	}
	label := h.web.T(c, "newsroom.field."+fe.Key)
	switch {
	case fe.Key == "body":
		label = h.web.T(c, "newsroom.body")
	case label == "newsroom.field."+fe.Key:
		label = fe.Key
	}
	return h.web.T(c, "editor.invalid.field", "Field", label, "Message", h.web.T(c, "newsroom.invalid."+fe.Rule, "Detail", fe.Detail))
}

// autosaved is the answer of an autosave.
type autosaved struct {
	Rev     int64  `json:"rev,omitempty"`
	Hash    string `json:"hash,omitempty"`
	InPlace bool   `json:"in_place"`
	// Status is the line the page shows ("Bozza salvata alle 10:42", or why nothing was saved).
	Status string `json:"status"`
	// Error names what went wrong: "moved" (someone saved meanwhile: autosave stops), "invalid"
	// (a field is wrong: nothing saved), "step" (the entry is not a draft one may save), "refused".
	Error string `json:"error,omitempty"`
	Field string `json:"field,omitempty"`
}

// autosave answers POST /redazione/contenuti/:type/:slug/autosalva with the entry form: the
// service's Autosave stores it, and the answer (JSON) gives the revision the form now stands on
// and the status line.
func (h *Handlers) autosave(c *fiber.Ctx) error {
	w, err := h.work(c)
	if err != nil {
		return err
	}
	d := formOf(c, w.Def, w.Def.Name, w.Entry.Slug)
	d.Rename = strings.TrimSpace(c.FormValue("slug"))
	rev, inPlace, err := h.svc.Autosave(c.UserContext(), actor(c), d)
	var fe *content.FileError
	switch {
	case err == nil:
		at := h.web.T(c, "editor.autosave.saved", "Time", time.Now().In(rome).Format("15:04"))
		return c.JSON(autosaved{Rev: rev.ID, Hash: rev.Hash, InPlace: inPlace, Status: at})
	case errors.As(err, &fe):
		return c.Status(fiber.StatusUnprocessableEntity).JSON(autosaved{Error: "invalid", Field: fe.Key,
			Status: h.web.T(c, "editor.autosave.invalid", "Reason", h.fieldMessage(c, w.Def, fe))})
	case errors.Is(err, content.ErrMoved):
		return c.Status(fiber.StatusConflict).JSON(autosaved{Error: "moved", Status: h.web.T(c, "editor.autosave.moved")})
	case errors.Is(err, content.ErrStep), errors.Is(err, content.ErrNotPublisher):
		return c.Status(fiber.StatusConflict).JSON(autosaved{Error: "step", Status: h.web.T(c, "editor.autosave.step")})
	}
	st, ok := errorStatus.Of(err)
	if !ok {
		return err
	}
	return c.Status(st.Code).JSON(autosaved{Error: "refused", Field: st.Field,
		Status: h.web.T(c, "editor.autosave.refused", "Reason", h.web.Say(c, st))})
}

// withChoices makes the reference fields of fs selects of the published entries they may name;
// a current value that is none of them stays, marked unknown.
func (h *Handlers) withChoices(c *fiber.Ctx, def *content.Definition, fs []Field) error {
	for i := range fs {
		if fs[i].Kind != content.KindRef {
			continue
		}
		var ref content.Type
		for _, f := range def.Fields {
			if f.Name == fs[i].Name {
				ref = f.Ref
			}
		}
		choices, err := h.svc.Choices(c.UserContext(), ref)
		if err != nil {
			return err
		}
		fs[i].Control, fs[i].Choices = "ref", choices
		fs[i].Hint = h.web.T(c, "editor.hint.ref")
		v := fs[i].Value
		fs[i].Unknown = v != "" && !slices.ContainsFunc(choices, func(ch content.Choice) bool { return ch.Value == v })
	}
	return nil
}

// autosaveOn reports whether the page's form autosaves: an existing entry whose latest revision
// is a draft the user may save.
func autosaveOn(p page, steps map[string]bool) bool {
	return p.Work != nil && p.Work.Head.State == content.StateDraft && steps[content.StepSave]
}

// baseHash is the hash of the revision the form stands on: the one it was sent with, or the
// latest revision's when the page shows it fresh.
func baseHash(p page) string {
	if p.Draft.BaseHash != "" {
		return p.Draft.BaseHash
	}
	if p.Work != nil && p.Work.Head.ID == p.Draft.Base {
		return p.Work.Head.Hash
	}
	return ""
}

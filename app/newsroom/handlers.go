// Package newsroom serves the editors' pages under /redazione: the dashboard, the list of every
// entry in every state, the form of an entry generated from its type's fields, the preview, the
// workflow's steps and the revision history. The rules are the content service's
// (content.Steps, SaveDraft, Submit…); these handlers only read forms and show answers.
package newsroom

import (
	"errors"
	"html/template"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // schedule times are Italian time wherever the server runs

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/preview"
	"passhub/app/web"
)

// PageSize is how many entries a page of the list shows.
const PageSize = 20

// Handlers serve the newsroom.
type Handlers struct {
	web   *web.Server
	svc   *content.Service
	links *preview.Service
}

// NewHandlers returns the newsroom's handlers.
func NewHandlers(w *web.Server, svc *content.Service, links *preview.Service) *Handlers {
	return &Handlers{web: w, svc: svc, links: links}
}

// errorStatus is how the newsroom answers the workflow's errors.
var errorStatus = web.Errors{
	content.ErrMoved:        {Code: fiber.StatusConflict, Message: "newsroom.error.moved"},
	content.ErrStep:         {Code: fiber.StatusConflict, Message: "newsroom.error.step"},
	content.ErrNotPublisher: {Code: fiber.StatusForbidden, Message: "newsroom.error.publisher"},
	content.ErrPast:         {Code: fiber.StatusUnprocessableEntity, Message: "newsroom.error.past", Field: "publish_at"},
	content.ErrWindow:       {Code: fiber.StatusUnprocessableEntity, Message: "newsroom.error.window", Field: "unpublish_at"},
	content.ErrNoTime:       {Code: fiber.StatusUnprocessableEntity, Message: "newsroom.error.notime", Field: "publish_at"},
	content.ErrComment:      {Code: fiber.StatusUnprocessableEntity, Message: "newsroom.error.comment", Field: "comment"},
	content.ErrSlugTaken:    {Code: fiber.StatusUnprocessableEntity, Message: "newsroom.error.slug_taken", Field: "slug"},
	content.ErrBadSlug:      {Code: fiber.StatusUnprocessableEntity, Message: "newsroom.error.slug", Field: "slug"},
	preview.ErrDays:         {Code: fiber.StatusUnprocessableEntity, Message: "newsroom.error.link_days", Field: "giorni"},
	content.ErrNoRename:     {Code: fiber.StatusUnprocessableEntity, Message: "newsroom.error.no_rename"}, // the form has no slug field then
}

// Mount registers the /redazione routes; every one needs access.WriteContent, and the steps
// only a publisher may take are refused by the service.
func (h *Handlers) Mount(r fiber.Router) {
	may := access.Require(access.WriteContent, nil)
	r.Get("/redazione", may, h.dashboard)
	r.Get("/redazione/contenuti", may, h.list)
	r.Get("/redazione/nuovo/:type", may, h.newForm)
	r.Post("/redazione/nuovo/:type", may, h.create)
	r.Get("/redazione/contenuti/:type/:slug", may, h.edit)
	r.Post("/redazione/contenuti/:type/:slug", may, h.save)
	r.Post("/redazione/contenuti/:type/:slug/passi/:step", may, h.step)
	r.Get("/redazione/contenuti/:type/:slug/confronto", may, h.compare)
	r.Post("/redazione/contenuti/:type/:slug/ripristina", may, h.restore)
	r.Post("/redazione/contenuti/:type/:slug/link-anteprima", may, h.previewLink)
	r.Post("/redazione/contenuti/:type/:slug/autosalva", may, h.autosave) // editor.go
	r.Post("/redazione/anteprima/:type", may, h.livePreview)
}

func actor(c *fiber.Ctx) content.Actor {
	a := web.ActorOf(c)
	return content.Actor{UserID: a.UserID, Name: a.Name, IP: a.IP, Publisher: access.Of(c).Can(access.PublishContent, access.Object{})}
}

func (h *Handlers) crumbs(c *fiber.Ctx) []map[string]string {
	return []map[string]string{{"URL": "/redazione", "Label": h.web.T(c, "newsroom.title")}}
}

// types lists the registered types with their names in the page's language.
func (h *Handlers) types(c *fiber.Ctx) []map[string]string {
	var out []map[string]string
	for _, d := range content.Definitions() {
		out = append(out, map[string]string{"Name": string(d.Name), "Label": h.typeLabel(c, d)})
	}
	return out
}

func (h *Handlers) typeLabel(c *fiber.Ctx, d *content.Definition) string {
	if s := h.web.T(c, "newsroom.type."+string(d.Name)); s != "newsroom.type."+string(d.Name) {
		return s
	}
	return d.Label
}

func (h *Handlers) dashboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	who := actor(c)
	mine, err := h.svc.Desk(ctx, content.Desk{State: content.StateDraft, Author: who.UserID, Limit: 10})
	if err != nil {
		return err
	}
	review, err := h.svc.Desk(ctx, content.Desk{State: content.StateReview, Limit: 10})
	if err != nil {
		return err
	}
	outgoing, err := h.svc.Outgoing(ctx)
	if err != nil {
		return err
	}
	recent, err := h.svc.Desk(ctx, content.Desk{Published: true, Limit: 10})
	if err != nil {
		return err
	}
	broken, err := h.svc.PublishedWithBrokenLinks(ctx)
	if err != nil {
		return err
	}
	return h.web.Page(c, "newsroom/dashboard", fiber.Map{"Title": h.web.T(c, "newsroom.title"), "Mine": mine, "Review": review,
		"Outgoing": outgoing, "Recent": recent, "Broken": broken, "Now": time.Now(), "Crumbs": []map[string]string{}, "Types": h.types(c), "Publisher": who.Publisher})
}

func (h *Handlers) list(c *fiber.Ctx) error {
	q := content.Desk{Type: content.Type(c.Query("tipo")), State: c.Query("stato"), Words: c.Query("parole"), Limit: PageSize}
	if !q.Type.Valid() {
		q.Type = ""
	}
	valid := false
	for _, s := range content.States {
		valid = valid || s == q.State
	}
	if !valid {
		q.State = ""
	}
	if c.Query("autore") == "io" {
		q.Author = access.Of(c).UserID
	}
	page, _ := strconv.Atoi(c.Query("pagina", "1"))
	if page < 1 {
		page = 1
	}
	q.Offset = (page - 1) * PageSize
	res, err := h.svc.Desk(c.UserContext(), q)
	if err != nil {
		return err
	}
	return h.web.Page(c, "newsroom/list", fiber.Map{"Title": h.web.T(c, "newsroom.list"), "Page": res, "Filter": q,
		"Mine": c.Query("autore") == "io", "Types": h.types(c), "States": content.States, "URL": c.OriginalURL(),
		"Crumbs": h.crumbs(c), "Pager": struct{ Page, Pages int }{page, (res.Total + PageSize - 1) / PageSize}})
}

// Field is one control of the entry form.
type Field struct {
	Name, ID, Label, Hint string
	Kind                  content.Kind
	Control               string // input, date, number, textarea, select, bool
	Value, Error          string
	Required              bool
	Values                []string
	// Choices are a reference field's values (Control "ref"); Unknown marks a Value none of them has.
	Choices []content.Choice
	Unknown bool
}

func (h *Handlers) fields(c *fiber.Ctx, def *content.Definition, values, errs map[string]string) []Field {
	var out []Field
	for _, f := range def.Fields {
		if f.Kind == content.KindAttachments {
			continue
		}
		label := h.web.T(c, "newsroom.field."+f.Name)
		if label == "newsroom.field."+f.Name {
			label = f.Name
		}
		fv := Field{Name: f.Name, ID: "f-" + f.Name, Label: label, Kind: f.Kind, Value: values[f.Name], Error: errs[f.Name],
			Required: f.Required, Values: f.Values, Control: "input"}
		switch f.Kind {
		case content.KindDate:
			fv.Control = "date"
		case content.KindInt:
			fv.Control = "number"
		case content.KindText, content.KindMarkdown:
			fv.Control = "textarea"
		case content.KindList:
			fv.Control, fv.Hint = "textarea", h.web.T(c, "newsroom.hint.list")
		case content.KindEnum:
			fv.Control = "select"
		case content.KindBool:
			fv.Control = "bool"
		case content.KindCode:
			fv.Hint = h.web.T(c, "newsroom.hint.code")
		case content.KindRef:
			fv.Hint = h.web.T(c, "newsroom.hint.ref")
		}
		if hint := h.web.T(c, "newsroom.hint.field."+f.Name); hint != "newsroom.hint.field."+f.Name {
			fv.Hint = hint // a key that needs its own explanation (the fields of an act template)
		}
		out = append(out, fv)
	}
	return out
}

// formOf reads the entry form.
func formOf(c *fiber.Ctx, def *content.Definition, t content.Type, slug string) content.Draft {
	d := content.Draft{Type: t, Slug: slug, Body: c.FormValue("body"), Fields: map[string]string{}}
	d.Base, _ = strconv.ParseInt(c.FormValue("rev"), 10, 64)
	d.BaseHash = c.FormValue("rev_hash")
	for _, f := range def.Fields {
		if v := c.FormValue(f.Name); v != "" {
			d.Fields[f.Name] = v
		}
	}
	return d
}

// page is what the entry page shows.
type page struct {
	Def    *content.Definition
	Work   *content.Work // nil for a new entry
	Draft  content.Draft
	Errors map[string]string
	Alert  string
	// Preview is the draft's body rendered as the public page renders it.
	Preview template.HTML
	// StepErrors are the messages beside the steps' own fields (comment, times).
	StepErrors map[string]string
	StepValues map[string]string
	// Conflict, after ErrMoved, compares the latest saved version with what the user typed.
	Conflict *Changes
	// PreviewLink is a preview link just made, shown once (it is not stored), valid until PreviewUntil.
	PreviewLink  string
	PreviewUntil time.Time
	// Confirm asks the publisher to publish despite the broken links.
	Confirm bool
}

func (h *Handlers) render(c *fiber.Ctx, p page) error {
	h.web.CSRFToken(c)
	who := actor(c)
	var steps map[string]bool
	title := h.web.T(c, "newsroom.new", "Type", h.typeLabel(c, p.Def))
	action := "/redazione/nuovo/" + string(p.Def.Name)
	var public, titleLang string
	if p.Work != nil {
		titleLang = "it" // the entry's own title
		steps = content.Steps(who, p.Def, p.Work.Entry, p.Work.Head)
		title = p.Work.Entry.Title
		action = content.DeskURL(p.Def.Name, p.Work.Entry.Slug)
		if p.Work.Live != nil {
			public = p.Def.Name.URL(p.Work.Entry.Slug)
		}
	} else {
		steps = content.Steps(who, p.Def, nil, nil)
	}
	var broken []content.Link
	if p.Work != nil && (p.Work.Head.State == content.StateDraft || p.Work.Head.State == content.StateReview || p.Work.Head.State == content.StateScheduled) {
		var err error
		if broken, err = h.svc.BrokenLinksOf(c.UserContext(), p.Def.Name, p.Work.Entry.Slug, p.Work.Doc.Body); err != nil {
			return err
		}
	}
	fields := h.fields(c, p.Def, p.Draft.Fields, p.Errors)
	if err := h.withChoices(c, p.Def, fields); err != nil {
		return err
	}
	var summary []web.FieldError
	for _, f := range fields {
		if f.Error != "" {
			summary = append(summary, web.FieldError{ID: f.ID, Label: f.Label, Message: f.Error})
		}
	}
	if msg := p.Errors["body"]; msg != "" {
		summary = append(summary, web.FieldError{ID: "f-body", Label: h.web.T(c, "newsroom.body"), Message: msg})
	}
	if msg := p.Errors["slug"]; msg != "" {
		summary = append(summary, web.FieldError{ID: "f-slug", Label: h.web.T(c, "newsroom.slug"), Message: msg})
	}
	return h.web.Page(c, "newsroom/edit", fiber.Map{"Title": title, "P": p, "Fields": fields,
		"TitleLang": titleLang, "Summary": summary, "Errors": p.Errors, "Alert": p.Alert, "Steps": steps, "Action": action, "Public": public, "TypeLabel": h.typeLabel(c, p.Def),
		"Renamable": content.Renamable(p.Def), "Publisher": who.Publisher, "Now": time.Now(), "Crumbs": h.crumbs(c), "StepErrors": p.StepErrors, "StepValues": p.StepValues,
		"PreviewLink": p.PreviewLink, "LinkUntil": p.PreviewUntil, "Broken": broken, "Confirm": p.Confirm,
		"Autosave": autosaveOn(p, steps), "BaseHash": baseHash(p)})
}

func definition(c *fiber.Ctx) (*content.Definition, error) {
	def, ok := content.Lookup(content.Type(c.Params("type")))
	if !ok {
		return nil, fiber.ErrNotFound
	}
	return def, nil
}

func (h *Handlers) newForm(c *fiber.Ctx) error {
	def, err := definition(c)
	if err != nil {
		return err
	}
	return h.render(c, page{Def: def, Draft: content.Draft{Type: def.Name, Fields: map[string]string{}}})
}

func (h *Handlers) work(c *fiber.Ctx) (*content.Work, error) {
	w, err := h.svc.Work(c.UserContext(), content.Type(c.Params("type")), c.Params("slug"))
	if errors.Is(err, db.ErrNotFound) {
		return nil, fiber.ErrNotFound
	}
	return w, err
}

func (h *Handlers) edit(c *fiber.Ctx) error {
	w, err := h.work(c)
	if err != nil {
		return err
	}
	d := content.Draft{Type: w.Def.Name, Slug: w.Entry.Slug, Base: w.Head.ID, Body: w.Doc.Body, Fields: content.FormValues(w.Def, w.Doc),
		Rename: w.Head.Slug}
	return h.render(c, page{Def: w.Def, Work: w, Draft: d})
}

func (h *Handlers) create(c *fiber.Ctx) error {
	def, err := definition(c)
	if err != nil {
		return err
	}
	d := formOf(c, def, def.Name, strings.TrimSpace(c.FormValue("slug")))
	d.Base = 0
	return h.saveOrPreview(c, def, nil, d)
}

func (h *Handlers) save(c *fiber.Ctx) error {
	w, err := h.work(c)
	if err != nil {
		return err
	}
	d := formOf(c, w.Def, w.Def.Name, w.Entry.Slug)
	d.Rename = strings.TrimSpace(c.FormValue("slug"))
	return h.saveOrPreview(c, w.Def, w, d)
}

// saveOrPreview saves the draft, or with azione=anteprima renders it without saving. A refused
// save shows the form again with what was typed.
func (h *Handlers) saveOrPreview(c *fiber.Ctx, def *content.Definition, w *content.Work, d content.Draft) error {
	p := page{Def: def, Work: w, Draft: d, Errors: map[string]string{}}
	if c.FormValue("azione") == "anteprima" {
		html, err := previewOf(d)
		if err != nil {
			return h.refuse(c, p, err)
		}
		p.Preview = html
		return h.render(c, p)
	}
	e, _, err := h.svc.SaveDraft(c.UserContext(), actor(c), d)
	if err != nil {
		return h.refuse(c, p, err)
	}
	h.web.Flash(c, "newsroom.done.save")
	return c.Redirect(content.DeskURL(e.Type, e.Slug), fiber.StatusSeeOther)
}

// refuse shows the form again, with what was typed, and why it was refused.
func (h *Handlers) refuse(c *fiber.Ctx, p page, err error) error {
	var fe *content.FileError
	switch {
	case errors.As(err, &fe):
		c.Status(fiber.StatusUnprocessableEntity)
		for _, pr := range fe.All() { // every field's message at once
			switch {
			case pr.Key == "":
				p.Alert = strings.TrimSpace(p.Alert + " " + pr.Msg)
			case p.Errors[pr.Key] == "":
				p.Errors[pr.Key] = h.web.T(c, "newsroom.invalid."+pr.Rule, "Detail", pr.Detail)
			}
		}
		if p.Alert == "" {
			p.Alert = h.web.T(c, "form.errors")
		}
	case errors.Is(err, content.ErrMoved) && p.Work != nil:
		// Someone saved meanwhile: the text typed stays in the form, over the latest revision.
		c.Status(fiber.StatusConflict)
		p.Alert = h.web.T(c, "newsroom.error.moved_text")
		if latest, lerr := h.work(c); lerr == nil {
			p.Work, p.Draft.Base, p.Draft.BaseHash = latest, latest.Head.ID, latest.Head.Hash
			mine, body := p.Draft.Fields, p.Draft.Body
			if doc, perr := content.Preview(p.Draft); perr == nil {
				mine, body = content.FormValues(p.Def, doc), doc.Body // as it would be saved: untouched fields compare equal
			}
			ch := h.changes(c, p.Def, content.FormValues(latest.Def, latest.Doc), latest.Doc.Body, mine, body)
			p.Conflict = &ch
		}
	default:
		if p.Alert, err = h.say(c, err, p.Errors, "form.errors"); err != nil {
			return err
		}
	}
	return h.render(c, p)
}

// say sets the status of a known error and returns the page's alert: a field's message goes
// beside its field in errs (the alert then says fieldsAlert), any other is the alert itself. An
// error the table does not know is returned as it is.
func (h *Handlers) say(c *fiber.Ctx, err error, errs map[string]string, fieldsAlert string) (string, error) {
	st, ok := errorStatus.Of(err)
	if !ok {
		return "", err
	}
	c.Status(st.Code)
	if st.Field != "" {
		errs[st.Field] = h.web.Say(c, st)
		return h.web.T(c, fieldsAlert), nil
	}
	return h.web.Say(c, st), nil
}

var steps = map[string]bool{content.StepSubmit: true, content.StepRequestChanges: true, content.StepPublish: true,
	content.StepSchedule: true, content.StepUnpublish: true, content.StepArchive: true}

func (h *Handlers) step(c *fiber.Ctx) error {
	step := c.Params("step")
	if !steps[step] {
		return fiber.ErrNotFound
	}
	w, err := h.work(c)
	if err != nil {
		return err
	}
	ctx, who := c.UserContext(), actor(c)
	t, slug := w.Def.Name, w.Entry.Slug
	base, _ := strconv.ParseInt(c.FormValue("rev"), 10, 64)
	values := map[string]string{"comment": c.FormValue("comment"), "publish_at": c.FormValue("publish_at"), "unpublish_at": c.FormValue("unpublish_at")}
	switch step {
	case content.StepSubmit:
		err = h.svc.Submit(ctx, who, t, slug, base)
	case content.StepRequestChanges:
		err = h.svc.RequestChanges(ctx, who, t, slug, base, values["comment"])
	case content.StepPublish:
		if c.FormValue("comunque") == "1" {
			err = h.svc.PublishAnyway(ctx, who, t, slug, base)
		} else {
			err = h.svc.Publish(ctx, who, t, slug, base)
		}
	case content.StepSchedule:
		at, bad1 := localTime(values["publish_at"])
		until, bad2 := localTime(values["unpublish_at"])
		switch {
		case bad1:
			err = fieldErr{"publish_at", "newsroom.error.time"}
		case bad2:
			err = fieldErr{"unpublish_at", "newsroom.error.time"}
		case c.FormValue("comunque") == "1":
			err = h.svc.ScheduleAnyway(ctx, who, t, slug, base, at, until)
		default:
			err = h.svc.Schedule(ctx, who, t, slug, base, at, until)
		}
	case content.StepUnpublish:
		err = h.svc.Unpublish(ctx, who, t, slug, base)
	case content.StepArchive:
		err = h.svc.Archive(ctx, who, t, slug, base)
	}
	if err != nil {
		return h.refuseStep(c, w, err, values)
	}
	h.web.Flash(c, "newsroom.done."+step)
	if now, err := h.svc.SlugOf(ctx, w.Entry.ID); err == nil {
		slug = now // a publication may have renamed the entry
	}
	return c.Redirect(content.DeskURL(t, slug), fiber.StatusSeeOther)
}

// previewLink makes a signed preview link to the draft (or revision in review) rev, valid for
// giorni days, and shows it on the entry page.
func (h *Handlers) previewLink(c *fiber.Ctx) error {
	w, err := h.work(c)
	if err != nil {
		return err
	}
	base, _ := strconv.ParseInt(c.FormValue("rev"), 10, 64)
	values := map[string]string{"giorni": strings.TrimSpace(c.FormValue("giorni"))}
	days := 0
	if values["giorni"] != "" {
		if days, err = strconv.Atoi(values["giorni"]); err != nil {
			return h.refuseStep(c, w, fieldErr{"giorni", "newsroom.error.link_days"}, values)
		}
	}
	path, until, err := h.links.Create(c.UserContext(), w.Def.Name, w.Entry.Slug, base, days)
	if err != nil {
		return h.refuseStep(c, w, err, values)
	}
	d := content.Draft{Type: w.Def.Name, Slug: w.Entry.Slug, Base: w.Head.ID, Body: w.Doc.Body, Fields: content.FormValues(w.Def, w.Doc), Rename: w.Head.Slug}
	return h.render(c, page{Def: w.Def, Work: w, Draft: d, Errors: map[string]string{}, StepValues: values,
		PreviewLink: c.BaseURL() + path, PreviewUntil: until})
}

type fieldErr struct{ field, msg string }

func (e fieldErr) Error() string { return e.field + ": " + e.msg }

// refuseStep shows the entry page again with the reason a step was refused.
func (h *Handlers) refuseStep(c *fiber.Ctx, w *content.Work, err error, values map[string]string) error {
	latest, lerr := h.work(c)
	if lerr != nil {
		return lerr
	}
	d := content.Draft{Type: latest.Def.Name, Slug: latest.Entry.Slug, Base: latest.Head.ID, Body: latest.Doc.Body,
		Fields: content.FormValues(latest.Def, latest.Doc), Rename: latest.Head.Slug}
	p := page{Def: latest.Def, Work: latest, Draft: d, Errors: map[string]string{}, StepErrors: map[string]string{}, StepValues: values}
	var fe fieldErr
	var refused *content.Refused
	var file *content.FileError
	var broken *content.BrokenLinks
	switch {
	case errors.As(err, &broken):
		c.Status(fiber.StatusUnprocessableEntity)
		msg := "newsroom.error.broken_links"
		if c.Params("step") == content.StepSchedule {
			msg = "newsroom.error.broken_links_schedule"
		}
		p.Alert = h.web.T(c, msg, "Count", len(broken.Links))
		p.Confirm = true
	case errors.As(err, &fe):
		c.Status(fiber.StatusUnprocessableEntity)
		p.StepErrors[fe.field] = h.web.T(c, fe.msg)
		p.Alert = h.web.T(c, "newsroom.error.step_fields")
	case errors.As(err, &refused) && refused.Key != "":
		c.Status(fiber.StatusUnprocessableEntity)
		p.Errors[refused.Key] = h.web.T(c, "newsroom.invalid."+refused.Rule, "Detail", refused.Detail)
		p.Alert = h.web.T(c, "newsroom.error.refused_field")
	case errors.As(err, &refused):
		c.Status(fiber.StatusUnprocessableEntity)
		p.Alert = h.web.T(c, "newsroom.error.refused", "Reason", refused.Msg)
	case errors.As(err, &file):
		c.Status(fiber.StatusUnprocessableEntity)
		p.Alert = h.web.T(c, "newsroom.error.refused", "Reason", file.Msg)
	default:
		if p.Alert, err = h.say(c, err, p.StepErrors, "newsroom.error.step_fields"); err != nil {
			return err
		}
	}
	return h.render(c, p)
}

// rome is the time zone the schedule's times are written in.
var rome = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Rome"); err == nil {
		return l
	}
	return time.UTC
}()

// localTime reads a datetime-local value ("2026-12-04T10:30"), Italian time; bad is set when
// the value is there but not a time.
func localTime(v string) (t time.Time, bad bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, v, rome); err == nil {
			return t, false
		}
	}
	return time.Time{}, true
}

// RomeTime formats t for a datetime-local control, Italian time.
func RomeTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(rome).Format("2006-01-02T15:04")
}

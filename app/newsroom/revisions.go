package newsroom

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/worddiff"
)

// Change is the word difference of one field (or the body) between two versions.
type Change struct {
	Label    string
	Old, New string
	Ops      []worddiff.Op
}

// Changes compares two versions of an entry, field by field in the registry's order and then the
// body. changed are the fields that differ, same the labels of those that do not.
type Changes struct {
	Changed []Change
	Same    []string
}

// Any says whether anything differs.
func (c Changes) Any() bool { return len(c.Changed) > 0 }

func (h *Handlers) changes(c *fiber.Ctx, def *content.Definition, oldFields map[string]string, oldBody string,
	newFields map[string]string, newBody string) Changes {
	var out Changes
	add := func(label, a, b string) {
		if a == b {
			out.Same = append(out.Same, label)
			return
		}
		out.Changed = append(out.Changed, Change{Label: label, Old: a, New: b, Ops: worddiff.Diff(a, b)})
	}
	for _, f := range h.fields(c, def, nil, nil) {
		add(f.Label, oldFields[f.Name], newFields[f.Name])
	}
	add(h.web.T(c, "newsroom.body"), oldBody, newBody)
	return out
}

// compare shows the word difference between revisions da and a of an entry (by default the one
// before the latest and the latest), with a GET form to choose them and buttons to restore them.
func (h *Handlers) compare(c *fiber.Ctx) error {
	w, err := h.work(c)
	if err != nil {
		return err
	}
	return h.renderCompare(c, w, "")
}

func (h *Handlers) renderCompare(c *fiber.Ctx, w *content.Work, alert string) error {
	head := w.Head.Number
	from, to := head-1, head
	if from < 1 {
		from = head
	}
	if n, err := strconv.Atoi(c.Query("da")); err == nil {
		from = n
	}
	if n, err := strconv.Atoi(c.Query("a")); err == nil {
		to = n
	}
	ctx := c.UserContext()
	a, err := h.svc.Version(ctx, w.Def.Name, w.Entry.Slug, from)
	if err == nil {
		var b *content.Version
		if b, err = h.svc.Version(ctx, w.Def.Name, w.Entry.Slug, to); err == nil {
			h.web.CSRFToken(c)
			who := actor(c)
			return h.web.Page(c, "newsroom/compare", fiber.Map{
				"Title": h.web.T(c, "newsroom.compare.title", "From", from, "To", to), "Entry": w.Entry.Title, "Work": w,
				"From": a.Revision, "To": b.Revision, "Changes": h.changes(c, w.Def, a.Fields, a.Doc.Body, b.Fields, b.Doc.Body),
				"Action": content.DeskURL(w.Def.Name, w.Entry.Slug), "MaySave": content.Steps(who, w.Def, w.Entry, w.Head)[content.StepSave],
				"Alert": alert, "Now": time.Now(), "Crumbs": append(h.crumbs(c), map[string]string{
					"URL": content.DeskURL(w.Def.Name, w.Entry.Slug), "Label": w.Entry.Title, "ContentLang": "it"}),
			})
		}
	}
	if errors.Is(err, db.ErrNotFound) {
		return fiber.ErrNotFound
	}
	return err
}

// restore saves an old revision again as a new draft, over the latest revision the page showed.
func (h *Handlers) restore(c *fiber.Ctx) error {
	w, err := h.work(c)
	if err != nil {
		return err
	}
	number, err := strconv.Atoi(c.FormValue("numero"))
	if err != nil {
		return fiber.ErrNotFound
	}
	base, _ := strconv.ParseInt(c.FormValue("rev"), 10, 64)
	e, _, err := h.svc.Restore(c.UserContext(), actor(c), w.Def.Name, w.Entry.Slug, number, base)
	if errors.Is(err, db.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		st, ok := errorStatus.Of(err)
		if !ok {
			var fe *content.FileError
			if !errors.As(err, &fe) {
				return err
			}
			st.Code, st.Message = fiber.StatusUnprocessableEntity, "newsroom.error.restore_invalid"
		}
		c.Status(st.Code)
		return h.renderCompare(c, w, h.web.Say(c, st))
	}
	h.web.Flash(c, "newsroom.done.restore")
	return c.Redirect(content.DeskURL(e.Type, e.Slug), fiber.StatusSeeOther)
}

package tender

import (
	"context"
	"errors"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/db"
	"passhub/app/form"
	"passhub/app/search"
	"passhub/app/web"
)

// PageSize is how many documents a page of the library lists.
const PageSize = 20

// Choice is an ente offered in a form: the author of a document, the ente a download is for.
type Choice struct {
	ID   int64
	Name string
}

// Handlers serve the library's pages.
type Handlers struct {
	web *web.Server
	svc *Service
	// Authors lists the enti an editor may name as a document's author.
	Authors func(ctx context.Context) ([]Choice, error)
	// Enti lists the approved enti the user is an enabled member of, by name.
	Enti func(ctx context.Context, userID int64) ([]Choice, error)
	// Search runs the library's faceted search (nil: the list is read from the database with
	// exact filters and no text).
	Search Searcher
}

// NewHandlers returns the library's handlers.
func NewHandlers(w *web.Server, svc *Service) *Handlers { return &Handlers{web: w, svc: svc} }

// Mount registers the library's routes under Base.
func (h *Handlers) Mount(r fiber.Router) {
	view := access.Require(access.ViewTenderDocs, nil)
	edit := access.Require(access.EditTenderDocs, nil)
	approve := access.Require(access.ApproveTenderDocs, nil)
	r.Get(Base, view, h.list)
	r.Get(Base+"/nuovo", edit, h.newForm)
	r.Post(Base+"/nuovo", edit, h.create)
	r.Get(Base+"/:id", view, h.show)
	r.Get(Base+"/:id/modifica", edit, h.editForm)
	r.Post(Base+"/:id/modifica", edit, h.update)
	r.Post(Base+"/:id/versioni", edit, h.addVersion)
	r.Post(Base+"/:id/approva", approve, h.approve)
	r.Post(Base+"/:id/sostituisci", approve, h.supersede)
	r.Get(Base+"/:id/versioni/:vid/scarica", view, h.download)
}

func actor(c *fiber.Ctx) Actor {
	a := web.ActorOf(c)
	return Actor{UserID: a.UserID, Name: a.Name, IP: a.IP}
}

func (h *Handlers) crumbs(c *fiber.Ctx, more ...map[string]string) []map[string]string {
	return append([]map[string]string{{"URL": Base, "Label": h.web.T(c, "tender.title")}}, more...)
}

// load reads the document of the route, as the viewer may see it: a draft is missing (404) for
// whoever may not open it, so its existence leaks nothing.
func (h *Handlers) load(c *fiber.Ctx) (*Document, error) {
	id := web.IDOrZero(c, "id")
	if id == 0 {
		return nil, fiber.ErrNotFound
	}
	d, err := h.svc.Get(c.UserContext(), id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, fiber.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if !access.Of(c).Can(access.ViewTenderDocs, access.Object{Draft: d.Draft()}) {
		return nil, fiber.ErrNotFound
	}
	return d, nil
}

// options are the choices of the forms and filters, with their labels.
func (h *Handlers) options(c *fiber.Ctx) fiber.Map {
	label := func(prefix string, values []string) []map[string]string {
		out := make([]map[string]string, len(values))
		for i, v := range values {
			out[i] = map[string]string{"Value": v, "Label": h.web.T(c, prefix+v)}
		}
		return out
	}
	return fiber.Map{"Kinds": label("tender.kind.", Kinds), "Procedures": label("tender.procedure.", Procedures),
		"Thresholds": label("tender.threshold.", Thresholds), "Statuses": label("tender.status.", Statuses)}
}

func (h *Handlers) list(c *fiber.Ctx) error {
	s := access.Of(c)
	page, _ := strconv.Atoi(c.Query("pagina", "1"))
	page = max(page, 1)
	filters := map[string][]string{}
	for _, p := range Params {
		for _, v := range queryValues(c, p.Name) {
			if v != "" && !slices.Contains(filters[p.Key], v) && len(filters[p.Key]) < 10 {
				filters[p.Key] = append(filters[p.Key], v)
			}
		}
	}
	words := strings.TrimSpace(c.Query("q"))
	data := fiber.Map{"Title": h.web.T(c, "tender.title"), "Words": words, "MayEdit": s.Can(access.EditTenderDocs, access.Object{})}
	for k, v := range h.options(c) {
		data[k] = v
	}
	if h.Search != nil {
		res, err := h.Search.Library(c.UserContext(), s, words, filters, page)
		if err != nil {
			return err
		}
		data["Results"], data["Total"] = res.Items, res.Total
		data["Partial"] = res.Partial
		data["Facets"] = h.facets(c, res.Facets, filters)
		data["Pager"] = struct{ Page, Pages int }{page, res.Pages}
		data["PagerQuery"] = pagerQuery(c)
		return h.web.Page(c, "tender/list", data)
	}
	f := Filter{Drafts: s.Can(access.ViewTenderDocs, access.Object{Draft: true}), Limit: PageSize, Offset: (page - 1) * PageSize}
	first := func(k string) string {
		if vs := filters[k]; len(vs) > 0 {
			return vs[0]
		}
		return ""
	}
	f.Kind, f.ProcedureType, f.Threshold, f.Status = first(FacetKind), first(FacetProcedure), first(FacetThreshold), first(FacetStatus)
	docs, total, err := h.svc.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	var items []Item
	for _, d := range docs {
		items = append(items, Item{ID: d.ID, Title: d.Title, URL: URL(d.ID), Kind: d.Kind, ProcedureType: d.ProcedureType, Status: d.Status, Author: d.Author})
	}
	data["Results"], data["Total"] = items, total
	data["Pager"] = struct{ Page, Pages int }{page, (total + PageSize - 1) / PageSize}
	data["PagerQuery"] = pagerQuery(c)
	return h.web.Page(c, "tender/list", data)
}

// queryValues reads every value of a repeated GET parameter.
func queryValues(c *fiber.Ctx, name string) []string {
	var out []string
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		if string(k) == name {
			out = append(out, string(v))
		}
	})
	return out
}

// pagerQuery is the page's query without its page number, for the pager's links.
func pagerQuery(c *fiber.Ctx) string {
	v, _ := url.ParseQuery(string(c.Context().QueryArgs().QueryString()))
	v.Del("pagina")
	return v.Encode()
}

func (h *Handlers) formPage(c *fiber.Ctx, d *Document, f Form, errs map[string]string, status int) error {
	authors, err := h.Authors(c.UserContext())
	if err != nil {
		return err
	}
	h.web.CSRFToken(c)
	title := h.web.T(c, "tender.new")
	action := Base + "/nuovo"
	crumbs := h.crumbs(c)
	if d != nil {
		title = h.web.T(c, "tender.edit")
		action = URL(d.ID) + "/modifica"
		crumbs = h.crumbs(c, map[string]string{"URL": URL(d.ID), "Label": d.Title})
	}
	data := fiber.Map{"Title": title, "Doc": d, "Form": f, "Errors": errs, "Action": action, "Crumbs": crumbs, "Authors": authors,
		"Accept": strings.Join(Extensions, ","), "MaxMB": h.svc.MaxFile >> 20}
	for k, v := range h.options(c) {
		data[k] = v
	}
	if len(errs) > 0 {
		data["Summary"] = web.FieldErrors(errs, "title", "tender-title", h.web.T(c, "tender.field.title"),
			"description", "tender-description", h.web.T(c, "tender.field.description"),
			"kind", "tender-kind", h.web.T(c, "tender.field.kind"),
			"procedure_type", "tender-procedure", h.web.T(c, "tender.field.procedure"),
			"threshold", "tender-threshold-sopra", h.web.T(c, "tender.field.threshold"),
			"amount_min", "tender-amount-min", h.web.T(c, "tender.field.amount_min"),
			"amount_max", "tender-amount-max", h.web.T(c, "tender.field.amount_max"),
			"legal_basis", "tender-legal-basis", h.web.T(c, "tender.field.legal_basis"),
			"valid_from", "tender-valid-from", h.web.T(c, "tender.field.valid_from"),
			"valid_until", "tender-valid-until", h.web.T(c, "tender.field.valid_until"),
			"author", "tender-author", h.web.T(c, "tender.field.author"),
			"file", "tender-file", h.web.T(c, "tender.field.file"))
		c.Status(status)
	}
	return h.web.Page(c, "tender/form", data)
}

func (h *Handlers) newForm(c *fiber.Ctx) error {
	return h.formPage(c, nil, Form{}, nil, 0)
}

func formOf(c *fiber.Ctx) Form {
	author, _ := strconv.ParseInt(c.FormValue("author"), 10, 64)
	return Form{Title: c.FormValue("title"), Description: c.FormValue("description"), Kind: c.FormValue("kind"),
		ProcedureType: c.FormValue("procedure_type"), Threshold: c.FormValue("threshold"), AmountMin: c.FormValue("amount_min"),
		AmountMax: c.FormValue("amount_max"), LegalBasis: c.FormValue("legal_basis"), ValidFrom: c.FormValue("valid_from"),
		ValidUntil: c.FormValue("valid_until"), AuthorEnteID: author}
}

// upload reads the form's file where it lies; one larger than allowed is not even opened.
func (h *Handlers) upload(c *fiber.Ctx) (Upload, func(), bool, error) {
	fh, err := c.FormFile("file")
	if err != nil || fh.Size == 0 {
		return Upload{}, func() {}, false, nil
	}
	if fh.Size > h.svc.MaxFile {
		return Upload{Name: fh.Filename}, func() {}, true, nil
	}
	f, err := fh.Open()
	if err != nil {
		return Upload{}, func() {}, false, err
	}
	return Upload{Name: fh.Filename, Src: io.NewSectionReader(f, 0, fh.Size)}, func() { f.Close() }, false, nil
}

func (h *Handlers) create(c *fiber.Ctx) error {
	f := formOf(c)
	u, done, tooLarge, err := h.upload(c)
	if err != nil {
		return err
	}
	defer done()
	var d *Document
	if tooLarge {
		err = form.Errors{"file": "tender.error.file_large"}
	} else {
		d, err = h.svc.Create(c.UserContext(), actor(c), f, u)
	}
	var errs form.Errors
	if errors.As(err, &errs) {
		return h.formPage(c, nil, f, h.messages(c, errs), fiber.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	h.web.Flash(c, "tender.done.create")
	return c.Redirect(URL(d.ID), fiber.StatusSeeOther)
}

func (h *Handlers) messages(c *fiber.Ctx, errs form.Errors) map[string]string {
	out := map[string]string{}
	for k, id := range errs {
		out[k] = h.web.T(c, id, "Max", h.svc.MaxFile>>20, "Title", MaxTitle, "Description", MaxDescription, "Note", MaxNote, "Last", MaxArticle)
	}
	return out
}

func (h *Handlers) editForm(c *fiber.Ctx) error {
	d, err := h.load(c)
	if err != nil {
		return err
	}
	if !d.Draft() {
		return c.Redirect(URL(d.ID), fiber.StatusSeeOther)
	}
	return h.formPage(c, d, FormOf(d), nil, 0)
}

func (h *Handlers) update(c *fiber.Ctx) error {
	d, err := h.load(c)
	if err != nil {
		return err
	}
	f := formOf(c)
	_, err = h.svc.Update(c.UserContext(), actor(c), d.ID, f)
	var errs form.Errors
	switch {
	case errors.As(err, &errs):
		return h.formPage(c, d, f, h.messages(c, errs), fiber.StatusUnprocessableEntity)
	case errors.Is(err, ErrState):
		h.web.FlashWarning(c, "tender.error.state")
		return c.Redirect(URL(d.ID), fiber.StatusSeeOther)
	case err != nil:
		return err
	}
	h.web.Flash(c, "tender.done.update")
	return c.Redirect(URL(d.ID), fiber.StatusSeeOther)
}

// showPage renders a document's page: its fields, versions, the viewer's enti's downloads (all
// of them for the writers), and the forms the viewer may use.
func (h *Handlers) showPage(c *fiber.Ctx, d *Document, extra fiber.Map, status int) error {
	ctx := c.UserContext()
	s := access.Of(c)
	writer := s.Can(access.EditTenderDocs, access.Object{})
	enti, err := h.Enti(ctx, s.UserID)
	if err != nil {
		return err
	}
	ids := make([]int64, len(enti))
	for i, e := range enti {
		ids[i] = e.ID
	}
	downloads, err := h.svc.DownloadsOfDocument(ctx, d.ID, ids, writer)
	if err != nil {
		return err
	}
	h.web.CSRFToken(c)
	data := fiber.Map{"Title": d.Title, "Doc": d, "Crumbs": h.crumbs(c), "Downloads": downloads, "Enti": enti,
		"MayEdit": writer && d.Status != StatusSuperseded, "MayApprove": s.Can(access.ApproveTenderDocs, access.Object{}),
		"Accept": strings.Join(Extensions, ","), "MaxMB": h.svc.MaxFile >> 20, "Errors": map[string]string{}, "Note": "", "ChoiceFor": int64(0)}
	data["Amount"] = h.amount(c, d)
	if d.SupersededBy != 0 {
		if by, err := h.svc.Get(ctx, d.SupersededBy); err == nil {
			data["SupersededBy"] = by
		}
	}
	if d.Status == StatusApproved && data["MayApprove"] == true {
		others, err := h.svc.Approved(ctx, d.ID)
		if err != nil {
			return err
		}
		data["Others"] = others
	}
	for k, v := range h.options(c) {
		data[k] = v
	}
	for k, v := range extra {
		data[k] = v
	}
	if status != 0 {
		c.Status(status)
	}
	return h.web.Page(c, "tender/document", data)
}

func (h *Handlers) show(c *fiber.Ctx) error {
	d, err := h.load(c)
	if err != nil {
		return err
	}
	return h.showPage(c, d, nil, 0)
}

func (h *Handlers) addVersion(c *fiber.Ctx) error {
	d, err := h.load(c)
	if err != nil {
		return err
	}
	note := c.FormValue("change_note")
	u, done, tooLarge, err := h.upload(c)
	if err != nil {
		return err
	}
	defer done()
	if tooLarge {
		err = form.Errors{"file": "tender.error.file_large"}
	} else {
		_, err = h.svc.AddVersion(c.UserContext(), actor(c), d.ID, note, u)
	}
	var errs form.Errors
	switch {
	case errors.As(err, &errs):
		msgs := h.messages(c, errs)
		return h.showPage(c, d, fiber.Map{"Errors": msgs, "Note": note, "Summary": web.FieldErrors(msgs,
			"file", "version-file", h.web.T(c, "tender.field.file"), "change_note", "version-note", h.web.T(c, "tender.field.change_note"))},
			fiber.StatusUnprocessableEntity)
	case errors.Is(err, ErrState):
		h.web.FlashWarning(c, "tender.error.state")
		return c.Redirect(URL(d.ID), fiber.StatusSeeOther)
	case err != nil:
		return err
	}
	h.web.Flash(c, "tender.done.version")
	return c.Redirect(URL(d.ID), fiber.StatusSeeOther)
}

func (h *Handlers) approve(c *fiber.Ctx) error {
	d, err := h.load(c)
	if err != nil {
		return err
	}
	err = h.svc.Approve(c.UserContext(), actor(c), d.ID)
	if errors.Is(err, ErrState) {
		h.web.FlashWarning(c, "tender.error.state")
		return c.Redirect(URL(d.ID), fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	h.web.Flash(c, "tender.done.approve")
	return c.Redirect(URL(d.ID), fiber.StatusSeeOther)
}

func (h *Handlers) supersede(c *fiber.Ctx) error {
	d, err := h.load(c)
	if err != nil {
		return err
	}
	by, _ := strconv.ParseInt(c.FormValue("superseded_by"), 10, 64)
	err = h.svc.Supersede(c.UserContext(), actor(c), d.ID, by)
	var errs form.Errors
	switch {
	case errors.As(err, &errs):
		msgs := h.messages(c, errs)
		return h.showPage(c, d, fiber.Map{"Errors": msgs, "Summary": web.FieldErrors(msgs, "superseded_by", "supersede-by", h.web.T(c, "tender.field.superseded_by"))},
			fiber.StatusUnprocessableEntity)
	case errors.Is(err, ErrState):
		h.web.FlashWarning(c, "tender.error.state")
		return c.Redirect(URL(d.ID), fiber.StatusSeeOther)
	case err != nil:
		return err
	}
	h.web.Flash(c, "tender.done.supersede")
	return c.Redirect(URL(d.ID), fiber.StatusSeeOther)
}

// download sends a version and records it: for the ente the person chose among those they are an
// enabled member of (the only one needs no choice); staff who are members of no ente download for
// none.
func (h *Handlers) download(c *fiber.Ctx) error {
	d, err := h.load(c)
	if err != nil {
		return err
	}
	vid := web.IDOrZero(c, "vid")
	if !slices.ContainsFunc(d.Versions, func(v *Version) bool { return v.ID == vid }) {
		return fiber.ErrNotFound
	}
	s := access.Of(c)
	enti, err := h.Enti(c.UserContext(), s.UserID)
	if err != nil {
		return err
	}
	var enteID int64
	switch {
	case len(enti) == 1:
		enteID = enti[0].ID
	case len(enti) > 1:
		chosen, _ := strconv.ParseInt(c.Query("ente"), 10, 64)
		if !slices.ContainsFunc(enti, func(e Choice) bool { return e.ID == chosen }) {
			msgs := map[string]string{"ente": h.web.T(c, "tender.error.ente")}
			return h.showPage(c, d, fiber.Map{"Errors": msgs, "ChoiceFor": vid,
				"Summary": web.FieldErrors(msgs, "ente", "download-ente-"+strconv.FormatInt(vid, 10), h.web.T(c, "tender.field.ente"))},
				fiber.StatusUnprocessableEntity)
		}
		enteID = chosen
	}
	v, rc, err := h.svc.Open(c.UserContext(), s.UserID, enteID, d.ID, vid)
	if errors.Is(err, db.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	return web.SendFile(c, rc, v.Filename, v.ContentType, v.Size)
}

// Facet is one facet as the list shows it: its values with labels and counts, and which are on.
type Facet struct {
	Key, Param, Label string
	Values            []FacetValue
}

// FacetValue is one value of a facet.
type FacetValue struct {
	Value, Label, ID string
	Count            int
	On               bool
}

// facets labels the counts of the library's facets; a value filtered on stays shown (with no
// count) even when nothing matches it, so it can be switched off.
func (h *Handlers) facets(c *fiber.Ctx, counts map[string][]search.FacetCount, filters map[string][]string) []Facet {
	var out []Facet
	for _, p := range Params {
		f := Facet{Key: p.Key, Param: p.Name, Label: h.web.T(c, "tender.facet."+p.Key)}
		on := map[string]bool{}
		for _, v := range filters[p.Key] {
			on[v] = true
		}
		seen := map[string]bool{}
		add := func(v string, n int) {
			seen[v] = true
			f.Values = append(f.Values, FacetValue{Value: v, Label: h.facetLabel(c, p.Key, v), Count: n, On: on[v],
				ID: "facet-" + p.Name + "-" + strconv.Itoa(len(f.Values))})
		}
		for _, fc := range counts[p.Key] {
			add(fc.Value, fc.Count)
		}
		for _, v := range filters[p.Key] {
			if !seen[v] {
				add(v, 0)
			}
		}
		if len(f.Values) > 0 {
			out = append(out, f)
		}
	}
	return out
}

func (h *Handlers) facetLabel(c *fiber.Ctx, key, value string) string {
	switch key {
	case FacetKind:
		return h.label(c, "tender.kind.", Kinds, value)
	case FacetProcedure:
		return h.label(c, "tender.procedure.", Procedures, value)
	case FacetThreshold:
		return h.label(c, "tender.threshold.", Thresholds, value)
	case FacetStatus:
		return h.label(c, "tender.status.", Statuses, value)
	case FacetAuthor:
		if id, err := strconv.ParseInt(value, 10, 64); err == nil && h.svc.Authors != nil {
			if name, ok, err := h.svc.Authors.AuthorName(c.UserContext(), id); err == nil && ok {
				return name
			}
		}
	}
	return value
}

func (h *Handlers) label(c *fiber.Ctx, prefix string, known []string, v string) string {
	if slices.Contains(known, v) {
		return h.web.T(c, prefix+v)
	}
	return v
}

// amount says the document's range of amounts in euro, with the digits grouped ("" for none).
func (h *Handlers) amount(c *fiber.Ctx, d *Document) string {
	lo, hi := Euro(d.AmountMin, web.Lang(c)), Euro(d.AmountMax, web.Lang(c))
	switch {
	case d.AmountMin > 0 && d.AmountMax > 0:
		return h.web.T(c, "tender.amount.range", "Min", lo, "Max", hi)
	case d.AmountMin > 0:
		return h.web.T(c, "tender.amount.min", "Min", lo)
	case d.AmountMax > 0:
		return h.web.T(c, "tender.amount.max", "Max", hi)
	}
	return ""
}

// Euro writes an amount with its thousands grouped: 5.538.000 in Italian, 5,538,000 in English.
func Euro(n int64, lang string) string {
	sep := "."
	if lang == "en" {
		sep = ","
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

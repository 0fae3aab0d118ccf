package crm

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/analysis"
	"passhub/app/db"
	"passhub/app/ente"
	"passhub/app/request"
	"passhub/app/web"
)

// Handlers serve the CRM under /area-riservata/crm.
type Handlers struct {
	web  *web.Server
	svc  *Service
	enti *ente.Service
}

// NewHandlers returns the CRM's handlers.
func NewHandlers(w *web.Server, svc *Service, enti *ente.Service) *Handlers {
	return &Handlers{web: w, svc: svc, enti: enti}
}

// Mount registers the CRM's routes.
func (h *Handlers) Mount(r fiber.Router) {
	list := access.Require(access.UseCRM, nil)
	view, manage := h.load(access.ViewComuneRecord), h.load(access.ManageComuneRecord)
	web.Mount(r, []web.Route{
		{Method: fiber.MethodGet, Path: "/area-riservata/crm", Handlers: []fiber.Handler{list, h.list}},
		{Method: fiber.MethodGet, Path: "/area-riservata/crm/elenco.:format", Handlers: []fiber.Handler{list, h.exportList}},
		{Method: fiber.MethodGet, Path: "/area-riservata/crm/:comune", Handlers: []fiber.Handler{view, h.record}},
		{Method: fiber.MethodGet, Path: "/area-riservata/crm/:comune/scheda.:format", Handlers: []fiber.Handler{view, h.exportRecord}},
		{Method: fiber.MethodPost, Path: "/area-riservata/crm/:comune/contatti", Handlers: []fiber.Handler{manage, h.addContact}},
		{Method: fiber.MethodPost, Path: "/area-riservata/crm/:comune/contatti/:id/elimina", Handlers: []fiber.Handler{manage, h.deleteContact}},
		{Method: fiber.MethodPost, Path: "/area-riservata/crm/:comune/interazioni", Handlers: []fiber.Handler{manage, h.logInteraction}},
		{Method: fiber.MethodPost, Path: "/area-riservata/crm/:comune/interazioni/:id/fatto", Handlers: []fiber.Handler{manage, h.followUpDone}},
		{Method: fiber.MethodPost, Path: "/area-riservata/crm/:comune/convenzioni", Handlers: []fiber.Handler{manage, h.addAgreement}},
	})
}

const recordKey = "crm.record"

// load finds the route's comune record when the subject may do action to it. A comune outside
// the subject's territory, one nobody follows and one that does not exist are the same 404: the
// answer tells nothing, not even that the record exists.
func (h *Handlers) load(action access.Action) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id := web.IDOrZero(c, "comune")
		if !access.Of(c).Can(action, access.Object{EnteID: id}) {
			return db.ErrNotFound
		}
		r, err := h.svc.Record(c.UserContext(), id)
		if err != nil {
			return err
		}
		c.Locals(recordKey, r)
		return c.Next()
	}
}

func recordOf(c *fiber.Ctx) *Record { return c.Locals(recordKey).(*Record) }

// filterOf reads the list's filters from the query: the subject's territory, or every followed
// comune for admins (who may choose a province).
func filterOf(c *fiber.Ctx) Filter {
	s := access.Of(c)
	f := Filter{All: s.Has(access.RoleAdmin), Comuni: s.Territory, Name: strings.TrimSpace(c.Query("q")), DueOnly: c.Query("richiami") == "1"}
	if f.All {
		f.ProvinceID, _ = strconv.ParseInt(c.Query("provincia"), 10, 64)
	}
	return f
}

func (h *Handlers) list(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f := filterOf(c)
	rows, err := h.svc.List(ctx, f)
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": h.web.T(c, "crm.title"), "Rows": rows, "Filter": f, "Today": h.svc.Today(),
		"Export": exportQuery(c)}
	if f.All {
		provinces, err := h.svc.Provinces(ctx)
		if err != nil {
			return err
		}
		data["Provinces"] = provinces
	}
	return h.web.Page(c, "crm/list", data)
}

// exportQuery is the list's filters as a query string for the export links.
func exportQuery(c *fiber.Ctx) string {
	q := string(c.Request().URI().QueryString())
	if q == "" {
		return ""
	}
	return "?" + q
}

// Form is one form of the record page: what was typed and what is wrong with it.
type Form struct {
	Values map[string]string
	Errors map[string]string
}

// Value returns a typed value.
func (f *Form) Value(name string) string {
	if f == nil {
		return ""
	}
	return f.Values[name]
}

// Error returns a field's message.
func (f *Form) Error(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// formFields are, per form, the fields in the order the form shows them, for the error summary.
var formFields = map[string][]string{
	"contact":     {"name", "role", "phone", "email", "pec"},
	"interaction": {"kind", "happened_on", "summary", "follow_up_on"},
	"agreement":   {"title", "starts_on", "ends_on", "services", "due", "paid", "notes"},
}

func (h *Handlers) record(c *fiber.Ctx) error { return h.render(c, "", nil) }

// render shows the record; failed names the form that was refused, typed what it held.
func (h *Handlers) render(c *fiber.Ctx, failed string, typed *Form) error {
	ctx := c.UserContext()
	r := recordOf(c)
	s := access.Of(c)
	timeline, err := h.svc.TimelineOf(ctx, r, func(q *request.Request) bool { return s.Can(access.ViewRequest, request.ObjectOf(q)) })
	if err != nil {
		return err
	}
	forms := map[string]*Form{}
	if typed != nil {
		forms[failed] = typed
	}
	if forms["interaction"] == nil {
		forms["interaction"] = &Form{Values: map[string]string{"kind": KindCall, "happened_on": h.svc.Today().Format("2006-01-02")}}
	}
	base := RecordURL(r.Comune.ID)
	data := fiber.Map{"Title": r.Comune.Name, "TitleLang": "it", "Record": r, "Timeline": timeline, "Forms": forms, "Kinds": Kinds,
		"Today": h.svc.Today(), "Base": base, "CSRF": h.web.CSRFToken(c), "Manage": s.Can(access.ManageComuneRecord, access.Object{EnteID: r.Comune.ID}),
		"Crumbs": []map[string]string{{"URL": "/area-riservata/crm", "Label": h.web.T(c, "crm.title")}}}
	if typed != nil && len(typed.Errors) > 0 {
		data["Alert"] = h.web.T(c, "form.errors")
		var spec []string
		for _, name := range formFields[failed] {
			spec = append(spec, name, "crm-"+failed+"-"+name, h.web.T(c, "crm."+failed+"."+name))
		}
		data["Summary"] = web.FieldErrors(typed.Errors, spec...)
		data["Failed"] = failed
	}
	return h.web.Page(c, "crm/record", data)
}

// refused shows the record again with a form's messages beside its fields (422, nothing stored).
func (h *Handlers) refused(c *fiber.Ctx, form string, err error) error {
	var ferrs FieldErrors
	if !errors.As(err, &ferrs) {
		return err
	}
	typed := &Form{Values: map[string]string{}, Errors: h.web.Messages(c, ferrs)}
	for _, name := range formFields[form] {
		typed.Values[name] = c.FormValue(name)
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return h.render(c, form, typed)
}

func actorOf(c *fiber.Ctx) Actor {
	a := web.ActorOf(c)
	return Actor{UserID: a.UserID, Name: a.Name, IP: a.IP}
}

func (h *Handlers) done(c *fiber.Ctx, flash, anchor string) error {
	h.web.Flash(c, flash)
	return c.Redirect(RecordURL(recordOf(c).Comune.ID)+anchor, fiber.StatusSeeOther)
}

func (h *Handlers) addContact(c *fiber.Ctx) error {
	_, err := h.svc.AddContact(c.UserContext(), actorOf(c), recordOf(c).Comune.ID, ContactForm{Name: c.FormValue("name"),
		Role: c.FormValue("role"), Phone: c.FormValue("phone"), Email: c.FormValue("email"), PEC: c.FormValue("pec")})
	if err != nil {
		return h.refused(c, "contact", err)
	}
	return h.done(c, "crm.flash.contact", "#contatti")
}

func (h *Handlers) deleteContact(c *fiber.Ctx) error {
	if err := h.svc.DeleteContact(c.UserContext(), recordOf(c).Comune.ID, web.IDOrZero(c, "id")); err != nil {
		return err
	}
	return h.done(c, "crm.flash.contact_deleted", "#contatti")
}

func (h *Handlers) logInteraction(c *fiber.Ctx) error {
	_, err := h.svc.LogInteraction(c.UserContext(), actorOf(c), recordOf(c).Comune.ID, InteractionForm{Kind: c.FormValue("kind"),
		HappenedOn: c.FormValue("happened_on"), Summary: c.FormValue("summary"), FollowUpOn: c.FormValue("follow_up_on")})
	if err != nil {
		return h.refused(c, "interaction", err)
	}
	return h.done(c, "crm.flash.interaction", "#interazioni")
}

func (h *Handlers) followUpDone(c *fiber.Ctx) error {
	if err := h.svc.FollowUpDone(c.UserContext(), recordOf(c).Comune.ID, web.IDOrZero(c, "id")); err != nil {
		return err
	}
	return h.done(c, "crm.flash.follow_up_done", "#interazioni")
}

func (h *Handlers) addAgreement(c *fiber.Ctx) error {
	_, err := h.svc.AddAgreement(c.UserContext(), actorOf(c), recordOf(c).Comune.ID, AgreementForm{Title: c.FormValue("title"),
		StartsOn: c.FormValue("starts_on"), EndsOn: c.FormValue("ends_on"), Services: c.FormValue("services"),
		Due: c.FormValue("due"), Paid: c.FormValue("paid"), Notes: c.FormValue("notes")})
	if err != nil {
		return h.refused(c, "agreement", err)
	}
	return h.done(c, "crm.flash.agreement", "#convenzioni")
}

// send answers an export: the table as CSV or XLSX, named after name and today.
func (h *Handlers) send(c *fiber.Ctx, t analysis.Table, name, filters string) error {
	format := c.Params("format")
	var body []byte
	var ctype string
	var err error
	switch format {
	case "csv":
		body, err = analysis.CSV(t)
		ctype = analysis.CSVType
	case "xlsx":
		body, err = analysis.XLSX(t, filters)
		ctype = analysis.XLSXType
	default:
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, ctype)
	c.Set(fiber.HeaderContentDisposition, web.ContentDisposition(name+"-"+h.svc.Today().Format("2006-01-02")+"."+format))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(body)
}

func (h *Handlers) exportList(c *fiber.Ctx) error {
	f := filterOf(c)
	rows, err := h.svc.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	T := func(id string) string { return h.web.T(c, id) }
	t := analysis.Table{Title: T("crm.title"), Head: []string{T("crm.col.comune"), T("crm.col.sigla"), T("crm.col.province"), T("crm.col.since"),
		T("crm.col.contacts"), T("crm.col.last"), T("crm.col.next"), T("crm.col.agreements"), T("crm.col.due"), T("crm.col.paid"), T("crm.col.balance")}}
	for _, r := range rows {
		t.Rows = append(t.Rows, []analysis.Cell{text(r.ComuneName), text(r.ComuneProvince), text(r.ProvinceName), date(r.Since),
			num(int64(r.Contacts)), date(r.LastInteraction), date(r.NextFollowUp), num(int64(r.Agreements)),
			euros(r.DueCents), euros(r.PaidCents), euros(r.BalanceCents())})
	}
	var filters []string
	if f.Name != "" {
		filters = append(filters, T("crm.filter.name")+": "+f.Name)
	}
	if f.DueOnly {
		filters = append(filters, T("crm.filter.due"))
	}
	return h.send(c, t, "crm-comuni", strings.Join(filters, " · "))
}

func (h *Handlers) exportRecord(c *fiber.Ctx) error {
	r := recordOf(c)
	T := func(id string) string { return h.web.T(c, id) }
	t := analysis.Table{Title: r.Comune.Name, Head: []string{T("crm.col.section"), T("crm.col.date"), T("crm.col.kind"), T("crm.col.what"),
		T("crm.col.detail"), T("crm.col.follow_up"), T("crm.col.due"), T("crm.col.paid")}}
	for _, p := range r.Contacts {
		detail := strings.Join(nonEmpty(p.Phone, p.Email, p.PEC), " · ")
		t.Rows = append(t.Rows, []analysis.Cell{text(T("crm.contacts")), {}, text(p.Role), text(p.Name), text(detail), {}, {}, {}})
	}
	for _, i := range r.Interactions {
		follow := date(i.FollowUpOn)
		if !i.FollowUpDoneAt.IsZero() {
			follow.Text = T("crm.follow_up.done")
			follow.Date = time.Time{}
		}
		t.Rows = append(t.Rows, []analysis.Cell{text(T("crm.interactions")), date(i.HappenedOn), text(T("crm.kind." + i.Kind)), text(i.Summary),
			text(i.CreatedByName), follow, {}, {}})
	}
	for _, a := range r.Agreements {
		period := a.StartsOn.Format("2006-01-02")
		if !a.EndsOn.IsZero() {
			period += " – " + a.EndsOn.Format("2006-01-02")
		}
		t.Rows = append(t.Rows, []analysis.Cell{text(T("crm.agreements")), date(a.StartsOn), text(period), text(a.Title),
			text(strings.Join(a.ServiceList(), "; ")), {}, euros(a.DueCents), euros(a.PaidCents)})
	}
	return h.send(c, t, "crm-"+strings.ToLower(r.Comune.Name), r.Province.Name)
}

func nonEmpty(v ...string) []string {
	var out []string
	for _, s := range v {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func text(s string) analysis.Cell { return analysis.Cell{Text: s} }
func num(n int64) analysis.Cell {
	return analysis.Cell{Num: float64(n), IsNum: true, Text: strconv.FormatInt(n, 10)}
}
func date(t time.Time) analysis.Cell { return analysis.Cell{Date: t} }
func euros(cents int64) analysis.Cell {
	return analysis.Cell{Num: float64(cents) / 100, IsNum: true, Text: Euros(cents)}
}

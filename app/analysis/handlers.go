package analysis

import (
	"context"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/catalogue"
	"passhub/app/request"
	"passhub/app/web"
)

// PageSize is how many requests a drill-down page lists.
const PageSize = 50

// listed is how many requests the panel lists of those waiting, before a link to them all.
const listed = 10

// Handlers serve the panel, its drill-down and its exports.
type Handlers struct {
	web       *web.Server
	svc       *Service
	catalogue *catalogue.Service
	requests  *request.Service
	// Desk gives the help desk's satisfaction figures, shown to those who see every task force.
	Desk func(ctx context.Context, from, to time.Time) (Satisfaction, error)
}

// NewHandlers returns the panel's handlers.
func NewHandlers(w *web.Server, svc *Service, cat *catalogue.Service, reqs *request.Service) *Handlers {
	return &Handlers{web: w, svc: svc, catalogue: cat, requests: reqs}
}

// Mount registers the panel's routes, the drill-down before the exports.
func (h *Handlers) Mount(r fiber.Router) {
	r.Get("/area-riservata/analisi", allow, h.panel)
	r.Get("/area-riservata/analisi/richieste", allow, h.drill)
	r.Get("/area-riservata/analisi/:table.:format", allow, h.export)
}

// allow lets admins and PMs through; visitors get 401 (the login page), others 403.
func allow(c *fiber.Ctx) error {
	s := access.Of(c)
	if _, ok := ViewerOf(s); ok {
		return c.Next()
	}
	if s.Anonymous() {
		return fiber.ErrUnauthorized
	}
	return fiber.ErrForbidden
}

// pageReq is what a panel's page read of its URL.
type pageReq struct {
	v    Viewer
	q    Query
	errs map[string]string
	tfs  []*catalogue.TaskForce // those the viewer may analyse
}

// read parses the filters; a task force the viewer may not analyse is refused (403), whatever
// else the URL says.
func (h *Handlers) read(c *fiber.Ctx) (pageReq, error) {
	v, _ := ViewerOf(access.Of(c))
	vals, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		vals = url.Values{}
	}
	q, errs := Parse(vals)
	all, err := h.catalogue.Catalogue(c.UserContext())
	if err != nil {
		return pageReq{}, err
	}
	r := pageReq{v: v, q: q, errs: errs}
	known := false
	for _, tf := range all {
		if v.May(tf.Code) {
			r.tfs = append(r.tfs, tf)
		}
		known = known || tf.Code == q.TaskForce
	}
	if q.TaskForce != "" {
		if !v.May(q.TaskForce) {
			return r, fiber.ErrForbidden
		}
		if !known {
			r.errs["tf"] = "analysis.error.taskforce"
			r.q.TaskForce = ""
		}
	}
	return r, nil
}

func (h *Handlers) builder(c *fiber.Ctx, r pageReq) builder {
	b := builder{t: func(id string, args ...any) string { return h.web.T(c, id, args...) }, q: r.q,
		procs: map[string]string{}, tfs: map[string]string{}}
	if all, err := h.catalogue.Catalogue(c.UserContext()); err == nil {
		for _, tf := range all {
			b.tfs[tf.Code] = tf.Title
			for _, p := range tf.Procedures {
				b.procs[strconv.FormatInt(p.ID, 10)] = p.Code + " – " + p.Title
			}
		}
	}
	return b
}

// tables computes every table of the panel for r.
func (h *Handlers) tables(c *fiber.Ctx, r pageReq) ([]Table, error) {
	ctx := c.UserContext()
	f, stock, err := h.svc.Figures(ctx, r.v, r.q)
	if err != nil {
		return nil, err
	}
	waiting, nw, err := h.svc.WaitingTriage(ctx, r.v, r.q, listed)
	if err != nil {
		return nil, err
	}
	overdue, no, err := h.svc.Overdue(ctx, r.v, r.q, listed)
	if err != nil {
		return nil, err
	}
	loads, err := h.svc.Workload(ctx, r.v, r.q)
	if err != nil {
		return nil, err
	}
	b := h.builder(c, r)
	today := h.svc.today()
	ts := []Table{
		b.counts(f), b.stock(stock), b.times(f),
		b.pending("attesa-triage", "analysis.waiting", waiting, nw, false, today),
		b.pending("integrazioni-scadute", "analysis.overdue", overdue, no, true, today),
		b.workload(loads), b.months(f), b.byTaskForce(f), b.byProcedure(f), b.byProvince(f),
	}
	if h.Desk != nil && r.v.All { // the help desk serves every task force: its figures are the whole platform's
		from, to := r.q.bounds()
		sat, err := h.Desk(ctx, from, to)
		if err != nil {
			return nil, err
		}
		ts = append(ts, b.satisfaction(sat))
	}
	return ts, nil
}

// form is the data of the filters' form.
func (h *Handlers) form(ctx context.Context, r pageReq) (fiber.Map, error) {
	enti, err := h.svc.Enti(ctx, r.v)
	if err != nil {
		return nil, err
	}
	experts, err := h.svc.Experts(ctx, r.v)
	if err != nil {
		return nil, err
	}
	provinces, err := h.svc.Provinces(ctx)
	if err != nil {
		return nil, err
	}
	var procs []*catalogue.Procedure
	for _, tf := range r.tfs {
		if r.q.TaskForce == "" || tf.Code == r.q.TaskForce {
			procs = append(procs, tf.Procedures...)
		}
	}
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	vals, _ := url.ParseQuery(r.q.Values().Encode())
	return fiber.Map{"TaskForces": r.tfs, "Procedures": procs, "Provinces": provinces,
		"EntiOptions": optionTags(enti, id(r.q.EnteID), true), "ExpertOptions": optionTags(experts, id(r.q.ExpertID), false),
		"Q": r.q, "Sel": map[string]string{"procedura": id(r.q.ProcedureID), "ente": id(r.q.EnteID), "esperto": id(r.q.ExpertID)},
		"Filters": vals}, nil
}

// optionTags writes the options of a select, the one of value selected chosen; content marks the
// labels as the platform's Italian data. The panel offers every ente with requests (1,500 in a
// region), too many for the template's reflective calls on every view.
func optionTags(opts []Option, selected string, content bool) template.HTML {
	var b strings.Builder
	b.Grow(len(opts) * 48)
	for _, o := range opts {
		b.WriteString(`<option value="` + template.HTMLEscapeString(o.Value) + `"`)
		if o.Value == selected {
			b.WriteString(" selected")
		}
		if content {
			b.WriteString(` lang="it"`)
		}
		b.WriteString(">" + template.HTMLEscapeString(o.Label) + "</option>")
	}
	return template.HTML(b.String()) // values and labels escaped above
}

func (h *Handlers) panel(c *fiber.Ctx) error {
	r, err := h.read(c)
	if err != nil {
		return err
	}
	data, err := h.form(c.UserContext(), r)
	if err != nil {
		return err
	}
	data["Title"] = h.web.T(c, "analysis.title")
	data["Errors"], data["Raw"] = map[string]string{}, map[string]string{}
	if len(r.errs) > 0 {
		// Bad input changes nothing: the form says what is wrong, beside the field, and keeps what
		// was typed.
		data["Errors"] = h.web.Messages(c, r.errs)
		data["Raw"] = map[string]string{"da": c.Query("da"), "a": c.Query("a")}
		return h.web.Page(c.Status(fiber.StatusUnprocessableEntity), "analysis/panel", data)
	}
	ts, err := h.tables(c, r)
	if err != nil {
		return err
	}
	lang := web.Lang(c)
	for i := range ts {
		ts[i].HTML = ts[i].Grid(func(d time.Time) string { return h.web.Date(lang, d) })
	}
	data["Tables"] = ts
	data["Summary"] = h.summary(c, r)
	return h.web.Page(c, "analysis/panel", data)
}

// summary says in words which filters apply.
func (h *Handlers) summary(c *fiber.Ctx, r pageReq) string {
	var parts []string
	q := r.q
	switch {
	case q.From != "" && q.To != "":
		parts = append(parts, h.web.T(c, "analysis.sum.period", "From", q.From, "To", q.To))
	case q.From != "":
		parts = append(parts, h.web.T(c, "analysis.sum.from", "From", q.From))
	case q.To != "":
		parts = append(parts, h.web.T(c, "analysis.sum.to", "To", q.To))
	}
	if q.TaskForce != "" {
		parts = append(parts, h.web.T(c, "analysis.col.taskforce")+" "+q.TaskForce)
	} else if !r.v.All {
		parts = append(parts, h.web.T(c, "analysis.sum.mine", "TaskForces", strings.Join(r.v.TaskForces, ", ")))
	}
	if q.ProcedureID != 0 {
		parts = append(parts, h.web.T(c, "requests.procedure")+" "+h.builder(c, r).procs[strconv.FormatInt(q.ProcedureID, 10)])
	}
	if q.Province != "" {
		parts = append(parts, h.web.T(c, "analysis.col.province")+" "+q.Province)
	}
	if q.EnteID != 0 {
		parts = append(parts, h.web.T(c, "requests.ente")+" #"+strconv.FormatInt(q.EnteID, 10))
	}
	if q.ExpertID != 0 {
		parts = append(parts, h.web.T(c, "analysis.col.expert")+" #"+strconv.FormatInt(q.ExpertID, 10))
	}
	if len(parts) == 0 {
		return h.web.T(c, "analysis.sum.all")
	}
	return strings.Join(parts, " · ")
}

// drilled lists the requests behind r's measure that the viewer may open.
func (h *Handlers) drilled(c *fiber.Ctx, r pageReq, page int) ([]request.Request, int, error) {
	ids, err := h.svc.IDs(c.UserContext(), r.v, r.q)
	if err != nil {
		return nil, 0, err
	}
	sc := access.Of(c).Scope()
	f := request.Filter{Scope: &sc, IDs: ids, Submitted: true}
	if page > 0 {
		f.Limit, f.Offset = PageSize, (page-1)*PageSize
	}
	return h.requests.List(c.UserContext(), f)
}

func (h *Handlers) measureLabel(c *fiber.Ctx, m string) string {
	if st, ok := strings.CutPrefix(m, StockOf); ok {
		return h.web.T(c, "analysis.stock") + ": " + h.web.T(c, "state."+st)
	}
	return h.web.T(c, "analysis.measure."+m)
}

func (h *Handlers) drill(c *fiber.Ctx) error {
	r, err := h.read(c)
	if err != nil {
		return err
	}
	if !KnownMeasure(r.q.Measure) {
		return fiber.ErrNotFound
	}
	if len(r.errs) > 0 {
		return fiber.NewError(fiber.StatusUnprocessableEntity, h.web.T(c, "analysis.error.filters"))
	}
	list, total, err := h.drilled(c, r, r.q.Page)
	if err != nil {
		return err
	}
	b := h.builder(c, r)
	return h.web.Page(c, "analysis/requests", fiber.Map{"Title": h.web.T(c, "analysis.drill.title", "Measure", h.measureLabel(c, r.q.Measure)),
		"Requests": list, "Total": total, "Summary": h.summary(c, r), "Back": r.q.URL("/area-riservata/analisi"),
		"CSV": b.q.URL("/area-riservata/analisi/richieste.csv", "misura", r.q.Measure), "XLSX": b.q.URL("/area-riservata/analisi/richieste.xlsx", "misura", r.q.Measure),
		"Pager": struct{ Page, Pages int }{r.q.Page, (total + PageSize - 1) / PageSize}})
}

// requestsTable is the drill-down's list as a table, for the exports.
func (h *Handlers) requestsTable(c *fiber.Ctx, r pageReq) (Table, error) {
	list, _, err := h.drilled(c, r, 0)
	if err != nil {
		return Table{}, err
	}
	t := h.builder(c, r).table("richieste", "analysis.drill.export", h.web.T(c, "analysis.col.id"), h.web.T(c, "requests.request"),
		h.web.T(c, "requests.ente"), h.web.T(c, "analysis.col.province"), h.web.T(c, "requests.procedure"), h.web.T(c, "registration.state"),
		h.web.T(c, "requests.submitted"))
	t.Title = h.measureLabel(c, r.q.Measure)
	for _, q := range list {
		t.Rows = append(t.Rows, []Cell{num(q.ID), content(q.Title), content(q.EnteName), text(q.EnteProvince), text(q.ProcedureCode),
			text(h.web.T(c, "state."+string(q.State))), {Date: q.SubmittedAt}})
	}
	return t, nil
}

func (h *Handlers) export(c *fiber.Ctx) error {
	format := c.Params("format")
	if format != "csv" && format != "xlsx" {
		return fiber.ErrNotFound
	}
	r, err := h.read(c)
	if err != nil {
		return err
	}
	if len(r.errs) > 0 {
		return fiber.NewError(fiber.StatusUnprocessableEntity, h.web.T(c, "analysis.error.filters"))
	}
	name := c.Params("table")
	var t Table
	if name == "richieste" {
		if !KnownMeasure(r.q.Measure) {
			return fiber.ErrNotFound
		}
		if t, err = h.requestsTable(c, r); err != nil {
			return err
		}
	} else {
		ts, err := h.tables(c, r)
		if err != nil {
			return err
		}
		var ok bool
		if t, ok = find(ts, name); !ok {
			return fiber.ErrNotFound
		}
	}
	file := "analisi-" + name
	if r.q.Measure != "" && name == "richieste" {
		file += "-" + strings.NewReplacer(":", "-").Replace(r.q.Measure)
	}
	file += "-" + time.Now().In(rome).Format("2006-01-02") + "." + format
	var body []byte
	var ctype string
	if format == "csv" {
		body, err = CSV(t)
		ctype = CSVType
	} else {
		body, err = XLSX(t, h.summary(c, r))
		ctype = XLSXType
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, ctype)
	c.Set(fiber.HeaderContentDisposition, web.ContentDisposition(file))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(body)
}

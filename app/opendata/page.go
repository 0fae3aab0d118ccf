package opendata

import (
	"github.com/gofiber/fiber/v2"

	"passhub/app/catalogue"
	"passhub/app/ente"
	"passhub/app/i18n"
	"passhub/app/stats"
	"passhub/app/web"
)

// DatasetLink is a dataset in the page's list of open data.
type DatasetLink struct {
	Name, Title, Description string
	Downloads                []Download
}

// Option is an option of a filter's select.
type Option struct {
	Value, Label, Lang string
	Selected           bool
}

// page serves /dati, narrowed to a task force or a province by the path when tf or pv is set.
func (h *Handlers) page(c *fiber.Ctx, tf, pv string) error {
	x, err := h.scope(c)
	if err != nil {
		return err
	}
	lang := web.Lang(c)
	tr := h.web.I18n
	f := &x.filter
	data := fiber.Map{"Title": tr.T(lang, "dati.title"), "Action": c.Path(), "Alternate": "/dati/catalogo.jsonld",
		"License": License, "LicenseName": LicenseName, "Publisher": h.publisher.Name, "Errors": map[string]string{}}
	if tf != "" {
		if !x.tfKnown[tf] {
			return fiber.ErrNotFound
		}
		f.TaskForce = tf
		delete(f.Errors, ParamTaskForce)
		for _, t := range x.tfs {
			if t.Code == tf {
				data["Name"], data["NameLang"] = t.Title, "it"
				data["Title"] = t.Title + " – " + tr.T(lang, "dati.title")
				data["Crumbs"] = []catalogue.Crumb{{URL: "/dati", Label: tr.T(lang, "dati.title")}}
				data["Crumb"], data["CrumbLang"] = t.Title, "it"
				data["SheetURL"] = "/task-force/" + t.Slug
			}
		}
	}
	if pv != "" {
		if !x.pvKnown[pv] {
			return fiber.ErrNotFound
		}
		f.Province = pv
		delete(f.Errors, ParamProvince)
		name := ProvinceFullName(pv)
		data["Name"], data["NameLang"] = name, "it"
		data["Title"] = name + " – " + tr.T(lang, "dati.title")
		data["Crumbs"] = []catalogue.Crumb{{URL: "/dati", Label: tr.T(lang, "dati.title")}}
		data["Crumb"], data["CrumbLang"] = name, "it"
	}
	data["Filter"] = f
	data["Fixed"] = fiber.Map{"TaskForce": tf != "", "Province": pv != ""}
	data["TaskForces"] = tfOptions(x.tfs, f.TaskForce)
	data["Provinces"] = provinceOptions(x.provinces, f.Province)
	if len(f.Errors) > 0 {
		msgs := map[string]string{}
		for k, id := range f.Errors {
			msgs[k] = tr.T(lang, id)
		}
		data["Errors"] = msgs
		c.Status(fiber.StatusUnprocessableEntity)
		return h.web.Page(c, "opendata/index", data)
	}
	d, err := h.src.Load(c.UserContext(), *f, x.tfs, x.enti(f.Province))
	if err != nil {
		return err
	}
	h.licenseHeaders(c, d.Modified) // the page itself is always sent: the page cache keeps it
	data["Modified"] = d.Modified
	heads := h.headlines(tr, lang, d)
	data["Headlines"] = heads
	for _, hl := range heads {
		if hl.Suppressed {
			data["HeadSuppressed"] = true
		}
	}
	data["Sections"] = h.sections(tr, lang, d)
	var list []DatasetLink
	for _, ds := range Datasets {
		list = append(list, DatasetLink{Name: ds.Name, Title: tr.T(lang, "dati.ds."+ds.Name+".title"),
			Description: tr.T(lang, "dati.ds."+ds.Name+".desc"), Downloads: downloads(ds, *f)})
	}
	data["Datasets"] = list
	data["Query"] = f.Query()
	return h.web.Page(c, "opendata/index", data)
}

func tfOptions(tfs []*catalogue.TaskForce, selected string) []Option {
	var out []Option
	for _, t := range tfs {
		out = append(out, Option{Value: t.Code, Label: t.Title, Lang: "it", Selected: t.Code == selected})
	}
	return out
}

func provinceOptions(pvs []ente.ProvinceCount, selected string) []Option {
	var out []Option
	for _, p := range pvs {
		out = append(out, Option{Value: p.Province, Label: ProvinceName(p.Province), Lang: "it", Selected: p.Province == selected})
	}
	return out
}

// ProvinceFullName is "Provincia di Como", "Città metropolitana di Milano" (the code for a province
// outside Lombardy).
func ProvinceFullName(code string) string {
	for _, p := range ente.LombardyProvinces {
		if p.Province == code {
			return p.Name
		}
	}
	return code
}

// downloads are the links to a dataset with the filter's parameters it takes.
func downloads(ds *Dataset, f Filter) []Download {
	var skip []string
	for _, p := range allFilters {
		if !contains(ds.Filters, p) {
			skip = append(skip, p)
		}
	}
	q := f.Query(skip...)
	return []Download{{"CSV", "/dati/" + ds.Name + ".csv" + q}, {"JSON", "/dati/" + ds.Name + ".json" + q}}
}

func (h *Handlers) headlines(tr *i18n.Catalogue, lang string, d *Data) []Headline {
	f := d.Figures
	var enti int64
	for _, p := range d.Enti {
		enti += int64(p.Approved)
	}
	days := func(v Value) string {
		s := show(tr, lang, KindDays, v)
		if v.Known {
			return tr.T(lang, "dati.days", "Count", int(v.Num), "Days", s)
		}
		return s
	}
	out := []Headline{
		{Key: "enti", Label: tr.T(lang, "dati.head.enti"), Value: show(tr, lang, KindCount, count(enti)), Note: tr.T(lang, "dati.head.enti.note")},
		{Key: "presentate", Label: tr.T(lang, "dati.head.filed"), Value: show(tr, lang, KindCount, count(f.Filed))},
		{Key: "concluse", Label: tr.T(lang, "dati.head.concluded"), Value: show(tr, lang, KindCount, count(f.Concluded))},
		{Key: "mediana", Label: tr.T(lang, "dati.head.median"), Value: days(measure(f.ToConclusion.N, float64(f.ToConclusion.Median)))},
	}
	b := f.Outcomes[stats.StageConcluded].Backlog
	backlog := Headline{Key: "arretrato", Label: tr.T(lang, "dati.head.backlog")}
	switch {
	case b.N == 0:
		backlog.Value, backlog.Note, backlog.Missing = tr.T(lang, "dati.missing.short"), tr.T(lang, "dati.missing.outcome"), true
	default:
		backlog.Value = show(tr, lang, KindPercent, measure(b.N, pct(b.Reduction())))
		backlog.Note = tr.T(lang, "dati.head.backlog.note")
	}
	out = append(out, backlog)
	for i := range out {
		out[i].Suppressed = out[i].Value == tr.T(lang, "dati.suppressed.short") || out[i].Value == "< 3"
	}
	return out
}

func (h *Handlers) sections(tr *i18n.Catalogue, lang string, d *Data) []*Section {
	T := func(id string, args ...any) string { return tr.T(lang, id, args...) }
	f := d.Filter
	section := func(id, ds string) *Section {
		s := &Section{ID: id, Title: T("dati.sec." + id + ".title"), Lead: T("dati.sec." + id + ".lead"), Dataset: ds}
		s.Downloads = downloads(DatasetNamed(ds), f)
		return s
	}
	// links to another page of /dati keep the filter, but for what the target's path says
	pageQuery := func(also ...string) string { return f.Query(also...) }
	filedConcluded := func(groups []stats.Group) []series {
		fl, cn := series{name: T("dati.series.filed"), kind: KindCount}, series{name: T("dati.series.concluded"), kind: KindCount}
		for _, g := range groups {
			fl.values = append(fl.values, count(g.Filed))
			cn.values = append(cn.values, count(g.Concluded))
		}
		return []series{fl, cn}
	}
	var out []*Section

	if f.TaskForce == "" {
		s := section("taskforce", "richieste-per-task-force")
		groups := d.ByTaskForce()
		var cats []Cell
		for _, g := range groups {
			cats = append(cats, Cell{Text: d.TaskForceName(g.Key), Lang: "it", Header: true, URL: "/dati/task-force/" + g.Key + pageQuery(ParamTaskForce)})
		}
		build(tr, lang, s, false, cats, T("dati.col.task_force_nome.label"), T("dati.axis.requests"), filedConcluded(groups))
		out = append(out, s)
	}
	if f.Province == "" { // the roll-up has no procedures by province
		s := section("procedure", "richieste-per-procedura")
		groups := d.ByProcedure()
		var cats []Cell
		for _, g := range groups {
			code, name, _ := d.Procedure(g.Key)
			cats = append(cats, Cell{Text: code + " – " + name, Lang: "it", Header: true})
		}
		build(tr, lang, s, false, cats, T("dati.col.procedura_nome.label"), T("dati.axis.requests"), filedConcluded(groups))
		out = append(out, s)
	}
	if f.Province == "" {
		s := section("province", "richieste-per-provincia")
		groups := d.ByProvince()
		var cats []Cell
		for _, g := range groups {
			cats = append(cats, Cell{Text: ProvinceName(g.Key), Lang: "it", Header: true, URL: "/dati/province/" + g.Key + pageQuery(ParamProvince)})
		}
		build(tr, lang, s, false, cats, T("dati.col.provincia_nome.label"), T("dati.axis.requests"), filedConcluded(groups))
		out = append(out, s)
	}
	{
		s := section("month", "richieste-per-mese")
		groups := d.Months()
		var cats []Cell
		for _, g := range groups {
			cats = append(cats, Cell{Text: monthLabel(tr, lang, g.Key), Chart: g.Key, Header: true})
		}
		build(tr, lang, s, true, cats, T("dati.col.mese.label"), T("dati.axis.requests"), filedConcluded(groups))
		out = append(out, s)
	}
	times := d.Times()
	{
		s := section("times", "tempi")
		med, p90 := series{name: T("dati.series.median"), kind: KindDays}, series{name: T("dati.series.p90"), kind: KindDays}
		var cats []Cell
		for _, t := range times[:3] {
			cats = append(cats, Cell{Text: T("dati.measure." + t.Measure), Header: true})
			n := min(t.Requests, t.Dist.N)
			med.values = append(med.values, measure(n, float64(t.Dist.Median)))
			p90.values = append(p90.values, measure(n, float64(t.Dist.P90)))
		}
		build(tr, lang, s, false, cats, T("dati.col.misura.label"), T("dati.axis.days"), []series{med, p90})
		out = append(out, s)
	}
	{
		s := section("stays", "tempi")
		med, p90 := series{name: T("dati.series.median"), kind: KindDays}, series{name: T("dati.series.p90"), kind: KindDays}
		var cats []Cell
		for _, t := range times {
			if t.State == "" {
				continue
			}
			cats = append(cats, Cell{Text: T("state." + t.State), Header: true})
			n := min(t.Requests, t.Dist.N)
			med.values = append(med.values, measure(n, float64(t.Dist.Median)))
			p90.values = append(p90.values, measure(n, float64(t.Dist.P90)))
		}
		build(tr, lang, s, false, cats, T("dati.col.stato.label"), T("dati.axis.days"), []series{med, p90})
		out = append(out, s)
	}
	for _, kind := range []string{"backlog", "days"} {
		s := section(kind, "arretrato")
		before, after := series{name: T("dati.series.before"), kind: KindNumber}, series{name: T("dati.series.after"), kind: KindNumber}
		if kind == "days" {
			before.kind, after.kind = KindDays, KindDays
		}
		var cats []Cell
		known := false
		for _, st := range Stages {
			o := d.Figures.Outcomes[st.Key]
			p := o.Backlog
			if kind == "days" {
				p = o.Days
			}
			known = known || p.N > 0
			cats = append(cats, Cell{Text: T("dati.stage." + st.Code), Header: true})
			b, a := float64(p.Before), float64(p.After)
			if kind == "days" && p.N > 0 {
				b, a = b/float64(p.N), a/float64(p.N)
				b, a = float64(int64(b*10+0.5))/10, float64(int64(a*10+0.5))/10
			}
			before.values = append(before.values, measure(p.N, b))
			after.values = append(after.values, measure(p.N, a))
		}
		if !known {
			s.Missing = T("dati.missing.outcome")
		} else {
			build(tr, lang, s, false, cats, T("dati.col.fase.label"), T("dati.axis."+kind), []series{before, after})
		}
		out = append(out, s)
	}
	{
		s := section("enti", "enti-registrati")
		reg := series{name: T("dati.series.enti"), kind: KindCount}
		var cats []Cell
		for _, p := range d.Enti {
			cats = append(cats, Cell{Text: ProvinceName(p.Province), Lang: "it", Header: true, URL: "/dati/province/" + p.Province + pageQuery(ParamProvince)})
			reg.values = append(reg.values, count(int64(p.Approved)))
		}
		build(tr, lang, s, false, cats, T("dati.col.provincia_nome.label"), T("dati.axis.enti"), []series{reg})
		out = append(out, s)
	}
	return out
}

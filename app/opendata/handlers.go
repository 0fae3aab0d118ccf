package opendata

import (
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/catalogue"
	"passhub/app/ente"
	"passhub/app/web"
)

// License is the licence of every dataset.
const (
	License     = "https://creativecommons.org/licenses/by/4.0/"
	LicenseName = "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)"
)

// Publisher is who publishes the data: the catalogue's publisher and rights holder.
type Publisher struct {
	Name, IPA, Contact string // Contact: an e-mail address, or empty for the contact page
}

// Handlers serve /dati.
type Handlers struct {
	web       *web.Server
	src       Sources
	publisher Publisher
	base      string
	// settle is how long after a change app/stats may still serve the former figures
	// (PASSHUB_STATS_FRESHNESS): until then an answer carries no Last-Modified, so that no client
	// keeps the former figures under the new date.
	settle time.Duration
}

// NewHandlers returns the handlers of the public figures and open data; freshness is how long
// app/stats may keep figures older than a change.
func NewHandlers(w *web.Server, src Sources, p Publisher, baseURL string, freshness time.Duration) *Handlers {
	return &Handlers{web: w, src: src, publisher: p, base: strings.TrimRight(baseURL, "/"), settle: freshness + time.Second}
}

// Mount registers the routes.
func (h *Handlers) Mount(r fiber.Router) {
	r.Get("/dati", func(c *fiber.Ctx) error { return h.page(c, "", "") })
	r.Get("/dati/catalogo.jsonld", h.catalog)
	r.Get("/dati/task-force/:code", func(c *fiber.Ctx) error { return h.page(c, strings.ToUpper(c.Params("code")), "") })
	r.Get("/dati/province/:code", func(c *fiber.Ctx) error { return h.page(c, "", strings.ToUpper(c.Params("code"))) })
	r.Get("/dati/dataset/:name", h.dataset)
	r.Get("/dati/:file", h.download)
}

// scope is what every /dati answer reads: the catalogue, the provinces and the filter.
type scope struct {
	tfs       []*catalogue.TaskForce
	provinces []ente.ProvinceCount
	tfKnown   map[string]bool
	pvKnown   map[string]bool
	filter    Filter
}

func (h *Handlers) scope(c *fiber.Ctx) (*scope, error) {
	ctx := c.UserContext()
	tfs, tfKnown, err := h.src.catalogueOf(ctx)
	if err != nil {
		return nil, err
	}
	pvs, pvKnown, err := h.src.provinces(ctx)
	if err != nil {
		return nil, err
	}
	f := parseFilter(func(k string) string { return c.Query(k) }, tfKnown, pvKnown)
	return &scope{tfs: tfs, provinces: pvs, tfKnown: tfKnown, pvKnown: pvKnown, filter: f}, nil
}

func (x *scope) enti(province string) []ente.ProvinceCount {
	var out []ente.ProvinceCount
	for _, p := range x.provinces {
		if (province == "" || p.Province == province) && (p.Total > 0 || province != "") {
			out = append(out, p)
		}
	}
	return out
}

// licenseHeaders say the licence and the latest change of the figures, and report whether the
// client's copy is current (a 304). Right after a change the figures may still be the former
// ones: the answer then says no date and is not to be kept.
func (h *Handlers) licenseHeaders(c *fiber.Ctx, modified time.Time) bool {
	c.Append(fiber.HeaderLink, "<"+License+`>; rel="license"`)
	if modified.IsZero() {
		return false
	}
	if time.Since(modified) < h.settle {
		c.Set(fiber.HeaderCacheControl, "no-store") // nor by the anonymous page cache
		return false
	}
	modified = modified.UTC().Truncate(time.Second) // as HTTP dates say it
	c.Set(fiber.HeaderLastModified, modified.Format(http.TimeFormat))
	if since, err := http.ParseTime(c.Get(fiber.HeaderIfModifiedSince)); err == nil && c.Get(fiber.HeaderIfNoneMatch) == "" && !modified.After(since) {
		return true
	}
	return false
}

// download serves /dati/<dataset>.csv and .json.
func (h *Handlers) download(c *fiber.Ctx) error {
	file := c.Params("file")
	name, format := file, ""
	if i := strings.LastIndexByte(file, '.'); i > 0 {
		name, format = file[:i], file[i+1:]
	}
	ds := DatasetNamed(name)
	if ds == nil || (format != "csv" && format != "json") {
		return fiber.ErrNotFound
	}
	x, err := h.scope(c)
	if err != nil {
		return err
	}
	if len(x.filter.Errors) > 0 {
		var msgs []string
		for _, k := range allFilters {
			if id := x.filter.Errors[k]; id != "" {
				msgs = append(msgs, k+": "+h.web.T(c, id))
			}
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{"errore": strings.Join(msgs, "; ")})
	}
	modified, err := h.src.Modified(c.UserContext(), x.tfs)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	if h.licenseHeaders(c, modified) { // the client's copy is current: no figure to compute
		return c.SendStatus(fiber.StatusNotModified)
	}
	f := ds.Narrow(x.filter)
	d, err := h.src.Load(c.UserContext(), f, x.tfs, x.enti(f.Province))
	if err != nil {
		return err
	}
	rows := ds.Rows(d)
	if format == "csv" {
		body, err := ds.CSV(rows)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `inline; filename="`+ds.Name+`.csv"`)
		return c.Send(body)
	}
	body, err := ds.JSON(h.document(ds, f, d), rows)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(body)
}

func (h *Handlers) document(ds *Dataset, f Filter, d *Data) Document {
	tr := h.web.I18n
	doc := Document{Dataset: ds.Name, Title: tr.T("it", "dati.ds."+ds.Name+".title"), Description: tr.T("it", "dati.ds."+ds.Name+".desc"),
		License: License, Publisher: h.publisher.Name, Source: h.base + "/dati/dataset/" + ds.Name, MinCount: MinCount,
		Filters: map[string]string{}}
	if !d.Modified.IsZero() {
		doc.Modified = d.Modified.UTC().Format(time.RFC3339)
	}
	for k, v := range map[string]string{ParamFrom: f.From, ParamTo: f.To, ParamTaskForce: f.TaskForce, ParamProvince: f.Province} {
		if v != "" && contains(ds.Filters, k) {
			doc.Filters[k] = v
		}
	}
	for _, col := range ds.Columns {
		doc.Columns = append(doc.Columns, jsonColumn{Name: col.Name, Kind: col.Kind, Description: tr.T("it", "dati.col."+col.Name)})
	}
	doc.Columns = append(doc.Columns, jsonColumn{Name: SuppressedColumn, Kind: "list", Description: tr.T("it", "dati.col."+SuppressedColumn)})
	return doc
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// dataset documents one dataset: its columns, formats and licence.
func (h *Handlers) dataset(c *fiber.Ctx) error {
	ds := DatasetNamed(c.Params("name"))
	if ds == nil {
		return fiber.ErrNotFound
	}
	lang := web.Lang(c)
	tr := h.web.I18n
	type col struct{ Name, Kind, Description string }
	var cols []col
	for _, cl := range ds.Columns {
		cols = append(cols, col{cl.Name, tr.T(lang, "dati.kind."+cl.Kind), tr.T(lang, "dati.col."+cl.Name)})
	}
	cols = append(cols, col{SuppressedColumn, tr.T(lang, "dati.kind.list"), tr.T(lang, "dati.col."+SuppressedColumn)})
	title := tr.T(lang, "dati.ds."+ds.Name+".title")
	c.Append(fiber.HeaderLink, "<"+License+`>; rel="license"`)
	return h.web.Page(c, "opendata/dataset", fiber.Map{
		"Title": title, "Dataset": ds, "Description": tr.T(lang, "dati.ds."+ds.Name+".desc"), "Columns": cols, "Filters": ds.Filters,
		"CSV": "/dati/" + ds.Name + ".csv", "JSON": "/dati/" + ds.Name + ".json", "BaseURL": h.base,
		"License": License, "Publisher": h.publisher.Name, "MinCount": MinCount,
		"Crumbs":    []catalogue.Crumb{{URL: "/dati", Label: tr.T(lang, "dati.title")}},
		"Alternate": "/dati/catalogo.jsonld",
	})
}

package catalogue

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"passhub/app/content"
	"passhub/app/web"
)

// Handlers serve the public catalogue and its JSON API.
type Handlers struct {
	web     *web.Server
	svc     *Service
	content *content.Service
}

// Crumb is one step of a breadcrumb.
type Crumb struct{ URL, Label, ContentLang string }

// NewHandlers returns the catalogue handlers.
func NewHandlers(w *web.Server, svc *Service, cs *content.Service) *Handlers {
	return &Handlers{web: w, svc: svc, content: cs}
}

// Mount registers the catalogue's routes.
func (h *Handlers) Mount(r fiber.Router) {
	r.Get("/procedure", h.index)
	r.Get("/procedure/:slug", h.procedure)
	r.Get("/task-force/:slug", h.taskForce)
	r.Get("/api/v1/catalogue", h.api)
}

// index lists the catalogue, filtered by task force and words; htmx gets the results alone.
func (h *Handlers) index(c *fiber.Ctx) error {
	f := Filter{TaskForce: strings.ToUpper(strings.TrimSpace(c.Query("tf"))), Words: strings.TrimSpace(c.Query("q"))}
	if len(f.Words) > 200 {
		f.Words = f.Words[:200]
	}
	all, err := h.svc.Catalogue(c.UserContext())
	if err != nil {
		return err
	}
	known := f.TaskForce == ""
	for _, tf := range all {
		known = known || tf.Code == f.TaskForce
	}
	if !known {
		f.TaskForce = ""
	}
	tfs, n, err := h.svc.Search(c.UserContext(), f)
	if err != nil {
		return err
	}
	title := h.web.T(c, "catalogue.title")
	for _, tf := range all {
		if tf.Code == f.TaskForce {
			title = tf.Title + " – " + title
		}
	}
	if f.Words != "" {
		title = "«" + f.Words + "» – " + title
	}
	return h.web.PageOrFragment(c, "catalogue/index", "catalogue/results", fiber.Map{
		"Title": title, "Crumb": h.web.T(c, "catalogue.title"), "AllTaskForces": all, "TaskForces": tfs, "Count": n, "Filter": f, "OOB": web.IsHTMX(c),
	})
}

func (h *Handlers) procedure(c *fiber.Ctx) error {
	p, tf, err := h.svc.Procedure(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	entry, err := h.content.Published(c.UserContext(), content.TypeProcedure, p.Slug)
	if err != nil {
		return err
	}
	return h.web.Page(c, "catalogue/procedure", fiber.Map{
		"Title": p.Title, "TitleLang": "it", "Description": p.Summary, "Procedure": p, "TaskForce": tf, "Entry": entry,
		"Crumbs": []Crumb{{"/procedure", h.web.T(c, "nav.catalogue"), ""}, {"/task-force/" + tf.Slug, tf.Title, "it"}},
	})
}

func (h *Handlers) taskForce(c *fiber.Ctx) error {
	tf, err := h.svc.TaskForce(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	entry, err := h.content.Published(c.UserContext(), content.TypeTaskForce, tf.Slug)
	if err != nil {
		return err
	}
	return h.web.Page(c, "catalogue/taskforce", fiber.Map{
		"Title": tf.Title, "TitleLang": "it", "Description": tf.Summary, "TaskForce": tf, "Entry": entry,
		"Crumbs": []Crumb{{"/procedure", h.web.T(c, "nav.catalogue"), ""}},
	})
}

// apiCatalogue is the JSON shape of GET /api/v1/catalogue.
type apiCatalogue struct {
	TaskForces []*TaskForce `json:"task_forces"`
}

func (h *Handlers) api(c *fiber.Ctx) error {
	all, err := h.svc.Catalogue(c.UserContext())
	if err != nil {
		return err
	}
	return web.JSON(c, apiCatalogue{TaskForces: all})
}

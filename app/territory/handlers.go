package territory

import (
	"context"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/db"
	"passhub/app/ente"
	"passhub/app/web"
)

// Handlers serve the admins' page of the territories (/admin/territori).
type Handlers struct {
	web *web.Server
	svc *Service
}

// NewHandlers returns the territories' handlers.
func NewHandlers(w *web.Server, svc *Service) *Handlers { return &Handlers{web: w, svc: svc} }

// Mount registers the admins' routes.
func (h *Handlers) Mount(r fiber.Router) {
	admin := access.Require(access.ManageTerritory, nil)
	r.Get("/admin/territori", admin, h.page)
	r.Post("/admin/territori", admin, h.follow)
	r.Post("/admin/territori/:id/termina", admin, h.end)
}

// ProvinceOption is a province of the form's list.
type ProvinceOption struct {
	ID   int64  `bun:"id"`
	Name string `bun:"name"`
}

// provinces lists the registry's provinces and metropolitan cities, by name.
func (s *Service) provinces(ctx context.Context) ([]ProvinceOption, error) {
	var out []ProvinceOption
	err := s.db.NewSelect().TableExpr("enti").ColumnExpr("id, name").Where("kind IN (?)", bunIn(ente.KindProvincia, ente.KindCittaMetro)).
		OrderExpr("name").Scan(ctx, &out)
	return out, db.Map(err)
}

func (h *Handlers) page(c *fiber.Ctx) error { return h.render(c, nil, nil) }

func (h *Handlers) render(c *fiber.Ctx, values, errs map[string]string) error {
	ctx := c.UserContext()
	links, err := h.svc.Links(ctx)
	if err != nil {
		return err
	}
	provinces, err := h.svc.provinces(ctx)
	if err != nil {
		return err
	}
	if values == nil {
		values = map[string]string{}
	}
	data := fiber.Map{"Title": h.web.T(c, "territory.title"), "Links": links, "Provinces": provinces, "Values": values, "Errors": errs,
		"CSRF": h.web.CSRFToken(c), "Crumbs": []map[string]string{{"URL": "/admin", "Label": h.web.T(c, "area.admin")}}}
	if len(errs) > 0 {
		data["Alert"] = h.web.T(c, "form.errors")
		data["Summary"] = web.FieldErrors(errs, "province", "territory-province", h.web.T(c, "territory.province"),
			"comune", "territory-comune", h.web.T(c, "territory.comune"))
	}
	return h.web.Page(c, "territory/admin", data)
}

// follow makes the chosen province follow the comune named by its ISTAT code.
func (h *Handlers) follow(c *fiber.Ctx) error {
	ctx := c.UserContext()
	values := map[string]string{"province": c.FormValue("province"), "comune": strings.TrimSpace(c.FormValue("comune"))}
	errs := map[string]string{}
	var provinceID, comuneID int64
	provinces, err := h.svc.provinces(ctx)
	if err != nil {
		return err
	}
	for _, p := range provinces {
		if values["province"] != "" && values["province"] == itoa(p.ID) {
			provinceID = p.ID
		}
	}
	if provinceID == 0 {
		errs["province"] = h.web.T(c, "territory.error.province")
	}
	if values["comune"] == "" {
		errs["comune"] = h.web.T(c, "territory.error.comune_required")
	} else if e, err := h.svc.enti.ByISTAT(ctx, values["comune"]); err != nil {
		if !errors.Is(err, db.ErrNotFound) {
			return err
		}
		errs["comune"] = h.web.T(c, "territory.error.comune_unknown")
	} else {
		comuneID = e.ID
	}
	if len(errs) == 0 {
		_, err := h.svc.Follow(ctx, provinceID, comuneID)
		switch {
		case errors.Is(err, ErrNotComune), errors.Is(err, ErrFollowed):
			errs["comune"] = h.web.T(c, err.Error())
		case errors.Is(err, ErrNotProvince):
			errs["province"] = h.web.T(c, err.Error())
		case err != nil:
			return err
		}
	}
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.render(c, values, errs)
	}
	h.web.Flash(c, "territory.flash.followed")
	return c.Redirect("/admin/territori", fiber.StatusSeeOther)
}

func (h *Handlers) end(c *fiber.Ctx) error {
	if _, err := h.svc.End(c.UserContext(), web.IDOrZero(c, "id")); err != nil {
		return err
	}
	h.web.Flash(c, "territory.flash.ended")
	return c.Redirect("/admin/territori", fiber.StatusSeeOther)
}

// Package area serves the home of the reserved area: what the logged-in person can do, composed
// from their staff roles, their enti and their registrations. It owns no data.
package area

import (
	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/ente"
	"passhub/app/web"
)

// Mount registers GET /area-riservata on the reserved group.
func Mount(reserved fiber.Router, w *web.Server, enti *ente.Service) {
	reserved.Get("/area-riservata", access.Require(access.ViewReservedArea, nil), func(c *fiber.Ctx) error {
		s := access.Of(c)
		memberships, err := enti.Memberships(c.UserContext(), s.UserID)
		if err != nil {
			return err
		}
		regs, err := enti.RegistrationsOf(c.UserContext(), s.UserID)
		if err != nil {
			return err
		}
		var pending []ente.Registration
		for _, r := range regs {
			if r.Status == ente.RegPending {
				pending = append(pending, r)
			}
		}
		return w.Page(c, "area/home", fiber.Map{
			"Title": w.T(c, "area.title"), "Memberships": memberships, "Mine": regs, "Pending": pending,
			"CanRegister": s.Can(access.RegisterEnte, access.Object{}) && len(memberships) == 0 && len(pending) == 0,
			"IsAdmin":     s.Can(access.ReviewRegistrations, access.Object{}),
			"IsPM":        s.Has(access.RolePM),
		})
	})
}

package identity

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/web"
)

// AdminHandlers serve the admins' pages on users and staff roles.
type AdminHandlers struct {
	Web *web.Server
	Svc *Service
	// TaskForces lists the task force codes a PM or expert role may name.
	TaskForces func(ctx context.Context) ([]string, error)
}

// NewAdminHandlers returns the admins' handlers; taskForces lists the task force codes a PM or
// expert role may name.
func NewAdminHandlers(w *web.Server, svc *Service, taskForces func(ctx context.Context) ([]string, error)) *AdminHandlers {
	return &AdminHandlers{Web: w, Svc: svc, TaskForces: taskForces}
}

// Mount registers /admin/utenti routes on the reserved router.
func (h *AdminHandlers) Mount(r fiber.Router) {
	admin := access.Require(access.ManageUsers, nil)
	r.Get("/admin/utenti", admin, h.users)
	r.Get("/admin/utenti/:id", admin, h.user)
	r.Post("/admin/utenti/:id/ruoli", admin, h.grant)
	r.Post("/admin/utenti/:id/ruoli/revoca", admin, h.revoke)
}

func (h *AdminHandlers) users(c *fiber.Ctx) error {
	q := c.Query("q")
	users, roles, err := h.Svc.Users(c.UserContext(), q, 100)
	if err != nil {
		return err
	}
	return h.Web.Page(c, "identity/admin_users", fiber.Map{"Title": h.Web.T(c, "admin.users"), "Users": users, "Roles": roles, "Query": q})
}

func (h *AdminHandlers) user(c *fiber.Ctx) error { return h.renderUser(c, "") }

func (h *AdminHandlers) renderUser(c *fiber.Ctx, alert string) error {
	h.Web.CSRFToken(c)
	id, err := web.ID(c, "id")
	if err != nil {
		return err
	}
	u, roles, err := h.Svc.User(c.UserContext(), id)
	if err != nil {
		return err
	}
	tfs, err := h.TaskForces(c.UserContext())
	if err != nil {
		return err
	}
	return h.Web.Page(c, "identity/admin_user", fiber.Map{"Title": u.FullName(), "User": u, "UserRoles": roles, "TaskForces": tfs,
		"Alert": alert, "Crumbs": []map[string]string{{"URL": "/admin/utenti", "Label": h.Web.T(c, "admin.users")}}})
}

func adminActor(c *fiber.Ctx) Actor { return Actor(web.ActorOf(c)) }

func (h *AdminHandlers) grant(c *fiber.Ctx) error {
	id, err := web.ID(c, "id")
	if err != nil {
		return err
	}
	role, tf := c.FormValue("role"), c.FormValue("task_force")
	if needsTF, ok := staffRoles[role]; ok && !needsTF {
		tf = ""
	}
	err = h.Svc.Grant(c.UserContext(), adminActor(c), id, role, tf)
	if err != nil {
		st, ok := roleErrors.Of(err)
		if !ok {
			return err
		}
		c.Status(st.Code)
		return h.renderUser(c, h.Web.Say(c, st))
	}
	return c.Redirect("/admin/utenti/"+c.Params("id"), fiber.StatusSeeOther)
}

func (h *AdminHandlers) revoke(c *fiber.Ctx) error {
	id, err := web.ID(c, "id")
	if err != nil {
		return err
	}
	if id == access.Of(c).UserID && c.FormValue("role") == RoleAdmin {
		c.Status(fiber.StatusConflict)
		return h.renderUser(c, h.Web.T(c, "admin.role.self"))
	}
	if err := h.Svc.Revoke(c.UserContext(), adminActor(c), id, c.FormValue("role"), c.FormValue("task_force")); err != nil {
		return err
	}
	return c.Redirect("/admin/utenti/"+c.Params("id"), fiber.StatusSeeOther)
}

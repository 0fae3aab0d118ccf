package audit

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/db"
	"passhub/app/web"
)

// Actions lists the recorded actions, for the filter.
var Actions = []string{"login", "login.failed", "login.locked", "login.refused", "logout", "logout.everywhere", "session.end",
	"registration.submit", "registration.approve", "registration.reject", "delegate.invite", "delegate.invite.revoke",
	"delegate.accept", "delegate.enable", "delegate.disable", "delegate.remove", "role.grant", "role.revoke",
	"webhook.create", "webhook.enable", "webhook.disable", "webhook.delete", "webhook.redeliver",
	"content.save", "content.submit", "content.request_changes", "content.publish", "content.schedule", "content.schedule_failed",
	"content.published_broken_links", "content.unpublish", "content.archive", "content.restore", "media.upload", "media.describe", "media.delete"}

// PageSize is how many entries a page of the log shows.
const PageSize = 50

// Handlers serve the admins' view of the log.
type Handlers struct {
	web *web.Server
	db  *db.DB
}

// NewHandlers returns the audit log's handlers.
func NewHandlers(w *web.Server, d *db.DB) *Handlers { return &Handlers{web: w, db: d} }

// Mount registers GET /admin/audit, the admins' view of the log with filters.
func (h *Handlers) Mount(r fiber.Router) {
	w, d := h.web, h.db
	r.Get("/admin/audit", access.Require(access.ViewAudit, nil), func(c *fiber.Ctx) error {
		f := Filter{Action: c.Query("azione"), Limit: PageSize}
		valid := false
		for _, a := range Actions {
			valid = valid || a == f.Action
		}
		if !valid {
			f.Action = ""
		}
		if since, err := time.Parse("2006-01-02", c.Query("dal")); err == nil {
			f.Since = since
		}
		page, _ := strconv.Atoi(c.Query("pagina", "1"))
		if page < 1 {
			page = 1
		}
		f.Offset = (page - 1) * PageSize
		entries, total, err := List(c.UserContext(), d, f)
		if err != nil {
			return err
		}
		return w.Page(c, "audit/list", fiber.Map{"Title": w.T(c, "admin.audit"), "Entries": entries, "Filter": f,
			"Since": c.Query("dal"), "Actions": Actions, "Total": total,
			"Pager": struct{ Page, Pages int }{page, (total + PageSize - 1) / PageSize}})
	})
}

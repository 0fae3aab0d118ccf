package area

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/analysis"
	"passhub/app/ente"
	"passhub/app/web"
)

// Menu is the middleware that gives reserved pages their own navigation: the dashboard,
// requests, notifications, each ente of the viewer and its delegates, triage and
// administration, each shown only to those whose roles open it.
func Menu(enti *ente.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		s := access.Of(c)
		if s.Anonymous() {
			return c.Next()
		}
		names := map[int64]string{}
		if len(s.Memberships) > 0 {
			ms, err := enti.Memberships(c.UserContext(), s.UserID)
			if err != nil {
				return err
			}
			for _, m := range ms {
				if m.Ente != nil {
					names[m.EnteID] = m.Ente.Name
				}
			}
		}
		web.SetMenu(c, MenuOf(s, names))
		return c.Next()
	}
}

// MenuOf lists the reserved area's sections the subject may open; names are the enti's names
// by id.
func MenuOf(s *access.Subject, names map[int64]string) []web.MenuItem {
	items := []web.MenuItem{{URL: "/area-riservata", Label: "a11y.menu.dashboard", Exact: true}}
	var member bool
	var enti []web.MenuItem
	for _, m := range s.Memberships {
		if !m.Enabled || !m.Approved {
			continue
		}
		member = true
		base := "/area-riservata/enti/" + strconv.FormatInt(m.EnteID, 10)
		item := web.MenuItem{URL: base, Label: "a11y.menu.ente", Name: names[m.EnteID]}
		if s.Can(access.ManageDelegates, access.Object{EnteID: m.EnteID}) {
			item.Label = "a11y.menu.ente_delegates"
			item.Children = []web.MenuItem{{URL: base, Label: "a11y.menu.ente_page", Name: names[m.EnteID], Exact: true},
				{URL: base + "/delegati", Label: "delegates.title"}}
		}
		enti = append(enti, item)
	}
	if member || s.Has(access.RolePM) || s.Has(access.RoleExpert) || s.Has(access.RoleAdmin) {
		items = append(items, web.MenuItem{URL: "/area-riservata/richieste", Label: "area.requests"})
	}
	items = append(items, web.MenuItem{URL: "/area-riservata/notifiche", Label: "notifications.title"})
	if len(s.Areas) > 0 || s.Can(access.ManageAreas, access.Object{}) { // the work areas: their members, and the admins
		items = append(items, web.MenuItem{URL: "/area-riservata/spazi", Label: "workarea.menu"})
	}
	// the calls for funding: everyone follows them, the editors enter them too; the enti and the
	// staff read the project sheets
	var calls []web.MenuItem
	if s.Can(access.EditCalls, access.Object{}) {
		calls = append(calls, web.MenuItem{URL: "/area-riservata/bandi", Label: "funding.editor.title", Exact: true})
	}
	if s.Can(access.ViewProjects, access.Object{}) {
		calls = append(calls, web.MenuItem{URL: "/area-riservata/progetti", Label: "project.menu"})
	}
	calls = append(calls, web.MenuItem{URL: "/area-riservata/bandi/avvisi", Label: "funding.alerts.title"})
	if len(calls) == 1 {
		items = append(items, web.MenuItem{URL: calls[0].URL, Label: "funding.menu"})
	} else {
		items = append(items, web.MenuItem{URL: calls[0].URL, Label: "funding.menu", Children: calls})
	}
	items = append(items, enti...)
	if s.Has(access.RolePM) {
		items = append(items, web.MenuItem{URL: "/area-riservata/triage", Label: "area.triage"})
	}
	if s.Can(access.ViewTenderDocs, access.Object{}) {
		items = append(items, web.MenuItem{URL: "/area-riservata/documenti-gara", Label: "tender.menu"})
	}
	if s.Can(access.DraftActs, access.Object{}) {
		items = append(items, web.MenuItem{URL: "/area-riservata/modelli", Label: "acts.menu"})
	}
	if s.Can(access.UseCRM, access.Object{}) {
		items = append(items, web.MenuItem{URL: "/area-riservata/crm", Label: "crm.menu"})
	}
	if _, ok := analysis.ViewerOf(s); ok {
		items = append(items, web.MenuItem{URL: "/area-riservata/analisi", Label: "analysis.menu"})
	}
	if s.Can(access.WorkTickets, access.Object{}) {
		items = append(items, web.MenuItem{URL: "/area-riservata/helpdesk", Label: "helpdesk.queue.menu"})
	}
	if s.Can(access.WriteContent, access.Object{}) {
		items = append(items, web.MenuItem{URL: "/redazione", Label: "newsroom.title"})
	}
	if s.Can(access.AskAssistance, access.Object{}) { // help, for everyone: last, where people look for it
		items = append(items, web.MenuItem{URL: "/area-riservata/assistenza", Label: "helpdesk.menu"})
	}
	if s.Can(access.ReviewRegistrations, access.Object{}) {
		items = append(items, web.MenuItem{URL: "/admin", Label: "area.admin", Children: []web.MenuItem{
			{URL: "/admin/registrazioni", Label: "admin.registrations"},
			{URL: "/admin/utenti", Label: "admin.users"},
			{URL: "/admin/enti", Label: "admin.enti"},
			{URL: "/admin/territori", Label: "territory.menu"},
			{URL: "/admin/audit", Label: "admin.audit"},
			{URL: "/admin/token-api", Label: "admin.apitokens"},
			{URL: "/admin/lavori", Label: "admin.jobs"},
			{URL: "/admin/webhook", Label: "admin.webhooks"},
			{URL: "/admin/spazi", Label: "workarea.admin.title"},
		}})
	}
	return items
}

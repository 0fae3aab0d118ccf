package notify

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/db"
	"passhub/app/identity"
	"passhub/app/web"
)

// Mount registers the notification centre's routes on the reserved router.
func (c *Centre) Mount(r fiber.Router, w *web.Server) {
	loggedIn := access.Require(access.ViewReservedArea, nil)
	r.Get("/area-riservata/notifiche", loggedIn, func(ctx *fiber.Ctx) error {
		w.CSRFToken(ctx)
		unread := ctx.Query("solo") == "nonlette"
		list, err := c.ListFor(ctx.UserContext(), access.Of(ctx), unread, 100)
		if err != nil {
			return err
		}
		return w.Page(ctx, "notify/list", fiber.Map{"Title": w.T(ctx, "notifications.title"), "Notifications": list, "UnreadOnly": unread})
	})
	r.Get("/area-riservata/notifiche/conteggio", loggedIn, func(ctx *fiber.Ctx) error {
		n, err := c.UnreadFor(ctx.UserContext(), access.Of(ctx))
		if err != nil {
			return err
		}
		return w.Fragment(ctx, "notify/bell", fiber.Map{"Bell": n})
	})
	r.Get("/area-riservata/notifiche/preferenze", loggedIn, func(ctx *fiber.Ctx) error {
		w.CSRFToken(ctx)
		prefs, err := c.Prefs(ctx.UserContext(), access.Of(ctx).UserID)
		if err != nil {
			return err
		}
		data := fiber.Map{"Title": w.T(ctx, "prefs.title"), "Prefs": prefs, "Topics": Topics, "MailLang": "it",
			"Crumbs": []map[string]string{{"URL": "/area-riservata/notifiche", "Label": w.T(ctx, "notifications.title")}}}
		if v := identity.ViewerOf(ctx); v != nil {
			data["Email"], data["Bounced"], data["Bounce"] = v.User.Email, !v.User.EmailBouncedAt.IsZero(), v.User.EmailBounce
			if v.User.Lang == "en" {
				data["MailLang"] = "en"
			}
		}
		return w.Page(ctx, "notify/prefs", data)
	})
	r.Post("/area-riservata/notifiche/preferenze", loggedIn, func(ctx *fiber.Ctx) error {
		uid := access.Of(ctx).UserID
		prefs := map[string]string{}
		for _, t := range Topics {
			prefs[t.Name] = ctx.FormValue(t.Name, t.Default)
		}
		lang := ctx.FormValue("lang")
		if !validPrefs(prefs) || (lang != "" && lang != "it" && lang != "en") {
			return fiber.ErrBadRequest // nothing changed
		}
		for topic, mode := range prefs {
			if err := c.SetPref(ctx.UserContext(), uid, topic, mode); err != nil {
				return err
			}
		}
		if lang != "" && c.Accounts != nil {
			if err := c.Accounts.SetLang(ctx.UserContext(), uid, lang); err != nil {
				return err
			}
		}
		w.Flash(ctx, "prefs.saved")
		return ctx.Redirect("/area-riservata/notifiche/preferenze", fiber.StatusSeeOther)
	})
	r.Post("/area-riservata/notifiche/lette", loggedIn, func(ctx *fiber.Ctx) error {
		if err := c.MarkRead(ctx.UserContext(), access.Of(ctx).UserID, 0); err != nil {
			return err
		}
		return ctx.Redirect("/area-riservata/notifiche", fiber.StatusSeeOther)
	})
	r.Post("/area-riservata/notifiche/:id/letta", loggedIn, func(ctx *fiber.Ctx) error {
		id, _ := strconv.ParseInt(ctx.Params("id"), 10, 64)
		uid := access.Of(ctx).UserID
		var n Notification
		if err := c.db.NewSelect().Model(&n).Where("id = ?", id).Where("user_id = ?", uid).Scan(ctx.UserContext()); err != nil {
			return db.Map(err) // none of the user's: 404; the database not answering: 503
		}
		if err := c.MarkRead(ctx.UserContext(), uid, id); err != nil {
			return err
		}
		if !strings.HasPrefix(n.URL, "/") || strings.HasPrefix(n.URL, "//") {
			n.URL = "/area-riservata/notifiche"
		}
		return ctx.Redirect(n.URL, fiber.StatusSeeOther)
	})
}

// Bell sets the logged-in user's unread count for the header.
func (c *Centre) Bell(ctx *fiber.Ctx) error {
	if s := access.Of(ctx); !s.Anonymous() {
		n, err := c.UnreadFor(ctx.UserContext(), s)
		if errors.Is(err, db.ErrUnavailable) {
			return err // a database that does not answer: 503 now, not after the page's own wait
		}
		if err == nil {
			web.SetBell(ctx, n)
		}
	}
	return ctx.Next()
}

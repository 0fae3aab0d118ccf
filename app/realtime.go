package app

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/identity"
)

// follow authorises websocket subscriptions with the same policy as the pages.
type follow struct{ a *App }

// UserOf returns the logged-in user's id, 0 for anonymous visitors.
func (f follow) UserOf(c *fiber.Ctx) int64 {
	if v := identity.ViewerOf(c); v != nil {
		return v.User.ID
	}
	return 0
}

// MayFollow allows "request:<id>" to whoever may view the request, "entry:<id>" to whoever may
// open the newsroom's entries, "area:<id>" to whoever may view the work area.
func (f follow) MayFollow(c *fiber.Ctx, topic string) bool {
	return (strings.HasPrefix(topic, "request:") || strings.HasPrefix(topic, "entry:") || strings.HasPrefix(topic, "area:") || strings.HasPrefix(topic, "helpdesk:")) &&
		access.Of(c).MayFollow(topic, f.a.requestObject(c.UserContext()))
}

// hasPM reports whether a task force has a project manager, who can triage its requests.
func (a *App) hasPM(ctx context.Context, taskForce string) (bool, error) {
	pms, err := a.Identity.UsersWithRole(ctx, "pm", taskForce)
	return len(pms) > 0, err
}

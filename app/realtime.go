package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/identity"
	"passhub/app/request"
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

// MayFollow allows "request:<id>" to whoever may view the request.
func (f follow) MayFollow(c *fiber.Ctx, topic string) bool {
	id, ok := strings.CutPrefix(topic, "request:")
	if !ok {
		return false
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return false
	}
	r, err := f.a.Requests.Get(c.UserContext(), n)
	return err == nil && access.Of(c).Can(access.ViewRequest, request.ObjectOf(r))
}

// RequestTopic is the websocket topic of a request's workspace.
func RequestTopic(id int64) string { return "request:" + strconv.FormatInt(id, 10) }

// pushRequest tells the open workspaces of a request to fetch what changed: the frame replaces a
// placeholder with an element that loads the update through the normal, authorised handler.
func (a *App) pushRequest(_ context.Context, id int64) {
	if a.Hub == nil {
		return
	}
	frame := fmt.Sprintf(`<div id="live-updates" hx-swap-oob="true"><span hx-get="/area-riservata/richieste/%d/aggiornamenti" hx-trigger="load" hx-swap="none"></span></div>`, id)
	a.Hub.Publish(RequestTopic(id), []byte(frame))
}

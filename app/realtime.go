package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/db"
	"passhub/app/identity"
	"passhub/app/notify"
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
	return strings.HasPrefix(topic, "request:") && access.Of(c).MayFollow(topic, f.a.requestObject(c.UserContext()))
}

// RequestTopic is the websocket topic of a request's workspace.
func RequestTopic(id int64) string { return "request:" + strconv.FormatInt(id, 10) }

// pushRequest announces on the bus that a request changed; every instance then pushes to the
// pages it holds open.
func (a *App) pushRequest(ctx context.Context, id int64) {
	if err := a.Bus.Publish(ctx, RequestTopic(id)); err != nil {
		a.Log.Warn("event not published", "topic", RequestTopic(id), "err", err)
	}
}

// deliver pushes a topic heard on the bus to this instance's clients: the frame replaces a
// placeholder with an element that loads the update through the normal, authorised handler.
func (a *App) deliver(topic string) {
	if a.reauthorize(topic) {
		return
	}
	id, ok := strings.CutPrefix(topic, "request:")
	if !ok {
		return
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return
	}
	frame := fmt.Sprintf(`<div id="live-updates" hx-swap-oob="true"><span hx-get="/area-riservata/richieste/%d/aggiornamenti" hx-trigger="load" hx-swap="none"></span></div>`, n)
	a.Hub.Publish(topic, []byte(frame))
}

// startBus picks the event bus: LISTEN/NOTIFY on PostgreSQL, a direct call on SQLite.
func (a *App) startBus() {
	if a.DB.Kind != db.Postgres {
		a.Bus = notify.LocalBus{Deliver: a.deliver}
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	bus := &notify.PGBus{DB: a.DB.DB.DB, URL: a.Config.DatabaseURL, Deliver: a.deliver, Log: a.Log}
	ready := make(chan struct{})
	go bus.Listen(ctx, ready)
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		a.Log.Warn("event listener not ready yet; pushes resume when it connects")
	}
	a.Bus = bus
	a.stopBus = cancel
}

// notifyRequest puts a notification in the bell of the people a request's change concerns: the
// task force's PMs for a request to review; the ente's members, the assigned experts and the PMs
// for everything else; never the person who made the change.
func (a *App) notifyRequest(ctx context.Context, id int64, kind string, actor int64) error {
	if kind == "edited" {
		return nil // a corrected message is not news
	}
	r, err := a.Requests.Get(ctx, id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && r.Draft()) { // a draft, even withdrawn, is the ente's alone
		return nil
	}
	if err != nil {
		return err
	}
	var users []int64
	pms, err := a.Identity.UsersWithRole(ctx, "pm", r.TaskForce)
	if err != nil {
		return err
	}
	if len(pms) == 0 && (kind == "created" || kind == "submitted") && r.State == request.Submitted {
		return a.notifyUntriaged(ctx, r)
	}
	for _, u := range pms {
		users = append(users, u.ID)
	}
	if kind != "created" && kind != "submitted" {
		users = append(users, r.ExpertIDs()...)
		members, err := a.Enti.Members(ctx, r.EnteID)
		if err != nil {
			return err
		}
		for _, m := range members {
			if m.Enabled {
				users = append(users, m.UserID)
			}
		}
	}
	var to []int64
	for _, u := range users {
		if u != actor {
			to = append(to, u)
		}
	}
	subject := r.Title + " (" + r.EnteName + ", " + r.ProcedureCode + ")"
	return a.Notifications.Notify(ctx, to, "request."+kind, subject, "/area-riservata/richieste/"+strconv.FormatInt(id, 10))
}

// notifyUntriaged tells the admins that a request reached a task force with no project manager,
// so no one can triage it, and tells the ente that its request waits for one.
func (a *App) notifyUntriaged(ctx context.Context, r *request.Request) error {
	admins, err := a.Identity.UsersWithRole(ctx, "admin", "")
	if err != nil {
		return err
	}
	var to []int64
	for _, u := range admins {
		to = append(to, u.ID)
	}
	subject := r.Title + " (" + r.EnteName + ", " + r.ProcedureCode + ")"
	url := "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10)
	if err := a.Notifications.Notify(ctx, to, "request.untriaged", subject, "/admin/richieste-senza-pm"); err != nil {
		return err
	}
	members, err := a.Enti.Members(ctx, r.EnteID)
	if err != nil {
		return err
	}
	to = to[:0]
	for _, m := range members {
		if m.Enabled {
			to = append(to, m.UserID)
		}
	}
	return a.Notifications.Notify(ctx, to, "request.no_pm", subject, url)
}

// hasPM reports whether a task force has a project manager, who can triage its requests.
func (a *App) hasPM(ctx context.Context, taskForce string) (bool, error) {
	pms, err := a.Identity.UsersWithRole(ctx, "pm", taskForce)
	return len(pms) > 0, err
}

package jobs

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/db"
	"passhub/app/web"
)

// Failure is a failed job as the admins see it.
type Failure struct {
	ID                   int64
	Kind, Args, Error    string
	Attempt, MaxAttempts int
	At                   time.Time
}

// Running is a job running for longer than its queue allows, as the admins see it.
type Running struct {
	ID                   int64
	Kind, Queue, Args    string
	Attempt, MaxAttempts int
	Since                time.Time
	For, Limit           time.Duration
	RescueAt             time.Time
}

// Mount registers the admins' view of failed and stuck jobs (GET /admin/lavori, POST
// /admin/lavori/:id/riprova) and the queue's gauges on /metrics.
func (q *Queue) Mount(r fiber.Router, w *web.Server) {
	w.Registry().MustRegister(q.Collector())
	admin := access.Require(access.ManageUsers, nil)
	r.Get("/admin/lavori", admin, func(c *fiber.Ctx) error {
		w.CSRFToken(c)
		rows, err := q.Failed(c.UserContext(), 200)
		if err != nil {
			return err
		}
		pending, err := q.Pending(c.UserContext())
		if err != nil {
			return err
		}
		stuck, err := q.Stuck(c.UserContext())
		if err != nil {
			return err
		}
		running := make([]Running, 0, len(stuck))
		for _, j := range stuck {
			running = append(running, Running{ID: j.ID, Kind: j.Kind, Queue: j.Queue, Args: string(j.EncodedArgs), Attempt: j.Attempt,
				MaxAttempts: j.MaxAttempts, Since: *j.AttemptedAt, For: time.Since(*j.AttemptedAt).Round(time.Second),
				Limit: q.Timeout(j.Queue), RescueAt: j.AttemptedAt.Add(q.rescue)})
		}
		list := make([]Failure, 0, len(rows))
		for _, j := range rows {
			f := Failure{ID: j.ID, Kind: j.Kind, Args: string(j.EncodedArgs), Attempt: j.Attempt, MaxAttempts: j.MaxAttempts}
			if n := len(j.Errors); n > 0 {
				f.Error, f.At = j.Errors[n-1].Error, j.Errors[n-1].At
			}
			list = append(list, f)
		}
		return w.Page(c, "jobs/failed", fiber.Map{"Title": w.T(c, "admin.jobs"), "Jobs": list, "Stuck": running, "Pending": pending})
	})
	r.Post("/admin/lavori/:id/riprova", admin, func(c *fiber.Ctx) error {
		id, err := strconv.ParseInt(c.Params("id"), 10, 64)
		if err != nil {
			return fiber.ErrNotFound
		}
		if err := q.Retry(c.UserContext(), id); errors.Is(err, db.ErrNotFound) {
			return fiber.ErrNotFound
		} else if err != nil {
			return err
		}
		w.Flash(c, "jobs.retried")
		return c.Redirect("/admin/lavori", fiber.StatusSeeOther)
	})
}

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

// Mount registers the admins' view of failed jobs: GET /admin/lavori, POST /admin/lavori/:id/riprova.
func (q *Queue) Mount(r fiber.Router, w *web.Server) {
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
		list := make([]Failure, 0, len(rows))
		for _, j := range rows {
			f := Failure{ID: j.ID, Kind: j.Kind, Args: string(j.EncodedArgs), Attempt: j.Attempt, MaxAttempts: j.MaxAttempts}
			if n := len(j.Errors); n > 0 {
				f.Error, f.At = j.Errors[n-1].Error, j.Errors[n-1].At
			}
			list = append(list, f)
		}
		return w.Page(c, "jobs/failed", fiber.Map{"Title": w.T(c, "admin.jobs"), "Jobs": list, "Pending": pending})
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

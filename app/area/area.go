// Package area serves the home of the reserved area: what the logged-in person can do, composed
// from their staff roles, their enti and registrations, and their requests — for an ente, the
// requests filed on each catalogue procedure (zero included) by state; for an expert, the
// assigned requests and what waits on them; for a PM, the queue and the experts' workload. It
// owns no data.
package area

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/analysis"
	"passhub/app/catalogue"
	"passhub/app/crm"
	"passhub/app/ente"
	"passhub/app/request"
	"passhub/app/stats"
	"passhub/app/web"
)

// Row is one procedure of an ente's dashboard.
type Row struct {
	Procedure *catalogue.Procedure
	Submitted int // sent, not yet triaged
	Working   int // assigned, in progress or waiting for the ente
	Concluded int // concluded or archived
	Closed    int // rejected or withdrawn
	Total     int
}

// Dashboard is one ente's table of procedures.
type Dashboard struct {
	Ente *ente.Ente
	Rows []Row
	Sum  Row
	// Trend is the ente's own figures over time (nil before its first request is filed).
	Trend *Trend
}

// Services are what the home reads.
type Services struct {
	Enti      *ente.Service
	Requests  *request.Service
	Catalogue *catalogue.Service
	Stats     *stats.Service
	// CRM gives a province's people the follow-ups due on the comuni they follow; nil shows none.
	CRM *crm.Service
	Now func() time.Time // the clock of the ente's trend; time.Now when nil
}

// Handlers serve the reserved area's home.
type Handlers struct {
	web *web.Server
	sv  Services
}

// NewHandlers returns the reserved area's handlers.
func NewHandlers(w *web.Server, sv Services) *Handlers { return &Handlers{web: w, sv: sv} }

// Mount registers GET /area-riservata on the reserved group.
func (h *Handlers) Mount(reserved fiber.Router) {
	w, sv := h.web, h.sv
	reserved.Get("/area-riservata", access.Require(access.ViewReservedArea, nil), func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		s := access.Of(c)
		memberships, err := sv.Enti.Memberships(ctx, s.UserID)
		if err != nil {
			return err
		}
		regs, err := sv.Enti.RegistrationsOf(ctx, s.UserID)
		if err != nil {
			return err
		}
		var pending []ente.Registration
		for _, r := range regs {
			if r.Status == ente.RegPending {
				pending = append(pending, r)
			}
		}
		data := fiber.Map{
			"Title": w.T(c, "area.title"), "Memberships": memberships, "Mine": regs, "Pending": pending,
			"CanRegister": s.Can(access.RegisterEnte, access.Object{}) && len(memberships) == 0 && len(pending) == 0,
			"IsAdmin":     s.Can(access.ReviewRegistrations, access.Object{}),
			"IsPM":        s.Has(access.RolePM),
			"IsEditor":    s.Can(access.EditContent, access.Object{}),
			"CanAnalyse":  canAnalyse(s),
		}
		var dashboards []Dashboard
		for _, m := range memberships {
			if m.Enabled && m.Ente != nil && m.Ente.Status == ente.StatusApproved {
				d, err := dashboard(ctx, sv, m.Ente)
				if err != nil {
					return err
				}
				if sv.Stats != nil {
					if d.Trend, err = trend(ctx, sv, m.Ente.ID, now(sv), func(id string, args ...any) string { return w.T(c, id, args...) }); err != nil {
						return err
					}
				}
				dashboards = append(dashboards, d)
			}
		}
		data["Dashboards"] = dashboards
		var enti []int64 // the enti whose outcomes the subject may state
		for _, m := range memberships {
			if m.Ente != nil && s.Can(access.AnswerOutcome, access.Object{EnteID: m.EnteID}) {
				enti = append(enti, m.EnteID)
			}
		}
		outcomes, err := sv.Requests.PendingOutcomes(ctx, enti)
		if err != nil {
			return err
		}
		data["Outcomes"] = outcomes
		if sv.CRM != nil && s.Can(access.UseCRM, access.Object{}) && len(s.Provinces) > 0 {
			due, err := sv.CRM.DueFollowUps(ctx, s.Territory) // the subject's provinces' comuni alone
			if err != nil {
				return err
			}
			data["FollowUps"], data["CRM"], data["Today"] = due, true, sv.CRM.Today()
		}
		sc := s.Scope() // every list of the dashboard stays within what the subject may open
		if s.Has(access.RoleExpert) {
			mine, _, err := sv.Requests.List(ctx, request.Filter{Scope: &sc, ExpertID: s.UserID, Submitted: true, States: []request.State{request.Assigned, request.InProgress, request.Waiting}})
			if err != nil {
				return err
			}
			data["Assigned"] = mine
		}
		if tfs := s.Roles[access.RolePM]; len(tfs) > 0 {
			queue, n, err := sv.Requests.List(ctx, request.Filter{Scope: &sc, TaskForces: tfs, Submitted: true, States: []request.State{request.Submitted}, Limit: 5})
			if err != nil {
				return err
			}
			data["Queue"], data["QueueTotal"] = queue, n
			var loads []request.Workload
			for _, tf := range tfs {
				wl, err := sv.Requests.Workloads(ctx, tf)
				if err != nil {
					return err
				}
				loads = append(loads, wl...)
			}
			data["Workloads"] = loads
		}
		return w.Page(c, "area/home", data)
	})
}

// dashboard counts an ente's requests on every catalogue procedure that accepts them.
func dashboard(ctx context.Context, sv Services, e *ente.Ente) (Dashboard, error) {
	d := Dashboard{Ente: e}
	counts, err := sv.Requests.CountsByProcedure(ctx, e.ID)
	if err != nil {
		return d, err
	}
	tfs, err := sv.Catalogue.Catalogue(ctx)
	if err != nil {
		return d, err
	}
	for _, tf := range tfs {
		for _, p := range tf.Procedures {
			c := counts[p.ID]
			row := Row{Procedure: p, Submitted: c[request.Submitted] + c[request.Draft], Working: c[request.Assigned] + c[request.InProgress] + c[request.Waiting],
				Concluded: c[request.Concluded] + c[request.Archived], Closed: c[request.Rejected] + c[request.Withdrawn]}
			row.Total = row.Submitted + row.Working + row.Concluded + row.Closed
			if !p.AcceptsRequests && row.Total == 0 {
				continue
			}
			d.Rows = append(d.Rows, row)
			d.Sum.Submitted += row.Submitted
			d.Sum.Working += row.Working
			d.Sum.Concluded += row.Concluded
			d.Sum.Closed += row.Closed
			d.Sum.Total += row.Total
		}
	}
	return d, nil
}

func now(sv Services) time.Time {
	if sv.Now != nil {
		return sv.Now()
	}
	return time.Now()
}

// canAnalyse reports whether the subject may open the analysis panel (app/analysis).
func canAnalyse(s *access.Subject) bool {
	_, ok := analysis.ViewerOf(s)
	return ok
}

package stats

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Filter narrows the figures: months From to To included (YYYY-MM, empty for no bound), a task
// force's code, a province's code, a procedure, an ente. A province and a procedure together, or
// an ente, are answered from the requests' facts (few rows); the rest from the monthly roll-up.
type Filter struct {
	From, To    string
	TaskForce   string
	Province    string
	ProcedureID int64
	EnteID      int64
	// TaskForces, when set, keeps any of these task forces (the analysis panel's PM, who runs
	// several); ExpertID the requests assigned to the expert (answered from the facts).
	TaskForces []string
	ExpertID   int64
}

// dims narrows a query of stats_requests (or of the roll-up's columns of the same names).
func (f Filter) dims(q *bun.SelectQuery) *bun.SelectQuery {
	if f.TaskForce != "" {
		q = q.Where("task_force = ?", f.TaskForce)
	}
	if f.Province != "" {
		q = q.Where("province = ?", f.Province)
	}
	if f.ProcedureID != 0 {
		q = q.Where("procedure_id = ?", f.ProcedureID)
	}
	if f.EnteID != 0 {
		q = q.Where("ente_id = ?", f.EnteID)
	}
	if len(f.TaskForces) > 0 {
		q = q.Where("task_force IN (?)", bun.In(f.TaskForces))
	}
	if f.ExpertID != 0 {
		q = q.Where("EXISTS (SELECT 1 FROM request_experts AS x WHERE x.request_id = stats_requests.request_id AND x.user_id = ?)", f.ExpertID)
	}
	return q
}

func (f Filter) fromFacts() bool {
	return f.EnteID != 0 || f.ExpertID != 0 || (f.Province != "" && f.ProcedureID != 0)
}

// cut narrows a query of the roll-up to the period and to the one cut that answers f.
func (f Filter) cut(q *bun.SelectQuery, from bool) *bun.SelectQuery {
	if from && f.From != "" {
		q = q.Where("period >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("period <= ?", f.To)
	}
	if f.TaskForce != "" {
		q = q.Where("task_force = ?", f.TaskForce)
	}
	if len(f.TaskForces) > 0 {
		q = q.Where("task_force IN (?)", bun.In(f.TaskForces))
	}
	switch {
	case f.Province != "":
		q = q.Where("province = ?", f.Province).Where("procedure_id = 0")
	case f.ProcedureID != 0:
		q = q.Where("procedure_id = ?", f.ProcedureID).Where("province = ?", AllProvinces)
	}
	return q
}

// sums reads f's sums from the monthly roll-up, grouped by the database: the cut by procedure
// gives the totals, the task forces, the procedures and the months; the cut by province the
// provinces (one province's cut gives everything but the procedures).
func (s *Service) sums(ctx context.Context, f Filter) (Sums, error) {
	var out Sums
	counts := []string{Filed, Triaged, Assigned, Rejected, Withdrawn, Started, Concluded}
	base := func(cols, group string, onlyCounts bool) *bun.SelectQuery {
		q := f.cut(s.db.NewSelect().TableExpr("stats_monthly").ColumnExpr(cols+", SUM(n) AS n, SUM(total) AS total"), true).GroupExpr(group)
		if f.Province == "" && f.ProcedureID == 0 {
			q = q.Where("province = ?", AllProvinces)
		}
		if onlyCounts {
			q = q.Where("measure IN (?)", bun.In(counts))
		}
		return q
	}
	queries := []struct {
		into *[]Cell
		q    *bun.SelectQuery
	}{
		{&out.Total, base("measure", "measure", false)},
		{&out.ByTaskForce, base("task_force, measure", "task_force, measure", true)},
		{&out.ByMonth, base("period, measure", "period, measure", true)},
	}
	if f.Province == "" {
		queries = append(queries, struct {
			into *[]Cell
			q    *bun.SelectQuery
		}{&out.ByProcedure, base("procedure_id, measure", "procedure_id, measure", true)})
	}
	if f.ProcedureID == 0 {
		q := f.cut(s.db.NewSelect().TableExpr("stats_monthly").ColumnExpr("province, measure, SUM(n) AS n, SUM(total) AS total"), true).
			Where("procedure_id = 0").Where("province <> ?", AllProvinces).Where("measure IN (?)", bun.In(counts)).GroupExpr("province, measure")
		queries = append(queries, struct {
			into *[]Cell
			q    *bun.SelectQuery
		}{&out.ByProvince, q})
	}
	for _, q := range queries {
		if err := q.q.Scan(ctx, q.into); err != nil {
			return Sums{}, fmt.Errorf("stats: sums: %w", err)
		}
	}
	return out, nil
}

// factCells returns the daily cells of the requests in f within its period; stock keeps only the
// changes of state up to f.To.
func (s *Service) factCells(ctx context.Context, f Filter, stock bool) ([]Cell, error) {
	var facts []requestCells
	q := s.db.NewSelect().Model(&facts).Column("cells")
	if f.EnteID != 0 {
		q = q.Where("ente_id = ?", f.EnteID)
	}
	if f.EnteID == 0 || f.TaskForce != "" || f.Province != "" || f.ProcedureID != 0 || len(f.TaskForces) > 0 || f.ExpertID != 0 {
		q = q.Where("request_id IN (?)", f.dims(s.db.NewSelect().TableExpr("stats_requests").Column("request_id")))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("stats: cells of requests: %w", err)
	}
	var out []Cell
	for _, fa := range facts {
		for _, c := range fa.Cells {
			m := c.Period[:7]
			if (!stock && f.From != "" && m < f.From) || (f.To != "" && m > f.To) || (stock && !strings.HasPrefix(c.Measure, StateDelta)) {
				continue
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// Figures returns the figures of f, computed at most CacheTTL ago and since the last change of
// the roll-up (or, while fresh ones are computed, the ones before).
func (s *Service) Figures(ctx context.Context, f Filter) (Figures, error) {
	return s.figures.get(ctx, s, fmt.Sprintf("figures %+v", f), func(ctx context.Context) (Figures, error) { return s.compute(ctx, f) })
}

// compute computes the figures of f.
func (s *Service) compute(ctx context.Context, f Filter) (Figures, error) {
	var sums Sums
	if f.fromFacts() {
		cells, err := s.factCells(ctx, f, false)
		if err != nil {
			return Figures{}, err
		}
		sums = GroupCells(cells)
	} else {
		var err error
		if sums, err = s.sums(ctx, f); err != nil {
			return Figures{}, err
		}
	}
	out := compute(sums)
	if err := s.durations(ctx, f, &out); err != nil {
		return Figures{}, err
	}
	return out, nil
}

// Stock counts the requests in each state at the end of f's period (now, without one), kept like
// the figures.
func (s *Service) Stock(ctx context.Context, f Filter) (map[string]int64, error) {
	return s.stock.get(ctx, s, fmt.Sprintf("stock %+v", f), func(ctx context.Context) (map[string]int64, error) { return s.countStock(ctx, f) })
}

func (s *Service) countStock(ctx context.Context, f Filter) (map[string]int64, error) {
	var cells []Cell
	if f.fromFacts() {
		var err error
		if cells, err = s.factCells(ctx, f, true); err != nil {
			return nil, err
		}
	} else {
		q := f.cut(s.db.NewSelect().TableExpr("stats_monthly").ColumnExpr("measure, SUM(n) AS n").
			Where("measure LIKE ?", StateDelta+"%"), false).GroupExpr("measure")
		if f.Province == "" && f.ProcedureID == 0 {
			q = q.Where("province = ?", AllProvinces)
		}
		if err := q.Scan(ctx, &cells); err != nil {
			return nil, fmt.Errorf("stats: stock: %w", err)
		}
	}
	out := map[string]int64{}
	for _, c := range cells {
		out[strings.TrimPrefix(c.Measure, StateDelta)] += c.N
	}
	return out, nil
}

// durations are the distributions of f, read from the requests' facts: each step's whole days
// counted by value over the requests whose step fell in the period (the stays over the requests
// filed in it), with the time to conclusion by task force, procedure and province too.
func (s *Service) durations(ctx context.Context, f Filter, out *Figures) error {
	from, to := f.bounds()
	type measure struct {
		column, at string
		into       *Dist
		groups     bool
	}
	stays := map[string]*Dist{"submitted": {}, "assigned": {}, "in_progress": {}, "waiting_ente": {}}
	list := []measure{
		{"days_to_triage", "triaged_at", &out.ToTriage, false},
		{"days_to_start", "started_at", &out.ToStart, false},
		{"days_to_conclusion", "concluded_at", &out.ToConclusion, true},
		{"stay_submitted", "filed_at", stays["submitted"], false},
		{"stay_assigned", "filed_at", stays["assigned"], false},
		{"stay_in_progress", "filed_at", stays["in_progress"], false},
		{"stay_waiting", "filed_at", stays["waiting_ente"], false},
	}
	for _, m := range list {
		q := func(dim string) *bun.SelectQuery {
			q := f.dims(s.db.NewSelect().TableExpr("stats_requests").ColumnExpr(m.column + " AS bucket, COUNT(*) AS n").
				Where(m.column + " IS NOT NULL")).GroupExpr(m.column)
			if dim != "" {
				q = q.ColumnExpr(dim + " AS dim").GroupExpr(dim)
			}
			if !from.IsZero() {
				q = q.Where(m.at+" >= ?", from)
			}
			if !to.IsZero() {
				q = q.Where(m.at+" < ?", to)
			}
			return q
		}
		var rows []struct {
			Bucket int    `bun:"bucket"`
			N      int64  `bun:"n"`
			Dim    string `bun:"dim"`
		}
		if err := q("").Scan(ctx, &rows); err != nil {
			return fmt.Errorf("stats: %s: %w", m.column, err)
		}
		for _, r := range rows {
			m.into.add(r.Bucket, r.N)
		}
		m.into.finish()
		if !m.groups {
			continue
		}
		for _, g := range []struct {
			dim  string
			list []Group
		}{{"task_force", out.ByTaskForce}, {"procedure_id", out.ByProcedure}, {"province", out.ByProvince}} {
			rows = rows[:0]
			if err := q(g.dim).Scan(ctx, &rows); err != nil {
				return fmt.Errorf("stats: %s by %s: %w", m.column, g.dim, err)
			}
			by := map[string]*Dist{}
			for _, r := range rows {
				if by[r.Dim] == nil {
					by[r.Dim] = &Dist{}
				}
				by[r.Dim].add(r.Bucket, r.N)
			}
			for i := range g.list {
				if d := by[g.list[i].Key]; d != nil {
					d.finish()
					g.list[i].ToConclusion = *d
				}
			}
		}
	}
	for k, d := range stays {
		if d.N > 0 {
			out.Stays[k] = d
		}
	}
	return nil
}

// bounds are the times where f's period starts and ends (zero when open), in Italian time.
func (f Filter) bounds() (from, to time.Time) {
	if t, err := time.ParseInLocation("2006-01", f.From, rome); err == nil {
		from = t
	}
	if t, err := time.ParseInLocation("2006-01", f.To, rome); err == nil {
		to = t.AddDate(0, 1, 0)
	}
	return from, to
}

// Month is the YYYY-MM of t in Italian time.
func Month(t time.Time) string { return t.In(rome).Format("2006-01") }

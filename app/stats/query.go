package stats

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Filter narrows the figures: months From to To included (YYYY-MM, empty for no bound), a task
// force's code, a province's code, a procedure, an ente.
type Filter struct {
	From, To    string
	TaskForce   string
	Province    string
	ProcedureID int64
	EnteID      int64
}

func (f Filter) apply(q *bun.SelectQuery) *bun.SelectQuery {
	if f.From != "" {
		q = q.Where("period >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("period <= ?", f.To)
	}
	return f.dims(q)
}

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
	return q
}

// within reports whether a monthly cell is in f.
func (f Filter) within(c Cell) bool {
	return (f.From == "" || c.Period >= f.From) && (f.To == "" || c.Period <= f.To) &&
		(f.TaskForce == "" || c.TaskForce == f.TaskForce) && (f.Province == "" || c.Province == f.Province) &&
		(f.ProcedureID == 0 || c.ProcedureID == f.ProcedureID)
}

// Cells returns the monthly cells in f. With an ente, they come from its requests' facts (an
// ente's requests are few); otherwise from the monthly roll-up.
func (s *Service) Cells(ctx context.Context, f Filter) ([]Cell, error) {
	if f.EnteID != 0 {
		return s.enteCells(ctx, f, false)
	}
	var out []Cell
	err := f.apply(s.db.NewSelect().TableExpr("stats_monthly").
		Column("period", "task_force", "procedure_id", "province", "measure", "bucket", "n", "total")).
		Where("n <> 0 OR total <> 0").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("stats: cells: %w", err)
	}
	return out, nil
}

func (s *Service) enteCells(ctx context.Context, f Filter, stock bool) ([]Cell, error) {
	var facts []Facts
	if err := f.dims(s.db.NewSelect().Model(&facts).Column("cells").Where("ente_id = ?", f.EnteID)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("stats: ente cells: %w", err)
	}
	if stock {
		f.From = ""
	}
	var out []Cell
	for _, fa := range facts {
		for _, c := range fa.Cells {
			if c = c.Month(); f.within(c) && (!stock || strings.HasPrefix(c.Measure, StateDelta)) {
				out = append(out, c)
			}
		}
	}
	return merge(out), nil
}

// Figures computes the figures of f.
func (s *Service) Figures(ctx context.Context, f Filter) (Figures, error) {
	cells, err := s.Cells(ctx, f)
	if err != nil {
		return Figures{}, err
	}
	return Compute(cells), nil
}

// Stock counts the requests in each state at the end of f's period (now, without one).
func (s *Service) Stock(ctx context.Context, f Filter) (map[string]int64, error) {
	var cells []Cell
	if f.EnteID != 0 {
		var err error
		if cells, err = s.enteCells(ctx, f, true); err != nil {
			return nil, err
		}
	} else {
		q := f.dims(s.db.NewSelect().TableExpr("stats_monthly").ColumnExpr("measure, SUM(n) AS n").
			Where("measure LIKE ?", StateDelta+"%")).GroupExpr("measure")
		if f.To != "" {
			q = q.Where("period <= ?", f.To)
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

// Month is the YYYY-MM of t in Italian time.
func Month(t time.Time) string { return t.In(rome).Format("2006-01") }

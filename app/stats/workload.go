package stats

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Work is one expert's activities in one month (YYYY-MM) and their minutes.
type Work struct {
	ExpertID   int64
	Month      string
	Activities int64
	Minutes    int64
}

// Rolled reports whether the monthly roll-up answers f (otherwise the requests' facts do).
func (f Filter) Rolled() bool { return !f.fromFacts() }

// Workload returns the experts' activities by expert and month on the requests in f's task forces,
// procedure or province within its period, read from the monthly roll-up (and kept as the figures
// are); f must be Rolled.
func (s *Service) Workload(ctx context.Context, f Filter) ([]Work, error) {
	if !f.Rolled() {
		return nil, fmt.Errorf("stats: workload of a filter the roll-up does not answer")
	}
	return s.work.get(ctx, s, fmt.Sprintf("work %+v", f), func(ctx context.Context) ([]Work, error) { return s.workload(ctx, f) })
}

func (s *Service) workload(ctx context.Context, f Filter) ([]Work, error) {
	var rows []Cell
	q := f.cut(s.db.NewSelect().TableExpr("stats_monthly").ColumnExpr("period, measure, SUM(n) AS n, SUM(total) AS total"), true).
		Where("measure >= ? AND measure < ?", Expert, strings.TrimSuffix(Expert, ":")+";").GroupExpr("period, measure").OrderExpr("measure, period")
	if f.Province == "" && f.ProcedureID == 0 {
		q = q.Where("province = ?", AllProvinces)
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("stats: workload: %w", err)
	}
	out := make([]Work, 0, len(rows))
	for _, r := range rows {
		id, err := strconv.ParseInt(strings.TrimPrefix(r.Measure, Expert), 10, 64)
		if err != nil || r.N == 0 {
			continue
		}
		out = append(out, Work{ExpertID: id, Month: r.Period, Activities: r.N, Minutes: r.Total})
	}
	return out, nil
}

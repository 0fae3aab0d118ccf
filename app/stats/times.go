package stats

import (
	"context"
	"fmt"
)

// Times are the distributions of the days to triage and to conclusion of a set of requests.
type Times struct {
	ToTriage, ToConclusion Dist
}

// ProcedureTimes returns, by procedure, the days to triage and to conclusion of every request in
// f's dimensions (its period is not used: the times of all time, as an ente's trend compares
// them), read in two grouped queries and kept at most CacheTTL like the figures.
func (s *Service) ProcedureTimes(ctx context.Context, f Filter) (map[int64]*Times, error) {
	f.From, f.To = "", ""
	key := fmt.Sprintf("%+v", f)
	if out, ok := s.times.Get(key); ok {
		return out, nil
	}
	v, err, _ := s.flight.Do("times "+key, func() (any, error) {
		out, err := s.procedureTimes(ctx, f)
		if err == nil {
			s.times.Add(key, out)
		}
		return out, err
	})
	if err != nil {
		return nil, err
	}
	return v.(map[int64]*Times), nil
}

func (s *Service) procedureTimes(ctx context.Context, f Filter) (map[int64]*Times, error) {
	out := map[int64]*Times{}
	for _, m := range []struct {
		column string
		into   func(*Times) *Dist
	}{
		{"days_to_triage", func(t *Times) *Dist { return &t.ToTriage }},
		{"days_to_conclusion", func(t *Times) *Dist { return &t.ToConclusion }},
	} {
		var rows []struct {
			ProcedureID int64 `bun:"procedure_id"`
			Bucket      int   `bun:"bucket"`
			N           int64 `bun:"n"`
		}
		q := f.dims(s.db.NewSelect().TableExpr("stats_requests").ColumnExpr("procedure_id, " + m.column + " AS bucket, COUNT(*) AS n").
			Where(m.column + " IS NOT NULL")).GroupExpr("procedure_id, " + m.column)
		if err := q.Scan(ctx, &rows); err != nil {
			return nil, fmt.Errorf("stats: %s by procedure: %w", m.column, err)
		}
		for _, r := range rows {
			if out[r.ProcedureID] == nil {
				out[r.ProcedureID] = &Times{}
			}
			m.into(out[r.ProcedureID]).add(r.Bucket, r.N)
		}
	}
	for _, t := range out {
		t.ToTriage.finish()
		t.ToConclusion.finish()
	}
	return out, nil
}

package stats

import (
	"context"
	"fmt"
	"time"
)

// LastChange is when the listener or a rebuild last recomputed a request's facts: no figure has
// changed since (zero when there are none).
func (s *Service) LastChange(ctx context.Context) (time.Time, error) {
	var at []time.Time
	if err := s.db.NewSelect().TableExpr("stats_requests").Column("updated_at").OrderExpr("updated_at DESC").Limit(1).Scan(ctx, &at); err != nil {
		return time.Time{}, fmt.Errorf("stats: last change: %w", err)
	}
	if len(at) == 0 {
		return time.Time{}, nil
	}
	return at[0], nil
}

// RequestsWith counts, for each measure, the requests in f that have a cell of it in f's period:
// how many requests a distribution of events (the stays in a state, the integrations answered),
// where one request may count more than once, comes from. It reads the requests' facts.
func (s *Service) RequestsWith(ctx context.Context, f Filter, measures ...string) (map[string]int64, error) {
	want := map[string]bool{}
	for _, m := range measures {
		want[m] = true
	}
	var facts []Facts
	q := f.dims(s.db.NewSelect().Model(&facts).Column("cells"))
	if f.EnteID != 0 {
		q = q.Where("ente_id = ?", f.EnteID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("stats: requests with: %w", err)
	}
	out := map[string]int64{}
	for _, fa := range facts {
		seen := map[string]bool{}
		for _, c := range fa.Cells {
			if want[c.Measure] && !seen[c.Measure] && c.N > 0 && f.within(c.Month()) {
				seen[c.Measure] = true
				out[c.Measure]++
			}
		}
	}
	return out, nil
}

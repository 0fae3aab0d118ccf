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

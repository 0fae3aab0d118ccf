package stats

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/db"
	"passhub/app/event"
	"passhub/app/request"
)

// Service keeps the roll-ups and answers the figures.
type Service struct {
	db    *db.DB
	store Store
	now   func() time.Time
}

// NewService returns the statistics over d.
func NewService(d *db.DB) *Service { return &Service{db: d, now: time.Now} }

// SetClock replaces the service's clock.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Listen keeps the roll-ups up to date with every change of a request.
func (s *Service) Listen(d *event.Dispatcher) {
	event.On(d, "stats", func(ctx context.Context, c request.Changed) error { return s.Refresh(ctx, c.RequestID) })
}

// Refresh recomputes one request's facts from its raw rows and applies the difference to the
// roll-ups; run again, it changes nothing.
func (s *Service) Refresh(ctx context.Context, requestID int64) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return s.refresh(ctx, tx, requestID)
	})
}

func (s *Service) refresh(ctx context.Context, tx bun.IDB, requestID int64) error {
	old, err := s.store.Facts(ctx, tx, requestID)
	if err != nil {
		return err
	}
	raws, err := s.store.Raw(ctx, tx, requestID, requestID+1)
	if err != nil {
		return err
	}
	var f *Facts
	if len(raws) == 1 {
		f = Derive(raws[0], s.now())
	}
	var before, after []Cell
	if old != nil {
		before = old.Cells
	}
	if f != nil {
		after = f.Cells
	}
	if err := s.store.Add(ctx, tx, Diff(before, after)); err != nil {
		return err
	}
	return s.store.SaveFacts(ctx, tx, requestID, f)
}

// RebuildBatch is how many requests Rebuild reads at once.
const RebuildBatch = 2000

// Rebuild recomputes every request's facts and the roll-ups from scratch, in one transaction
// (readers see the former figures until it commits); progress, when not nil, is told how many
// request ids were read out of how many.
func (s *Service) Rebuild(ctx context.Context, progress func(done, total int64)) (int, error) {
	count := 0
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if tx.Dialect().Name().String() == "pg" { // the listeners wait until the rebuild commits
			if _, err := tx.ExecContext(ctx, "LOCK TABLE stats_requests IN EXCLUSIVE MODE"); err != nil {
				return err
			}
		}
		if err := s.store.Clear(ctx, tx); err != nil {
			return err
		}
		last, err := s.store.MaxRequestID(ctx, tx)
		if err != nil {
			return err
		}
		now := s.now()
		for lo := int64(1); lo <= last; lo += RebuildBatch {
			raws, err := s.store.Raw(ctx, tx, lo, lo+RebuildBatch)
			if err != nil {
				return err
			}
			var cells []Cell
			var facts []*Facts
			var kept []*requestCells
			for _, r := range raws {
				if f := Derive(r, now); f != nil {
					facts = append(facts, f)
					kept = append(kept, &requestCells{RequestID: f.RequestID, EnteID: f.EnteID, Cells: f.Cells})
					cells = append(cells, f.Cells...)
				}
			}
			if len(facts) > 0 {
				if _, err := tx.NewInsert().Model(&facts).Exec(ctx); err != nil {
					return err
				}
				if _, err := tx.NewInsert().Model(&kept).Exec(ctx); err != nil {
					return err
				}
			}
			if err := s.store.Add(ctx, tx, merge(cells)); err != nil {
				return err
			}
			count += len(facts)
			if progress != nil {
				progress(min(lo+RebuildBatch-1, last), last)
			}
		}
		return nil
	})
	return count, err
}

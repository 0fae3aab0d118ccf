package stats

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/sync/singleflight"

	"passhub/app/db"
	"passhub/app/event"
	"passhub/app/request"
)

// Service keeps the roll-ups and answers the figures.
type Service struct {
	db    *db.DB
	store Store
	now   func() time.Time
	// figures keeps the figures of the filters asked lately (see kept): with 100,000 requests a
	// set of figures takes about a second to compute, and a page asks for it at every view.
	figures kept[Figures]
	stock   kept[map[string]int64]
	times   kept[map[int64]*Times]
	work    kept[[]Work]
	flight  singleflight.Group
	// gen counts the changes of the roll-up the values kept have been told of.
	gen       atomic.Uint64
	freshness time.Duration
	bus       Bus

	mu      sync.Mutex
	forgot  time.Time
	pending *time.Timer
	// onForget run after the figures kept are dropped (the public pages cached from them).
	onForget []func()
}

// Bus carries a topic to every instance (the realtime bus).
type Bus interface {
	Publish(ctx context.Context, topic string) error
	Handle(prefix string, fn func(topic string))
}

// CacheTopic is the realtime topic that tells every instance the roll-up changed.
const CacheTopic = "cache:stats"

// CacheTTL is how long figures may be older than the roll-up.
const CacheTTL = 30 * time.Second

// NewService returns the statistics over d.
func NewService(d *db.DB) *Service {
	return &Service{db: d, now: time.Now, figures: newKept[Figures](256), stock: newKept[map[string]int64](256),
		times: newKept[map[int64]*Times](256), work: newKept[[]Work](256)}
}

// SetFreshness sets how long after a change the figures kept may still be served; the changes
// within it are seen together when it ends.
func (s *Service) SetFreshness(d time.Duration) {
	s.mu.Lock()
	s.freshness = d
	s.mu.Unlock()
}

// Forget drops the figures kept, so the next ones are computed afresh (tests, and after a rebuild).
func (s *Service) Forget() {
	s.gen.Add(1)
	s.figures.purge()
	s.stock.purge()
	s.times.purge()
	s.work.purge()
	s.refreshed()
}

// expire tells the figures kept that the roll-up changed: with a freshness, they are still served
// while fresh ones are computed; without, they are dropped (every change is seen at once).
func (s *Service) expire(fresh time.Duration) {
	if fresh == 0 {
		s.Forget()
		return
	}
	s.gen.Add(1)
	s.refreshed()
}

// refreshed tells what keeps copies made of the figures that newer ones may be there.
func (s *Service) refreshed() {
	for _, fn := range s.onForget {
		fn()
	}
}

// OnForget registers fn to run each time the figures kept are dropped, on this instance: what
// keeps copies made of them (the anonymous pages of /dati) drops them too. Register at start.
func (s *Service) OnForget(fn func()) { s.onForget = append(s.onForget, fn) }

// SetClock replaces the service's clock.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Listen keeps the roll-ups up to date with every change of a request, and forgets the figures
// kept on every instance when they change.
func (s *Service) Listen(d *event.Dispatcher, bus Bus) {
	s.bus = bus
	event.On(d, "stats", func(ctx context.Context, c request.Changed) error { return s.Refresh(ctx, c.RequestID) })
	if bus != nil {
		bus.Handle(CacheTopic, func(string) { s.changed() })
	}
}

// Refresh recomputes one request's facts from its raw rows and applies the difference to the
// roll-ups; run again, it changes nothing.
func (s *Service) Refresh(ctx context.Context, requestID int64) error {
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return s.refresh(ctx, tx, requestID)
	})
	if err == nil {
		s.announce(ctx)
	}
	return err
}

// announce tells every instance (this one through the bus too) that the roll-up changed.
func (s *Service) announce(ctx context.Context) {
	if s.bus == nil || s.bus.Publish(ctx, CacheTopic) != nil {
		s.changed() // no bus, or it failed: this instance at least
	}
}

// changed forgets the figures kept, at once or, within Freshness of the last time, when it ends.
func (s *Service) changed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	wait := s.freshness - time.Since(s.forgot)
	if wait <= 0 {
		s.forgot = time.Now()
		s.expire(s.freshness)
		return
	}
	if s.pending == nil {
		s.pending = time.AfterFunc(wait, func() {
			s.mu.Lock()
			s.pending, s.forgot = nil, time.Now()
			fresh := s.freshness
			s.mu.Unlock()
			s.expire(fresh)
		})
	}
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

// Backfill rebuilds the statistics when they hold nothing while requests were submitted: the
// first start after the statistics arrived. It returns how many requests it counted.
func (s *Service) Backfill(ctx context.Context) (int, error) {
	kept, err := s.db.NewSelect().TableExpr("stats_requests").Exists(ctx)
	if err != nil || kept {
		return 0, err
	}
	filed, err := s.db.NewSelect().TableExpr("requests").Where("submitted_at IS NOT NULL").Exists(ctx)
	if err != nil || !filed {
		return 0, err
	}
	return s.Rebuild(ctx, nil)
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
	if err == nil {
		s.announce(ctx)
	}
	return count, err
}

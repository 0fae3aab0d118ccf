// Package sweep removes stored objects that no row references: the bytes of an upload whose
// transaction rolled back, or that a crash left between the Put and the commit. An object is
// touched only once it is older than the grace period, so an upload whose row is still being
// written is never taken.
package sweep

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"passhub/app/backup"
	"passhub/app/db"
	"passhub/app/jobs"
	"passhub/app/storage"
)

// Ref is a column that holds storage keys.
type Ref struct{ Table, Column string }

// Refs are every column of the schema that references a stored object: the columns backups
// check (backup.FileColumns), so one list says which rows own files. A table that starts keeping
// keys adds its column there, or the sweeper takes its objects.
var Refs = func() []Ref {
	var out []Ref
	for _, fc := range backup.FileColumns {
		out = append(out, Ref{fc.Table, fc.Key})
	}
	return out
}()

// Sweeper finds and removes the unreferenced objects of a store.
type Sweeper struct {
	DB    *db.DB
	Files storage.Store
	// Grace is how old an unreferenced object must be to be removed.
	Grace time.Duration
	Log   *slog.Logger
	Now   func() time.Time
}

// Sweep removes every object older than the grace period that no row references and returns the
// keys it removed.
func (s *Sweeper) Sweep(ctx context.Context) ([]string, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	objs, err := s.Files.List(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	cutoff := now().Add(-s.Grace)
	var old []string
	for _, o := range objs {
		if o.ModTime.Before(cutoff) {
			old = append(old, o.Key)
		}
	}
	var removed []string
	for len(old) > 0 {
		batch := old[:min(len(old), 500)]
		old = old[len(batch):]
		used, err := s.referenced(ctx, batch)
		if err != nil {
			return removed, err
		}
		for _, k := range batch {
			if used[k] {
				continue
			}
			if err := s.Files.Delete(ctx, k); err != nil {
				return removed, fmt.Errorf("sweep: %w", err)
			}
			removed = append(removed, k)
		}
	}
	if len(removed) > 0 && s.Log != nil {
		s.Log.Info("storage sweep: removed unreferenced objects", "count", len(removed))
	}
	return removed, nil
}

// referenced reports which of keys a row references.
func (s *Sweeper) referenced(ctx context.Context, keys []string) (map[string]bool, error) {
	used := map[string]bool{}
	for _, r := range Refs {
		var found []string
		if err := s.DB.NewSelect().TableExpr("?", bun.Ident(r.Table)).ColumnExpr("?", bun.Ident(r.Column)).
			Where("? IN (?)", bun.Ident(r.Column), bun.In(keys)).Scan(ctx, &found); err != nil {
			return nil, fmt.Errorf("sweep: %s.%s: %w", r.Table, r.Column, db.Map(err))
		}
		for _, k := range found {
			used[k] = true
		}
	}
	return used, nil
}

// Args is the daily sweep job.
type Args struct{}

// Kind names the job.
func (Args) Kind() string { return "storage.sweep" }

// InsertOpts puts the job in the default queue.
func (Args) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueDefault} }

// Hour is when the daily sweep runs, server time.
const Hour = 3

// Periodic is the daily sweep's schedule.
func Periodic() *river.PeriodicJob {
	return river.NewPeriodicJob(jobs.Daily(Hour), func() (river.JobArgs, *river.InsertOpts) {
		return Args{}, nil
	}, &river.PeriodicJobOpts{ID: "storage.sweep"})
}

// Register adds the sweep's worker to q and schedules it daily.
func (s *Sweeper) Register(q *jobs.Queue) {
	jobs.Add(q, &worker{s: s})
	q.AddPeriodic(Periodic())
}

type worker struct {
	river.WorkerDefaults[Args]
	s *Sweeper
}

func (w *worker) Work(ctx context.Context, _ *river.Job[Args]) error {
	_, err := w.s.Sweep(ctx)
	return err
}

// Package jobs runs durable side effects (e-mail, search index, schedules) as River jobs on the
// application's own database. A job is enqueued in the same transaction as the change that causes
// it, so a crash after commit loses nothing; failed jobs are retried with backoff and, once they
// run out of attempts, kept for the admins to see and retry.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"passhub/app/db"
)

// MaxAttempts is how many times a job runs before it is set aside as failed (about a day of
// exponential backoff).
const MaxAttempts = 12

// Options tune the queue.
type Options struct {
	// Poll is how often idle workers look for new jobs (default 1s).
	Poll time.Duration
	// Periodic are jobs enqueued on a schedule by the elected leader among the instances.
	Periodic []*river.PeriodicJob
	Log      *slog.Logger
}

// Queue enqueues and runs jobs.
type Queue struct {
	client  *river.Client[*sql.Tx]
	workers *river.Workers
	own     *sql.DB // River's own single connection on SQLite
	started bool
}

// Open prepares the queue on d, applying River's own migrations. Register the worker of every kind
// with Add before enqueueing or starting.
func Open(ctx context.Context, d *db.DB, o Options) (*Queue, error) {
	q := &Queue{workers: river.NewWorkers()}
	var driver riverdriver.Driver[*sql.Tx]
	switch d.Kind {
	case db.SQLite:
		// River's SQLite driver wants one connection for its own work; the application's pool
		// keeps its connections, and its transactions still carry the inserts.
		own, err := d.OpenSibling(ctx)
		if err != nil {
			return nil, err
		}
		own.SetMaxOpenConns(1)
		q.own = own
		driver = riversqlite.New(own)
	default:
		driver = riverdatabasesql.New(d.DB.DB)
	}
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: quiet(o.Log)})
	if err != nil {
		return nil, q.fail(fmt.Errorf("jobs: %w", err))
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, q.fail(fmt.Errorf("jobs: migrate: %w", err))
	}
	cfg := &river.Config{Logger: quiet(o.Log), MaxAttempts: MaxAttempts, Workers: q.workers, JobTimeout: 2 * time.Minute}
	cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}}
	cfg.FetchPollInterval = o.Poll
	if cfg.FetchPollInterval == 0 {
		cfg.FetchPollInterval = time.Second
	}
	cfg.FetchCooldown = min(cfg.FetchPollInterval, river.FetchCooldownDefault)
	cfg.PeriodicJobs = o.Periodic
	if q.client, err = river.NewClient(driver, cfg); err != nil {
		return nil, q.fail(fmt.Errorf("jobs: %w", err))
	}
	return q, nil
}

func (q *Queue) fail(err error) error {
	if q.own != nil {
		_ = q.own.Close()
	}
	return err
}

// quiet keeps River's own chatter at warning level and above.
func quiet(l *slog.Logger) *slog.Logger {
	if l == nil {
		l = slog.Default()
	}
	return slog.New(levelAtLeast{l.Handler(), slog.LevelWarn})
}

type levelAtLeast struct {
	slog.Handler
	min slog.Level
}

func (h levelAtLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

// Add registers the worker of one kind of job.
func Add[T river.JobArgs](q *Queue, w river.Worker[T]) { river.AddWorker(q.workers, w) }

// Start runs the workers until Stop; a process that never starts them only enqueues (CLI commands).
func (q *Queue) Start(ctx context.Context) error {
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	q.started = true
	return nil
}

// Stop lets running jobs finish (until ctx ends) and releases the queue.
func (q *Queue) Stop(ctx context.Context) error {
	var err error
	if q.started {
		err = q.client.Stop(ctx)
		q.started = false
	}
	if q.own != nil {
		err = errors.Join(err, q.own.Close())
	}
	return err
}

// Enqueue adds a job; inside a transaction (a bun.Tx) it is committed or rolled back with it.
func (q *Queue) Enqueue(ctx context.Context, idb bun.IDB, args river.JobArgs) error {
	var err error
	switch tx := idb.(type) {
	case bun.Tx:
		_, err = q.client.InsertTx(ctx, tx.Tx, args, nil)
	case *bun.Tx:
		_, err = q.client.InsertTx(ctx, tx.Tx, args, nil)
	default:
		_, err = q.client.Insert(ctx, args, nil)
	}
	if err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// Failed lists the jobs set aside after their last attempt, newest first.
func (q *Queue) Failed(ctx context.Context, limit int) ([]*rivertype.JobRow, error) {
	res, err := q.client.JobList(ctx, river.NewJobListParams().States(rivertype.JobStateDiscarded).
		OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(limit))
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	return res.Jobs, nil
}

// Pending counts the jobs waiting to run or to be retried.
func (q *Queue) Pending(ctx context.Context) (int, error) {
	res, err := q.client.JobList(ctx, river.NewJobListParams().
		States(rivertype.JobStateAvailable, rivertype.JobStateRetryable, rivertype.JobStateScheduled, rivertype.JobStateRunning).First(10000))
	if err != nil {
		return 0, fmt.Errorf("jobs: list: %w", err)
	}
	return len(res.Jobs), nil
}

// WaitIdle waits until no job is waiting or running (tests, and commands that must see their
// effects), or ctx ends.
func (q *Queue) WaitIdle(ctx context.Context) error {
	for {
		n, err := q.Pending(ctx)
		if err != nil || n == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Retry puts a failed job back in the queue with fresh attempts; other jobs are not failed ones.
func (q *Queue) Retry(ctx context.Context, id int64) error {
	j, err := q.client.JobGet(ctx, id)
	if errors.Is(err, river.ErrNotFound) || (err == nil && j.State != rivertype.JobStateDiscarded) {
		return db.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("jobs: retry: %w", err)
	}
	if _, err := q.client.JobRetry(ctx, id); err != nil {
		if errors.Is(err, river.ErrNotFound) {
			return db.ErrNotFound
		}
		return fmt.Errorf("jobs: retry: %w", err)
	}
	return nil
}

// Daily is a schedule that fires every day at hour:00, server time.
type Daily int

// Next returns the next hour:00 after t.
func (h Daily) Next(t time.Time) time.Time {
	next := time.Date(t.Year(), t.Month(), t.Day(), int(h), 0, 0, 0, t.Location())
	if !next.After(t) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

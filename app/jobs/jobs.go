// Package jobs runs durable side effects (e-mail, search index, schedules) as River jobs on the
// application's own database. A job is enqueued in the same transaction as the change that causes
// it, so a crash after commit loses nothing; failed jobs are retried with backoff and, once they
// run out of attempts, kept for the admins to see and retry.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
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

// Queue names: each has its own workers and timeout, so a slow dependency (an SMTP server that
// never answers) holds only its own queue's workers.
const (
	QueueMail   = "mail"
	QueueSearch = "search"
	QueueEvents = "events"
	// QueueWebhooks carries the deliveries to external endpoints: a receiver that hangs holds
	// only this lane (and at most PASSHUB_WEBHOOKS_PER_ENDPOINT of its workers).
	QueueWebhooks = "webhooks"
	QueueDefault  = river.QueueDefault
)

// Lane is one queue: how many jobs of it run at once and how long one may run before its context
// is cancelled.
type Lane struct {
	Workers int
	Timeout time.Duration
}

// Lanes are the queues and their limits. A job's kind picks its queue (InsertOpts); kinds that
// pick none run in QueueDefault.
var Lanes = map[string]Lane{
	QueueMail:     {Workers: 4, Timeout: 45 * time.Second},
	QueueSearch:   {Workers: 2, Timeout: 2 * time.Minute},
	QueueEvents:   {Workers: 2, Timeout: time.Minute},
	QueueWebhooks: {Workers: 4, Timeout: time.Minute},
	QueueDefault:  {Workers: 2, Timeout: time.Minute},
}

// RescueAfter is, by default, how long a job may stay running before it counts as abandoned (its
// process died) and is run again; it exceeds every lane's timeout, so a live job is never rescued.
const RescueAfter = 3 * time.Minute

// StuckGrace is how long past its lane's timeout a running job counts as stuck.
const StuckGrace = 15 * time.Second

// Options tune the queue.
type Options struct {
	// Poll is how often idle workers look for new jobs (default 1s).
	Poll time.Duration
	// RescueAfter overrides the default RescueAfter; lanes' timeouts are capped to it.
	RescueAfter time.Duration
	// Periodic are jobs enqueued on a schedule by the elected leader among the instances.
	Periodic []*river.PeriodicJob
	// Workers overrides the Workers of lanes by queue name (PASSHUB_WEBHOOKS_WORKERS for
	// QueueWebhooks); values below 1 are ignored.
	Workers map[string]int
	Log     *slog.Logger
}

// Queue enqueues and runs jobs.
type Queue struct {
	client  *river.Client[*sql.Tx]
	workers *river.Workers
	kind    string // db.SQLite or db.Postgres
	lanes   map[string]Lane
	rescue  time.Duration
	own     *sql.DB // River's own single connection on SQLite
	started bool
}

// Open prepares the queue on d, applying River's own migrations. Register the worker of every kind
// with Add before enqueueing or starting.
func Open(ctx context.Context, d *db.DB, o Options) (*Queue, error) {
	q := &Queue{workers: river.NewWorkers(), kind: d.Kind, rescue: cmp.Or(o.RescueAfter, RescueAfter), lanes: map[string]Lane{}}
	longest := time.Duration(0)
	for name, l := range Lanes {
		if n := o.Workers[name]; n > 0 {
			l.Workers = n
		}
		l.Timeout = min(l.Timeout, q.rescue*2/3)
		q.lanes[name] = l
		longest = max(longest, l.Timeout)
	}
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
	cfg := &river.Config{Logger: quiet(o.Log), MaxAttempts: MaxAttempts, Workers: q.workers, JobTimeout: longest,
		RescueStuckJobsAfter: q.rescue, Middleware: []rivertype.Middleware{river.WorkerMiddlewareFunc(q.bound)}}
	cfg.Queues = map[string]river.QueueConfig{}
	for name, l := range q.lanes {
		cfg.Queues[name] = river.QueueConfig{MaxWorkers: l.Workers}
	}
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

// bound runs a job under its lane's timeout, with its event key in the context.
func (q *Queue) bound(ctx context.Context, j *rivertype.JobRow, work func(ctx context.Context) error) error {
	l, ok := q.lanes[j.Queue]
	if !ok {
		l = q.lanes[QueueDefault]
	}
	ctx, cancel := context.WithTimeout(ctx, l.Timeout)
	defer cancel()
	return work(context.WithValue(ctx, keyOf{}, "job:"+strconv.FormatInt(j.ID, 10)))
}

type keyOf struct{}

// EventKey names the event a running job handles, the same on every rerun of that job ("job:42"),
// so what the job records can be made unique per event; "" outside a job.
func EventKey(ctx context.Context) string {
	k, _ := ctx.Value(keyOf{}).(string)
	return k
}

// WithEventKey returns ctx carrying key as its event key (for work done outside a job, such as a
// command, that must not be repeated).
func WithEventKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, keyOf{}, key)
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

// AddPeriodic schedules a job, enqueued by the elected leader among the instances; the domain
// that owns the job registers it with its worker.
func (q *Queue) AddPeriodic(pj *river.PeriodicJob) { q.client.PeriodicJobs().Add(pj) }

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

// IdleHorizon is how far ahead WaitIdle looks for scheduled jobs.
const IdleHorizon = time.Minute

// due counts the jobs waiting, running, or scheduled to run within IdleHorizon.
func (q *Queue) due(ctx context.Context) (int, error) {
	res, err := q.client.JobList(ctx, river.NewJobListParams().
		States(rivertype.JobStateAvailable, rivertype.JobStateRetryable, rivertype.JobStateScheduled, rivertype.JobStateRunning).First(10000))
	if err != nil {
		return 0, fmt.Errorf("jobs: list: %w", err)
	}
	n, horizon := 0, time.Now().Add(IdleHorizon)
	for _, j := range res.Jobs {
		if j.State == rivertype.JobStateScheduled && j.ScheduledAt.After(horizon) {
			continue
		}
		n++
	}
	return n, nil
}

// Busy describes the jobs waiting or running, for a message: kind, state, attempt and the last
// error of each (at most 20).
func (q *Queue) Busy(ctx context.Context) []string {
	res, err := q.client.JobList(ctx, river.NewJobListParams().
		States(rivertype.JobStateAvailable, rivertype.JobStateRetryable, rivertype.JobStateScheduled, rivertype.JobStateRunning).First(20))
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, j := range res.Jobs {
		line := fmt.Sprintf("%s %s attempt %d", j.Kind, j.State, j.Attempt)
		if n := len(j.Errors); n > 0 {
			line += ": " + j.Errors[n-1].Error
		}
		out = append(out, line)
	}
	return out
}

// WaitIdle waits until no job is waiting or running (tests, and commands that must see their
// effects), or ctx ends.
//
// A job scheduled for later than IdleHorizon from now (a publication set for tomorrow) is not
// waited for.
func (q *Queue) WaitIdle(ctx context.Context) error {
	for {
		n, err := q.due(ctx)
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

// Stuck lists the jobs running for longer than their queue allows (its timeout and StuckGrace):
// their process died or they ignore their deadline. They run again RescueAfter after they began.
func (q *Queue) Stuck(ctx context.Context) ([]*rivertype.JobRow, error) {
	res, err := q.client.JobList(ctx, river.NewJobListParams().States(rivertype.JobStateRunning).
		OrderBy(river.JobListOrderByID, river.SortOrderAsc).First(10000))
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	now := time.Now()
	var out []*rivertype.JobRow
	for _, j := range res.Jobs {
		if j.AttemptedAt != nil && now.Sub(*j.AttemptedAt) > q.Timeout(j.Queue)+StuckGrace {
			out = append(out, j)
		}
	}
	return out, nil
}

// Timeout is how long a job of the named queue may run.
func (q *Queue) Timeout(queue string) time.Duration {
	if l, ok := q.lanes[queue]; ok {
		return l.Timeout
	}
	return q.lanes[QueueDefault].Timeout
}

// RescueAfter is how long after it began a job left running by a dead process runs again.
func (q *Queue) RescueAfter() time.Duration { return q.rescue }

// ErrNotRunning is a job completed by another run of it.
var ErrNotRunning = errors.New("jobs: the job is no longer running")

// CompleteTx marks the running job j done inside tx, so what the job wrote in tx (the next chunk
// of a long task, say) and its completion commit together or not at all.
func CompleteTx[T river.JobArgs](ctx context.Context, q *Queue, tx bun.Tx, j *river.Job[T]) error {
	var done *river.Job[T]
	var err error
	if q.kind == db.SQLite {
		done, err = river.JobCompleteTx[*riversqlite.Driver](ctx, tx.Tx, j)
	} else {
		done, err = river.JobCompleteTx[*riverdatabasesql.Driver](ctx, tx.Tx, j)
	}
	if err == nil && done.State != rivertype.JobStateCompleted {
		err = ErrNotRunning // another run of it (a rescue) finished first: keep nothing of this one
	}
	if err != nil {
		return fmt.Errorf("jobs: complete %s %d: %w", j.Kind, j.ID, err)
	}
	return nil
}

// EveryDay is every day of the week, for Weekly.
var EveryDay = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}

// Weekly is a schedule that fires at Hour:00 on the Days of the week, in Loc (server time when
// nil): "Monday 7:00 Europe/Rome" stays 7:00 in Rome across the change of daylight saving time.
type Weekly struct {
	Days []time.Weekday
	Hour int
	Loc  *time.Location
}

// Next returns the first Hour:00 of one of the Days after t.
func (w Weekly) Next(t time.Time) time.Time {
	loc := w.Loc
	if loc == nil {
		loc = t.Location()
	}
	local := t.In(loc)
	for i := 0; i <= 7; i++ {
		d := local.AddDate(0, 0, i)
		next := time.Date(d.Year(), d.Month(), d.Day(), w.Hour, 0, 0, 0, loc)
		if !next.After(t) {
			continue
		}
		for _, wd := range w.Days {
			if next.Weekday() == wd {
				return next
			}
		}
	}
	return local.AddDate(0, 0, 7) // no day given: a week on
}

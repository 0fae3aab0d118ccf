// Package event carries the domain events of passhub: typed values that a domain records inside
// its own transaction and that the listeners other domains registered act upon.
//
// An event is a Go struct with a name (EventName), stored as the JSON of a River job named after it
// (it may choose the job's queue with Queue). InTx inserts it as ONE job in the caller's transaction, so the change and its
// consequences commit together or not at all, and the transaction stays cheap however many
// listeners there are. The job then runs every listener registered for the event's type, in the
// order they were registered. A listener that fails makes the whole job retry with backoff: the
// delivery is at least once, so listeners must be idempotent (each runs with an event key, the
// same on every rerun, that notifications and the mail ledger use to record each effect once).
//
// After the transaction commits, the event's realtime hints (its Topics, when it has any) are
// published on the realtime bus, which tells every instance; hints are best effort, never
// durable. Listeners registered with OnCommit run in this process right after the commit (a
// local cache to clear), also best effort.
package event

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"passhub/app/db"
	"passhub/app/jobs"
)

// Event is a domain event. EventName names its type ("request.changed") and the job that carries
// it: it must not change once events of it may be waiting in a queue. The value is stored as JSON.
type Event interface {
	EventName() string
}

// Queued is an event whose job runs in a queue of its own (jobs.QueueMail for one whose listeners
// only send e-mail); the others run in jobs.QueueEvents.
type Queued interface {
	Queue() string
}

// envelope is the River job of one event; its JSON is the event's own.
type envelope[E Event] struct {
	Event E
}

// MarshalJSON stores the event as it is.
func (e envelope[E]) MarshalJSON() ([]byte, error) { return json.Marshal(e.Event) }

// UnmarshalJSON reads the event back.
func (e *envelope[E]) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &e.Event) }

// Kind names the job after the event.
func (envelope[E]) Kind() string {
	var e E
	return e.EventName()
}

// InsertOpts puts the job in the event's queue.
func (envelope[E]) InsertOpts() river.InsertOpts {
	var e E
	if q, ok := any(e).(Queued); ok {
		return river.InsertOpts{Queue: q.Queue()}
	}
	return river.InsertOpts{Queue: jobs.QueueEvents}
}

// Hinted is an event that tells open pages and the other instances something changed: the topics
// are published on the realtime bus after commit.
type Hinted interface {
	Topics() []string
}

// Publisher carries a topic to every instance (the realtime bus).
type Publisher interface {
	Publish(ctx context.Context, topic string) error
}

// Dispatcher records events and runs their listeners. A nil Dispatcher records nothing (services
// built alone, in unit tests).
type Dispatcher struct {
	// Hints is where the realtime hints go; nil drops them.
	Hints Publisher
	Log   *slog.Logger

	mu        sync.RWMutex
	jobs      *jobs.Queue
	listeners map[string][]listener
	commit    map[string][]func(ctx context.Context, ev Event)
	workers   map[string]func(q *jobs.Queue)
	wrap      map[string]func(ev Event) river.JobArgs
	opened    []func(q *jobs.Queue)
	observers []func(ctx context.Context, ev Event)
}

type listener struct {
	name string
	fn   func(ctx context.Context, ev Event) error
}

// New returns a dispatcher with no listeners.
func New(log *slog.Logger) *Dispatcher {
	if log == nil {
		log = slog.Default()
	}
	return &Dispatcher{Log: log, listeners: map[string][]listener{}, commit: map[string][]func(context.Context, Event){},
		workers: map[string]func(*jobs.Queue){}, wrap: map[string]func(Event) river.JobArgs{}}
}

// On registers fn as a durable listener of the events of type E; name identifies it (in the
// event key its effects are recorded under, and in the logs) and must be unique for E. Register
// every listener before Open.
func On[E Event](d *Dispatcher, name string, fn func(ctx context.Context, ev E) error) {
	var zero E
	kind := zero.EventName()
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, l := range d.listeners[kind] {
		if l.name == name {
			panic(fmt.Sprintf("event: listener %q of %s registered twice", name, kind))
		}
	}
	d.listeners[kind] = append(d.listeners[kind], listener{name: name, fn: func(ctx context.Context, ev Event) error { return fn(ctx, ev.(E)) }})
	if _, ok := d.workers[kind]; !ok {
		d.workers[kind] = func(q *jobs.Queue) { jobs.Add(q, &worker[E]{d: d, kind: kind}) }
		d.wrap[kind] = func(ev Event) river.JobArgs { return envelope[E]{Event: ev.(E)} }
		if d.jobs != nil {
			d.workers[kind](d.jobs)
		}
	}
}

// OnCommit registers fn to run in this process after every committed transaction that recorded an
// event of type E: not durable, not on other instances (those hear the event's hints).
func OnCommit[E Event](d *Dispatcher, fn func(ctx context.Context, ev E)) {
	var zero E
	d.mu.Lock()
	defer d.mu.Unlock()
	d.commit[zero.EventName()] = append(d.commit[zero.EventName()], func(ctx context.Context, ev Event) { fn(ctx, ev.(E)) })
}

// Open gives the dispatcher its job queue and registers there the worker of every event type
// that has listeners.
func (d *Dispatcher) Open(q *jobs.Queue) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.jobs = q
	for _, add := range d.workers {
		add(q)
	}
	for _, fn := range d.opened {
		fn(q)
	}
}

// OnOpen registers fn to run when the dispatcher gets its queue: a domain adds there the workers
// of jobs that are not events (the former shapes of its events, queued by an earlier version).
// Register before Open.
func (d *Dispatcher) OnOpen(fn func(q *jobs.Queue)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.opened = append(d.opened, fn)
}

// ErrNotOpen is an event recorded before the dispatcher has its queue (before Migrate).
var ErrNotOpen = errors.New("event: jobs: migrate first")

// InTx records ev inside tx: one job, when ev's type has durable listeners, committed or rolled
// back with tx; after commit, the OnCommit listeners run and the hints are published. Outside a
// transaction (tx nil, or not one InTx of db gave) the job is inserted on its own and the rest
// happens at once.
func (d *Dispatcher) InTx(ctx context.Context, tx bun.IDB, ev Event) error {
	if d == nil {
		return nil
	}
	d.mu.RLock()
	wrap, q := d.wrap[ev.EventName()], d.jobs
	d.mu.RUnlock()
	if wrap != nil {
		if q == nil {
			return ErrNotOpen
		}
		if err := q.Enqueue(ctx, tx, wrap(ev)); err != nil {
			return err
		}
	}
	db.AfterCommit(ctx, func(ctx context.Context) { d.committed(context.WithoutCancel(ctx), ev) })
	return nil
}

// Observe registers fn to run in this process after every committed event, whatever its type
// (tests record what a request produced).
func (d *Dispatcher) Observe(fn func(ctx context.Context, ev Event)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.observers = append(d.observers, fn)
}

// committed runs the in-process listeners and publishes the hints of a committed event.
func (d *Dispatcher) committed(ctx context.Context, ev Event) {
	d.mu.RLock()
	fns := d.commit[ev.EventName()]
	obs := d.observers
	d.mu.RUnlock()
	for _, fn := range obs {
		fn(ctx, ev)
	}
	for _, fn := range fns {
		fn(ctx, ev)
	}
	h, ok := ev.(Hinted)
	if !ok || d.Hints == nil {
		return
	}
	for _, t := range h.Topics() {
		if err := d.Hints.Publish(ctx, t); err != nil {
			d.Log.Warn("event hint not published", "event", ev.EventName(), "topic", t, "err", err)
		}
	}
}

// worker is the job of one event type: it runs the listeners in turn.
type worker[E Event] struct {
	river.WorkerDefaults[envelope[E]]
	d    *Dispatcher
	kind string
}

// Work runs every listener of the event; the first failure fails the job, which runs again (every
// listener again: they are idempotent). Each listener gets its own event key, so two listeners
// that both e-mail the same person each send their message once.
func (w *worker[E]) Work(ctx context.Context, j *river.Job[envelope[E]]) error {
	w.d.mu.RLock()
	ls := w.d.listeners[w.kind]
	w.d.mu.RUnlock()
	base := jobs.EventKey(ctx)
	for i, l := range ls {
		lctx := ctx
		if base != "" {
			lctx = jobs.WithEventKey(ctx, base+"/"+l.name)
		}
		if err := l.fn(lctx, j.Args.Event); err != nil {
			var cancel *river.JobCancelError
			if errors.As(err, &cancel) && i+1 < len(ls) {
				// A listener gave up for good (an address refused): the others still run.
				w.d.Log.Warn("event listener gave up", "event", w.kind, "listener", l.name, "err", err)
				continue
			}
			return fmt.Errorf("event %s: %s: %w", w.kind, l.name, err)
		}
	}
	return nil
}

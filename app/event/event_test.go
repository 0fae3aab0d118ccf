package event_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/apptest"
	"passhub/app/db"
	"passhub/app/event"
	"passhub/app/jobs"
)

// thingAdded is the test's event; it tells the topic "thing:<n>" after commit.
type thingAdded struct {
	N int `json:"n"`
}

func (thingAdded) EventName() string { return "test.thing_added" }

func (e thingAdded) Topics() []string { return []string{"thing"} }

// hints records the topics published, and whether the thing was committed when its hint came,
// read on a connection of its own.
type hints struct {
	d       *db.DB
	mu      sync.Mutex
	topics  []string
	visible []bool
}

func (h *hints) Publish(ctx context.Context, topic string) error {
	n, err := h.d.NewSelect().Table("things").Count(ctx)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.topics = append(h.topics, topic)
	h.visible = append(h.visible, err == nil && n > 0)
	return nil
}

type world struct {
	d      *db.DB
	q      *jobs.Queue
	ev     *event.Dispatcher
	hints  *hints
	mu     sync.Mutex
	runs   map[string]int
	keys   map[string][]string
	failB  int // how many more times listener b fails
	bDone  chan struct{}
	aCount int
}

func setup(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, apptest.DatabaseURL(t), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if _, err := d.ExecContext(ctx, "CREATE TABLE things (id INTEGER PRIMARY KEY, n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	q, err := jobs.Open(ctx, d, jobs.Options{Poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{d: d, q: q, ev: event.New(nil), hints: &hints{d: d}, runs: map[string]int{}, keys: map[string][]string{}, bDone: make(chan struct{}, 10)}
	w.ev.Hints = w.hints
	listener := func(name string) func(ctx context.Context, e thingAdded) error {
		return func(ctx context.Context, e thingAdded) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.runs[name]++
			w.keys[name] = append(w.keys[name], jobs.EventKey(ctx))
			if name == "b" {
				if w.failB > 0 {
					w.failB--
					return errors.New("b: the far end said no")
				}
				w.bDone <- struct{}{}
			}
			return nil
		}
	}
	event.On(w.ev, "a", listener("a"))
	event.On(w.ev, "b", listener("b"))
	event.OnCommit(w.ev, func(context.Context, thingAdded) {
		w.mu.Lock()
		w.aCount++
		w.mu.Unlock()
	})
	w.ev.Open(q)
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
	})
	return w
}

func (w *world) add(ctx context.Context, n int, fail bool) error {
	return w.d.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO things (id, n) VALUES (?, ?)", n, n); err != nil {
			return err
		}
		if err := w.ev.InTx(ctx, tx, thingAdded{N: n}); err != nil {
			return err
		}
		if fail {
			return errors.New("rolled back")
		}
		return nil
	})
}

func (w *world) jobCount(t *testing.T) int {
	t.Helper()
	n, err := w.d.NewSelect().Table("river_job").Where("kind = ?", "test.thing_added").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestRolledBackEventLeavesNothing: no job, no hint, no after-commit listener.
func TestRolledBackEventLeavesNothing(t *testing.T) {
	w := setup(t)
	if err := w.add(t.Context(), 1, true); err == nil {
		t.Fatal("the transaction committed")
	}
	if n := w.jobCount(t); n != 0 {
		t.Errorf("%d jobs left by a rolled-back change", n)
	}
	if err := w.q.WaitIdle(t.Context()); err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.runs) != 0 || w.aCount != 0 || len(w.hints.topics) != 0 {
		t.Errorf("a rolled-back event was heard: runs %v, after commit %d, hints %v", w.runs, w.aCount, w.hints.topics)
	}
}

// TestCommittedEventRunsEachListenerOnce: one job, each listener once with its own event key,
// the after-commit listener once, and the hint published after the commit.
func TestCommittedEventRunsEachListenerOnce(t *testing.T) {
	w := setup(t)
	if err := w.add(t.Context(), 1, false); err != nil {
		t.Fatal(err)
	}
	if n := w.jobCount(t); n != 1 {
		t.Errorf("%d jobs for one event", n)
	}
	<-w.bDone
	if err := w.q.WaitIdle(t.Context()); err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.runs["a"] != 1 || w.runs["b"] != 1 || w.aCount != 1 {
		t.Errorf("runs %v, after commit %d", w.runs, w.aCount)
	}
	if w.keys["a"][0] == w.keys["b"][0] || w.keys["a"][0] == "" {
		t.Errorf("listeners share an event key: %v", w.keys)
	}
	if len(w.hints.topics) != 1 || w.hints.topics[0] != "thing" || !w.hints.visible[0] {
		t.Errorf("hints %v, committed when published %v", w.hints.topics, w.hints.visible)
	}
}

// TestFailedListenerIsRetried: a listener that fails makes the job run again until it succeeds;
// the delivery is at least once, so the listener that had succeeded runs again too, with the same
// event key as the first time (which is what makes its effects idempotent).
func TestFailedListenerIsRetried(t *testing.T) {
	w := setup(t)
	w.failB = 1
	if err := w.add(t.Context(), 1, false); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.bDone:
	case <-time.After(30 * time.Second):
		t.Fatal("the failed listener was not retried")
	}
	if err := w.q.WaitIdle(t.Context()); err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.runs["b"] != 2 || w.runs["a"] != 2 {
		t.Errorf("runs %v", w.runs)
	}
	if w.keys["a"][0] != w.keys["a"][1] || w.keys["b"][0] != w.keys["b"][1] {
		t.Errorf("event keys change between runs: %v", w.keys)
	}
	if n := w.jobCount(t); n != 1 {
		t.Errorf("%d jobs", n)
	}
}

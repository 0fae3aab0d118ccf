package search

import (
	"context"
	"testing"

	"passhub/app/db"
	"passhub/app/event"
	"passhub/app/realtime"
)

// slowEngine answers the first search with what the index held when it started, after the test
// lets it go on; later searches see the index as it is.
type slowEngine struct {
	Engine
	total   int
	started chan struct{}
	resume  chan struct{}
}

func (e *slowEngine) Search(ctx context.Context, q Query) (Result, error) {
	total := e.total
	if e.started != nil {
		close(e.started)
		e.started = nil
		<-e.resume
	}
	return Result{Total: total}, nil
}

func (e *slowEngine) Index(ctx context.Context, docs ...Doc) error { e.total += len(docs); return nil }

// TestCacheKeepsNoResultOlderThanAChange: a search that started before the index changed and
// ended after it must not be cached, or the next identical search would go backwards.
func TestCacheKeepsNoResultOlderThanAChange(t *testing.T) {
	e := &slowEngine{started: make(chan struct{}), resume: make(chan struct{})}
	x := &Index{Engine: e}
	q := Query{Text: "bonifica"}
	started := e.started
	old := make(chan Result)
	go func() {
		r, _ := x.cached(context.Background(), q)
		old <- r
	}()
	<-started
	if err := x.Refresh(context.Background()); err != nil { // nothing to load: only the change counts
		t.Fatal(err)
	}
	e.total = 3 // the change indexed three documents
	x.forget()
	close(e.resume)
	if r := <-old; r.Total != 0 {
		t.Fatalf("the slow search saw %d", r.Total)
	}
	if r, _ := x.cached(context.Background(), q); r.Total != 3 {
		t.Fatalf("after the change the same search finds %d, want 3: a stale result was cached", r.Total)
	}
}

// TestIndexChangeTellsEveryInstance: an update of the index publishes the cache topic on the bus,
// and an instance that hears it drops its cached results, whichever instance ran the update.
func TestIndexChangeTellsEveryInstance(t *testing.T) {
	rt := realtime.Open(&db.DB{Kind: db.SQLite}, "", nil) // the local bus: a direct call
	e := &slowEngine{}
	there := &Index{Engine: e}
	there.Listen(event.New(nil), rt)
	q := Query{Text: "bonifica"}
	if r, _ := there.cached(context.Background(), q); r.Total != 0 {
		t.Fatal(r.Total)
	}
	e.total = 2 // another instance indexes two documents in the shared engine
	here := &Index{Engine: e, Bus: rt}
	if err := here.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r, _ := there.cached(context.Background(), q); r.Total != 2 {
		t.Fatalf("after the other instance's update the search finds %d, want 2: a stale result was served", r.Total)
	}
}

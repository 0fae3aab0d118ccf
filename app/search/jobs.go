package search

import (
	"context"
	"sort"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"passhub/app/content"
	"passhub/app/crm"
	"passhub/app/event"
	"passhub/app/jobs"
	"passhub/app/realtime"
	"passhub/app/request"
	"passhub/app/territory"
	"passhub/app/workarea"
)

// Listen registers the search domain's rules: what a change of a request or of content puts out
// of date in the index (an update job, in the search queue, so a stopped engine holds only its
// own lane), and the bus topics that drop this instance's cached results.
func (x *Index) Listen(d *event.Dispatcher, rt *realtime.Service) {
	event.On(d, "search", func(ctx context.Context, c request.Changed) error {
		return x.enqueue(ctx, nil, argsOf(c))
	})
	event.On(d, "search", func(ctx context.Context, ev content.Changed) error {
		refs := make([]string, len(ev.Entries))
		for i, e := range ev.Entries {
			refs[i] = Ref(string(e.Type), e.ID)
		}
		return x.enqueue(ctx, nil, Args{Refs: refs}) // a retry may queue the update twice: harmless
	})
	event.On(d, "search", func(ctx context.Context, ev crm.Changed) error {
		var typ string
		switch ev.Kind {
		case "contact":
			typ = TypeCRMContact
		case "interaction":
			typ = TypeCRMInteraction
		case "agreement":
			typ = TypeCRMAgreement
		default:
			return nil
		}
		return x.enqueue(ctx, nil, Args{Refs: []string{Ref(typ, ev.ID)}})
	})
	event.On(d, "search", func(ctx context.Context, ev territory.Changed) error {
		refs, err := x.CRMRefs(ctx, ev.ComuneID) // in or out of the index, as the link now says
		if err != nil || len(refs) == 0 {
			return err
		}
		return x.enqueue(ctx, nil, Args{Refs: refs})
	})
	event.On(d, "search", func(ctx context.Context, c workarea.Changed) error {
		if c.Kind == workarea.KindEvent {
			return nil // the calendar is not searched
		}
		return x.enqueue(ctx, nil, Args{Refs: areaRefs(c)})
	})
	rt.Handle(CacheTopic, func(string) { x.forget() })
	rt.Handle(content.CacheTopic, func(string) { x.forget() })
	rt.Handle(SynonymsTopic, func(string) { x.dropSynonyms() })
}

// Register gives the index its queue and adds its workers to q.
func (x *Index) Register(q *jobs.Queue) {
	x.Jobs = q
	jobs.Add(q, &indexWorker{x: x})
	jobs.Add(q, &rebuildWorker{x: x})
	jobs.Add(q, &rebuildChunkWorker{x: x})
}

func (x *Index) enqueue(ctx context.Context, tx bun.IDB, args river.JobArgs) error {
	if x.Jobs == nil {
		return event.ErrNotOpen
	}
	return x.Jobs.Enqueue(ctx, tx, args)
}

// argsOf says what a request's change puts out of date in the index: a new or edited message,
// document or activity only itself and the request; any other change (state, experts) the whole
// workspace, whose items carry the request's state and access fields.
func argsOf(c request.Changed) Args {
	var typ string
	switch c.Kind {
	case "message", "edited":
		typ = TypeMessage
	case "document":
		typ = TypeDocument
	case "activity":
		typ = TypeActivity
	default:
		return Args{RequestID: c.RequestID}
	}
	refs := []string{Ref(TypeRequest, c.RequestID)}
	if c.ObjectID != 0 {
		refs = append(refs, Ref(typ, c.ObjectID))
	}
	return Args{Refs: refs}
}

// areaRefs says what a work area's change puts out of date: the post (a topic's opening post is
// indexed with it), the topic, or the library's document.
func areaRefs(c workarea.Changed) []string {
	switch c.Kind {
	case workarea.KindDocument:
		return []string{Ref(TypeDocument, c.ObjectID)}
	case workarea.KindTopic:
		return []string{Ref(TypeAreaTopic, c.TopicID), Ref(TypeAreaPost, c.ObjectID)}
	}
	return []string{Ref(TypeAreaPost, c.ObjectID)}
}

// Args is the job that brings the index up to date with some rows: the refs given, and a request
// with everything in its workspace.
type Args struct {
	Refs      []string `json:"refs,omitempty"`
	RequestID int64    `json:"request_id,omitempty"`
}

// Kind names the job.
func (Args) Kind() string { return "search.index" }

// InsertOpts puts the job in the search queue.
func (Args) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueSearch} }

type indexWorker struct {
	river.WorkerDefaults[Args]
	x *Index
}

// Work re-reads the rows and indexes them, or removes those no longer there or published; a
// stopped engine makes the job wait and retry, so nothing is lost.
func (w *indexWorker) Work(ctx context.Context, j *river.Job[Args]) error {
	refs := j.Args.Refs
	if j.Args.RequestID != 0 {
		more, err := w.x.RequestRefs(ctx, j.Args.RequestID)
		if err != nil {
			return err
		}
		refs = append(refs, more...)
	}
	return w.x.Refresh(ctx, refs...)
}

// RebuildArgs is the job that starts a rebuild of the index from the database: queued at start
// when the index is empty and the database is not (a first start, a new engine, a new index
// layout). It queues the first chunk; the last one removes what the database no longer has.
type RebuildArgs struct{}

// Kind names the job.
func (RebuildArgs) Kind() string { return "search.rebuild" }

// InsertOpts keeps one rebuild at a time, whatever the number of instances, in the search queue.
func (RebuildArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueSearch, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// RebuildChunkArgs is one chunk of a rebuild: the items of one source after an id. Each chunk
// queues the next as it completes, in one transaction, so a rebuild interrupted by a crash
// resumes at the chunk it was in, which is indexed again (harmless).
type RebuildChunkArgs struct {
	Run    int64  `json:"run"` // the search.rebuild job that started it
	Source string `json:"source"`
	After  int64  `json:"after,omitempty"`
}

// Kind names the job.
func (RebuildChunkArgs) Kind() string { return "search.rebuild.chunk" }

// InsertOpts puts the job in the search queue.
func (RebuildChunkArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueSearch}
}

// RebuildChunk is how many items one chunk of a rebuild indexes (a variable for tests).
var RebuildChunk = 200

type rebuildWorker struct {
	river.WorkerDefaults[RebuildArgs]
	x *Index
}

// Work queues the first chunk; the index is never emptied, so searches keep their results while
// the chunks run.
func (w *rebuildWorker) Work(ctx context.Context, j *river.Job[RebuildArgs]) error {
	return w.x.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := w.x.enqueue(ctx, tx, RebuildChunkArgs{Run: j.ID, Source: w.x.sources()[0]}); err != nil {
			return err
		}
		return jobs.CompleteTx(ctx, w.x.Jobs, tx, j)
	})
}

type rebuildChunkWorker struct {
	river.WorkerDefaults[RebuildChunkArgs]
	x *Index
}

// Work indexes one chunk, then queues the next and completes in one transaction.
func (w *rebuildChunkWorker) Work(ctx context.Context, j *river.Job[RebuildChunkArgs]) error {
	x := w.x
	refs, last, err := x.Chunk(ctx, j.Args.Source, j.Args.After, RebuildChunk)
	if err != nil {
		return err
	}
	if len(refs) > 0 {
		if err := x.Refresh(ctx, refs...); err != nil {
			return err
		}
	}
	next := RebuildChunkArgs{Run: j.Args.Run, Source: j.Args.Source, After: last}
	if len(refs) < RebuildChunk {
		next = RebuildChunkArgs{Run: j.Args.Run}
		sources := x.sources()
		for i, s := range sources {
			if s == j.Args.Source && i+1 < len(sources) {
				next.Source = sources[i+1]
			}
		}
	}
	return x.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if next.Source != "" {
			if err := x.enqueue(ctx, tx, next); err != nil {
				return err
			}
		} else {
			// The last chunk: drop what the index holds and the database no longer has.
			_, extra, err := x.Drift(ctx)
			if err != nil {
				return err
			}
			if len(extra) > 0 {
				if err := x.Engine.Delete(ctx, extra...); err != nil {
					return err
				}
			}
			if x.Log != nil {
				x.Log.Info("search index rebuilt", "engine", x.EngineName, "removed", len(extra))
			}
		}
		return jobs.CompleteTx(ctx, x.Jobs, tx, j)
	})
}

// CatchUp queues a rebuild when the index is empty and the database is not, or when the index
// holds nothing of a registered kind that has items (a kind added by an upgrade).
func (x *Index) CatchUp(ctx context.Context) error {
	ids, err := x.Engine.IDs(ctx)
	if err != nil {
		return err
	}
	if len(ids) > 0 {
		typ, err := x.missingKind(ctx, ids)
		if err != nil || typ == "" {
			return err
		}
		if x.Log != nil {
			x.Log.Info("search index holds none of a kind of items: rebuilding it from the database", "type", typ)
		}
		return x.enqueue(ctx, nil, RebuildArgs{})
	}
	n, err := x.Count(ctx)
	if err != nil || n == 0 {
		return err
	}
	if x.Log != nil {
		x.Log.Info("search index empty: rebuilding it from the database", "items", n)
	}
	return x.enqueue(ctx, nil, RebuildArgs{})
}

// missingKind names a registered kind that has items in the database and none in the index
// whose ids are indexed ("" when every kind is there).
func (x *Index) missingKind(ctx context.Context, indexed []string) (string, error) {
	have := map[string]bool{}
	for _, ref := range indexed {
		if typ, _, ok := SplitRef(ref); ok {
			have[typ] = true
		}
	}
	types := make([]string, 0, len(x.kinds))
	for typ := range x.kinds {
		types = append(types, typ)
	}
	sort.Strings(types)
	for _, typ := range types {
		if have[typ] {
			continue
		}
		some, err := x.kinds[typ].IDs(ctx, 0, 1)
		if err != nil {
			return "", err
		}
		if len(some) > 0 {
			return typ, nil
		}
	}
	return "", nil
}

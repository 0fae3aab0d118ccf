package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"passhub/app/ente"
	"passhub/app/jobs"
	"passhub/app/mail"
	"passhub/app/notify"
	"passhub/app/request"
	"passhub/app/search"
	"passhub/app/storage/sweep"
)

// RequestEventArgs is the job of a request's change: the bells and e-mails of the people it
// concerns, and the search index.
type RequestEventArgs struct {
	Change request.Change `json:"change"`
}

// Kind names the job.
func (RequestEventArgs) Kind() string { return "request.event" }

// InsertOpts puts the job in the events queue.
func (RequestEventArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueEvents}
}

// EnteEventArgs is the job of an ente's event: the e-mails of a registration's decision or of a
// delegate's invitation.
type EnteEventArgs struct {
	Event          string `json:"event"`
	EnteID         int64  `json:"ente_id"`
	RegistrationID int64  `json:"registration_id,omitempty"`
	InvitationID   int64  `json:"invitation_id,omitempty"`
}

// Kind names the job.
func (EnteEventArgs) Kind() string { return "ente.event" }

// InsertOpts puts the job, which only sends e-mail, in the mail queue.
func (EnteEventArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueMail} }

func enteEventArgs(ev ente.Event) EnteEventArgs {
	args := EnteEventArgs{Event: ev.Kind}
	if ev.Ente != nil {
		args.EnteID = ev.Ente.ID
	}
	if ev.Registration != nil {
		args.RegistrationID = ev.Registration.ID
	}
	if ev.Invitation != nil {
		args.InvitationID = ev.Invitation.ID
	}
	return args
}

// SearchArgs is the job that brings the search index up to date with some rows: the refs given,
// and a request with everything in its workspace.
type SearchArgs struct {
	Refs      []string `json:"refs,omitempty"`
	RequestID int64    `json:"request_id,omitempty"`
}

// Kind names the job.
func (SearchArgs) Kind() string { return "search.index" }

// InsertOpts puts the job in the search queue.
func (SearchArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueSearch} }

// RebuildArgs is the job that starts a rebuild of the search index from the database: queued at
// start when the index is empty and the database is not (a first start, a new engine, a new index
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
	a *App
}

// Work queues the first chunk; the index is never emptied, so searches keep their results while
// the chunks run.
func (w *rebuildWorker) Work(ctx context.Context, j *river.Job[RebuildArgs]) error {
	return w.a.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := w.a.enqueue(ctx, tx, RebuildChunkArgs{Run: j.ID, Source: search.Sources[0]}); err != nil {
			return err
		}
		return jobs.CompleteTx(ctx, w.a.Jobs, tx, j)
	})
}

type rebuildChunkWorker struct {
	river.WorkerDefaults[RebuildChunkArgs]
	a *App
}

// Work indexes one chunk, then queues the next and completes in one transaction.
func (w *rebuildChunkWorker) Work(ctx context.Context, j *river.Job[RebuildChunkArgs]) error {
	refs, last, err := w.a.Search.Chunk(ctx, j.Args.Source, j.Args.After, RebuildChunk)
	if err != nil {
		return err
	}
	if len(refs) > 0 {
		if err := w.a.Search.Refresh(ctx, refs...); err != nil {
			return err
		}
	}
	next := RebuildChunkArgs{Run: j.Args.Run, Source: j.Args.Source, After: last}
	if len(refs) < RebuildChunk {
		next = RebuildChunkArgs{Run: j.Args.Run}
		for i, s := range search.Sources {
			if s == j.Args.Source && i+1 < len(search.Sources) {
				next.Source = search.Sources[i+1]
			}
		}
	}
	return w.a.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if next.Source != "" {
			if err := w.a.enqueue(ctx, tx, next); err != nil {
				return err
			}
		} else {
			// The last chunk: drop what the index holds and the database no longer has.
			_, extra, err := w.a.Search.Drift(ctx)
			if err != nil {
				return err
			}
			if len(extra) > 0 {
				if err := w.a.Search.Engine.Delete(ctx, extra...); err != nil {
					return err
				}
			}
			w.a.Log.Info("search index rebuilt", "engine", w.a.Config.SearchEngine, "removed", len(extra))
		}
		return jobs.CompleteTx(ctx, w.a.Jobs, tx, j)
	})
}

// catchUpSearch queues a rebuild when the index is empty and the database is not.
func (a *App) catchUpSearch(ctx context.Context) error {
	ids, err := a.Search.Engine.IDs(ctx)
	if err != nil || len(ids) > 0 {
		return err
	}
	n, err := a.Search.Count(ctx)
	if err != nil || n == 0 {
		return err
	}
	a.Log.Info("search index empty: rebuilding it from the database", "items", n)
	return a.enqueue(ctx, nil, RebuildArgs{})
}

// searchArgsOf says what a request's change puts out of date in the index: a new or edited
// message, document or activity only itself and the request; any other change (state, experts)
// the whole workspace, whose items carry the request's state and access fields.
func searchArgsOf(c request.Change) SearchArgs {
	var typ string
	switch c.Kind {
	case "message", "edited":
		typ = search.TypeMessage
	case "document":
		typ = search.TypeDocument
	case "activity":
		typ = search.TypeActivity
	default:
		return SearchArgs{RequestID: c.RequestID}
	}
	refs := []string{search.Ref(search.TypeRequest, c.RequestID)}
	if c.ObjectID != 0 {
		refs = append(refs, search.Ref(typ, c.ObjectID))
	}
	return SearchArgs{Refs: refs}
}

type searchWorker struct {
	river.WorkerDefaults[SearchArgs]
	a *App
}

// Work re-reads the rows and indexes them, or removes those no longer there or published; a
// stopped engine makes the job wait and retry, so nothing is lost.
func (w *searchWorker) Work(ctx context.Context, j *river.Job[SearchArgs]) error {
	refs := j.Args.Refs
	if j.Args.RequestID != 0 {
		more, err := w.a.Search.RequestRefs(ctx, j.Args.RequestID)
		if err != nil {
			return err
		}
		refs = append(refs, more...)
	}
	return w.a.Search.Refresh(ctx, refs...)
}

// OpenSearch opens the search engine (once), applying its settings.
func (a *App) OpenSearch(ctx context.Context) error {
	if a.searchOpen {
		return nil
	}
	if err := a.Search.Engine.Init(ctx); err != nil {
		return fmt.Errorf("search: %s: %w", a.Config.SearchEngine, err)
	}
	a.searchOpen = true
	return a.Search.ApplySynonyms(ctx)
}

// facetName names a search facet's value: an ente by its id, a task force or a procedure by its code.
func (a *App) facetName(ctx context.Context, key, value string) string {
	if key != "ente" {
		return a.Catalogue.Title(ctx, key, value)
	}
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return ""
	}
	if e, err := a.Enti.Ente(ctx, id); err == nil {
		return e.Name
	}
	return ""
}

// openJobs opens the job queue and registers every worker.
func (a *App) openJobs(ctx context.Context) error {
	q, err := jobs.Open(ctx, a.DB, jobs.Options{Poll: a.Config.JobsPoll, RescueAfter: a.Config.JobsRescue, Log: a.Log, Periodic: []*river.PeriodicJob{notify.Digest(), sweep.Periodic()}})
	if err != nil {
		return err
	}
	a.Jobs = q
	a.Notifications.Jobs = q
	a.Notifications.Register(q)
	jobs.Add(q, &requestEventWorker{a: a})
	jobs.Add(q, &enteEventWorker{a: a})
	jobs.Add(q, &contactWorker{a: a})
	jobs.Add(q, &searchWorker{a: a})
	jobs.Add(q, &rebuildWorker{a: a})
	jobs.Add(q, &rebuildChunkWorker{a: a})
	a.Sweeper = &sweep.Sweeper{DB: a.DB, Files: a.Files, Grace: a.Config.StorageGrace, Log: a.Log}
	a.Sweeper.Register(q)
	return nil
}

// StartJobs runs the job workers until Close.
func (a *App) StartJobs(ctx context.Context) error {
	if a.Jobs == nil {
		return errors.New("app: jobs: migrate first")
	}
	if err := a.OpenSearch(ctx); err != nil {
		return err
	}
	if err := a.catchUpSearch(ctx); err != nil {
		return err
	}
	return a.Jobs.Start(context.WithoutCancel(ctx))
}

// enqueue adds a job inside the caller's transaction.
func (a *App) enqueue(ctx context.Context, tx bun.IDB, args river.JobArgs) error {
	if a.Jobs == nil {
		return errors.New("app: jobs: migrate first")
	}
	return a.Jobs.Enqueue(ctx, tx, args)
}

type requestEventWorker struct {
	river.WorkerDefaults[RequestEventArgs]
	a *App
}

// Work queues the search index's update and puts the change in the bells of the people it
// concerns. A retry may queue the update twice, which is harmless.
func (w *requestEventWorker) Work(ctx context.Context, j *river.Job[RequestEventArgs]) error {
	c := j.Args.Change
	if err := w.a.enqueue(ctx, nil, searchArgsOf(c)); err != nil {
		return err
	}
	return w.a.notifyRequest(ctx, c.RequestID, c.Kind, c.ActorID)
}

type enteEventWorker struct {
	river.WorkerDefaults[EnteEventArgs]
	a *App
}

// Work e-mails the people an ente's event concerns; an address refused for good is not retried.
func (w *enteEventWorker) Work(ctx context.Context, j *river.Job[EnteEventArgs]) error {
	err := w.a.mailEnteEvent(ctx, j.Args)
	var bounce *mail.BounceError
	if errors.As(err, &bounce) {
		return river.JobCancel(err)
	}
	return err
}

// send delivers a message; an address the server refuses for good is marked on its users. Inside a
// job, recipients already sent this job's message are skipped, and each delivery is recorded as
// soon as the server accepts it, so a job that runs again does not mail anyone twice.
func (a *App) send(ctx context.Context, m mail.Message) error {
	key := jobs.EventKey(ctx)
	ledger := mail.Ledger{DB: a.DB}
	if key != "" {
		to, err := ledger.Unsent(ctx, key, m.To)
		if err != nil || len(to) == 0 {
			return err
		}
		m.To = to
	}
	err := a.Mailer.Send(ctx, m)
	if err == nil && key != "" {
		// The server has the message: record it even if the job's own deadline just passed.
		return ledger.Record(context.WithoutCancel(ctx), key, m.To)
	}
	var bounce *mail.BounceError
	if errors.As(err, &bounce) {
		for _, addr := range bounce.Addresses {
			if merr := a.Identity.MarkBounced(ctx, addr, bounce.Answer); merr != nil {
				err = errors.Join(err, merr)
			}
			a.Log.Warn("mail address refused for good", "to", addr, "answer", bounce.Answer)
		}
	}
	return err
}

// sendEach sends one message per recipient, so a refused address does not stop the others.
func (a *App) sendEach(ctx context.Context, name, lang string, to []string, data map[string]any) error {
	var errs error
	for _, addr := range to {
		msg, err := a.Mails.Render(name, lang, []string{addr}, data)
		if err != nil {
			return err
		}
		errs = errors.Join(errs, a.send(ctx, msg))
	}
	return errs
}

package content

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"passhub/app/db"
	"passhub/app/jobs"
)

// ScheduleArgs is the durable job of one scheduled step: publish revision RevisionID of entry
// EntryID, or unpublish it, at At. It is idempotent: it acts only while the revision still
// waits for that step at that time, so a rerun, a rescue after a crash or a schedule changed
// meanwhile does nothing.
type ScheduleArgs struct {
	EntryID    int64     `json:"entry_id"`
	RevisionID int64     `json:"revision_id"`
	Op         string    `json:"op"` // StepPublish or StepUnpublish
	At         time.Time `json:"at"`
}

// Kind names the job.
func (ScheduleArgs) Kind() string { return "content.schedule" }

// InsertOpts runs the job at its time.
func (a ScheduleArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueDefault, ScheduledAt: a.At, MaxAttempts: 10}
}

// Register gives the service its queue and adds the scheduled steps' worker.
func (s *Service) Register(q *jobs.Queue) {
	s.Jobs = q
	jobs.Add(q, &scheduleWorker{s: s})
}

type scheduleWorker struct {
	river.WorkerDefaults[ScheduleArgs]
	s *Service
}

// Work runs the step; a publication the rules refuse is reported to the publisher who
// scheduled it (ScheduleFailed), and the revision goes back to review.
func (w *scheduleWorker) Work(ctx context.Context, j *river.Job[ScheduleArgs]) error {
	if wait := time.Until(j.Args.At); wait > 0 {
		return river.JobSnooze(wait) // run early (a rescue, a retry by hand): not before its time
	}
	return w.s.RunScheduled(jobs.WithEventKey(ctx, fmt.Sprintf("job:%d/schedule", j.ID)), j.Args)
}

// RunScheduled does the step a ScheduleArgs job names, if it is still due.
func (s *Service) RunScheduled(ctx context.Context, a ScheduleArgs) error {
	var failure error
	var failed, published *Entry
	var failedRev, publishedRev *Revision
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		e, err := s.store.EntryByID(ctx, tx, a.EntryID)
		if errors.Is(err, db.ErrNotFound) {
			return nil // the entry is gone
		}
		if err != nil {
			return err
		}
		if e, err = s.store.LockEntry(ctx, tx, e.Type, e.Slug); err != nil {
			return err
		}
		r, err := s.store.Revision(ctx, tx, a.RevisionID)
		if errors.Is(err, db.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		who := Actor{UserID: r.ScheduledBy, Name: "schedule", Publisher: true}
		switch a.Op {
		case StepPublish:
			if r.State != StateScheduled || !r.PublishAt.Equal(a.At) {
				return nil // published, sent back or rescheduled meanwhile
			}
			err := s.goLive(ctx, tx, who, e, r)
			var refused *Refused
			var fe *FileError
			if errors.As(err, &refused) || errors.As(err, &fe) {
				failure, failed, failedRev = err, e, r
				return errRollback
			}
			if err == nil {
				published, publishedRev = e, r
			}
			return err
		case StepUnpublish:
			if e.PublishedRevisionID != r.ID || !r.UnpublishAt.Equal(a.At) {
				return nil
			}
			return s.takeDown(ctx, tx, who, e)
		}
		return nil
	})
	if errors.Is(err, errRollback) {
		return s.scheduleFailed(ctx, failed, failedRev, failure)
	}
	if err == nil {
		s.changed()
		if published != nil {
			s.reportBroken(ctx, published, publishedRev)
		}
	}
	return err
}

// reportBroken tells the publisher who scheduled revision r of e, just published, of its
// internal links broken at the time of publication (PublishedBroken). The schedule was
// confirmed, so the publication stands; a failure here is logged and never fails the job.
func (s *Service) reportBroken(ctx context.Context, e *Entry, r *Revision) {
	err := func() error {
		rev, err := s.store.Revision(ctx, s.db, r.ID)
		if err != nil {
			return err
		}
		bl, err := s.brokenOf(ctx, s.db, e, rev)
		if err != nil || len(bl) == 0 {
			return err
		}
		targets := make([]string, 0, len(bl))
		for _, l := range bl {
			targets = append(targets, l.Target)
		}
		return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			if err := s.record(ctx, tx, Actor{Name: "schedule"}, "content.published_broken_links", e, rev, strings.Join(targets, " ")); err != nil {
				return err
			}
			return s.Events.InTx(ctx, tx, PublishedBroken{Step: Step{EntryID: e.ID, RevisionID: rev.ID, ActorID: rev.ScheduledBy, Type: e.Type, Slug: e.Slug},
				Count: len(bl), Targets: targets})
		})
	}()
	if err != nil && s.log != nil {
		s.log.Warn("content: scheduled publication: broken links not reported", "entry", e.ID, "revision", r.ID, "err", err)
	}
}

var errRollback = errors.New("content: roll back")

// scheduleFailed sends the revision back to review with the reason, and tells its publisher.
func (s *Service) scheduleFailed(ctx context.Context, e *Entry, r *Revision, cause error) error {
	reason := cause.Error()
	var refused *Refused
	var fe *FileError
	if errors.As(cause, &refused) {
		reason = refused.Msg
	} else if errors.As(cause, &fe) {
		var msgs []string
		for _, p := range fe.All() {
			msgs = append(msgs, p.Msg)
		}
		reason = strings.Join(msgs, "; ")
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r.State, r.PublishAt, r.UpdatedAt = StateReview, time.Time{}, time.Now().UTC()
		r.Comment = reason
		if err := s.store.UpdateRevision(ctx, tx, r); err != nil {
			return err
		}
		if err := s.record(ctx, tx, Actor{Name: "schedule"}, "content.schedule_failed", e, r, reason); err != nil {
			return err
		}
		return s.Events.InTx(ctx, tx, ScheduleFailed{Step: Step{EntryID: e.ID, RevisionID: r.ID, ActorID: r.ScheduledBy, Type: e.Type, Slug: e.Slug}, Reason: reason})
	})
}

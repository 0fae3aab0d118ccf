package monitor

import (
	"context"
	"errors"

	"github.com/riverqueue/river"

	"passhub/app/content"
	"passhub/app/event"
	"passhub/app/jobs"
)

// ReportDrafted is a semester's draft report written in the newsroom; its listener tells the
// publishers. It is recorded in the transaction of the draft.
type ReportDrafted struct {
	content.Step
	Semester string `json:"semester"` // 2026-S1
}

// EventName names the event and its job.
func (ReportDrafted) EventName() string { return "monitor.report_drafted" }

// NoticeKind is the bell's kind of the publishers' notification (message
// notification.content.report_drafted; topic "state": mailed at once by default).
const NoticeKind = "content.report_drafted"

// Listen registers who is told of a draft report: the publishers (the admins when there is
// none), in their bell and by e-mail as their preferences say. The notification centre stores
// it once per user and event, so a rerun adds nothing.
func (s *Service) Listen(d *event.Dispatcher, a content.Audience) {
	event.On(d, "notify", func(ctx context.Context, ev ReportDrafted) error {
		to, err := a.Staff.UserIDsWithRole(ctx, "publisher")
		if err == nil && len(to) == 0 {
			to, err = a.Staff.UserIDsWithRole(ctx, "admin")
		}
		if err != nil || len(to) == 0 {
			return err
		}
		e, err := s.Content.EntryByID(ctx, ev.EntryID)
		if err != nil {
			return err
		}
		return a.Notices.Notify(ctx, to, NoticeKind, e.Title, content.DeskURL(e.Type, e.Slug))
	})
}

// Hour is when the daily job looks for a semester without its report, server time.
const Hour = 6

// Args is the daily job of the reports.
type Args struct{}

// Kind names the job.
func (Args) Kind() string { return "monitor.report" }

// InsertOpts puts the job in the default queue.
func (Args) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueDefault} }

// Periodic is the job's schedule: every day at Hour, so the report of a semester is written on
// the 1st of January and of July, or on the first day the platform runs after them.
func Periodic() *river.PeriodicJob {
	return river.NewPeriodicJob(jobs.Daily(Hour), func() (river.JobArgs, *river.InsertOpts) {
		return Args{}, nil
	}, &river.PeriodicJobOpts{ID: "monitor.report"})
}

// Register adds the job's worker to q and schedules it daily.
func (s *Service) Register(q *jobs.Queue) {
	jobs.Add(q, &worker{s: s})
	q.AddPeriodic(Periodic())
}

type worker struct {
	river.WorkerDefaults[Args]
	s *Service
}

// Work writes the report of the semester that ended last, when it does not exist.
func (w *worker) Work(ctx context.Context, _ *river.Job[Args]) error {
	_, err := w.s.Due(ctx)
	if errors.Is(err, ErrNotOver) { // a clock moved back: nothing to do
		return nil
	}
	return err
}

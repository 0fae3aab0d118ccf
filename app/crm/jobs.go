package crm

import (
	"context"

	"github.com/riverqueue/river"

	"passhub/app/jobs"
)

// FollowUpsArgs is the daily job that tells the provinces' people of their follow-ups due.
type FollowUpsArgs struct{}

// Kind names the job.
func (FollowUpsArgs) Kind() string { return "crm.followups" }

// FollowUpsHour is when the reminders are made, server time: before the daily digest
// (notify.DigestHour) that carries them by e-mail.
const FollowUpsHour = 6

// Register adds the reminders' worker to q and schedules it daily.
func (s *Service) Register(q *jobs.Queue) {
	jobs.Add(q, &followUpsWorker{s: s})
	q.AddPeriodic(river.NewPeriodicJob(jobs.Daily(FollowUpsHour), func() (river.JobArgs, *river.InsertOpts) {
		return FollowUpsArgs{}, nil
	}, &river.PeriodicJobOpts{ID: "crm.followups"}))
}

type followUpsWorker struct {
	river.WorkerDefaults[FollowUpsArgs]
	s *Service
}

// Work makes the reminders due; a rerun adds none twice (each carries its follow-up's key).
func (w *followUpsWorker) Work(ctx context.Context, _ *river.Job[FollowUpsArgs]) error {
	_, err := w.s.NotifyDue(ctx)
	return err
}

func withEventKey(ctx context.Context, key string) context.Context {
	return jobs.WithEventKey(ctx, key)
}

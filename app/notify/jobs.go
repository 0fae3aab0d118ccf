package notify

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"passhub/app/db"
	"passhub/app/jobs"
	"passhub/app/mail"
)

// MailArgs is the job that e-mails a user some of their notifications.
type MailArgs struct {
	UserID int64   `json:"user_id"`
	IDs    []int64 `json:"ids"`
}

// Kind names the job.
func (MailArgs) Kind() string { return "notify.mail" }

// InsertOpts puts the job in the mail queue.
func (MailArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueMail} }

// DigestArgs is the daily job that e-mails every user the digest of what they have not read.
type DigestArgs struct{}

// Kind names the job.
func (DigestArgs) Kind() string { return "notify.digest" }

// InsertOpts puts the job in the mail queue.
func (DigestArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueMail} }

// DigestHour is when the daily digest goes out, server time.
const DigestHour = 7

// Register gives the centre its queue, adds its workers to q and schedules the daily digest.
func (c *Centre) Register(q *jobs.Queue) {
	c.Jobs = q
	jobs.Add(q, &mailWorker{c: c})
	jobs.Add(q, &digestWorker{c: c})
	q.AddPeriodic(Digest())
}

// Digest is the periodic job of the daily digest.
func Digest() *river.PeriodicJob {
	return river.NewPeriodicJob(jobs.Daily(DigestHour), func() (river.JobArgs, *river.InsertOpts) {
		return DigestArgs{}, nil
	}, &river.PeriodicJobOpts{ID: "notify.digest"})
}

type mailWorker struct {
	river.WorkerDefaults[MailArgs]
	c *Centre
}

// Work sends the notifications not e-mailed yet; an address refused for good is not tried again.
func (w *mailWorker) Work(ctx context.Context, j *river.Job[MailArgs]) error {
	if w.c.Mailer == nil || len(j.Args.IDs) == 0 {
		return nil
	}
	var items []Notification
	if err := w.c.db.NewSelect().Model(&items).Where("id IN (?)", bun.In(j.Args.IDs)).Where("user_id = ?", j.Args.UserID).
		Where("emailed_at IS NULL").Order("id").Scan(ctx); err != nil {
		return fmt.Errorf("notify: mail: %w", db.Map(err))
	}
	if len(items) == 0 {
		return nil
	}
	err := w.c.Mailer.SendNotices(ctx, j.Args.UserID, items, false)
	var bounce *mail.BounceError
	if errors.As(err, &bounce) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	ids := make([]int64, len(items))
	for i, n := range items {
		ids[i] = n.ID
	}
	w.c.markEmailed(ctx, ids)
	return nil
}

type digestWorker struct {
	river.WorkerDefaults[DigestArgs]
	c *Centre
}

// Work sends the digests; a failure retries only the digests not sent.
func (w *digestWorker) Work(ctx context.Context, _ *river.Job[DigestArgs]) error {
	_, err := w.c.SendDigests(ctx)
	return err
}

package funding

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"passhub/app/event"
	"passhub/app/jobs"
	"passhub/app/mail"
)

// RemindersArgs is the daily job that sends the reminders due.
type RemindersArgs struct{}

// Kind names the job.
func (RemindersArgs) Kind() string { return "funding.reminders" }

// InsertOpts puts the job in the default queue (its e-mails go through the mail queue).
func (RemindersArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueDefault} }

// BulletinArgs is the weekly job that queues the bulletins.
type BulletinArgs struct{}

// Kind names the job.
func (BulletinArgs) Kind() string { return "funding.bulletin" }

// InsertOpts puts the job in the default queue.
func (BulletinArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueDefault} }

// BulletinMailArgs is the e-mail of one person's bulletin, built as of At.
type BulletinMailArgs struct {
	SubscriptionID int64     `json:"subscription_id"`
	At             time.Time `json:"at"`
}

// Kind names the job.
func (BulletinMailArgs) Kind() string { return "funding.bulletin_mail" }

// InsertOpts puts the job in the mail queue.
func (BulletinMailArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueMail} }

// RemindersHour is when the daily reminders go out, Rome time; the bulletin goes on
// BulletinDay at BulletinHour.
const (
	RemindersHour = 7
	BulletinDay   = time.Monday
	BulletinHour  = 7
)

// RemindersJob is the periodic job of the reminders.
func RemindersJob() *river.PeriodicJob {
	return river.NewPeriodicJob(jobs.Weekly{Days: jobs.EveryDay, Hour: RemindersHour, Loc: Rome}, func() (river.JobArgs, *river.InsertOpts) {
		return RemindersArgs{}, nil
	}, &river.PeriodicJobOpts{ID: "funding.reminders"})
}

// BulletinJob is the periodic job of the weekly bulletin (Monday 7:00, Rome).
func BulletinJob() *river.PeriodicJob {
	return river.NewPeriodicJob(jobs.Weekly{Days: []time.Weekday{BulletinDay}, Hour: BulletinHour, Loc: Rome}, func() (river.JobArgs, *river.InsertOpts) {
		return BulletinArgs{}, nil
	}, &river.PeriodicJobOpts{ID: "funding.bulletin"})
}

// Register gives the service its queue, adds its workers and schedules its jobs.
func (s *Service) Register(q *jobs.Queue) {
	s.Jobs = q
	jobs.Add(q, &remindersWorker{s: s})
	jobs.Add(q, &bulletinWorker{s: s})
	jobs.Add(q, &bulletinMailWorker{s: s})
	q.AddPeriodic(RemindersJob())
	q.AddPeriodic(BulletinJob())
}

// Listen registers the funding domain's rules: a newly published call is told at once to the
// immediate subscribers it concerns.
func (s *Service) Listen(d *event.Dispatcher) {
	s.Events = d
	event.On(d, "funding.new", func(ctx context.Context, ev Changed) error { return s.tellNew(ctx, ev.Published) })
}

type remindersWorker struct {
	river.WorkerDefaults[RemindersArgs]
	s *Service
}

// Work sends the reminders due; a failure retries only those not sent.
func (w *remindersWorker) Work(ctx context.Context, _ *river.Job[RemindersArgs]) error {
	_, err := w.s.SendReminders(ctx)
	return err
}

type bulletinWorker struct {
	river.WorkerDefaults[BulletinArgs]
	s *Service
}

// Work queues this week's bulletins not queued yet.
func (w *bulletinWorker) Work(ctx context.Context, _ *river.Job[BulletinArgs]) error {
	_, err := w.s.QueueBulletins(ctx)
	return err
}

type bulletinMailWorker struct {
	river.WorkerDefaults[BulletinMailArgs]
	s *Service
}

// Work e-mails one bulletin; an address refused for good is not tried again.
func (w *bulletinMailWorker) Work(ctx context.Context, j *river.Job[BulletinMailArgs]) error {
	err := w.s.sendBulletin(ctx, j.Args.SubscriptionID, j.Args.At)
	var bounce *mail.BounceError
	if errors.As(err, &bounce) {
		return river.JobCancel(err)
	}
	return err
}

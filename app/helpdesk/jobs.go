package helpdesk

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"passhub/app/db"
	"passhub/app/jobs"
)

// SweepEvery is how often the service levels are checked: the reminders before a due time and
// the closing of resolved tickets nobody rated.
const SweepEvery = 5 * time.Minute

// SweepArgs is the periodic job of the service levels.
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "helpdesk.sweep" }

type sweeper struct {
	river.WorkerDefaults[SweepArgs]
	s    *Service
	desk Desk
}

func (w *sweeper) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	if _, err := w.s.Remind(ctx, w.desk.Notices, w.desk.Operators); err != nil {
		return err
	}
	_, err := w.s.CloseUnrated(ctx)
	return err
}

// Register adds the sweep's worker and schedules it.
func (s *Service) Register(q *jobs.Queue, desk Desk) {
	jobs.Add(q, &sweeper{s: s, desk: desk})
	q.AddPeriodic(river.NewPeriodicJob(river.PeriodicInterval(SweepEvery), func() (river.JobArgs, *river.InsertOpts) {
		return SweepArgs{}, nil
	}, &river.PeriodicJobOpts{ID: "helpdesk.sweep"}))
}

// Remind tells the assigned operator (all operators when nobody is) of each active ticket whose
// first answer or resolution is due within RemindBefore working hours, or already late, once per
// due time; it returns how many reminders it sent. A waiting ticket's resolution is not reminded
// (its clock is stopped).
func (s *Service) Remind(ctx context.Context, notices Notifier, operators func(context.Context) ([]int64, error)) (int, error) {
	now := s.Now()
	// Working hours are at most 8 a day: a due time more than two days away is not near.
	horizon := now.Add(48 * time.Hour)
	var due []Ticket
	err := s.db.NewSelect().Model(&due).
		Where("status IN (?)", bun.In([]Status{StatusNew, StatusOpen, StatusWaiting})).Where("merged_into IS NULL").
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("answered_at IS NULL AND reminded_answer_at IS NULL AND answer_due < ?", horizon).
				WhereOr("resolved_at IS NULL AND reminded_resolve_at IS NULL AND waiting_since IS NULL AND resolve_due < ?", horizon)
		}).Order("id").Limit(1000).Scan(ctx)
	if err != nil {
		return 0, fmt.Errorf("helpdesk: reminders: %w", db.Map(err))
	}
	sent := 0
	var everyone []int64
	for i := range due {
		t := &due[i]
		var which string
		switch {
		case t.AnsweredAt.IsZero() && t.RemindedAnswerAt.IsZero() && s.cal.Between(now, t.AnswerDue) <= RemindBefore:
			which = "reminded_answer_at"
		case t.ResolvedAt.IsZero() && t.RemindedResolveAt.IsZero() && t.WaitingSince.IsZero() && s.cal.Between(now, t.ResolveDue) <= RemindBefore:
			which = "reminded_resolve_at"
		default:
			continue
		}
		to := []int64{t.AssigneeID}
		if t.AssigneeID == 0 {
			if everyone == nil && operators != nil {
				if everyone, err = operators(ctx); err != nil {
					return sent, err
				}
			}
			to = everyone
		}
		// Marked first: a reminder is a nudge, better lost in a crash than sent twice a minute.
		res, err := s.db.NewUpdate().Model((*Ticket)(nil)).Set(which+" = ?", now).Where("id = ?", t.ID).Where(which + " IS NULL").Exec(ctx)
		if err != nil {
			return sent, db.Map(err)
		}
		if n, _ := res.RowsAffected(); n == 0 || len(to) == 0 || notices == nil {
			continue
		}
		if err := notices.Notify(ctx, to, KindDueSoon, fmt.Sprintf("#%d %s", t.ID, t.Subject), TicketURL(t.ID)); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// CloseUnrated closes the tickets resolved more than CloseAfter ago that nobody rated; it returns
// how many.
func (s *Service) CloseUnrated(ctx context.Context) (int, error) {
	now := s.Now()
	res, err := s.db.NewUpdate().Model((*Ticket)(nil)).Set("status = ?", StatusClosed).Set("closed_at = ?", now).Set("updated_at = ?", now).
		Where("status = ?", StatusResolved).Where("resolved_at < ?", now.Add(-s.CloseAfter)).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("helpdesk: close: %w", db.Map(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

package request

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"passhub/app/audit"
	"passhub/app/db"
	"passhub/app/jobs"
)

// The PNRR outcome of a request: at its conclusion, and again six months after it, the ente is
// asked for the two figures it stated when filing (pending cases, average days to conclude), so
// the reduction the experts achieved is measured. Each ask is one row of request_outcomes; the
// statistics (app/stats) read that table. A figure the ente does not know stays NULL: it is never
// guessed. See docs/outcomes.md.

// Stages of an outcome's ask.
const (
	StageConcluded = "concluded"  // asked when the request is concluded
	StageSixMonths = "six_months" // asked SixMonths after the conclusion
)

// Stages lists the stages in the order they are asked.
var Stages = []string{StageConcluded, StageSixMonths}

// SixMonths is how long after its conclusion a request's outcome is asked again.
const SixMonths = 182 * 24 * time.Hour

// Limits of the two figures, the same as at filing (Form.Validate).
const (
	MaxBacklogPending = 1000000
	MaxBacklogAvgDays = 10000
)

// OutcomeKind is the kind of the request's event recorded each time an answer is stored.
const OutcomeKind = "outcome"

// Outcome is one ask of a request's outcome, and its answer once the ente gave it.
type Outcome struct {
	bun.BaseModel `bun:"table:request_outcomes"`

	ID         int64     `bun:"id,pk,autoincrement"`
	RequestID  int64     `bun:"request_id"`
	Stage      string    `bun:"stage"`
	AskedAt    time.Time `bun:"asked_at"`
	AnsweredAt time.Time `bun:"answered_at,nullzero"`
	AnsweredBy int64     `bun:"answered_by,nullzero"`
	// The figures; nil when the ente said it does not know (or has not answered yet).
	BacklogPending *int `bun:"backlog_pending"`
	BacklogAvgDays *int `bun:"backlog_avg_days"`

	AnsweredByName string `bun:"answered_by_name,scanonly"`
}

// Answered reports whether the ente answered the ask.
func (o *Outcome) Answered() bool { return !o.AnsweredAt.IsZero() }

// OutcomeURL is the page where an ente's member answers a request's asks.
func OutcomeURL(requestID int64) string {
	return "/area-riservata/richieste/" + strconv.FormatInt(requestID, 10) + "/esito"
}

// Answer is what the ente states for one stage: nil for a figure it does not know.
type Answer struct {
	BacklogPending *int
	BacklogAvgDays *int
}

// Validate returns the figures out of their limits.
func (a Answer) Validate() FieldErrors {
	errs := FieldErrors{}
	if a.BacklogPending != nil && (*a.BacklogPending < 0 || *a.BacklogPending > MaxBacklogPending) {
		errs["backlog_pending"] = "outcome.error.pending"
	}
	if a.BacklogAvgDays != nil && (*a.BacklogAvgDays < 0 || *a.BacklogAvgDays > MaxBacklogAvgDays) {
		errs["backlog_avg_days"] = "outcome.error.days"
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// ErrNoAsk is an answer to an ask that does not exist (the request is not concluded, or not
// six months ago).
var ErrNoAsk = fmt.Errorf("request: no such outcome ask: %w", db.ErrNotFound)

// AskedKind is the kind of the request's event recorded when an ask is created: the request's
// listeners tell the ente's members (notify) and the statistics count the ask.
const AskedKind = "outcome_asked"

// Ask creates the request's ask of stage unless it exists, and reports whether it created it.
// The row and the request's event of kind "outcome_asked" (whose listener tells the ente's
// members) commit together, so an ask is never left untold, and a second call (a listener or a
// job run again) adds nothing.
func (s *Service) Ask(ctx context.Context, requestID int64, stage string) (bool, error) {
	created := false
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		o := &Outcome{RequestID: requestID, Stage: stage, AskedAt: s.now()}
		res, err := tx.NewInsert().Model(o).On("CONFLICT (request_id, stage) DO NOTHING").Returning("NULL").Exec(ctx)
		if err != nil {
			return db.Map(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // asked already
		}
		created = true
		if err := tx.NewSelect().Model(o).Column("id").Where("request_id = ?", requestID).Where("stage = ?", stage).Scan(ctx); err != nil {
			return db.Map(err)
		}
		return s.Emit(ctx, tx, Changed{RequestID: requestID, Kind: AskedKind, ObjectID: o.ID})
	})
	if err != nil {
		return false, fmt.Errorf("request %d: ask outcome %s: %w", requestID, stage, err)
	}
	return created, nil
}

// notifyAsk puts an ask (the event's object) in the bells of the ente's enabled members, linked
// to the form, and e-mails them as their preferences say; the notification centre keys it on the
// event, so a rerun adds nothing.
func (s *Service) notifyAsk(ctx context.Context, a Audience, c Changed) error {
	o := new(Outcome)
	err := s.db.NewSelect().Model(o).Where("id = ?", c.ObjectID).Where("request_id = ?", c.RequestID).Scan(ctx)
	if errors.Is(db.Map(err), db.ErrNotFound) {
		return nil // the request was deleted meanwhile
	}
	if err != nil {
		return db.Map(err)
	}
	r, err := s.Get(ctx, c.RequestID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	members, err := enabledMembers(ctx, a, r.EnteID)
	if err != nil {
		return err
	}
	return a.Notices.Notify(ctx, members, "request.outcome."+o.Stage, subjectOf(r), OutcomeURL(r.ID))
}

// askAtConclusion is the listener that asks a concluded request's outcome.
func (s *Service) askAtConclusion(ctx context.Context, c Changed) error {
	if c.Kind != "concluded" {
		return nil
	}
	if _, err := s.Get(ctx, c.RequestID); errors.Is(err, db.ErrNotFound) {
		return nil // deleted meanwhile
	} else if err != nil {
		return err
	}
	_, err := s.Ask(ctx, c.RequestID, StageConcluded)
	return err
}

// DueSixMonths lists the requests concluded at least SixMonths ago (by the service's clock) that
// have no six-month ask yet.
func (s *Service) DueSixMonths(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := s.db.NewSelect().TableExpr("request_events AS ev").ColumnExpr("DISTINCT ev.request_id").
		Where("ev.kind = 'concluded'").Where("ev.to_state = ?", Concluded).Where("ev.at <= ?", s.now().Add(-SixMonths)).
		Where("NOT EXISTS (SELECT 1 FROM request_outcomes AS o WHERE o.request_id = ev.request_id AND o.stage = ?)", StageSixMonths).
		OrderExpr("ev.request_id").Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("requests due for the six-month outcome: %w", db.Map(err))
	}
	return ids, nil
}

// AskSixMonths creates the six-month ask of every request due (DueSixMonths), each in its own
// transaction with the event that tells the ente, and returns how many it created. Stopped midway
// (a crash, an error), it keeps what it committed; run again, it asks the others only.
func (s *Service) AskSixMonths(ctx context.Context) (int, error) {
	ids, err := s.DueSixMonths(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		created, err := s.Ask(ctx, id, StageSixMonths)
		if err != nil {
			return n, err
		}
		if created {
			n++
		}
	}
	return n, nil
}

// Outcomes returns a request's asks, in the order they were asked, with who answered.
func (s *Service) Outcomes(ctx context.Context, requestID int64) ([]Outcome, error) {
	var out []Outcome
	err := s.db.NewSelect().Model(&out).ColumnExpr("outcome.*").
		ColumnExpr("COALESCE(u.name || ' ' || u.family_name, '') AS answered_by_name").
		Join("LEFT JOIN users AS u ON u.id = outcome.answered_by").
		Where("outcome.request_id = ?", requestID).OrderExpr("outcome.asked_at, outcome.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("request %d outcomes: %w", requestID, db.Map(err))
	}
	return out, nil
}

// PendingOutcome is an ask still waiting for the ente.
type PendingOutcome struct {
	RequestID int64     `bun:"request_id"`
	Title     string    `bun:"title"`
	EnteID    int64     `bun:"ente_id"`
	Stage     string    `bun:"stage"`
	AskedAt   time.Time `bun:"asked_at"`
}

// URL is the page that answers it.
func (p PendingOutcome) URL() string { return OutcomeURL(p.RequestID) }

// PendingOutcomes lists the unanswered asks of the enti's requests, oldest first.
func (s *Service) PendingOutcomes(ctx context.Context, enteIDs []int64) ([]PendingOutcome, error) {
	if len(enteIDs) == 0 {
		return nil, nil
	}
	var out []PendingOutcome
	err := s.db.NewSelect().TableExpr("request_outcomes AS o").
		ColumnExpr("o.request_id, r.title, r.ente_id, o.stage, o.asked_at").
		Join("JOIN requests AS r ON r.id = o.request_id").
		Where("o.answered_at IS NULL").Where("r.ente_id IN (?)", bun.In(enteIDs)).
		OrderExpr("o.asked_at, o.id").Limit(50).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("pending outcomes: %w", db.Map(err))
	}
	return out, nil
}

// AnswerOutcome stores (or corrects) the ente's answer to the request's ask of stage and records
// the request's event of kind "outcome" in the same transaction. ErrNoAsk when the request has
// no such ask; FieldErrors for a figure out of its limits, and nothing is stored.
func (s *Service) AnswerOutcome(ctx context.Context, member Actor, requestID int64, stage string, a Answer) (*Outcome, error) {
	if errs := a.Validate(); errs != nil {
		return nil, errs
	}
	var out *Outcome
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := s.store.Request(ctx, tx, requestID)
		if err != nil {
			return err
		}
		now := s.now()
		res, err := tx.NewUpdate().Model((*Outcome)(nil)).Set("answered_at = ?", now).Set("answered_by = ?", member.UserID).
			Set("backlog_pending = ?", orNull(a.BacklogPending)).Set("backlog_avg_days = ?", orNull(a.BacklogAvgDays)).
			Where("request_id = ?", requestID).Where("stage = ?", stage).Exec(ctx)
		if err != nil {
			return db.Map(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNoAsk
		}
		out = new(Outcome)
		if err := tx.NewSelect().Model(out).Where("request_id = ?", requestID).Where("stage = ?", stage).Scan(ctx); err != nil {
			return db.Map(err)
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: member.UserID, Actor: member.Name, IP: member.IP, Action: "request.outcome",
			ObjectType: "request", ObjectID: r.ID, EnteID: r.EnteID, Detail: stage + " " + figure(a.BacklogPending) + " / " + figure(a.BacklogAvgDays)}); err != nil {
			return err
		}
		return s.Emit(ctx, tx, Changed{RequestID: r.ID, Kind: OutcomeKind, ActorID: member.UserID, ObjectID: out.ID})
	})
	if err != nil {
		return nil, fmt.Errorf("request %d: outcome %s: %w", requestID, stage, err)
	}
	return out, nil
}

func orNull(n *int) any {
	if n == nil {
		return nil
	}
	return *n
}

func figure(n *int) string {
	if n == nil {
		return "?"
	}
	return strconv.Itoa(*n)
}

// SixMonthsArgs is the daily job that asks the six-month outcomes due.
type SixMonthsArgs struct{}

// Kind names the job.
func (SixMonthsArgs) Kind() string { return "request.outcome_six_months" }

// InsertOpts puts the job in the default queue.
func (SixMonthsArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueDefault} }

// SixMonthsHour is when the daily six-month ask runs, server time (before the 7:00 digest).
const SixMonthsHour = 6

// SixMonthsJob is the periodic job of the six-month asks.
func SixMonthsJob() *river.PeriodicJob {
	return river.NewPeriodicJob(jobs.Daily(SixMonthsHour), func() (river.JobArgs, *river.InsertOpts) {
		return SixMonthsArgs{}, nil
	}, &river.PeriodicJobOpts{ID: "request.outcome_six_months"})
}

// Register adds the six-month ask's worker and daily job to q.
func (s *Service) Register(q *jobs.Queue) {
	jobs.Add(q, &sixMonthsWorker{s: s})
	q.AddPeriodic(SixMonthsJob())
}

type sixMonthsWorker struct {
	river.WorkerDefaults[SixMonthsArgs]
	s *Service
}

// Work asks the six-month outcomes due; a failure retries only those not asked yet.
func (w *sixMonthsWorker) Work(ctx context.Context, _ *river.Job[SixMonthsArgs]) error {
	_, err := w.s.AskSixMonths(ctx)
	return err
}

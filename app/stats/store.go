package stats

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"passhub/app/db"
)

// Store owns the statistics' queries.
type Store struct{}

// Raw reads the raw rows of the requests whose ids are in [lo, hi), by id.
func (Store) Raw(ctx context.Context, idb bun.IDB, lo, hi int64) ([]Raw, error) {
	var reqs []struct {
		ID             int64     `bun:"id"`
		EnteID         int64     `bun:"ente_id"`
		Province       string    `bun:"province"`
		TaskForce      string    `bun:"task_force"`
		ProcedureID    int64     `bun:"procedure_id"`
		State          string    `bun:"state"`
		SubmittedAt    time.Time `bun:"submitted_at,nullzero"`
		BacklogPending int       `bun:"backlog_pending"`
		BacklogAvgDays int       `bun:"backlog_avg_days"`
	}
	err := idb.NewSelect().TableExpr("requests AS r").Join("JOIN enti AS e ON e.id = r.ente_id").
		ColumnExpr("r.id, r.ente_id, e.province, r.task_force, r.procedure_id, r.state, r.submitted_at, r.backlog_pending, r.backlog_avg_days").
		Where("r.id >= ? AND r.id < ?", lo, hi).OrderExpr("r.id").Scan(ctx, &reqs)
	if err != nil {
		return nil, fmt.Errorf("stats: requests: %w", err)
	}
	out := make([]Raw, len(reqs))
	at := make(map[int64]int, len(reqs))
	for i, r := range reqs {
		out[i] = Raw{RequestID: r.ID, EnteID: r.EnteID, Province: r.Province, TaskForce: r.TaskForce, ProcedureID: r.ProcedureID,
			State: r.State, SubmittedAt: r.SubmittedAt, BacklogPending: r.BacklogPending, BacklogAvgDays: r.BacklogAvgDays}
		at[r.ID] = i
	}
	if len(out) == 0 {
		return nil, nil
	}

	var events []struct {
		RequestID int64     `bun:"request_id"`
		At        time.Time `bun:"at"`
		Kind      string    `bun:"kind"`
		From      string    `bun:"from_state"`
		To        string    `bun:"to_state"`
	}
	if err := idb.NewSelect().Table("request_events").Column("request_id", "at", "kind", "from_state", "to_state").
		Where("request_id >= ? AND request_id < ?", lo, hi).Where("to_state <> ''").Where("to_state <> from_state").
		OrderExpr("request_id, at, id").Scan(ctx, &events); err != nil {
		return nil, fmt.Errorf("stats: timeline: %w", err)
	}
	for _, e := range events {
		if i, ok := at[e.RequestID]; ok {
			out[i].Events = append(out[i].Events, RawEvent{At: e.At, Kind: e.Kind, From: e.From, To: e.To})
		}
	}

	var integ []struct {
		RequestID  int64     `bun:"request_id"`
		CreatedAt  time.Time `bun:"created_at"`
		DueOn      time.Time `bun:"due_on"`
		AnsweredAt time.Time `bun:"answered_at,nullzero"`
	}
	if err := idb.NewSelect().Table("integrations").Column("request_id", "created_at", "due_on", "answered_at").
		Where("request_id >= ? AND request_id < ?", lo, hi).OrderExpr("request_id, id").Scan(ctx, &integ); err != nil {
		return nil, fmt.Errorf("stats: integrations: %w", err)
	}
	for _, it := range integ {
		if i, ok := at[it.RequestID]; ok {
			out[i].Integrations = append(out[i].Integrations, RawIntegration{AskedAt: it.CreatedAt, DueOn: it.DueOn, AnsweredAt: it.AnsweredAt})
		}
	}

	var acts []struct {
		RequestID int64     `bun:"request_id"`
		ExpertID  int64     `bun:"expert_id"`
		On        time.Time `bun:"on_date"`
		Kind      string    `bun:"kind"`
		Minutes   int       `bun:"minutes"`
	}
	if err := idb.NewSelect().TableExpr("activities AS a").Join("JOIN spaces AS s ON s.id = a.space_id").
		ColumnExpr("s.request_id, a.expert_id, a.on_date, a.kind, a.minutes").
		Where("s.request_id >= ? AND s.request_id < ?", lo, hi).OrderExpr("s.request_id, a.id").Scan(ctx, &acts); err != nil {
		return nil, fmt.Errorf("stats: activities: %w", err)
	}
	for _, a := range acts {
		if i, ok := at[a.RequestID]; ok {
			out[i].Activities = append(out[i].Activities, RawActivity{ExpertID: a.ExpertID, On: a.On, Kind: a.Kind, Minutes: a.Minutes})
		}
	}
	var outs []struct {
		RequestID  int64     `bun:"request_id"`
		Stage      string    `bun:"stage"`
		AskedAt    time.Time `bun:"asked_at"`
		AnsweredAt time.Time `bun:"answered_at,nullzero"`
		Pending    *int      `bun:"backlog_pending"`
		AvgDays    *int      `bun:"backlog_avg_days"`
	}
	if err := idb.NewSelect().Table("request_outcomes").Column("request_id", "stage", "asked_at", "answered_at", "backlog_pending", "backlog_avg_days").
		Where("request_id >= ? AND request_id < ?", lo, hi).OrderExpr("request_id, id").Scan(ctx, &outs); err != nil {
		return nil, fmt.Errorf("stats: outcomes: %w", err)
	}
	for _, o := range outs {
		if i, ok := at[o.RequestID]; ok {
			out[i].Outcomes = append(out[i].Outcomes, RawOutcome{Stage: o.Stage, AskedAt: o.AskedAt, AnsweredAt: o.AnsweredAt, Pending: o.Pending, AvgDays: o.AvgDays})
		}
	}
	return out, nil
}

// Facts returns the stored facts of a request, locked for update on PostgreSQL (SQLite has one
// writer at a time); nil when none.
func (Store) Facts(ctx context.Context, idb bun.IDB, requestID int64) (*Facts, error) {
	f := new(Facts)
	q := idb.NewSelect().Model(f).Where("request_id = ?", requestID)
	if idb.Dialect().Name() == dialect.PG {
		// A row to lock, even for a request seen for the first time: two listeners of one request
		// take turns. An empty row stands for no facts (its cells are none) until SaveFacts.
		if _, err := idb.NewInsert().Model(&Facts{RequestID: requestID, UpdatedAt: time.Now()}).On("CONFLICT (request_id) DO NOTHING").Exec(ctx); err != nil {
			return nil, fmt.Errorf("stats: facts %d: %w", requestID, db.Map(err))
		}
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("stats: facts %d: %w", requestID, err)
	}
	rc := new(requestCells)
	if err := idb.NewSelect().Model(rc).Where("request_id = ?", requestID).Scan(ctx); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("stats: cells of %d: %w", requestID, err)
	}
	f.Cells = rc.Cells
	return f, nil
}

// SaveFacts stores f in place of the request's former facts; nil f removes them.
func (Store) SaveFacts(ctx context.Context, idb bun.IDB, requestID int64, f *Facts) error {
	if f == nil {
		if _, err := idb.NewDelete().Model((*requestCells)(nil)).Where("request_id = ?", requestID).Exec(ctx); err != nil {
			return db.Map(err)
		}
		_, err := idb.NewDelete().Model((*Facts)(nil)).Where("request_id = ?", requestID).Exec(ctx)
		return db.Map(err)
	}
	if _, err := idb.NewInsert().Model(&requestCells{RequestID: requestID, EnteID: f.EnteID, Cells: f.Cells}).
		On("CONFLICT (request_id) DO UPDATE").Set("ente_id = EXCLUDED.ente_id, cells = EXCLUDED.cells").Exec(ctx); err != nil {
		return db.Map(err)
	}
	_, err := idb.NewInsert().Model(f).On("CONFLICT (request_id) DO UPDATE").
		Set("ente_id = EXCLUDED.ente_id, province = EXCLUDED.province, task_force = EXCLUDED.task_force").
		Set("procedure_id = EXCLUDED.procedure_id, state = EXCLUDED.state, state_since = EXCLUDED.state_since").
		Set("filed_at = EXCLUDED.filed_at, triaged_at = EXCLUDED.triaged_at, started_at = EXCLUDED.started_at").
		Set("concluded_at = EXCLUDED.concluded_at, closed_at = EXCLUDED.closed_at").
		Set("integrations_open = EXCLUDED.integrations_open, integration_due = EXCLUDED.integration_due").
		Set("expert_minutes = EXCLUDED.expert_minutes, updated_at = EXCLUDED.updated_at").
		Set("days_to_triage = EXCLUDED.days_to_triage, days_to_start = EXCLUDED.days_to_start, days_to_conclusion = EXCLUDED.days_to_conclusion").
		Set("stay_submitted = EXCLUDED.stay_submitted, stay_assigned = EXCLUDED.stay_assigned").
		Set("stay_in_progress = EXCLUDED.stay_in_progress, stay_waiting = EXCLUDED.stay_waiting").Exec(ctx)
	return db.Map(err)
}

// Add adds the daily cells' values to the monthly roll-up, in its two cuts. A sum that comes
// back to nothing stays as a row of zeros (harmless, and gone at the next rebuild).
func (Store) Add(ctx context.Context, idb bun.IDB, cells []Cell) error {
	cut := make([]Cell, 0, 2*len(cells))
	for _, c := range cells {
		cs := c.Cuts()
		cut = append(cut, cs[0], cs[1])
	}
	cut = merge(cut)
	for start := 0; start < len(cut); start += 500 {
		chunk := cut[start:min(start+500, len(cut))]
		_, err := idb.NewInsert().Model(&chunk).ModelTableExpr("stats_monthly").
			On("CONFLICT (period, task_force, procedure_id, province, measure, bucket) DO UPDATE").
			Set("n = stats_monthly.n + EXCLUDED.n").Set("total = stats_monthly.total + EXCLUDED.total").Exec(ctx)
		if err != nil {
			return fmt.Errorf("stats: add to the roll-up: %w", err)
		}
	}
	return nil
}

// Clear empties the facts and the roll-ups.
func (Store) Clear(ctx context.Context, idb bun.IDB) error {
	for _, t := range []string{"stats_monthly", "stats_request_cells", "stats_requests"} {
		if _, err := idb.NewDelete().TableExpr(t).Where("1 = 1").Exec(ctx); err != nil {
			return fmt.Errorf("stats: clear %s: %w", t, err)
		}
	}
	return nil
}

// MaxRequestID returns the highest request id.
func (Store) MaxRequestID(ctx context.Context, idb bun.IDB) (int64, error) {
	var id sql.NullInt64
	err := idb.NewSelect().TableExpr("requests").ColumnExpr("MAX(id)").Scan(ctx, &id)
	return id.Int64, err
}

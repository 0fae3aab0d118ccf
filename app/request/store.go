package request

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/access"
	"passhub/app/db"
)

// Store owns the queries on requests, their experts, timeline and integrations.
type Store struct{}

func (Store) base(idb bun.IDB, out any) *bun.SelectQuery {
	return idb.NewSelect().Model(out).
		ColumnExpr("request.*").
		ColumnExpr("e.name AS ente_name, e.province AS ente_province, p.code AS procedure_code, p.title AS procedure_title").
		Join("JOIN enti AS e ON e.id = request.ente_id").
		Join("JOIN procedures AS p ON p.id = request.procedure_id")
}

// Request returns one request with its ente, procedure and experts.
func (st Store) Request(ctx context.Context, idb bun.IDB, id int64) (*Request, error) {
	r := new(Request)
	if err := st.base(idb, r).Where("request.id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("request %d: %w", id, db.Map(err))
	}
	experts, err := st.Experts(ctx, idb, id)
	if err != nil {
		return nil, err
	}
	r.Experts = experts
	return r, nil
}

// Experts lists a request's experts with their names.
func (Store) Experts(ctx context.Context, idb bun.IDB, requestID int64) ([]Expert, error) {
	var out []Expert
	err := idb.NewSelect().Model(&out).ColumnExpr("expert.*").ColumnExpr("u.name || ' ' || u.family_name AS name").
		Join("JOIN users AS u ON u.id = expert.user_id").Where("expert.request_id = ?", requestID).Order("u.family_name").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("request %d experts: %w", requestID, db.Map(err))
	}
	return out, nil
}

// Filter selects requests for lists, queues and dashboards.
type Filter struct {
	// Scope, when set, keeps only the requests a subject may see (access.Subject.Scope).
	Scope       *access.Scope
	EnteIDs     []int64
	TaskForces  []string
	ExpertID    int64
	States      []State
	ProcedureID int64
	Province    string
	EnteName    string        // words contained in the ente's name
	OlderThan   time.Duration // submitted more than this long ago
	Submitted   bool          // only requests that were submitted (drafts belong to their ente)
	// IDs, when not nil, keeps only these requests (none when empty): the requests behind a
	// figure of the analysis panel.
	IDs    []int64
	Limit  int
	Offset int
}

func (f Filter) apply(q *bun.SelectQuery) *bun.SelectQuery {
	if f.Scope != nil {
		q = f.Scope.Where(q)
	}
	if len(f.EnteIDs) > 0 {
		q = q.Where("request.ente_id IN (?)", bun.In(f.EnteIDs))
	}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			q = q.Where("1 = 0")
		} else {
			q = q.Where("request.id IN (?)", bun.In(f.IDs))
		}
	}
	if len(f.TaskForces) > 0 {
		q = q.Where("request.task_force IN (?)", bun.In(f.TaskForces))
	}
	if f.ExpertID != 0 {
		q = q.Where("EXISTS (SELECT 1 FROM request_experts AS x WHERE x.request_id = request.id AND x.user_id = ?)", f.ExpertID)
	}
	if len(f.States) > 0 {
		q = q.Where("request.state IN (?)", bun.In(f.States))
	}
	if f.ProcedureID != 0 {
		q = q.Where("request.procedure_id = ?", f.ProcedureID)
	}
	if f.Province != "" {
		q = q.Where("e.province = ?", f.Province)
	}
	if f.EnteName != "" {
		q = q.Where("LOWER(e.name) LIKE ?", "%"+strings.ToLower(strings.NewReplacer("%", "", "_", "").Replace(f.EnteName))+"%")
	}
	if f.Submitted {
		q = q.Where("request.submitted_at IS NOT NULL")
	}
	if f.OlderThan > 0 {
		q = q.Where("request.submitted_at < ?", time.Now().Add(-f.OlderThan))
	}
	return q
}

// List returns the requests matching f, oldest submitted first, and their total.
func (st Store) List(ctx context.Context, idb bun.IDB, f Filter) ([]Request, int, error) {
	var out []Request
	q := f.apply(st.base(idb, &out)).OrderExpr("COALESCE(request.submitted_at, request.created_at)").Order("request.id")
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit)).Offset(int64(f.Offset))
	}
	n, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("requests: %w", db.Map(err))
	}
	return out, int(n), nil
}

// CountByState counts the requests matching f by state.
func (Store) CountByState(ctx context.Context, idb bun.IDB, f Filter) (map[State]int, error) {
	var rows []struct {
		State State `bun:"state"`
		N     int   `bun:"n"`
	}
	q := idb.NewSelect().TableExpr("requests AS request").ColumnExpr("request.state AS state, COUNT(*) AS n").
		Join("JOIN enti AS e ON e.id = request.ente_id").GroupExpr("request.state")
	if err := f.apply(q).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("request counts: %w", db.Map(err))
	}
	out := map[State]int{}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}

// CountByProcedure counts an ente's requests by procedure and state.
func (Store) CountByProcedure(ctx context.Context, idb bun.IDB, enteID int64) (map[int64]map[State]int, error) {
	var rows []struct {
		ProcedureID int64 `bun:"procedure_id"`
		State       State `bun:"state"`
		N           int   `bun:"n"`
	}
	err := idb.NewSelect().TableExpr("requests").ColumnExpr("procedure_id, state, COUNT(*) AS n").
		Where("ente_id = ?", enteID).GroupExpr("procedure_id, state").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("request counts of ente %d: %w", enteID, db.Map(err))
	}
	out := map[int64]map[State]int{}
	for _, r := range rows {
		if out[r.ProcedureID] == nil {
			out[r.ProcedureID] = map[State]int{}
		}
		out[r.ProcedureID][r.State] = r.N
	}
	return out, nil
}

// Workload counts the open requests assigned to each expert of a task force; experts with none
// are listed with zero.
type Workload struct {
	UserID int64  `bun:"user_id"`
	Name   string `bun:"name"`
	Open   int    `bun:"open"`
}

// Workloads returns the experts of a task force with their open requests, lightest first.
func (Store) Workloads(ctx context.Context, idb bun.IDB, taskForce string) ([]Workload, error) {
	var out []Workload
	err := idb.NewSelect().TableExpr("user_roles AS ur").
		ColumnExpr("ur.user_id, u.name || ' ' || u.family_name AS name").
		ColumnExpr("(SELECT COUNT(*) FROM request_experts AS x JOIN requests AS r ON r.id = x.request_id WHERE x.user_id = ur.user_id AND r.state IN (?)) AS open",
			bun.In([]State{Assigned, InProgress, Waiting})).
		Join("JOIN users AS u ON u.id = ur.user_id").
		Where("ur.role = 'expert'").Where("ur.task_force = ?", taskForce).Where("u.disabled = ?", false).
		OrderExpr("open, u.family_name").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("workloads of %s: %w", taskForce, db.Map(err))
	}
	return out, nil
}

// Insert stores a new request.
func (Store) Insert(ctx context.Context, idb bun.IDB, r *Request) error {
	_, err := idb.NewInsert().Model(r).Returning("id").Exec(ctx)
	return db.Map(err)
}

// SetState moves a request from one state to another; it fails with ErrStale when the request is
// no longer in from (someone else acted first).
func (Store) SetState(ctx context.Context, idb bun.IDB, r *Request, from []State, to State, now time.Time) error {
	res, err := idb.NewUpdate().Model((*Request)(nil)).Set("state = ?", to).Set("updated_at = ?", now).
		Set("reason = ?", r.Reason).Set("summary = ?", r.Summary).Set("submitted_at = ?", nullTime(r.SubmittedAt)).
		Where("id = ?", r.ID).Where("state IN (?)", bun.In(from)).Exec(ctx)
	if err != nil {
		return db.Map(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrStale
	}
	r.State, r.UpdatedAt = to, now
	return nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// ReplaceExperts makes ids the request's experts.
func (Store) ReplaceExperts(ctx context.Context, idb bun.IDB, requestID int64, ids []int64, by int64, now time.Time) error {
	if _, err := idb.NewDelete().Model((*Expert)(nil)).Where("request_id = ?", requestID).Exec(ctx); err != nil {
		return db.Map(err)
	}
	for _, id := range ids {
		e := &Expert{RequestID: requestID, UserID: id, AssignedBy: by, CreatedAt: now}
		if _, err := idb.NewInsert().Model(e).Exec(ctx); err != nil {
			return db.Map(err)
		}
	}
	return nil
}

// ExpertsOf returns which of ids hold the expert role in taskForce.
func (Store) ExpertsOf(ctx context.Context, idb bun.IDB, taskForce string, ids []int64) ([]int64, error) {
	var out []int64
	if len(ids) == 0 {
		return nil, nil
	}
	err := idb.NewSelect().TableExpr("user_roles").Column("user_id").Where("role = 'expert'").
		Where("task_force = ?", taskForce).Where("user_id IN (?)", bun.In(ids)).Scan(ctx, &out)
	return out, db.Map(err)
}

// AddEvent appends to a request's timeline.
func (Store) AddEvent(ctx context.Context, idb bun.IDB, e *Event) error {
	_, err := idb.NewInsert().Model(e).Returning("id").Exec(ctx)
	return db.Map(err)
}

// Events returns a request's timeline, oldest first.
func (Store) Events(ctx context.Context, idb bun.IDB, requestID int64) ([]Event, error) {
	var out []Event
	err := idb.NewSelect().Model(&out).Where("request_id = ?", requestID).Order("at", "id").Scan(ctx)
	return out, db.Map(err)
}

// InsertIntegration stores a request for integration.
func (Store) InsertIntegration(ctx context.Context, idb bun.IDB, i *Integration) error {
	_, err := idb.NewInsert().Model(i).Returning("id").Exec(ctx)
	return db.Map(err)
}

// Integrations lists a request's integrations, newest first.
func (Store) Integrations(ctx context.Context, idb bun.IDB, requestID int64) ([]Integration, error) {
	var out []Integration
	err := idb.NewSelect().Model(&out).Where("request_id = ?", requestID).Order("created_at DESC", "id DESC").Scan(ctx)
	return out, db.Map(err)
}

// AnswerIntegration records the ente's answer to an open integration; ErrStale when it was
// already answered.
func (Store) AnswerIntegration(ctx context.Context, idb bun.IDB, requestID, id, by int64, answer string, now time.Time) error {
	res, err := idb.NewUpdate().Model((*Integration)(nil)).Set("answered_at = ?", now).Set("answered_by = ?", by).
		Set("answer = ?", answer).Where("id = ?", id).Where("request_id = ?", requestID).Where("answered_at IS NULL").Exec(ctx)
	if err != nil {
		return db.Map(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrStale
	}
	return nil
}

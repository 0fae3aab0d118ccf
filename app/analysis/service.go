package analysis

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/uptrace/bun"

	"passhub/app/db"
	"passhub/app/stats"
)

// ErrMeasure is a drill-down of a measure the panel does not know.
var ErrMeasure = errors.New("analysis: unknown measure")

// Service answers the panel's figures and lists.
type Service struct {
	db    *db.DB
	stats *stats.Service
	now   func() time.Time
	// options keeps the filters' choices (enti, experts, provinces) as long as the figures: with
	// 1,500 enti the list of those with requests is a tenth of a page's cost.
	options *expirable.LRU[string, []Option]
	// lists keeps the lists of requests waiting (for triage, on an overdue integration) as long as
	// the figures they stand beside.
	lists *expirable.LRU[string, pendingList]
}

// pendingList is the first requests of a list and how many there are.
type pendingList struct {
	rows  []Pending
	total int
}

// NewService returns the panel's service over the statistics; the filters' choices are forgotten
// with the figures.
func NewService(d *db.DB, st *stats.Service) *Service {
	s := &Service{db: d, stats: st, now: time.Now, options: expirable.NewLRU[string, []Option](64, nil, stats.CacheTTL),
		lists: expirable.NewLRU[string, pendingList](128, nil, stats.CacheTTL)}
	st.OnForget(s.options.Purge)
	st.OnForget(s.lists.Purge)
	return s
}

// kept returns the choices kept under key, or reads and keeps them.
func (s *Service) kept(key string, read func() ([]Option, error)) ([]Option, error) {
	if out, ok := s.options.Get(key); ok {
		return out, nil
	}
	out, err := read()
	if err == nil {
		s.options.Add(key, out)
	}
	return out, err
}

// viewerKey names the viewer's task forces in the keys of the choices kept.
func viewerKey(v Viewer) string {
	if v.All {
		return "*"
	}
	return strings.Join(v.TaskForces, ",")
}

// SetClock replaces the service's clock (what "today" is for overdue integrations and the ente's
// trend).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Now is the time on the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Figures returns the figures of q and the stock by state at the end of its period, within the
// viewer's task forces (app/stats answers an expert's from the facts of the requests assigned to
// them).
func (s *Service) Figures(ctx context.Context, v Viewer, q Query) (stats.Figures, map[string]int64, error) {
	f := q.stats(v)
	fig, err := s.stats.Figures(ctx, f)
	if err != nil {
		return stats.Figures{}, nil, err
	}
	stock, err := s.stats.Stock(ctx, f)
	if err != nil {
		return stats.Figures{}, nil, err
	}
	return fig, stock, nil
}

// fact is what the drill-down reads of a request's facts: its state and its daily cells.
type fact struct {
	RequestID  int64        `bun:"request_id"`
	State      string       `bun:"state"`
	StateSince time.Time    `bun:"state_since,nullzero"`
	Cells      []stats.Cell `bun:"cells"`
}

// facts reads the facts of the requests in q's dimensions, within tfs, that were filed before the
// end of its period.
func (s *Service) facts(ctx context.Context, q Query, tfs []string, extra func(*bun.SelectQuery) *bun.SelectQuery) ([]fact, error) {
	var out []fact
	sq := q.where(s.db.NewSelect().TableExpr("stats_requests AS sr").Join("JOIN stats_request_cells AS rc ON rc.request_id = sr.request_id").
		ColumnExpr("sr.request_id, sr.state, sr.state_since, rc.cells"), tfs)
	if _, to := q.bounds(); !to.IsZero() {
		sq = sq.Where("sr.filed_at < ?", to)
	}
	if extra != nil {
		sq = extra(sq)
	}
	if err := sq.OrderExpr("sr.request_id").Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("analysis: facts: %w", err)
	}
	return out, nil
}

// Pending is a request of the panel's lists of what waits now.
type Pending struct {
	RequestID        int64     `bun:"request_id"`
	Title            string    `bun:"title"`
	Ente             string    `bun:"ente"`
	TaskForce        string    `bun:"task_force"`
	StateSince       time.Time `bun:"state_since,nullzero"`
	IntegrationDue   time.Time `bun:"integration_due,nullzero"`
	IntegrationsOpen int       `bun:"integrations_open"`
}

func (s *Service) pending(q Query, tfs []string) *bun.SelectQuery {
	return q.where(s.db.NewSelect().TableExpr("stats_requests AS sr").
		Join("JOIN requests AS r ON r.id = sr.request_id").Join("JOIN enti AS e ON e.id = sr.ente_id").
		ColumnExpr("sr.request_id, r.title, e.name AS ente, sr.task_force, sr.state_since, sr.integration_due, sr.integrations_open"), tfs)
}

// today is the start of the current day in Italian time.
func (s *Service) today() time.Time {
	n := s.now().In(rome)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, rome)
}

// WaitingTriage lists the requests waiting for triage now, oldest first (at most limit), and
// their number: the index on (state, state_since) answers it.
func (s *Service) WaitingTriage(ctx context.Context, v Viewer, q Query, limit int) ([]Pending, int, error) {
	return s.list(fmt.Sprintf("waiting %s %+v %d", viewerKey(v), q, limit), func() ([]Pending, int, error) { return s.waitingTriage(ctx, v, q, limit) })
}

// list returns the list kept under key, or reads and keeps it.
func (s *Service) list(key string, read func() ([]Pending, int, error)) ([]Pending, int, error) {
	if l, ok := s.lists.Get(key); ok {
		return l.rows, l.total, nil
	}
	rows, total, err := read()
	if err == nil {
		s.lists.Add(key, pendingList{rows: rows, total: total})
	}
	return rows, total, err
}

func (s *Service) waitingTriage(ctx context.Context, v Viewer, q Query, limit int) ([]Pending, int, error) {
	var out []Pending
	sq := s.pending(q, q.TaskForces(v)).Where("sr.state = ?", "submitted").OrderExpr("sr.state_since, sr.request_id")
	if limit > 0 {
		sq = sq.Limit(int64(limit))
	}
	n, err := sq.ScanAndCount(ctx, &out)
	if err != nil {
		return nil, 0, fmt.Errorf("analysis: waiting for triage: %w", err)
	}
	return out, int(n), nil
}

// Overdue lists the requests with an integration whose due date has passed, most overdue first
// (at most limit), and their number.
func (s *Service) Overdue(ctx context.Context, v Viewer, q Query, limit int) ([]Pending, int, error) {
	return s.list(fmt.Sprintf("overdue %s %+v %d %s", viewerKey(v), q, limit, s.today().Format(time.DateOnly)), func() ([]Pending, int, error) {
		return s.overdue(ctx, v, q, limit)
	})
}

func (s *Service) overdue(ctx context.Context, v Viewer, q Query, limit int) ([]Pending, int, error) {
	var out []Pending
	sq := s.pending(q, q.TaskForces(v)).Where("sr.integrations_open > 0").Where("sr.integration_due < ?", s.today()).
		OrderExpr("sr.integration_due, sr.request_id")
	if limit > 0 {
		sq = sq.Limit(int64(limit))
	}
	n, err := sq.ScanAndCount(ctx, &out)
	if err != nil {
		return nil, 0, fmt.Errorf("analysis: overdue integrations: %w", err)
	}
	return out, int(n), nil
}

// Load is an expert's activities in one month.
type Load struct {
	ExpertID   int64
	Name       string
	Month      string
	Activities int64
	Minutes    int64
}

// Workload sums the experts' activities by expert and month, on the requests in q's dimensions
// (with an expert, that expert's activities) within the period.
func (s *Service) Workload(ctx context.Context, v Viewer, q Query) ([]Load, error) {
	if f := q.stats(v); f.Rolled() {
		return s.rolledWorkload(ctx, f)
	}
	var rows []struct {
		ExpertID int64     `bun:"expert_id"`
		Name     string    `bun:"name"`
		On       time.Time `bun:"on_date"`
		N        int64     `bun:"n"`
		Minutes  int64     `bun:"minutes"`
	}
	dims := q
	dims.ExpertID = 0
	sq := dims.where(s.db.NewSelect().TableExpr("activities AS a").
		Join("JOIN spaces AS sp ON sp.id = a.space_id").Join("JOIN stats_requests AS sr ON sr.request_id = sp.request_id").
		Join("JOIN users AS u ON u.id = a.expert_id").
		ColumnExpr("a.expert_id, u.name || ' ' || u.family_name AS name, a.on_date, COUNT(*) AS n, COALESCE(SUM(a.minutes), 0) AS minutes"), q.TaskForces(v)).
		GroupExpr("a.expert_id, u.name, u.family_name, a.on_date")
	if q.ExpertID != 0 {
		sq = sq.Where("a.expert_id = ?", q.ExpertID)
	}
	from, to := q.bounds()
	if !from.IsZero() {
		sq = sq.Where("a.on_date >= ?", from)
	}
	if !to.IsZero() {
		sq = sq.Where("a.on_date < ?", to)
	}
	if err := sq.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("analysis: workload: %w", err)
	}
	type k struct {
		id    int64
		month string
	}
	sums := map[k]*Load{}
	var out []*Load
	for _, r := range rows {
		key := k{r.ExpertID, stats.Month(r.On)}
		l := sums[key]
		if l == nil {
			l = &Load{ExpertID: r.ExpertID, Name: r.Name, Month: key.month}
			sums[key] = l
			out = append(out, l)
		}
		l.Activities += r.N
		l.Minutes += r.Minutes
	}
	return sortLoads(out), nil
}

// rolledWorkload is the workload read from the monthly roll-up (a filter without ente or expert).
func (s *Service) rolledWorkload(ctx context.Context, f stats.Filter) ([]Load, error) {
	work, err := s.stats.Workload(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(work) == 0 {
		return nil, nil
	}
	ids := make([]int64, 0, len(work))
	for _, w := range work {
		if len(ids) == 0 || ids[len(ids)-1] != w.ExpertID { // sorted by expert
			ids = append(ids, w.ExpertID)
		}
	}
	var users []struct {
		ID   int64  `bun:"id"`
		Name string `bun:"name"`
	}
	if err := s.db.NewSelect().TableExpr("users AS u").ColumnExpr("u.id, u.name || ' ' || u.family_name AS name").
		Where("u.id IN (?)", bun.In(ids)).Scan(ctx, &users); err != nil {
		return nil, fmt.Errorf("analysis: workload: %w", err)
	}
	names := make(map[int64]string, len(users))
	for _, u := range users {
		names[u.ID] = u.Name
	}
	out := make([]*Load, len(work))
	for i, w := range work {
		out[i] = &Load{ExpertID: w.ExpertID, Name: names[w.ExpertID], Month: w.Month, Activities: w.Activities, Minutes: w.Minutes}
	}
	return sortLoads(out), nil
}

// sortLoads orders loads by expert's name, then month.
func sortLoads(out []*Load) []Load {
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		if out[i].ExpertID != out[j].ExpertID {
			return out[i].ExpertID < out[j].ExpertID
		}
		return out[i].Month < out[j].Month
	})
	res := make([]Load, len(out))
	for i, l := range out {
		res[i] = *l
	}
	return res
}

// Measures whose requests the drill-down lists: the steps counted in the period (the statistics'
// measure names), the stock in a state at the end of the period ("stock:" and the state), and what
// waits now.
const (
	WaitingTriage = "waiting_triage"
	OverdueInteg  = "overdue"
	StockOf       = "stock:"
)

// steps are the counted measures a drill-down may name.
var steps = map[string]bool{stats.Filed: true, stats.Triaged: true, stats.Assigned: true, stats.Rejected: true,
	stats.Withdrawn: true, stats.Started: true, stats.Concluded: true}

// stepTimes are the columns of the facts that keep when a step happened, for the steps that
// happen once in a request's life.
var stepTimes = map[string]string{stats.Filed: "filed_at", stats.Triaged: "triaged_at", stats.Started: "started_at",
	stats.Concluded: "concluded_at"}

// States are the states of the stock, in the order the panel shows them.
var States = []string{"submitted", "assigned", "in_progress", "waiting_ente", "concluded", "archived", "rejected", "withdrawn"}

// KnownMeasure reports whether the drill-down knows m.
func KnownMeasure(m string) bool {
	if st, ok := strings.CutPrefix(m, StockOf); ok {
		for _, s := range States {
			if s == st {
				return true
			}
		}
		return false
	}
	return steps[m] || m == WaitingTriage || m == OverdueInteg
}

// IDs returns the requests behind the figure q.Measure within the viewer's task forces: the same
// requests the figure counts.
func (s *Service) IDs(ctx context.Context, v Viewer, q Query) ([]int64, error) {
	if !KnownMeasure(q.Measure) {
		return nil, ErrMeasure
	}
	tfs := q.TaskForces(v)
	ids := []int64{}
	switch m := q.Measure; {
	case m == WaitingTriage || m == OverdueInteg:
		var rows []Pending
		var err error
		if m == WaitingTriage {
			rows, _, err = s.WaitingTriage(ctx, v, q, 0)
		} else {
			rows, _, err = s.Overdue(ctx, v, q, 0)
		}
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			ids = append(ids, r.RequestID)
		}
		return ids, nil
	case strings.HasPrefix(m, StockOf):
		state := strings.TrimPrefix(m, StockOf)
		_, to := q.bounds()
		facts, err := s.facts(ctx, q, tfs, func(sq *bun.SelectQuery) *bun.SelectQuery {
			if to.IsZero() {
				return sq.Where("sr.state = ?", state)
			}
			// Those in the state since before the end, and those that changed after it (their
			// cells tell where they were).
			return sq.WhereGroup(" AND ", func(sq *bun.SelectQuery) *bun.SelectQuery {
				return sq.Where("sr.state = ?", state).WhereOr("sr.state_since >= ?", to)
			})
		})
		if err != nil {
			return nil, err
		}
		for _, f := range facts {
			var n int64
			for _, c := range f.Cells {
				if c.Measure == stats.StateDelta+state && (q.To == "" || c.Month().Period <= q.To) {
					n += c.N
				}
			}
			if n > 0 {
				ids = append(ids, f.RequestID)
			}
		}
		return ids, nil
	case stepTimes[m] != "":
		// The step happens once, at the time its column keeps: an index answers.
		col := "sr." + stepTimes[m]
		from, to := q.bounds()
		sq := q.where(s.db.NewSelect().TableExpr("stats_requests AS sr").ColumnExpr("sr.request_id").Where(col+" IS NOT NULL"), tfs)
		if !from.IsZero() {
			sq = sq.Where(col+" >= ?", from)
		}
		if !to.IsZero() {
			sq = sq.Where(col+" < ?", to)
		}
		if err := sq.OrderExpr("sr.request_id").Scan(ctx, &ids); err != nil {
			return nil, fmt.Errorf("analysis: %s: %w", m, err)
		}
		return ids, nil
	default:
		from, to := q.bounds()
		facts, err := s.facts(ctx, q, tfs, func(sq *bun.SelectQuery) *bun.SelectQuery {
			if m == stats.Assigned { // a first assignment is the triage, or comes after it
				sq = sq.Where("sr.triaged_at IS NOT NULL")
				if !to.IsZero() {
					sq = sq.Where("sr.triaged_at < ?", to)
				}
			}
			if m == stats.Rejected || m == stats.Withdrawn { // they close the request
				sq = sq.Where("sr.closed_at IS NOT NULL")
			}
			if !from.IsZero() { // every step happens before the request is closed
				sq = sq.Where("sr.closed_at IS NULL OR sr.closed_at >= ?", from)
			}
			return sq
		})
		if err != nil {
			return nil, err
		}
		for _, f := range facts {
			for _, c := range f.Cells {
				if c.Measure == m && c.N > 0 && q.within(c.Month().Period) {
					ids = append(ids, f.RequestID)
					break
				}
			}
		}
		return ids, nil
	}
}

// Option is a choice of a filter.
type Option struct {
	Value, Label string
}

// Enti are the enti with requests in the viewer's task forces, by name.
func (s *Service) Enti(ctx context.Context, v Viewer) ([]Option, error) {
	return s.kept("enti:"+viewerKey(v), func() ([]Option, error) { return s.enti(ctx, v) })
}

func (s *Service) enti(ctx context.Context, v Viewer) ([]Option, error) {
	var out []Option
	sq := s.db.NewSelect().TableExpr("enti AS e").ColumnExpr("CAST(e.id AS VARCHAR(20)) AS value, e.name AS label").
		Where("EXISTS (?)", Query{}.where(s.db.NewSelect().TableExpr("stats_requests AS sr").ColumnExpr("1").Where("sr.ente_id = e.id"),
			Query{}.TaskForces(v))).
		OrderExpr("e.name, e.id")
	if err := sq.Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("analysis: enti: %w", err)
	}
	return out, nil
}

// Experts are the experts of the viewer's task forces, by name.
func (s *Service) Experts(ctx context.Context, v Viewer) ([]Option, error) {
	return s.kept("experts:"+viewerKey(v), func() ([]Option, error) { return s.experts(ctx, v) })
}

func (s *Service) experts(ctx context.Context, v Viewer) ([]Option, error) {
	var out []Option
	sq := s.db.NewSelect().TableExpr("users AS u").
		ColumnExpr("CAST(u.id AS VARCHAR(20)) AS value, u.name || ' ' || u.family_name AS label").
		Where("u.id IN (?)", s.expertRoles(v)).OrderExpr("u.family_name, u.name, u.id")
	if err := sq.Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("analysis: experts: %w", err)
	}
	return out, nil
}

func (s *Service) expertRoles(v Viewer) *bun.SelectQuery {
	sq := s.db.NewSelect().TableExpr("user_roles AS ur").ColumnExpr("ur.user_id").Where("ur.role = 'expert'")
	if !v.All {
		sq = sq.Where("ur.task_force IN (?)", bun.In(v.TaskForces))
	}
	return sq
}

// Provinces are the provinces of the enti (kept with the other choices of the filters).
func (s *Service) Provinces(ctx context.Context) ([]string, error) {
	opts, err := s.kept("provinces", func() ([]Option, error) {
		var codes []string
		if err := s.db.NewSelect().TableExpr("enti").ColumnExpr("DISTINCT province").Where("province <> ''").
			OrderExpr("province").Scan(ctx, &codes); err != nil {
			return nil, fmt.Errorf("analysis: provinces: %w", err)
		}
		out := make([]Option, len(codes))
		for i, c := range codes {
			out[i] = Option{Value: c, Label: c}
		}
		return out, nil
	})
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value
	}
	return out, err
}

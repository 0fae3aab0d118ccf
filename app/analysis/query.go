package analysis

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/access"
	"passhub/app/stats"
)

// Viewer is what a subject may analyse: every task force (admins) or the task forces where they
// are PM.
type Viewer struct {
	All        bool
	TaskForces []string
}

// ViewerOf returns what s may analyse, false when nothing (not an admin, not a PM of a task force).
func ViewerOf(s *access.Subject) (Viewer, bool) {
	if s.Anonymous() {
		return Viewer{}, false
	}
	if s.Has(access.RoleAdmin) {
		return Viewer{All: true}, true
	}
	tfs := s.Scope().TaskForces
	return Viewer{TaskForces: tfs}, len(tfs) > 0
}

// May reports whether the viewer may analyse a task force.
func (v Viewer) May(tf string) bool { return v.All || slices.Contains(v.TaskForces, tf) }

// Query is the panel's filters, as its URL carries them.
type Query struct {
	From, To    string // YYYY-MM, months included
	TaskForce   string
	ProcedureID int64
	Province    string
	EnteID      int64
	ExpertID    int64
	Measure     string // the figure whose requests the drill-down lists
	Page        int
}

var (
	month     = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)
	taskForce = regexp.MustCompile(`^[A-Z0-9]{1,20}$`)
	province  = regexp.MustCompile(`^[A-Z]{2}$`)
)

// Parse reads the filters of a URL's query. Errors are by field name, as message ids; a field in
// error is left out of the query.
func Parse(v url.Values) (Query, map[string]string) {
	q, errs := Query{}, map[string]string{}
	if s := strings.TrimSpace(v.Get("da")); s != "" {
		if month.MatchString(s) {
			q.From = s
		} else {
			errs["da"] = "analysis.error.month"
		}
	}
	if s := strings.TrimSpace(v.Get("a")); s != "" {
		if month.MatchString(s) {
			q.To = s
		} else {
			errs["a"] = "analysis.error.month"
		}
	}
	if q.From != "" && q.To != "" && q.From > q.To {
		errs["a"] = "analysis.error.order"
		q.To = ""
	}
	q.TaskForce = strings.ToUpper(strings.TrimSpace(v.Get("tf")))
	if q.TaskForce != "" && !taskForce.MatchString(q.TaskForce) {
		errs["tf"] = "analysis.error.taskforce"
		q.TaskForce = ""
	}
	id := func(name string) int64 {
		s := strings.TrimSpace(v.Get(name))
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			errs[name] = "analysis.error.choice"
			return 0
		}
		return n
	}
	q.ProcedureID, q.EnteID, q.ExpertID = id("procedura"), id("ente"), id("esperto")
	if p := strings.ToUpper(strings.TrimSpace(v.Get("provincia"))); p != "" {
		if province.MatchString(p) {
			q.Province = p
		} else {
			errs["provincia"] = "analysis.error.province"
		}
	}
	q.Measure = v.Get("misura")
	q.Page, _ = strconv.Atoi(v.Get("pagina"))
	if q.Page < 1 {
		q.Page = 1
	}
	return q, errs
}

// Values is the query as URL parameters (without the measure and the page).
func (q Query) Values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	num := func(k string, n int64) {
		if n != 0 {
			v.Set(k, strconv.FormatInt(n, 10))
		}
	}
	set("da", q.From)
	set("a", q.To)
	set("tf", q.TaskForce)
	num("procedura", q.ProcedureID)
	set("provincia", q.Province)
	num("ente", q.EnteID)
	num("esperto", q.ExpertID)
	return v
}

// URL is path with the query's filters, and more parameters as name, value pairs.
func (q Query) URL(path string, more ...string) string {
	v := q.Values()
	for i := 0; i+1 < len(more); i += 2 {
		if more[i+1] == "" {
			v.Del(more[i])
		} else {
			v.Set(more[i], more[i+1])
		}
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// TaskForces are the task forces the figures cover: the one filtered, or all the viewer's (nil for
// every one).
func (q Query) TaskForces(v Viewer) []string {
	if q.TaskForce != "" {
		return []string{q.TaskForce}
	}
	if v.All {
		return nil
	}
	return v.TaskForces
}

// stats is the statistics' filter of the query within the viewer's task forces.
func (q Query) stats(v Viewer) stats.Filter {
	f := stats.Filter{From: q.From, To: q.To, TaskForce: q.TaskForce, Province: q.Province, ProcedureID: q.ProcedureID,
		EnteID: q.EnteID, ExpertID: q.ExpertID}
	if q.TaskForce == "" && !v.All {
		f.TaskForces = v.TaskForces
	}
	return f
}

// where narrows a query on stats_requests AS sr to the query's dimensions (not its period) within
// the task forces tfs (nil: any).
func (q Query) where(sq *bun.SelectQuery, tfs []string) *bun.SelectQuery {
	if tfs != nil {
		sq = sq.Where("sr.task_force IN (?)", bun.In(tfs))
	}
	if q.Province != "" {
		sq = sq.Where("sr.province = ?", q.Province)
	}
	if q.ProcedureID != 0 {
		sq = sq.Where("sr.procedure_id = ?", q.ProcedureID)
	}
	if q.EnteID != 0 {
		sq = sq.Where("sr.ente_id = ?", q.EnteID)
	}
	if q.ExpertID != 0 {
		sq = sq.Where("EXISTS (SELECT 1 FROM request_experts AS x WHERE x.request_id = sr.request_id AND x.user_id = ?)", q.ExpertID)
	}
	return sq
}

var rome = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Rome"); err == nil {
		return l
	}
	return time.UTC
}()

// bounds are the instants the period starts and ends (zero when open).
func (q Query) bounds() (from, to time.Time) {
	if q.From != "" {
		from, _ = time.ParseInLocation("2006-01", q.From, rome)
	}
	if q.To != "" {
		t, _ := time.ParseInLocation("2006-01", q.To, rome)
		to = t.AddDate(0, 1, 0)
	}
	return from, to
}

// within reports whether a month (YYYY-MM) is in the query's period.
func (q Query) within(m string) bool {
	return (q.From == "" || m >= q.From) && (q.To == "" || m <= q.To)
}

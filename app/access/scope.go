package access

import (
	"slices"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
)

// Scope is the set of requests a subject may see, computed once from the subject: every request
// list, queue, dashboard, search, notification list and websocket topic asks it, and
// Can(ViewRequest) is Scope().Allows. A request is in the scope when it is:
//   - of one of Entes (the enti the subject is an enabled member of, approved), drafts included;
//   - or, once submitted (drafts belong to their ente alone): any request when All (admins), a
//     request of one of TaskForces (where the subject is PM), or one assigned to Expert.
//
// The rules add up: a delegate who is also a PM sees the ente's requests and the task force's.
type Scope struct {
	All        bool
	Entes      []int64
	TaskForces []string
	Expert     int64 // the subject's user id: the requests assigned to them
}

// Scope returns the requests the subject may see (nothing for a visitor).
func (s *Subject) Scope() Scope {
	if s.Anonymous() {
		return Scope{}
	}
	sc := Scope{All: s.Has(RoleAdmin), Expert: s.UserID}
	for _, m := range s.Memberships {
		if m.Enabled && m.Approved && !slices.Contains(sc.Entes, m.EnteID) {
			sc.Entes = append(sc.Entes, m.EnteID)
		}
	}
	for _, tf := range s.Roles[RolePM] {
		if tf != "" && !slices.Contains(sc.TaskForces, tf) {
			sc.TaskForces = append(sc.TaskForces, tf)
		}
	}
	return sc
}

// Empty reports whether the scope holds no request at all (no list to show).
func (sc Scope) Empty() bool {
	return !sc.All && len(sc.Entes) == 0 && len(sc.TaskForces) == 0 && sc.Expert == 0
}

// Allows reports whether the request described by obj is in the scope.
func (sc Scope) Allows(obj Object) bool {
	if slices.Contains(sc.Entes, obj.EnteID) {
		return true
	}
	if obj.Draft {
		return false
	}
	return sc.All || obj.TaskForce != "" && slices.Contains(sc.TaskForces, obj.TaskForce) ||
		sc.Expert != 0 && slices.Contains(obj.Experts, sc.Expert)
}

// Where restricts q, a query on requests aliased "request" (the experts in request_experts), to the
// scope; an empty scope matches nothing.
func (sc Scope) Where(q *bun.SelectQuery) *bun.SelectQuery {
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("1 = 0")
		if len(sc.Entes) > 0 {
			q = q.WhereOr("request.ente_id IN (?)", bun.In(sc.Entes))
		}
		if sc.All {
			return q.WhereOr("request.submitted_at IS NOT NULL")
		}
		if len(sc.TaskForces) > 0 {
			q = q.WhereOr("request.submitted_at IS NOT NULL AND request.task_force IN (?)", bun.In(sc.TaskForces))
		}
		if sc.Expert != 0 {
			q = q.WhereOr("request.submitted_at IS NOT NULL AND EXISTS (SELECT 1 FROM request_experts AS x WHERE x.request_id = request.id AND x.user_id = ?)", sc.Expert)
		}
		return q
	})
}

// MayFollow reports whether the subject may follow a websocket topic: its own "user:<id>",
// "request:<id>" for a request in its scope (request loads the request's object, false when there
// is none), and "entry:<id>", a newsroom entry, when it may open the newsroom's entries
// (WriteContent), "area:<id>", a thematic work area, when it may view the area, and "helpdesk:1",
// the help desk's queue, when it works the tickets. Nothing else is followed.
func (s *Subject) MayFollow(topic string, request func(id int64) (Object, bool)) bool {
	if s.Anonymous() {
		return false
	}
	kind, id, ok := strings.Cut(topic, ":")
	if !ok {
		return false
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return false
	}
	switch kind {
	case "user":
		return n == s.UserID
	case "request":
		obj, ok := request(n)
		return ok && s.Scope().Allows(obj)
	case "entry":
		return s.Can(WriteContent, Object{})
	case "area":
		return s.Can(ViewArea, Object{AreaID: n})
	case "helpdesk":
		return n == 1 && s.Can(WorkTickets, Object{})
	}
	return false
}

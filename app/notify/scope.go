package notify

import (
	"context"
	"strconv"

	"github.com/uptrace/bun"

	"passhub/app/access"
	"passhub/app/db"
)

// RequestLink is how the link of a notification about a request begins; the request's id ends
// it, or one of RequestPages follows the id.
const RequestLink = "/area-riservata/richieste/"

// RequestPages are the pages of a request, besides its workspace, that a notification may link
// to: the form of its outcome (request.OutcomeURL).
var RequestPages = []string{"/esito"}

// AreaLink is how the link of a notification about a work area begins; the area's id follows.
const AreaLink = "/area-riservata/spazi/"

// inScope keeps, of the notifications in q, those the subject may still follow: a notification
// about a request only while the request is in the subject's access scope (an expert unassigned,
// a PM whose role was revoked no longer see what happened to it), one about a work area only while
// the subject may view the area (access.ViewArea: a removed member sees none of it), any other
// one always.
func (c *Centre) inScope(q *bun.SelectQuery, s *access.Subject) *bun.SelectQuery {
	sc := s.Scope()
	link := func(suffix string) *bun.SelectQuery {
		return sc.Where(c.db.NewSelect().TableExpr("requests AS request").
			ColumnExpr("? || CAST(request.id AS VARCHAR(20)) || ?", RequestLink, suffix))
	}
	cond := "notification.url NOT LIKE ? OR notification.url IN (?)"
	args := []any{RequestLink + "%", link("")}
	for _, p := range RequestPages {
		cond += " OR notification.url IN (?)"
		args = append(args, link(p))
	}
	q = q.Where("("+cond+")", args...)
	if !s.Has(access.RoleAdmin) { // admins see every area
		areas := "notification.url NOT LIKE ?"
		areaArgs := []any{AreaLink + "%"}
		for id := range s.Areas {
			if s.Can(access.ViewArea, access.Object{AreaID: id}) {
				areas += " OR notification.url LIKE ?"
				areaArgs = append(areaArgs, AreaLink+strconv.FormatInt(id, 10)+"/%")
			}
		}
		q = q.Where("("+areas+")", areaArgs...)
	}
	// a notification about a comune's CRM record only while the comune is in the subject's
	// territory (a province that stops following it, a member who leaves, see nothing more)
	if len(s.Territory) == 0 {
		return q.Where("notification.url NOT LIKE ?", CRMLink+"%")
	}
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("notification.url NOT LIKE ?", CRMLink+"%")
		for _, id := range s.Territory {
			page := CRMLink + strconv.FormatInt(id, 10)
			q = q.WhereOr("notification.url = ? OR notification.url LIKE ?", page, page+"#%")
		}
		return q
	})
}

// CRMLink is how the link of a notification about a comune's CRM record begins (app/crm).
const CRMLink = "/area-riservata/crm/"

// ListFor is List restricted to what the subject may still see.
func (c *Centre) ListFor(ctx context.Context, s *access.Subject, unreadOnly bool, limit int) ([]Notification, error) {
	var out []Notification
	q := c.db.NewSelect().Model(&out).Where("user_id = ?", s.UserID).Order("created_at DESC", "id DESC").Limit(int64(limit))
	if unreadOnly {
		q = q.Where("read_at IS NULL")
	}
	return out, db.Map(c.inScope(q, s).Scan(ctx))
}

// UnreadFor is Unread restricted to what the subject may still see: the bell counts what the list
// shows.
func (c *Centre) UnreadFor(ctx context.Context, s *access.Subject) (int, error) {
	q := c.db.NewSelect().Model((*Notification)(nil)).Where("user_id = ?", s.UserID).Where("read_at IS NULL")
	n, err := c.inScope(q, s).Count(ctx)
	return int(n), db.Map(err)
}

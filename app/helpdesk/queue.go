package helpdesk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/db"
)

// Views of the queue by status.
const (
	ViewActive   = ""         // new, open and waiting: what the desk still has to do
	ViewResolved = "resolved" // resolved, waiting for the rating
	ViewClosed   = "closed"
	ViewAll      = "all"
)

// Filter selects the queue's tickets.
type Filter struct {
	View     string
	Category string
	Priority string
	// Assigned is "me" (Viewer's), "none" (nobody's) or "" (anyone's).
	Assigned string
	Viewer   int64
	// Q matches the subject, the requester's name, e-mail or ente, or "#id".
	Q    string
	Page int
}

// PageSize is how many tickets a page of the queue shows.
const PageSize = 25

// dueExpr is the due time the desk works to: the first answer's until it is given, then the
// resolution's.
const dueExpr = "CASE WHEN t.answered_at IS NULL THEN t.answer_due ELSE t.resolve_due END"

// Queue returns a page of the tickets f selects, the nearest due first (the newest first for
// the resolved and closed), and how many there are.
func (s *Service) Queue(ctx context.Context, f Filter) ([]Ticket, int, error) {
	var out []Ticket
	q := s.selectTickets(&out).Where("t.merged_into IS NULL")
	switch f.View {
	case ViewActive:
		q = q.Where("t.status IN (?)", bun.In([]Status{StatusNew, StatusOpen, StatusWaiting})).OrderExpr(dueExpr).OrderExpr("t.id")
	case ViewResolved, ViewClosed:
		q = q.Where("t.status = ?", f.View).OrderExpr("t.updated_at DESC").OrderExpr("t.id DESC")
	default:
		q = q.OrderExpr("t.id DESC")
	}
	if f.Category != "" {
		q = q.Where("t.category = ?", f.Category)
	}
	if f.Priority != "" {
		q = q.Where("t.priority = ?", f.Priority)
	}
	switch f.Assigned {
	case "me":
		q = q.Where("t.assignee_id = ?", f.Viewer)
	case "none":
		q = q.Where("t.assignee_id IS NULL")
	}
	if v := strings.TrimSpace(f.Q); v != "" {
		var id int64
		if _, err := fmt.Sscanf(v, "#%d", &id); err == nil {
			q = q.Where("t.id = ?", id)
		} else {
			like := "%" + strings.NewReplacer("%", `\%`, "_", `\_`).Replace(strings.ToLower(v)) + "%"
			q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
				return q.Where("LOWER(t.subject) LIKE ? ESCAPE '\\'", like).WhereOr("LOWER(t.requester_name) LIKE ? ESCAPE '\\'", like).
					WhereOr("t.requester_email LIKE ? ESCAPE '\\'", like).WhereOr("LOWER(t.ente_name) LIKE ? ESCAPE '\\'", like)
			})
		}
	}
	page := max(f.Page, 1)
	n, err := q.Limit(PageSize).Offset(int64((page - 1) * PageSize)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("helpdesk: queue: %w", db.Map(err))
	}
	return out, int(n), nil
}

// Counts are the queue's figures at a glance.
type Counts struct {
	Active, Unassigned, Mine, Late int
}

// Count returns the queue's figures for viewer at now.
func (s *Service) Count(ctx context.Context, viewer int64) (Counts, error) {
	var c Counts
	active := []Status{StatusNew, StatusOpen, StatusWaiting}
	err := s.db.NewSelect().TableExpr("helpdesk_tickets AS t").
		ColumnExpr("COUNT(*)").
		ColumnExpr("COALESCE(SUM(CASE WHEN t.assignee_id IS NULL THEN 1 ELSE 0 END), 0)").
		ColumnExpr("COALESCE(SUM(CASE WHEN t.assignee_id = ? THEN 1 ELSE 0 END), 0)", viewer).
		ColumnExpr("COALESCE(SUM(CASE WHEN t.status <> ? AND "+dueExpr+" < ? THEN 1 ELSE 0 END), 0)", StatusWaiting, s.Now()).
		Where("t.status IN (?)", bun.In(active)).Where("t.merged_into IS NULL").
		Scan(ctx, &c.Active, &c.Unassigned, &c.Mine, &c.Late)
	return c, db.Map(err)
}

// OfRequester returns the tickets a person opened (or that were opened for them), newest first.
func (s *Service) OfRequester(ctx context.Context, userID int64, limit int) ([]Ticket, error) {
	var out []Ticket
	err := s.selectTickets(&out).Where("t.requester_id = ?", userID).Where("t.merged_into IS NULL").
		OrderExpr("t.updated_at DESC").OrderExpr("t.id DESC").Limit(int64(limit)).Scan(ctx)
	return out, db.Map(err)
}

// NewerThan returns how many active tickets were opened after the ticket afterID.
func (s *Service) NewerThan(ctx context.Context, afterID int64) (int, error) {
	n, err := s.db.NewSelect().Model((*Ticket)(nil)).Where("id > ?", afterID).Where("merged_into IS NULL").Count(ctx)
	return int(n), db.Map(err)
}

// LastID is the newest ticket's id (0 for none).
func (s *Service) LastID(ctx context.Context) (int64, error) {
	var id int64
	err := s.db.NewSelect().Model((*Ticket)(nil)).ColumnExpr("COALESCE(MAX(id), 0)").Scan(ctx, &id)
	return id, db.Map(err)
}

// Satisfaction is what the requesters said of the tickets closed in a period.
type Satisfaction struct {
	Rated   int
	Average float64
	// Stars counts the ratings 1 to 5 (index 0 is 1 star).
	Stars [5]int
	// Closed is how many tickets were closed in the period, rated or not.
	Closed int
	// AnsweredInTime and ResolvedInTime count the tickets closed in the period that met each
	// service level.
	AnsweredInTime, ResolvedInTime int
}

// SatisfactionIn returns the figures of the tickets closed from from (included) to to (excluded);
// a zero bound is open.
func (s *Service) SatisfactionIn(ctx context.Context, from, to time.Time) (Satisfaction, error) {
	var rows []struct {
		Rating     int       `bun:"rating"`
		AnswerDue  time.Time `bun:"answer_due"`
		ResolveDue time.Time `bun:"resolve_due"`
		AnsweredAt time.Time `bun:"answered_at"`
		ResolvedAt time.Time `bun:"resolved_at"`
	}
	q := s.db.NewSelect().TableExpr("helpdesk_tickets").Column("rating", "answer_due", "resolve_due", "answered_at", "resolved_at").
		Where("status = ?", StatusClosed).Where("merged_into IS NULL")
	if !from.IsZero() {
		q = q.Where("closed_at >= ?", from.UTC())
	}
	if !to.IsZero() {
		q = q.Where("closed_at < ?", to.UTC())
	}
	var out Satisfaction
	if err := q.Scan(ctx, &rows); err != nil {
		return out, fmt.Errorf("helpdesk: satisfaction: %w", db.Map(err))
	}
	sum := 0
	for _, r := range rows {
		out.Closed++
		if r.Rating >= 1 && r.Rating <= 5 {
			out.Rated++
			out.Stars[r.Rating-1]++
			sum += r.Rating
		}
		if !r.AnsweredAt.IsZero() && !r.AnsweredAt.After(r.AnswerDue) {
			out.AnsweredInTime++
		}
		if !r.ResolvedAt.IsZero() && !r.ResolvedAt.After(r.ResolveDue) {
			out.ResolvedInTime++
		}
	}
	if out.Rated > 0 {
		out.Average = float64(sum) / float64(out.Rated)
	}
	return out, nil
}

// OthersOf returns the requester's other active tickets (the candidates for a merge).
func (s *Service) OthersOf(ctx context.Context, t *Ticket) ([]Ticket, error) {
	var out []Ticket
	q := s.db.NewSelect().Model(&out).Column("id", "subject", "status", "created_at").Where("id <> ?", t.ID).
		Where("merged_into IS NULL").Where("status IN (?)", bun.In([]Status{StatusNew, StatusOpen, StatusWaiting, StatusResolved}))
	if t.RequesterID != 0 {
		q = q.Where("requester_id = ?", t.RequesterID)
	} else if t.RequesterEmail != "" {
		q = q.Where("requester_id IS NULL").Where("requester_email = ?", t.RequesterEmail)
	} else {
		return nil, nil
	}
	err := q.Order("id DESC").Limit(20).Scan(ctx)
	return out, db.Map(err)
}

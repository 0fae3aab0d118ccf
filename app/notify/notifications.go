// Package notify is the notification centre: the notifications that tell people what concerns
// them (the bell), their preferences, and the e-mails and daily digests that carry them. The
// pushes to open pages go through the realtime transport (package realtime).
package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"passhub/app/access"
	"passhub/app/db"
	"passhub/app/jobs"
	"passhub/app/realtime"
)

// Notification tells one person that something concerning them happened.
type Notification struct {
	bun.BaseModel `bun:"table:notifications"`

	ID        int64     `bun:"id,pk,autoincrement"`
	UserID    int64     `bun:"user_id"`
	Kind      string    `bun:"kind"`
	Subject   string    `bun:"subject"` // what it is about, e.g. the request's title
	URL       string    `bun:"url"`
	CreatedAt time.Time `bun:"created_at"`
	ReadAt    time.Time `bun:"read_at,nullzero"`
	EmailedAt time.Time `bun:"emailed_at,nullzero"`
	// EventKey names the event the notification tells of; with the user and the kind it is
	// unique, so a job that runs again adds no second notification.
	EventKey string `bun:"event_key,nullzero"`
}

// Unread reports whether the notification was not read yet.
func (n *Notification) Unread() bool { return n.ReadAt.IsZero() }

// Centre owns the notifications: it stores them and tells the recipients' open pages.
type Centre struct {
	db  *db.DB
	hub *realtime.Hub
	// Mailer sends notification e-mails; nil sends none.
	Mailer Mailer
	// Jobs carries the e-mails out of the request that caused them, with retries; nil sends none.
	Jobs Enqueuer
	// Accounts keeps the language of each user's e-mails.
	Accounts interface {
		SetLang(ctx context.Context, userID int64, lang string) error
	}
	// Subjects builds a user's access subject, so a digest carries only what its recipient may
	// still open; nil sends every pending notification.
	Subjects func(ctx context.Context, userID int64) (*access.Subject, error)
}

// Enqueuer adds a job inside a transaction.
type Enqueuer interface {
	Enqueue(ctx context.Context, idb bun.IDB, args river.JobArgs) error
}

// NewCentre returns the notification centre.
func NewCentre(d *db.DB, hub *realtime.Hub) *Centre { return &Centre{db: d, hub: hub} }

// Notify stores one notification for each user, enqueues the e-mails of those who want them at
// once, and refreshes their bells. Inside a job, the job's event key makes it idempotent: a rerun
// finds the notifications there and adds none, nor their e-mails.
func (c *Centre) Notify(ctx context.Context, users []int64, kind, subject, url string) error {
	key := jobs.EventKey(ctx)
	seen := map[int64]bool{}
	now := time.Now().UTC()
	var rows []Notification
	var mailNow []int
	for _, u := range users {
		if u == 0 || seen[u] {
			continue
		}
		seen[u] = true
		n := Notification{UserID: u, Kind: kind, Subject: subject, URL: url, CreatedAt: now, EventKey: key}
		prefs, err := c.Prefs(ctx, u)
		if err != nil {
			return err
		}
		switch prefs[TopicOf(kind)] {
		case ModeNever:
			n.EmailedAt = now // the bell only: digests skip it
		case ModeNow:
			mailNow = append(mailNow, len(rows))
		}
		rows = append(rows, n)
	}
	if len(rows) == 0 {
		return nil
	}
	err := c.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for i := range rows {
			if _, err := tx.NewInsert().Model(&rows[i]).On("CONFLICT (user_id, kind, event_key) DO NOTHING").Returning("id").Exec(ctx); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return db.Map(err)
			}
		}
		if c.Jobs == nil || c.Mailer == nil {
			return nil
		}
		for _, i := range mailNow {
			if rows[i].ID == 0 {
				continue // there already: its e-mail was enqueued with it
			}
			if err := c.Jobs.Enqueue(ctx, tx, MailArgs{UserID: rows[i].UserID, IDs: []int64{rows[i].ID}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	for u := range seen {
		c.refreshBell(ctx, u)
	}
	return nil
}

// Unread counts a user's unread notifications.
func (c *Centre) Unread(ctx context.Context, userID int64) (int, error) {
	n, err := c.db.NewSelect().Model((*Notification)(nil)).Where("user_id = ?", userID).Where("read_at IS NULL").Count(ctx)
	return int(n), db.Map(err)
}

// List returns a user's notifications, newest first (only unread ones when unreadOnly).
func (c *Centre) List(ctx context.Context, userID int64, unreadOnly bool, limit int) ([]Notification, error) {
	var out []Notification
	q := c.db.NewSelect().Model(&out).Where("user_id = ?", userID).Order("created_at DESC", "id DESC").Limit(int64(limit))
	if unreadOnly {
		q = q.Where("read_at IS NULL")
	}
	return out, db.Map(q.Scan(ctx))
}

// MarkRead marks one of the user's notifications read (all of them when id is 0).
func (c *Centre) MarkRead(ctx context.Context, userID, id int64) error {
	q := c.db.NewUpdate().Model((*Notification)(nil)).Set("read_at = ?", time.Now().UTC()).Where("user_id = ?", userID).Where("read_at IS NULL")
	if id != 0 {
		q = q.Where("id = ?", id)
	}
	if _, err := q.Exec(ctx); err != nil {
		return db.Map(err)
	}
	c.refreshBell(ctx, userID)
	return nil
}

// refreshBell pushes the user's unread count to their open pages.
func (c *Centre) refreshBell(ctx context.Context, userID int64) {
	if c.hub == nil {
		return
	}
	// The frame makes the page fetch the bell, in its language and with its accessible name,
	// from the normal handler; the bell on the page keeps its name until the answer replaces it.
	c.hub.Publish(realtime.UserTopic(userID), []byte(`<span id="bell-refresh" hidden hx-get="/area-riservata/notifiche/conteggio" hx-trigger="load" hx-target="#bell-count" hx-swap="outerHTML" hx-swap-oob="true"></span>`))
}

// Package audit keeps the append-only log of what people did: logins, registrations, decisions,
// delegate and role changes — who, what, when, from where. Entries are written in the same
// transaction as the change they describe and never updated or deleted.
package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/db"
)

// Entry is one line of the audit log.
type Entry struct {
	bun.BaseModel `bun:"table:audit_entries"`

	ID         int64     `bun:"id,pk,autoincrement"`
	At         time.Time `bun:"at"`
	ActorID    int64     `bun:"actor_id,nullzero"`
	Actor      string    `bun:"actor"` // a readable name, kept when the user is gone
	Action     string    `bun:"action"`
	ObjectType string    `bun:"object_type"`
	ObjectID   int64     `bun:"object_id,nullzero"`
	EnteID     int64     `bun:"ente_id,nullzero"`
	IP         string    `bun:"ip"`
	Detail     string    `bun:"detail"`
}

// Record appends e to the log through idb (a transaction, usually).
func Record(ctx context.Context, idb bun.IDB, e Entry) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	if _, err := idb.NewInsert().Model(&e).Exec(ctx); err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, db.Map(err))
	}
	return nil
}

// Filter selects entries for the admins' view.
type Filter struct {
	Action  string
	ActorID int64
	EnteID  int64
	Since   time.Time
	Limit   int
	Offset  int
}

// List returns the entries matching f, newest first, and their total.
func List(ctx context.Context, idb bun.IDB, f Filter) ([]Entry, int, error) {
	var out []Entry
	q := idb.NewSelect().Model(&out).Order("at DESC", "id DESC")
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.ActorID != 0 {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.EnteID != 0 {
		q = q.Where("ente_id = ?", f.EnteID)
	}
	if !f.Since.IsZero() {
		q = q.Where("at >= ?", f.Since)
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit)).Offset(int64(f.Offset))
	}
	n, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("audit: list: %w", db.Map(err))
	}
	return out, int(n), nil
}

// Actor is who does something, as the audit log records them.
type Actor struct {
	UserID int64
	Name   string
	IP     string
}

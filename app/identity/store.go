package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/db"
)

// Store owns the queries on users, roles and sessions.
type Store struct{}

// UserByFiscalCode returns the user with that normalised fiscal code, or db.ErrNotFound.
func (Store) UserByFiscalCode(ctx context.Context, idb bun.IDB, code string) (*User, error) {
	u := new(User)
	if err := idb.NewSelect().Model(u).Where("fiscal_code = ?", code).Scan(ctx); err != nil {
		return nil, fmt.Errorf("identity: user %s: %w", code, db.Map(err))
	}
	return u, nil
}

// User returns the user with id.
func (Store) User(ctx context.Context, idb bun.IDB, id int64) (*User, error) {
	u := new(User)
	if err := idb.NewSelect().Model(u).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("identity: user %d: %w", id, db.Map(err))
	}
	return u, nil
}

// InsertUser stores a new user.
func (Store) InsertUser(ctx context.Context, idb bun.IDB, u *User) error {
	if _, err := idb.NewInsert().Model(u).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("identity: insert user: %w", db.Map(err))
	}
	return nil
}

// UpdateUser saves u.
func (Store) UpdateUser(ctx context.Context, idb bun.IDB, u *User) error {
	if _, err := idb.NewUpdate().Model(u).WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("identity: update user %d: %w", u.ID, db.Map(err))
	}
	return nil
}

// Roles returns the user's staff roles.
func (Store) Roles(ctx context.Context, idb bun.IDB, userID int64) ([]Role, error) {
	var out []Role
	if err := idb.NewSelect().Model(&out).Where("user_id = ?", userID).Order("role", "task_force").Scan(ctx); err != nil {
		return nil, fmt.Errorf("identity: roles of %d: %w", userID, db.Map(err))
	}
	return out, nil
}

// InsertRole grants a role; granting one twice is db.ErrConflict.
func (Store) InsertRole(ctx context.Context, idb bun.IDB, r *Role) error {
	if _, err := idb.NewInsert().Model(r).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("identity: grant %s: %w", r.Role, db.Map(err))
	}
	return nil
}

// DeleteRole revokes a role.
func (Store) DeleteRole(ctx context.Context, idb bun.IDB, userID int64, role, taskForce string) (bool, error) {
	res, err := idb.NewDelete().Model((*Role)(nil)).Where("user_id = ?", userID).Where("role = ?", role).
		Where("task_force = ?", taskForce).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("identity: revoke %s: %w", role, db.Map(err))
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// InsertSession stores a new session.
func (Store) InsertSession(ctx context.Context, idb bun.IDB, s *Session) error {
	if _, err := idb.NewInsert().Model(s).Exec(ctx); err != nil {
		return fmt.Errorf("identity: insert session: %w", db.Map(err))
	}
	return nil
}

// Session returns the session with id (the token's hash).
func (Store) Session(ctx context.Context, idb bun.IDB, id string) (*Session, error) {
	s := new(Session)
	if err := idb.NewSelect().Model(s).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("identity: session: %w", db.Map(err))
	}
	return s, nil
}

// TouchSession records that the session was used at t.
func (Store) TouchSession(ctx context.Context, idb bun.IDB, id string, t time.Time) error {
	_, err := idb.NewUpdate().Model((*Session)(nil)).Set("last_seen_at = ?", t).Where("id = ?", id).Exec(ctx)
	return db.Map(err)
}

// Sessions lists a user's sessions, most recently used first.
func (Store) Sessions(ctx context.Context, idb bun.IDB, userID int64) ([]Session, error) {
	var out []Session
	if err := idb.NewSelect().Model(&out).Where("user_id = ?", userID).Order("last_seen_at DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("identity: sessions of %d: %w", userID, db.Map(err))
	}
	return out, nil
}

// DeleteSession ends one session of a user; it reports whether there was one.
func (Store) DeleteSession(ctx context.Context, idb bun.IDB, userID int64, id string) (bool, error) {
	res, err := idb.NewDelete().Model((*Session)(nil)).Where("id = ?", id).Where("user_id = ?", userID).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("identity: end session: %w", db.Map(err))
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// DeleteSessions ends every session of a user and returns how many there were.
func (Store) DeleteSessions(ctx context.Context, idb bun.IDB, userID int64) (int, error) {
	res, err := idb.NewDelete().Model((*Session)(nil)).Where("user_id = ?", userID).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("identity: end sessions of %d: %w", userID, db.Map(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// DeleteExpiredSessions removes sessions past their absolute or idle limit.
func (Store) DeleteExpiredSessions(ctx context.Context, idb bun.IDB, now time.Time, idle time.Duration) (int, error) {
	res, err := idb.NewDelete().Model((*Session)(nil)).WhereOr("expires_at < ?", now).WhereOr("last_seen_at < ?", now.Add(-idle)).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("identity: purge sessions: %w", db.Map(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

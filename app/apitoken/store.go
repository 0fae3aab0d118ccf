package apitoken

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/db"
)

// Store owns the token queries; every method takes the query runner.
type Store struct{}

// Insert stores a new token and sets its ID.
func (Store) Insert(ctx context.Context, idb bun.IDB, t *Token) error {
	if _, err := idb.NewInsert().Model(t).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("apitoken: insert %q: %w", t.Name, db.Map(err))
	}
	return nil
}

// Get returns the token with id.
func (Store) Get(ctx context.Context, idb bun.IDB, id int64) (*Token, error) {
	t := new(Token)
	if err := idb.NewSelect().Model(t).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("apitoken: token %d: %w", id, db.Map(err))
	}
	return t, nil
}

// ByLookup returns the tokens whose lookup characters are lookup (one, nearly always).
func (Store) ByLookup(ctx context.Context, idb bun.IDB, lookup string) ([]Token, error) {
	var out []Token
	if err := idb.NewSelect().Model(&out).Where("lookup = ?", lookup).Scan(ctx); err != nil {
		return nil, fmt.Errorf("apitoken: lookup: %w", db.Map(err))
	}
	return out, nil
}

// List returns every token, newest first.
func (Store) List(ctx context.Context, idb bun.IDB) ([]Token, error) {
	var out []Token
	if err := idb.NewSelect().Model(&out).Order("created_at DESC", "id DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("apitoken: list: %w", db.Map(err))
	}
	return out, nil
}

// Revoke marks a token not yet revoked as revoked; it reports whether it did.
func (Store) Revoke(ctx context.Context, idb bun.IDB, id, by int64, at time.Time) (bool, error) {
	q := idb.NewUpdate().Model((*Token)(nil)).Set("revoked_at = ?", at).Where("id = ?", id).Where("revoked_at IS NULL")
	if by != 0 {
		q = q.Set("revoked_by = ?", by)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("apitoken: revoke %d: %w", id, db.Map(err))
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Touch sets a token's last use to at unless it was set after since: at most one write per
// token in each interval, however many requests it makes.
func (Store) Touch(ctx context.Context, idb bun.IDB, id int64, at, since time.Time) error {
	_, err := idb.NewUpdate().Model((*Token)(nil)).Set("last_used_at = ?", at).Where("id = ?", id).
		Where("(last_used_at IS NULL OR last_used_at < ?)", since).Exec(ctx)
	if err != nil {
		return fmt.Errorf("apitoken: touch %d: %w", id, db.Map(err))
	}
	return nil
}

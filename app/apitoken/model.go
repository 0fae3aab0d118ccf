// Package apitoken keeps the tokens of the headless content API: admins create named tokens with
// scopes and an expiry, see the secret once, and revoke them; the API's middleware authenticates
// "Authorization: Bearer pass_…" with them. Only the SHA-256 of a secret is stored.
package apitoken

import (
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Token is one API token as stored: everything but its secret.
type Token struct {
	bun.BaseModel `bun:"table:api_tokens"`

	ID         int64     `bun:"id,pk,autoincrement"`
	Name       string    `bun:"name"`
	Lookup     string    `bun:"lookup"`      // the secret's first characters after the prefix
	SecretHash string    `bun:"secret_hash"` // hex SHA-256 of the whole secret
	Scopes     string    `bun:"scopes"`      // space separated
	CreatedBy  int64     `bun:"created_by,nullzero"`
	CreatedAt  time.Time `bun:"created_at"`
	ExpiresAt  time.Time `bun:"expires_at"`
	LastUsedAt time.Time `bun:"last_used_at,nullzero"`
	RevokedAt  time.Time `bun:"revoked_at,nullzero"`
	RevokedBy  int64     `bun:"revoked_by,nullzero"`
}

// ScopeList returns the token's scopes.
func (t *Token) ScopeList() []string { return strings.Fields(t.Scopes) }

// Revoked reports whether the token was revoked.
func (t *Token) Revoked() bool { return !t.RevokedAt.IsZero() }

// Expired reports whether the token is past its expiry at now.
func (t *Token) Expired(now time.Time) bool { return !now.Before(t.ExpiresAt) }

// Active reports whether the token authenticates at now.
func (t *Token) Active(now time.Time) bool { return !t.Revoked() && !t.Expired(now) }

// Display is the token as the admins' list shows it: "pass_" and its lookup characters, enough
// to recognise it, never enough to use it.
func (t *Token) Display() string { return Prefix + t.Lookup + "…" }

// Package once makes a form submitted twice (a retry after a timeout, a double click) act once.
// Each form carries a random one-time token in its hidden "_once" field; the service that makes
// the change claims the token inside the change's own transaction and records where its result
// can be seen. A second submission of the same token changes nothing and answers with the
// original result (Replayed). A submission without a token is not protected (API clients).
package once

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/db"
)

// Field is the name of the forms' hidden field.
const Field = "_once"

// Keep is how long a used token is remembered.
const Keep = 7 * 24 * time.Hour

// ErrBadToken is returned for a token that no form of ours could have carried.
var ErrBadToken = errors.New("once: malformed form token")

// Replayed is the answer to a token already used: the change it made, seen at URL (empty when
// the first submission recorded none, or was someone else's).
type Replayed struct{ URL string }

func (r *Replayed) Error() string { return "once: form already submitted" }

// RedirectURL is where the person who resubmitted the form can see its result.
func (r *Replayed) RedirectURL() string { return r.URL }

// NewToken returns a fresh token for a form.
func NewToken() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

var validToken = regexp.MustCompile(`^[A-Za-z0-9_-]{24}$`)

type key struct{}

type claim struct {
	token         string
	userID        int64
	kind          string
	url           func(id int64) string
	claimed, done bool
}

// Bind returns ctx carrying the submission's token for userID; url says where the object of
// kind that the change creates (by its id) can be seen. An empty token leaves ctx unprotected.
func Bind(ctx context.Context, token string, userID int64, kind string, url func(id int64) string) (context.Context, error) {
	if token == "" {
		return ctx, nil
	}
	if !validToken.MatchString(token) {
		return ctx, ErrBadToken
	}
	return context.WithValue(ctx, key{}, &claim{token: token, userID: userID, kind: kind, url: url}), nil
}

// Token is a used form token, with where its result is.
type Token struct {
	bun.BaseModel `bun:"table:form_tokens"`

	Token     string    `bun:"token,pk"`
	UserID    int64     `bun:"user_id"`
	URL       string    `bun:"url"`
	CreatedAt time.Time `bun:"created_at"`
}

// Claim records ctx's token in tx, the transaction of the change; a token already used returns
// *Replayed, and the change must not happen. Without a token, or once claimed in this ctx, it
// does nothing.
func Claim(ctx context.Context, tx bun.IDB) error {
	c, ok := ctx.Value(key{}).(*claim)
	if !ok || c.claimed {
		return nil
	}
	now := time.Now().UTC()
	res, err := tx.NewInsert().Model(&Token{Token: c.token, UserID: c.userID, CreatedAt: now}).On("CONFLICT (token) DO NOTHING").Exec(ctx)
	if err != nil {
		return fmt.Errorf("once: claim: %w", db.Map(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t := new(Token)
		if err := tx.NewSelect().Model(t).Where("token = ?", c.token).Scan(ctx); err != nil {
			return fmt.Errorf("once: replay: %w", db.Map(err))
		}
		if t.UserID != c.userID {
			return &Replayed{}
		}
		return &Replayed{URL: t.URL}
	}
	c.claimed = true
	if now.Second() == 0 { // about one claim in sixty forgets the tokens no retry will bring back
		if _, err := tx.NewDelete().Model((*Token)(nil)).Where("created_at < ?", now.Add(-Keep)).Exec(ctx); err != nil {
			return fmt.Errorf("once: forget: %w", err)
		}
	}
	return nil
}

// Done records, in tx, the object of kind the change created, so that a replay can show it. Only
// the first object of the kind given to Bind counts (a message's attachment is not the message).
func Done(ctx context.Context, tx bun.IDB, kind string, id int64) error {
	c, ok := ctx.Value(key{}).(*claim)
	if !ok || !c.claimed || c.done || c.kind != kind || c.url == nil {
		return nil
	}
	c.done = true
	if _, err := tx.NewUpdate().Model((*Token)(nil)).Set("url = ?", c.url(id)).Where("token = ?", c.token).Exec(ctx); err != nil {
		return fmt.Errorf("once: record: %w", err)
	}
	return nil
}

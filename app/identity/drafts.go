package identity

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/db"
)

// Draft is what someone was sending when their session had just ended: the form's fields, kept
// for them alone until they log in again, so nothing they typed is lost.
type Draft struct {
	bun.BaseModel `bun:"table:form_drafts"`

	ID        string    `bun:"id,pk"` // SHA-256 of the cookie's token
	UserID    int64     `bun:"user_id"`
	Path      string    `bun:"path"`      // where the form was posted
	Multipart bool      `bun:"multipart"` // the form was multipart/form-data
	HadFiles  bool      `bun:"had_files"` // files were attached: they are not kept
	Fields    string    `bun:"fields"`    // JSON list of [name, value]
	CreatedAt time.Time `bun:"created_at"`
}

// Field is one posted field.
type Field struct{ Name, Value string }

// KeepDraft is how long a draft waits for its author to log in again.
const KeepDraft = time.Hour

// MaxDraft bounds the text a draft keeps.
const MaxDraft = 1 << 20

// SaveDraft keeps the fields posted to path for the user, and returns the token that finds them.
func (s *Service) SaveDraft(ctx context.Context, userID int64, path string, multipart, hadFiles bool, fields []Field) (string, error) {
	pairs := make([][2]string, 0, len(fields))
	size := 0
	for _, f := range fields {
		if size += len(f.Name) + len(f.Value); size > MaxDraft {
			return "", errors.New("identity: draft too large")
		}
		pairs = append(pairs, [2]string{f.Name, f.Value})
	}
	raw, err := json.Marshal(pairs)
	if err != nil {
		return "", err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	d := &Draft{ID: hashToken(token), UserID: userID, Path: path, Multipart: multipart, HadFiles: hadFiles, Fields: string(raw), CreatedAt: now}
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*Draft)(nil)).Where("created_at < ?", now.Add(-KeepDraft)).Exec(ctx); err != nil {
			return db.Map(err)
		}
		_, err := tx.NewInsert().Model(d).Exec(ctx)
		return db.Map(err)
	})
	if err != nil {
		return "", fmt.Errorf("identity: save draft: %w", err)
	}
	return token, nil
}

// TakeDraft returns, and forgets, the user's draft found by token; db.ErrNotFound when there is
// none, it is someone else's, or it is older than KeepDraft.
func (s *Service) TakeDraft(ctx context.Context, token string, userID int64) (*Draft, []Field, error) {
	if token == "" || len(token) > 100 {
		return nil, nil, db.ErrNotFound
	}
	d := new(Draft)
	err := s.db.NewSelect().Model(d).Where("id = ?", hashToken(token)).Where("user_id = ?", userID).
		Where("created_at >= ?", s.now().Add(-KeepDraft)).Scan(ctx)
	if err != nil {
		return nil, nil, db.Map(err)
	}
	if _, err := s.db.NewDelete().Model(d).WherePK().Exec(ctx); err != nil {
		return nil, nil, db.Map(err)
	}
	var pairs [][2]string
	if err := json.Unmarshal([]byte(d.Fields), &pairs); err != nil {
		return nil, nil, fmt.Errorf("identity: draft: %w", err)
	}
	fields := make([]Field, len(pairs))
	for i, p := range pairs {
		fields[i] = Field{Name: p[0], Value: p[1]}
	}
	return d, fields, nil
}

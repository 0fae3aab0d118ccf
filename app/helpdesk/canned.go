package helpdesk

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"passhub/app/db"
)

// CannedReplies returns the canned replies by title.
func (s *Service) CannedReplies(ctx context.Context) ([]Canned, error) {
	var out []Canned
	err := s.db.NewSelect().Model(&out).Order("title", "id").Scan(ctx)
	return out, db.Map(err)
}

// CannedReply returns one canned reply.
func (s *Service) CannedReply(ctx context.Context, id int64) (*Canned, error) {
	c := new(Canned)
	if err := s.db.NewSelect().Model(c).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	return c, nil
}

// SaveCanned creates (id 0) or changes a canned reply.
func (s *Service) SaveCanned(ctx context.Context, who Actor, id int64, title, body string) (*Canned, error) {
	c := &Canned{ID: id, Title: clean(title), Body: strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n")), UpdatedBy: who.UserID, UpdatedAt: s.Now()}
	bad := Invalid{}
	switch n := utf8.RuneCountInString(c.Title); {
	case n == 0:
		bad["title"] = "validation.required"
	case n > 120:
		bad["title"] = "helpdesk.error.title_long"
	}
	switch n := utf8.RuneCountInString(c.Body); {
	case n == 0:
		bad["body"] = "validation.required"
	case n > MaxBody:
		bad["body"] = "helpdesk.error.body_long"
	}
	if len(bad) > 0 {
		return c, bad
	}
	var err error
	if id == 0 {
		_, err = s.db.NewInsert().Model(c).Returning("id").Exec(ctx)
	} else {
		var res interface{ RowsAffected() (int64, error) }
		res, err = s.db.NewUpdate().Model(c).WherePK().Exec(ctx)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return nil, db.ErrNotFound
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("helpdesk: canned reply: %w", db.Map(err))
	}
	return c, nil
}

// DeleteCanned removes a canned reply.
func (s *Service) DeleteCanned(ctx context.Context, id int64) error {
	_, err := s.db.NewDelete().Model((*Canned)(nil)).Where("id = ?", id).Exec(ctx)
	return db.Map(err)
}

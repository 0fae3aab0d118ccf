package media

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"passhub/app/db"
)

// Query selects media for the library.
type Query struct {
	// Words must each appear in the title, the alt text or the file name (case-insensitive).
	Words string
	Kind  Kind // "" for every kind
	Limit int
	// Offset skips that many media.
	Offset int
}

// Store reads and writes the media table.
type Store struct{}

// Insert adds m.
func (Store) Insert(ctx context.Context, idb bun.IDB, m *Media) error {
	if _, err := idb.NewInsert().Model(m).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("media: insert: %w", db.Map(err))
	}
	return nil
}

// Get returns the medium id (db.ErrNotFound when none).
func (Store) Get(ctx context.Context, idb bun.IDB, id int64) (*Media, error) {
	m := new(Media)
	if err := idb.NewSelect().Model(m).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("media: %d: %w", id, db.Map(err))
	}
	return m, nil
}

// List returns the media matching q, newest first, and how many match in all.
func (Store) List(ctx context.Context, idb bun.IDB, q Query) ([]Media, int, error) {
	var out []Media
	sel := idb.NewSelect().Model(&out)
	if q.Kind != "" {
		sel = sel.Where("kind = ?", q.Kind)
	}
	for _, w := range strings.Fields(strings.ToLower(q.Words)) {
		like := "%" + strings.NewReplacer("%", "", "_", "").Replace(w) + "%"
		sel = sel.Where("(LOWER(title) LIKE ? OR LOWER(alt) LIKE ? OR LOWER(name) LIKE ?)", like, like, like)
	}
	sel = sel.OrderExpr("id DESC")
	if q.Limit > 0 {
		sel = sel.Limit(int64(q.Limit)).Offset(int64(q.Offset))
	}
	n, err := sel.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("media: list: %w", db.Map(err))
	}
	return out, int(n), nil
}

// Describe changes the alt text and the title of m.
func (Store) Describe(ctx context.Context, idb bun.IDB, m *Media) error {
	res, err := idb.NewUpdate().Model(m).Column("alt", "title", "updated_at").WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("media: update: %w", db.Map(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("media: %d: %w", m.ID, db.ErrNotFound)
	}
	return nil
}

// Delete removes the row of medium id.
func (Store) Delete(ctx context.Context, idb bun.IDB, id int64) error {
	res, err := idb.NewDelete().Model((*Media)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("media: delete: %w", db.Map(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("media: %d: %w", id, db.ErrNotFound)
	}
	return nil
}

// User is an entry whose revisions use a medium.
type User struct {
	Type  string `bun:"type"`
	Slug  string `bun:"slug"`
	Title string `bun:"title"`
}

// Users returns at most limit entries any revision of which (draft, published or archived)
// contains the medium's path, /media/ID/. It is a LIKE over the revisions' sources: a scan of
// the revisions table, which the newsroom's sizes (thousands of revisions of a few KiB) make
// cheap, and which runs only when someone deletes a medium.
func (Store) Users(ctx context.Context, idb bun.IDB, id int64, limit int) ([]User, error) {
	var out []User
	err := idb.NewSelect().TableExpr("entries AS e").ColumnExpr("e.type, e.slug, e.title").
		Where("e.id IN (SELECT r.entry_id FROM revisions AS r WHERE r.source LIKE ?)", "%"+Path(id)+"%").
		OrderExpr("e.type, e.slug").Limit(int64(limit)).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("media: users of %d: %w", id, db.Map(err))
	}
	return out, nil
}

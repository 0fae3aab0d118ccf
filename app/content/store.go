package content

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/db"
)

// Store owns the content queries. Every method takes the query runner, so it works inside or
// outside a transaction.
type Store struct{}

// Query selects published entries for a listing.
type Query struct {
	Type      Type
	TaskForce string
	Tag       string
	Since     time.Time
	Until     time.Time
	Limit     int
	Offset    int
}

// Entries returns every entry keyed by type and slug.
func (Store) Entries(ctx context.Context, idb bun.IDB) (map[string]*Entry, error) {
	var rows []*Entry
	if err := idb.NewSelect().Model(&rows).Scan(ctx); err != nil {
		return nil, fmt.Errorf("content: list entries: %w", db.Map(err))
	}
	out := make(map[string]*Entry, len(rows))
	for _, e := range rows {
		out[key(e.Type, e.Slug)] = e
	}
	return out, nil
}

func key(t Type, slug string) string { return string(t) + "/" + slug }

// Entry returns the entry of type t named slug.
func (Store) Entry(ctx context.Context, idb bun.IDB, t Type, slug string) (*Entry, error) {
	e := new(Entry)
	err := idb.NewSelect().Model(e).Where("type = ?", t).Where("slug = ?", slug).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("content: entry %s/%s: %w", t, slug, db.Map(err))
	}
	return e, nil
}

// InsertEntry stores a new entry and sets its ID.
func (Store) InsertEntry(ctx context.Context, idb bun.IDB, e *Entry) error {
	if _, err := idb.NewInsert().Model(e).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("content: insert entry %s/%s: %w", e.Type, e.Slug, db.Map(err))
	}
	// The slug is an entry's now: a redirect left by a renamed entry no longer starts there.
	return Store{}.DropRedirect(ctx, idb, e.Type, e.Slug)
}

// UpdateEntry saves every column of e.
func (Store) UpdateEntry(ctx context.Context, idb bun.IDB, e *Entry) error {
	if _, err := idb.NewUpdate().Model(e).WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("content: update entry %d: %w", e.ID, db.Map(err))
	}
	return nil
}

// InsertRevision stores a new revision, numbered after the entry's last one.
func (Store) InsertRevision(ctx context.Context, idb bun.IDB, r *Revision) error {
	var last int
	err := idb.NewSelect().Model((*Revision)(nil)).ColumnExpr("COALESCE(MAX(number), 0)").
		Where("entry_id = ?", r.EntryID).Scan(ctx, &last)
	if err != nil {
		return fmt.Errorf("content: last revision of %d: %w", r.EntryID, db.Map(err))
	}
	r.Number = last + 1
	if _, err := idb.NewInsert().Model(r).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("content: insert revision of %d: %w", r.EntryID, db.Map(err))
	}
	return nil
}

// InsertFirstRevision stores revision 1 of a new entry.
func (Store) InsertFirstRevision(ctx context.Context, idb bun.IDB, r *Revision) error {
	if _, err := idb.NewInsert().Model(r).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("content: insert revision of %d: %w", r.EntryID, db.Map(err))
	}
	return nil
}

// Revision returns the revision with the given id.
func (Store) Revision(ctx context.Context, idb bun.IDB, id int64) (*Revision, error) {
	r := new(Revision)
	if err := idb.NewSelect().Model(r).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("content: revision %d: %w", id, db.Map(err))
	}
	return r, nil
}

// RevisionNumber returns the revision of the entry with the given number.
func (Store) RevisionNumber(ctx context.Context, idb bun.IDB, entryID int64, number int) (*Revision, error) {
	r := new(Revision)
	if err := idb.NewSelect().Model(r).Where("entry_id = ? AND number = ?", entryID, number).Scan(ctx); err != nil {
		return nil, fmt.Errorf("content: revision %d of %d: %w", number, entryID, db.Map(err))
	}
	return r, nil
}

// ReplaceAttachments makes atts the entry's only attachments.
func (st Store) ReplaceAttachments(ctx context.Context, idb bun.IDB, entryID int64, atts []Attachment) error {
	if _, err := idb.NewDelete().Model((*Attachment)(nil)).Where("entry_id = ?", entryID).Exec(ctx); err != nil {
		return fmt.Errorf("content: delete attachments of %d: %w", entryID, db.Map(err))
	}
	return st.InsertAttachments(ctx, idb, entryID, atts)
}

// InsertAttachments adds atts to an entry.
func (Store) InsertAttachments(ctx context.Context, idb bun.IDB, entryID int64, atts []Attachment) error {
	for i := range atts {
		atts[i].EntryID = entryID
		if _, err := idb.NewInsert().Model(&atts[i]).Returning("id").Exec(ctx); err != nil {
			return fmt.Errorf("content: insert attachment %s: %w", atts[i].Name, db.Map(err))
		}
	}
	return nil
}

// Attachments lists an entry's attachments; with data false their bytes are not loaded.
func (Store) Attachments(ctx context.Context, idb bun.IDB, entryID int64, data bool) ([]Attachment, error) {
	var out []Attachment
	q := idb.NewSelect().Model(&out).Where("entry_id = ?", entryID).Order("id")
	if !data {
		q = q.ExcludeColumn("data")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("content: attachments of %d: %w", entryID, db.Map(err))
	}
	return out, nil
}

// Attachment returns one attachment with its bytes.
func (Store) Attachment(ctx context.Context, idb bun.IDB, entryID int64, name string) (*Attachment, error) {
	a := new(Attachment)
	err := idb.NewSelect().Model(a).Where("entry_id = ?", entryID).Where("name = ?", name).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("content: attachment %s: %w", name, db.Map(err))
	}
	return a, nil
}

// List returns the published entries matching q, newest or lightest first, and their total.
func (Store) List(ctx context.Context, idb bun.IDB, q Query) ([]Entry, int, error) {
	var out []Entry
	sel := idb.NewSelect().Model(&out).Where("published_revision_id IS NOT NULL")
	if q.Type != "" {
		sel = sel.Where("type = ?", q.Type)
	}
	if q.TaskForce != "" {
		sel = sel.Where("task_force = ?", q.TaskForce)
	}
	if q.Tag != "" {
		sel = sel.Where("(',' || tags || ',') LIKE ?", "%,"+q.Tag+",%")
	}
	if !q.Since.IsZero() {
		sel = sel.Where("published_on >= ?", q.Since)
	}
	if !q.Until.IsZero() {
		sel = sel.Where("published_on < ?", q.Until)
	}
	sel = sel.OrderExpr("published_on DESC NULLS LAST").Order("weight", "title", "id")
	if q.Limit > 0 {
		sel = sel.Limit(int64(q.Limit)).Offset(int64(q.Offset))
	}
	total, err := sel.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("content: list: %w", db.Map(err))
	}
	return out, int(total), nil
}

// EntryByID returns the entry with the given id.
func (Store) EntryByID(ctx context.Context, idb bun.IDB, id int64) (*Entry, error) {
	e := new(Entry)
	if err := idb.NewSelect().Model(e).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("content: entry %d: %w", id, db.Map(err))
	}
	return e, nil
}

// LockEntry returns the entry of type t named slug, locked for the transaction on PostgreSQL
// so two transitions of one entry happen one after the other.
func (Store) LockEntry(ctx context.Context, idb bun.IDB, t Type, slug string) (*Entry, error) {
	e := new(Entry)
	q := idb.NewSelect().Model(e).Where("type = ?", t).Where("slug = ?", slug)
	if idb.Dialect().Name().String() == "pg" {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("content: entry %s/%s: %w", t, slug, db.Map(err))
	}
	return e, nil
}

// UpdateRevision saves the workflow columns of r (its source never changes).
func (Store) UpdateRevision(ctx context.Context, idb bun.IDB, r *Revision) error {
	_, err := idb.NewUpdate().Model(r).Column("state", "comment", "publish_at", "unpublish_at", "scheduled_by", "updated_at").
		WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("content: update revision %d: %w", r.ID, db.Map(err))
	}
	return nil
}

// Revisions lists an entry's revisions, newest first, without their source.
func (Store) Revisions(ctx context.Context, idb bun.IDB, entryID int64) ([]Revision, error) {
	var out []Revision
	if err := idb.NewSelect().Model(&out).ExcludeColumn("source").Where("entry_id = ?", entryID).
		Order("number DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("content: revisions of %d: %w", entryID, db.Map(err))
	}
	return out, nil
}

// RevisionsByID returns the revisions with the given ids, without their source, by id.
func (Store) RevisionsByID(ctx context.Context, idb bun.IDB, ids []int64) (map[int64]*Revision, error) {
	out := map[int64]*Revision{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []*Revision
	if err := idb.NewSelect().Model(&rows).ExcludeColumn("source").Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("content: revisions: %w", db.Map(err))
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// Desk selects entries for the newsroom: every state, drafts included.
type Desk struct {
	Type   Type
	State  string // the state of the entry's latest revision
	Author int64  // the author of its latest revision
	Words  string
	// Scheduled keeps entries with a revision waiting for its time; Published those with a live one.
	Scheduled, Published bool
	Limit, Offset        int
}

// Desk returns the entries matching q, last changed first, and their total.
func (Store) Desk(ctx context.Context, idb bun.IDB, q Desk) ([]Entry, int, error) {
	var out []Entry
	sel := idb.NewSelect().Model(&out)
	// The latest revision's state and author are matched through a subquery on revisions: the
	// state's index answers it alone, where a join would read each entry's whole revision row.
	switch {
	case q.State != "" && q.Author != 0:
		sel = sel.Where("entry.current_revision_id IN (SELECT head.id FROM revisions AS head WHERE head.state = ? AND head.author_id = ?)", q.State, q.Author)
	case q.State != "":
		sel = sel.Where("entry.current_revision_id IN (SELECT head.id FROM revisions AS head WHERE head.state = ?)", q.State)
	case q.Author != 0:
		sel = sel.Where("entry.current_revision_id IN (SELECT head.id FROM revisions AS head WHERE head.author_id = ?)", q.Author)
	default:
		sel = sel.Where("entry.current_revision_id IS NOT NULL")
	}
	if q.Type != "" {
		sel = sel.Where("entry.type = ?", q.Type)
	}
	for _, w := range strings.Fields(strings.ToLower(q.Words)) {
		like := "%" + strings.NewReplacer("%", "", "_", "").Replace(w) + "%"
		sel = sel.Where("(LOWER(entry.title) LIKE ? OR LOWER(entry.slug) LIKE ?)", like, like)
	}
	if q.Scheduled {
		sel = sel.Where("EXISTS (SELECT 1 FROM revisions AS s WHERE s.entry_id = entry.id AND (s.state = ? OR (s.id = entry.published_revision_id AND s.unpublish_at IS NOT NULL)))", StateScheduled)
	}
	if q.Published {
		sel = sel.Where("entry.published_revision_id IS NOT NULL")
	}
	sel = sel.OrderExpr("entry.updated_at DESC").Order("entry.id")
	if q.Limit > 0 {
		sel = sel.Limit(int64(q.Limit)).Offset(int64(q.Offset))
	}
	total, err := sel.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("content: desk: %w", db.Map(err))
	}
	return out, int(total), nil
}

// ScheduledRevisions returns the revisions waiting for their time (to be published, or, live,
// to be unpublished), soonest first.
func (Store) ScheduledRevisions(ctx context.Context, idb bun.IDB) ([]Revision, error) {
	var out []Revision
	err := idb.NewSelect().Model(&out).ExcludeColumn("source").
		Where("state = ? OR (state = ? AND unpublish_at IS NOT NULL)", StateScheduled, StatePublished).
		OrderExpr("COALESCE(publish_at, unpublish_at)").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("content: scheduled: %w", db.Map(err))
	}
	return out, nil
}

// Redirect returns where the former slug from of type t leads now.
func (Store) Redirect(ctx context.Context, idb bun.IDB, t Type, from string) (*Redirect, error) {
	r := new(Redirect)
	if err := idb.NewSelect().Model(r).Where("type = ?", t).Where("from_slug = ?", from).Scan(ctx); err != nil {
		return nil, fmt.Errorf("content: redirect %s/%s: %w", t, from, db.Map(err))
	}
	return r, nil
}

// Rename records that entry e of type t moved from slug from to slug to: the redirects that led
// to from lead to to (chains collapse), none starts at to any more (the slug is an entry's
// again), and from leads to to.
func (Store) Rename(ctx context.Context, idb bun.IDB, e *Entry, from, to string, now time.Time) error {
	if _, err := idb.NewUpdate().Model((*Redirect)(nil)).Set("to_slug = ?", to).
		Where("type = ?", e.Type).Where("to_slug = ?", from).Exec(ctx); err != nil {
		return fmt.Errorf("content: collapse redirects to %s/%s: %w", e.Type, from, db.Map(err))
	}
	if err := (Store{}).DropRedirect(ctx, idb, e.Type, to); err != nil {
		return err
	}
	if err := (Store{}).DropRedirect(ctx, idb, e.Type, from); err != nil {
		return err
	}
	r := &Redirect{Type: e.Type, From: from, To: to, EntryID: e.ID, CreatedAt: now}
	if _, err := idb.NewInsert().Model(r).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("content: insert redirect %s/%s: %w", e.Type, from, db.Map(err))
	}
	return nil
}

// DropRedirect removes the redirect starting at slug of type t, if any: an entry has the slug.
func (Store) DropRedirect(ctx context.Context, idb bun.IDB, t Type, slug string) error {
	if _, err := idb.NewDelete().Model((*Redirect)(nil)).Where("type = ?", t).Where("from_slug = ?", slug).Exec(ctx); err != nil {
		return fmt.Errorf("content: delete redirect %s/%s: %w", t, slug, db.Map(err))
	}
	return nil
}

package content

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/cache"
	"passhub/app/db"
	"passhub/app/event"
	"passhub/app/storage"
)

// Syncer is told, inside the import or edit transaction, that content changed; it returns the
// problems of particular files (which are reported) or a fatal error (which rolls back).
type Syncer interface {
	SyncContent(ctx context.Context, tx bun.IDB) ([]*FileError, error)
}

// Service owns the rules of content: import, export, editing, and reading published entries.
type Service struct {
	db      *db.DB
	store   Store
	cache   *cache.Cache
	syncers []Syncer
	log     *slog.Logger
	// Events records, inside the transaction, the entries a change publishes (Changed).
	Events   *event.Dispatcher
	mu       sync.RWMutex
	onChange []func()
	onSave   []func(ctx context.Context, e *Entry, r *Revision) // saved.go
	// Files keeps the attachments' bytes (attachment_files.go).
	Files storage.Store
	// Jobs queues the scheduled publications (jobs.go); set by Register.
	Jobs Enqueuer
}

// NewService returns the content service; cacheTTL bounds how stale another instance's change may
// look here.
func NewService(d *db.DB, log *slog.Logger, cacheTTL time.Duration) *Service {
	return &Service{db: d, cache: cache.New(cacheTTL), log: log}
}

// AddSyncer registers s to run after each import or edit.
func (s *Service) AddSyncer(sy Syncer) { s.syncers = append(s.syncers, sy) }

// ImportReport tells what an import did.
type ImportReport struct {
	Created, Updated, Unchanged int
	// Conflicts lists files not imported because their entry was edited in the database since
	// the last import.
	Conflicts []string
	// Errors lists the files that could not be imported and why.
	Errors []*FileError
}

// Import reads the content directory into the database: new files become entries, changed files
// new revisions; a file whose entry was edited since the last import is a conflict and is left
// alone; a bad file is reported and the others go on.
func (s *Service) Import(ctx context.Context, dir string) (*ImportReport, error) {
	rep := &ImportReport{}
	type file struct {
		doc  *Document
		path string
		hash string
		atts []Attachment
	}
	var files []file
	for _, t := range Types() {
		paths, err := filepath.Glob(filepath.Join(dir, t.Dir(), "*.md"))
		if err != nil {
			return nil, fmt.Errorf("content: import: %w", err)
		}
		sort.Strings(paths)
		for _, p := range paths {
			rel, _ := filepath.Rel(dir, p)
			raw, err := os.ReadFile(p)
			if err != nil {
				rep.Errors = append(rep.Errors, &FileError{Path: rel, Msg: err.Error()})
				continue
			}
			doc, err := Parse(t, strings.TrimSuffix(filepath.Base(p), ".md"), rel, raw)
			if err != nil {
				rep.Errors = append(rep.Errors, asFileError(rel, err))
				continue
			}
			atts, hash, err := loadAttachments(dir, doc, raw)
			if err != nil {
				rep.Errors = append(rep.Errors, asFileError(rel, err))
				continue
			}
			files = append(files, file{doc: doc, path: rel, hash: hash, atts: atts})
		}
	}

	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		existing, err := s.store.Entries(ctx, tx)
		if err != nil {
			return err
		}
		var changed []*Entry
		now := time.Now().UTC()
		for _, f := range files {
			e := existing[key(f.doc.Type, f.doc.Slug)]
			switch {
			case e == nil:
				e = &Entry{Type: f.doc.Type, Slug: f.doc.Slug, CreatedAt: now}
				fill(e, f.doc)
				e.SourcePath, e.ImportedHash, e.UpdatedAt = f.path, f.hash, now
				if err := s.store.InsertEntry(ctx, tx, e); err != nil {
					return err
				}
				rep.Created++
			case e.ImportedHash == f.hash:
				rep.Unchanged++
				continue
			case e.EditedSinceImport:
				same, err := s.publishes(ctx, tx, e, f.doc, f.atts)
				if err != nil {
					return err
				}
				if !same {
					rep.Conflicts = append(rep.Conflicts, f.path)
					continue
				}
				// The file is what the database publishes (an export of it): nothing to import,
				// and from now on the file is compared with this version. A newer draft still
				// counts as an edit the next changed file must not bury.
				e.ImportedHash = f.hash
				e.EditedSinceImport = e.CurrentRevisionID != e.PublishedRevisionID
				if err := s.store.UpdateEntry(ctx, tx, e); err != nil {
					return err
				}
				rep.Unchanged++
				continue
			default:
				fill(e, f.doc)
				e.SourcePath, e.ImportedHash = f.path, f.hash
				rep.Updated++
			}
			rev := &Revision{EntryID: e.ID, Source: f.doc.Source, Hash: f.hash, Origin: OriginImport, State: StatePublished, CreatedAt: now, UpdatedAt: now}
			if e.PublishedRevisionID != 0 {
				if _, err := tx.NewUpdate().Model((*Revision)(nil)).Set("state = ?", StateArchived).Set("updated_at = ?", now).
					Where("id = ?", e.PublishedRevisionID).Exec(ctx); err != nil {
					return fmt.Errorf("content: archive revision %d: %w", e.PublishedRevisionID, db.Map(err))
				}
			}
			if e.CurrentRevisionID == 0 {
				rev.Number = 1 // a new entry: no revision to count, no attachment to replace
				if err := s.store.InsertFirstRevision(ctx, tx, rev); err != nil {
					return err
				}
			} else if err := s.store.InsertRevision(ctx, tx, rev); err != nil {
				return err
			}
			isNew := e.CurrentRevisionID == 0
			e.CurrentRevisionID, e.PublishedRevisionID, e.UpdatedAt = rev.ID, rev.ID, now
			if err := s.store.UpdateEntry(ctx, tx, e); err != nil {
				return err
			}
			if err := s.storeAttachments(ctx, f.atts); err != nil {
				return err
			}
			if isNew {
				err = s.store.InsertAttachments(ctx, tx, e.ID, f.atts)
			} else {
				err = s.store.ReplaceAttachments(ctx, tx, e.ID, f.atts)
			}
			if err != nil {
				return err
			}
			changed = append(changed, e)
		}
		if err := s.enqueue(ctx, tx, changed); err != nil {
			return err
		}
		return s.sync(ctx, tx, rep)
	})
	if err != nil {
		return nil, err
	}
	s.changed()
	return rep, nil
}

// publishes reports whether e's published revision is exactly the file doc with the attachments
// atts: the same bytes, the same attachments (name and content) in the same order.
func (s *Service) publishes(ctx context.Context, tx bun.IDB, e *Entry, doc *Document, atts []Attachment) (bool, error) {
	if e.PublishedRevisionID == 0 {
		return false, nil
	}
	rev, err := s.store.Revision(ctx, tx, e.PublishedRevisionID)
	if err != nil {
		return false, err
	}
	if rev.Source != doc.Source {
		return false, nil
	}
	have, err := s.store.Attachments(ctx, tx, e.ID, false)
	if err != nil {
		return false, err
	}
	if len(have) != len(atts) {
		return false, nil
	}
	for i := range have {
		if have[i].Name != atts[i].Name || have[i].SHA256 != atts[i].SHA256 {
			return false, nil
		}
	}
	return true, nil
}

func (s *Service) sync(ctx context.Context, tx bun.IDB, rep *ImportReport) error {
	for _, sy := range s.syncers {
		fileErrs, err := sy.SyncContent(ctx, tx)
		if err != nil {
			return err
		}
		if rep != nil {
			rep.Errors = append(rep.Errors, fileErrs...)
		}
	}
	return nil
}

func (s *Service) enqueue(ctx context.Context, tx bun.IDB, entries []*Entry) error {
	if len(entries) == 0 {
		return nil
	}
	ev := Changed{}
	for _, e := range entries {
		ev.Entries = append(ev.Entries, Ref{Type: e.Type, ID: e.ID})
	}
	return s.Events.InTx(ctx, tx, ev)
}

// OnChange registers fn to run whenever content changed: after this instance's own changes, and
// when the bus tells of another instance's (Invalidate). The caches built from content (the
// catalogue, the page cache, search results) subscribe here.
func (s *Service) OnChange(fn func()) {
	s.mu.Lock()
	s.onChange = append(s.onChange, fn)
	s.mu.Unlock()
}

// Invalidate drops the cached content and everything built from it, on this instance.
func (s *Service) Invalidate() {
	s.cache.Clear()
	s.mu.RLock()
	fns := s.onChange
	s.mu.RUnlock()
	for _, fn := range fns {
		fn()
	}
}

func (s *Service) changed() { s.Invalidate() }

// fill copies the listing fields of a document into its entry.
func fill(e *Entry, d *Document) {
	e.Title = d.Front.Title
	e.Summary = d.Front.Summary
	e.PublishedOn = d.Front.Date
	e.Weight = d.Front.Weight
	e.Tags = strings.ToLower(strings.Join(d.Front.Tags, ","))
	e.TaskForce = ""
	if def, ok := Lookup(d.Type); ok {
		for _, f := range def.Fields {
			if f.TaskForce {
				e.TaskForce = d.Front.Text(f.Name)
			}
		}
	}
}

func asFileError(path string, err error) *FileError {
	var fe *FileError
	if errors.As(err, &fe) {
		return fe
	}
	return &FileError{Path: path, Msg: err.Error()}
}

// loadAttachments reads the files a document names and returns them with the hash of the whole.
func loadAttachments(dir string, d *Document, raw []byte) ([]Attachment, string, error) {
	h := sha256.New()
	h.Write(raw)
	var atts []Attachment
	for _, ref := range d.Front.Attachments {
		p := filepath.Join(dir, d.Type.Dir(), AttachmentsDir, ref.File)
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, "", fmt.Errorf("attachment %q: %w", ref.File, err)
		}
		sum := sha256.Sum256(data)
		h.Write([]byte("\x00" + ref.File + "\x00"))
		h.Write(data)
		atts = append(atts, Attachment{
			Name: ref.File, Title: ref.Title, ContentType: contentType(ref.File, data),
			Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Data: data, CreatedAt: time.Now().UTC(),
		})
	}
	return atts, hex.EncodeToString(h.Sum(nil)), nil
}

func contentType(name string, data []byte) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return "text/csv; charset=utf-8"
	case ".json":
		return "application/json"
	}
	if t := mime.TypeByExtension(filepath.Ext(name)); t != "" {
		return t
	}
	return http.DetectContentType(data)
}

// Edit stores source as a new published revision of an existing entry, as an editor would; the
// next import of a changed file for that entry reports a conflict instead of overwriting it.
func (s *Service) Edit(ctx context.Context, t Type, slug, source, author string) error {
	doc, err := Parse(t, slug, t.Dir()+"/"+slug+".md", []byte(source))
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		e, err := s.store.Entry(ctx, tx, t, slug)
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		rev := &Revision{EntryID: e.ID, Source: source, Hash: hashOf(source), Origin: OriginEditor, Author: author, State: StatePublished, CreatedAt: now, UpdatedAt: now}
		if e.PublishedRevisionID != 0 {
			if _, err := tx.NewUpdate().Model((*Revision)(nil)).Set("state = ?", StateArchived).Where("id = ?", e.PublishedRevisionID).Exec(ctx); err != nil {
				return fmt.Errorf("content: archive revision %d: %w", e.PublishedRevisionID, db.Map(err))
			}
		}
		if err := s.store.InsertRevision(ctx, tx, rev); err != nil {
			return err
		}
		fill(e, doc)
		e.CurrentRevisionID, e.PublishedRevisionID, e.EditedSinceImport, e.UpdatedAt = rev.ID, rev.ID, true, now
		if err := s.store.UpdateEntry(ctx, tx, e); err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, []*Entry{e}); err != nil {
			return err
		}
		return s.sync(ctx, tx, nil)
	})
	if err != nil {
		return fmt.Errorf("content: edit %s/%s: %w", t, slug, err)
	}
	s.changed()
	return nil
}

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Export writes the published revision of every entry, and its attachments, under dir in the layout
// Import reads; it returns how many entries it wrote.
func (s *Service) Export(ctx context.Context, dir string) (int, error) {
	entries, err := s.store.Entries(ctx, s.db)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if e.PublishedRevisionID == 0 {
			continue // a draft never published stays in the newsroom
		}
		rev, err := s.store.Revision(ctx, s.db, e.PublishedRevisionID)
		if err != nil {
			return n, err
		}
		if err := writeFile(filepath.Join(dir, e.Type.Dir(), e.Slug+".md"), []byte(rev.Source)); err != nil {
			return n, err
		}
		atts, err := s.store.Attachments(ctx, s.db, e.ID, true)
		if err != nil {
			return n, err
		}
		for _, a := range atts {
			if err := s.exportAttachment(ctx, filepath.Join(dir, e.Type.Dir(), AttachmentsDir, a.Name), &a); err != nil {
				return n, err
			}
		}
		n++
	}
	return n, nil
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("content: export: %w", err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("content: export: %w", err)
	}
	return nil
}

// Published returns the published entry of type t named slug, parsed and rendered.
func (s *Service) Published(ctx context.Context, t Type, slug string) (*Published, error) {
	if !t.Valid() || !ValidSlug(slug) {
		return nil, fmt.Errorf("content: %s/%s: %w", t, slug, db.ErrNotFound)
	}
	v, err := s.cache.Get("pub/"+key(t, slug), func() (any, error) { return s.loadPublished(ctx, t, slug) })
	if err != nil {
		return nil, err
	}
	return v.(*Published), nil
}

func (s *Service) loadPublished(ctx context.Context, t Type, slug string) (*Published, error) {
	e, err := s.store.Entry(ctx, s.db, t, slug)
	if err != nil {
		return nil, err
	}
	if e.PublishedRevisionID == 0 {
		return nil, fmt.Errorf("content: %s/%s not published: %w", t, slug, db.ErrNotFound)
	}
	return s.loadRevision(ctx, e, e.PublishedRevisionID)
}

// Current returns the current revision of the entry of type t named slug, parsed and rendered,
// whether it is published or not (the newest draft): for those allowed to read drafts. It is
// never cached.
func (s *Service) Current(ctx context.Context, t Type, slug string) (*Published, error) {
	if !t.Valid() || !ValidSlug(slug) {
		return nil, fmt.Errorf("content: %s/%s: %w", t, slug, db.ErrNotFound)
	}
	e, err := s.store.Entry(ctx, s.db, t, slug)
	if err != nil {
		return nil, err
	}
	if e.CurrentRevisionID == 0 {
		return nil, fmt.Errorf("content: %s/%s has no revision: %w", t, slug, db.ErrNotFound)
	}
	return s.loadRevision(ctx, e, e.CurrentRevisionID)
}

// loadRevision parses and renders the revision revID of e, with e's attachments.
func (s *Service) loadRevision(ctx context.Context, e *Entry, revID int64) (*Published, error) {
	t, slug := e.Type, e.Slug
	rev, err := s.store.Revision(ctx, s.db, revID)
	if err != nil {
		return nil, err
	}
	doc, err := Parse(t, slug, e.SourcePath, []byte(rev.Source))
	if err != nil {
		return nil, fmt.Errorf("content: revision %d of %s/%s: %w", rev.Number, t, slug, err)
	}
	html, err := Render(doc.Body)
	if err != nil {
		return nil, fmt.Errorf("content: render %s/%s: %w", t, slug, err)
	}
	atts, err := s.store.Attachments(ctx, s.db, e.ID, false)
	if err != nil {
		return nil, err
	}
	return &Published{Entry: *e, Front: doc.Front, Markdown: doc.Body, HTML: html, Attachments: atts, Revision: rev.Number, RevisionID: rev.ID}, nil
}

// Listing is one page of entries and the total that matched.
type Listing struct {
	Entries []Entry
	Total   int
}

// List returns the published entries matching q.
func (s *Service) List(ctx context.Context, q Query) (*Listing, error) {
	k := fmt.Sprintf("list/%s/%s/%s/%d/%d/%d/%d", q.Type, q.TaskForce, q.Tag, q.Since.Unix(), q.Until.Unix(), q.Limit, q.Offset)
	v, err := s.cache.Get(k, func() (any, error) {
		entries, total, err := s.store.List(ctx, s.db, q)
		if err != nil {
			return nil, err
		}
		return &Listing{Entries: entries, Total: total}, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Listing), nil
}

// Attachment returns the attachment named name of the published entry t/slug.
func (s *Service) Attachment(ctx context.Context, t Type, slug, name string) (*Attachment, error) {
	p, err := s.Published(ctx, t, slug)
	if err != nil {
		return nil, err
	}
	return s.store.Attachment(ctx, s.db, p.Entry.ID, name)
}

// Documents returns the parsed published revision of every published entry of type t, for
// syncers: a draft joins the catalogue when it is published.
func (s *Service) Documents(ctx context.Context, idb bun.IDB, t Type) ([]*Document, []*Entry, error) {
	var entries []*Entry
	if err := idb.NewSelect().Model(&entries).Where("type = ?", t).Where("published_revision_id IS NOT NULL").
		Order("id").Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("content: documents of %s: %w", t, db.Map(err))
	}
	docs := make([]*Document, 0, len(entries))
	for _, e := range entries {
		rev, err := s.store.Revision(ctx, idb, e.PublishedRevisionID)
		if err != nil {
			return nil, nil, err
		}
		d, err := Parse(t, e.Slug, e.SourcePath, []byte(rev.Source))
		if err != nil {
			return nil, nil, err
		}
		docs = append(docs, d)
	}
	return docs, entries, nil
}

// RevisionOf returns revision revID of entry entryID, parsed and rendered, and the entry's
// latest revision (without its source checked): for the preview links. Never cached.
func (s *Service) RevisionOf(ctx context.Context, entryID, revID int64) (*Published, *Revision, error) {
	e, err := s.store.EntryByID(ctx, s.db, entryID)
	if err != nil {
		return nil, nil, err
	}
	head, err := s.store.Revision(ctx, s.db, e.CurrentRevisionID)
	if err != nil {
		return nil, nil, err
	}
	rev, err := s.store.Revision(ctx, s.db, revID)
	if err != nil {
		return nil, nil, err
	}
	if rev.EntryID != e.ID {
		return nil, nil, fmt.Errorf("content: revision %d of entry %d: %w", revID, entryID, db.ErrNotFound)
	}
	p, err := s.loadRevision(ctx, e, revID)
	if err != nil {
		return nil, nil, err
	}
	return p, head, nil
}

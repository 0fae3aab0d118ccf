package tender

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"passhub/app/audit"
	"passhub/app/db"
	"passhub/app/event"
	"passhub/app/form"
	"passhub/app/storage"
	"passhub/app/workspace"
)

// Limits of a document's fields, in characters.
const (
	MaxTitle       = 200
	MaxDescription = 4000
	MaxNote        = 1000
	MaxAmount      = 1_000_000_000_000 // euro
)

// Extensions are the files a version may be: PDF, ODT, DOCX, and the spreadsheets and ZIP
// archives of the modulistica. The content must agree (workspace.SniffFrom).
var Extensions = []string{".pdf", ".odt", ".docx", ".xlsx", ".ods", ".zip"}

// Errors of the service that are not about one field.
var (
	ErrNotFound   = db.ErrNotFound
	ErrState      = errors.New("tender: the document is not in a state that allows this")
	ErrNoEnte     = errors.New("tender: choose the ente the download is for")
	ErrNotVersion = errors.New("tender: the version is not one of the document's")
)

// Actor is who acts, for the audit trail.
type Actor struct {
	UserID int64
	Name   string
	IP     string
}

// Form is a document's fields as an editor writes them.
type Form struct {
	Title, Description, Kind, ProcedureType, Threshold string
	AmountMin, AmountMax                               string // euro, digits ("" for none)
	LegalBasis                                         string
	ValidFrom, ValidUntil                              string // YYYY-MM-DD ("" for none)
	AuthorEnteID                                       int64
}

// FormOf is the form of an existing document.
func FormOf(d *Document) Form {
	f := Form{Title: d.Title, Description: d.Description, Kind: d.Kind, ProcedureType: d.ProcedureType, Threshold: d.Threshold,
		LegalBasis: d.LegalBasis, AuthorEnteID: d.AuthorEnteID}
	if d.AmountMin > 0 {
		f.AmountMin = strconv.FormatInt(d.AmountMin, 10)
	}
	if d.AmountMax > 0 {
		f.AmountMax = strconv.FormatInt(d.AmountMax, 10)
	}
	if !d.ValidFrom.IsZero() {
		f.ValidFrom = d.ValidFrom.Format(time.DateOnly)
	}
	if !d.ValidUntil.IsZero() {
		f.ValidUntil = d.ValidUntil.Format(time.DateOnly)
	}
	return f
}

// Upload is a file sent with a form.
type Upload struct {
	Name string            // as the browser sent it; cleaned before it is kept
	Src  *io.SectionReader // nil when none was sent
}

// Service owns the library's rules.
type Service struct {
	db    *db.DB
	files storage.Store
	// MaxFile is the largest file accepted, in bytes.
	MaxFile int64
	// Events records the library's changes (the search index, the notices to the enti).
	Events *event.Dispatcher
	// Authors tells whether an ente id names an ente of the registry, and lists those an editor
	// may choose as a document's author.
	Authors Authors
	now     func() time.Time
}

// Authors is the registry of enti, as the library needs it.
type Authors interface {
	AuthorName(ctx context.Context, enteID int64) (string, bool, error)
}

// NewService returns the library's service.
func NewService(d *db.DB, files storage.Store, maxFile int64) *Service {
	return &Service{db: d, files: files, MaxFile: maxFile, now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Changed is the event of a document created, edited, approved, superseded or given a version.
// NewVersion is set when a version was added to an approved document: the enti that downloaded
// an earlier one are told.
type Changed struct {
	DocumentID int64 `json:"document_id"`
	NewVersion int64 `json:"new_version,omitempty"`
	// SupersededBy is the document that replaces DocumentID, when the change superseded it.
	SupersededBy int64 `json:"superseded_by,omitempty"`
}

// EventName names the event.
func (Changed) EventName() string { return "tender.changed" }

// check validates a form into a document's fields; errs gets what is wrong.
func (s *Service) check(ctx context.Context, f Form, d *Document, errs form.Errors) error {
	d.Title = strings.TrimSpace(f.Title)
	d.Description = strings.TrimSpace(f.Description)
	switch n := utf8.RuneCountInString(d.Title); {
	case n == 0:
		errs["title"] = "tender.error.title"
	case n > MaxTitle:
		errs["title"] = "tender.error.title_long"
	}
	if utf8.RuneCountInString(d.Description) > MaxDescription {
		errs["description"] = "tender.error.description_long"
	}
	d.Kind, d.ProcedureType, d.Threshold = f.Kind, f.ProcedureType, f.Threshold
	if !slices.Contains(Kinds, d.Kind) {
		errs["kind"] = "tender.error.kind"
	}
	if !slices.Contains(Procedures, d.ProcedureType) {
		errs["procedure_type"] = "tender.error.procedure"
	}
	if !slices.Contains(Thresholds, d.Threshold) {
		errs["threshold"] = "tender.error.threshold"
	}
	var ok bool
	if d.AmountMin, ok = amount(f.AmountMin); !ok {
		errs["amount_min"] = "tender.error.amount"
	}
	if d.AmountMax, ok = amount(f.AmountMax); !ok {
		errs["amount_max"] = "tender.error.amount"
	}
	if errs["amount_min"] == "" && errs["amount_max"] == "" && d.AmountMax > 0 && d.AmountMin > d.AmountMax {
		errs["amount_max"] = "tender.error.amount_range"
	}
	if d.LegalBasis, ok = parseArticles(f.LegalBasis); !ok {
		errs["legal_basis"] = "tender.error.legal_basis"
	} else if d.LegalBasis == "" {
		errs["legal_basis"] = "tender.error.legal_basis_missing"
	}
	if d.ValidFrom, ok = date(f.ValidFrom); !ok {
		errs["valid_from"] = "tender.error.date"
	}
	if d.ValidUntil, ok = date(f.ValidUntil); !ok {
		errs["valid_until"] = "tender.error.date"
	}
	if errs["valid_from"] == "" && errs["valid_until"] == "" && !d.ValidFrom.IsZero() && !d.ValidUntil.IsZero() && d.ValidUntil.Before(d.ValidFrom) {
		errs["valid_until"] = "tender.error.date_range"
	}
	d.AuthorEnteID = f.AuthorEnteID
	if d.AuthorEnteID <= 0 {
		errs["author"] = "tender.error.author"
	} else if s.Authors != nil {
		_, found, err := s.Authors.AuthorName(ctx, d.AuthorEnteID)
		if err != nil {
			return err
		}
		if !found {
			errs["author"] = "tender.error.author"
		}
	}
	return nil
}

func amount(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(s), ".", ""), " ", "")
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > MaxAmount {
		return 0, false
	}
	return n, true
}

func date(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, false
	}
	return t, true
}

// file is a checked upload: its clean name, type, size and hash.
type file struct {
	name, contentType, hash string
	size                    int64
	src                     *io.SectionReader
}

// checkFile checks an upload where it lies: size, allowed kind, content against its name (an
// archive's directory within bounds); the name and the declared type are never trusted.
func (s *Service) checkFile(u Upload, errs form.Errors) (*file, error) {
	if u.Src == nil || u.Src.Size() == 0 {
		errs["file"] = "tender.error.file"
		return nil, nil
	}
	if u.Src.Size() > s.MaxFile {
		errs["file"] = "tender.error.file_large"
		return nil, nil
	}
	name := storage.CleanName(u.Name, "documento")
	if !slices.Contains(Extensions, strings.ToLower(path.Ext(name))) {
		errs["file"] = "tender.error.file_type"
		return nil, nil
	}
	ct, err := workspace.SniffFrom(name, u.Src, u.Src.Size())
	switch {
	case errors.Is(err, workspace.ErrFileType), errors.Is(err, workspace.ErrMismatch):
		errs["file"] = "tender.error.file_mismatch"
		return nil, nil
	case errors.Is(err, workspace.ErrArchive):
		errs["file"] = "tender.error.file_archive"
		return nil, nil
	case errors.Is(err, workspace.ErrEmptyFile):
		errs["file"] = "tender.error.file"
		return nil, nil
	case err != nil:
		return nil, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(u.Src, 0, u.Src.Size())); err != nil {
		return nil, fmt.Errorf("tender: read upload: %w", err)
	}
	return &file{name: name, contentType: ct, hash: hex.EncodeToString(h.Sum(nil)), size: u.Src.Size(), src: u.Src}, nil
}

// Key is where a version's bytes are stored: by their hash, so the same file is stored once.
func Key(hash string) string { return "tenders/" + hash }

func (s *Service) store(ctx context.Context, f *file) (string, error) {
	key := Key(f.hash)
	if err := s.files.Put(ctx, key, io.NewSectionReader(f.src, 0, f.size)); err != nil {
		return "", fmt.Errorf("tender: store: %w", err)
	}
	return key, nil
}

func (s *Service) emit(ctx context.Context, tx bun.IDB, ev Changed) error {
	if s.Events == nil {
		return nil
	}
	return s.Events.InTx(ctx, tx, ev)
}

// Create checks a new document and its first file and keeps them as a draft. What is wrong is
// reported by field (form.Errors), all at once, and then nothing is stored.
func (s *Service) Create(ctx context.Context, who Actor, f Form, u Upload) (*Document, error) {
	errs := form.Errors{}
	d := &Document{}
	if err := s.check(ctx, f, d, errs); err != nil {
		return nil, err
	}
	fl, err := s.checkFile(u, errs)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, errs
	}
	key, err := s.store(ctx, fl)
	if err != nil {
		return nil, err
	}
	now := s.now()
	d.Status, d.CreatedBy, d.CreatedAt, d.UpdatedAt = StatusDraft, who.UserID, now, now
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(d).Returning("id").Exec(ctx); err != nil {
			return db.Map(err)
		}
		v, err := s.addVersion(ctx, tx, who, d, fl, key, "")
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "tender.create",
			ObjectType: "tender", ObjectID: d.ID, Detail: fmt.Sprintf("%s v1 %s", fl.name, fl.hash[:12])}); err != nil {
			return err
		}
		d.Versions = []*Version{v}
		return s.emit(ctx, tx, Changed{DocumentID: d.ID})
	})
	if err != nil {
		return nil, fmt.Errorf("tender: create: %w", err)
	}
	return d, nil
}

func (s *Service) addVersion(ctx context.Context, tx bun.Tx, who Actor, d *Document, fl *file, key, note string) (*Version, error) {
	var last int
	if err := tx.NewSelect().Model((*Version)(nil)).ColumnExpr("COALESCE(MAX(number), 0)").Where("document_id = ?", d.ID).Scan(ctx, &last); err != nil {
		return nil, db.Map(err)
	}
	v := &Version{DocumentID: d.ID, Number: last + 1, ChangeNote: note, Filename: fl.name, ContentType: fl.contentType, Size: fl.size,
		SHA256: fl.hash, StorageKey: key, UploadedBy: who.UserID, Uploader: who.Name, CreatedAt: s.now()}
	if _, err := tx.NewInsert().Model(v).Returning("id").Exec(ctx); err != nil {
		return nil, db.Map(err)
	}
	d.CurrentID = v.ID
	if _, err := tx.NewUpdate().Model((*Document)(nil)).Set("current_version_id = ?", v.ID).Set("updated_at = ?", s.now()).
		Where("id = ?", d.ID).Exec(ctx); err != nil {
		return nil, db.Map(err)
	}
	return v, nil
}

// Update changes a draft's fields.
func (s *Service) Update(ctx context.Context, who Actor, id int64, f Form) (*Document, error) {
	d, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !d.Draft() {
		return nil, ErrState
	}
	errs := form.Errors{}
	if err := s.check(ctx, f, d, errs); err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, errs
	}
	d.UpdatedAt = s.now()
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model(d).Column("title", "description", "kind", "procedure_type", "threshold", "amount_min", "amount_max",
			"legal_basis", "valid_from", "valid_until", "author_ente_id", "updated_at").WherePK().Where("status = ?", StatusDraft).Exec(ctx)
		if err != nil {
			return db.Map(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrState
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "tender.update",
			ObjectType: "tender", ObjectID: d.ID}); err != nil {
			return err
		}
		return s.emit(ctx, tx, Changed{DocumentID: d.ID})
	})
	if err != nil {
		return nil, fmt.Errorf("tender: update: %w", err)
	}
	return d, nil
}

// AddVersion makes a file the document's current version. A version of an approved document
// needs a change note: the enti that downloaded an earlier version are told it. A superseded
// document takes no new version.
func (s *Service) AddVersion(ctx context.Context, who Actor, id int64, note string, u Upload) (*Version, error) {
	d, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if d.Status == StatusSuperseded {
		return nil, ErrState
	}
	errs := form.Errors{}
	note = strings.TrimSpace(note)
	switch n := utf8.RuneCountInString(note); {
	case n == 0 && d.Status == StatusApproved:
		errs["change_note"] = "tender.error.note"
	case n > MaxNote:
		errs["change_note"] = "tender.error.note_long"
	}
	fl, err := s.checkFile(u, errs)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, errs
	}
	key, err := s.store(ctx, fl)
	if err != nil {
		return nil, err
	}
	var v *Version
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if s.db.Kind == db.Postgres { // one version at a time per document: numbers stay dense
			if _, err := tx.ExecContext(ctx, "SELECT id FROM tender_documents WHERE id = ? FOR UPDATE", d.ID); err != nil {
				return db.Map(err)
			}
		}
		var status string
		if err := tx.NewSelect().Model((*Document)(nil)).Column("status").Where("id = ?", d.ID).Scan(ctx, &status); err != nil {
			return db.Map(err)
		}
		if status == StatusSuperseded {
			return ErrState
		}
		var err error
		if v, err = s.addVersion(ctx, tx, who, d, fl, key, note); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "tender.version",
			ObjectType: "tender", ObjectID: d.ID, Detail: fmt.Sprintf("%s v%d %s", fl.name, v.Number, fl.hash[:12])}); err != nil {
			return err
		}
		ev := Changed{DocumentID: d.ID}
		if status == StatusApproved {
			ev.NewVersion = v.ID
		}
		return s.emit(ctx, tx, ev)
	})
	if err != nil {
		return nil, fmt.Errorf("tender: version: %w", err)
	}
	return v, nil
}

// Approve makes a draft approved: from then on every member of an approved ente sees it.
func (s *Service) Approve(ctx context.Context, who Actor, id int64) error {
	return s.setStatus(ctx, who, id, StatusDraft, StatusApproved, 0)
}

// Supersede marks an approved document replaced by another approved document, by.
func (s *Service) Supersede(ctx context.Context, who Actor, id, by int64) error {
	if by == id {
		return form.Errors{"superseded_by": "tender.error.superseded_by"}
	}
	nd, err := s.Get(ctx, by)
	if errors.Is(err, db.ErrNotFound) || err == nil && nd.Status != StatusApproved {
		return form.Errors{"superseded_by": "tender.error.superseded_by"}
	}
	if err != nil {
		return err
	}
	return s.setStatus(ctx, who, id, StatusApproved, StatusSuperseded, by)
}

func (s *Service) setStatus(ctx context.Context, who Actor, id int64, from, to string, by int64) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewUpdate().Model((*Document)(nil)).Set("status = ?", to).Set("updated_at = ?", s.now()).Where("id = ?", id).Where("status = ?", from)
		if by != 0 {
			q = q.Set("superseded_by = ?", by)
		}
		res, err := q.Exec(ctx)
		if err != nil {
			return db.Map(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := s.get(ctx, tx, id); err != nil {
				return err
			}
			return ErrState
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "tender." + to,
			ObjectType: "tender", ObjectID: id}); err != nil {
			return err
		}
		return s.emit(ctx, tx, Changed{DocumentID: id, SupersededBy: by})
	})
}

// Get returns a document with its versions (newest first) and its author's name.
func (s *Service) Get(ctx context.Context, id int64) (*Document, error) { return s.get(ctx, s.db, id) }

func (s *Service) get(ctx context.Context, idb bun.IDB, id int64) (*Document, error) {
	d := &Document{}
	err := idb.NewSelect().Model(d).ColumnExpr("d.*").ColumnExpr("e.name AS author").Join("JOIN enti AS e ON e.id = d.author_ente_id").
		Relation("Versions", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("v.number DESC") }).
		Where("d.id = ?", id).Scan(ctx)
	if err != nil {
		return nil, db.Map(err)
	}
	return d, nil
}

// Filter narrows the library's list.
type Filter struct {
	Kind, ProcedureType, Threshold, Status string
	Drafts                                 bool // drafts may be listed
	Limit, Offset                          int
}

// List returns documents, newest first, and how many match.
func (s *Service) List(ctx context.Context, f Filter) ([]Document, int, error) {
	var out []Document
	q := s.db.NewSelect().Model(&out).ColumnExpr("d.*").ColumnExpr("e.name AS author").Join("JOIN enti AS e ON e.id = d.author_ente_id")
	if !f.Drafts {
		q = q.Where("d.status <> ?", StatusDraft)
	}
	for col, v := range map[string]string{"d.kind": f.Kind, "d.procedure_type": f.ProcedureType, "d.threshold": f.Threshold, "d.status": f.Status} {
		if v != "" {
			q = q.Where("? = ?", bun.Ident(col), v)
		}
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	n, err := q.Order("d.updated_at DESC", "d.id DESC").Limit(int64(f.Limit)).Offset(int64(f.Offset)).ScanAndCount(ctx)
	return out, int(n), db.Map(err)
}

// Open returns a version of a document and a reader of its bytes, recording the download: for
// enteID (0 for staff).
func (s *Service) Open(ctx context.Context, userID, enteID, docID, versionID int64) (*Version, io.ReadCloser, error) {
	v := &Version{}
	if err := s.db.NewSelect().Model(v).Where("id = ?", versionID).Where("document_id = ?", docID).Scan(ctx); err != nil {
		return nil, nil, db.Map(err)
	}
	rc, err := s.files.Open(ctx, v.StorageKey)
	if err != nil {
		return nil, nil, fmt.Errorf("tender: open: %w", err)
	}
	row := &DownloadRow{DocumentID: docID, VersionID: v.ID, EnteID: enteID, UserID: userID, DownloadedAt: s.now()}
	if _, err := s.db.NewInsert().Model(row).Exec(ctx); err != nil {
		rc.Close()
		return nil, nil, db.Map(err)
	}
	return v, rc, nil
}

func (s *Service) downloads(ctx context.Context) *bun.SelectQuery {
	return s.db.NewSelect().TableExpr("tender_downloads AS dl").
		ColumnExpr("dl.document_id, d.title, dl.version_id, v.number, COALESCE(dl.ente_id, 0) AS ente_id, COALESCE(e.name, '') AS ente_name, dl.user_id, dl.downloaded_at").
		Join("JOIN tender_documents AS d ON d.id = dl.document_id").
		Join("JOIN tender_versions AS v ON v.id = dl.version_id").
		Join("LEFT JOIN enti AS e ON e.id = dl.ente_id").
		OrderExpr("dl.downloaded_at DESC, dl.id DESC")
}

// DownloadsOf lists what the members of an ente downloaded, newest first: the document's title,
// the version's number, who and when. The comuni CRM's timeline reads it.
func (s *Service) DownloadsOf(ctx context.Context, enteID int64) ([]Download, error) {
	var out []Download
	err := s.downloads(ctx).Where("dl.ente_id = ?", enteID).Limit(1000).Scan(ctx, &out)
	return out, db.Map(err)
}

// DownloadsOfDocument lists a document's downloads, newest first; enti limits them to those of
// the enti given (nil: all).
func (s *Service) DownloadsOfDocument(ctx context.Context, docID int64, enti []int64, all bool) ([]Download, error) {
	var out []Download
	q := s.downloads(ctx).Where("dl.document_id = ?", docID).Limit(200)
	if !all {
		if len(enti) == 0 {
			return nil, nil
		}
		q = q.Where("dl.ente_id IN (?)", bun.In(enti))
	}
	return out, db.Map(q.Scan(ctx, &out))
}

// Approved lists the approved documents other than id, for the "superseded by" choice.
func (s *Service) Approved(ctx context.Context, except int64) ([]Document, error) {
	var out []Document
	err := s.db.NewSelect().Model(&out).Column("id", "title").Where("status = ?", StatusApproved).Where("id <> ?", except).
		Order("title").Limit(500).Scan(ctx)
	return out, db.Map(err)
}

// Recipients are the users to tell of a new version of a document: the enabled members of the
// approved enti that downloaded an earlier version.
func (s *Service) Recipients(ctx context.Context, docID, versionID int64) ([]int64, error) {
	var ids []int64
	err := s.db.NewSelect().TableExpr("memberships AS m").ColumnExpr("DISTINCT m.user_id").
		Join("JOIN enti AS e ON e.id = m.ente_id").
		Where("m.enabled = ?", true).Where("e.status = ?", "approved").
		Where("m.ente_id IN (?)", s.db.NewSelect().TableExpr("tender_downloads").Column("ente_id").
			Where("document_id = ?", docID).Where("version_id <> ?", versionID).Where("ente_id IS NOT NULL")).
		Order("m.user_id").Scan(ctx, &ids)
	return ids, db.Map(err)
}

// Version returns one version of a document.
func (s *Service) Version(ctx context.Context, docID, versionID int64) (*Version, error) {
	v := &Version{}
	if err := s.db.NewSelect().Model(v).Where("id = ?", versionID).Where("document_id = ?", docID).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	return v, nil
}

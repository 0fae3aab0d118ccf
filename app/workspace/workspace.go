// Package workspace owns the content of a shared space (a request's workspace is the space of
// kind request, see space.go): the thread of messages
// (Markdown, sanitised, editable by their author for a short window, never deleted), documents
// with versions (content checked against an allow list, size limit, per-ente quota, SHA-256,
// stored through the storage port) and the experts' activities. Who may do what is decided by the
// access policy before the service is called; the service checks only the rules of the content.
package workspace

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"passhub/app/once"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"passhub/app/audit"
	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/form"
	"passhub/app/request"
	"passhub/app/storage"
)

// Message is one post of the thread.
type Message struct {
	bun.BaseModel `bun:"table:messages"`

	ID        int64     `bun:"id,pk,autoincrement"`
	SpaceID   int64     `bun:"space_id"`
	AuthorID  int64     `bun:"author_id"`
	Author    string    `bun:"author"`
	Body      string    `bun:"body"`
	CreatedAt time.Time `bun:"created_at"`
	EditedAt  time.Time `bun:"edited_at,nullzero"`
	// DocumentID is the document attached with the message, if any.
	DocumentID int64         `bun:"document_id,nullzero"`
	HTML       template.HTML `bun:"-"`
	// Editable is set for the viewer's own messages still inside the edit window.
	Editable bool `bun:"-"`
}

// Document is a named document of a request, with its versions.
type Document struct {
	bun.BaseModel `bun:"table:documents"`

	ID          int64  `bun:"id,pk,autoincrement"`
	SpaceID     int64  `bun:"space_id"`
	Name        string `bun:"name"`
	Deliverable bool   `bun:"deliverable"`
	// IntegrationID is the integration whose answer carried the document, if any.
	IntegrationID int64     `bun:"integration_id,nullzero"`
	CreatedBy     int64     `bun:"created_by"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Versions      []Version `bun:"rel:has-many,join:id=document_id"`
}

// Latest returns the document's newest version.
func (d *Document) Latest() *Version {
	if len(d.Versions) == 0 {
		return nil
	}
	return &d.Versions[len(d.Versions)-1]
}

// Version is one upload of a document.
type Version struct {
	bun.BaseModel `bun:"table:document_versions"`

	ID          int64     `bun:"id,pk,autoincrement"`
	DocumentID  int64     `bun:"document_id"`
	Number      int       `bun:"number"`
	Filename    string    `bun:"filename"`
	ContentType string    `bun:"content_type"`
	Size        int64     `bun:"size"`
	SHA256      string    `bun:"sha256"`
	StorageKey  string    `bun:"storage_key"`
	UploadedBy  int64     `bun:"uploaded_by"`
	Uploader    string    `bun:"uploader"`
	CreatedAt   time.Time `bun:"created_at"`
}

// Activity kinds.
var ActivityKinds = []string{"meeting", "analysis", "site_visit", "training", "deliverable", "other"}

// Activity is an entry of the experts' work.
type Activity struct {
	bun.BaseModel `bun:"table:activities"`

	ID          int64     `bun:"id,pk,autoincrement"`
	SpaceID     int64     `bun:"space_id"`
	ExpertID    int64     `bun:"expert_id"`
	Expert      string    `bun:"expert"`
	Kind        string    `bun:"kind"`
	OnDate      time.Time `bun:"on_date"`
	Minutes     int       `bun:"minutes"`
	Description string    `bun:"description"`
	DocumentID  int64     `bun:"document_id,nullzero"`
	CreatedAt   time.Time `bun:"created_at"`
}

// Hours returns the activity's duration in hours.
func (a *Activity) Hours() float64 { return float64(a.Minutes) / 60 }

// Errors of the workspace.
var (
	ErrTooLarge    = errors.New("workspace: the file is larger than allowed")
	ErrFileType    = errors.New("workspace: this kind of file is not accepted")
	ErrMismatch    = errors.New("workspace: the file's content does not match its name")
	ErrQuota       = errors.New("workspace: the space's storage quota is full")
	ErrEditWindow  = errors.New("workspace: the message can no longer be edited")
	ErrNotAuthor   = errors.New("workspace: only the author can edit a message")
	ErrClosed      = errors.New("workspace: the request is closed")
	ErrEmptyFile   = errors.New("workspace: the file is empty")
	ErrBadActivity = errors.New("workspace: the activity is not valid")
)

// Refused reports whether err refuses the file itself (its size, kind, content, the space's quota
// or a closed request) rather than failing to store it: what a caller tells the person.
func Refused(err error) bool {
	for _, r := range []error{ErrTooLarge, ErrFileType, ErrMismatch, ErrQuota, ErrArchive, ErrImage, ErrClosed, ErrEmptyFile} {
		if errors.Is(err, r) {
			return true
		}
	}
	return false
}

// Service owns the workspace's content.
type Service struct {
	db       *db.DB
	files    storage.Store
	requests *request.Service
	// MaxFile is the largest upload; Quota is the total a space may store.
	MaxFile    int64
	Quota      int64
	EditWindow time.Duration
	now        func() time.Time
}

// NewService returns the workspace service.
func NewService(d *db.DB, files storage.Store, requests *request.Service) *Service {
	return &Service{db: d, files: files, requests: requests, MaxFile: 20 << 20, Quota: 2 << 30, EditWindow: 15 * time.Minute,
		now: func() time.Time { return time.Now().UTC() }}
}

// Actor is who acts.
type Actor = request.Actor

// Post adds a message to the thread; an expert's first post starts an assigned request.
func (s *Service) Post(ctx context.Context, who Actor, r *request.Request, expert bool, body string) (*Message, error) {
	return s.PostWith(ctx, who, r, expert, body, 0)
}

// PostWith adds a message with an attached document (uploaded just before) to the thread.
func (s *Service) PostWith(ctx context.Context, who Actor, r *request.Request, expert bool, body string, documentID int64) (*Message, error) {
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	if body == "" {
		return nil, request.FieldErrors{"body": "validation.required"}
	}
	if utf8.RuneCountInString(body) > 20000 {
		return nil, request.FieldErrors{"body": form.TooLong(20000)}
	}
	if !r.State.Open() && r.State != request.Submitted {
		return nil, ErrClosed
	}
	m := &Message{AuthorID: who.UserID, Author: who.Name, Body: body, CreatedAt: s.now(), DocumentID: documentID}
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := once.Claim(ctx, tx); err != nil {
			return err
		}
		var err error
		if m.SpaceID, err = s.ensureRequestSpace(ctx, tx, r.ID); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(m).Returning("id").Exec(ctx); err != nil {
			return db.Map(err)
		}
		if err := once.Done(ctx, tx, "message", m.ID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "request.message",
			ObjectType: "request", ObjectID: r.ID, EnteID: r.EnteID}); err != nil {
			return err
		}
		if expert {
			if err := s.requests.Started(ctx, tx, who, r); err != nil {
				return err
			}
		}
		return s.requests.Emit(ctx, tx, request.Change{RequestID: r.ID, Kind: "message", ActorID: who.UserID, ObjectID: m.ID})
	})
	if err != nil {
		return nil, fmt.Errorf("workspace: post: %w", err)
	}
	m.HTML, _ = content.Render(m.Body)
	return m, nil
}

// Edit changes the author's own message within the edit window; the edit is marked, never silent.
func (s *Service) Edit(ctx context.Context, who Actor, requestID, messageID int64, body string) (*Message, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return nil, request.FieldErrors{"body": "validation.required"}
	}
	m := new(Message)
	if err := s.db.NewSelect().Model(m).Where("id = ?", messageID).Where("space_id = (?)", s.requestSpaceQuery(requestID)).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	if m.AuthorID != who.UserID {
		return nil, ErrNotAuthor
	}
	if s.now().Sub(m.CreatedAt) > s.EditWindow {
		return nil, ErrEditWindow
	}
	m.Body, m.EditedAt = body, s.now()
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model(m).Column("body", "edited_at").WherePK().Exec(ctx); err != nil {
			return db.Map(err)
		}
		return s.requests.Emit(ctx, tx, request.Change{RequestID: requestID, Kind: "edited", ActorID: who.UserID, ObjectID: m.ID})
	})
	if err != nil {
		return nil, err
	}
	m.HTML, _ = content.Render(m.Body)
	return m, nil
}

// MarkEditable flags the messages userID may still edit.
func (s *Service) MarkEditable(msgs []Message, userID int64) {
	now := s.now()
	for i := range msgs {
		msgs[i].Editable = msgs[i].AuthorID == userID && now.Sub(msgs[i].CreatedAt) <= s.EditWindow
	}
}

// requestSpaceQuery selects the id of a request's space.
func (s *Service) requestSpaceQuery(requestID int64) *bun.SelectQuery {
	return s.db.NewSelect().Model((*Space)(nil)).Column("id").Where("kind = ?", KindRequest).Where("request_id = ?", requestID)
}

// spaceOf resolves a request to its space (0 when it has none yet: every read is then empty).
func (s *Service) spaceOf(ctx context.Context, requestID int64) (int64, error) {
	return s.RequestSpace(ctx, requestID)
}

// Messages returns the whole thread of a request's workspace, oldest first, rendered (for the dossier).
func (s *Service) Messages(ctx context.Context, requestID int64) ([]Message, error) {
	sid, err := s.spaceOf(ctx, requestID)
	if err != nil {
		return nil, err
	}
	return s.MessagesIn(ctx, sid)
}

// MessagesIn returns a space's whole thread, oldest first, rendered.
func (s *Service) MessagesIn(ctx context.Context, spaceID int64) ([]Message, error) {
	var out []Message
	if err := s.db.NewSelect().Model(&out).Where("space_id = ?", spaceID).Order("created_at", "id").Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	render(out)
	return out, nil
}

// MessagesBefore returns the n latest messages of a request's workspace older than before (all
// when before is 0), oldest first and rendered, and whether older ones remain.
func (s *Service) MessagesBefore(ctx context.Context, requestID, before int64, n int) ([]Message, bool, error) {
	sid, err := s.spaceOf(ctx, requestID)
	if err != nil {
		return nil, false, err
	}
	return s.MessagesBeforeIn(ctx, sid, before, n)
}

// MessagesBeforeIn is MessagesBefore on a space.
func (s *Service) MessagesBeforeIn(ctx context.Context, spaceID, before int64, n int) ([]Message, bool, error) {
	var out []Message
	q := s.db.NewSelect().Model(&out).Where("space_id = ?", spaceID).OrderExpr("id DESC").Limit(int64(n + 1))
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, false, db.Map(err)
	}
	more := len(out) > n
	if more {
		out = out[:n]
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	render(out)
	return out, more, nil
}

// MessagesAfter returns the messages of a request's workspace newer than after, oldest first and
// rendered, at most n.
func (s *Service) MessagesAfter(ctx context.Context, requestID, after int64, n int) ([]Message, error) {
	sid, err := s.spaceOf(ctx, requestID)
	if err != nil {
		return nil, err
	}
	return s.MessagesAfterIn(ctx, sid, after, n)
}

// MessagesAfterIn is MessagesAfter on a space.
func (s *Service) MessagesAfterIn(ctx context.Context, spaceID, after int64, n int) ([]Message, error) {
	var out []Message
	if err := s.db.NewSelect().Model(&out).Where("space_id = ?", spaceID).Where("id > ?", after).
		OrderExpr("id").Limit(int64(n)).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	render(out)
	return out, nil
}

// MessagesEditedSince returns the messages of a request's workspace up to upTo edited at or after
// since, rendered.
func (s *Service) MessagesEditedSince(ctx context.Context, requestID, upTo int64, since time.Time) ([]Message, error) {
	var out []Message
	if err := s.db.NewSelect().Model(&out).Where("space_id = (?)", s.requestSpaceQuery(requestID)).Where("id <= ?", upTo).
		Where("edited_at >= ?", since).OrderExpr("id").Limit(200).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	render(out)
	return out, nil
}

func render(msgs []Message) {
	for i := range msgs {
		msgs[i].HTML, _ = content.Render(msgs[i].Body)
	}
}

// allowed maps sniffed content types to the extensions they may carry.
var allowed = map[string][]string{
	"application/pdf":    {".pdf"},
	"image/png":          {".png"},
	"image/jpeg":         {".jpg", ".jpeg"},
	"text/csv":           {".csv"},
	"text/plain":         {".txt", ".csv"},
	"application/zip":    {".zip", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"},
	"application/msword": {".doc", ".xls", ".ppt"},
}

// Sniff checks a file's content against the allow list and its extension, and returns the
// content type to store.
func Sniff(name string, data []byte) (string, error) {
	return SniffFrom(name, bytes.NewReader(data), int64(len(data)))
}

// SniffFrom is Sniff on a file read where it lies (a temporary file, a multipart part): only its
// first 512 bytes, an archive's directory and an image's header are read.
func SniffFrom(name string, src io.ReaderAt, size int64) (string, error) {
	if size <= 0 {
		return "", ErrEmptyFile
	}
	head := make([]byte, min(size, 512))
	if n, err := src.ReadAt(head, 0); err != nil && !(err == io.EOF && int64(n) == size) {
		return "", fmt.Errorf("workspace: read upload: %w", err)
	}
	ext := strings.ToLower(filepath.Ext(name))
	detected := http.DetectContentType(head)
	ct := strings.TrimSpace(strings.Split(detected, ";")[0])
	switch {
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}): // OLE2: legacy Office
		ct = "application/msword"
	case ct == "text/plain" && ext == ".csv":
		ct = "text/csv"
	}
	exts, ok := allowed[ct]
	if !ok {
		return "", ErrFileType
	}
	for _, e := range exts {
		if e == ext {
			if err := checkContainer(ct, ext, src, size); err != nil {
				return "", err
			}
			switch ext {
			case ".docx":
				return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", nil
			case ".xlsx":
				return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", nil
			case ".odt":
				return "application/vnd.oasis.opendocument.text", nil
			case ".ods":
				return "application/vnd.oasis.opendocument.spreadsheet", nil
			}
			if ct == "text/plain" || ct == "text/csv" {
				return ct + "; charset=utf-8", nil
			}
			return ct, nil
		}
	}
	return "", ErrMismatch
}

// checkContainer reads, within bounds, the structure of the kinds that have one: an archive's
// directory, an image's header.
func checkContainer(ct, ext string, src io.ReaderAt, size int64) error {
	switch ct {
	case "application/zip":
		return checkArchive(ext, src, size)
	case "image/png", "image/jpeg":
		return checkImage(src, size)
	}
	return nil
}

// Upload stores a file as a new document, or as a new version of documentID when it is not 0.
// The bytes are stored before the row is written; a failure leaves neither.
func (s *Service) Upload(ctx context.Context, who Actor, r *request.Request, expert bool, documentID int64, filename string, data []byte, deliverable bool) (*Document, error) {
	return s.upload(ctx, who, r, expert, documentID, 0, filename, bytesSource(data), deliverable)
}

// UploadFrom is Upload of a file read where it lies (a multipart part, a temporary file): it is
// checked there, and copied to the store only once every check has passed.
func (s *Service) UploadFrom(ctx context.Context, who Actor, r *request.Request, expert bool, documentID int64, filename string, src *io.SectionReader, deliverable bool) (*Document, error) {
	return s.upload(ctx, who, r, expert, documentID, 0, filename, src, deliverable)
}

func bytesSource(data []byte) *io.SectionReader {
	return io.NewSectionReader(bytes.NewReader(data), 0, int64(len(data)))
}

// Check refuses a file the workspace would not store (size, kind, content against its name),
// without storing it.
func (s *Service) Check(filename string, data []byte) error {
	return s.check(filename, bytesSource(data))
}

func (s *Service) check(filename string, src *io.SectionReader) error {
	if src.Size() > s.MaxFile {
		return ErrTooLarge
	}
	_, err := SniffFrom(storage.CleanName(filename, "documento"), src, src.Size())
	return err
}

// AnswerIntegration records the ente's answer to an integration with the files it carries: each
// file is checked first, and none is stored unless the answer is accepted. A file refused after
// the answer (the quota filled meanwhile) is reported; the answer stays.
func (s *Service) AnswerIntegration(ctx context.Context, who Actor, r *request.Request, integrationID int64, answer string, files []File) error {
	for _, f := range files {
		if err := s.check(f.Name, f.source()); err != nil {
			return fmt.Errorf("workspace: answer: %s: %w", f.Name, err)
		}
	}
	if _, err := s.requests.AnswerIntegration(ctx, who, r.ID, integrationID, answer); err != nil {
		return err
	}
	for _, f := range files {
		if _, err := s.upload(ctx, who, r, false, 0, integrationID, f.Name, f.source(), false); err != nil {
			return fmt.Errorf("workspace: answer: %s: %w", f.Name, err)
		}
	}
	return nil
}

// File is an uploaded file's name and its bytes, in memory (Data) or where they lie (Src).
type File struct {
	Name string
	Data []byte
	Src  *io.SectionReader
}

func (f File) source() *io.SectionReader {
	if f.Src != nil {
		return f.Src
	}
	return bytesSource(f.Data)
}

// quotaUsed is the bytes the space's documents take.
func quotaUsed(ctx context.Context, idb bun.IDB, spaceID int64) (int64, error) {
	var used int64
	if err := idb.NewSelect().TableExpr("document_versions AS v").ColumnExpr("COALESCE(SUM(v.size), 0)").
		Join("JOIN documents AS d ON d.id = v.document_id").
		Where("d.space_id = ?", spaceID).Scan(ctx, &used); err != nil {
		return 0, db.Map(err)
	}
	return used, nil
}

// upload checks the file where it lies (size, kind, archive and image limits, quota), then
// streams it to the store, then writes the rows. The quota is checked again inside the
// transaction, so two uploads at once cannot both pass it; bytes stored for an upload whose
// transaction fails are removed by the sweeper after the grace period (storage/sweep).
func (s *Service) upload(ctx context.Context, who Actor, r *request.Request, expert bool, documentID, integrationID int64, filename string, src *io.SectionReader, deliverable bool) (*Document, error) {
	if src.Size() > s.MaxFile {
		return nil, ErrTooLarge
	}
	if !r.State.Open() && r.State != request.Submitted && r.State != request.Draft {
		return nil, ErrClosed
	}
	filename = storage.CleanName(filename, "documento")
	if _, err := SniffFrom(filename, src, src.Size()); err != nil {
		return nil, err
	}
	// The space is known before the bytes are stored: its id names their key.
	spaceID, err := s.RequestSpace(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	if spaceID == 0 {
		if err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) (err error) {
			spaceID, err = s.ensureRequestSpace(ctx, tx, r.ID)
			return err
		}); err != nil {
			return nil, fmt.Errorf("workspace: upload: %w", err)
		}
	}
	doc, err := s.store(ctx, who, spaceID, documentID, filename, src, func(doc *Document) {
		doc.Deliverable, doc.IntegrationID = deliverable && expert, integrationID
	}, func(ctx context.Context, tx bun.Tx, doc *Document, v *Version) error {
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "request.document",
			ObjectType: "request", ObjectID: r.ID, EnteID: r.EnteID, Detail: fmt.Sprintf("%s v%d %s", filename, v.Number, v.SHA256[:12])}); err != nil {
			return err
		}
		if expert {
			if err := s.requests.Started(ctx, tx, who, r); err != nil {
				return err
			}
		}
		return s.requests.Emit(ctx, tx, request.Change{RequestID: r.ID, Kind: "document", ActorID: who.UserID, ObjectID: doc.ID})
	})
	if err != nil {
		return nil, fmt.Errorf("workspace: upload: %w", err)
	}
	return doc, nil
}

// UploadIn stores a file as a new document of a space that is not a request's (a work area's
// library), or as a new version of documentID when it is not 0, with the same checks as a
// request's upload (size, kind against content, archive and image limits, the space's quota).
// within runs inside the transaction that adds the version: the owner's audit entry and events.
func (s *Service) UploadIn(ctx context.Context, who Actor, spaceID, documentID int64, filename string, src *io.SectionReader,
	within func(ctx context.Context, tx bun.Tx, doc *Document, v *Version) error) (*Document, error) {
	if src.Size() > s.MaxFile {
		return nil, ErrTooLarge
	}
	filename = storage.CleanName(filename, "documento")
	if _, err := SniffFrom(filename, src, src.Size()); err != nil {
		return nil, err
	}
	doc, err := s.store(ctx, who, spaceID, documentID, filename, src, nil, within)
	if err != nil {
		return nil, fmt.Errorf("workspace: upload: %w", err)
	}
	return doc, nil
}

// UploadBytes is UploadIn of a file held in memory.
func (s *Service) UploadBytes(ctx context.Context, who Actor, spaceID, documentID int64, filename string, data []byte,
	within func(ctx context.Context, tx bun.Tx, doc *Document, v *Version) error) (*Document, error) {
	return s.UploadIn(ctx, who, spaceID, documentID, filename, bytesSource(data), within)
}

// store adds a checked file (filename already cleaned) to a space: the quota, the bytes to the
// store, then the document (new, shaped by init, or documentID's) and its version, with within
// inside the same transaction.
func (s *Service) store(ctx context.Context, who Actor, spaceID, documentID int64, filename string, src *io.SectionReader,
	init func(*Document), within func(ctx context.Context, tx bun.Tx, doc *Document, v *Version) error) (*Document, error) {
	size := src.Size()
	ct, err := SniffFrom(filename, src, size)
	if err != nil {
		return nil, err
	}
	if used, err := quotaUsed(ctx, s.db, spaceID); err != nil {
		return nil, err
	} else if used+size > s.Quota {
		return nil, ErrQuota // refused before a byte is stored
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(src, 0, size)); err != nil {
		return nil, fmt.Errorf("workspace: read upload: %w", err)
	}
	hash := hex.EncodeToString(h.Sum(nil))
	key := SpaceKey(spaceID, hash)
	if err := s.files.Put(ctx, key, io.NewSectionReader(src, 0, size)); err != nil {
		return nil, fmt.Errorf("workspace: store: %w", err)
	}
	doc := &Document{}
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := once.Claim(ctx, tx); err != nil {
			return err
		}
		// the quota again, where it holds: inside the transaction that adds the version. SQLite
		// runs one write transaction at a time; on PostgreSQL the space's row is locked, so two
		// uploads into the same space take their turn and the second sees the first's version.
		if s.db.Kind == db.Postgres {
			if _, err := tx.ExecContext(ctx, "SELECT id FROM spaces WHERE id = ? FOR UPDATE", spaceID); err != nil {
				return db.Map(err)
			}
		}
		if used, err := quotaUsed(ctx, tx, spaceID); err != nil {
			return err
		} else if used+size > s.Quota {
			return ErrQuota
		}
		now := s.now()
		if documentID == 0 {
			doc = &Document{SpaceID: spaceID, Name: filename, CreatedBy: who.UserID, CreatedAt: now, UpdatedAt: now}
			if init != nil {
				init(doc)
			}
			if _, err := tx.NewInsert().Model(doc).Returning("id").Exec(ctx); err != nil {
				return db.Map(err)
			}
		} else {
			if err := tx.NewSelect().Model(doc).Where("id = ?", documentID).Where("space_id = ?", spaceID).Scan(ctx); err != nil {
				return db.Map(err)
			}
			if _, err := tx.NewUpdate().Model(doc).Set("updated_at = ?", now).WherePK().Exec(ctx); err != nil {
				return db.Map(err)
			}
		}
		var last int
		if err := tx.NewSelect().Model((*Version)(nil)).ColumnExpr("COALESCE(MAX(number), 0)").Where("document_id = ?", doc.ID).Scan(ctx, &last); err != nil {
			return db.Map(err)
		}
		v := &Version{DocumentID: doc.ID, Number: last + 1, Filename: filename, ContentType: ct, Size: size, SHA256: hash,
			StorageKey: key, UploadedBy: who.UserID, Uploader: who.Name, CreatedAt: now}
		if _, err := tx.NewInsert().Model(v).Returning("id").Exec(ctx); err != nil {
			return db.Map(err)
		}
		doc.Versions = append(doc.Versions, *v)
		if err := once.Done(ctx, tx, "document", doc.ID); err != nil {
			return err
		}
		if within != nil {
			return within(ctx, tx, doc, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// Documents returns a request's documents with their versions, oldest first (for the dossier).
func (s *Service) Documents(ctx context.Context, requestID int64) ([]Document, error) {
	sid, err := s.spaceOf(ctx, requestID)
	if err != nil {
		return nil, err
	}
	return s.DocumentsIn(ctx, sid)
}

// DocumentsIn returns a space's documents with their versions, oldest first.
func (s *Service) DocumentsIn(ctx context.Context, spaceID int64) ([]Document, error) {
	var out []Document
	err := s.db.NewSelect().Model(&out).Relation("Versions", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("number") }).
		Where("document.space_id = ?", spaceID).Order("document.created_at", "document.id").Scan(ctx)
	return out, db.Map(err)
}

// DocumentsBefore returns the n newest documents of a request's workspace created before the
// document before (all when it is 0), newest first with their versions, and whether older ones
// remain.
func (s *Service) DocumentsBefore(ctx context.Context, requestID, before int64, n int) ([]Document, bool, error) {
	var out []Document
	q := s.db.NewSelect().Model(&out).Relation("Versions", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("number") }).
		Where("document.space_id = (?)", s.requestSpaceQuery(requestID)).OrderExpr("document.id DESC").Limit(int64(n + 1))
	if before > 0 {
		q = q.Where("document.id < ?", before)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, false, db.Map(err)
	}
	more := len(out) > n
	if more {
		out = out[:n]
	}
	return out, more, nil
}

// DocumentsChangedAfter returns the documents with a version newer than the version afterVersion,
// newest first, with their versions.
func (s *Service) DocumentsChangedAfter(ctx context.Context, requestID, afterVersion int64) ([]Document, error) {
	var out []Document
	err := s.db.NewSelect().Model(&out).Relation("Versions", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("number") }).
		Where("document.space_id = (?)", s.requestSpaceQuery(requestID)).
		Where("document.id IN (?)", s.db.NewSelect().Model((*Version)(nil)).Column("document_id").Where("id > ?", afterVersion)).
		OrderExpr("document.id DESC").Limit(100).Scan(ctx)
	return out, db.Map(err)
}

// DocumentChoices returns the id and name of every document of a request, oldest first, for the
// forms that refer to one.
func (s *Service) DocumentChoices(ctx context.Context, requestID int64) ([]Document, error) {
	var out []Document
	err := s.db.NewSelect().Model(&out).Column("id", "name", "deliverable", "integration_id").
		Where("space_id = (?)", s.requestSpaceQuery(requestID)).Order("id").Scan(ctx)
	return out, db.Map(err)
}

// Newest returns the highest id of a request's messages, document versions, activities and
// integrations: where a live update starts from.
func (s *Service) Newest(ctx context.Context, requestID int64) (msg, version, activity, integration int64, err error) {
	max := func(q *bun.SelectQuery, dst *int64) {
		if err == nil {
			err = db.Map(q.Scan(ctx, dst))
		}
	}
	sid, err := s.spaceOf(ctx, requestID)
	max(s.db.NewSelect().TableExpr("messages").ColumnExpr("COALESCE(MAX(id), 0)").Where("space_id = ?", sid), &msg)
	max(s.db.NewSelect().TableExpr("document_versions AS v").ColumnExpr("COALESCE(MAX(v.id), 0)").
		Join("JOIN documents AS d ON d.id = v.document_id").Where("d.space_id = ?", sid), &version)
	max(s.db.NewSelect().TableExpr("activities").ColumnExpr("COALESCE(MAX(id), 0)").Where("space_id = ?", sid), &activity)
	max(s.db.NewSelect().TableExpr("integrations").ColumnExpr("COALESCE(MAX(id), 0)").Where("request_id = ?", requestID), &integration)
	return msg, version, activity, integration, err
}

// Open returns a version's bytes, checking it belongs to the request's workspace.
func (s *Service) Open(ctx context.Context, requestID, versionID int64) (*Version, io.ReadCloser, error) {
	sid, err := s.spaceOf(ctx, requestID)
	if err != nil {
		return nil, nil, err
	}
	return s.OpenIn(ctx, sid, versionID)
}

// OpenIn returns a version's bytes, checking it belongs to the space.
func (s *Service) OpenIn(ctx context.Context, spaceID, versionID int64) (*Version, io.ReadCloser, error) {
	v := new(Version)
	err := s.db.NewSelect().Model(v).Join("JOIN documents AS d ON d.id = version.document_id").
		Where("version.id = ?", versionID).Where("d.space_id = ?", spaceID).Scan(ctx)
	if err != nil {
		return nil, nil, db.Map(err)
	}
	f, err := s.files.Open(ctx, v.StorageKey)
	return v, f, err
}

// LogActivity records an expert's activity; it starts an assigned request.
func (s *Service) LogActivity(ctx context.Context, who Actor, r *request.Request, a Activity) (*Activity, error) {
	errs := request.FieldErrors{}
	valid := false
	for _, k := range ActivityKinds {
		valid = valid || k == a.Kind
	}
	if !valid {
		errs["kind"] = "validation.choice"
	}
	if a.OnDate.IsZero() || a.OnDate.After(s.now().Add(24*time.Hour)) {
		errs["on_date"] = "workspace.date"
	}
	if a.Minutes < 0 || a.Minutes > 24*60 {
		errs["hours"] = "validation.number"
	}
	if utf8.RuneCountInString(strings.TrimSpace(a.Description)) < 5 {
		errs["description"] = "validation.required"
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if !r.State.Open() {
		return nil, ErrClosed
	}
	a.ExpertID, a.Expert, a.CreatedAt, a.Description = who.UserID, who.Name, s.now(), strings.TrimSpace(a.Description)
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := once.Claim(ctx, tx); err != nil {
			return err
		}
		var err error
		if a.SpaceID, err = s.ensureRequestSpace(ctx, tx, r.ID); err != nil {
			return err
		}
		if a.DocumentID != 0 {
			n, err := tx.NewSelect().Model((*Document)(nil)).Where("id = ?", a.DocumentID).Where("space_id = ?", a.SpaceID).Count(ctx)
			if err != nil || n == 0 {
				a.DocumentID = 0
			}
		}
		if _, err := tx.NewInsert().Model(&a).Returning("id").Exec(ctx); err != nil {
			return db.Map(err)
		}
		if err := once.Done(ctx, tx, "activity", a.ID); err != nil {
			return err
		}
		if err := s.requests.Started(ctx, tx, who, r); err != nil {
			return err
		}
		return s.requests.Emit(ctx, tx, request.Change{RequestID: r.ID, Kind: "activity", ActorID: who.UserID, ObjectID: a.ID})
	})
	if err != nil {
		return nil, fmt.Errorf("workspace: activity: %w", err)
	}
	return &a, nil
}

// Activities returns a request's activities, oldest first.
func (s *Service) Activities(ctx context.Context, requestID int64) ([]Activity, error) {
	sid, err := s.spaceOf(ctx, requestID)
	if err != nil {
		return nil, err
	}
	return s.ActivitiesIn(ctx, sid)
}

// ActivitiesIn returns a space's activities, oldest first.
func (s *Service) ActivitiesIn(ctx context.Context, spaceID int64) ([]Activity, error) {
	var out []Activity
	err := s.db.NewSelect().Model(&out).Where("space_id = ?", spaceID).Order("on_date", "created_at", "id").Scan(ctx)
	return out, db.Map(err)
}

// Entry is one line of the timeline: a state change or an activity.
type Entry struct {
	At       time.Time
	Event    *request.Event
	Activity *Activity
}

// Timeline merges a request's events and activities in the order they happened: by day (an
// activity's day is the one it took place on), then by the time each was recorded, then by id.
func Timeline(events []request.Event, acts []Activity) []Entry {
	type keyed struct {
		e        Entry
		day      string
		recorded time.Time
		id       int64
	}
	var all []keyed
	for i := range events {
		all = append(all, keyed{Entry{At: events[i].At, Event: &events[i]}, events[i].At.UTC().Format("2006-01-02"), events[i].At, events[i].ID})
	}
	for i := range acts {
		all = append(all, keyed{Entry{At: acts[i].OnDate, Activity: &acts[i]}, acts[i].OnDate.UTC().Format("2006-01-02"), acts[i].CreatedAt, acts[i].ID})
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.day != b.day {
			return a.day < b.day
		}
		if !a.recorded.Equal(b.recorded) {
			return a.recorded.Before(b.recorded)
		}
		return a.id < b.id
	})
	out := make([]Entry, len(all))
	for i := range all {
		out[i] = all[i].e
	}
	return out
}

// TimelineOf returns a request's merged timeline.
func (s *Service) TimelineOf(ctx context.Context, requestID int64) ([]Entry, error) {
	acts, err := s.Activities(ctx, requestID)
	if err != nil {
		return nil, err
	}
	events, err := s.requests.Timeline(ctx, requestID)
	if err != nil {
		return nil, err
	}
	return Timeline(events, acts), nil
}

// SetClock replaces the service's clock.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

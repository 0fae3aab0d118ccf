package media

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"passhub/app/audit"
	"passhub/app/db"
	"passhub/app/form"
	"passhub/app/storage"
)

// Longest alt text and title kept, in characters.
const (
	MaxAlt   = 300
	MaxTitle = 200
)

// Actor is who uploads, describes or deletes a medium, for the audit trail.
type Actor struct {
	UserID int64
	Name   string
	IP     string
}

// ErrInUse is the error of a deletion refused because a revision uses the medium (InUse says
// which entries).
var ErrInUse = errors.New("media: the file is used by an entry")

// InUse refuses the deletion of a medium that revisions of Entries use.
type InUse struct{ Entries []User }

func (e *InUse) Error() string        { return fmt.Sprintf("media: used by %d entries", len(e.Entries)) }
func (e *InUse) Is(target error) bool { return target == ErrInUse }

// Service owns the library's rules.
type Service struct {
	db    *db.DB
	files storage.Store
	store Store
	// MaxFile is the largest file accepted, in bytes (config.Config.UploadLimit).
	MaxFile int64
	now     func() time.Time
}

// NewService returns the library's service over the database and the store of uploaded files.
func NewService(d *db.DB, files storage.Store, maxFile int64) *Service {
	return &Service{db: d, files: files, MaxFile: maxFile, now: time.Now}
}

// Upload is a file sent to the library with its description.
type Upload struct {
	// Name is the file's name as the browser sent it; it is cleaned before it is kept.
	Name string
	// Src is the file where it lies (a multipart part, a temporary file); nil when none was sent.
	Src   *io.SectionReader
	Alt   string
	Title string
}

// Add checks an upload and keeps it: the bytes go to the store under a key of their own, then
// the row is written; when the row cannot be written the object is removed, so nothing is left
// behind. What is wrong is reported by field (form.Errors: "file", "alt", "title"), all at once,
// and then nothing is stored.
func (s *Service) Add(ctx context.Context, who Actor, u Upload) (*Media, error) {
	errs := form.Errors{}
	alt, title := clean(u.Alt), clean(u.Title)
	name := storage.CleanName(u.Name, "file")
	var f found
	switch {
	case u.Src == nil:
		errs["file"] = ErrMsgNoFile
	case u.Src.Size() > s.MaxFile:
		errs["file"] = ErrMsgTooLarge
	default:
		var err error
		f, err = check(name, u.Src, u.Src.Size())
		var ce errCheck
		if errors.As(err, &ce) {
			errs["file"] = string(ce)
		} else if err != nil {
			return nil, err
		}
	}
	describe(errs, f.kind == KindImage || u.Src == nil && looksLikeImage(name), alt, title)
	if len(errs) > 0 {
		return nil, errs
	}
	key, err := newKey()
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	if err := s.files.Put(ctx, key, io.TeeReader(io.NewSectionReader(u.Src, 0, u.Src.Size()), h)); err != nil {
		return nil, fmt.Errorf("media: store %s: %w", name, err)
	}
	now := s.now().UTC()
	m := &Media{Kind: f.kind, Name: name, URLName: urlName(name), Title: title, Alt: alt, ContentType: f.contentType,
		Size: u.Src.Size(), SHA256: hex.EncodeToString(h.Sum(nil)), Width: f.width, Height: f.height, StorageKey: key,
		UploadedBy: who.UserID, Uploader: who.Name, CreatedAt: now, UpdatedAt: now}
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.Insert(ctx, tx, m); err != nil {
			return err
		}
		return record(ctx, tx, who, "media.upload", m.ID, m.Name)
	})
	if err != nil {
		// The row is not there: take the object away too (the sweeper would, after its grace).
		_ = s.files.Delete(context.WithoutCancel(ctx), key)
		return nil, err
	}
	return m, nil
}

// looksLikeImage tells, for a form sent without a file, whether its name says image, so that
// the alt text is asked for with the missing file.
func looksLikeImage(name string) bool { return isImageExt(strings.ToLower(path.Ext(name))) }

// describe checks a description: alt text required for an image, both within their lengths.
func describe(errs form.Errors, image bool, alt, title string) {
	switch {
	case image && alt == "":
		errs["alt"] = ErrMsgAlt
	case utf8.RuneCountInString(alt) > MaxAlt:
		errs["alt"] = ErrMsgAltLong
	}
	if utf8.RuneCountInString(title) > MaxTitle {
		errs["title"] = ErrMsgTitleLong
	}
}

// clean is a one-line text as typed: its runs of white space, line breaks included, made one
// space, trimmed.
func clean(s string) string { return strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " ") }

// newKey is a fresh storage key: each medium has its own object, so removing one never takes
// another's bytes, even when two hold the same file.
func newKey() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "media/" + hex.EncodeToString(b), nil
}

// Get returns medium id (db.ErrNotFound when none).
func (s *Service) Get(ctx context.Context, id int64) (*Media, error) {
	return s.store.Get(ctx, s.db, id)
}

// List returns the media q selects, newest first, and their total.
func (s *Service) List(ctx context.Context, q Query) ([]Media, int, error) {
	if !q.Kind.Valid() {
		q.Kind = ""
	}
	return s.store.List(ctx, s.db, q)
}

// Open returns a reader over the bytes of m.
func (s *Service) Open(ctx context.Context, m *Media) (io.ReadCloser, error) {
	return s.files.Open(ctx, m.StorageKey)
}

// Describe changes the alt text and title of medium id; an image keeps an alt text. Entries
// that show the medium keep the text their snippet was pasted with.
func (s *Service) Describe(ctx context.Context, who Actor, id int64, alt, title string) (*Media, error) {
	alt, title = clean(alt), clean(title)
	var m *Media
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if m, err = s.store.Get(ctx, tx, id); err != nil {
			return err
		}
		errs := form.Errors{}
		describe(errs, m.Image(), alt, title)
		if len(errs) > 0 {
			return errs
		}
		m.Alt, m.Title, m.UpdatedAt = alt, title, s.now().UTC()
		if err := s.store.Describe(ctx, tx, m); err != nil {
			return err
		}
		return record(ctx, tx, who, "media.describe", m.ID, m.Name)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Users returns the entries (at most limit) whose revisions use medium id.
func (s *Service) Users(ctx context.Context, id int64, limit int) ([]User, error) {
	return s.store.Users(ctx, s.db, id, limit)
}

// Delete removes medium id unless a revision of any entry, in any state, contains its path
// (*InUse then, with the entries): no page, published or restored later, loses a file it shows.
// The row goes first, in its transaction; its object is removed once that committed, so a row
// never points to a missing object (an object whose removal failed is the sweeper's).
func (s *Service) Delete(ctx context.Context, who Actor, id int64) error {
	var m *Media
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if m, err = s.store.Get(ctx, tx, id); err != nil {
			return err
		}
		users, err := s.store.Users(ctx, tx, id, 10)
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return &InUse{Entries: users}
		}
		if err := s.store.Delete(ctx, tx, id); err != nil {
			return err
		}
		return record(ctx, tx, who, "media.delete", id, m.Name)
	})
	if err != nil {
		return err
	}
	// The row is gone: an object whose removal fails now is the sweeper's.
	_ = s.files.Delete(context.WithoutCancel(ctx), m.StorageKey)
	return nil
}

func record(ctx context.Context, tx bun.IDB, who Actor, action string, id int64, name string) error {
	actor := who.Name
	if actor == "" {
		actor = "system"
	}
	return audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: actor, IP: who.IP, Action: action,
		ObjectType: "media", ObjectID: id, Detail: "media " + strconv.FormatInt(id, 10) + ": " + name})
}

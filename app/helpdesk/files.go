package helpdesk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/audit"
	"passhub/app/db"
	"passhub/app/form"
	"passhub/app/mail"
	"passhub/app/storage"
	"passhub/app/workspace"
)

// File is a file attached to a message of a ticket. Its bytes are in the storage port under
// StorageKey (helpdesk/<sha256>: the same bytes attached twice are stored once); the row is what
// keeps them (the storage sweep removes an object no row names, backups check every one).
type File struct {
	bun.BaseModel `bun:"table:helpdesk_files"`

	ID          int64     `bun:"id,pk,autoincrement"`
	TicketID    int64     `bun:"ticket_id"`
	MessageID   int64     `bun:"message_id"`
	Name        string    `bun:"name"`
	ContentType string    `bun:"content_type"`
	Size        int64     `bun:"size"`
	SHA256      string    `bun:"sha256"`
	StorageKey  string    `bun:"storage_key"`
	CreatedBy   int64     `bun:"created_by,nullzero"`
	CreatedAt   time.Time `bun:"created_at"`
}

// MaxFiles is how many files one message carries at most (an inbound mail too: app/inbound's
// MaxAttachments).
const MaxFiles = 10

// Upload is a file as it arrives: its declared name and its bytes where they lie (a multipart
// part, a temporary file, a mail's decoded part).
type Upload struct {
	Name string
	Src  *io.SectionReader
}

// BytesUpload is an Upload of bytes held in memory.
func BytesUpload(name string, data []byte) Upload {
	return Upload{Name: name, Src: io.NewSectionReader(bytes.NewReader(data), 0, int64(len(data)))}
}

// ErrTooManyFiles refuses a message with more than MaxFiles files.
var ErrTooManyFiles = errors.New("helpdesk: too many files")

// FileRefused is a file refused by the content check of every upload (workspace.SniffFrom: the
// allow list, the content against the name, archive and image limits) or by its size.
type FileRefused struct {
	Name string
	Err  error
}

func (e *FileRefused) Error() string { return fmt.Sprintf("helpdesk: file %q: %v", e.Name, e.Err) }

func (e *FileRefused) Unwrap() error { return e.Err }

// Message is the message id (with its arguments) that explains the refusal to the person.
func (e *FileRefused) Message(maxFile int64) string {
	switch {
	case errors.Is(e.Err, workspace.ErrTooLarge):
		return form.With("helpdesk.file.large", "Name", e.Name, "Max", maxFile>>20)
	case errors.Is(e.Err, workspace.ErrMismatch):
		return form.With("helpdesk.file.mismatch", "Name", e.Name)
	case errors.Is(e.Err, workspace.ErrImage):
		return form.With("helpdesk.file.image", "Name", e.Name)
	case errors.Is(e.Err, workspace.ErrArchive):
		return form.With("helpdesk.file.archive", "Name", e.Name)
	case errors.Is(e.Err, workspace.ErrEmptyFile):
		return form.With("helpdesk.file.empty", "Name", e.Name)
	}
	return form.With("helpdesk.file.type", "Name", e.Name)
}

// reasonIt is the refusal in Italian, for the note of a mail's refused attachment (a mail's
// ticket is in Italian).
func reasonIt(err error) string {
	switch {
	case errors.Is(err, workspace.ErrTooLarge):
		return "più grande del limite"
	case errors.Is(err, workspace.ErrMismatch):
		return "il contenuto non corrisponde all'estensione del nome"
	case errors.Is(err, workspace.ErrImage):
		return "immagine danneggiata o troppo grande"
	case errors.Is(err, workspace.ErrArchive):
		return "archivio danneggiato o troppo grande una volta estratto"
	case errors.Is(err, workspace.ErrEmptyFile):
		return "file vuoto"
	}
	return "tipo di file non accettato"
}

// checked is an upload that passed the checks, with what its row records.
type checked struct {
	name, contentType, sha string
	src                    *io.SectionReader
}

// CheckFile checks one upload as every upload is checked: its size against MaxFile, its content
// against the allow list and its name. It stores nothing.
func (s *Service) CheckFile(u Upload) error {
	_, err := s.checkFile(u)
	return err
}

func (s *Service) checkFile(u Upload) (checked, error) {
	name := storage.CleanName(u.Name, "allegato")
	if u.Src == nil {
		return checked{}, &FileRefused{Name: name, Err: workspace.ErrEmptyFile}
	}
	if s.MaxFile > 0 && u.Src.Size() > s.MaxFile {
		return checked{}, &FileRefused{Name: name, Err: workspace.ErrTooLarge}
	}
	ct, err := workspace.SniffFrom(name, u.Src, u.Src.Size())
	if err != nil {
		return checked{}, &FileRefused{Name: name, Err: err}
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(u.Src, 0, u.Src.Size())); err != nil {
		return checked{}, fmt.Errorf("helpdesk: read %q: %w", name, err)
	}
	return checked{name: name, contentType: ct, sha: hex.EncodeToString(h.Sum(nil)), src: u.Src}, nil
}

// prepare checks every file of a message and stores the bytes of those that pass, before the
// message's transaction: a refused file refuses the whole message and nothing is stored. Bytes
// stored for a message whose transaction then fails are removed by the storage sweep.
func (s *Service) prepare(ctx context.Context, files []Upload) ([]checked, error) {
	if len(files) == 0 {
		return nil, nil
	}
	if len(files) > MaxFiles {
		return nil, ErrTooManyFiles
	}
	if s.Files == nil {
		return nil, errors.New("helpdesk: no file storage")
	}
	out := make([]checked, 0, len(files))
	for _, u := range files {
		c, err := s.checkFile(u)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	for _, c := range out {
		if err := s.Files.Put(ctx, fileKey(c.sha), io.NewSectionReader(c.src, 0, c.src.Size())); err != nil {
			return nil, fmt.Errorf("helpdesk: store %q: %w", c.name, err)
		}
	}
	return out, nil
}

func fileKey(sha string) string { return "helpdesk/" + sha }

// attach writes the rows of a message's stored files inside its transaction, each with its audit
// entry.
func (s *Service) attach(ctx context.Context, tx bun.Tx, who Actor, t *Ticket, m *Message, files []checked) error {
	for _, c := range files {
		f := &File{TicketID: t.ID, MessageID: m.ID, Name: c.name, ContentType: c.contentType, Size: c.src.Size(), SHA256: c.sha,
			StorageKey: fileKey(c.sha), CreatedBy: who.UserID, CreatedAt: m.CreatedAt}
		if _, err := tx.NewInsert().Model(f).Returning("id").Exec(ctx); err != nil {
			return fmt.Errorf("helpdesk: file %q: %w", c.name, db.Map(err))
		}
		m.Files = append(m.Files, *f)
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "helpdesk.file",
			ObjectType: "ticket", ObjectID: t.ID, EnteID: t.EnteID, Detail: fmt.Sprintf("%s %s", c.name, c.sha[:12])}); err != nil {
			return err
		}
	}
	return nil
}

// withFiles sets the files of each message of a thread.
func (s *Service) withFiles(ctx context.Context, ticketID int64, msgs []Message) error {
	if len(msgs) == 0 {
		return nil
	}
	var files []File
	if err := s.db.NewSelect().Model(&files).Where("ticket_id = ?", ticketID).Order("id").Scan(ctx); err != nil {
		return fmt.Errorf("helpdesk: files of %d: %w", ticketID, db.Map(err))
	}
	byMsg := map[int64][]File{}
	for _, f := range files {
		byMsg[f.MessageID] = append(byMsg[f.MessageID], f)
	}
	for i := range msgs {
		msgs[i].Files = byMsg[msgs[i].ID]
	}
	return nil
}

// PublicFiles lists the files of a ticket's public messages (not its internal notes'), oldest first.
func (s *Service) PublicFiles(ctx context.Context, ticketID int64) ([]File, error) {
	var files []File
	err := s.db.NewSelect().Model(&files).Join("JOIN helpdesk_messages AS m ON m.id = file.message_id").
		Where("file.ticket_id = ?", ticketID).Where("m.kind = ?", KindPublic).Order("file.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("helpdesk: files of %d: %w", ticketID, db.Map(err))
	}
	return files, nil
}

// OpenFile returns a file of a ticket and its bytes; notes says whether the files of internal
// notes may be opened (the operators'). Another ticket's file, or a note's without notes, is
// not found.
func (s *Service) OpenFile(ctx context.Context, ticketID, fileID int64, notes bool) (*File, io.ReadCloser, error) {
	f := new(File)
	q := s.db.NewSelect().Model(f).Join("JOIN helpdesk_messages AS m ON m.id = file.message_id").
		Where("file.id = ?", fileID).Where("file.ticket_id = ?", ticketID)
	if !notes {
		q = q.Where("m.kind = ?", KindPublic)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, nil, db.Map(err)
	}
	if s.Files == nil {
		return nil, nil, db.ErrNotFound
	}
	r, err := s.Files.Open(ctx, f.StorageKey)
	if err != nil {
		return nil, nil, fmt.Errorf("helpdesk: file %d: %w", f.ID, err)
	}
	return f, r, nil
}

// MailFilesMax bounds the bytes of the files an answer's mail carries (before the base64 of the
// mail, which adds a third): the files that fit go with it, in their order, and the mail's text
// names the others.
const MailFilesMax = 10 << 20

// LeftFile is a file of an answer that its mail does not carry: over MailFilesMax, or no longer
// in the storage (Missing).
type LeftFile struct {
	Name    string
	Missing bool
}

// mailFiles reads the files of a message for its mail, in order, as long as their total stays
// within max; the others are left and named. A file the storage no longer has is left too, so a
// mail is never held back for good by it; any other storage error is returned (the job retries).
func mailFiles(ctx context.Context, store storage.Store, files []File, max int64) ([]mail.Attachment, []LeftFile, error) {
	var out []mail.Attachment
	var left []LeftFile
	var total int64
	for _, f := range files {
		if f.Size > max-total {
			left = append(left, LeftFile{Name: f.Name})
			continue
		}
		if store == nil {
			left = append(left, LeftFile{Name: f.Name, Missing: true})
			continue
		}
		r, err := store.Open(ctx, f.StorageKey)
		if errors.Is(err, storage.ErrNotFound) {
			left = append(left, LeftFile{Name: f.Name, Missing: true})
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("helpdesk: file %d for the mail: %w", f.ID, err)
		}
		data, err := io.ReadAll(io.LimitReader(r, max-total+1))
		r.Close()
		if errors.Is(err, storage.ErrNotFound) {
			left = append(left, LeftFile{Name: f.Name, Missing: true})
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("helpdesk: file %d for the mail: %w", f.ID, err)
		}
		if int64(len(data)) > max-total { // the stored bytes are more than the row says
			left = append(left, LeftFile{Name: f.Name})
			continue
		}
		total += int64(len(data))
		out = append(out, mail.Attachment{Name: f.Name, ContentType: f.ContentType, Data: data})
	}
	return out, left, nil
}

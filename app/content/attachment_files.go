package content

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/db"
	"passhub/app/storage"
)

// AttachmentKey is the storage key of an attachment's bytes: named by their SHA-256, so the same
// file attached to several entries, or imported again, is one object.
func AttachmentKey(sha256 string) string { return "content/" + sha256 }

// storeAttachments puts the bytes of atts in the store and leaves in each row only the key. It
// runs in the import's transaction, once the files were read and checked; an object whose row
// rolls back is removed by the storage sweeper.
func (s *Service) storeAttachments(ctx context.Context, atts []Attachment) error {
	if s.Files == nil {
		return nil // no store (tests of the content package alone): the bytes stay in the row
	}
	for i := range atts {
		a := &atts[i]
		if a.StorageKey != "" {
			continue
		}
		key := AttachmentKey(a.SHA256)
		if err := s.Files.Put(ctx, key, bytes.NewReader(a.Data)); err != nil {
			return fmt.Errorf("content: store attachment %s: %w", a.Name, err)
		}
		a.StorageKey, a.Data = key, []byte{}
	}
	return nil
}

// attachNew stores the files a new entry's draft comes with and adds them to the entry.
func (s *Service) attachNew(ctx context.Context, tx bun.IDB, e *Entry, files []NewFile) error {
	if len(files) == 0 {
		return nil
	}
	atts := make([]Attachment, len(files))
	for i, f := range files {
		sum := sha256.Sum256(f.Data)
		atts[i] = Attachment{Name: f.Name, Title: f.Title, ContentType: contentType(f.Name, f.Data), Size: int64(len(f.Data)),
			SHA256: hex.EncodeToString(sum[:]), Data: f.Data, CreatedAt: time.Now().UTC()}
	}
	if err := s.storeAttachments(ctx, atts); err != nil {
		return err
	}
	return s.store.InsertAttachments(ctx, tx, e.ID, atts)
}

// OpenAttachment returns a reader over an attachment's bytes: from the store, or from the row for
// one not moved yet.
func (s *Service) OpenAttachment(ctx context.Context, a *Attachment) (io.ReadCloser, error) {
	return OpenAttachment(ctx, s.Files, a)
}

// OpenAttachment opens a's bytes in files (or its row's, before they were moved).
func OpenAttachment(ctx context.Context, files storage.Store, a *Attachment) (io.ReadCloser, error) {
	if a.StorageKey == "" || files == nil {
		return io.NopCloser(bytes.NewReader(a.Data)), nil
	}
	return files.Open(ctx, a.StorageKey)
}

// MoveAttachmentBlobs moves the bytes of attachments still held in the database into the store,
// a few rows at a time: each object is stored, then its row gets the key and loses the bytes. It
// runs at every start after the migrations and does nothing once every row is moved; stopped
// halfway, it goes on next time (a row moved twice stores the same object again).
func (s *Service) MoveAttachmentBlobs(ctx context.Context) (int, error) {
	if s.Files == nil {
		return 0, nil
	}
	moved := 0
	for {
		var batch []Attachment
		if err := s.db.NewSelect().Model(&batch).Where("storage_key = ''").Order("id").Limit(20).Scan(ctx); err != nil {
			return moved, fmt.Errorf("content: attachments to move: %w", db.Map(err))
		}
		if len(batch) == 0 {
			return moved, nil
		}
		for _, a := range batch {
			key := AttachmentKey(a.SHA256)
			if err := s.Files.Put(ctx, key, bytes.NewReader(a.Data)); err != nil {
				return moved, fmt.Errorf("content: move attachment %d: %w", a.ID, err)
			}
			if _, err := s.db.NewUpdate().Model((*Attachment)(nil)).Set("storage_key = ?", key).Set("data = ?", []byte{}).
				Where("id = ?", a.ID).Where("storage_key = ''").Exec(ctx); err != nil {
				return moved, fmt.Errorf("content: move attachment %d: %w", a.ID, db.Map(err))
			}
			moved++
		}
	}
}

// exportAttachment copies an attachment's bytes to path.
func (s *Service) exportAttachment(ctx context.Context, path string, a *Attachment) error {
	r, err := s.OpenAttachment(ctx, a)
	if err != nil {
		return fmt.Errorf("content: export %s: %w", a.Name, err)
	}
	defer r.Close()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("content: export: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("content: export: %w", err)
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("content: export %s: %w", a.Name, err)
	}
	return f.Close()
}

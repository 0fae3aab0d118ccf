package app_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/content"
)

// Content attachments live in the storage port, not in the database: imported ones are stored
// by key, and bytes left in a row by an older version are moved out at start (Migrate), after
// which the download and the search index read them from the store.
func TestAttachmentsLiveInTheStore(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	var atts []content.Attachment
	if err := s.DB.NewSelect().Model(&atts).Order("id").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if len(atts) == 0 {
		t.Fatal("the shipped content has no attachment")
	}
	for _, a := range atts {
		if a.StorageKey != content.AttachmentKey(a.SHA256) || len(a.Data) != 0 {
			t.Errorf("%s: key %q, %d bytes in the row", a.Name, a.StorageKey, len(a.Data))
		}
	}
	a := atts[0]
	var e content.Entry
	if err := s.DB.NewSelect().Model(&e).Where("id = ?", a.EntryID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	original, err := os.ReadFile(filepath.Join(apptest.ContentDir(), e.Type.Dir(), content.AttachmentsDir, a.Name))
	if err != nil {
		t.Fatal(err)
	}
	href := "/report/" + e.Slug + "/allegati/" + a.Name
	if res, body := s.Get(t, href); res.StatusCode != 200 || body != string(original) {
		t.Fatalf("GET %s = %d, %d bytes, want the %d of the file", href, res.StatusCode, len(body), len(original))
	}

	// a row as an older version left it: the bytes in the database, nothing in the store
	if err := s.Files.Delete(ctx, a.StorageKey); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.NewUpdate().Model((*content.Attachment)(nil)).Set("storage_key = ''").Set("data = ?", original).
		Where("id = ?", a.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if res, body := s.Get(t, href); res.StatusCode != 200 || body != string(original) {
		t.Errorf("before the move GET %s = %d, %d bytes", href, res.StatusCode, len(body))
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var moved content.Attachment
	if err := s.DB.NewSelect().Model(&moved).Where("id = ?", a.ID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if moved.StorageKey != a.StorageKey || len(moved.Data) != 0 {
		t.Errorf("after the move: key %q, %d bytes in the row", moved.StorageKey, len(moved.Data))
	}
	f, err := s.Files.Open(ctx, a.StorageKey)
	if err != nil {
		t.Fatalf("the moved bytes are not in the store: %v", err)
	}
	stored, _ := io.ReadAll(f)
	f.Close()
	if string(stored) != string(original) {
		t.Errorf("stored %d bytes, want %d", len(stored), len(original))
	}
	if res, body := s.Get(t, href); res.StatusCode != 200 || body != string(original) {
		t.Errorf("after the move GET %s = %d, %d bytes", href, res.StatusCode, len(body))
	}
	// the sweeper keeps what an attachment references
	sw := *s.Sweeper
	sw.Now = func() time.Time { return time.Now().Add(s.Config.StorageGrace + time.Hour) }
	if removed, err := sw.Sweep(ctx); err != nil || len(removed) != 0 {
		t.Errorf("sweep removed %v, %v", removed, err)
	}
}

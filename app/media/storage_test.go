package media_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passhub/app/backup"
	"passhub/app/media"
	"passhub/app/storage/sweep"
)

// TestSweepAndBackup: the storage sweep never takes a medium's object however old, and removes a
// media/ object no row references; a backup counts media objects among the files rows refer to,
// and refuses to complete when a medium's object is missing.
func TestSweepAndBackup(t *testing.T) {
	t.Parallel()
	a, svc := newService(t, 20<<20)
	ctx := context.Background()
	m, err := svc.Add(ctx, editor, media.Upload{Name: "foto.png", Src: section(pngFile(t, 2, 2)), Alt: "Foto"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Files.Put(ctx, "media/orfano", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	s := &sweep.Sweeper{DB: a.DB, Files: a.Files, Grace: time.Hour, Now: func() time.Time { return time.Now().Add(48 * time.Hour) }}
	removed, err := s.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(removed, " ") != "media/orfano" {
		t.Errorf("swept %v", removed)
	}
	if keys := objects(t, a.Files); len(keys) != 1 || keys[0] != m.StorageKey {
		t.Errorf("left %v", keys)
	}

	before, err := backup.Backup(ctx, a.Config, a.Files, filepath.Join(t.TempDir(), "a.tar"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range before.Parts {
		found = found || p.Path == "uploads/"+m.StorageKey
	}
	for _, tb := range before.Tables {
		if tb.Name == "media" && tb.Rows != 1 {
			t.Errorf("media table: %d rows", tb.Rows)
		}
	}
	if !found {
		t.Error("the medium's object is not in the backup")
	}
	if err := a.Files.Delete(ctx, m.StorageKey); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Backup(ctx, a.Config, a.Files, filepath.Join(t.TempDir(), "b.tar")); err == nil || !strings.Contains(err.Error(), m.StorageKey) {
		t.Errorf("backup with a medium's object missing: %v", err)
	}
}

package localfs

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passhub/app/storage"
)

func TestPutOpenDelete(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Put(ctx, "protocols/1/abc.pdf", strings.NewReader("%PDF-1.7")); err != nil {
		t.Fatal(err)
	}
	r, err := s.Open(ctx, "protocols/1/abc.pdf")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if string(b) != "%PDF-1.7" {
		t.Errorf("read %q", b)
	}
	leftovers, _ := filepath.Glob(filepath.Join(s.dir, "protocols/1/.upload-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	if err := s.Delete(ctx, "protocols/1/abc.pdf"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(ctx, "protocols/1/abc.pdf"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("deleted blob: %v", err)
	}
}

func TestKeysCannotEscape(t *testing.T) {
	s, _ := New(t.TempDir())
	for _, k := range []string{"../x", "/etc/passwd", "a/../../x", "", "A B", "a//b"} {
		if err := s.Put(context.Background(), k, strings.NewReader("x")); err == nil {
			t.Errorf("key %q accepted", k)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(s.dir), "x")); err == nil {
		t.Error("a file escaped the folder")
	}
}

// After the rename, the file's folder is synced (so the new name survives a power loss), and so
// are the parents of the folders Put had to make.
func TestPutSyncsTheFolders(t *testing.T) {
	root := t.TempDir()
	s, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	var synced []string
	orig := syncDir
	t.Cleanup(func() { syncDir = orig })
	final := filepath.Join(root, "requests", "7", "abc.pdf")
	syncDir = func(dir string) error {
		if _, err := os.Stat(final); err != nil {
			t.Errorf("%s synced before the file was renamed into place", dir)
		}
		synced = append(synced, dir)
		return orig(dir)
	}
	if err := s.Put(context.Background(), "requests/7/abc.pdf", strings.NewReader("%PDF-1.7")); err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(root, "requests", "7"), filepath.Join(root, "requests"), root}
	if strings.Join(synced, "|") != strings.Join(want, "|") {
		t.Errorf("synced %v, want %v", synced, want)
	}
	synced = nil
	if err := s.Put(context.Background(), "requests/7/def.pdf", strings.NewReader("%PDF-1.7")); err != nil {
		t.Fatal(err)
	}
	if len(synced) != 1 || synced[0] != filepath.Join(root, "requests", "7") {
		t.Errorf("second file in an existing folder: synced %v", synced)
	}
}

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

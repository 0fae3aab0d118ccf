// Package localfs stores uploaded files in a local folder (PASSHUB_DATA_DIR/uploads), writing
// each through a temporary file renamed into place so a reader never sees half a file.
package localfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"passhub/app/storage"
)

func init() {
	storage.Register("local", func(o storage.Options) (storage.Store, error) {
		dir := o.Settings["dir"]
		if dir == "" {
			dir = filepath.Join(o.DataDir, "uploads")
		}
		return New(dir)
	})
}

// Store is a folder of blobs.
type Store struct{ dir string }

// New returns a store in dir, creating it when missing.
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("localfs: %w", err)
	}
	return &Store{dir: dir}, nil
}

var validKey = regexp.MustCompile(`^[a-z0-9][a-z0-9/_.-]{0,200}$`)

func (s *Store) path(key string) (string, error) {
	if !validKey.MatchString(key) || filepath.Clean(key) != key || filepath.IsAbs(key) || key == ".." || len(key) > 2 && key[:3] == "../" {
		return "", fmt.Errorf("localfs: invalid key %q", key)
	}
	return filepath.Join(s.dir, filepath.FromSlash(key)), nil
}

// Put writes r under key atomically.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	created, err := mkdirAll(filepath.Dir(p))
	if err != nil {
		return fmt.Errorf("localfs: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return fmt.Errorf("localfs: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return fmt.Errorf("localfs: write %s: %w", key, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("localfs: sync %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("localfs: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("localfs: %w", err)
	}
	// The rename and any folder just made are entries of their parent folders: sync those too, or
	// a power loss can forget a file whose row the caller is about to commit.
	for _, dir := range append([]string{filepath.Dir(p)}, created...) {
		if err := syncDir(dir); err != nil {
			return fmt.Errorf("localfs: sync %s: %w", dir, err)
		}
	}
	return nil
}

// mkdirAll makes dir and its missing parents, and returns the parents of the folders it made,
// innermost first.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		missing = append(missing, filepath.Dir(d))
	}
	return missing, os.MkdirAll(dir, 0o750)
}

// syncDir makes a folder's entries durable; a variable so tests can watch it.
var syncDir = func(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Open returns the blob under key.
func (s *Store) Open(_ context.Context, key string) (io.ReadCloser, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("localfs: %s: %w", key, storage.ErrNotFound)
	}
	return f, err
}

// Delete removes the blob under key; a missing key is not an error.
func (s *Store) Delete(_ context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("localfs: %w", err)
	}
	return nil
}

// List returns the blobs whose key starts with prefix; files being written (".upload-*") are not
// blobs yet and are left out.
func (s *Store) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	var out []storage.Object
	err := filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".upload-") {
			return nil
		}
		rel, err := filepath.Rel(s.dir, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		out = append(out, storage.Object{Key: key, Size: info.Size(), ModTime: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("localfs: list %q: %w", prefix, err)
	}
	return out, nil
}

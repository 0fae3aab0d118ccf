// Package storage is the port for uploaded files (protocols, documents): a flat key space of
// immutable blobs. Plugins implement it (a local folder by default, S3-compatible storage in
// production) and register themselves by name.
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"time"

	"passhub/app/plugin"
)

// ErrNotFound is returned for a key that holds nothing.
var ErrNotFound = errors.New("storage: not found")

// Store keeps blobs by key. Every method streams: Put reads r to its end without holding it in
// memory (a store may buffer one bounded part, as S3's multipart upload does), Open returns a
// reader over the stored bytes. Put is atomic: a reader sees the whole blob or nothing, and a
// Put that fails (the reader's error, a cancelled context) leaves what was there before.
type Store interface {
	Put(ctx context.Context, key string, r io.Reader) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
	// List returns every object whose key starts with prefix ("" for all), in no set order.
	List(ctx context.Context, prefix string) ([]Object, error)
}

// Object describes one stored blob.
type Object struct {
	Key     string
	Size    int64
	ModTime time.Time
}

var validKey = regexp.MustCompile(`^[a-z0-9][a-z0-9/_.-]{0,200}$`)

// CheckKey reports whether key is a key every store accepts: lower-case letters, digits and
// "/_.-", no empty, "." or ".." element, not absolute.
func CheckKey(key string) error {
	if !validKey.MatchString(key) || path.Clean(key) != key || strings.HasPrefix(key, "../") || strings.Contains(key, "/../") || strings.HasSuffix(key, "/..") {
		return fmt.Errorf("storage: invalid key %q", key)
	}
	return nil
}

// Options configure a store: the data dir and the plugin's own settings.
type Options struct {
	DataDir  string
	Settings map[string]string
}

// Factory builds a store.
type Factory func(Options) (Store, error)

var stores = plugin.NewRegistry[Options, Store]("storage", "store")

// Register makes a store available under name.
func Register(name string, f Factory) { stores.Register(name, f) }

// New builds the store registered under name.
func New(name string, o Options) (Store, error) { return stores.New(name, o) }

// Package storage is the port for uploaded files (protocols, documents): a flat key space of
// immutable blobs. Plugins implement it (a local folder by default, S3-compatible storage in
// production) and register themselves by name.
package storage

import (
	"context"
	"errors"
	"io"

	"passhub/app/plugin"
)

// ErrNotFound is returned for a key that holds nothing.
var ErrNotFound = errors.New("storage: not found")

// Store keeps blobs by key. Put is atomic: a reader sees the whole blob or nothing.
type Store interface {
	Put(ctx context.Context, key string, r io.Reader) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
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

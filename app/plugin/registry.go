// Package plugin holds the registries through which plugins offer their adapters to the ports of
// app (storage, mail, identity providers, search engines): each registers itself by name from
// init, and configuration picks which one runs.
package plugin

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Registry maps names to the factories of one port's adapters, built from options O.
type Registry[O, T any] struct {
	port, noun string
	mu         sync.Mutex
	factories  map[string]func(O) (T, error)
}

// NewRegistry returns an empty registry; port and noun name it in errors ("search", "engine").
func NewRegistry[O, T any](port, noun string) *Registry[O, T] {
	return &Registry[O, T]{port: port, noun: noun, factories: map[string]func(O) (T, error){}}
}

// Register makes an adapter available under name; a name registered twice is a programming
// error.
func (r *Registry[O, T]) Register(name string, f func(O) (T, error)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.factories[name]; dup {
		panic(fmt.Sprintf("%s: %s registered twice: %s", r.port, r.noun, name))
	}
	r.factories[name] = f
}

// New builds the adapter registered under name.
func (r *Registry[O, T]) New(name string, o O) (T, error) {
	r.mu.Lock()
	f, ok := r.factories[name]
	r.mu.Unlock()
	if !ok {
		var zero T
		return zero, fmt.Errorf("%s: no %s %q (known: %s)", r.port, r.noun, name, strings.Join(r.Names(), ", "))
	}
	return f(o)
}

// Names lists the registered adapters, sorted.
func (r *Registry[O, T]) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.factories))
	for n := range r.factories {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

package search

import (
	"fmt"
	"sort"
	"sync"
)

var (
	mu        sync.Mutex
	factories = map[string]Factory{}
)

// Register makes an engine available under name.
func Register(name string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	factories[name] = f
}

// New builds the engine registered under name.
func New(name string, o Options) (Engine, error) {
	mu.Lock()
	f, ok := factories[name]
	mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("search: no engine %q", name)
	}
	return f(o)
}

// Names lists the registered engines.
func Names() []string {
	mu.Lock()
	defer mu.Unlock()
	names := make([]string, 0, len(factories))
	for n := range factories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

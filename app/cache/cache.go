// Package cache keeps loaded values in memory until they are cleared or expire.
package cache

import (
	"sync"
	"time"
)

// Cache keeps loaded values until the content changes or ttl passes, whichever comes first; the
// ttl bounds how long a change made by another instance stays unseen here.
type Cache struct {
	mu    sync.RWMutex
	ttl   time.Duration
	items map[string]cached
}

type cached struct {
	v       any
	expires time.Time
}

// New returns an empty cache whose items live at most ttl.
func New(ttl time.Duration) *Cache { return &Cache{ttl: ttl, items: map[string]cached{}} }

// Get returns the value under k, calling load when it is missing or expired.
func (c *Cache) Get(k string, load func() (any, error)) (any, error) {
	now := time.Now()
	c.mu.RLock()
	it, ok := c.items[k]
	c.mu.RUnlock()
	if ok && now.Before(it.expires) {
		return it.v, nil
	}
	v, err := load()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.items) > 10000 {
		c.items = map[string]cached{}
	}
	c.items[k] = cached{v: v, expires: now.Add(c.ttl)}
	c.mu.Unlock()
	return v, nil
}

// Clear drops every item.
func (c *Cache) Clear() {
	c.mu.Lock()
	c.items = map[string]cached{}
	c.mu.Unlock()
}

package realtime

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"passhub/app/db"
)

// Service is one instance's realtime transport: the hub of its open connections, the bus shared
// with the other instances, and the handlers of the topics the bus carries here.
type Service struct {
	Hub *Hub
	Bus Bus
	log *slog.Logger

	mu       sync.RWMutex
	handlers map[string][]func(topic string)
	stop     func()
}

// Open builds the hub and starts the bus: LISTEN/NOTIFY on PostgreSQL (url is the database's), a
// direct call on SQLite.
func Open(d *db.DB, url string, log *slog.Logger) *Service {
	s := &Service{Hub: NewHub(log), log: log, handlers: map[string][]func(string){}}
	if d.Kind != db.Postgres {
		s.Bus = LocalBus{Deliver: s.Deliver}
		return s
	}
	ctx, cancel := context.WithCancel(context.Background())
	var schema string
	if err := d.DB.DB.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		log.Warn("event bus: current schema unknown, using the shared channel", "err", err)
	}
	bus := &PGBus{Channel: ChannelOf(schema), DB: d.DB.DB, URL: url, Deliver: s.Deliver, Log: log}
	ready := make(chan struct{})
	go bus.Listen(ctx, ready)
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		log.Warn("event listener not ready yet; pushes resume when it connects")
	}
	s.Bus, s.stop = bus, cancel
	return s
}

// Close stops listening to the bus.
func (s *Service) Close() {
	if s.stop != nil {
		s.stop()
	}
}

// Publish tells every instance, this one included, that topic changed.
func (s *Service) Publish(ctx context.Context, topic string) error { return s.Bus.Publish(ctx, topic) }

// Handle runs fn on this instance for every topic the bus carries that starts with prefix
// ("request:", "cache:content"); the domain that owns the topic registers it.
func (s *Service) Handle(prefix string, fn func(topic string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[prefix] = append(s.handlers[prefix], fn)
}

// Deliver runs the handlers of a topic heard on the bus.
func (s *Service) Deliver(topic string) {
	s.mu.RLock()
	var fns []func(string)
	for prefix, hs := range s.handlers {
		if strings.HasPrefix(topic, prefix) {
			fns = append(fns, hs...)
		}
	}
	s.mu.RUnlock()
	for _, fn := range fns {
		fn(topic)
	}
}

package realtime

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Channel is the PostgreSQL channel on which instances share what changed.
const Channel = "passhub_events"

// ChannelOf is the channel of the instances that share a schema: Channel in "public", a channel
// of the schema's own in any other, so that deployments (and tests) in separate schemas of one
// database never hear each other's topics.
func ChannelOf(schema string) string {
	if schema == "" || schema == "public" {
		return Channel
	}
	ch := Channel + "_" + schema
	if len(ch) > 63 { // PostgreSQL's identifier limit
		ch = ch[:63]
	}
	return ch
}

// Bus carries "something changed" (a topic, never data) to every instance, which then pushes to
// its own clients. With SQLite there is one instance and the bus is a function call; with
// PostgreSQL it is LISTEN/NOTIFY.
type Bus interface {
	Publish(ctx context.Context, topic string) error
}

// LocalBus delivers to this process only.
type LocalBus struct{ Deliver func(topic string) }

// Publish delivers topic at once.
func (b LocalBus) Publish(_ context.Context, topic string) error {
	b.Deliver(topic)
	return nil
}

// PGBus publishes with pg_notify and listens on a dedicated connection, reconnecting with backoff;
// every instance, this one included, delivers what it hears.
type PGBus struct {
	// Channel is the channel listened and notified on; empty means Channel.
	Channel string
	DB      *sql.DB
	URL     string
	Deliver func(topic string)
	Log     *slog.Logger
}

// Publish notifies every listening instance of topic.
func (b *PGBus) Publish(ctx context.Context, topic string) error {
	_, err := b.DB.ExecContext(ctx, "SELECT pg_notify($1, $2)", b.channel(), topic)
	return err
}

func (b *PGBus) channel() string {
	if b.Channel == "" {
		return Channel
	}
	return b.Channel
}

// Listen delivers notifications until ctx ends; ready is closed once the first LISTEN succeeded.
func (b *PGBus) Listen(ctx context.Context, ready chan<- struct{}) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, b.URL)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+pgx.Identifier{b.channel()}.Sanitize())
		}
		if err != nil {
			if b.Log != nil && ctx.Err() == nil {
				b.Log.Warn("event listener: connect", "err", err, "retry_in", backoff)
			}
			if conn != nil {
				_ = conn.Close(context.Background())
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 10*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		if ready != nil {
			close(ready)
			ready = nil
		}
		for {
			n, err := conn.WaitForNotification(ctx)
			if err != nil {
				break
			}
			b.Deliver(n.Payload)
		}
		_ = conn.Close(context.Background())
	}
}

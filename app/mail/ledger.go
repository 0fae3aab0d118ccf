package mail

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Ledger records which recipients were sent the message of an event, so an event handled again
// (a job that runs a second time after a crash or a retry) does not mail them twice.
type Ledger struct{ DB bun.IDB }

type delivery struct {
	bun.BaseModel `bun:"table:mail_deliveries"`

	EventKey  string    `bun:"event_key,pk"`
	Recipient string    `bun:"recipient,pk"`
	SentAt    time.Time `bun:"sent_at"`
}

// Unsent returns the addresses of to not yet sent the message of the event key.
func (l Ledger) Unsent(ctx context.Context, key string, to []string) ([]string, error) {
	var sent []string
	if err := l.DB.NewSelect().Model((*delivery)(nil)).Column("recipient").Where("event_key = ?", key).Scan(ctx, &sent); err != nil {
		return nil, fmt.Errorf("mail: ledger: %w", err)
	}
	done := map[string]bool{}
	for _, a := range sent {
		done[a] = true
	}
	var out []string
	for _, a := range to {
		if !done[strings.ToLower(a)] {
			out = append(out, a)
		}
	}
	return out, nil
}

// Record notes that the message of the event key went to the addresses.
func (l Ledger) Record(ctx context.Context, key string, to []string) error {
	now := time.Now().UTC()
	for _, a := range to {
		if _, err := l.DB.NewInsert().Model(&delivery{EventKey: key, Recipient: strings.ToLower(a), SentAt: now}).
			On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return fmt.Errorf("mail: ledger: %w", err)
		}
	}
	return nil
}

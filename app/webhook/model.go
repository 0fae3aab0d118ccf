// Package webhook tells external systems what happens in PAsS: admins register endpoints and
// pick the events they want; each event becomes one signed delivery per endpoint (Standard
// Webhooks), posted by a durable job that retries with backoff, logged, and redeliverable. An
// endpoint that keeps failing is disabled and its owner told. Deliveries never reach private,
// loopback or link-local addresses unless the configuration allows them (Guard).
package webhook

import (
	"time"

	"github.com/uptrace/bun"
)

// Endpoint is one receiver registered by an admin.
type Endpoint struct {
	bun.BaseModel `bun:"table:webhook_endpoints"`

	ID          int64  `bun:"id,pk,autoincrement"`
	URL         string `bun:"url"`
	Description string `bun:"description"`
	// Internal endpoints receive the personal data of an event (who acted, a request's title);
	// the others get ids and public titles only.
	Internal bool `bun:"internal"`
	// Secret is whsec_<base64>, shown to the admin once; the database holds it encrypted
	// (Sealer: enc:v1:…), and so does an endpoint read back from it.
	Secret  string `bun:"secret"`
	Enabled bool   `bun:"enabled"`
	// Failures counts the failed attempts since the last success; DisableAfter of them disable
	// the endpoint.
	Failures       int       `bun:"failures"`
	DisabledAt     time.Time `bun:"disabled_at,nullzero"`
	DisabledReason string    `bun:"disabled_reason"` // "" while enabled, ReasonManual or ReasonFailures
	OwnerID        int64     `bun:"owner_id,nullzero"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`

	Events []string `bun:"-"` // the subscribed events, loaded with the endpoint
}

// Why an endpoint is disabled.
const (
	ReasonManual   = "manual"
	ReasonFailures = "failures"
)

// Subscription is one event an endpoint receives.
type Subscription struct {
	bun.BaseModel `bun:"table:webhook_subscriptions"`

	EndpointID int64  `bun:"endpoint_id,pk"`
	Event      string `bun:"event,pk"`
}

// Delivery states.
const (
	StatusPending   = "pending"   // waiting for its first attempt or a retry
	StatusDelivered = "delivered" // a 2xx answer was recorded: never posted again by its job
	StatusFailed    = "failed"    // out of attempts
	StatusCancelled = "cancelled" // its endpoint was disabled before it could be delivered
)

// Delivery is one event posted (or to post) to one endpoint, with its last attempt.
type Delivery struct {
	bun.BaseModel `bun:"table:webhook_deliveries"`

	ID         int64  `bun:"id,pk,autoincrement"`
	EndpointID int64  `bun:"endpoint_id"`
	Event      string `bun:"event"`
	// EventKey is unique per endpoint: the event's job key, so a rerun of the event's job adds no
	// second delivery ("redeliver:…" for a redelivery).
	EventKey       string    `bun:"event_key"`
	MsgID          string    `bun:"msg_id"` // the webhook-id header: the same for a redelivery
	Payload        string    `bun:"payload"`
	Status         string    `bun:"status"`
	Attempts       int       `bun:"attempts"`
	LastStatus     int       `bun:"last_status"` // the HTTP status of the last attempt, 0 without an answer
	LastDurationMS int64     `bun:"last_duration_ms"`
	LastExcerpt    string    `bun:"last_excerpt"` // the start of the last answer's body
	LastError      string    `bun:"last_error"`   // why the last attempt failed without an answer
	CreatedAt      time.Time `bun:"created_at"`
	AttemptedAt    time.Time `bun:"attempted_at,nullzero"`
	DeliveredAt    time.Time `bun:"delivered_at,nullzero"`
}

// Duration is the last attempt's duration.
func (d *Delivery) Duration() time.Duration {
	return time.Duration(d.LastDurationMS) * time.Millisecond
}

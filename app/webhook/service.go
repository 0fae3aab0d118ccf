package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"passhub/app/audit"
	"passhub/app/db"
)

// Options are the limits of deliveries (PASSHUB_WEBHOOKS_*).
type Options struct {
	Guard Guard
	// HTTPSOnly refuses http endpoints (production).
	HTTPSOnly bool
	// ConnectTimeout bounds the connection (and TLS handshake); Timeout the whole attempt.
	ConnectTimeout, Timeout time.Duration
	// Backoff is the wait after the first failed attempt; each next one waits twice as long.
	Backoff time.Duration
	// Attempts is how many times a delivery is tried; DisableAfter is how many failed attempts in
	// a row, whatever the deliveries, disable an endpoint.
	Attempts, DisableAfter int
	// PerEndpoint is how many deliveries to one endpoint run at once on one instance.
	PerEndpoint int
	// Excerpt is how much of an answer's body is kept, in bytes.
	Excerpt int
	// Keep is how long the log keeps deliveries no longer pending.
	Keep time.Duration
	// MaxEndpoints is how many endpoints may be registered (default 50).
	MaxEndpoints int
	// Sealer encrypts the endpoints' secrets in the database (Key, NewSealer); required.
	Sealer *Sealer
}

// Enqueuer adds a job inside a transaction (jobs.Queue).
type Enqueuer interface {
	Enqueue(ctx context.Context, idb bun.IDB, args river.JobArgs) error
}

// Notifier puts a notification in people's bells and e-mails (notify.Centre).
type Notifier interface {
	Notify(ctx context.Context, users []int64, kind, subject, url string) error
}

// Actor is who acts, as the audit log records them.
type Actor struct {
	UserID int64
	Name   string
	IP     string
}

// Service owns the rules of webhooks: registration, fan-out of events, delivery.
type Service struct {
	db     *db.DB
	store  store
	opts   Options
	sealer *Sealer
	client *http.Client
	// Resolver looks up the names of endpoints being registered.
	Resolver Resolver
	// Jobs carries deliveries; set by Register.
	Jobs Enqueuer
	// Notices tells an endpoint's owner it was disabled; nil tells nobody.
	Notices Notifier
	Log     *slog.Logger

	hooks []string // the events endpoints may pick, in registration order (Hook)

	mu   sync.Mutex
	busy map[int64]int // deliveries running per endpoint on this instance
}

// NewService returns the webhook service; zero limits take their defaults.
func NewService(d *db.DB, o Options, log *slog.Logger) *Service {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.ConnectTimeout, 5*time.Second)
	def(&o.Timeout, 15*time.Second)
	def(&o.Backoff, 30*time.Second)
	def(&o.Keep, 30*24*time.Hour)
	for _, p := range []struct {
		v *int
		d int
	}{{&o.Attempts, 10}, {&o.DisableAfter, 15}, {&o.PerEndpoint, 2}, {&o.Excerpt, 1024}, {&o.MaxEndpoints, 50}} {
		if *p.v <= 0 {
			*p.v = p.d
		}
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, store: store{d}, opts: o, sealer: o.Sealer, client: o.Guard.Client(o.ConnectTimeout, o.Timeout),
		Resolver: net.DefaultResolver, Log: log, busy: map[int64]int{}}
}

// Options returns the service's limits.
func (s *Service) Options() Options { return s.opts }

// Hooks lists the events an endpoint may pick.
func (s *Service) Hooks() []string { return slices.Clone(s.hooks) }

// Limits of an endpoint's URL (bytes) and description (characters).
const (
	MaxURL         = 2000
	MaxDescription = 200
)

// Form is an endpoint as an admin registers it.
type Form struct {
	URL         string
	Description string
	Events      []string
	Internal    bool
}

// Create registers an endpoint with a fresh secret, which the returned endpoint carries (shown
// once). A bad URL, a refused address, no known event or MaxEndpoints endpoints registered
// already (ErrTooMany) change nothing.
func (s *Service) Create(ctx context.Context, who Actor, f Form) (*Endpoint, error) {
	f.URL = strings.TrimSpace(f.URL)
	var events []string
	for _, e := range f.Events {
		if slices.Contains(s.hooks, e) && !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	if len(events) == 0 || len(events) != len(f.Events) {
		return nil, ErrNoEvents
	}
	f.Description = strings.TrimSpace(f.Description)
	if utf8.RuneCountInString(f.Description) > MaxDescription {
		return nil, ErrDescription
	}
	if len(f.URL) > MaxURL {
		return nil, ErrURL
	}
	u, err := s.opts.Guard.Check(ctx, s.Resolver, f.URL, s.opts.HTTPSOnly)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	secret := NewSecret()
	sealed, err := s.sealer.Seal(secret)
	if err != nil {
		return nil, err
	}
	ep := &Endpoint{URL: u.String(), Description: f.Description, Internal: f.Internal, Secret: sealed,
		Enabled: true, OwnerID: who.UserID, CreatedAt: now, UpdatedAt: now, Events: events}
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		n, err := tx.NewSelect().Model((*Endpoint)(nil)).Count(ctx)
		if err != nil {
			return wrap("count endpoints", err)
		}
		if int(n) >= s.opts.MaxEndpoints {
			return ErrTooMany
		}
		if err := s.store.insert(ctx, tx, ep); err != nil {
			return err
		}
		return record(ctx, tx, who, "webhook.create", ep.ID, ep.URL+" "+strings.Join(events, ","))
	})
	if err != nil {
		return nil, err
	}
	ep.Secret = secret // the database keeps it sealed; the admin sees it once
	return ep, nil
}

// Endpoints lists the registered endpoints.
func (s *Service) Endpoints(ctx context.Context) ([]Endpoint, error) { return s.store.list(ctx) }

// Endpoint returns one endpoint with its events.
func (s *Service) Endpoint(ctx context.Context, id int64) (*Endpoint, error) {
	return s.store.endpoint(ctx, s.db, id)
}

// Deliveries returns an endpoint's latest deliveries, newest first.
func (s *Service) Deliveries(ctx context.Context, endpointID int64, limit int) ([]Delivery, error) {
	return s.store.deliveries(ctx, endpointID, limit)
}

// SetEnabled enables (clearing its failures) or disables an endpoint; disabling cancels its
// deliveries still waiting.
func (s *Service) SetEnabled(ctx context.Context, who Actor, id int64, enabled bool) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.setEnabled(ctx, tx, id, enabled, ReasonManual); err != nil {
			return err
		}
		if !enabled {
			if err := s.store.cancelPending(ctx, tx, id); err != nil {
				return err
			}
		}
		return record(ctx, tx, who, map[bool]string{true: "webhook.enable", false: "webhook.disable"}[enabled], id, "")
	})
}

// Delete removes an endpoint with its subscriptions and deliveries; their waiting jobs find
// nothing to do.
func (s *Service) Delete(ctx context.Context, who Actor, id int64) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		ep, err := s.store.endpoint(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.store.delete(ctx, tx, id); err != nil {
			return err
		}
		return record(ctx, tx, who, "webhook.delete", id, ep.URL)
	})
}

// Redeliver posts a delivery of the endpoint again, as a new delivery with the same message id
// (receivers that deduplicate by webhook-id see the same message). A disabled endpoint is
// ErrDisabled.
func (s *Service) Redeliver(ctx context.Context, who Actor, endpointID, deliveryID int64) (*Delivery, error) {
	var out *Delivery
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		ep, err := s.store.endpoint(ctx, tx, endpointID)
		if err != nil {
			return err
		}
		if !ep.Enabled {
			return ErrDisabled
		}
		d, err := s.store.delivery(ctx, tx, deliveryID)
		if err != nil || d.EndpointID != endpointID {
			return db.ErrNotFound
		}
		out = &Delivery{EndpointID: ep.ID, Event: d.Event, EventKey: "redeliver:" + strconv.FormatInt(d.ID, 10) + ":" + newMsgID(),
			MsgID: d.MsgID, Payload: d.Payload, Status: StatusPending, CreatedAt: time.Now().UTC()}
		if _, err := s.store.insertDelivery(ctx, tx, out); err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, out.ID); err != nil {
			return err
		}
		return record(ctx, tx, who, "webhook.redeliver", ep.ID, "delivery "+strconv.FormatInt(d.ID, 10))
	})
	return out, err
}

func (s *Service) enqueue(ctx context.Context, tx bun.IDB, deliveryID int64) error {
	if s.Jobs == nil {
		return fmt.Errorf("webhook: jobs: migrate first")
	}
	return s.Jobs.Enqueue(ctx, tx, DeliverArgs{DeliveryID: deliveryID, MaxAttempts: s.opts.Attempts})
}

func record(ctx context.Context, tx bun.IDB, who Actor, action string, id int64, detail string) error {
	return audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: action,
		ObjectType: "webhook", ObjectID: id, Detail: detail})
}

// acquire takes one of the endpoint's delivery slots on this instance, if one is free.
func (s *Service) acquire(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy[id] >= s.opts.PerEndpoint {
		return false
	}
	s.busy[id]++
	return true
}

func (s *Service) release(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy[id]--; s.busy[id] <= 0 {
		delete(s.busy, id)
	}
}

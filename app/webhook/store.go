package webhook

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/db"
)

// store owns the queries of webhooks.
type store struct{ db *db.DB }

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("webhook: %s: %w", what, db.Map(err))
}

func (st store) insert(ctx context.Context, tx bun.IDB, ep *Endpoint) error {
	if _, err := tx.NewInsert().Model(ep).Returning("id").Exec(ctx); err != nil {
		return wrap("insert endpoint", err)
	}
	subs := make([]Subscription, len(ep.Events))
	for i, e := range ep.Events {
		subs[i] = Subscription{EndpointID: ep.ID, Event: e}
	}
	_, err := tx.NewInsert().Model(&subs).Exec(ctx)
	return wrap("insert subscriptions", err)
}

func (st store) events(ctx context.Context, idb bun.IDB, eps []Endpoint) error {
	if len(eps) == 0 {
		return nil
	}
	ids := make([]int64, len(eps))
	index := map[int64]*Endpoint{}
	for i := range eps {
		ids[i] = eps[i].ID
		index[eps[i].ID] = &eps[i]
	}
	var subs []Subscription
	if err := idb.NewSelect().Model(&subs).Where("endpoint_id IN (?)", bun.In(ids)).Order("event").Scan(ctx); err != nil {
		return wrap("subscriptions", err)
	}
	for _, s := range subs {
		index[s.EndpointID].Events = append(index[s.EndpointID].Events, s.Event)
	}
	return nil
}

func (st store) list(ctx context.Context) ([]Endpoint, error) {
	var out []Endpoint
	if err := st.db.NewSelect().Model(&out).Order("id").Scan(ctx); err != nil {
		return nil, wrap("endpoints", err)
	}
	return out, st.events(ctx, st.db, out)
}

func (st store) endpoint(ctx context.Context, idb bun.IDB, id int64) (*Endpoint, error) {
	ep := make([]Endpoint, 1)
	if err := idb.NewSelect().Model(&ep[0]).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, wrap("endpoint", err)
	}
	return &ep[0], st.events(ctx, idb, ep)
}

// subscribers are the enabled endpoints that receive event.
func (st store) subscribers(ctx context.Context, event string) ([]Endpoint, error) {
	var out []Endpoint
	err := st.db.NewSelect().Model(&out).Where("enabled = ?", true).
		Where("id IN (?)", st.db.NewSelect().Model((*Subscription)(nil)).Column("endpoint_id").Where("event = ?", event)).
		Order("id").Scan(ctx)
	return out, wrap("subscribers", err)
}

func (st store) setEnabled(ctx context.Context, tx bun.IDB, id int64, enabled bool, reason string) error {
	q := tx.NewUpdate().Model((*Endpoint)(nil)).Where("id = ?", id).Set("enabled = ?", enabled).Set("updated_at = ?", time.Now().UTC())
	if enabled {
		q = q.Set("failures = 0").Set("disabled_at = NULL").Set("disabled_reason = ''")
	} else {
		q = q.Set("disabled_at = ?", time.Now().UTC()).Set("disabled_reason = ?", reason)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return wrap("enable", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	return nil
}

// cancelPending marks cancelled the deliveries of a disabled endpoint still waiting: their jobs
// find them so and post nothing (an admin may redeliver them once the endpoint is enabled).
func (st store) cancelPending(ctx context.Context, tx bun.IDB, endpointID int64) error {
	_, err := tx.NewUpdate().Model((*Delivery)(nil)).Set("status = ?", StatusCancelled).Where("endpoint_id = ?", endpointID).
		Where("status = ?", StatusPending).Exec(ctx)
	return wrap("cancel deliveries", err)
}

func (st store) delete(ctx context.Context, tx bun.IDB, id int64) error {
	// the rows that reference the endpoint first: SQLite enforces no cascade without its pragma
	for _, m := range []any{(*Delivery)(nil), (*Subscription)(nil)} {
		if _, err := tx.NewDelete().Model(m).Where("endpoint_id = ?", id).Exec(ctx); err != nil {
			return wrap("delete", err)
		}
	}
	_, err := tx.NewDelete().Model((*Endpoint)(nil)).Where("id = ?", id).Exec(ctx)
	return wrap("delete", err)
}

// insertDelivery adds d unless the endpoint has a delivery of the same event key already; it
// reports whether it added one.
func (st store) insertDelivery(ctx context.Context, tx bun.IDB, d *Delivery) (bool, error) {
	_, err := tx.NewInsert().Model(d).On("CONFLICT (endpoint_id, event_key) DO NOTHING").Returning("id").Exec(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, wrap("insert delivery", err)
	}
	return d.ID != 0, nil
}

func (st store) delivery(ctx context.Context, idb bun.IDB, id int64) (*Delivery, error) {
	d := new(Delivery)
	if err := idb.NewSelect().Model(d).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, wrap("delivery", err)
	}
	return d, nil
}

func (st store) deliveries(ctx context.Context, endpointID int64, limit int) ([]Delivery, error) {
	var out []Delivery
	err := st.db.NewSelect().Model(&out).Where("endpoint_id = ?", endpointID).Order("id DESC").Limit(int64(limit)).Scan(ctx)
	return out, wrap("deliveries", err)
}

func (st store) setStatus(ctx context.Context, id int64, status string) error {
	_, err := st.db.NewUpdate().Model((*Delivery)(nil)).Set("status = ?", status).Where("id = ?", id).
		Where("status = ?", StatusPending).Exec(ctx)
	return wrap("delivery status", err)
}

// outcome is what one attempt got.
type outcome struct {
	ok       bool
	status   int
	duration time.Duration
	excerpt  string
	err      string
}

// recordAttempt stores an attempt of d and its consequence on the endpoint: a success clears its
// failures, a failure counts one more and, at disableAfter of them, disables it (reported).
func (st store) recordAttempt(ctx context.Context, d *Delivery, o outcome, last bool, disableAfter int) (disabled bool, err error) {
	now := time.Now().UTC()
	status := StatusPending
	switch {
	case o.ok:
		status = StatusDelivered
	case last:
		status = StatusFailed
	}
	err = st.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewUpdate().Model((*Delivery)(nil)).Where("id = ?", d.ID).Where("status <> ?", StatusDelivered).
			Set("attempts = attempts + 1").Set("status = ?", status).Set("last_status = ?", o.status).
			Set("last_duration_ms = ?", o.duration.Milliseconds()).Set("last_excerpt = ?", o.excerpt).Set("last_error = ?", o.err).
			Set("attempted_at = ?", now)
		if o.ok {
			q = q.Set("delivered_at = ?", now)
		}
		if _, err := q.Exec(ctx); err != nil {
			return wrap("record attempt", err)
		}
		up := tx.NewUpdate().Model((*Endpoint)(nil)).Where("id = ?", d.EndpointID)
		if o.ok {
			_, err := up.Set("failures = 0").Exec(ctx)
			return wrap("endpoint failures", err)
		}
		if _, err := up.Set("failures = failures + 1").Exec(ctx); err != nil {
			return wrap("endpoint failures", err)
		}
		res, err := tx.NewUpdate().Model((*Endpoint)(nil)).Where("id = ?", d.EndpointID).Where("enabled = ?", true).
			Where("failures >= ?", disableAfter).Set("enabled = ?", false).Set("disabled_at = ?", now).
			Set("disabled_reason = ?", ReasonFailures).Set("updated_at = ?", now).Exec(ctx)
		if err != nil {
			return wrap("disable endpoint", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			disabled = true
			if err := st.cancelPending(ctx, tx, d.EndpointID); err != nil {
				return err
			}
			return record(ctx, tx, Actor{Name: "PAsS"}, "webhook.disable", d.EndpointID, ReasonFailures)
		}
		return nil
	})
	return disabled, err
}

package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"passhub/app/db"
	"passhub/app/jobs"
)

// DeliverArgs is the job of one delivery.
type DeliverArgs struct {
	DeliveryID  int64 `json:"delivery_id"`
	MaxAttempts int   `json:"-"`
}

// Kind names the job.
func (DeliverArgs) Kind() string { return "webhook.deliver" }

// InsertOpts puts deliveries in their own queue, so slow receivers hold only webhook workers.
func (a DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueWebhooks, MaxAttempts: a.MaxAttempts}
}

// Register gives the service its queue, adds the delivery worker and schedules the daily
// pruning of the log.
func (s *Service) Register(q *jobs.Queue) {
	s.Jobs = q
	jobs.Add(q, &deliverer{s: s})
	jobs.Add(q, &pruner{s: s})
	q.AddPeriodic(river.NewPeriodicJob(jobs.Daily(PruneHour), func() (river.JobArgs, *river.InsertOpts) {
		return PruneArgs{}, nil
	}, &river.PeriodicJobOpts{ID: "webhook.prune"}))
}

// PruneHour is when, server time, the log is pruned every day.
const PruneHour = 4

// PruneArgs is the daily job that prunes the log.
type PruneArgs struct{}

// Kind names the job.
func (PruneArgs) Kind() string { return "webhook.prune" }

type pruner struct {
	river.WorkerDefaults[PruneArgs]
	s *Service
}

func (w *pruner) Work(ctx context.Context, _ *river.Job[PruneArgs]) error {
	n, err := w.s.Prune(ctx, time.Now())
	if n > 0 {
		w.s.Log.Info("webhook deliveries pruned", "count", n)
	}
	return err
}

// Prune removes from the log the deliveries older than Keep at now that are no longer pending
// (a pending one still has its job to run); it returns how many.
func (s *Service) Prune(ctx context.Context, now time.Time) (int, error) {
	res, err := s.db.NewDelete().Model((*Delivery)(nil)).Where("created_at < ?", now.Add(-s.opts.Keep).UTC()).
		Where("status <> ?", StatusPending).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("webhook: prune: %w", db.Map(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

type deliverer struct {
	river.WorkerDefaults[DeliverArgs]
	s *Service
}

// NextRetry waits Backoff after the first failed attempt, twice as long after each next one (at
// most a day).
func (w *deliverer) NextRetry(j *river.Job[DeliverArgs]) time.Time {
	wait := w.s.opts.Backoff
	for i := 1; i < j.Attempt && wait < 24*time.Hour; i++ {
		wait *= 2
	}
	return time.Now().Add(min(wait, 24*time.Hour))
}

// Work posts the delivery once. A delivery already answered with a 2xx is never posted again (a
// job run twice, a rescue); one whose endpoint is gone does nothing; one whose endpoint is
// disabled is cancelled. When the endpoint's slots on this instance are busy, the job waits
// (snoozes) instead of holding a worker, so a slow endpoint never starves the others.
func (w *deliverer) Work(ctx context.Context, j *river.Job[DeliverArgs]) error {
	s := w.s
	d, err := s.store.delivery(ctx, s.db, j.Args.DeliveryID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if d.Status != StatusPending { // delivered already, out of attempts, or cancelled
		return nil
	}
	ep, err := s.store.endpoint(ctx, s.db, d.EndpointID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if !ep.Enabled {
		if err := s.store.setStatus(ctx, d.ID, StatusCancelled); err != nil {
			return err
		}
		return river.JobCancel(ErrDisabled)
	}
	if !s.acquire(ep.ID) {
		return river.JobSnooze(min(s.opts.Backoff, time.Second))
	}
	o := s.post(ctx, ep, d)
	s.release(ep.ID)
	disabled, err := s.store.recordAttempt(ctx, d, o, j.Attempt >= j.MaxAttempts, s.opts.DisableAfter)
	if err != nil {
		return err
	}
	if disabled {
		s.tellOwner(ctx, ep)
	}
	switch {
	case o.ok:
		return nil
	case disabled:
		return river.JobCancel(fmt.Errorf("webhook: endpoint %d disabled after %d failed attempts", ep.ID, s.opts.DisableAfter))
	case o.status != 0:
		return fmt.Errorf("webhook: delivery %d: answered %d", d.ID, o.status)
	default:
		return fmt.Errorf("webhook: delivery %d: %s", d.ID, o.err)
	}
}

// post makes one attempt: the body signed with the endpoint's secret, the answer's status, its
// duration and the start of its body.
func (s *Service) post(ctx context.Context, ep *Endpoint, d *Delivery) outcome {
	ts := time.Now()
	secret, err := s.sealer.Open(ep.Secret)
	if err != nil {
		return outcome{err: err.Error()}
	}
	sig, err := Sign(secret, d.MsgID, ts, []byte(d.Payload))
	if err != nil {
		return outcome{err: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, strings.NewReader(d.Payload))
	if err != nil {
		return outcome{err: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "PAsS-Webhooks/1")
	req.Header.Set("webhook-id", d.MsgID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	start := time.Now()
	res, err := s.client.Do(req)
	if err != nil {
		return outcome{duration: time.Since(start), err: reason(err)}
	}
	defer res.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(res.Body, int64(s.opts.Excerpt)))
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) // lets the connection be reused
	return outcome{ok: res.StatusCode >= 200 && res.StatusCode < 300, status: res.StatusCode, duration: time.Since(start),
		excerpt: excerpt(head)}
}

// reason says briefly why an attempt got no answer.
func reason(err error) string {
	switch {
	case errors.Is(err, ErrAddress):
		return "address refused: private, loopback or link-local"
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Client.Timeout") || strings.Contains(err.Error(), "timeout"):
		return "timeout"
	}
	msg := err.Error()
	if len(msg) > 300 {
		msg = msg[:300]
	}
	return msg
}

// excerpt keeps valid UTF-8 of the start of an answer.
func excerpt(b []byte) string {
	for len(b) > 0 && !utf8.Valid(b) {
		b = b[:len(b)-1]
	}
	return strings.ToValidUTF8(string(b), "")
}

// tellOwner puts a notification in the owner's bell (and e-mail) that the endpoint is disabled.
func (s *Service) tellOwner(ctx context.Context, ep *Endpoint) {
	if s.Notices == nil || ep.OwnerID == 0 {
		return
	}
	if err := s.Notices.Notify(ctx, []int64{ep.OwnerID}, "webhook.disabled", ep.URL, "/admin/webhook/"+strconv.FormatInt(ep.ID, 10)); err != nil {
		s.Log.Warn("webhook: owner not notified of the disabled endpoint", "endpoint", ep.ID, "err", err)
	}
}

// Message is the body of a delivery (Standard Webhooks' shape).
type Message struct {
	Type      string         `json:"type"`
	Timestamp time.Time      `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

// Data is what a delivery says of an event: Public goes to every endpoint; Internal is added
// for the endpoints marked internal (who acted, a request's title: personal data).
type Data struct {
	Public, Internal map[string]any
}

// Fanout adds one delivery of the event to every enabled endpoint that subscribed to it, and
// their jobs, in one transaction. Inside an event's job the job's key makes it idempotent: a
// rerun adds no second delivery. build runs only when some endpoint wants the event.
func (s *Service) Fanout(ctx context.Context, name string, build func(ctx context.Context) (Data, error)) error {
	eps, err := s.store.subscribers(ctx, name)
	if err != nil || len(eps) == 0 {
		return err
	}
	data, err := build(ctx)
	if err != nil {
		return err
	}
	key := jobs.EventKey(ctx)
	if key == "" {
		key = "direct:" + newMsgID()
	}
	now := time.Now().UTC()
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for _, ep := range eps {
			m := Message{Type: name, Timestamp: now, Data: map[string]any{}}
			for k, v := range data.Public {
				m.Data[k] = v
			}
			if ep.Internal {
				for k, v := range data.Internal {
					m.Data[k] = v
				}
			}
			body, err := json.Marshal(m)
			if err != nil {
				return err
			}
			d := &Delivery{EndpointID: ep.ID, Event: name, EventKey: key, MsgID: newMsgID(), Payload: string(body),
				Status: StatusPending, CreatedAt: now}
			added, err := s.store.insertDelivery(ctx, tx, d)
			if err != nil {
				return err
			}
			if added {
				if err := s.enqueue(ctx, tx, d.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

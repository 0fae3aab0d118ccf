package request

import (
	"context"
	"errors"
	"fmt"
	"passhub/app/once"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"passhub/app/audit"
	"passhub/app/catalogue"
	"passhub/app/db"
	"passhub/app/event"
	"passhub/app/form"
)

// Errors of the request service; handlers turn them into messages for people.
var (
	ErrStale         = errors.New("request: the request changed meanwhile; reload the page")
	ErrNotAccepting  = errors.New("request: the procedure does not accept requests")
	ErrNotExpert     = errors.New("request: only experts of the request's task force can be assigned")
	ErrNoExperts     = errors.New("request: choose at least one expert")
	ErrNoOpenRequest = errors.New("request: the request is not open to this action")
)

// FieldErrors lists the form fields that are wrong, by name, with a message id each.
type FieldErrors = form.Errors

// Actor is who acts, for the timeline and the audit log.
type Actor = audit.Actor

// Service owns the lifecycle of requests.
type Service struct {
	db        *db.DB
	store     Store
	catalogue *catalogue.Service
	clock     atomic.Pointer[func() time.Time] // SetClock; read by the jobs' goroutines too
	// Events records the request's changes (Changed) in their transactions.
	Events *event.Dispatcher
	// AccessChanged is told, after commit, whose access to a request changed (the experts an
	// assignment added or removed), so their open pages re-authorise; nil tells nobody.
	AccessChanged func(ctx context.Context, userIDs ...int64)
}

// NewService returns the request service.
func NewService(d *db.DB, cat *catalogue.Service) *Service {
	s := &Service{db: d, catalogue: cat}
	s.SetClock(func() time.Time { return time.Now().UTC() })
	return s
}

// now is the service's clock (SetClock).
func (s *Service) now() time.Time { return (*s.clock.Load())() }

// Form is what an ente's member files.
type Form struct {
	ProcedureCode  string
	Title          string
	Description    string
	BacklogPending int
	BacklogAvgDays int
	Bottleneck     string
	DesiredOutcome string
}

// Validate returns the fields that are wrong.
func (f *Form) Validate() FieldErrors {
	errs := FieldErrors{}
	text := func(name, v string, min, max int) {
		n := utf8.RuneCountInString(strings.TrimSpace(v))
		switch {
		case n == 0 && min > 0:
			errs[name] = "validation.required"
		case n > max:
			errs[name] = form.TooLong(max)
		case n < min:
			errs[name] = form.TooShort(min)
		}
	}
	if f.ProcedureCode == "" {
		errs["procedure"] = "validation.required"
	}
	text("title", f.Title, 5, 200)
	text("description", f.Description, 20, 10000)
	text("bottleneck", f.Bottleneck, 0, 5000)
	text("desired_outcome", f.DesiredOutcome, 10, 5000)
	if f.BacklogPending < 0 || f.BacklogPending > 1000000 {
		errs["backlog_pending"] = "validation.number"
	}
	if f.BacklogAvgDays < 0 || f.BacklogAvgDays > 10000 {
		errs["backlog_avg_days"] = "validation.number"
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// File stores a request of an ente, as a draft or submitted at once.
func (s *Service) File(ctx context.Context, who Actor, enteID int64, f Form, submit bool) (*Request, error) {
	if errs := f.Validate(); errs != nil {
		return nil, errs
	}
	p, tf, err := s.procedure(ctx, f.ProcedureCode)
	if err != nil {
		return nil, FieldErrors{"procedure": "request.procedure.unknown"}
	}
	if !p.AcceptsRequests {
		return nil, ErrNotAccepting
	}
	now := s.now()
	r := &Request{EnteID: enteID, ProcedureID: p.ID, TaskForce: tf, Title: strings.TrimSpace(f.Title), Description: strings.TrimSpace(f.Description),
		BacklogPending: f.BacklogPending, BacklogAvgDays: f.BacklogAvgDays, Bottleneck: strings.TrimSpace(f.Bottleneck),
		DesiredOutcome: strings.TrimSpace(f.DesiredOutcome), State: Draft, CreatedBy: who.UserID, CreatedAt: now, UpdatedAt: now}
	if submit {
		r.State, r.SubmittedAt = Submitted, now
	}
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := once.Claim(ctx, tx); err != nil {
			return err
		}
		if err := s.store.Insert(ctx, tx, r); err != nil {
			return err
		}
		if err := s.record(ctx, tx, who, r, "created", "", r.State, p.Code); err != nil {
			return err
		}
		if err := once.Done(ctx, tx, "request", r.ID); err != nil {
			return err
		}
		return s.Emit(ctx, tx, Change{RequestID: r.ID, Kind: "created", ActorID: who.UserID})
	})
	if err != nil {
		return nil, fmt.Errorf("request: file: %w", err)
	}
	return r, nil
}

func (s *Service) procedure(ctx context.Context, code string) (*catalogue.Procedure, string, error) {
	tfs, err := s.catalogue.Catalogue(ctx)
	if err != nil {
		return nil, "", err
	}
	for _, tf := range tfs {
		for _, p := range tf.Procedures {
			if p.Code == code {
				return p, tf.Code, nil
			}
		}
	}
	return nil, "", db.ErrNotFound
}

// record writes a timeline event and its audit entry.
func (s *Service) record(ctx context.Context, tx bun.IDB, who Actor, r *Request, kind string, from, to State, detail string) error {
	e := &Event{RequestID: r.ID, At: s.now(), ActorID: who.UserID, Actor: who.Name, Kind: kind, FromState: from, ToState: to, Detail: detail}
	if err := s.store.AddEvent(ctx, tx, e); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "request." + kind,
		ObjectType: "request", ObjectID: r.ID, EnteID: r.EnteID, Detail: strings.TrimSpace(string(from) + " → " + string(to) + " " + detail)})
}

// transition moves a request between states inside one transaction, with a guard on the states it
// may leave and a timeline event; change may set fields before the update.
func (s *Service) transition(ctx context.Context, who Actor, id int64, from []State, to State, kind, detail string, change func(tx bun.IDB, r *Request) error) (*Request, error) {
	var out *Request
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := once.Claim(ctx, tx); err != nil { // before the state check: a replay is not stale
			return err
		}
		r, err := s.store.Request(ctx, tx, id)
		if err != nil {
			return err
		}
		prev := r.State
		allowed := false
		for _, f := range from {
			allowed = allowed || f == prev
		}
		if !allowed {
			return ErrStale
		}
		if change != nil {
			if err := change(tx, r); err != nil {
				return err
			}
		}
		if prev != to {
			if err := s.store.SetState(ctx, tx, r, from, to, s.now()); err != nil {
				return err
			}
		}
		out = r
		if err := s.record(ctx, tx, who, r, kind, prev, to, detail); err != nil {
			return err
		}
		if err := once.Done(ctx, tx, "transition", r.ID); err != nil {
			return err
		}
		return s.Emit(ctx, tx, Change{RequestID: r.ID, Kind: kind, ActorID: who.UserID})
	})
	if err != nil {
		return nil, fmt.Errorf("request %d: %s: %w", id, kind, err)
	}
	return out, nil
}

// Submit sends a draft to the task force's project manager.
func (s *Service) Submit(ctx context.Context, who Actor, id int64) (*Request, error) {
	return s.transition(ctx, who, id, []State{Draft}, Submitted, "submitted", "", func(_ bun.IDB, r *Request) error {
		r.SubmittedAt = s.now()
		return nil
	})
}

// Reject refuses a submitted request with a reason the ente will read.
func (s *Service) Reject(ctx context.Context, pm Actor, id int64, reason string) (*Request, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, FieldErrors{"reason": "validation.required"}
	}
	if utf8.RuneCountInString(reason) > 5000 {
		return nil, FieldErrors{"reason": form.TooLong(5000)}
	}
	return s.transition(ctx, pm, id, []State{Submitted}, Rejected, "rejected", reason, func(_ bun.IDB, r *Request) error {
		r.Reason = reason
		return nil
	})
}

// Assign gives a submitted request to one or more experts of its task force; on a request already
// assigned or in progress it adds or replaces experts without changing its state.
func (s *Service) Assign(ctx context.Context, pm Actor, id int64, experts []int64) (*Request, error) {
	if len(experts) == 0 {
		return nil, ErrNoExperts
	}
	var names []string
	var touched []int64 // the experts removed or added
	change := func(tx bun.IDB, r *Request) error {
		touched = changedIDs(r.ExpertIDs(), uniq(experts))
		ok, err := s.store.ExpertsOf(ctx, tx, r.TaskForce, experts)
		if err != nil {
			return err
		}
		if len(ok) != len(uniq(experts)) {
			return ErrNotExpert
		}
		if err := s.store.ReplaceExperts(ctx, tx, r.ID, uniq(experts), pm.UserID, s.now()); err != nil {
			return err
		}
		list, err := s.store.Experts(ctx, tx, r.ID)
		for _, e := range list {
			names = append(names, e.Name)
		}
		r.Experts = list
		return err
	}
	r, err := s.store.Request(ctx, s.db, id)
	if err != nil {
		return nil, fmt.Errorf("request %d: %w", id, err)
	}
	if r.State == Submitted {
		r, err = s.transition(ctx, pm, id, []State{Submitted}, Assigned, "assigned", "", change)
	} else {
		r, err = s.transition(ctx, pm, id, []State{Assigned, InProgress, Waiting}, r.State, "experts", "", change)
	}
	if err == nil && s.AccessChanged != nil && len(touched) > 0 {
		s.AccessChanged(ctx, uniq(touched)...)
	}
	return r, err
}

// changedIDs returns the ids in one of before and after but not in both.
func changedIDs(before, after []int64) []int64 {
	var out []int64
	for _, pair := range [2][2][]int64{{before, after}, {after, before}} {
		for _, id := range pair[0] {
			if !slices.Contains(pair[1], id) {
				out = append(out, id)
			}
		}
	}
	return out
}

func uniq(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Started moves an assigned request in progress when an expert first works on it; inside the
// caller's transaction, it does nothing for a request in another state. When another expert
// started it meanwhile, that is done already; when it left the expert's hands meanwhile
// (concluded, withdrawn), ErrStale.
func (s *Service) Started(ctx context.Context, tx bun.IDB, who Actor, r *Request) error {
	if r.State != Assigned {
		return nil
	}
	err := s.store.SetState(ctx, tx, r, []State{Assigned}, InProgress, s.now())
	if errors.Is(err, ErrStale) {
		now, gerr := s.store.Request(ctx, tx, r.ID)
		if gerr != nil {
			return gerr
		}
		if now.State == InProgress || now.State == Waiting {
			r.State = now.State
			return nil
		}
		return ErrStale
	}
	if err != nil {
		return err
	}
	return s.record(ctx, tx, who, r, "started", Assigned, InProgress, "")
}

// AskIntegration asks the ente for documents or information by a date; the request waits for the
// ente until the answer.
func (s *Service) AskIntegration(ctx context.Context, expert Actor, id int64, items []string, note string, due time.Time) (*Request, error) {
	var clean []string
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			clean = append(clean, it)
		}
	}
	errs := FieldErrors{}
	if len(clean) == 0 {
		errs["items"] = "validation.required"
	}
	if due.IsZero() || due.Before(s.now().Truncate(24*time.Hour)) {
		errs["due"] = "request.due.future"
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return s.transition(ctx, expert, id, []State{Assigned, InProgress}, Waiting, "integration", strings.Join(clean, "; "),
		func(tx bun.IDB, r *Request) error {
			return s.store.InsertIntegration(ctx, tx, &Integration{RequestID: r.ID, AskedBy: expert.UserID, Items: clean,
				Note: strings.TrimSpace(note), DueOn: due, CreatedAt: s.now()})
		})
}

// AnswerIntegration records the ente's answer; the request goes back in progress.
func (s *Service) AnswerIntegration(ctx context.Context, member Actor, id, integrationID int64, answer string) (*Request, error) {
	if strings.TrimSpace(answer) == "" {
		return nil, FieldErrors{"answer": "validation.required"}
	}
	return s.transition(ctx, member, id, []State{Waiting}, InProgress, "answered", "", func(tx bun.IDB, r *Request) error {
		return s.store.AnswerIntegration(ctx, tx, r.ID, integrationID, member.UserID, strings.TrimSpace(answer), s.now())
	})
}

// Conclude closes the work with a summary; the documentation stays readable by the ente.
func (s *Service) Conclude(ctx context.Context, expert Actor, id int64, summary string) (*Request, error) {
	if utf8.RuneCountInString(strings.TrimSpace(summary)) < 20 {
		return nil, FieldErrors{"summary": "request.summary.short"}
	}
	return s.transition(ctx, expert, id, []State{InProgress}, Concluded, "concluded", "", func(_ bun.IDB, r *Request) error {
		r.Summary = strings.TrimSpace(summary)
		return nil
	})
}

// Archive files a concluded request away.
func (s *Service) Archive(ctx context.Context, who Actor, id int64) (*Request, error) {
	return s.transition(ctx, who, id, []State{Concluded}, Archived, "archived", "", nil)
}

// Withdraw lets the ente take back a request before its conclusion.
func (s *Service) Withdraw(ctx context.Context, member Actor, id int64) (*Request, error) {
	return s.transition(ctx, member, id, []State{Draft, Submitted, Assigned, InProgress, Waiting}, Withdrawn, "withdrawn", "", nil)
}

// Get returns one request with its ente, procedure and experts.
func (s *Service) Get(ctx context.Context, id int64) (*Request, error) {
	return s.store.Request(ctx, s.db, id)
}

// List returns requests matching f and their total.
func (s *Service) List(ctx context.Context, f Filter) ([]Request, int, error) {
	return s.store.List(ctx, s.db, f)
}

// Counts returns how many requests match f in each state.
func (s *Service) Counts(ctx context.Context, f Filter) (map[State]int, error) {
	return s.store.CountByState(ctx, s.db, f)
}

// CountsByProcedure returns an ente's requests counted by procedure and state.
func (s *Service) CountsByProcedure(ctx context.Context, enteID int64) (map[int64]map[State]int, error) {
	return s.store.CountByProcedure(ctx, s.db, enteID)
}

// Workloads returns the experts of a task force with their open requests.
func (s *Service) Workloads(ctx context.Context, taskForce string) ([]Workload, error) {
	return s.store.Workloads(ctx, s.db, taskForce)
}

// Timeline returns a request's events.
func (s *Service) Timeline(ctx context.Context, id int64) ([]Event, error) {
	return s.store.Events(ctx, s.db, id)
}

// Integrations returns a request's integrations.
func (s *Service) Integrations(ctx context.Context, id int64) ([]Integration, error) {
	return s.store.Integrations(ctx, s.db, id)
}

// SetClock replaces the service's clock.
func (s *Service) SetClock(now func() time.Time) { s.clock.Store(&now) }

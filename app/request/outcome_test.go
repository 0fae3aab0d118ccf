package request_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun/migrate"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/db"
	"passhub/app/event"
	"passhub/app/identity"
	"passhub/app/request"
	"passhub/migrations"
)

// outcomeWorld is an approved ente (Cantù, its mayor) with the VA task force's PM and expert.
type outcomeWorld struct {
	a                 *app.App
	ctx               context.Context
	enteID            int64
	mayor, pm, expert request.Actor
}

func newOutcomeWorld(t *testing.T) *outcomeWorld {
	t.Helper()
	a := apptest.New(t)
	w := &outcomeWorld{a: a, ctx: context.Background()}
	w.mayor, w.pm, w.expert = user(t, a, "RSSMRA80A01F205", "Mario"), user(t, a, "PMPMPM80A01F205", "Piera"), user(t, a, "SPRSPR80A01F205", "Luca")
	w.enteID = apptest.ApprovedEnte(t, a, "013041", "Cantù", "CO", w.mayor.UserID).ID
	for who, role := range map[int64]string{w.pm.UserID: "pm", w.expert.UserID: "expert"} {
		if err := a.Identity.Grant(w.ctx, identity.Actor{}, who, role, "VA"); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// concluded files, assigns, starts and concludes a request, and waits for its listeners.
func (w *outcomeWorld) concluded(t *testing.T, title string) *request.Request {
	t.Helper()
	s := w.a.Requests
	f := form()
	f.Title = title
	r, err := s.File(w.ctx, w.mayor, w.enteID, f, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Assign(w.ctx, w.pm, r.ID, []int64{w.expert.UserID}); err != nil {
		t.Fatal(err)
	}
	r, _ = s.Get(w.ctx, r.ID)
	if _, err := w.a.Workspace.Post(w.ctx, w.expert, r, true, "Iniziamo dall'elenco delle istanze."); err != nil {
		t.Fatal(err)
	}
	if r, err = s.Conclude(w.ctx, w.expert, r.ID, "Arretrato ridotto con un modello di istruttoria condiviso."); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, w.a)
	return r
}

func (w *outcomeWorld) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := w.a.DB.NewRaw(query, args...).Scan(w.ctx, &n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// argsText is river_job.args as JSON text (SQLite keeps it as JSONB).
func (w *outcomeWorld) argsText() string {
	if w.a.DB.Kind == db.SQLite {
		return "json(args)"
	}
	return "CAST(args AS TEXT)"
}

// rerun makes River run again the completed job of kind whose arguments match, as at-least-once
// delivery does after a crash, and waits for it.
func (w *outcomeWorld) rerun(t *testing.T, kind string, match func(args map[string]any) bool) {
	t.Helper()
	var rows []struct {
		ID   int64  `bun:"id"`
		Args []byte `bun:"args"`
	}
	if err := w.a.DB.NewSelect().Table("river_job").Column("id").ColumnExpr(w.argsText()+" AS args").Where("kind = ?", kind).Where("state = 'completed'").Scan(w.ctx, &rows); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		var args map[string]any
		if err := json.Unmarshal(r.Args, &args); err != nil {
			t.Fatalf("job %d args %q: %v", r.ID, r.Args, err)
		}
		if !match(args) {
			continue
		}
		if _, err := w.a.DB.NewRaw("UPDATE river_job SET state = 'available', finalized_at = NULL WHERE id = ?", r.ID).Exec(w.ctx); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatalf("no completed %s job to run again", kind)
	}
	apptest.Idle(t, w.a)
	if left := w.count(t, "SELECT count(*) FROM river_job WHERE kind = ? AND state <> 'completed'", kind); left != 0 {
		t.Fatalf("%d %s jobs not completed after the rerun", left, kind)
	}
}

// TestConclusionAsksTheOutcomeOnce: concluding a request creates its "concluded" ask, with the
// request's event of kind "outcome_asked" that puts it in the ente's bell with the form's link;
// the conclusion's and the ask's events run again (at least once delivery) add no second ask and
// no second notification.
func TestConclusionAsksTheOutcomeOnce(t *testing.T) {
	t.Parallel()
	w := newOutcomeWorld(t)
	r := w.concluded(t, "Arretrato VIA impianto logistico")
	asks := func() int {
		return w.count(t, "SELECT count(*) FROM request_outcomes WHERE request_id = ? AND stage = 'concluded' AND answered_at IS NULL", r.ID)
	}
	notes := func() int {
		return w.count(t, "SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'request.outcome.concluded' AND url = ?", w.mayor.UserID, request.OutcomeURL(r.ID))
	}
	if asks() != 1 || notes() != 1 {
		t.Fatalf("after the conclusion: %d asks, %d notifications to the mayor, want 1 and 1", asks(), notes())
	}
	if n := w.count(t, "SELECT count(*) FROM notifications WHERE kind LIKE 'request.outcome%' AND user_id <> ?", w.mayor.UserID); n != 0 {
		t.Errorf("%d outcome notifications to people other than the ente's members", n)
	}
	w.rerun(t, "request.event", func(a map[string]any) bool { return a["kind"] == "concluded" && a["request_id"] == float64(r.ID) })
	w.rerun(t, "request.event", func(a map[string]any) bool { return a["kind"] == request.AskedKind && a["request_id"] == float64(r.ID) })
	if asks() != 1 || notes() != 1 {
		t.Errorf("after the reruns: %d asks, %d notifications to the mayor, want 1 and 1", asks(), notes())
	}
	if created, err := w.a.Requests.Ask(w.ctx, r.ID, request.StageConcluded); err != nil || created {
		t.Errorf("asking again: created %v, %v", created, err)
	}
	// The mayor's bell and list show it (the form's link is the request's page).
	subject, err := w.a.Notifications.Subjects(w.ctx, w.mayor.UserID)
	if err != nil {
		t.Fatal(err)
	}
	list, err := w.a.Notifications.ListFor(w.ctx, subject, true, 100)
	if err != nil {
		t.Fatal(err)
	}
	shown := false
	for _, n := range list {
		shown = shown || n.Kind == "request.outcome.concluded" && n.URL == request.OutcomeURL(r.ID)
	}
	if !shown {
		t.Errorf("the ask is not in the mayor's notifications: %+v", list)
	}
}

// TestSixMonthAsk: the daily job asks again the requests concluded at least 182 days earlier,
// once; 181 days after the conclusion it asks nothing. A run that stopped midway (one ask
// committed) is completed by the next without duplicates.
func TestSixMonthAsk(t *testing.T) {
	t.Parallel()
	w := newOutcomeWorld(t)
	first := w.concluded(t, "Arretrato VIA impianto logistico")
	second := w.concluded(t, "Arretrato VIA seconda pratica")
	s := w.a.Requests
	run := func(after time.Duration) {
		t.Helper()
		at := time.Now().UTC().Add(after)
		s.SetClock(func() time.Time { return at })
		if err := w.a.Jobs.Enqueue(w.ctx, w.a.DB, request.SixMonthsArgs{}); err != nil {
			t.Fatal(err)
		}
		apptest.Idle(t, w.a)
	}
	asks := func(id int64) int {
		return w.count(t, "SELECT count(*) FROM request_outcomes WHERE request_id = ? AND stage = 'six_months'", id)
	}
	run(181 * 24 * time.Hour)
	if asks(first.ID)+asks(second.ID) != 0 {
		t.Fatalf("asked 181 days after the conclusion: %d, %d", asks(first.ID), asks(second.ID))
	}
	// A run stopped after its first ask: that one is committed with its notice.
	at := time.Now().UTC().Add(183 * 24 * time.Hour)
	s.SetClock(func() time.Time { return at })
	if due, err := s.DueSixMonths(w.ctx); err != nil || len(due) != 2 {
		t.Fatalf("due 183 days after: %v %v", due, err)
	}
	if created, err := s.Ask(w.ctx, first.ID, request.StageSixMonths); err != nil || !created {
		t.Fatalf("first ask: %v %v", created, err)
	}
	run(183 * 24 * time.Hour)
	run(183 * 24 * time.Hour) // the next day's run, or River running it again
	if asks(first.ID) != 1 || asks(second.ID) != 1 {
		t.Fatalf("six-month asks after 183 days: %d, %d, want 1 and 1", asks(first.ID), asks(second.ID))
	}
	for _, r := range []*request.Request{first, second} {
		if n := w.count(t, "SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'request.outcome.six_months' AND url = ?", w.mayor.UserID, request.OutcomeURL(r.ID)); n != 1 {
			t.Errorf("request %d: %d six-month notifications to the mayor, want 1", r.ID, n)
		}
	}
	if due, err := s.DueSixMonths(w.ctx); err != nil || len(due) != 0 {
		t.Errorf("still due after the run: %v %v", due, err)
	}
	if n := w.count(t, "SELECT count(*) FROM request_outcomes WHERE stage = 'concluded'"); n != 2 {
		t.Errorf("%d asks at the conclusion, want 2", n)
	}
}

// TestAnswerOutcome: an answer is stored, corrected, "unknown" is NULL; each store records the
// request's event of kind "outcome" (a job of kind request.event); bad figures and a stage not
// asked store nothing and record nothing.
func TestAnswerOutcome(t *testing.T) {
	t.Parallel()
	w := newOutcomeWorld(t)
	r := w.concluded(t, "Arretrato VIA impianto logistico")
	s := w.a.Requests
	var mu sync.Mutex
	var seen []request.Changed
	event.OnCommit(w.a.Events, func(_ context.Context, c request.Changed) {
		if c.Kind == request.OutcomeKind {
			mu.Lock()
			seen = append(seen, c)
			mu.Unlock()
		}
	})
	events := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(seen)
	}
	n := func(v int) *int { return &v }
	type row struct {
		Pending, Days *int
		Answered      bool
	}
	stored := func() row {
		t.Helper()
		var o request.Outcome
		if err := w.a.DB.NewSelect().Model(&o).Where("request_id = ?", r.ID).Where("stage = 'concluded'").Scan(w.ctx); err != nil {
			t.Fatal(err)
		}
		return row{o.BacklogPending, o.BacklogAvgDays, o.Answered()}
	}
	jobsBefore := w.count(t, "SELECT count(*) FROM river_job WHERE kind = 'request.event'")

	if _, err := s.AnswerOutcome(w.ctx, w.mayor, r.ID, request.StageConcluded, request.Answer{BacklogPending: n(12), BacklogAvgDays: n(90)}); err != nil {
		t.Fatal(err)
	}
	if got := stored(); !got.Answered || got.Pending == nil || *got.Pending != 12 || got.Days == nil || *got.Days != 90 {
		t.Fatalf("stored %+v", got)
	}
	if events() != 1 {
		t.Fatalf("%d outcome events after the answer, want 1", events())
	}
	// Corrected: the average time is not known after all.
	if _, err := s.AnswerOutcome(w.ctx, w.mayor, r.ID, request.StageConcluded, request.Answer{BacklogPending: n(0)}); err != nil {
		t.Fatal(err)
	}
	if got := stored(); got.Pending == nil || *got.Pending != 0 || got.Days != nil {
		t.Fatalf("corrected %+v", got)
	}
	if null := w.count(t, "SELECT count(*) FROM request_outcomes WHERE request_id = ? AND backlog_avg_days IS NULL AND backlog_pending = 0", r.ID); null != 1 {
		t.Errorf("unknown not stored as NULL")
	}
	if events() != 2 {
		t.Errorf("%d outcome events after the correction, want 2", events())
	}
	// Out of the limits, or a stage not asked: nothing stored, no event.
	var fe request.FieldErrors
	for _, a := range []request.Answer{{BacklogPending: n(1000001)}, {BacklogAvgDays: n(10001)}, {BacklogPending: n(-1)}} {
		if _, err := s.AnswerOutcome(w.ctx, w.mayor, r.ID, request.StageConcluded, a); !errors.As(err, &fe) {
			t.Errorf("%+v accepted: %v", a, err)
		}
	}
	if _, err := s.AnswerOutcome(w.ctx, w.mayor, r.ID, request.StageSixMonths, request.Answer{BacklogPending: n(3)}); !errors.Is(err, request.ErrNoAsk) || !errors.Is(err, db.ErrNotFound) {
		t.Errorf("answering a stage not asked: %v", err)
	}
	if got := stored(); got.Pending == nil || *got.Pending != 0 || got.Days != nil {
		t.Errorf("a refused answer changed the stored one: %+v", got)
	}
	apptest.Idle(t, w.a)
	if events() != 2 {
		t.Errorf("%d outcome events after refused answers, want 2", events())
	}
	// Each store committed one request.event job with kind "outcome".
	var args [][]byte
	if err := w.a.DB.NewSelect().Table("river_job").ColumnExpr(w.argsText()).Where("kind = 'request.event'").Scan(w.ctx, &args); err != nil {
		t.Fatal(err)
	}
	outcomes := 0
	for _, raw := range args {
		var c request.Changed
		if err := json.Unmarshal(raw, &c); err == nil && c.Kind == "outcome" && c.RequestID == r.ID && c.ActorID == w.mayor.UserID {
			outcomes++
		}
	}
	if outcomes != 2 || len(args)-jobsBefore != 2 {
		t.Errorf("%d request.event jobs of kind outcome (%d new jobs), want 2", outcomes, len(args)-jobsBefore)
	}
	// An answer tells nobody.
	if n := w.count(t, "SELECT count(*) FROM notifications WHERE kind = 'request.outcome'"); n != 0 {
		t.Errorf("%d notifications of an answer", n)
	}
	outs, err := s.Outcomes(w.ctx, r.ID)
	if err != nil || len(outs) != 1 || outs[0].AnsweredByName != "Mario Test" {
		t.Errorf("outcomes %+v %v", outs, err)
	}
}

// TestOutcomesMigrationRollsBack: the migration's down removes the table and its indexes, and up
// puts them back.
func TestOutcomesMigrationRollsBack(t *testing.T) {
	t.Parallel()
	a := apptest.New(t, apptest.NoContent)
	ctx := context.Background()
	const name = "20261206100001"
	subset := migrate.NewMigrations()
	for _, m := range migrations.All.Sorted() {
		if m.Name == name {
			subset.Add(m)
		}
	}
	m := migrate.NewMigrator(a.DB.DB, subset, migrate.WithTemplateData(map[string]string{"Dialect": a.DB.Kind}), migrate.WithMarkAppliedOnSuccess(true))
	if group, err := m.Rollback(ctx); err != nil || len(group.Migrations) != 1 {
		t.Fatalf("down: %v %v", group, err)
	}
	if _, err := a.DB.NewRaw("SELECT count(*) FROM request_outcomes").Exec(ctx); err == nil {
		t.Fatal("request_outcomes still there after down")
	}
	if _, err := a.DB.Migrate(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if _, err := a.DB.NewRaw("SELECT count(*) FROM request_outcomes").Exec(ctx); err != nil {
		t.Fatalf("request_outcomes after up: %v", err)
	}
}

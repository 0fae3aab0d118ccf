package app_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/auth"
	"passhub/app/config"
	"passhub/app/db"
	"passhub/app/identity"
	"passhub/app/jobs"
	"passhub/app/mailtest"
	"passhub/app/request"
	"passhub/app/search"
)

// team is a request of Cantù assigned to two experts of the VA task force, with its PM.
type team struct {
	mayor, pm, expert, expert2 int64
	req                        *request.Request
}

func login(t testing.TB, a *app.App, first15, name string) int64 {
	t.Helper()
	u, _, err := a.Identity.Login(context.Background(), auth.Identity{FiscalCode: apptest.FiscalCode(first15), Name: name, FamilyName: "Test",
		Email: strings.ToLower(name) + "@example.it", Method: "spid", Issuer: "test", Level: 2}, identity.Client{IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func newTeam(t testing.TB, a *app.App) *team {
	t.Helper()
	ctx := context.Background()
	w := &team{mayor: login(t, a, "RSSMRA80A01F205", "Mario"), pm: login(t, a, "PMPMPM80A01F205", "Piera"),
		expert: login(t, a, "SPRSPR80A01F205", "Sara"), expert2: login(t, a, "SPRLCU80A01F205", "Luca")}
	e := apptest.ApprovedEnte(t, a, "013041", "Cantù", "CO", w.mayor)
	for _, g := range []struct {
		id   int64
		role string
	}{{w.pm, "pm"}, {w.expert, "expert"}, {w.expert2, "expert"}} {
		if err := a.Identity.Grant(ctx, identity.Actor{}, g.id, g.role, "VA"); err != nil {
			t.Fatal(err)
		}
	}
	r, err := a.Requests.File(ctx, request.Actor{UserID: w.mayor}, e.ID, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA",
		Description: "Quaranta istanze in attesa da mesi, un solo istruttore.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
	if err != nil {
		t.Fatal(err)
	}
	if w.req, err = a.Requests.Assign(ctx, request.Actor{UserID: w.pm}, r.ID, []int64{w.expert, w.expert2}); err != nil {
		t.Fatal(err)
	}
	return w
}

func count(t testing.TB, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// abandon makes the job look as a process killed while running it leaves it: running, begun
// ago, never finished.
func abandon(t testing.TB, d *db.DB, id int64, ago time.Duration) {
	t.Helper()
	secs := strconv.Itoa(int(ago.Seconds())) + " seconds"
	q := "UPDATE river_job SET state = 'running', finalized_at = NULL, attempted_at = datetime('now', 'subsec', ?) WHERE id = ?"
	arg := "-" + secs
	if d.Kind == db.Postgres {
		q, arg = "UPDATE river_job SET state = 'running', finalized_at = NULL, attempted_at = now() - ?::interval WHERE id = ?", secs
	}
	if _, err := d.NewRaw(q, arg, id).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestAbandonedJobsRunAgainWithoutDuplicates: a process killed after a job did its work but before
// it was marked done leaves it running; the next process runs it again within the rescue delay
// (3 minutes by default), and the rerun adds no notification and sends no e-mail twice.
func TestAbandonedJobsRunAgainWithoutDuplicates(t *testing.T) {
	smtp := mailtest.Start(t)
	first := apptest.New(t, withSMTP(smtp))
	ctx := context.Background()
	w := newTeam(t, first)
	for _, u := range []int64{w.mayor, w.pm, w.expert2} {
		if err := first.Notifications.SetPref(ctx, u, "message", "now"); err != nil {
			t.Fatal(err)
		}
	}
	apptest.Idle(t, first)
	mailsBefore := len(smtp.Messages())
	if _, err := first.Workspace.Post(ctx, request.Actor{UserID: w.expert, Name: "Sara"}, w.req, true, "Prima analisi delle istanze."); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, first)
	notes := count(t, first.DB, "SELECT count(*) FROM notifications WHERE kind = 'request.message'")
	mails := len(smtp.WaitFor(t, mailsBefore+3, 5*time.Second))
	if notes != 3 || mails != mailsBefore+3 {
		t.Fatalf("before the crash: %d notifications, %d mails (want 3, %d)", notes, mails, mailsBefore+3)
	}
	var event, mail int64
	if err := first.DB.NewSelect().Table("river_job").Column("id").Where("kind = 'request.event'").Order("id DESC").Limit(1).Scan(ctx, &event); err != nil {
		t.Fatal(err)
	}
	if err := first.DB.NewSelect().Table("river_job").Column("id").Where("kind = 'notify.mail'").Order("id DESC").Limit(1).Scan(ctx, &mail); err != nil {
		t.Fatal(err)
	}
	dir, url := first.Config.DataDir, first.Config.DatabaseURL
	if err := first.Close(); err != nil {
		t.Logf("close: %v", err)
	}
	// The crash: both jobs did all their work, and neither was marked done.
	d, err := db.Open(ctx, url, first.Config.SQLitePath())
	if err != nil {
		t.Fatal(err)
	}
	rescue := config.Defaults().JobsRescue
	abandon(t, d, event, rescue+5*time.Second)
	abandon(t, d, mail, rescue+5*time.Second)
	_ = d.Close()

	cfg := apptest.Config(t, apptest.NoContent, withSMTP(smtp), func(c *config.Config) { c.DataDir, c.DatabaseURL = dir, url })
	second, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = second.Close() })
	if err := second.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := second.StartJobs(ctx); err != nil {
		t.Fatal(err)
	}
	for {
		rerun := count(t, second.DB, "SELECT count(*) FROM river_job WHERE id IN (?, ?) AND state = 'completed' AND attempt = 2", event, mail)
		if rerun == 2 {
			break
		}
		if time.Since(start) > 45*time.Second {
			t.Fatalf("abandoned jobs not run again %v after the restart (%d of 2)", time.Since(start), rerun)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("abandoned jobs ran again %v after the restart (abandoned %v before it)", time.Since(start).Round(time.Millisecond), rescue+5*time.Second)
	apptest.Idle(t, second)
	time.Sleep(300 * time.Millisecond) // a duplicate e-mail would be on its way
	if n := count(t, second.DB, "SELECT count(*) FROM notifications WHERE kind = 'request.message'"); n != notes {
		t.Errorf("%d notifications after the rerun, want %d", n, notes)
	}
	if n := len(smtp.Messages()); n != mails {
		t.Errorf("%d mails after the rerun, want %d", n, mails)
	}
}

// TestStalledMailServerDoesNotDelaySearch: with an SMTP server that accepts and never answers
// holding every mail worker, a message posted meanwhile is searchable within seconds.
func TestStalledMailServerDoesNotDelaySearch(t *testing.T) {
	stalled := mailtest.StartStalled(t)
	s := apptest.Start(t, func(c *config.Config) {
		c.Mail, c.SMTPHost, c.SMTPPort, c.SMTPTLS, c.SMTPFrom = "smtp", stalled.Host(), stalled.Port(), "none", "PAsS <noreply@pass.example.it>"
	})
	ctx := context.Background()
	w := newTeam(t, s.App)
	users := []int64{w.mayor, w.pm, w.expert, w.expert2}
	for i := 0; i < 3; i++ {
		if err := s.Notifications.Notify(ctx, users, "request.assigned", "Arretrato VIA", "/area-riservata/richieste/1"); err != nil {
			t.Fatal(err)
		}
	}
	busy := jobs.Lanes[jobs.QueueMail].Workers
	for deadline := time.Now().Add(10 * time.Second); stalled.Connections() < busy; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d mail workers waiting on the stalled server, want %d", stalled.Connections(), busy)
		}
	}
	start := time.Now()
	m, err := s.Workspace.Post(ctx, request.Actor{UserID: w.expert, Name: "Sara"}, w.req, true, "Sopralluogo alla cava di Zanzibar.")
	if err != nil {
		t.Fatal(err)
	}
	ref := search.Ref(search.TypeMessage, m.ID)
	for {
		ids, err := s.Search.Engine.IDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, id := range ids {
			found = found || id == ref
		}
		if found {
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("a message is not searchable %v after it was posted, with the mail server stalled", time.Since(start))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("searchable after %v with %d connections held by the stalled mail server", time.Since(start).Round(time.Millisecond), stalled.Connections())
}

// TestStuckJobsAreShown: a job running for longer than its queue allows (here, left by a dead
// process two minutes ago) is listed for admins with the time it runs again, and counted in the
// passhub_jobs_stuck gauge.
func TestStuckJobsAreShown(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	admin := s.Login(t, apptest.FiscalCode("DMNDMN80A01F205"), "Ada", "Admin")
	users, _, _ := s.Identity.Users(ctx, "admin", 1)
	if err := s.Identity.Grant(ctx, identity.Actor{}, users[0].ID, "admin", ""); err != nil {
		t.Fatal(err)
	}
	if _, body := s.Get(t, "/metrics"); !strings.Contains(body, `passhub_jobs_stuck{queue="events"} 0`) {
		t.Fatalf("no stuck-jobs gauge at zero:\n%s", grepLines(body, "passhub_jobs"))
	}
	q := "UPDATE river_job SET state = 'running', attempt = 1, attempted_at = datetime('now', 'subsec', '-120 seconds') WHERE id = (SELECT max(id) FROM river_job)"
	if s.DB.Kind == db.Postgres {
		q = "UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now() - interval '120 seconds' WHERE id = (SELECT max(id) FROM river_job)"
	}
	err := s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.Events.InTx(ctx, tx, request.Changed{RequestID: 999, Kind: "message"}); err != nil {
			return err
		}
		_, err := tx.NewRaw(q).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_, body := s.Get(t, "/admin/lavori", "Cookie", admin)
	row := parse(t, body).Find("tr.pass-job-stuck")
	if row.Length() != 1 || !strings.Contains(row.Text(), "request.event") || !strings.Contains(row.Text(), "events") || !strings.Contains(row.Text(), "limite 1m0s") {
		t.Errorf("stuck jobs: %q", row.Text())
	}
	if _, body := s.Get(t, "/metrics"); !strings.Contains(body, `passhub_jobs_stuck{queue="events"} 1`) {
		t.Errorf("stuck-jobs gauge:\n%s", grepLines(body, "passhub_jobs"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestRebuildResumesAtTheChunkItWasIn: a rebuild runs in chunks that each queue the next; one
// left running by a dead process runs again and the rebuild goes on from there to the end.
func TestRebuildResumesAtTheChunkItWasIn(t *testing.T) {
	old := search.RebuildChunk
	search.RebuildChunk = 2
	t.Cleanup(func() { search.RebuildChunk = old })
	first := apptest.New(t)
	ctx := context.Background()
	w := newTeam(t, first)
	for i := 0; i < 5; i++ {
		if _, err := first.Workspace.Post(ctx, request.Actor{UserID: w.expert, Name: "Sara"}, w.req, true, "Nota "+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	apptest.Idle(t, first)
	refs, err := first.Search.RequestRefs(ctx, w.req.ID)
	if err != nil {
		t.Fatal(err)
	}
	var messages []string
	for _, r := range refs {
		if strings.HasPrefix(r, search.TypeMessage+":") {
			messages = append(messages, r)
		}
	}
	if len(messages) != 5 {
		t.Fatalf("%d messages indexed", len(messages))
	}
	// The crash: the index lost the messages, and the chunk indexing them was running.
	if err := first.Search.Engine.Delete(ctx, messages...); err != nil {
		t.Fatal(err)
	}
	err = first.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return first.Jobs.Enqueue(ctx, tx, search.RebuildChunkArgs{Run: 1, Source: search.TypeMessage})
	})
	if err != nil {
		t.Fatal(err)
	}
	var chunk int64
	if err := first.DB.NewSelect().Table("river_job").Column("id").Where("kind = 'search.rebuild.chunk'").Order("id DESC").Limit(1).Scan(ctx, &chunk); err != nil {
		t.Fatal(err)
	}
	dir, url := first.Config.DataDir, first.Config.DatabaseURL
	_ = first.Close()
	d, err := db.Open(ctx, url, first.Config.SQLitePath())
	if err != nil {
		t.Fatal(err)
	}
	// The first process's workers may have run the chunk before it closed: what that run queued
	// is undone, so the chunk is as a crash in its middle leaves it.
	if _, err := d.NewDelete().Table("river_job").Where("kind = 'search.rebuild.chunk' AND id > ?", chunk).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	abandon(t, d, chunk, config.Defaults().JobsRescue+5*time.Second)
	_ = d.Close()

	second := apptest.New(t, apptest.NoContent, func(c *config.Config) { c.DataDir, c.DatabaseURL = dir, url })
	for deadline := time.Now().Add(45 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if count(t, second.DB, "SELECT count(*) FROM river_job WHERE id = ? AND state = 'completed'", chunk) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the abandoned chunk did not run again")
		}
	}
	apptest.Idle(t, second)
	missing, extra, err := second.Search.Drift(ctx)
	if err != nil || len(missing)+len(extra) != 0 {
		t.Fatalf("after the resumed rebuild: missing %v, extra %v, %v", missing, extra, err)
	}
	// Messages in chunks of 2, then the documents, activities, the work areas' topics and posts,
	// the CRM's rows, the calls for funding, the six act templates in chunks of 2 (and the empty
	// chunk after the last), project sheets, tender documents and both kinds of tickets (none):
	// from the abandoned chunk on.
	var args []string
	expr := "json(args)" // River keeps JSONB on SQLite
	if second.DB.Kind == db.Postgres {
		expr = "args::text"
	}
	if err := second.DB.NewSelect().Table("river_job").ColumnExpr(expr).Where("kind = 'search.rebuild.chunk'").Where("state = 'completed'").Scan(ctx, &args); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range args {
		if strings.Contains(strings.ReplaceAll(a, " ", ""), `"run":1,`) {
			n++
		}
	}
	if n != 19 {
		t.Errorf("%d chunks of the resumed rebuild ran, want 19 (messages 1–2, 3–4, 5, documents, activities, area topics, area posts, the CRM's contacts, interactions, agreements, calls, "+
			"templates 1–2, 3–4, 5–6 and after, project sheets, tender documents, tickets, tickets of their requesters): %v", n, args)
	}
}

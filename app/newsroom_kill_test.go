package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/identity"
)

// TestScheduledPublicationKilledMidJob: a process is killed (SIGKILL) while its scheduled
// publication job is inside the publication's transaction, waiting for the entry's row. The job
// is left running and nothing is published; the next process, with the rescue delay lowered to
// 10 s, runs the job again and the entry is published exactly once: one revision live, one
// publication audited, one notice to its author.
func TestScheduledPublicationKilledMidJob(t *testing.T) {
	if !apptest.OnPostgres() {
		t.Skip("holding a job in the middle needs a row lock: on SQLite the test's write lock would stop the job queue itself " +
			"(TestAbandonedSchedulesRunOnce covers the state a killed process leaves there); this runs in the PostgreSQL leg")
	}
	first := apptest.New(t)
	ctx := context.Background()
	editor := content.Actor{UserID: login(t, first, "RDTRDT80A01F205", "Giovanni"), Name: "Giovanni"}
	publisher := content.Actor{UserID: login(t, first, "CPRCPR80A01F205", "Laura"), Name: "Laura", Publisher: true}
	for id, role := range map[int64]string{editor.UserID: identity.RoleEditor, publisher.UserID: identity.RolePublisher} {
		if err := first.Identity.Grant(ctx, identity.Actor{}, id, role, ""); err != nil {
			t.Fatal(err)
		}
	}
	const slug = "uscita-interrotta"
	e, rev, err := first.Content.SaveDraft(ctx, editor, content.Draft{Type: content.TypeNews, Slug: slug, Body: "Testo.\n",
		Fields: map[string]string{"title": "Notizia interrotta", "summary": "s", "date": "2026-12-04"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Content.Submit(ctx, editor, content.TypeNews, slug, rev.ID); err != nil {
		t.Fatal(err)
	}
	if err := first.Content.Schedule(ctx, publisher, content.TypeNews, slug, rev.ID, time.Now().Add(2*time.Second), time.Time{}); err != nil {
		t.Fatal(err)
	}
	var job int64
	if err := first.DB.NewSelect().Table("river_job").Column("id").Where("kind = 'content.schedule' AND state = 'scheduled'").Scan(ctx, &job); err != nil {
		t.Fatal(err)
	}
	notes := count(t, first.DB, "SELECT count(*) FROM notifications WHERE kind = 'content.published'")
	dir, url := first.Config.DataDir, first.Config.DatabaseURL
	if err := first.Close(); err != nil {
		t.Logf("close: %v", err)
	}

	d, err := db.Open(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	hold, err := d.BeginTx(ctx, nil) // the entry's row, locked: the job will wait for it inside its transaction
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = hold.Rollback() }()
	if _, err := hold.NewRaw("SELECT id FROM entries WHERE id = ? FOR UPDATE", e.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	child := exec.Command(os.Args[0], "-test.run=^TestScheduleKillHelper$", "-test.timeout=2m")
	child.Env = append(os.Environ(), "PASSHUB_KILL_DATA_DIR="+dir, "PASSHUB_KILL_DATABASE_URL="+url, "PASSHUB_KILL_SEARCH_DIR="+t.TempDir())
	var out bytes.Buffer
	child.Stdout, child.Stderr = &out, &out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	waiting := func() bool {
		var state string
		_ = d.NewSelect().Table("river_job").Column("state").Where("id = ?", job).Scan(ctx, &state)
		return state == "running" && count(t, d, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") > 0
	}
	for deadline := time.Now().Add(40 * time.Second); !waiting(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = child.Process.Kill()
			_ = child.Wait()
			t.Fatalf("the other process never got inside the scheduled publication:\n%s", out.String())
		}
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	killed := time.Now()
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, d, "SELECT count(*) FROM river_job WHERE id = ? AND state = 'running'", job); n != 1 {
		t.Fatal("the killed process's job is not left running")
	}
	if n := count(t, d, "SELECT count(*) FROM revisions WHERE id = ? AND state = 'published'", rev.ID); n != 0 {
		t.Fatal("the revision was published by the killed process")
	}

	const rescue = 10 * time.Second
	cfg := apptest.Config(t, apptest.NoContent, func(c *config.Config) { c.DataDir, c.DatabaseURL, c.JobsRescue = dir, url, rescue })
	second, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = second.Close() })
	if err := second.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := second.StartJobs(ctx); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(rescue + 45*time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := second.Content.Published(ctx, content.TypeNews, slug); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not published %v after the kill (rescue after %v)", time.Since(killed).Round(time.Second), rescue)
		}
	}
	t.Logf("published %v after the kill (rescue after %v)", time.Since(killed).Round(100*time.Millisecond), rescue)
	apptest.Idle(t, second)
	if n := count(t, second.DB, "SELECT count(*) FROM river_job WHERE id = ? AND state = 'completed' AND attempt = 2", job); n != 1 {
		t.Error("the rescued job did not complete on its second attempt")
	}
	if n := count(t, second.DB, "SELECT count(*) FROM audit_entries WHERE action = 'content.publish' AND object_id = ?", e.ID); n != 1 {
		t.Errorf("%d publications audited, want 1", n)
	}
	if n := count(t, second.DB, "SELECT count(*) FROM revisions WHERE entry_id = ? AND state = 'published'", e.ID); n != 1 {
		t.Errorf("%d revisions published, want 1", n)
	}
	if n := count(t, second.DB, "SELECT count(*) FROM notifications WHERE kind = 'content.published'"); n != notes+1 {
		t.Errorf("%d publication notices, want %d", n, notes+1)
	}
}

// TestScheduleKillHelper is not a test: run by TestScheduledPublicationKilledMidJob in a child
// process, it works the job queue of the database it is given until it is killed.
func TestScheduleKillHelper(t *testing.T) {
	dir := os.Getenv("PASSHUB_KILL_DATA_DIR")
	if dir == "" {
		t.Skip("helper process of TestScheduledPublicationKilledMidJob; runs only when that test starts it")
	}
	cfg := config.Defaults()
	cfg.DataDir, cfg.DatabaseURL, cfg.SearchDir = dir, os.Getenv("PASSHUB_KILL_DATABASE_URL"), os.Getenv("PASSHUB_KILL_SEARCH_DIR")
	cfg.ContentDir, cfg.JobsPoll = "", 20*time.Millisecond
	cfg.Derive()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Migrate(ctx); err != nil { // nothing to apply: it opens the job queue
		t.Fatal(err)
	}
	if err := a.StartJobs(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(90 * time.Second) // killed long before
}

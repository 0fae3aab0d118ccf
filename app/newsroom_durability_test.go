package app_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/identity"
)

// TestAbandonedSchedulesRunOnce: a process dies twice over, once after a scheduled publication
// did its work but before its job was marked done, once before another one was due. The next
// process runs both jobs again: the first changes nothing (one publication, one notification),
// the second publishes at its time.
func TestAbandonedSchedulesRunOnce(t *testing.T) {
	first := apptest.New(t)
	ctx := context.Background()
	editor := content.Actor{UserID: login(t, first, "RDTRDT80A01F205", "Giovanni"), Name: "Giovanni"}
	publisher := content.Actor{UserID: login(t, first, "CPRCPR80A01F205", "Laura"), Name: "Laura", Publisher: true}
	for id, role := range map[int64]string{editor.UserID: identity.RoleEditor, publisher.UserID: identity.RolePublisher} {
		if err := first.Identity.Grant(ctx, identity.Actor{}, id, role, ""); err != nil {
			t.Fatal(err)
		}
	}
	schedule := func(slug string, at time.Time) {
		t.Helper()
		_, rev, err := first.Content.SaveDraft(ctx, editor, content.Draft{Type: content.TypeNews, Slug: slug, Body: "Testo.\n",
			Fields: map[string]string{"title": "Notizia " + slug, "summary": "s", "date": "2026-12-04"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := first.Content.Submit(ctx, editor, content.TypeNews, slug, rev.ID); err != nil {
			t.Fatal(err)
		}
		if err := first.Content.Schedule(ctx, publisher, content.TypeNews, slug, rev.ID, at, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	public := func(a *app.App, slug string) bool {
		_, err := a.Content.Published(ctx, content.TypeNews, slug)
		return err == nil
	}
	schedule("gia-uscita", time.Now().Add(time.Second))
	for deadline := time.Now().Add(20 * time.Second); !public(first, "gia-uscita"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the scheduled publication never ran")
		}
	}
	apptest.Idle(t, first)
	schedule("in-arrivo", time.Now().Add(4*time.Second))
	var done, due int64
	if err := first.DB.NewSelect().Table("river_job").Column("id").Where("kind = 'content.schedule' AND state = 'completed'").Scan(ctx, &done); err != nil {
		t.Fatal(err)
	}
	if err := first.DB.NewSelect().Table("river_job").Column("id").Where("kind = 'content.schedule' AND state = 'scheduled'").Scan(ctx, &due); err != nil {
		t.Fatal(err)
	}
	notes := count(t, first.DB, "SELECT count(*) FROM notifications WHERE kind = 'content.published'")
	dir, url := first.Config.DataDir, first.Config.DatabaseURL
	if err := first.Close(); err != nil {
		t.Logf("close: %v", err)
	}
	d, err := db.Open(ctx, url, first.Config.SQLitePath())
	if err != nil {
		t.Fatal(err)
	}
	rescue := config.Defaults().JobsRescue
	abandon(t, d, done, rescue+5*time.Second)
	abandon(t, d, due, rescue+5*time.Second)
	_ = d.Close()

	cfg := apptest.Config(t, apptest.NoContent, func(c *config.Config) { c.DataDir, c.DatabaseURL = dir, url })
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
	for deadline := time.Now().Add(45 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		rerun := count(t, second.DB, "SELECT count(*) FROM river_job WHERE id IN (?, ?) AND state = 'completed'", done, due)
		if rerun == 2 && public(second, "in-arrivo") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("abandoned schedule jobs not run again (%d of 2 done)", rerun)
		}
	}
	apptest.Idle(t, second)
	if n := count(t, second.DB, "SELECT count(*) FROM audit_entries WHERE action = 'content.publish'"); n != 2 {
		t.Errorf("%d publications audited, want 2", n)
	}
	if n := count(t, second.DB, "SELECT count(*) FROM notifications WHERE kind = 'content.published'"); n != notes+1 {
		t.Errorf("%d publication notices, want %d", n, notes+1)
	}
}

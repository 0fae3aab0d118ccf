package newsroom_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/content"
)

// TestScheduleChecksBrokenLinks: scheduling a publication checks the internal links as
// publishing does: refused with the list and a "programma comunque" checkbox, scheduled once it
// is ticked. A schedule whose links break before its time still publishes at the time, and the
// publisher who scheduled it is told in the bell how many links are broken; the job does not fail.
func TestScheduleChecksBrokenLinks(t *testing.T) {
	t.Parallel()
	r := open(t)
	ctx := context.Background()
	desk := "/redazione/contenuti/news/programmata"
	body := "Vedi [il bersaglio](/notizie/bersaglio-prog) e [la guida](/guida/non-esiste).\n"
	when := time.Now().Add(48 * time.Hour).In(rome()).Format("2006-01-02T15:04")
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "a target not published", As: r.publisher, Method: "POST", Path: "/redazione/nuovo/news",
			Form: with(news("Bersaglio", "2026-12-04", "Testo.\n"), "azione", "salva", "slug", "bersaglio-prog"), Status: 303},
		{Name: "a draft with broken links", As: r.publisher, Method: "POST", Path: "/redazione/nuovo/news",
			Form: with(news("Programmata", "2026-12-04", body), "azione", "salva", "slug", "programmata"), Status: 303},
	})
	rev := r.rev(t, content.TypeNews, "programmata")
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "scheduling is refused", As: r.publisher, Method: "POST", Path: desk + "/passi/schedule", Form: url.Values{"rev": {rev}, "publish_at": {when}}, Status: 422,
			Has: map[string]string{".pass-error-summary": "2 link interrotti", "input#step-schedule-comunque[name='comunque'][aria-describedby='broken-title']": "",
				"label[for='step-schedule-comunque']": "Programma comunque", "#step-publish_at[value='" + when + "']": "", "#entry-state": "Bozza"}},
		{Name: "in English", As: r.publisher, Method: "POST", Path: desk + "/passi/schedule", Form: url.Values{"rev": {rev}, "publish_at": {when}}, Lang: "en", Status: 422,
			Has: map[string]string{".pass-error-summary": "Schedule anyway", "label[for='step-schedule-comunque']": "Schedule anyway"}},
		{Name: "schedule anyway", As: r.publisher, Method: "POST", Path: desk + "/passi/schedule", Form: url.Values{"rev": {rev}, "publish_at": {when}, "comunque": {"1"}}, Status: 303},
		{Name: "scheduled", As: r.publisher, Path: desk, Status: 200, Has: map[string]string{"#entry-state": "Programmato"}},
	})

	// Links fine when scheduled, broken by the time the job runs.
	good := firstNews(t, r)
	publisher := r.user(t, r.publisher)
	who := content.Actor{UserID: publisher, Name: "Capo", Publisher: true}
	if _, _, err := r.s.Content.SaveDraft(ctx, who, content.Draft{Type: content.TypeNews, Slug: "in-orario",
		Fields: map[string]string{"title": "In orario", "summary": "s", "date": "2026-12-04"}, Body: "Vedi [la notizia](/notizie/" + good + ").\n"}); err != nil {
		t.Fatal(err)
	}
	head, err := r.s.Content.Work(ctx, content.TypeNews, "in-orario")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(2 * time.Second)
	if err := r.s.Content.Schedule(ctx, who, content.TypeNews, "in-orario", head.Head.ID, at, time.Time{}); err != nil {
		t.Fatalf("a schedule whose links work: %v", err)
	}
	target, err := r.s.Content.Work(ctx, content.TypeNews, good)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.s.Content.Unpublish(ctx, who, content.TypeNews, good, target.Head.ID); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if res, _ := r.s.Get(t, "/notizie/in-orario"); res.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the scheduled publication did not run")
		}
	}
	var subjects []string
	for deadline := time.Now().Add(10 * time.Second); len(subjects) == 0; time.Sleep(100 * time.Millisecond) {
		if err := r.s.DB.NewSelect().Table("notifications").Column("subject").
			Where("user_id = ? AND kind = 'content.published_broken_links'", publisher).Scan(ctx, &subjects); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the publisher was not told of the broken link")
		}
	}
	if len(subjects) != 1 || subjects[0] != "In orario (1 link)" {
		t.Errorf("notifications %q", subjects)
	}
	apptest.Idle(t, r.s.App)
	var failed int
	if err := r.s.DB.NewSelect().Table("river_job").ColumnExpr("count(*)").Where("state IN ('retryable', 'discarded')").Scan(ctx, &failed); err != nil || failed != 0 {
		t.Errorf("%d failed jobs (%v)", failed, err)
	}
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "the dashboard lists it", As: r.editor, Path: "/redazione", Status: 200,
			Has: map[string]string{".pass-broken a[href='/redazione/contenuti/news/in-orario']": "In orario"}},
		{Name: "the bell says so", As: r.publisher, Path: "/area-riservata/notifiche", Status: 200, Text: []string{"Pubblicazione programmata eseguita con link interrotti", "In orario (1 link)"}},
	})
	if !strings.Contains(r.audit(t, "content.published_broken_links"), "/notizie/"+good) {
		t.Error("the audit does not name the broken link")
	}
}

func rome() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return l
}

// user is the id of the user a session cookie belongs to.
func (r *room) user(t *testing.T, cookie string) int64 {
	t.Helper()
	u, err := r.s.Identity.Authenticate(context.Background(), strings.TrimPrefix(strings.Split(cookie, ";")[0], "pass_session="))
	if err != nil {
		t.Fatal(err)
	}
	return u.User.ID
}

// audit returns the details of the audit entries of action, one a line.
func (r *room) audit(t *testing.T, action string) string {
	t.Helper()
	var details []string
	if err := r.s.DB.NewSelect().Table("audit_entries").Column("detail").Where("action = ?", action).Scan(context.Background(), &details); err != nil {
		t.Fatal(err)
	}
	return strings.Join(details, "\n")
}

package webhook_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/content"
	"passhub/app/webhook"
)

// TestEndpointLimit: past PASSHUB_WEBHOOKS_MAX_ENDPOINTS a registration is refused with a clear
// message, in Italian and English, and registers nothing; deleting one makes room again.
func TestEndpointLimit(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, allowLoopback, func(c *config.Config) { c.WebhooksMaxEndpoints = 2 })
	ctx := context.Background()
	cookie, adminID := admin(t, s)
	rc := newReceiver(t, nil)
	first := create(t, s, adminID, rc.URL+"/a", false, "content.changed")
	create(t, s, adminID, rc.URL+"/b", false, "content.changed")
	if _, err := s.Webhooks.Create(ctx, webhook.Actor{UserID: adminID}, webhook.Form{URL: rc.URL + "/c", Events: []string{"content.changed"}}); err != webhook.ErrTooMany {
		t.Errorf("a third endpoint: %v", err)
	}
	form := url.Values{"_csrf": {apptest.CSRFToken}, "url": {rc.URL + "/c"}, "events": {"content.changed"}}
	for lang, want := range map[string]string{"it": "Sono già registrati 2 endpoint, il massimo consentito", "en": "2 endpoints are registered already, the most allowed"} {
		res, body := s.PostForm(t, "/admin/webhook", form, "Cookie", cookie, "Accept-Language", lang)
		doc := apptest.Parse(t, body)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(".pass-error-summary").Text(), want) {
			t.Errorf("%s: the form past the limit = %d %q", lang, res.StatusCode, doc.Find(".pass-error-summary").Text())
		}
		if v, _ := doc.Find("#webhook-url").Attr("value"); v != rc.URL+"/c" {
			t.Errorf("%s: the URL typed was not kept: %q", lang, v)
		}
	}
	if eps, _ := s.Webhooks.Endpoints(ctx); len(eps) != 2 {
		t.Fatalf("%d endpoints, want 2", len(eps))
	}
	if err := s.Webhooks.Delete(ctx, webhook.Actor{UserID: adminID}, first.ID); err != nil {
		t.Fatal(err)
	}
	if res, _ := s.PostForm(t, "/admin/webhook", form, "Cookie", cookie); res.StatusCode != http.StatusCreated {
		t.Errorf("after a deletion = %d", res.StatusCode)
	}
}

// TestSlowReceiversDoNotDelayPublication: receivers on loopback that take 3 s to answer (the
// delivery timeout lowered to 1 s) keep the webhook queue's own workers busy with a 12 s backlog,
// never more of them at once than PASSHUB_WEBHOOKS_WORKERS, while a scheduled publication runs
// on time in its own queue (within River's 5 s scheduling interval).
func TestSlowReceiversDoNotDelayPublication(t *testing.T) {
	t.Parallel()
	const workers = 2
	s := apptest.Start(t, allowLoopback, func(c *config.Config) {
		c.WebhooksConnectTimeout, c.WebhooksTimeout = 500*time.Millisecond, time.Second
		c.WebhooksBackoff, c.WebhooksWorkers, c.WebhooksPerEndpoint = time.Minute, workers, workers
	})
	ctx := context.Background()
	_, adminID := admin(t, s)
	var inFlight, most, posts atomic.Int64
	slow := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		select { // bounded: 3 s at most, less when the delivery gives up
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
	})
	for _, p := range []string{"/a", "/b", "/c", "/d"} {
		create(t, s, adminID, slow.URL+p, false, "content.changed")
	}
	for range 6 {
		contentEvent(t, s) // 24 deliveries, each holding a webhook worker for the 1 s timeout: 12 s of backlog
	}
	waitFor(t, "the webhook workers to be busy", 10*time.Second, func() bool { return inFlight.Load() == workers })

	who := content.Actor{Name: "Capo", Publisher: true}
	if _, _, err := s.Content.SaveDraft(ctx, who, content.Draft{Type: content.TypeNews, Slug: "puntuale",
		Fields: map[string]string{"title": "Puntuale", "summary": "s", "date": "2026-12-04"}, Body: "Testo.\n"}); err != nil {
		t.Fatal(err)
	}
	w, err := s.Content.Work(ctx, content.TypeNews, "puntuale")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(1500 * time.Millisecond).Truncate(time.Second).Add(time.Second)
	if err := s.Content.Schedule(ctx, who, content.TypeNews, "puntuale", w.Head.ID, at, time.Time{}); err != nil {
		t.Fatal(err)
	}
	var live time.Time
	for deadline := at.Add(15 * time.Second); live.IsZero(); time.Sleep(20 * time.Millisecond) {
		if res, _ := s.Get(t, "/notizie/puntuale"); res.StatusCode == 200 {
			live = time.Now()
		} else if time.Now().After(deadline) {
			t.Fatal("the scheduled publication did not run")
		}
	}
	var backlog int
	if err := s.DB.NewSelect().Table("river_job").ColumnExpr("count(*)").Where("queue = ?", "webhooks").
		Where("state IN ('available', 'running')").Scan(ctx, &backlog); err != nil {
		t.Fatal(err)
	}
	// River moves scheduled jobs to their queue every 5 s (its scheduler's interval): a
	// publication is up to that late whatever the load, plus what a loaded machine adds. Behind
	// the webhooks' 12 s of backlog it would be at least 12 s late.
	if late := live.Sub(at); late > 9*time.Second {
		t.Errorf("published %v after its time while receivers were slow", late)
	}
	if backlog == 0 {
		t.Error("the webhook queue had no backlog at the publication: the test proved nothing")
	}
	if m := most.Load(); m > workers {
		t.Errorf("%d deliveries ran at once, more than the webhook queue's %d workers", m, workers)
	}
	t.Logf("published %v after its time; %d webhook jobs still waiting or running, %d posts so far, at most %d at once",
		live.Sub(at), backlog, posts.Load(), most.Load())
}

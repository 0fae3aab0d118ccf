package e2e

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/content"
	"passhub/app/identity"
)

// TestWebhookJourney: an admin, in the browser, registers an endpoint (a wrong address first),
// copies the secret shown once, sees a real event's delivery in the log and redelivers it. Every
// page is free of console errors, failed requests and axe violations, in both languages.
func TestWebhookJourney(t *testing.T) {
	s := apptest.Start(t, func(c *config.Config) { c.WebhooksAllow = []string{"127.0.0.1/32"} })
	ctx := context.Background()
	var mu sync.Mutex
	var ids []string
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		ids = append(ids, r.Header.Get("webhook-id"))
		mu.Unlock()
		_, _ = w.Write([]byte(`{"received":true}`))
	}))
	defer rc.Close()
	code := apptest.FiscalCode("DMNDMN80A01F205")
	u, _, err := s.Identity.Login(ctx, identityOf(code, "admin"), identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Identity.Grant(ctx, identity.Actor{}, u.ID, "admin", ""); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t)
	loginAs(t, tb, s, code, "admin")
	clean := func(what string) {
		t.Helper()
		for _, problem := range tb.take() {
			if !strings.Contains(problem, "422") { // the refused form's own status
				t.Errorf("%s: %s", what, problem)
			}
		}
		for _, v := range axe(t, tb) {
			t.Errorf("%s: axe: %s", what, v)
		}
	}
	for _, lang := range []string{"en", "it"} { // Italian last: the rest of the journey reads it
		tb.run(t, chromedp.Navigate(s.URL+"/admin/webhook?lang="+lang), chromedp.WaitReady(chromedp.CSS("footer#footer")))
		clean("list " + lang)
	}
	tb.run(t,
		chromedp.SetValue(chromedp.CSS("#webhook-url"), "http://10.0.0.1/hook"),
		chromedp.Click(chromedp.CSS("#webhook-event-content\\.changed")),
		chromedp.Submit(chromedp.CSS("#webhook-url")),
		chromedp.WaitReady(chromedp.CSS(".pass-error-summary")),
	)
	if msg := eval[string](t, tb, "document.querySelector('#webhook-url-error').textContent"); !strings.Contains(msg, "rete privata") {
		t.Errorf("refused address: %q", msg)
	}
	clean("refused form")
	tb.run(t,
		chromedp.SetValue(chromedp.CSS("#webhook-url"), rc.URL+"/hook"),
		chromedp.Submit(chromedp.CSS("#webhook-url")),
		chromedp.WaitReady(chromedp.CSS(".pass-webhook-secret")),
	)
	if secret := eval[string](t, tb, "document.querySelector('#webhook-secret').textContent"); !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret = %q", secret)
	}
	clean("secret")

	var ref content.Ref
	if err := s.DB.NewSelect().Table("entries").Column("type", "id").Limit(1).Scan(ctx, &ref.Type, &ref.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Events.InTx(ctx, nil, content.Changed{Entries: []content.Ref{ref}}); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	tb.run(t, chromedp.Navigate(s.URL+"/admin/webhook"), chromedp.WaitReady(chromedp.CSS("tr.pass-webhook a")))
	clean("list with an endpoint")
	tb.run(t,
		chromedp.Click(chromedp.CSS("tr.pass-webhook a")),
		chromedp.WaitReady(chromedp.CSS("tr.pass-delivery[data-status=delivered]")),
	)
	if eval[int](t, tb, "document.querySelectorAll('.pass-webhook-secret').length") != 0 {
		t.Error("the secret is shown again")
	}
	clean("log")
	tb.run(t,
		chromedp.Click(chromedp.CSS("tr.pass-delivery form button")),
		chromedp.WaitVisible(chromedp.CSS("#flash")),
	)
	clean("redelivered")
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(ids)
		same := n == 2 && ids[0] == ids[1]
		mu.Unlock()
		if same {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("receiver got %d deliveries, want the message twice", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

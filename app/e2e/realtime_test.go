package e2e

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/request"
)

// TestMessagesAppearWithoutReload opens one workspace in two browsers, the delegate's and the
// expert's: what one posts appears in the other's page through the websocket, with no reload.
func TestMessagesAppearWithoutReload(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	seedPersonas(t, s, true)
	list, _, err := s.Requests.List(ctx, request.Filter{States: []request.State{request.Waiting}})
	if err != nil || len(list) != 1 {
		t.Fatalf("demo request: %v %v", list, err)
	}
	page := s.URL + "/area-riservata/richieste/" + strconv.FormatInt(list[0].ID, 10)

	delegate := newTab(t)
	devLogin(t, delegate, s, "delegato")
	delegate.run(t, chromedp.Navigate(page), chromedp.WaitReady(chromedp.CSS("#thread")))
	eval[chromedp.Void](t, delegate, "window.__marker = 7; 0")
	before := eval[int](t, delegate, "document.querySelectorAll('#thread .pass-message').length")

	expert := newTab(t)
	devLogin(t, expert, s, "esperto")
	expert.run(t,
		chromedp.Navigate(page),
		chromedp.SetValue(chromedp.CSS("#post-body"), "Vi mando il modello di **verbale** per la conferenza."),
		chromedp.Click(chromedp.CSS(".pass-post button")),
	)
	delegate.run(t, chromedp.Poll[chromedp.Void](
		"document.querySelectorAll('#thread .pass-message').length === "+strconv.Itoa(before+1)+" && document.querySelector('#thread').textContent.includes('verbale')",
		chromedp.WithPollingTimeout(15*time.Second)))
	if eval[int](t, delegate, "window.__marker || 0") != 7 {
		t.Error("the delegate's page reloaded")
	}
	// A second message from the same page, without reload, is a new submission (the form got a
	// fresh one-time token with the first answer), not a replay of the first.
	expert.run(t, chromedp.Poll[chromedp.Void]("document.querySelectorAll('#thread .pass-message').length === "+strconv.Itoa(before+1),
		chromedp.WithPollingTimeout(15*time.Second)))
	expert.run(t,
		chromedp.SetValue(chromedp.CSS("#post-body"), "E il secondo modello, per la delibera."),
		chromedp.Click(chromedp.CSS(".pass-post button")),
	)
	delegate.run(t, chromedp.Poll[chromedp.Void](
		"document.querySelectorAll('#thread .pass-message').length === "+strconv.Itoa(before+2)+" && document.querySelector('#thread').textContent.includes('delibera')",
		chromedp.WithPollingTimeout(15*time.Second)))
	// The sockets drop as in a restart; a message posted meanwhile shows once the page reconnects.
	s.Hub.Shutdown()
	expertUser, _ := s.Identity.UserByFiscalCode(ctx, "TINIT-"+persona(t, "esperto").FiscalCode)
	r, _ := s.Requests.Get(ctx, list[0].ID)
	if _, err := s.Workspace.Post(ctx, request.Actor{UserID: expertUser.ID, Name: "Luca Costa"}, r, true, "Scritto mentre eri disconnesso."); err != nil {
		t.Fatal(err)
	}
	delegate.run(t, chromedp.Poll[chromedp.Void]("document.querySelector('#thread').textContent.includes('mentre eri disconnesso')",
		chromedp.WithPollingTimeout(20*time.Second)))
	// Someone of another ente cannot open the workspace at all.
	other := newTab(t)
	devLogin(t, other, s, "delegato-altro-ente")
	other.run(t, chromedp.Navigate(page), chromedp.WaitReady(chromedp.CSS("main h1")))
	if h1 := eval[string](t, other, "document.querySelector('main h1').textContent"); h1 != "Pagina non trovata" {
		t.Errorf("another ente's delegate sees %q", h1)
	}
	for _, tb := range []*tab{delegate, expert} {
		for _, p := range tb.take() {
			t.Error(p)
		}
	}
}

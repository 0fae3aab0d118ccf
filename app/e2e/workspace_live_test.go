package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/auth"
	"passhub/app/identity"
	"passhub/app/request"
)

// waitFor polls a JavaScript condition in the tab, failing with what it says when it never holds.
func waitFor(t *testing.T, tb *tab, cond, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("%s: never happened (%v); the page reported %v", what, err, tb.take())
	}
}

// listen records every sentence the page's live region says, as a screen reader hears them one
// after the other; said(text) is a JavaScript test that one of them contains text.
const listen = `(() => { const el = document.getElementById('workspace-announce'); window.__said = [];
	new MutationObserver(() => window.__said.push(el.textContent)).observe(el, {childList: true, subtree: true, characterData: true}); })()`

func said(text string) string {
	return "(window.__said || []).some(s => s.includes(" + strconv.Quote(text) + "))"
}

// TestWorkspaceUpdatesLive opens the workspace of the request waiting for the ente in two
// browsers, the delegate's and the expert's. The delegate is editing her own message, with a
// half-typed answer to the integration, when the expert posts: her text and focus stay, the new
// message is appended and announced. Then each part that changes reaches the other page without
// a reload: the integration answered with a file (card, state, document, timeline, the forms that
// depend on the state), a new integration with its answer form, the experts' names.
func TestWorkspaceUpdatesLive(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	seedPersonas(t, s, true)
	list, _, err := s.Requests.List(ctx, request.Filter{States: []request.State{request.Waiting}})
	if err != nil || len(list) != 1 {
		t.Fatalf("demo request: %v %v", list, err)
	}
	r := list[0]
	page := s.URL + "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10)
	dir := t.TempDir()
	csv := filepath.Join(dir, "organigramma.csv")
	if err := os.WriteFile(csv, []byte("ufficio;persone\nVIA;1\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	delegate := newTab(t)
	devLogin(t, delegate, s, "delegato")
	delegate.run(t,
		chromedp.Navigate(page),
		chromedp.SetValue(chromedp.CSS("#post-body"), "Messaggio che poi correggo."),
		chromedp.Click(chromedp.CSS(".pass-post button")),
	)
	waitFor(t, delegate, `document.querySelectorAll('#thread .pass-message details').length === 1`, "the delegate's own message")
	delegate.run(t,
		chromedp.Click(chromedp.CSS("#thread .pass-message details summary")),
		chromedp.SetValue(chromedp.CSS(".pass-integration textarea[name=answer]"), "Risposta scritta a metà"),
		chromedp.Click(chromedp.CSS("#thread .pass-message details textarea")),
		chromedp.Evaluate[chromedp.Void](`(() => { const ta = document.querySelector('#thread .pass-message details textarea');
			ta.value = 'Testo che sto correggendo'; ta.setSelectionRange(5, 5); window.__marker = 7; })()`),
		chromedp.Evaluate[chromedp.Void](listen),
	)
	for _, v := range axe(t, delegate) {
		t.Error("axe on the delegate's workspace: " + v)
	}

	expert := newTab(t)
	devLogin(t, expert, s, "esperto")
	expert.run(t,
		chromedp.Navigate(page),
		chromedp.Evaluate[chromedp.Void](`window.__marker = 8`),
		chromedp.Evaluate[chromedp.Void](listen),
		chromedp.SetValue(chromedp.CSS("#post-body"), "Ho letto la vostra nota, grazie."),
		chromedp.Click(chromedp.CSS(".pass-post button")),
	)
	waitFor(t, delegate, `document.querySelector('#thread').textContent.includes('Ho letto la vostra nota')`, "the expert's message on the delegate's page")
	waitFor(t, delegate, said("Nuovo messaggio da Luca Costa"), "the announcement of the new message")
	edit := eval[[]string](t, delegate, `(() => { const ta = document.querySelector('#thread .pass-message details textarea');
		return [ta.value, String(document.activeElement === ta), String(ta.selectionStart), document.querySelector('.pass-integration textarea[name=answer]').value,
			String(document.querySelector('#thread .pass-message details').open), String(window.__marker)]; })()`)
	if strings.Join(edit, "|") != "Testo che sto correggendo|true|5|Risposta scritta a metà|true|7" {
		t.Errorf("the delegate's page after the push (text, focus, caret, answer, open, marker): %v", edit)
	}
	if n := eval[int](t, delegate, `new Set([...document.querySelectorAll('#thread .pass-message')].map(m => m.id)).size === document.querySelectorAll('#thread .pass-message').length ? 1 : 0`); n != 1 {
		t.Error("a message appears twice")
	}

	// The delegate answers with a file; the expert's page follows without a reload.
	if eval[bool](t, expert, `!document.querySelector('#conclude-title').closest('section').hidden`) {
		t.Error("the conclude form is shown while the request waits for the ente")
	}
	delegate.run(t,
		chromedp.SetValue(chromedp.CSS(".pass-integration textarea[name=answer]"), "Ecco l'organigramma dell'ufficio."),
		chromedp.SetUploadFiles(chromedp.CSS(".pass-integration input[type=file]"), []string{csv}),
		chromedp.Submit(chromedp.CSS(".pass-integration textarea[name=answer]")),
		chromedp.WaitReady(chromedp.CSS(".alert-success")),
	)
	waitFor(t, expert, `document.querySelector('.pass-integration').textContent.includes("Ecco l'organigramma")`, "the answered integration on the expert's page")
	waitFor(t, expert, `document.getElementById('request-state').textContent === 'In lavorazione'`, "the state on the expert's page")
	waitFor(t, expert, said("Stato: In lavorazione"), "the announcement of the state")
	waitFor(t, expert, said("Nuovo documento: organigramma.csv"), "the announcement of the document")
	waitFor(t, expert, `document.querySelector('#documents-list').textContent.includes('organigramma.csv') && document.querySelector('.pass-integration').textContent.includes('organigramma.csv')`, "the answer's file")
	waitFor(t, expert, `document.querySelector('#timeline-list').textContent.includes("Integrazione inviata dall'ente")`, "the timeline")
	waitFor(t, expert, `!document.querySelector('#conclude-title').closest('section').hidden && [...document.querySelectorAll('#doc-of option')].some(o => o.textContent === 'organigramma.csv')`, "the forms that depend on the state")
	if m := eval[int](t, expert, "window.__marker || 0"); m != 8 {
		t.Error("the expert's page reloaded")
	}

	// The expert asks for another integration: the card and its answer form reach the delegate.
	delegate.run(t, chromedp.Evaluate[chromedp.Void](`window.__marker = 9`), chromedp.Evaluate[chromedp.Void](listen))
	expert.run(t,
		chromedp.SetValue(chromedp.CSS("#ask-items"), "Calendario delle conferenze di servizi"),
		chromedp.SetValue(chromedp.CSS("#ask-due"), time.Now().AddDate(0, 0, 7).Format("2006-01-02")),
		chromedp.Submit(chromedp.CSS("#ask-items")),
		chromedp.WaitReady(chromedp.CSS(".alert-success")),
	)
	waitFor(t, delegate, `[...document.querySelectorAll('.pass-integration')].some(c => c.textContent.includes('Calendario delle conferenze') && c.querySelector('textarea[name=answer]') && c.querySelector('input[type=file]'))`, "the new integration with its form")
	waitFor(t, delegate, `document.getElementById('request-state').textContent === "In attesa dell'ente"`, "the state on the delegate's page")
	waitFor(t, delegate, said("Nuova richiesta di integrazione"), "the announcement of the integration")
	waitFor(t, delegate, said("Stato: In attesa dell"), "the announcement of the state on the delegate's page")

	// The PM adds an expert: the names change on both pages.
	other, _, err := s.Identity.Login(ctx, auth.Identity{FiscalCode: apptest.FiscalCode("SPRSPR81A01F205"), Name: "Sara", FamilyName: "Conti", Method: "spid", Level: 2}, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Identity.Grant(ctx, identity.Actor{}, other.ID, "expert", "VA"); err != nil {
		t.Fatal(err)
	}
	ids := []int64{other.ID}
	full, err := s.Requests.Get(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range full.Experts {
		ids = append(ids, e.UserID)
	}
	if _, err := s.Requests.Assign(ctx, request.Actor{Name: "Piera Manzoni"}, r.ID, ids); err != nil {
		t.Fatal(err)
	}
	for _, tb := range []*tab{delegate, expert} {
		waitFor(t, tb, `document.getElementById('request-experts').textContent.includes('Sara Conti')`, "the experts' names")
	}
	if m := eval[int](t, delegate, "window.__marker || 0"); m != 9 {
		t.Error("the delegate's page reloaded")
	}
	for _, tb := range []*tab{delegate, expert} {
		for _, p := range tb.take() {
			t.Error(p)
		}
	}
}

// TestWorkspaceErrorsShown sends the message form with JavaScript: an empty message and a file
// whose content does not match its name are refused next to the form, announced and focused; a
// session that ended sends the browser to the login page, which leads back to the workspace.
func TestWorkspaceErrorsShown(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	seedPersonas(t, s, true)
	list, _, err := s.Requests.List(ctx, request.Filter{States: []request.State{request.Waiting}})
	if err != nil || len(list) != 1 {
		t.Fatalf("demo request: %v %v", list, err)
	}
	path := "/area-riservata/richieste/" + strconv.FormatInt(list[0].ID, 10)
	png := filepath.Join(t.TempDir(), "verbale.pdf")
	if err := os.WriteFile(png, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 0o644); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t)
	devLogin(t, tb, s, "delegato")
	tb.run(t,
		chromedp.Navigate(s.URL+path),
		chromedp.Evaluate[chromedp.Void](`window.__marker = 5`),
		chromedp.SetValue(chromedp.CSS("#post-body"), "   "),
		chromedp.Click(chromedp.CSS(".pass-post button")),
	)
	waitFor(t, tb, `document.activeElement && document.activeElement.matches('#post-form-error [role=alert]') && document.activeElement.textContent.includes('vuoto')`, "the empty message's error, focused")
	tb.run(t,
		chromedp.SetValue(chromedp.CSS("#post-body"), "Ecco il verbale."),
		chromedp.SetUploadFiles(chromedp.CSS("#post-file"), []string{png}),
		chromedp.Click(chromedp.CSS(".pass-post button")),
	)
	waitFor(t, tb, `document.activeElement && document.activeElement.matches('#post-form-error [role=alert]') && document.activeElement.textContent.includes('non corrisponde')`, "the mismatched file's error, focused")
	if got := eval[string](t, tb, `document.getElementById('post-body').value + '|' + window.__marker`); got != "Ecco il verbale.|5" {
		t.Errorf("after the refusal the form holds %q", got)
	}
	for _, v := range axe(t, tb) {
		t.Error("axe with the error shown: " + v)
	}
	tb.take() // the 422s just seen are expected

	// The session ends (the cookie is gone): the next post leads to the login, and back.
	tb.run(t,
		chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := cdp.Call(ctx, target, network.DeleteCookies, network.DeleteCookiesParams{Name: "pass_session", URL: s.URL})
			return err
		}),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("post-file").value = ""`),
		chromedp.SetValue(chromedp.CSS("#post-body"), "Ci sono ancora?"),
		chromedp.Click(chromedp.CSS(".pass-post button")),
	)
	tb.run(t, chromedp.WaitReady(chromedp.CSS("a.pass-login-dev")))
	if got := eval[string](t, tb, `location.pathname + ' ' + new URLSearchParams(location.search).get('next')`); got != "/accedi "+path {
		t.Errorf("after the session ended the browser is at %q", got)
	}
	tb.take()
}

// TestEarlierMessagesInPlace loads the earlier messages of a long thread in place, with focus on
// the newest of them, and as a page of their own without JavaScript.
func TestEarlierMessagesInPlace(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	seedPersonas(t, s, true)
	list, _, err := s.Requests.List(ctx, request.Filter{States: []request.State{request.Waiting}})
	if err != nil || len(list) != 1 {
		t.Fatalf("demo request: %v %v", list, err)
	}
	r, _ := s.Requests.Get(ctx, list[0].ID)
	expert := request.Actor{UserID: r.Experts[0].UserID, Name: r.Experts[0].Name}
	for i := 0; i < 60; i++ {
		if _, err := s.Workspace.Post(ctx, expert, r, true, "Aggiornamento n. "+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	page := s.URL + "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10)
	tb := newTab(t)
	devLogin(t, tb, s, "delegato")
	tb.run(t, chromedp.Navigate(page), chromedp.WaitReady(chromedp.CSS("#thread-earlier a")))
	if n := eval[int](t, tb, "document.querySelectorAll('#thread .pass-message').length"); n != 50 {
		t.Fatalf("%d messages shown, want 50", n)
	}
	tb.run(t, chromedp.Click(chromedp.CSS("#thread-earlier a")))
	waitFor(t, tb, "document.querySelectorAll('#thread .pass-message').length === 61 && !document.getElementById('thread-earlier')", "the earlier messages")
	waitFor(t, tb, "document.activeElement.matches('#thread .pass-message') && document.activeElement.nextElementSibling === document.querySelectorAll('#thread .pass-message')[11]",
		"focus on the newest of the earlier messages")
	for _, v := range axe(t, tb) {
		t.Error("axe on the earlier messages: " + v)
	}
	for _, p := range tb.take() {
		t.Error(p)
	}
	tb.setScripts(t, false)
	tb.run(t, chromedp.Navigate(page), chromedp.Click(chromedp.CSS("#thread-earlier a")), chromedp.WaitReady(chromedp.CSS("#thread-title")))
	if got := eval[string](t, tb, "location.search + ' ' + document.querySelectorAll('#thread .pass-message').length"); !strings.HasPrefix(got, "?prima=") || !strings.HasSuffix(got, " 11") {
		t.Errorf("without JavaScript the earlier messages page is %q", got)
	}
}

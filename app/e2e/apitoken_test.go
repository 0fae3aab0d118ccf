package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/content"
	"passhub/app/identity"
)

// TestAPITokenJourney: an admin creates an API token in the browser, without JavaScript, copies
// the secret the page shows once, a client reads a draft with it, and the admin revokes it; every
// page of the way passes axe in both languages.
func TestAPITokenJourney(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	code := apptest.FiscalCode("DMNDMN80A01F205")
	u, _, err := s.Identity.Login(ctx, identityOf(code, "admin"), identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Identity.Grant(ctx, identity.Actor{}, u.ID, "admin", ""); err != nil {
		t.Fatal(err)
	}
	apptest.DraftRevision(t, s.App, content.TypeGuide, "primo-accesso", "Paragrafo in bozza sulla zanzariera.")
	tb := newTab(t)
	loginAs(t, tb, s, code, "admin")
	tb.setScripts(t, false)
	accessible := func(what string) {
		t.Helper()
		for _, p := range tb.take() {
			if !strings.Contains(p, "422") { // the deliberate empty submission
				t.Errorf("%s: %s", what, p)
			}
		}
		for _, v := range axe(t, tb) {
			t.Errorf("%s: axe: %s", what, v)
		}
	}
	for _, lang := range []string{"en", "it"} { // Italian last: the journey goes on in Italian
		tb.run(t, chromedp.Navigate(s.URL+"/admin/token-api?lang="+lang), chromedp.WaitReady(chromedp.CSS("footer#footer")))
		tb.setScripts(t, true) // axe needs scripts; the page itself never does
		tb.run(t, chromedp.Reload(), chromedp.WaitReady(chromedp.CSS("footer#footer")))
		accessible("the empty list in " + lang)
		tb.setScripts(t, false)
	}

	// An empty name: the error summary, then the token.
	tb.run(t, chromedp.Reload(), chromedp.WaitReady(chromedp.CSS("#token-name")),
		chromedp.Click(chromedp.CSS("form[action='/admin/token-api'] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".pass-error-summary")))
	tb.run(t, chromedp.SetValue(chromedp.CSS("#token-name"), "Anteprima del sito regionale"),
		chromedp.Click(chromedp.CSS("#scope-drafts\\:read")),
		chromedp.SetValue(chromedp.CSS("#token-days"), "30"),
		chromedp.Click(chromedp.CSS("form[action='/admin/token-api'] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#token-secret")))
	secret := eval[string](t, tb, `document.querySelector('#token-secret').value`)
	if !strings.HasPrefix(secret, "pass_") {
		t.Fatalf("secret %q", secret)
	}
	tb.setScripts(t, true)
	accessible("the page with the secret")

	get := func() (int, string) {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/content/guide/primo-accesso?revision=current", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		res, body := s.Do(t, req)
		return res.StatusCode, body
	}
	if code, body := get(); code != 200 || !strings.Contains(body, "zanzariera") {
		t.Fatalf("the draft with the new token: %d %.200s", code, body)
	}

	// The list shows the token, never its secret, and it is revoked after a confirmation.
	tb.run(t, chromedp.Navigate(s.URL+"/admin/token-api"), chromedp.WaitReady(chromedp.CSS("tr.pass-token")))
	if html := eval[string](t, tb, `document.body.innerHTML`); strings.Contains(html, secret[5:]) {
		t.Error("the list shows the secret")
	}
	accessible("the list")
	tb.run(t, chromedp.Click(chromedp.CSS("tr.pass-token a[href$='/revoca']")), chromedp.WaitVisible(chromedp.CSS("form.pass-confirm")))
	accessible("the confirmation")
	tb.run(t, chromedp.Click(chromedp.CSS("form.pass-confirm button[type=submit]")), chromedp.WaitReady(chromedp.CSS("tr.pass-token")))
	if state := eval[string](t, tb, `document.querySelector('tr.pass-token .pass-token-state').textContent`); state != "Revocato" {
		t.Errorf("state after revocation %q", state)
	}
	if code, _ := get(); code != 401 {
		t.Errorf("the revoked token = %d", code)
	}
}

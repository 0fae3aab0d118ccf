package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/auth"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/plugins/devidp"
)

func persona(t *testing.T, key string) devidp.Persona {
	t.Helper()
	for _, p := range devidp.Personas {
		if p.Key == key {
			return p
		}
	}
	t.Fatalf("no persona %s", key)
	return devidp.Persona{}
}

// devLogin logs in through the /accedi page and the dev identity provider's persona page: the
// real signed SAML exchange, driven by the browser.
func devLogin(t *testing.T, tb *tab, s *apptest.Server, key string) {
	t.Helper()
	tb.run(t,
		chromedp.Navigate(s.URL+"/accedi?lang=it"),
		chromedp.Click(chromedp.CSS("a.pass-login-dev")),
		chromedp.WaitReady(chromedp.CSS("#persona-"+key)),
		chromedp.Click(chromedp.CSS("#persona-"+key)),
		chromedp.Submit(chromedp.CSS("#persona-"+key)),
		chromedp.WaitReady(chromedp.CSS(".pass-account")),
	)
	if who := eval[string](t, tb, "document.querySelector('.pass-account').textContent"); !strings.Contains(who, persona(t, key).FamilyName) {
		t.Fatalf("logged in as %q, want %s", who, key)
	}
}

// TestRegistrationJourney is the first promise of PAsS, in three browsers: a mayor logs in with
// the dev identity provider, registers the comune with the signed protocol, an admin approves,
// the mayor invites a delegate, the delegate logs in and works for the comune, and the mayor
// disables the delegate, who loses access at once.
func TestRegistrationJourney(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013075", Name: "Como", Kind: ente.KindComune, Province: "CO"}}); err != nil {
		t.Fatal(err)
	}
	admin := persona(t, "admin")
	u, _, err := s.Identity.Login(ctx, auth.Identity{FiscalCode: admin.FiscalCode, Name: admin.Name, FamilyName: admin.FamilyName, Method: "dev", Level: 2}, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Identity.Grant(ctx, identity.Actor{}, u.ID, "admin", ""); err != nil {
		t.Fatal(err)
	}
	comoEnte, _ := s.Enti.ByISTAT(ctx, "013075")
	protocol := filepath.Join(t.TempDir(), "protocollo-firmato.pdf")
	if err := os.WriteFile(protocol, apptest.Protocol(t, comoEnte, persona(t, "sindaco-nuovo").FiscalCode), 0o644); err != nil {
		t.Fatal(err)
	}

	mayor := newTab(t)
	devLogin(t, mayor, s, "sindaco-nuovo")
	// Each step waits for the page it acts on: a click on a node of the page being replaced fails.
	mayor.run(t,
		chromedp.WaitVisible(chromedp.CSS("main a[href='/area-riservata/registrazione']")),
		chromedp.Click(chromedp.CSS("main a[href='/area-riservata/registrazione']")),
		chromedp.WaitVisible(chromedp.CSS("#reg-q")),
		chromedp.SetValue(chromedp.CSS("#reg-q"), "Como"),
		chromedp.Submit(chromedp.CSS("#reg-q")),
		chromedp.WaitVisible(chromedp.CSS(".pass-ente-results a")),
		chromedp.Click(chromedp.CSS(".pass-ente-results a")),
		chromedp.WaitReady(chromedp.CSS("#reg-protocol")),
		chromedp.WaitReady(chromedp.CSS("a[href^='/area-riservata/registrazione/modello?']")),
		chromedp.Click(chromedp.CSS("#reg-role-sindaco")),
		chromedp.SetValue(chromedp.CSS("#reg-email"), "sindaco@comune.como.it"),
		chromedp.SetValue(chromedp.CSS("#reg-pec"), "comune.como@pec.it"),
		chromedp.SetUploadFiles(chromedp.CSS("#reg-protocol"), []string{protocol}),
		chromedp.Submit(chromedp.CSS("#reg-pec")),
		chromedp.WaitReady(chromedp.CSS(".pass-registration")),
	)
	if status := eval[string](t, mayor, "document.querySelector('main [role=status]').textContent"); !strings.Contains(status, "in attesa di approvazione") {
		t.Fatalf("pending state not shown: %q", status)
	}

	adminTab := newTab(t)
	devLogin(t, adminTab, s, "admin")
	adminTab.run(t,
		chromedp.Navigate(s.URL+"/admin/registrazioni"),
		chromedp.Click(chromedp.CSS(".pass-registration a")),
		chromedp.WaitReady(chromedp.CSS("a[href$='/protocollo']")),
	)
	if code := eval[string](t, adminTab, "document.querySelector('#sig-code').textContent"); !strings.HasSuffix(code, persona(t, "sindaco-nuovo").FiscalCode) {
		t.Errorf("the admin does not see the signer's fiscal code: %q", code)
	}
	adminTab.run(t,
		chromedp.Click(chromedp.CSS("a[href$='/approva']")),
		chromedp.WaitReady(chromedp.CSS("form.pass-confirm")),
	)
	for _, v := range axe(t, adminTab) {
		t.Errorf("the approval's confirmation page: %s", v)
	}
	adminTab.run(t,
		chromedp.Click(chromedp.CSS("form.pass-confirm button[type=submit]")),
		chromedp.WaitReady(chromedp.CSS(".nav-tabs")),
		chromedp.WaitVisible(chromedp.CSS("#flash")),
	)

	como, err := s.Enti.ByISTAT(ctx, "013075")
	if err != nil || como.Status != ente.StatusApproved {
		t.Fatalf("Como after approval: %+v %v", como, err)
	}
	delegatesPage := s.URL + "/area-riservata/enti/" + strconv.FormatInt(como.ID, 10) + "/delegati"
	laura := persona(t, "delegato")
	mayor.run(t,
		chromedp.Navigate(delegatesPage),
		chromedp.SetValue(chromedp.CSS("#inv-code"), laura.FiscalCode),
		chromedp.SetValue(chromedp.CSS("#inv-email"), laura.Email),
		chromedp.Submit(chromedp.CSS("#inv-email")),
		chromedp.WaitReady(chromedp.CSS(".pass-invitation")),
	)

	delegate := newTab(t)
	devLogin(t, delegate, s, "delegato")
	entePath := "/area-riservata/enti/" + strconv.FormatInt(como.ID, 10)
	if !eval[bool](t, delegate, "!!document.querySelector(\"a[href='"+entePath+"']\")") {
		t.Fatal("the delegate's home has no link to the comune")
	}
	delegate.run(t, chromedp.Navigate(s.URL+entePath), chromedp.WaitReady(chromedp.CSS("main h1")))
	if h1 := eval[string](t, delegate, "document.querySelector('main h1').textContent"); h1 != "Como" {
		t.Fatalf("delegate's ente page: %q", h1)
	}

	mayor.run(t,
		chromedp.Navigate(delegatesPage),
		chromedp.Click(chromedp.CSS("form[action$='/disabilita'] button")),
		chromedp.WaitReady(chromedp.CSS(".alert-success")),
	)
	delegate.run(t, chromedp.Navigate(s.URL+"/area-riservata/enti/"+strconv.FormatInt(como.ID, 10)), chromedp.WaitReady(chromedp.CSS("main h1")))
	if loc := eval[string](t, delegate, "location.pathname"); loc != "/accedi" {
		t.Errorf("disabled delegate still inside: at %s", loc)
	}
	for _, tb := range []*tab{mayor, adminTab, delegate} {
		for _, p := range tb.take() {
			t.Error(p)
		}
	}
}

package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/auth"
	"passhub/app/contact"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/app/request"
)

const pdf = "%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"

// loginAs puts a session cookie for the person in the browser, as a completed login would.
func loginAs(t *testing.T, tb *tab, s *apptest.Server, code, name string) {
	t.Helper()
	cookie := s.Login(t, code, name, "Test")
	token := strings.TrimPrefix(strings.Split(cookie, ";")[0], "pass_session=")
	// Leave the page first: its scripts (the session's check, the websocket) would otherwise see
	// the session gone and navigate to the login page while the caller's navigation starts.
	tb.run(t, chromedp.Navigate("about:blank"), chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		if _, err := cdp.Call(ctx, target, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, target, network.SetCookie, network.SetCookieParams{Name: "pass_session", Value: token, URL: s.URL})
		return err
	}))
}

// TestReservedPagesAreAccessible opens the reserved area's pages as a mayor, a delegate and an
// admin, in both languages: no console errors or failed requests, no axe violation.
func TestReservedPagesAreAccessible(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013041", Name: "Cantù", Kind: ente.KindComune, Province: "CO"},
		{ISTAT: "016024", Name: "Bergamo", Kind: ente.KindComune, Province: "BG"}}); err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{"mayor": apptest.FiscalCode("RSSMRA80A01F205"), "delegate": apptest.FiscalCode("BNCGLI75M41L219"),
		"admin": apptest.FiscalCode("DMNDMN80A01F205"), "new": apptest.FiscalCode("BLUMRC72E01F205")}
	ids := map[string]int64{}
	for p, c := range codes {
		u, _, err := s.Identity.Login(ctx, identityOf(c, p), identity.Client{})
		if err != nil {
			t.Fatal(err)
		}
		ids[p] = u.ID
	}
	if err := s.Identity.Grant(ctx, identity.Actor{}, ids["admin"], "admin", ""); err != nil {
		t.Fatal(err)
	}
	cantu, _ := s.Enti.ByISTAT(ctx, "013041")
	bergamo, _ := s.Enti.ByISTAT(ctx, "016024")
	reg, err := s.Enti.Register(ctx, ente.Actor{UserID: ids["mayor"]}, ente.RegistrationForm{EnteID: cantu.ID, Role: "sindaco", Email: "s@comune.it", PEC: "c@pec.it"}, "p.pdf", apptest.ProtocolFor(t, s.App, ids["mayor"], cantu.ID))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enti.Approve(ctx, ente.Actor{UserID: ids["admin"]}, reg.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enti.Invite(ctx, ente.Actor{UserID: ids["mayor"]}, cantu.ID, codes["delegate"], "d@comune.it"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enti.Invite(ctx, ente.Actor{UserID: ids["mayor"]}, cantu.ID, apptest.FiscalCode("VRDLGU60B01F205"), "v@comune.it"); err != nil {
		t.Fatal(err)
	}
	pending, err := s.Enti.Register(ctx, ente.Actor{UserID: ids["new"]}, ente.RegistrationForm{EnteID: bergamo.ID, Role: "sindaco", Email: "s@comune.it", PEC: "c@pec.it"}, "p.pdf", apptest.ProtocolFor(t, s.App, ids["new"], bergamo.ID))
	if err != nil {
		t.Fatal(err)
	}
	// A request, so the reserved search shows its facets (state, ente).
	filed, err := s.Requests.File(ctx, request.Actor{UserID: ids["mayor"], Name: "mayor"}, cantu.ID, request.Form{ProcedureCode: "VA-01",
		Title: "Arretrato VIA", Description: "Quaranta istanze in attesa da mesi, un solo istruttore.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Contact.Send(ctx, contact.Form{Name: "Maria Rossi", Email: "m@comune.it", Subject: "Informazioni", Message: "Come si chiede supporto sulla VIA?"}, "it", "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	c := strconv.FormatInt(cantu.ID, 10)
	pages := map[string][]string{
		"mayor": {"/area-riservata", "/area-riservata/sessioni", "/area-riservata/enti/" + c, "/area-riservata/enti/" + c + "/delegati",
			"/area-riservata/notifiche/preferenze", "/cerca?q=arretrato&tipo=request",
			"/area-riservata/richieste/" + strconv.FormatInt(filed.ID, 10) + "/azioni/ritira", "/area-riservata/ripresa"},
		"delegate": {"/area-riservata", "/area-riservata/enti/" + c},
		"new": {"/area-riservata", "/area-riservata/registrazione?q=berg", "/area-riservata/registrazione?ente=" + strconv.FormatInt(cantu.ID, 10),
			"/area-riservata/registrazione?ente=" + strconv.FormatInt(bergamo.ID, 10)},
		"admin": {"/area-riservata", "/admin/registrazioni", "/admin/registrazioni/" + strconv.FormatInt(pending.ID, 10), "/admin/utenti",
			"/admin/utenti/" + strconv.FormatInt(ids["mayor"], 10), "/admin/enti?q=can", "/admin/audit", "/admin/lavori",
			"/admin/enti/" + c, "/admin/messaggi", "/admin/richieste-senza-pm", "/admin/registrazioni/" + strconv.FormatInt(pending.ID, 10) + "/rifiuta"},
	}
	tb := newTab(t)
	for _, who := range []string{"mayor", "delegate", "new", "admin"} {
		loginAs(t, tb, s, codes[who], who)
		for _, lang := range []string{"it", "en"} {
			tb.run(t, chromedp.Navigate(s.URL+"/area-riservata?lang="+lang))
			tb.take()
			for _, p := range pages[who] {
				t.Run(who+"/"+lang+p, func(t *testing.T) {
					tb.run(t, chromedp.Navigate(s.URL+p), chromedp.WaitReady(chromedp.CSS("footer#footer")))
					if loc := eval[string](t, tb, "location.pathname"); !strings.HasPrefix(p, loc) {
						t.Fatalf("landed on %s", loc)
					}
					for _, problem := range tb.take() {
						t.Error(problem)
					}
					for _, v := range axe(t, tb) {
						t.Error("axe: " + v)
					}
				})
			}
		}
	}
}

func identityOf(code, name string) auth.Identity {
	return auth.Identity{FiscalCode: code, Name: name, FamilyName: "Test", Method: "spid", Level: 2}
}

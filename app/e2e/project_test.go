package e2e

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"passhub/app/apptest"
	"passhub/app/funding"
	"passhub/app/identity"
	"passhub/app/project"
)

// messageID is a message id shown as it is, untranslated.
var messageID = regexp.MustCompile(`\b(project|funding)\.[a-z_]+`)

// TestPartnerSearchJourney: the mayor of Como writes a project sheet from a call's page (an
// empty title refused beside its field), looks for partners in the province and publishes it;
// Cantù, whose own sheet shares a topic, is suggested as a partner and is suggested the search;
// its mayor answers with JavaScript off; Como is told, accepts with a reply, and Cantù is told.
// Every page is axe-clean in both languages, fits 320 px and works without JavaScript. The
// journey is driven by the keyboard alone: each control focused, then Enter or Space.
func TestPartnerSearchJourney(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	anna, bruno := apptest.FiscalCode("NNAMRA80A41F205"), apptest.FiscalCode("BRNBRN80A01F205")
	enti := map[string]int64{}
	for _, p := range []struct{ code, name, istat, comune string }{{anna, "Anna", "013075", "Como"}, {bruno, "Bruno", "013041", "Cantù"}} {
		u, _, err := s.Identity.Login(ctx, identityOf(p.code, p.name), identity.Client{})
		if err != nil {
			t.Fatal(err)
		}
		enti[p.name] = apptest.ApprovedEnte(t, s.App, p.istat, p.comune, "CO", u.ID).ID
	}
	call, err := s.Funding.Create(ctx, funding.Actor{Name: "redazione"}, funding.Form{Title: "Verde urbano e clima", Programme: "LIFE",
		Topics: "clima, verde urbano", Deadlines: []funding.DeadlineForm{{Date: "2030-06-30"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Funding.SetPublished(ctx, funding.Actor{}, call.ID, true); err != nil {
		t.Fatal(err)
	}
	brunoID := userOf(t, s, bruno)
	cantu, err := s.Projects.Create(ctx, project.Actor{UserID: brunoID, Name: "Bruno"}, project.Form{Ente: strconv.FormatInt(enti["Bruno"], 10),
		Call: strconv.FormatInt(call.ID, 10), Title: "Tetti verdi delle scuole", Summary: "Giardini pensili su tre scuole medie.", Topics: "clima"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Projects.SetPublished(ctx, project.Actor{UserID: brunoID}, cantu.ID, true); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)

	// Anna starts from the call's page.
	tb := newTab(t)
	loginAs(t, tb, s, anna, "Anna")
	tb.run(t, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+"/bandi/"+call.Slug+"?lang=it"), chromedp.WaitReady(chromedp.CSS("#bando-new-project")),
		chromedp.Focus(chromedp.CSS("#bando-new-project")), chromedp.KeyEvent(kb.Enter))
	settle(t, tb, `document.readyState === 'complete' && !!document.querySelector('#prog-title')`, "the new sheet's form")
	if got := eval[string](t, tb, "document.getElementById('prog-topics').value"); got != "clima, verde urbano" {
		t.Errorf("topics offered %q", got)
	}
	tb.run(t, chromedp.Focus(chromedp.CSS(`form[action="/area-riservata/progetti/nuova"] button[type=submit]`)), chromedp.KeyEvent(kb.Enter))
	settle(t, tb, `document.readyState === 'complete' && !!document.querySelector('.pass-error-summary')`, "the refused sheet")
	if got := eval[string](t, tb, "document.getElementById('prog-title-error').textContent"); !strings.Contains(got, "titolo") {
		t.Errorf("title error %q", got)
	}
	for _, v := range axe(t, tb) {
		t.Error("axe on the refused sheet: " + v)
	}
	tb.take() // the 422 was meant
	tb.run(t, chromedp.SendKeys(chromedp.CSS("#prog-title"), "Foreste urbane"),
		chromedp.SendKeys(chromedp.CSS("#prog-summary"), "Alberi nei cortili di dieci scuole, con gli studenti."),
		chromedp.Focus(chromedp.CSS("#prog-seeks")), chromedp.KeyEvent(" "),
		chromedp.SendKeys(chromedp.CSS("#prog-partner_profile"), "Un comune vicino con un vivaio comunale."),
		chromedp.Focus(chromedp.CSS("#prog-prov-CO")), chromedp.KeyEvent(" "),
		chromedp.Focus(chromedp.CSS(`form[action="/area-riservata/progetti/nuova"] button[type=submit]`)), chromedp.KeyEvent(kb.Enter))
	settle(t, tb, `document.readyState === 'complete' && !!document.querySelector('form[action$="/pubblica"]')`, "the created sheet")
	tb.run(t, chromedp.Focus(chromedp.CSS(`form[action$="/pubblica"] button`)), chromedp.KeyEvent(kb.Enter))
	settle(t, tb, `document.readyState === 'complete' && !!document.querySelector('#prog-partners')`, "the published sheet with its partners")
	if got := eval[string](t, tb, "document.getElementById('prog-partners').textContent"); !strings.Contains(got, "Cantù") || !strings.Contains(got, "clima") {
		t.Errorf("partners suggested: %q", got)
	}
	sheetURL := eval[string](t, tb, "location.pathname")

	// Bruno, with JavaScript off, is suggested the search and answers it.
	tb.setScripts(t, false)
	loginAs(t, tb, s, bruno, "Bruno")
	tb.run(t, chromedp.Navigate(s.URL+project.Path+"?lang=it"), chromedp.WaitReady(chromedp.CSS("footer#footer")))
	if got := eval[string](t, tb, "(document.getElementById('prog-suggested') || {}).textContent || ''"); !strings.Contains(got, "Foreste urbane") {
		t.Fatalf("searches suggested to Cantù: %q", got)
	}
	tb.run(t, chromedp.Focus(chromedp.CSS(`#prog-suggested a`)), chromedp.KeyEvent(kb.Enter))
	settle(t, tb, `document.readyState === 'complete' && !!document.querySelector('#prog-answer-message')`, "the answer form")
	tb.run(t, chromedp.SendKeys(chromedp.CSS("#prog-answer-message"), "Il vivaio di Cantù può fornire trecento alberi."),
		chromedp.Focus(chromedp.CSS(`form[action$="/risposte"] button[type=submit]`)), chromedp.KeyEvent(kb.Enter))
	settle(t, tb, `document.readyState === 'complete' && !!document.querySelector('.pass-answer-status')`, "the answer sent")
	if got := eval[string](t, tb, "document.querySelector('.pass-answer-status').textContent"); got != "Inviata" {
		t.Errorf("answer status %q", got)
	}
	apptest.Idle(t, s.App)
	annaID := userOf(t, s, anna)
	waitUntil(t, 10*time.Second, "Como told of the answer", func() bool {
		list, _ := s.Notifications.List(ctx, annaID, true, 10)
		return len(list) > 0 && list[0].Kind == project.KindAnswer
	})

	// Anna accepts, with a reply; Bruno is told and reads the decision.
	tb.setScripts(t, true)
	loginAs(t, tb, s, anna, "Anna")
	tb.run(t, chromedp.Navigate(s.URL+"/area-riservata/notifiche?lang=it"), chromedp.WaitReady(chromedp.CSS("footer#footer")))
	if got := eval[string](t, tb, "document.querySelector('main').textContent"); !strings.Contains(got, "ha risposto alla vostra ricerca di partner") {
		t.Errorf("the bell's list lacks the answer: %q", got)
	}
	tb.open(t, s.URL+sheetURL+"?lang=it", chromedp.WaitReady(chromedp.CSS(".pass-answer textarea")),
		chromedp.SendKeys(chromedp.CSS(".pass-answer textarea"), "Benvenuti nel partenariato."))
	tb.run(t, chromedp.Focus(chromedp.CSS(`.pass-answer button[value=accept]`)), chromedp.KeyEvent(kb.Enter))
	settle(t, tb, `document.readyState === 'complete' && !!document.querySelector('.pass-answer-status') && document.querySelector('.pass-answer-status').textContent === 'Accettata'`, "the accepted answer")
	apptest.Idle(t, s.App)
	waitUntil(t, 10*time.Second, "Cantù told of the decision", func() bool {
		list, _ := s.Notifications.List(ctx, brunoID, true, 10)
		return len(list) > 0 && list[0].Kind == project.KindDecision
	})

	// Every page, as each of them: axe-clean in both languages, fits 320 px, the same without JavaScript.
	names := map[string]string{"como": anna, "cantu": bruno}
	sweep(t, tb, s, "project", messageID, []sweepPage{
		{"como", project.Path}, {"como", project.Path + "/nuova?bando=" + call.Slug}, {"como", sheetURL}, {"como", sheetURL + "/modifica"},
		{"como", "/bandi/" + call.Slug}, {"cantu", project.Path + "?cerca=1&tema=clima"}, {"cantu", sheetURL},
	}, func(who string) {
		loginAs(t, tb, s, names[who], map[string]string{"como": "Anna", "cantu": "Bruno"}[who])
	})
}

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/auth"
	"passhub/app/identity"
)

// TestRequestJourney is why PAsS exists, in three browsers: the ente files a request, the PM
// assigns two experts, an expert posts, uploads a document and a new version, logs an activity
// and asks for an integration, the ente answers, the expert concludes, and the ente reads the
// documentation and downloads the dossier.
func TestRequestJourney(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	seedPersonas(t, s, false)
	// A second expert of the task force, who never logs in here.
	other, _, err := s.Identity.Login(ctx, auth.Identity{FiscalCode: apptest.FiscalCode("SPRSPR81A01F205"), Name: "Sara", FamilyName: "Conti", Method: "spid", Level: 2}, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Identity.Grant(ctx, identity.Actor{}, other.ID, "expert", "VA"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	mayor := newTab(t)
	devLogin(t, mayor, s, "sindaco-registrato")
	mayor.run(t,
		chromedp.Navigate(s.URL+"/area-riservata/richieste/nuova"),
		chromedp.SetValue(chromedp.CSS("#req-procedure"), "VA-01"),
		chromedp.SetValue(chromedp.CSS("#req-title"), "Arretrato delle VIA del polo logistico"),
		chromedp.SetValue(chromedp.CSS("#req-description"), "Quaranta istanze VIA in attesa da oltre sei mesi, un solo istruttore."),
		chromedp.SetValue(chromedp.CSS("#req-backlog_pending"), "40"),
		chromedp.SetValue(chromedp.CSS("#req-backlog_avg_days"), "210"),
		chromedp.SetValue(chromedp.CSS("#req-desired_outcome"), "Tempi medi sotto i 150 giorni entro l'anno."),
		chromedp.Click(chromedp.CSS("form[action='/area-riservata/richieste/nuova'] button[type=submit]:not([name])")),
		chromedp.WaitReady(chromedp.CSS("#request-state")),
	)
	requestURL := eval[string](t, mayor, "location.pathname")
	if st := eval[string](t, mayor, "document.getElementById('request-state').textContent"); st != "Inviata" {
		t.Fatalf("state after filing: %q", st)
	}

	pm := newTab(t)
	devLogin(t, pm, s, "pm")
	pm.run(t,
		chromedp.Navigate(s.URL+"/area-riservata/triage"),
		chromedp.Click(chromedp.CSS(".pass-request a")),
		chromedp.WaitReady(chromedp.CSS("input[name=experts]")),
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('input[name=experts]').forEach(i => i.checked = true); 0`),
		chromedp.Click(chromedp.CSS("form[action$='/azioni/assegna'] button")),
		chromedp.WaitReady(chromedp.CSS(".alert-success")),
	)
	if st := eval[string](t, pm, "document.getElementById('request-state').textContent"); st != "Assegnata" {
		t.Fatalf("state after triage: %q", st)
	}

	expert := newTab(t)
	devLogin(t, expert, s, "esperto")
	expert.run(t,
		chromedp.Navigate(s.URL+requestURL),
		chromedp.SetValue(chromedp.CSS("#post-body"), "Buongiorno, iniziamo dall'**elenco** delle istanze."),
		chromedp.Click(chromedp.CSS(".pass-post button")),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#thread .pass-message').length === 1`, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if strong := eval[string](t, expert, "document.querySelector('#thread .pass-message .pass-prose strong').textContent"); strong != "elenco" {
		t.Errorf("posted message not rendered: %q", strong)
	}
	expert.run(t,
		chromedp.SetUploadFiles(chromedp.CSS("#doc-file"), []string{file("modello-istruttoria.csv", "fase;giorni\navvio;10\n")}),
		chromedp.Submit(chromedp.CSS("#doc-file")),
		chromedp.WaitReady(chromedp.CSS(".pass-document")),
		chromedp.SetUploadFiles(chromedp.CSS("#doc-file"), []string{file("modello-istruttoria-v2.csv", "fase;giorni\navvio;7\nchiusura;30\n")}),
		chromedp.SetValue(chromedp.CSS("#doc-of"), "1"),
		chromedp.Submit(chromedp.CSS("#doc-file")),
		chromedp.WaitReady(chromedp.CSS(".alert-success")),
	)
	if n := eval[int](t, expert, "document.querySelectorAll('.pass-document li').length"); n != 2 {
		t.Errorf("%d versions listed, want 2", n)
	}
	expert.run(t,
		chromedp.SetValue(chromedp.CSS("#act-kind"), "meeting"),
		chromedp.SetValue(chromedp.CSS("#act-hours"), "2"),
		chromedp.SetValue(chromedp.CSS("#act-desc"), "Incontro con l'ufficio VIA sul modello di istruttoria."),
		chromedp.Submit(chromedp.CSS("#act-desc")),
		chromedp.WaitReady(chromedp.CSS(".alert-success")),
		chromedp.SetValue(chromedp.CSS("#ask-items"), "Elenco delle istanze pendenti\nOrganigramma dell'ufficio"),
		chromedp.SetValue(chromedp.CSS("#ask-due"), time.Now().AddDate(0, 0, 7).Format("2006-01-02")),
		chromedp.Submit(chromedp.CSS("#ask-items")),
		chromedp.WaitReady(chromedp.CSS(".pass-integration")),
	)
	if st := eval[string](t, expert, "document.getElementById('request-state').textContent"); st != "In attesa dell'ente" {
		t.Fatalf("state after the integration request: %q", st)
	}
	for _, v := range axe(t, expert) {
		t.Error("axe on the expert's workspace: " + v)
	}

	mayor.run(t,
		chromedp.Navigate(s.URL+requestURL),
		chromedp.SetValue(chromedp.CSS(".pass-integration textarea"), "Allegati elenco e organigramma."),
		chromedp.Submit(chromedp.CSS(".pass-integration textarea")),
		chromedp.WaitReady(chromedp.CSS(".alert-success")),
	)
	expert.run(t,
		chromedp.Navigate(s.URL+requestURL),
		chromedp.Click(chromedp.CSS("a[href$='/azioni/concludi']")),
		chromedp.WaitReady(chromedp.CSS("form.pass-confirm")),
	)
	for _, v := range axe(t, expert) {
		t.Error("axe on the conclusion's confirmation: " + v)
	}
	expert.run(t,
		chromedp.SetValue(chromedp.CSS("#confirm-summary"), "Arretrato ridotto del 60% con il modello di istruttoria condiviso e una conferenza dei servizi semplificata."),
		chromedp.Submit(chromedp.CSS("#confirm-summary")),
		chromedp.WaitReady(chromedp.CSS("#summary-title")),
		chromedp.WaitVisible(chromedp.CSS("#flash")),
	)
	// The expert proposes a knowledge-base article from the concluded request: the review page
	// lists what was removed, and the draft goes to the newsroom.
	expert.run(t,
		chromedp.Click(chromedp.CSS("a[href$='/articolo']")),
		chromedp.WaitReady(chromedp.CSS("#kb-title")),
	)
	if title := eval[string](t, expert, "document.getElementById('kb-title').value"); title == "" {
		t.Error("the draft has no title")
	}
	for _, v := range axe(t, expert) {
		t.Error("axe on the knowledge-base draft: " + v)
	}
	expert.run(t,
		chromedp.Submit(chromedp.CSS("#kb-title")),
		chromedp.WaitReady(chromedp.CSS("#summary-title")),
		chromedp.WaitVisible(chromedp.CSS("#flash")),
	)
	if n, err := s.DB.NewSelect().Table("entries").Where("type = 'faq'").Where("published_revision_id IS NULL").Count(ctx); err != nil || n != 1 {
		t.Errorf("%d draft articles in the newsroom (%v), want 1", n, err)
	}
	mayor.run(t, chromedp.Navigate(s.URL+requestURL), chromedp.WaitReady(chromedp.CSS("#summary-title")))
	if n := eval[int](t, mayor, "document.querySelectorAll(\"a[href$='/articolo']\").length"); n != 0 {
		t.Error("the ente is offered the knowledge-base draft")
	}
	if st := eval[string](t, mayor, "document.getElementById('request-state').textContent"); st != "Conclusa" {
		t.Fatalf("state at the end: %q", st)
	}
	got := eval[[]string](t, mayor, `fetch(document.querySelector('a[href$="/fascicolo"]').href).then(r => [String(r.status), r.headers.get('content-type'), r.headers.get('content-disposition')])`)
	if got[0] != "200" || got[1] != "application/zip" || !strings.Contains(got[2], "fascicolo-") {
		t.Errorf("dossier download: %v", got)
	}
	for _, v := range axe(t, mayor) {
		t.Error("axe on the ente's workspace: " + v)
	}
	// The ente's dashboard counts the concluded request on its procedure.
	mayor.run(t, chromedp.Navigate(s.URL+"/area-riservata"), chromedp.WaitReady(chromedp.CSS(".pass-dashboard")))
	row := eval[string](t, mayor, `[...[...document.querySelectorAll('.pass-dashboard-row')].find(r => r.textContent.includes('VA-01')).querySelectorAll('td')].map(td => td.textContent.trim()).join(' ')`)
	if row != "0 0 1 0 1" {
		t.Errorf("dashboard row for VA-01: %q", row)
	}
	// The draft's review page in both languages, at 320 px and without JavaScript.
	sweep(t, expert, s, "kbdraft", regexp.MustCompile(`\bkb\.[a-z_.]+`), []sweepPage{{"esperto", requestURL + "/articolo"},
		{"esperto", requestURL + "/articolo?ente=1"}}, func(string) {})
	for _, tb := range []*tab{mayor, pm, expert} {
		for _, p := range tb.take() {
			t.Error(p)
		}
	}
}

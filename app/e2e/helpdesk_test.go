package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/helpdesk"
	"passhub/app/identity"
)

// TestHelpdeskJourney: a delegate asks for help from the reserved page and is shown matching
// pages while typing; the operator's open queue hears of a new ticket without losing the filter
// being typed; the operator inserts a canned reply after their own words and resolves the
// ticket; the delegate rates it with JavaScript off; without JavaScript the search for answers
// keeps what was typed. Every page is axe-clean in both languages, fits 320 px and works without
// JavaScript, and the journey is driven by the keyboard alone.
func TestHelpdeskJourney(t *testing.T) {
	s := apptest.Start(t, func(c *config.Config) { c.HelpdeskAddress = "assistenza@pass.example.it" })
	ctx := context.Background()
	anna, elisa := apptest.FiscalCode("BNCNNA80A41C933"), apptest.FiscalCode("GRCLSE79B50F205")
	s.Login(t, anna, "Anna", "Test")
	s.Login(t, elisa, "Elisa", "Test")
	apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", userOf(t, s, anna))
	elisaID := userOf(t, s, elisa)
	if err := s.Identity.Grant(ctx, identity.Actor{}, elisaID, identity.RoleOperator, ""); err != nil {
		t.Fatal(err)
	}
	operator := helpdesk.Actor{UserID: elisaID, Name: "Elisa Test"}
	if _, err := s.Helpdesk.SaveCanned(ctx, operator, 0, "Saluti", "Resto a disposizione. Cordiali saluti"); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)

	// Anna writes; the pages that may answer appear while she types.
	tb := newTab(t)
	loginAs(t, tb, s, anna, "Anna")
	tb.open(t, s.URL+"/area-riservata/assistenza?lang=it", chromedp.WaitReady(chromedp.CSS("#hd-subject")),
		chromedp.SendKeys(chromedp.CSS("#hd-subject"), "Primo accesso con SPID"),
		chromedp.SendKeys(chromedp.CSS("#hd-body"), "Il sindaco non riesce a fare il primo accesso."))
	settle(t, tb, `!!document.querySelector('#hd-suggestion-list a')`, "the pages suggested while typing")
	// She attaches a file, through the labelled input whose hint says the limits.
	attached := filepath.Join(t.TempDir(), "elenco-accessi.csv")
	if err := os.WriteFile(attached, []byte("data;esito\n2026-12-01;errore\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tb.run(t, chromedp.SetUploadFiles(chromedp.CSS("#hd-files"), []string{attached}))
	if hint := eval[string](t, tb, `document.getElementById(document.getElementById('hd-files').getAttribute('aria-describedby')).textContent + '|' + document.querySelector('label[for=hd-files]').textContent`); !strings.Contains(hint, "10 file") || !strings.Contains(hint, "Allegati") {
		t.Errorf("the file input's label and hint: %q", hint)
	}
	tb.run(t, chromedp.Focus(chromedp.CSS(`#hd-new button[type=submit]:not([name])`)), chromedp.KeyEvent(kb.Enter))
	settle(t, tb, `document.readyState === 'complete' && !!document.querySelector('.pass-hd-thread')`, "the ticket's page")
	if link := eval[string](t, tb, `(document.querySelector('.pass-hd-files a') || {}).textContent || ''`); link != "elenco-accessi.csv" {
		t.Errorf("the attached file's link: %q", link)
	}
	ticketPath := eval[string](t, tb, "location.pathname")
	id, _ := strconv.ParseInt(strings.TrimPrefix(ticketPath, helpdesk.Reserved+"/"), 10, 64)

	// Elisa's queue is open, with a search half typed, when a mail opens another ticket.
	loginAs(t, tb, s, elisa, "Elisa")
	tb.open(t, s.URL+helpdesk.Queue+"?lang=it", chromedp.WaitReady(chromedp.CSS("table.pass-hd-queue")),
		chromedp.SendKeys(chromedp.CSS("#hd-q"), "SPI"))
	settle(t, tb, `document.querySelectorAll('table.pass-hd-queue tbody tr').length === 1`, "the queue")
	time.Sleep(500 * time.Millisecond) // the page's websocket is open
	if _, err := s.Helpdesk.Receive(ctx, helpdesk.Mail{To: []string{"assistenza@pass.example.it"}, From: "giulia@comune.figino.example.it",
		Subject: "PagoPA", MessageID: "e2e-1@figino", Text: "Come si attiva pagoPA?"}); err != nil {
		t.Fatal(err)
	}
	settle(t, tb, `(document.getElementById('hd-live') || {}).textContent.includes('nuovo ticket')`, "the new ticket's notice")
	if got := eval[string](t, tb, "document.getElementById('hd-q').value"); got != "SPI" {
		t.Errorf("the live notice wiped the search being typed: %q", got)
	}
	if n := eval[int](t, tb, "document.querySelectorAll('table.pass-hd-queue tbody tr').length"); n != 1 {
		t.Errorf("the list changed under the operator: %d rows", n)
	}

	// Her own words, then the canned reply inserted after them; then resolved.
	desk := helpdesk.TicketURL(id)
	tb.open(t, s.URL+desk+"?lang=it", chromedp.WaitReady(chromedp.CSS("#hd-body")), chromedp.SendKeys(chromedp.CSS("#hd-body"), "Serve SPID di livello 2."))
	tb.run(t, chromedp.Focus(chromedp.CSS(`button[name=insert]`)), chromedp.KeyEvent(kb.Enter))
	settle(t, tb, `document.readyState === 'complete' && document.getElementById('hd-body').value.includes('Cordiali saluti')`, "the canned reply inserted")
	if got := eval[string](t, tb, "document.getElementById('hd-body').value"); !strings.HasPrefix(got, "Serve SPID di livello 2.") {
		t.Errorf("the typed words were lost: %q", got)
	}
	tb.run(t, chromedp.Focus(chromedp.CSS(`button[name=then][value=resolved]`)), chromedp.KeyEvent(kb.Enter))
	settle(t, tb, `document.readyState === 'complete' && document.querySelectorAll('.pass-hd-thread > li').length === 2`, "the answer in the thread")
	for _, v := range axe(t, tb) {
		t.Error("axe on the resolved ticket: " + v)
	}

	// Anna rates it, JavaScript off.
	tb.setScripts(t, false)
	loginAs(t, tb, s, anna, "Anna")
	tb.run(t, chromedp.Navigate(s.URL+ticketPath+"?lang=it"), chromedp.WaitReady(chromedp.CSS("#hd-rating-5")),
		chromedp.Focus(chromedp.CSS("#hd-rating-5")), chromedp.KeyEvent(" "),
		chromedp.Focus(chromedp.CSS(`form[action$="/valuta"] button[type=submit]`)), chromedp.KeyEvent(kb.Enter))
	settle(t, tb, `document.readyState === 'complete' && document.querySelector('main').textContent.includes('5 stelle su 5')`, "the rating given")
	if tk, _ := s.Helpdesk.Get(ctx, id); tk.Rating != 5 || tk.Status != helpdesk.StatusClosed {
		t.Fatalf("rated: %+v", tk)
	}
	// Without JavaScript, the search for answers keeps what was typed.
	tb.open(t, s.URL+helpdesk.Reserved+"?lang=it", chromedp.WaitReady(chromedp.CSS("#hd-subject")),
		chromedp.SendKeys(chromedp.CSS("#hd-subject"), "Delegare un collega"), chromedp.SendKeys(chromedp.CSS("#hd-body"), "Come si delega?"))
	tb.run(t, chromedp.Focus(chromedp.CSS(`button[name=suggest]`)), chromedp.KeyEvent(kb.Enter))
	settle(t, tb, `document.readyState === 'complete' && !!document.querySelector('#hd-suggestion-list')`, "the answers found")
	if got := eval[string](t, tb, "document.getElementById('hd-subject').value + '|' + document.getElementById('hd-body').value"); got != "Delegare un collega|Come si delega?" {
		t.Errorf("the search lost the form: %q", got)
	}

	// Every page, as each of them.
	tk, _ := s.Helpdesk.Get(ctx, id)
	people := map[string]string{"anna": anna, "elisa": elisa}
	sweep(t, tb, s, "helpdesk", regexp.MustCompile(`\bhelpdesk\.[a-z_.]+`), []sweepPage{
		{"anna", helpdesk.Reserved}, {"anna", ticketPath}, {"anna", helpdesk.Reserved + "?oggetto=spid"},
		{"elisa", helpdesk.Queue}, {"elisa", helpdesk.Queue + "?vista=closed"}, {"elisa", desk}, {"elisa", desk + "/articolo"},
		{"elisa", helpdesk.Queue + "/telefonata"}, {"elisa", helpdesk.Queue + "/risposte"},
		{"visitor", helpdesk.RateURL(tk.Token)},
	}, func(who string) {
		if who == "visitor" {
			tb.run(t, chromedp.Navigate(s.URL+"/"), chromedp.WaitReady(chromedp.CSS("footer#footer")))
			clearCookies(t, tb)
			return
		}
		loginAs(t, tb, s, people[who], map[string]string{"anna": "Anna", "elisa": "Elisa"}[who])
	})
}

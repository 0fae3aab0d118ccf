package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/funding"
	"passhub/app/identity"
	"passhub/app/mailtest"
)

const fundingCSV = `codice;titolo;programma;autorita;temi;apertura;scadenze;budget;cofinanziamento;link
FESR-27-01;Efficienza energetica degli edifici pubblici;PR FESR Lombardia 2021-2027;Regione Lombardia;energia, edifici pubblici;2027-01-10;2027-03-15 12:00 Prima fase | 2027-05-31 Seconda fase;15000000;80;https://www.regione.lombardia.it/bando1
LIFE-27-02;Natura e biodiversità;LIFE;CINEA;biodiversità;2027-01-01;2027-04-20;5000000;60;https://cinea.ec.europa.eu/life
BAD-27-03;Bando senza data;LIFE;CINEA;clima;;2027-02-30;;;
`

// fundingAt sets the calls' clock to a moment in Rome.
func fundingAt(s *apptest.Server, day, hhmm string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hhmm, funding.Rome)
	if err != nil {
		panic(err)
	}
	s.Funding.SetClock(func() time.Time { return t.UTC() })
}

func mailsTo(smtp *mailtest.Server, to, contains string) []mailtest.Captured {
	var out []mailtest.Captured
	for _, m := range smtp.Messages() {
		if strings.Contains(strings.Join(m.To, ","), to) && strings.Contains(m.Text, contains) {
			out = append(out, m)
		}
	}
	return out
}

// TestFundingJourney: calls are imported with the service the command calls (one bad row
// reported), a person subscribes to a topic with the plain form (JavaScript off), and 7 days
// before the deadline the reminder reaches the bell and the mailbox; another person chooses the
// weekly bulletin, an editor enters and publishes a call in the browser, and Monday's bulletin
// lists the new call and those closing; the iCalendar feed parses back with its events. Every
// page is axe-clean in Italian and English, works without JavaScript and fits 320 px.
func TestFundingJourney(t *testing.T) {
	smtp := mailtest.Start(t)
	s := apptest.Start(t, func(c *config.Config) {
		c.Mail, c.SMTPHost, c.SMTPPort, c.SMTPTLS, c.SMTPFrom = "smtp", smtp.Host(), smtp.Port(), "none", "PAsS <noreply@pass.example.it>"
	})
	ctx := context.Background()
	fundingAt(s, "2027-01-05", "09:00")
	rep, err := s.Funding.Import(ctx, funding.Actor{Name: "passhub bandi import"}, strings.NewReader(fundingCSV))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 2 || len(rep.Errors) != 1 || rep.Errors[0].Row != 4 || rep.Errors[0].Field != "deadlines" {
		t.Fatalf("import report %+v", rep)
	}
	apptest.Idle(t, s.App)
	anna, bruno, editor := apptest.FiscalCode("NNAMRA80A41F205"), apptest.FiscalCode("BRNBRN80A01F205"), apptest.FiscalCode("RDTRDT80A01F205")
	u, _, err := s.Identity.Login(ctx, identityOf(editor, "Edo"), identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Identity.Grant(ctx, identity.Actor{}, u.ID, "editor", ""); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t)

	// Anna subscribes to "energia" with JavaScript off: an empty form is refused beside its fields.
	tb.setScripts(t, false)
	loginAs(t, tb, s, anna, "Anna")
	tb.run(t, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+funding.AlertsPath+"?lang=it"), chromedp.WaitReady(chromedp.CSS("#avvisi-days")))
	tb.run(t, chromedp.Click(chromedp.CSS(`form[action="/area-riservata/bandi/avvisi"] button[type=submit]`)))
	settle(t, tb, `document.readyState === 'complete' && !!document.querySelector('.pass-error-summary')`, "the error summary")
	if got := eval[string](t, tb, "document.getElementById('avvisi-topics-error').textContent"); !strings.Contains(got, "almeno un tema") {
		t.Errorf("empty subscription error %q", got)
	}
	tb.run(t, chromedp.Click(chromedp.CSS(labelOf(t, tb, "topics", "energia"))), chromedp.Click(chromedp.CSS(`form[action="/area-riservata/bandi/avvisi"] button[type=submit]`)))
	settle(t, tb, `document.readyState === 'complete' && !document.querySelector('.pass-error-summary') && document.querySelector('input[value="energia"]').checked`, "the saved alerts")
	annaID := userOf(t, s, anna)
	sub, err := s.Funding.Subscription(ctx, annaID)
	if err != nil || sub == nil || strings.Join(sub.Topics, ",") != "energia" || sub.Channel != funding.ChannelNow || sub.DaysBefore != 7 {
		t.Fatalf("Anna's subscription %+v %v", sub, err)
	}

	// Seven days before the first stage, the daily job reminds her, by bell and by e-mail, once.
	for _, day := range []string{"2027-03-07", "2027-03-08", "2027-03-09"} {
		fundingAt(s, day, "07:00")
		if err := s.Jobs.Enqueue(ctx, s.DB, funding.RemindersArgs{}); err != nil {
			t.Fatal(err)
		}
		apptest.Idle(t, s.App)
		if day == "2027-03-07" && len(mailsTo(smtp, "anna@example.it", "/bandi/")) > 0 {
			t.Fatal("reminded 8 days before")
		}
	}
	waitUntil(t, 10*time.Second, "the reminder e-mail", func() bool {
		return len(mailsTo(smtp, "anna@example.it", "/bandi/efficienza-energetica-degli-edifici-pubblici")) > 0
	})
	tb.run(t, chromedp.Navigate(s.URL+"/area-riservata/notifiche?lang=it"), chromedp.WaitReady(chromedp.CSS("footer#footer")))
	if got := eval[string](t, tb, "document.querySelector('main').textContent"); !strings.Contains(got, "Efficienza energetica degli edifici pubblici") ||
		!strings.Contains(got, "Scadenza di un bando in arrivo") {
		t.Errorf("the bell's list lacks the reminder: %q", got)
	}
	if n := len(mailsTo(smtp, "anna@example.it", "/bandi/efficienza-energetica-degli-edifici-pubblici")); n != 1 {
		t.Errorf("%d reminder e-mails, want 1", n)
	}

	// Bruno chooses the weekly bulletin on biodiversità, with JavaScript on.
	tb.setScripts(t, true)
	loginAs(t, tb, s, bruno, "Bruno")
	tb.run(t, chromedp.Navigate(s.URL+funding.AlertsPath+"?lang=it"), chromedp.WaitReady(chromedp.CSS("#avvisi-days")))
	tb.run(t, chromedp.Click(chromedp.CSS(labelOf(t, tb, "topics", "biodiversità"))), chromedp.Click(chromedp.CSS(`label[for="avvisi-bulletin"]`)),
		chromedp.Evaluate[chromedp.Void](`window.passBeforeSave = true`), // gone with the page the save answers with
		chromedp.Click(chromedp.CSS(`form[action="/area-riservata/bandi/avvisi"] button[type=submit]`)))
	settle(t, tb, `!window.passBeforeSave && document.readyState === 'complete' && document.querySelector('#avvisi-bulletin') && document.querySelector('#avvisi-bulletin').checked`, "Bruno's saved alerts")

	// On 8 April an editor enters a call in the form and publishes it.
	fundingAt(s, "2027-04-08", "10:00")
	loginAs(t, tb, s, editor, "Edo")
	// The form is sent with the keyboard (the button focused, Enter): a mouse click on the button at
	// the end of the long form sometimes missed it while the page settled, and the form stayed
	// unsent. The fields are filled on a fresh load when the page was replaced under them.
	tb.open(t, s.URL+funding.EditorPath+"/nuovo?lang=it", chromedp.WaitReady(chromedp.CSS("#bando-title")),
		chromedp.SetValue(chromedp.CSS("#bando-title"), "Corridoi ecologici alpini"), chromedp.SetValue(chromedp.CSS("#bando-programme"), "Interreg Italia-Svizzera"),
		chromedp.SetValue(chromedp.CSS("#bando-topics"), "biodiversità, montagna"),
		chromedp.SetValue(chromedp.CSS("#dl-date-0"), "2027-04-22"), chromedp.SetValue(chromedp.CSS("#dl-label-0"), "Unica scadenza"))
	if got := eval[string](t, tb, "document.getElementById('bando-title').value"); got != "Corridoi ecologici alpini" {
		t.Fatalf("the form's title before sending: %q", got)
	}
	tb.run(t, chromedp.Focus(chromedp.CSS(`form[action="/area-riservata/bandi/nuovo"] button[type=submit]`)), chromedp.KeyEvent(kb.Enter))
	settle(t, tb, `document.readyState === 'complete' && !!document.querySelector('form[action$="/pubblica"]')`, "the created call")
	tb.run(t, chromedp.Focus(chromedp.CSS(`form[action$="/pubblica"] button`)), chromedp.KeyEvent(kb.Enter))
	settle(t, tb, `document.readyState === 'complete' && !!document.querySelector('a[href="/bandi/corridoi-ecologici-alpini"]')`, "the published call")

	// Monday 12 April, 7:00: the bulletin lists the new call and those closing in two weeks.
	fundingAt(s, "2027-04-12", "07:00")
	if err := s.Jobs.Enqueue(ctx, s.DB, funding.BulletinArgs{}); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	waitUntil(t, 10*time.Second, "the bulletin", func() bool { return len(mailsTo(smtp, "bruno@example.it", "bollettino")) > 0 })
	b := mailsTo(smtp, "bruno@example.it", "bollettino")[0]
	fresh, closing, _ := strings.Cut(b.Text, "Scadenze delle prossime due settimane")
	if !strings.Contains(fresh, "Corridoi ecologici alpini") || strings.Contains(fresh, "Natura e biodiversità") {
		t.Errorf("new calls of the bulletin:\n%s", b.Text)
	}
	if !strings.Contains(closing, "2027-04-20: Natura e biodiversità") || !strings.Contains(closing, "2027-04-22 (Unica scadenza): Corridoi ecologici alpini") {
		t.Errorf("closing calls of the bulletin:\n%s", b.Text)
	}

	// The feed of a topic, fetched twice, parses back with the same events.
	var uids []string
	for range 2 {
		res, err := http.Get(s.URL + "/bandi.ics?tema=energia")
		if err != nil {
			t.Fatal(err)
		}
		cal, err := ics.ParseCalendar(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		var these []string
		for _, ev := range cal.Events() {
			these = append(these, ev.Id())
			start := ev.GetProperty(ics.ComponentPropertyDtStart)
			zoned := start.ICalParameters["TZID"] != nil && start.ICalParameters["TZID"][0] == "Europe/Rome"
			dated := start.ICalParameters["VALUE"] != nil && start.ICalParameters["VALUE"][0] == "DATE"
			if !zoned && !dated {
				t.Errorf("event %s starts %+v", ev.Id(), start)
			}
		}
		if uids != nil && strings.Join(uids, ",") != strings.Join(these, ",") {
			t.Errorf("UIDs changed between fetches: %v then %v", uids, these)
		}
		uids = these
	}
	if len(uids) != 2 {
		t.Errorf("%d events in the energia feed, want 2", len(uids))
	}

	// Every page: axe-clean in both languages, no console error, no sideways scroll at 320 px,
	// and the same content without JavaScript.
	call, err := s.Funding.Published(ctx, "corridoi-ecologici-alpini")
	if err != nil {
		t.Fatal(err)
	}
	tb.take() // the refused subscription's 422 was meant
	people := map[string][2]string{"anna": {anna, "Anna"}, "editor": {editor, "Edo"}}
	sweep(t, tb, s, "funding", regexp.MustCompile(`\bfunding\.[a-z_]+`), []sweepPage{
		{"visitor", "/bandi"}, {"visitor", "/bandi?vista=mese&mese=2027-04&tema=biodiversità"}, {"visitor", "/bandi/natura-e-biodiversita"},
		{"anna", funding.AlertsPath}, {"editor", funding.EditorPath}, {"editor", funding.EditorPath + "/nuovo"},
		{"editor", funding.EditorPath + "/" + strconv.FormatInt(call.ID, 10)},
	}, func(who string) {
		if who == "visitor" {
			tb.run(t, chromedp.Navigate(s.URL+"/"), chromedp.WaitReady(chromedp.CSS("footer#footer")))
			clearCookies(t, tb)
			return
		}
		loginAs(t, tb, s, people[who][0], people[who][1])
	})
	// The editor's form refused (422), with its error summary: axe-clean too.
	tb.setScripts(t, true)
	loginAs(t, tb, s, editor, "Edo")
	for _, lang := range []string{"it", "en"} {
		tb.run(t, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+funding.EditorPath+"/nuovo?lang="+lang), chromedp.WaitReady(chromedp.CSS("#bando-title")),
			chromedp.SetValue(chromedp.CSS("#bando-co_funding"), "120"),
			chromedp.Click(chromedp.CSS(`form[action="/area-riservata/bandi/nuovo"] button[type=submit]`)))
		settle(t, tb, `document.readyState === 'complete' && !!document.querySelector('.pass-error-summary')`, "the refused form")
		if n := eval[int](t, tb, "document.querySelectorAll('.pass-error-summary li').length"); n != 4 { // title, programme, co-funding, deadlines
			t.Errorf("%s: %d errors in the summary, want 4", lang, n)
		}
		for _, v := range axe(t, tb) {
			t.Error("axe on the refused form: " + v)
		}
		if shots := os.Getenv("PASSHUB_SCREENSHOTS"); shots != "" {
			shoot(t, tb, filepath.Join(shots, "funding-form-errors-"+lang+".png"), chromedp.FullScreenshot(100))
		}
		tb.take()
	}
}

func userOf(t *testing.T, s *apptest.Server, code string) int64 {
	t.Helper()
	var id int64
	if err := s.DB.NewRaw("SELECT id FROM users WHERE fiscal_code = ?", "TINIT-"+code).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// clearCookies logs the browser out: the next pages are an anonymous visitor's.
func clearCookies(t *testing.T, tb *tab) {
	t.Helper()
	tb.run(t, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
}

// labelOf is the selector of the label of the checkbox name=value (Bootstrap Italia draws the box
// with the label and hides the input).
func labelOf(t *testing.T, tb *tab, name, value string) string {
	t.Helper()
	id := eval[string](t, tb, `document.querySelector('input[name="`+name+`"][value="`+value+`"]').id`)
	return `label[for="` + id + `"]`
}

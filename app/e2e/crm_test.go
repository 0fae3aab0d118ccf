package e2e

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/app/mailtest"
)

// TestCRMFollowUpJourney: a province's staff member opens a comune it follows from the CRM's
// list, logs a call with a follow-up due today (a first try with bad input comes back with the
// error summary and the messages beside the fields, what was typed kept), finds the follow-up on
// the reserved home, then in the daily digest; the record exports as CSV and XLSX. Without
// JavaScript, then with it; every page axe clean in Italian and English, no console error.
func TestCRMFollowUpJourney(t *testing.T) {
	smtp := mailtest.Start(t)
	s := apptest.Start(t, func(c *config.Config) {
		c.Mail, c.SMTPHost, c.SMTPPort, c.SMTPTLS, c.SMTPFrom = "smtp", smtp.Host(), smtp.Port(), "none", "PAsS <noreply@pass.example.it>"
	})
	ctx := context.Background()
	if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013", Name: "Provincia di Como", Kind: ente.KindProvincia, Province: "CO"},
		{ISTAT: "013041", Name: "Cantù", Kind: ente.KindComune, Province: "CO"}, {ISTAT: "013075", Name: "Erba", Kind: ente.KindComune, Province: "CO"}}); err != nil {
		t.Fatal(err)
	}
	como, _ := s.Enti.ByISTAT(ctx, "013")
	cantu, _ := s.Enti.ByISTAT(ctx, "013041")
	erba, _ := s.Enti.ByISTAT(ctx, "013075")
	code := apptest.FiscalCode("PRVCMO70A01F205")
	cookie := s.Login(t, code, "Paola", "Provinciale") // paola@example.it
	u, _, err := s.Identity.Users(ctx, "provinciale", 1)
	if err != nil || len(u) != 1 {
		t.Fatal(err)
	}
	reg, err := s.Enti.Register(ctx, ente.Actor{UserID: u[0].ID}, ente.RegistrationForm{EnteID: como.ID, Role: ente.RolePresidente,
		Email: "presidenza@provincia.como.it", PEC: "provincia.como@pec.it"}, "p.pdf", apptest.ProtocolFor(t, s.App, u[0].ID, como.ID))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enti.Approve(ctx, ente.Actor{}, reg.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []int64{cantu.ID, erba.ID} {
		if _, err := s.Territory.Follow(ctx, como.ID, c); err != nil {
			t.Fatal(err)
		}
	}
	tb := newTab(t)
	token := strings.TrimPrefix(strings.Split(cookie, ";")[0], "pass_session=")
	tb.run(t, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, network.SetCookie, network.SetCookieParams{Name: "pass_session", Value: token, URL: s.URL})
		return err
	}))
	scripts := false
	// accessible checks the page: no console error or failed request, and, with scripts on (axe
	// runs in the page), no axe violation
	accessible := func(what string) {
		t.Helper()
		for _, p := range tb.take() {
			if !strings.Contains(p, "422") { // the deliberate bad input
				t.Errorf("%s: %s", what, p)
			}
		}
		if !scripts {
			return
		}
		for _, v := range axe(t, tb) {
			t.Errorf("%s: axe: %s", what, v)
		}
	}
	record := s.URL + "/area-riservata/crm/" + strconv.FormatInt(cantu.ID, 10)
	today := s.CRM.Today().Format("2006-01-02")
	logCall := func(summary, follow string) {
		t.Helper()
		tb.run(t, chromedp.Click(chromedp.CSS("#interazioni summary")),
			chromedp.SetValue(chromedp.CSS("#crm-interaction-kind"), "call"), chromedp.SetValue(chromedp.CSS("#crm-interaction-happened_on"), today),
			chromedp.SetValue(chromedp.CSS("#crm-interaction-summary"), summary), chromedp.SetValue(chromedp.CSS("#crm-interaction-follow_up_on"), follow),
			chromedp.Click(chromedp.CSS("#crm-interaction-form button[type=submit]")))
	}
	for _, js := range []bool{false, true} {
		tb.setScripts(t, js)
		scripts = js
		summary := "Telefonata con il segretario sul piano triennale"
		if js {
			summary = "Seconda telefonata: bozza della convenzione"
		}
		// the list, in both languages, then the comune's record from it
		for _, lang := range []string{"en", "it"} {
			tb.run(t, chromedp.Navigate(s.URL+"/area-riservata/crm?lang="+lang), chromedp.WaitReady(chromedp.CSS("footer#footer")))
			if n := eval[int](t, tb, `document.querySelectorAll('.pass-crm-row').length`); n != 2 {
				t.Errorf("%d comuni listed, want 2", n)
			}
			accessible("the CRM list in " + lang)
		}
		tb.run(t, chromedp.Click(chromedp.CSS(`.pass-crm-row a[href$="/`+strconv.FormatInt(cantu.ID, 10)+`"]`)), chromedp.WaitReady(chromedp.CSS("#cronologia")))
		accessible("the record")
		// a follow-up before the call: refused, with the messages beside the fields
		logCall(summary, "2001-01-01")
		tb.run(t, chromedp.WaitReady(chromedp.CSS(".pass-error-summary")))
		if !eval[bool](t, tb, `!!document.querySelector('#crm-interaction-follow_up_on-error')`) {
			t.Error("no message beside the follow-up date")
		}
		if v := eval[string](t, tb, `document.querySelector('#crm-interaction-summary').value`); v != summary {
			t.Errorf("typed summary not kept: %q", v)
		}
		accessible("the refused interaction")
		tb.run(t, chromedp.Navigate(record+"?lang=en"), chromedp.WaitReady(chromedp.CSS("#cronologia")))
		accessible("the record in English")
		tb.run(t, chromedp.Navigate(record+"?lang=it"), chromedp.WaitReady(chromedp.CSS("#cronologia")))
		logCall(summary, today)
		tb.run(t, chromedp.WaitReady(chromedp.CSS("#flash")))
		if !eval[bool](t, tb, `[...document.querySelectorAll('.pass-crm-summary')].some(e => e.textContent.includes(`+strconv.Quote(summary)+`))`) {
			t.Error("the logged interaction is not on the record")
		}
		accessible("the logged interaction")
		// the follow-up on the home, in both languages
		for _, lang := range []string{"en", "it"} {
			tb.run(t, chromedp.Navigate(s.URL+"/area-riservata?lang="+lang), chromedp.WaitReady(chromedp.CSS("footer#footer")))
			if !eval[bool](t, tb, `[...document.querySelectorAll('.pass-followup')].some(e => e.textContent.includes(`+strconv.Quote(summary)+`))`) {
				t.Errorf("the follow-up is not on the home in %s", lang)
			}
			accessible("the home in " + lang)
		}
		tb.run(t, chromedp.Click(chromedp.CSS(".pass-followup a")), chromedp.WaitReady(chromedp.CSS("#cronologia")))
		if !strings.Contains(eval[string](t, tb, `location.pathname`), "/area-riservata/crm/"+strconv.FormatInt(cantu.ID, 10)) {
			t.Error("the home's follow-up does not open the record")
		}
	}
	if dir := os.Getenv("PASSHUB_SCREENSHOTS"); dir != "" {
		for _, w := range []int64{1280, 320} {
			tb.run(t, chromedp.EmulateViewport(w, 900), chromedp.Navigate(record), chromedp.WaitReady(chromedp.CSS("#cronologia")))
			shot(t, tb, "crm-record-"+strconv.FormatInt(w, 10))
			tb.run(t, chromedp.Navigate(s.URL+"/area-riservata/crm"), chromedp.WaitReady(chromedp.CSS("footer#footer")))
			shot(t, tb, "crm-list-"+strconv.FormatInt(w, 10))
			tb.run(t, chromedp.Navigate(s.URL+"/area-riservata"), chromedp.WaitReady(chromedp.CSS("footer#footer")))
			shot(t, tb, "crm-home-"+strconv.FormatInt(w, 10))
		}
	}

	// The record's export links answer the files.
	links := eval[[]string](t, tb, `(async () => { const r = await fetch(`+strconv.Quote(record)+`); const d = new DOMParser().parseFromString(await r.text(), 'text/html');
		return [...d.querySelectorAll('.pass-downloads a')].map(a => a.getAttribute('href')); })()`)
	if len(links) != 2 {
		t.Fatalf("export links: %v", links)
	}
	for _, l := range links {
		res, body := s.Get(t, l, "Cookie", cookie)
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("%s: %d %v", l, res.StatusCode, res.Header)
		}
		if strings.HasSuffix(l, ".csv") && !strings.Contains(body, "Telefonata con il segretario sul piano triennale") {
			t.Errorf("the CSV lacks the interaction: %q", body)
		}
		if strings.HasSuffix(l, ".xlsx") && !strings.HasPrefix(body, "PK") {
			t.Error("the XLSX is no workbook")
		}
	}

	// The daily reminder, then the digest.
	if n, err := s.CRM.NotifyDue(ctx); err != nil || n != 2 {
		t.Fatalf("reminders: %d %v", n, err)
	}
	if n, err := s.Notifications.SendDigests(ctx); err != nil || n != 1 {
		t.Fatalf("digests: %d %v", n, err)
	}
	var m mailtest.Captured
	for deadline := time.Now().Add(5 * time.Second); m.Text == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, c := range smtp.Messages() {
			if strings.Contains(c.Text, "/area-riservata/crm/") {
				m = c
			}
		}
	}
	if m.To == nil || m.To[0] != "paola@example.it" || !strings.Contains(m.Text, "Telefonata con il segretario") || !strings.Contains(m.Text, "Seconda telefonata") ||
		!strings.Contains(m.Text, "Richiamo in scadenza") || !strings.Contains(m.Text, "/area-riservata/crm/"+strconv.FormatInt(cantu.ID, 10)) {
		t.Errorf("digest: %s %q", m.To, m.Text)
	}
}

// TestTerritoryAdminPage: an admin makes a province follow a comune from /admin/territori (a first
// try without a comune comes back with the error summary), then ends the link; the page and the
// admins' CRM list with its province filter are axe clean in Italian and English.
func TestTerritoryAdminPage(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013", Name: "Provincia di Como", Kind: ente.KindProvincia, Province: "CO"},
		{ISTAT: "013041", Name: "Cantù", Kind: ente.KindComune, Province: "CO"}}); err != nil {
		t.Fatal(err)
	}
	code := apptest.FiscalCode("DMNDMN80A01F205")
	u, _, err := s.Identity.Login(ctx, identityOf(code, "Ada"), identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Identity.Grant(ctx, identity.Actor{}, u.ID, "admin", ""); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t)
	loginAs(t, tb, s, code, "Ada")
	check := func(what string) {
		t.Helper()
		for _, p := range tb.take() {
			if !strings.Contains(p, "422") {
				t.Errorf("%s: %s", what, p)
			}
		}
		for _, v := range axe(t, tb) {
			t.Errorf("%s: axe: %s", what, v)
		}
	}
	for _, lang := range []string{"en", "it"} {
		tb.run(t, chromedp.Navigate(s.URL+"/admin/territori?lang="+lang), chromedp.WaitReady(chromedp.CSS("footer#footer")))
		check("the territories in " + lang)
	}
	como, _ := s.Enti.ByISTAT(ctx, "013")
	tb.run(t, chromedp.SetValue(chromedp.CSS("#territory-province"), strconv.FormatInt(como.ID, 10)),
		chromedp.Click(chromedp.CSS(`form[action="/admin/territori"] button[type=submit]`)), chromedp.WaitReady(chromedp.CSS(".pass-error-summary")))
	if !eval[bool](t, tb, `!!document.querySelector('#territory-comune-error')`) {
		t.Error("no message beside the comune")
	}
	check("the refused link")
	tb.run(t, chromedp.SetValue(chromedp.CSS("#territory-comune"), "013041"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/territori"] button[type=submit]`)), chromedp.WaitReady(chromedp.CSS("#flash")))
	if n := eval[int](t, tb, `document.querySelectorAll('.pass-territory-link').length`); n != 1 {
		t.Fatalf("%d links shown, want 1", n)
	}
	check("the new link")
	for _, lang := range []string{"en", "it"} {
		tb.run(t, chromedp.Navigate(s.URL+"/area-riservata/crm?lang="+lang), chromedp.WaitReady(chromedp.CSS("footer#footer")))
		if n := eval[int](t, tb, `document.querySelectorAll('#crm-provincia option').length`); n != 2 {
			t.Errorf("%d options in the province filter, want 2", n)
		}
		check("the admins' CRM list in " + lang)
	}
	tb.run(t, chromedp.Navigate(s.URL+"/admin/territori"), chromedp.WaitReady(chromedp.CSS("footer#footer")),
		chromedp.Click(chromedp.CSS(".pass-territory-link button")), chromedp.WaitReady(chromedp.CSS("#flash")))
	if p, ok, _ := s.Territory.FollowerOf(ctx, func() int64 { c, _ := s.Enti.ByISTAT(ctx, "013041"); return c.ID }()); ok {
		t.Errorf("Cantù still followed by %d", p)
	}
	check("the ended link")
}

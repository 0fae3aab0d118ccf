package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/identity"
	"passhub/app/request"
)

// TestOutcomeFromTheHome: the mayor of a concluded request follows the home's "to be filled in"
// link to the outcome's form and answers it, without JavaScript (the ask at conclusion) and with
// it (the six-month ask); bad figures come back with the error summary and the messages beside
// the fields. Every page of the way is axe clean in Italian and English.
func TestOutcomeFromTheHome(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	codes := map[string]string{"mayor": apptest.FiscalCode("RSSMRA80A01F205"), "pm": apptest.FiscalCode("PMPMPM80A01F205"), "expert": apptest.FiscalCode("SPRSPR80A01F205")}
	ids := map[string]int64{}
	for p, c := range codes {
		u, _, err := s.Identity.Login(ctx, identityOf(c, p), identity.Client{})
		if err != nil {
			t.Fatal(err)
		}
		ids[p] = u.ID
	}
	for p, role := range map[string]string{"pm": "pm", "expert": "expert"} {
		if err := s.Identity.Grant(ctx, identity.Actor{}, ids[p], role, "VA"); err != nil {
			t.Fatal(err)
		}
	}
	cantu := apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", ids["mayor"])
	expert := request.Actor{UserID: ids["expert"], Name: "expert"}
	r, err := s.Requests.File(ctx, request.Actor{UserID: ids["mayor"], Name: "mayor"}, cantu.ID, request.Form{ProcedureCode: "VA-01",
		Title: "Arretrato VIA del polo logistico", Description: "Quaranta istanze in attesa da mesi, un solo istruttore.",
		DesiredOutcome: "Tempi medi sotto i 150 giorni.", BacklogPending: 40, BacklogAvgDays: 210}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Requests.Assign(ctx, request.Actor{UserID: ids["pm"]}, r.ID, []int64{ids["expert"]}); err != nil {
		t.Fatal(err)
	}
	r, _ = s.Requests.Get(ctx, r.ID)
	if _, err := s.Workspace.Post(ctx, expert, r, true, "Iniziamo dall'elenco delle istanze."); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Requests.Conclude(ctx, expert, r.ID, "Arretrato ridotto con un modello di istruttoria condiviso."); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App) // the ask at conclusion
	stored := func(stage string) *request.Outcome {
		t.Helper()
		outs, err := s.Requests.Outcomes(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i := range outs {
			if outs[i].Stage == stage {
				return &outs[i]
			}
		}
		t.Fatalf("no %s ask", stage)
		return nil
	}

	tb := newTab(t)
	loginAs(t, tb, s, codes["mayor"], "mayor")
	accessible := func(what string) {
		t.Helper()
		for _, p := range tb.take() {
			if !strings.Contains(p, "422") { // the deliberate bad figures
				t.Errorf("%s: %s", what, p)
			}
		}
		for _, v := range axe(t, tb) {
			t.Errorf("%s: axe: %s", what, v)
		}
	}
	// fromHome opens the home in lang and follows its link to the form of stage.
	fromHome := func(lang, stage string) {
		t.Helper()
		tb.run(t, chromedp.Navigate(s.URL+"/area-riservata?lang="+lang), chromedp.WaitReady(chromedp.CSS("footer#footer")))
		if n := eval[int](t, tb, `document.querySelectorAll('.pass-outcomes-todo a').length`); n != 1 {
			t.Fatalf("%d links to fill in on the home, want 1", n)
		}
		tb.run(t, chromedp.Click(chromedp.CSS(".pass-outcomes-todo a")), chromedp.WaitReady(chromedp.CSS("#esito-"+stage+"-backlog_pending")))
	}
	// bad sends an empty backlog and too many days in stage's form.
	bad := func(stage string) {
		t.Helper()
		f := "#esito-" + stage
		tb.run(t, chromedp.SetValue(chromedp.CSS(f+"-backlog_pending"), ""), chromedp.SetValue(chromedp.CSS(f+"-backlog_avg_days"), "20000"),
			chromedp.Click(chromedp.CSS(f+" button[type=submit]")), chromedp.WaitReady(chromedp.CSS(".pass-error-summary")))
		for _, id := range []string{f + "-backlog_pending-error", f + "-backlog_avg_days-error"} {
			if !eval[bool](t, tb, "!!document.querySelector('"+id+"')") {
				t.Errorf("no message beside the field: %s", id)
			}
		}
		if v := eval[string](t, tb, "document.querySelector('"+f+"-backlog_avg_days').value"); v != "20000" {
			t.Errorf("typed figure not kept: %q", v)
		}
		if stored(stage).Answered() {
			t.Fatal("bad figures stored")
		}
	}

	// Without JavaScript, the ask at conclusion: 12 cases pending, the average time not known.
	tb.setScripts(t, false)
	fromHome("it", "concluded")
	if hint := eval[string](t, tb, `document.querySelector('#esito-concluded-backlog_pending-filing').textContent`); !strings.Contains(hint, "40") {
		t.Errorf("filing figure not shown: %q", hint)
	}
	bad("concluded")
	tb.run(t, chromedp.SetValue(chromedp.CSS("#esito-concluded-backlog_pending"), "12"), chromedp.SetValue(chromedp.CSS("#esito-concluded-backlog_avg_days"), ""),
		chromedp.Click(chromedp.CSS("#esito-concluded-backlog_avg_days-unknown")),
		chromedp.Click(chromedp.CSS("#esito-concluded button[type=submit]")), chromedp.WaitReady(chromedp.CSS(".alert-success")))
	if o := stored("concluded"); !o.Answered() || o.BacklogPending == nil || *o.BacklogPending != 12 || o.BacklogAvgDays != nil {
		t.Fatalf("stored without JavaScript: %+v", o)
	}
	tb.take()

	// Six months later, with JavaScript, every page checked in both languages.
	if _, err := s.Requests.Ask(ctx, r.ID, request.StageSixMonths); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	tb.setScripts(t, true)
	for _, lang := range []string{"en", "it"} { // Italian last: it answers
		tb.run(t, chromedp.Navigate(s.URL+"/area-riservata?lang="+lang), chromedp.WaitReady(chromedp.CSS("footer#footer")))
		accessible("the home in " + lang)
		fromHome(lang, "six_months")
		accessible("the form in " + lang)
		if checked := eval[bool](t, tb, `document.querySelector('#esito-concluded-backlog_avg_days-unknown').checked`); !checked {
			t.Error("the stored answer's unknown figure is not shown")
		}
		bad("six_months")
		accessible("the bad figures in " + lang)
	}
	tb.run(t, chromedp.SetValue(chromedp.CSS("#esito-six_months-backlog_pending"), "5"), chromedp.SetValue(chromedp.CSS("#esito-six_months-backlog_avg_days"), "95"),
		chromedp.Click(chromedp.CSS("#esito-six_months button[type=submit]")), chromedp.WaitReady(chromedp.CSS(".alert-success")))
	accessible("the stored answer")
	if o := stored("six_months"); !o.Answered() || o.BacklogPending == nil || *o.BacklogPending != 5 || o.BacklogAvgDays == nil || *o.BacklogAvgDays != 95 {
		t.Fatalf("stored with JavaScript: %+v", o)
	}
	tb.run(t, chromedp.Navigate(s.URL+"/area-riservata"), chromedp.WaitReady(chromedp.CSS("footer#footer")))
	if n := eval[int](t, tb, `document.querySelectorAll('.pass-outcomes-todo').length`); n != 0 {
		t.Error("the home still lists an answered ask")
	}
}

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/identity"
	"passhub/app/request"
	"passhub/app/workspace"
)

type fixedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fixedClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fixedClock) set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }
func on(month time.Month, d int) time.Time {
	rome, _ := time.LoadLocation("Europe/Rome")
	return time.Date(2026, month, d, 10, 0, 0, 0, rome)
}

// analysisSite files, for Cantù on VA-01, one request concluded in 30 days, one rejected, one
// assigned and one waiting for triage; the admin and the mayor are returned by fiscal code.
func analysisSite(t *testing.T) (s *apptest.Server, admin, mayor string) {
	t.Helper()
	s = apptest.Start(t)
	ctx := context.Background()
	admin, mayor = apptest.FiscalCode("DMNDMN80A01F205"), apptest.FiscalCode("RSSMRA80A01F205")
	expertCode := apptest.FiscalCode("SPRSPR80A01F205")
	ids := map[string]int64{}
	for code, name := range map[string]string{admin: "admin", mayor: "mayor", expertCode: "expert"} {
		u, _, err := s.Identity.Login(ctx, identityOf(code, name), identity.Client{})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = u.ID
	}
	for name, role := range map[string][2]string{"admin": {"admin", ""}, "expert": {"expert", "VA"}} {
		if err := s.Identity.Grant(ctx, identity.Actor{}, ids[name], role[0], role[1]); err != nil {
			t.Fatal(err)
		}
	}
	cantu := apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", ids["mayor"])
	c := &fixedClock{now: on(1, 5)}
	s.Requests.SetClock(c.Now)
	s.Workspace.SetClock(c.Now)
	m, pm, ex := request.Actor{UserID: ids["mayor"], Name: "Mario Test"}, request.Actor{UserID: ids["admin"], Name: "Ada Test"},
		request.Actor{UserID: ids["expert"], Name: "Elena Test"}
	must := func(r *request.Request, err error) *request.Request {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	file := func(title string, at time.Time) *request.Request {
		c.set(at)
		return must(s.Requests.File(ctx, m, cantu.ID, request.Form{ProcedureCode: "VA-01", Title: title,
			Description: "Quaranta istanze in attesa da mesi.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true))
	}
	a := file("Arretrato VIA A", on(1, 5))
	c.set(on(1, 7))
	must(s.Requests.Assign(ctx, pm, a.ID, []int64{ids["expert"]}))
	c.set(on(1, 8))
	if _, err := s.Workspace.LogActivity(ctx, ex, must(s.Requests.Get(ctx, a.ID)), workspace.Activity{Kind: "analysis", OnDate: on(1, 8), Minutes: 90,
		Description: "Analisi delle istanze"}); err != nil {
		t.Fatal(err)
	}
	c.set(on(2, 4))
	must(s.Requests.Conclude(ctx, ex, a.ID, "Istruttoria completata con le istanze smaltite."))
	b := file("Arretrato VIA B", on(1, 15))
	c.set(on(1, 16))
	must(s.Requests.Reject(ctx, pm, b.ID, "Non è una procedura complessa"))
	cr := file("Arretrato VIA C", on(1, 25))
	c.set(on(1, 30))
	must(s.Requests.Assign(ctx, pm, cr.ID, []int64{ids["expert"]}))
	file("Arretrato VIA D", on(2, 10))
	apptest.Idle(t, s.App)
	return s, admin, mayor
}

// shot saves a full-page screenshot under the test's output folder (PASSHUB_SCREENSHOTS, or the
// temporary folder), for a person to look at.
func shot(t *testing.T, tb *tab, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("PASSHUB_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAnalysisPanelInTheBrowser opens the analysis panel and the ente's dashboard with and without
// JavaScript, in Italian and English: no console error or failed request, no axe violation,
// nothing scrolls sideways at 320 px, the filters work as a plain form.
func TestAnalysisPanelInTheBrowser(t *testing.T) {
	s, admin, mayor := analysisSite(t)
	tb := newTab(t)
	loginAs(t, tb, s, admin, "admin")
	for _, scripts := range []bool{true, false} {
		tb.setScripts(t, scripts)
		for _, lang := range []string{"it", "en"} {
			name := lang
			if !scripts {
				name += "-nojs"
			}
			t.Run(name, func(t *testing.T) {
				tb.run(t, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+"/area-riservata/analisi?lang="+lang),
					chromedp.WaitReady(chromedp.CSS("footer#footer")))
				for _, p := range tb.take() {
					t.Error(p)
				}
				if scripts { // axe runs as a script
					for _, v := range axe(t, tb) {
						t.Error("axe: " + v)
					}
				}
				if n := eval[int](t, tb, "document.querySelectorAll('.pass-analysis-table svg[role=img]').length"); n < 4 {
					t.Errorf("%d charts", n)
				}
				shot(t, tb, "analisi-"+name)
				// The filters are a plain form: choosing the task force and sending it reloads the page.
				tb.run(t, chromedp.SetValue(chromedp.CSS("#an-tf"), "VA"), chromedp.SetValue(chromedp.CSS("#an-from"), "2026-01"),
					chromedp.Click(chromedp.CSS(".pass-analysis-filters button[type=submit]")),
					chromedp.WaitReady(chromedp.CSS(`#an-tf option[selected][value="VA"]`)), chromedp.WaitReady(chromedp.CSS("footer#footer")))
				if u := eval[string](t, tb, "location.search"); !strings.Contains(u, "tf=VA") || !strings.Contains(u, "da=2026-01") {
					t.Errorf("the filters sent %q", u)
				}
				got := eval[string](t, tb, `document.querySelector('#an-conteggi tbody tr:first-child td').textContent.trim()`)
				if got != "4" {
					t.Errorf("filed with the filters: %q, want 4", got)
				}
				// A figure leads to its requests.
				tb.run(t, chromedp.Click(chromedp.CSS(`#an-conteggi a[href*="misura=concluded"]`)), chromedp.WaitReady(chromedp.CSS(".pass-count")),
					chromedp.WaitReady(chromedp.CSS("footer#footer")))
				if titles := eval[[]string](t, tb, `[...document.querySelectorAll('tr.pass-request td:first-child a')].map(a => a.textContent)`); strings.Join(titles, "|") != "Arretrato VIA A" {
					t.Errorf("the concluded requests: %q", titles)
				}
				if scripts {
					for _, v := range axe(t, tb) {
						t.Error("axe (drill-down): " + v)
					}
				}
				for _, p := range tb.take() {
					t.Error(p)
				}
				// 320 px: nothing scrolls sideways.
				tb.run(t, chromedp.EmulateViewport(320, 800), chromedp.Navigate(s.URL+"/area-riservata/analisi"), chromedp.WaitReady(chromedp.CSS("footer#footer")))
				if r := eval[reflowResult](t, tb, reflow); r.Wide {
					t.Errorf("the panel is %d px wide at 320: %v", r.Width, r.Culprits)
				}
				if lang == "it" {
					shot(t, tb, "analisi-320-"+name)
				}
			})
		}
	}
	tb.setScripts(t, true)
	loginAs(t, tb, s, mayor, "mayor")
	for _, lang := range []string{"it", "en"} {
		t.Run("ente/"+lang, func(t *testing.T) {
			tb.run(t, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+"/area-riservata?lang="+lang), chromedp.WaitReady(chromedp.CSS(".pass-trend")))
			for _, p := range tb.take() {
				t.Error(p)
			}
			for _, v := range axe(t, tb) {
				t.Error("axe: " + v)
			}
			shot(t, tb, "ente-"+lang)
			tb.run(t, chromedp.EmulateViewport(320, 800), chromedp.Navigate(s.URL+"/area-riservata"), chromedp.WaitReady(chromedp.CSS(".pass-trend")))
			if r := eval[reflowResult](t, tb, reflow); r.Wide {
				t.Errorf("the ente's home is %d px wide at 320: %v", r.Width, r.Culprits)
			}
			if lang == "it" {
				shot(t, tb, "ente-320")
			}
		})
	}
}

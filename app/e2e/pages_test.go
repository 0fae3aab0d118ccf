package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
)

// publicPages are the pages every visitor can open.
func publicPages(t *testing.T, s *apptest.Server) []string {
	t.Helper()
	tfs, err := s.Catalogue.Catalogue(context.Background())
	if err != nil || len(tfs) == 0 || len(tfs[0].Procedures) == 0 {
		t.Fatalf("catalogue: %v", err)
	}
	return []string{"/", "/procedure", "/procedure?tf=VA", "/procedure/" + tfs[0].Procedures[0].Slug, "/task-force/" + tfs[0].Slug,
		"/guida", "/guida/primo-accesso", "/notizie", "/notizie/al-via-la-piattaforma-pass", "/report",
		"/report/monitoraggio-2025-primo-semestre", "/pagine/accessibilita", "/pagine/privacy", "/pagine/note-legali",
		"/pagine/chi-siamo", "/contatti", "/cerca?q=bonifica", "/dati", "/dati/dataset/tempi", "/bandi", "/bandi?vista=mese", "/accedi", "/non-esiste"}
}

// TestPublicPagesInTheBrowser opens every public page in both languages: no console error, no
// failed request (but the 404 page's own status), and no WCAG 2.1 A/AA violation found by axe.
func TestPublicPagesInTheBrowser(t *testing.T) {
	s := apptest.Start(t)
	tb := newTab(t)
	for _, lang := range []string{"it", "en"} {
		tb.run(t, chromedp.Navigate(s.URL+"/?lang="+lang))
		tb.take()
		for _, p := range publicPages(t, s) {
			t.Run(lang+p, func(t *testing.T) {
				tb.run(t, chromedp.Navigate(s.URL+p), chromedp.WaitReady(chromedp.CSS("footer#footer")))
				if got := eval[string](t, tb, "document.documentElement.lang"); got != lang {
					t.Errorf("html lang = %q", got)
				}
				for _, problem := range tb.take() {
					if p == "/non-esiste" && (strings.HasPrefix(problem, "HTTP 404: "+s.URL+p) || strings.Contains(problem, "status of 404")) {
						continue
					}
					t.Error(problem)
				}
				for _, v := range axe(t, tb) {
					t.Error("axe: " + v)
				}
			})
		}
	}
}

// TestCatalogueFilter checks the filter swaps the results in place with JavaScript, keeping a
// shareable URL, and works as a plain form without it.
func TestCatalogueFilter(t *testing.T) {
	s := apptest.Start(t)
	tb := newTab(t)
	tb.run(t, chromedp.Navigate(s.URL+"/procedure?lang=it"), chromedp.WaitReady(chromedp.CSS("#catalogue-results")))
	eval[chromedp.Void](t, tb, "window.__marker = 42; 0")
	tb.run(t,
		chromedp.SetValue(chromedp.CSS("#filter-tf"), "BON"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('filter-tf').dispatchEvent(new Event('change', {bubbles: true})); 0`),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#catalogue-results section').length === 1 && !!document.getElementById('tf-BON')`, chromedp.WithPollingTimeout(10e9)),
	)
	if eval[int](t, tb, "window.__marker || 0") != 42 {
		t.Error("the page reloaded instead of swapping the results")
	}
	if loc := eval[string](t, tb, "location.search"); !strings.Contains(loc, "tf=BON") {
		t.Errorf("URL not updated: %q", loc)
	}
	tb.run(t,
		chromedp.SetValue(chromedp.CSS("#filter-q"), "certificazione"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('filter-q').dispatchEvent(new Event('input', {bubbles: true})); 0`),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('.pass-procedure-card').length === 1`, chromedp.WithPollingTimeout(10e9)),
	)
	for _, p := range tb.take() {
		t.Error(p)
	}

	// Without JavaScript the same form is a plain GET.
	tb.setScripts(t, false)
	tb.run(t, chromedp.Navigate(s.URL+"/procedure"), chromedp.WaitReady(chromedp.CSS("#filter-tf")),
		chromedp.SetValue(chromedp.CSS("#filter-tf"), "RIF"),
		chromedp.Submit(chromedp.CSS("#filter-q")),
		chromedp.WaitReady(chromedp.CSS("#tf-RIF")),
	)
	loc, err := chromedp.Run(tb.ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "tf=RIF") {
		t.Errorf("without JavaScript: %q %v", loc, err)
	}
	tb.setScripts(t, true)
}

// TestContactFormInTheBrowser sends the form with and without JavaScript.
func TestContactFormInTheBrowser(t *testing.T) {
	s := apptest.Start(t)
	tb := newTab(t)
	for _, js := range []bool{true, false} {
		tb.setScripts(t, js)
		tb.run(t, chromedp.Navigate(s.URL+"/contatti?lang=it"), chromedp.WaitReady(chromedp.CSS("#contact-form form")),
			chromedp.Click(chromedp.CSS("#contact-form button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("#contact-email-error")),
		)
		if js { // the error summary takes the focus, scrolling to it: let it settle before clicking
			tb.run(t, chromedp.Poll[chromedp.Void](`document.activeElement && document.activeElement.classList.contains('pass-error-summary')`, chromedp.WithPollingTimeout(10e9)))
			eval[bool](t, tb, `new Promise(r => { let y = -1; const i = setInterval(() => { if (scrollY === y) { clearInterval(i); r(true); } y = scrollY; }, 150); })`)
		}
		text, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS("#contact-email-error")))
		if err != nil || !strings.Contains(text, "obbligatorio") {
			t.Errorf("js=%v: error message %q %v", js, text, err)
		}
		tb.run(t,
			chromedp.SetValue(chromedp.CSS("#contact-name"), "Maria Rossi"),
			chromedp.SetValue(chromedp.CSS("#contact-email"), "maria@comune.esempio.it"),
			chromedp.SetValue(chromedp.CSS("#contact-subject"), "Supporto VIA"),
			chromedp.SetValue(chromedp.CSS("#contact-message"), "Vorremmo un incontro sulla VIA del nuovo polo."),
			chromedp.Click(chromedp.CSS("#contact-form button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("#contact-form .alert-success")),
		)
	}
	tb.setScripts(t, true)
	if n, err := s.Contact.Count(context.Background()); err != nil || n != 2 {
		t.Errorf("%d messages stored, want 2 (%v)", n, err)
	}
	for _, p := range tb.take() {
		if !strings.Contains(p, "HTTP 422") && !strings.Contains(p, "status of 422") { // the deliberate empty submissions
			t.Error(p)
		}
	}
}

// TestLanguageSwitch follows the header's link to English and checks it is remembered.
func TestLanguageSwitch(t *testing.T) {
	s := apptest.Start(t)
	tb := newTab(t)
	tb.run(t, chromedp.Navigate(s.URL+"/guida?lang=it"), chromedp.Click(chromedp.CSS(`.pass-lang a[hreflang="en"]`)),
		chromedp.WaitReady(chromedp.CSS(`html[lang="en"]`)), chromedp.Navigate(s.URL+"/procedure"))
	if h1 := eval[string](t, tb, "document.querySelector('h1').textContent"); !strings.Contains(h1, "Catalogue") {
		t.Errorf("English not remembered: %q", h1)
	}
}

// TestAxeFindsAViolation proves the accessibility check can fail: an input without a label and
// grey-on-grey text injected into a page are reported.
func TestAxeFindsAViolation(t *testing.T) {
	s := apptest.Start(t)
	tb := newTab(t)
	tb.run(t, chromedp.Navigate(s.URL+"/guida"))
	eval[chromedp.Void](t, tb, `document.querySelector('main').insertAdjacentHTML('beforeend', '<input type="text" id="nolabel">'); 0`)
	found := strings.Join(axe(t, tb), "\n")
	if !strings.Contains(found, "label") {
		t.Errorf("axe did not report the unlabelled input: %q", found)
	}
}

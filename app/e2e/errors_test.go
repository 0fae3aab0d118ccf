package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestErrorSummary submits the new request form empty, with JavaScript and without: the page comes
// back titled "Errore: …" with an error summary at the top of the form that lists every field
// in error as a link to that field; with JavaScript the summary has the focus. The contact form,
// re-rendered in place by htmx, moves the focus to its summary too.
func TestErrorSummary(t *testing.T) {
	s, _ := layoutSite(t)
	tb := newTab(t)
	loginPersona(t, tb, s, "sindaco-registrato")
	for _, js := range []bool{true, false} {
		tb.setScripts(t, js)
		tb.run(t, chromedp.Navigate(s.URL+"/area-riservata/richieste/nuova?lang=it"), chromedp.WaitReady(chromedp.CSS("footer#footer")),
			chromedp.Click(chromedp.CSS("form[action='/area-riservata/richieste/nuova'] button[type=submit]:not([name])")),
			chromedp.WaitReady(chromedp.CSS(".pass-error-summary")))
		if title := eval[string](t, tb, "document.title"); !strings.HasPrefix(title, "Errore: Nuova richiesta") {
			t.Errorf("js=%v: title %q", js, title)
		}
		links := eval[[]string](t, tb, `[...document.querySelectorAll('.pass-error-summary a')].map(a => a.getAttribute('href'))`)
		for _, want := range []string{"#req-procedure", "#req-title", "#req-description", "#req-desired_outcome"} {
			if !strings.Contains(strings.Join(links, " "), want) {
				t.Errorf("js=%v: summary links %v, want %s", js, links, want)
			}
		}
		for _, l := range links {
			if !eval[bool](t, tb, "!!document.querySelector('"+l+"')") {
				t.Errorf("js=%v: %s links to nothing", js, l)
			}
		}
		if !eval[bool](t, tb, `(() => { const s = document.querySelector('.pass-error-summary'), f = document.querySelector('main form[method=post]'); return !!(s.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING); })()`) {
			t.Errorf("js=%v: the summary is not before the form", js)
		}
		focused := eval[bool](t, tb, "document.activeElement === document.querySelector('.pass-error-summary')")
		if js && !focused {
			t.Error("with JavaScript the summary has no focus")
		}
		// Following a link lands on its field.
		tb.run(t, chromedp.Click(chromedp.CSS(`.pass-error-summary a[href="#req-title"]`)))
		if id := eval[string](t, tb, "document.activeElement.id"); id != "req-title" {
			t.Errorf("js=%v: the link put the focus on %q", js, id)
		}
	}
	tb.setScripts(t, true)

	tb.run(t, chromedp.Navigate(s.URL+"/contatti?lang=it"), chromedp.WaitReady(chromedp.CSS("#contact-form form")))
	eval[chromedp.Void](t, tb, "window.__marker = 7; 0")
	tb.run(t, chromedp.Click(chromedp.CSS("#contact-form button[type=submit]")),
		chromedp.Poll[chromedp.Void](`document.activeElement && document.activeElement.classList.contains('pass-error-summary')`, chromedp.WithPollingTimeout(10e9)))
	if eval[int](t, tb, "window.__marker || 0") != 7 {
		t.Error("the contact form reloaded the page instead of swapping")
	}
	if !eval[bool](t, tb, "document.activeElement.isConnected") {
		t.Error("the focus is on a detached node")
	}
	tb.take()
}

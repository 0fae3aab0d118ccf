package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
)

// TestNewsroomJourney: the editor writes a news item, previews it and submits it; the publisher
// asks for a change; the editor fixes it and submits again; the publisher publishes it, and the
// public page shows it. The newsroom's pages have no axe violation in either language, and the
// form, its errors and its preview work without JavaScript.
func TestNewsroomJourney(t *testing.T) {
	s := apptest.Start(t)
	seedPersonas(t, s, false)
	check := func(tb *tab, where string) {
		t.Helper()
		if v := axe(t, tb); len(v) > 0 {
			t.Errorf("%s: axe: %v", where, v)
		}
	}

	editor := newTab(t)
	devLogin(t, editor, s, "redattore")
	for _, lang := range []string{"en", "it"} {
		editor.run(t, chromedp.Navigate(s.URL+"/redazione?lang="+lang), chromedp.WaitReady(chromedp.CSS("#mine-title")))
		check(editor, "dashboard "+lang)
	}
	if !eval[bool](t, editor, `!!document.querySelector('nav.pass-reserved-nav a[href="/redazione"]')`) {
		t.Error("no link to the newsroom in the reserved menu")
	}

	// The form, its error summary and its preview, with JavaScript (axe runs) and without: they
	// are plain HTML forms; the second pass saves the draft.
	for _, js := range []bool{true, false} {
		editor.setScripts(t, js)
		editor.run(t, chromedp.Navigate(s.URL+"/redazione/nuovo/news"), chromedp.WaitReady(chromedp.CSS("#f-title")))
		if js {
			check(editor, "new news form")
		}
		editor.run(t,
			chromedp.SetValue(chromedp.CSS("#f-title"), "Aperto il bando per la digitalizzazione"),
			chromedp.SetValue(chromedp.CSS("#f-summary"), "Contributi ai Comuni per digitalizzare le pratiche."),
			chromedp.SetValue(chromedp.CSS("#f-body"), "## Chi può partecipare\n\nI **Comuni** lombardi.\n"),
			chromedp.Click(chromedp.CSS("button[value=salva]")),
			chromedp.WaitReady(chromedp.CSS(".pass-error-summary")),
		)
		if title := eval[string](t, editor, "document.title"); !strings.HasPrefix(title, "Errore:") {
			t.Errorf("js=%v: title of the refused form: %q", js, title)
		}
		if !eval[bool](t, editor, `document.querySelector('#f-date').getAttribute('aria-invalid') === 'true' && !!document.querySelector('.pass-error-summary a[href="#f-date"]')`) {
			t.Errorf("js=%v: the missing date is not shown beside its field and in the summary", js)
		}
		if js {
			check(editor, "form with errors")
		}
		editor.take() // the 422 of the refused form
		editor.run(t,
			chromedp.SetValue(chromedp.CSS("#f-date"), "2026-12-04"),
			chromedp.Click(chromedp.CSS("button[value=anteprima]")),
			chromedp.WaitReady(chromedp.CSS("#preview")),
		)
		if got := eval[string](t, editor, "document.querySelector('#preview .pass-preview h2').textContent"); got != "Chi può partecipare" {
			t.Errorf("js=%v: preview heading %q", js, got)
		}
		if js {
			check(editor, "preview")
		}
	}
	editor.run(t, chromedp.Click(chromedp.CSS("button[value=salva]")), chromedp.WaitReady(chromedp.CSS("#entry-state")))
	entry := eval[string](t, editor, "location.pathname")
	if entry != "/redazione/contenuti/news/aperto-il-bando-per-la-digitalizzazione" {
		t.Fatalf("saved at %q", entry)
	}
	editor.setScripts(t, true)
	editor.run(t, chromedp.Navigate(s.URL+entry), chromedp.WaitReady(chromedp.CSS("#entry-state")))
	check(editor, "draft page")
	editor.run(t, chromedp.Click(chromedp.CSS("form[action$='/passi/submit'] button")), chromedp.WaitReady(chromedp.CSS("#flash")))
	if st := eval[string](t, editor, "document.getElementById('entry-state').textContent"); st != "In revisione" {
		t.Fatalf("state after submitting: %q", st)
	}

	publisher := newTab(t)
	devLogin(t, publisher, s, "caporedattore")
	publisher.run(t, chromedp.Navigate(s.URL+"/redazione"), chromedp.WaitReady(chromedp.CSS("#review-title")))
	if !eval[bool](t, publisher, `!!document.querySelector('.pass-desk a[href="`+entry+`"]')`) {
		t.Fatal("the submission is not waiting for the publisher")
	}
	publisher.run(t, chromedp.Navigate(s.URL+entry), chromedp.WaitReady(chromedp.CSS("#step-comment")))
	check(publisher, "review page")
	publisher.run(t,
		chromedp.SetValue(chromedp.CSS("#step-comment"), "Indica la scadenza del bando."),
		chromedp.Click(chromedp.CSS("form[action$='/passi/request_changes'] button")),
		chromedp.WaitReady(chromedp.CSS("#flash")),
	)

	editor.run(t, chromedp.Navigate(s.URL+entry), chromedp.WaitReady(chromedp.CSS(".pass-comment")))
	if c := eval[string](t, editor, "document.querySelector('.pass-comment').textContent"); !strings.Contains(c, "scadenza") {
		t.Errorf("comment shown: %q", c)
	}
	editor.run(t,
		chromedp.SetValue(chromedp.CSS("#f-body"), "## Chi può partecipare\n\nI **Comuni** lombardi.\n\nScadenza: 31 gennaio 2027.\n"),
		chromedp.Click(chromedp.CSS("button[value=salva]")),
		chromedp.WaitReady(chromedp.CSS("#flash")),
		chromedp.Click(chromedp.CSS("form[action$='/passi/submit'] button")),
		chromedp.WaitReady(chromedp.CSS("#flash")),
	)
	publisher.run(t, chromedp.Navigate(s.URL+entry), chromedp.WaitReady(chromedp.CSS("form[action$='/passi/publish'] button")),
		chromedp.Click(chromedp.CSS("form[action$='/passi/publish'] button")), chromedp.WaitReady(chromedp.CSS("#flash")))
	if st := eval[string](t, publisher, "document.getElementById('entry-state').textContent"); st != "Pubblicato" {
		t.Fatalf("state after publishing: %q", st)
	}
	check(publisher, "published entry")

	publisher.run(t, chromedp.Navigate(s.URL+"/notizie/aperto-il-bando-per-la-digitalizzazione"), chromedp.WaitReady(chromedp.CSS("footer#footer")))
	if body := eval[string](t, publisher, "document.querySelector('main').textContent"); !strings.Contains(body, "31 gennaio 2027") {
		t.Errorf("the public page lacks the fix: %.300s", body)
	}
	check(publisher, "public page")

	// The two revisions compared word by word, chosen from the history with a plain GET form
	// (without JavaScript), in both languages; then at 320 px nothing scrolls sideways.
	editor.setScripts(t, false)
	editor.run(t, chromedp.Navigate(s.URL+entry), chromedp.WaitReady(chromedp.CSS("#history-compare")),
		chromedp.Click(chromedp.CSS("#history-compare button")), chromedp.WaitReady(chromedp.CSS("#changes")))
	if got := eval[string](t, editor, "location.pathname + location.search"); got != entry+"/confronto?da=1&a=2" {
		t.Errorf("the history's form went to %q", got)
	}
	if got := eval[string](t, editor, "document.querySelector('#changes ins').textContent"); !strings.Contains(got, "31 gennaio 2027") {
		t.Errorf("inserted text %q", got)
	}
	editor.setScripts(t, true)
	for _, lang := range []string{"en", "it"} {
		editor.run(t, chromedp.Navigate(s.URL+entry+"/confronto?da=1&a=2&lang="+lang), chromedp.WaitReady(chromedp.CSS("#changes")))
		check(editor, "compare page "+lang)
	}

	// A conflict: the editor's form is open when the publisher saves; the editor's save shows
	// both sides and their difference, with the editor's text still in the form.
	editor.run(t, chromedp.Navigate(s.URL+entry), chromedp.WaitReady(chromedp.CSS("#f-body")))
	publisher.run(t, chromedp.Navigate(s.URL+entry), chromedp.WaitReady(chromedp.CSS("#f-body")),
		chromedp.SetValue(chromedp.CSS("#f-body"), "## Chi può partecipare\n\nI **Comuni** lombardi e le Province.\n\nScadenza: 31 gennaio 2027.\n"),
		chromedp.Click(chromedp.CSS("button[value=salva]")), chromedp.WaitReady(chromedp.CSS("#flash")))
	editor.run(t,
		chromedp.SetValue(chromedp.CSS("#f-body"), "## Chi può partecipare\n\nI **Comuni** lombardi.\n\nScadenza: 28 febbraio 2027.\n"),
		chromedp.Click(chromedp.CSS("button[value=salva]")), chromedp.WaitReady(chromedp.CSS("#conflict")))
	if got := eval[string](t, editor, "document.querySelector('#f-body').value"); !strings.Contains(got, "28 febbraio") {
		t.Errorf("the editor's text is not in the form: %q", got)
	}
	if got := eval[string](t, editor, "document.querySelector('#conflict .pass-conflict-diff').textContent"); !strings.Contains(got, "Province") || !strings.Contains(got, "febbraio") {
		t.Errorf("conflict difference %q", got)
	}
	check(editor, "conflict page")
	editor.take() // the 409 of the conflict
	editor.run(t, chromedp.EmulateViewport(320, 800))
	for _, p := range []string{"/confronto?da=1&a=3", ""} {
		editor.run(t, chromedp.Navigate(s.URL+entry+p), chromedp.WaitReady(chromedp.CSS("footer#footer")))
		if r := eval[reflowResult](t, editor, reflow); r.Wide {
			t.Errorf("%s%s is %d px wide at 320: %v", entry, p, r.Width, r.Culprits)
		}
	}
	editor.run(t, chromedp.Navigate(s.URL+entry), chromedp.WaitReady(chromedp.CSS("#f-body")),
		chromedp.SetValue(chromedp.CSS("#f-body"), "## Chi può partecipare\n\nI **Comuni** lombardi.\n\nScadenza: 28 febbraio 2027.\n"),
		chromedp.Click(chromedp.CSS("button[value=salva]")), chromedp.WaitReady(chromedp.CSS("#conflict, #flash")))
	editor.run(t, chromedp.Navigate(s.URL+entry+"/confronto?da=3&a=4"), chromedp.WaitReady(chromedp.CSS("#changes")))
	if r := eval[reflowResult](t, editor, reflow); r.Wide {
		t.Errorf("the compare page is %d px wide at 320: %v", r.Width, r.Culprits)
	}
	check(editor, "compare page at 320 px")

	// Restore revision 1 as a new draft from the compare page.
	editor.run(t, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+entry+"/confronto?da=1&a=4"), chromedp.WaitReady(chromedp.CSS("#changes")),
		chromedp.Click(chromedp.CSS("form[action$='/ripristina'] button")), chromedp.WaitReady(chromedp.CSS("#flash")))
	if got := eval[string](t, editor, "document.querySelector('#f-body').value"); strings.Contains(got, "Scadenza") {
		t.Errorf("revision 1 not restored: %q", got)
	}
	for _, tb := range []*tab{editor, publisher} {
		if p := tb.take(); len(p) > 0 {
			t.Errorf("the pages reported %v", p)
		}
	}
}

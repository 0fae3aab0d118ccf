package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
)

// choose selects the option of a select whose text contains text.
func choose(t *testing.T, tb *tab, sel, text string) {
	t.Helper()
	if !eval[bool](t, tb, `(() => { const s = document.querySelector(`+strconv.Quote(sel)+`);
		const o = [...s.options].find(o => o.textContent.includes(`+strconv.Quote(text)+`)); if (!o) return false; s.value = o.value; return true; })()`) {
		t.Fatalf("no option %q in %s", text, sel)
	}
}

// clean fails on what axe finds on the page in Italian and in English, and on the page's errors.
func clean(t *testing.T, tb *tab, url, ready, what string) {
	t.Helper()
	for _, lang := range []string{"en", "it"} { // Italian last: the journey goes on in Italian
		tb.run(t, chromedp.Navigate(url+querySep(url)+"lang="+lang), chromedp.WaitReady(chromedp.CSS(ready)))
		for _, v := range axe(t, tb) {
			t.Errorf("axe on %s (%s): %s", what, lang, v)
		}
	}
	for _, p := range tb.take() {
		t.Errorf("%s: %s", what, p)
	}
}

func querySep(url string) string {
	if strings.Contains(url, "?") {
		return "&"
	}
	return "?"
}

// TestWorkAreaJourney: an admin creates the Stazione Appaltante's work area and chooses its
// members (the comune of Cantù, an expert as coordinator, the PM as a reader); the coordinator
// finds it in the menu and opens it; the comune's delegate opens a topic with a file; while she
// types her reply, the mayor's reply appears on her page live, her text untouched; the reader
// reads without a form to post; the same reply works with JavaScript off; a delegate of another
// comune is told nothing exists. Every page is axe-clean in Italian and English.
func TestWorkAreaJourney(t *testing.T) {
	s := apptest.Start(t)
	seedPersonas(t, s, false)
	dir := t.TempDir()
	csv := filepath.Join(dir, "capitolato.csv")
	if err := os.WriteFile(csv, []byte("voce;importo\nfornitura;1000\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	admin := newTab(t)
	devLogin(t, admin, s, "admin")
	clean(t, admin, s.URL+"/admin/spazi", "#area-name", "the admins' list of areas")
	admin.run(t, chromedp.Click(chromedp.CSS("#new-area-title ~ form button[type=submit]")), chromedp.WaitReady(chromedp.CSS(".pass-error-summary")))
	if !eval[bool](t, admin, `document.querySelector('#area-name').getAttribute('aria-invalid') === 'true' && document.activeElement.classList.contains('pass-error-summary')`) {
		t.Error("an area without a name: no error beside the field, or the summary not focused")
	}
	for _, v := range axe(t, admin) {
		t.Error("axe on the refused area form: " + v)
	}
	admin.take() // the 422
	admin.run(t,
		chromedp.SetValue(chromedp.CSS("#area-name"), "Stazione Appaltante"),
		chromedp.SetValue(chromedp.CSS("#area-service"), "Stazione Appaltante"),
		chromedp.SetValue(chromedp.CSS("#area-desc"), "Documenti di gara standardizzati e procedure comuni."),
		chromedp.Submit(chromedp.CSS("#area-name")),
		chromedp.WaitReady(chromedp.CSS("#add-ente-title")),
	)
	adminPage := eval[string](t, admin, "location.pathname")
	areaID := strings.TrimPrefix(adminPage, "/admin/spazi/")
	area := s.URL + "/area-riservata/spazi/" + areaID
	choose(t, admin, "#member-ente", "Cantù")
	admin.run(t, chromedp.Submit(chromedp.CSS("#member-ente")), chromedp.WaitReady(chromedp.CSS(".pass-member")))
	for who, role := range map[string]string{"Ferrari": "coordinator", "Manzoni": "reader"} {
		choose(t, admin, "#member-user", who)
		admin.run(t, chromedp.SetValue(chromedp.CSS("#member-role-person"), role), chromedp.Submit(chromedp.CSS("#member-user")), chromedp.WaitReady(chromedp.CSS(".alert-success")))
	}
	if n := eval[int](t, admin, `document.querySelectorAll('.pass-member').length`); n != 3 {
		t.Errorf("%d members listed, want 3", n)
	}
	clean(t, admin, s.URL+adminPage, "#add-person-title", "the admins' page of the area")

	coordinator := newTab(t)
	devLogin(t, coordinator, s, "esperto-2")
	coordinator.run(t, chromedp.Navigate(s.URL+"/area-riservata"), chromedp.WaitReady(chromedp.CSS("footer#footer")))
	if !eval[bool](t, coordinator, `[...document.querySelectorAll('a')].some(a => a.getAttribute('href') === '/area-riservata/spazi' && a.textContent.includes('Spazi di lavoro'))`) {
		t.Error("the coordinator's menu has no Spazi di lavoro")
	}
	clean(t, coordinator, s.URL+"/area-riservata/spazi", ".pass-area", "the list of my areas")
	coordinator.run(t, chromedp.Click(chromedp.CSS(".pass-area a")), chromedp.WaitReady(chromedp.CSS("#topics-title")))
	if !eval[bool](t, coordinator, `document.body.textContent.includes('Coordinatore') && !!document.querySelector('#area-description')`) {
		t.Error("the coordinator's area page: no role or no description form")
	}
	clean(t, coordinator, area, "#topics-title", "the area's topics")

	delegate := newTab(t)
	devLogin(t, delegate, s, "delegato")
	delegate.run(t,
		chromedp.Navigate(area),
		chromedp.WaitReady(chromedp.CSS("#topic-title")),
		chromedp.SetValue(chromedp.CSS("#topic-title"), "Capitolato tipo per le forniture"),
		chromedp.SetValue(chromedp.CSS("#topic-body"), "Propongo questo capitolato come modello comune."),
		chromedp.SetUploadFiles(chromedp.CSS("#topic-file"), []string{csv}),
		chromedp.Submit(chromedp.CSS("#topic-title")),
		chromedp.WaitReady(chromedp.CSS("#post-form")),
	)
	topic := s.URL + eval[string](t, delegate, "location.pathname")
	if !eval[bool](t, delegate, `document.querySelector('#thread').textContent.includes('capitolato.csv')`) {
		t.Error("the topic's attachment is not shown")
	}
	delegate.run(t,
		chromedp.Evaluate[chromedp.Void](listen),
		chromedp.Click(chromedp.CSS("#post-body")),
		chromedp.Evaluate[chromedp.Void](`(() => { const ta = document.querySelector('#post-body'); ta.value = 'Risposta scritta a metà'; ta.setSelectionRange(8, 8); })()`),
	)

	mayor := newTab(t)
	devLogin(t, mayor, s, "sindaco-registrato")
	mayor.run(t,
		chromedp.Navigate(topic),
		chromedp.WaitReady(chromedp.CSS("#post-body")),
		chromedp.SetValue(chromedp.CSS("#post-body"), "Va bene per noi, lo adottiamo."),
		chromedp.Click(chromedp.CSS("#post-form button[type=submit]")),
	)
	waitFor(t, mayor, `document.querySelector('#thread').textContent.includes('lo adottiamo') && document.querySelector('#post-body').value === ''`, "the mayor's reply on his own page")
	waitFor(t, delegate, `document.querySelector('#thread').textContent.includes('lo adottiamo')`, "the mayor's reply on the delegate's page")
	waitFor(t, delegate, said("Nuova risposta di Mario Rossi"), "the announcement of the reply")
	got := eval[[]string](t, delegate, `(() => { const ta = document.querySelector('#post-body');
		return [ta.value, String(document.activeElement === ta), String(ta.selectionStart), String(document.querySelectorAll('#thread .pass-message').length)]; })()`)
	if strings.Join(got, "|") != "Risposta scritta a metà|true|8|2" {
		t.Errorf("the delegate's page after the push (text, focus, caret, posts): %v", got)
	}
	for _, p := range append(delegate.take(), mayor.take()...) {
		t.Error("live reply: " + p)
	}
	clean(t, delegate, topic, "#post-form", "the topic")
	clean(t, delegate, area+"/biblioteca", "#library-file", "the library")
	if !eval[bool](t, delegate, `document.querySelector('#documents-list').textContent.includes('capitolato.csv')`) {
		t.Error("the topic's file is not in the library")
	}
	clean(t, delegate, area+"/membri", ".pass-person", "the members")
	if !eval[bool](t, delegate, `['Laura Bianchi', 'Mario Rossi', 'Sara Ferrari', 'Piera Manzoni'].every(n => document.querySelector('table').textContent.includes(n))`) {
		t.Error("the members directory misses someone")
	}

	// The calendar: the coordinator adds a training session, the delegate registers, the
	// coordinator marks her present and links the topic's file as material.
	clean(t, coordinator, area+"/calendario", "#event-title", "the calendar")
	coordinator.run(t,
		chromedp.SetValue(chromedp.CSS("#event-kind"), "training"),
		chromedp.SetValue(chromedp.CSS("#event-title"), "Formazione sul capitolato tipo"),
		chromedp.SetValue(chromedp.CSS("#event-starts"), "2026-12-15T10:00"),
		chromedp.SetValue(chromedp.CSS("#event-ends"), "2026-12-15T08:00"),
		chromedp.Submit(chromedp.CSS("#event-title")),
		chromedp.WaitReady(chromedp.CSS(".pass-error-summary")),
	)
	if !eval[bool](t, coordinator, `document.querySelector('#event-ends').getAttribute('aria-invalid') === 'true' && document.querySelector('#event-title').value === 'Formazione sul capitolato tipo'`) {
		t.Error("an event ending before it starts: no error beside the end, or the title lost")
	}
	coordinator.take()
	coordinator.run(t,
		chromedp.SetValue(chromedp.CSS("#event-ends"), "2026-12-15T12:30"),
		chromedp.SetValue(chromedp.CSS("#event-capacity"), "20"),
		chromedp.SetValue(chromedp.CSS("#event-place"), "Sala consiliare"),
		chromedp.Submit(chromedp.CSS("#event-title")),
		chromedp.WaitReady(chromedp.CSS("#registration-title")),
	)
	event := s.URL + eval[string](t, coordinator, "location.pathname")
	delegate.run(t, chromedp.Navigate(event), chromedp.WaitReady(chromedp.CSS("#registration-title")),
		chromedp.Click(chromedp.CSS("#registration-title ~ form button[type=submit]")), chromedp.WaitReady(chromedp.CSS(".alert-success")))
	if !eval[bool](t, delegate, `document.body.textContent.includes('Sei iscritto') && document.body.textContent.includes('10:00')`) {
		t.Error("the delegate's registration, or the time in Rome, is not shown")
	}
	clean(t, delegate, event, "#registration-title", "the event (member)")
	coordinator.run(t, chromedp.Navigate(event), chromedp.WaitReady(chromedp.CSS(".pass-registration")),
		chromedp.Click(chromedp.CSS(".pass-registration input")), chromedp.Submit(chromedp.CSS(".pass-registration input")), chromedp.WaitReady(chromedp.CSS(".alert-success")))
	if !eval[bool](t, coordinator, `document.querySelector('.pass-registration input').checked`) {
		t.Error("the attendance was not kept")
	}
	choose(t, coordinator, "#material-doc", "capitolato.csv")
	coordinator.run(t, chromedp.Submit(chromedp.CSS("#material-doc")), chromedp.WaitReady(chromedp.CSS(".alert-success")))
	if !eval[bool](t, coordinator, `document.querySelector('#materiali').textContent.includes('capitolato.csv')`) {
		t.Error("the material is not linked")
	}
	clean(t, coordinator, event, "#presenze", "the event (coordinator)")

	// With JavaScript off the reply is a plain form, and the page shows it after the redirect.
	mayor.setScripts(t, false)
	mayor.run(t,
		chromedp.Navigate(topic+"?lang=it"),
		chromedp.WaitReady(chromedp.CSS("#post-body")),
		chromedp.SetValue(chromedp.CSS("#post-body"), "Senza script: allego anche il verbale."),
		chromedp.SetUploadFiles(chromedp.CSS("#post-file"), []string{csv}),
		chromedp.Submit(chromedp.CSS("#post-body")),
		chromedp.WaitReady(chromedp.CSS("#thread")),
	)
	if !eval[bool](t, mayor, `location.hash.startsWith('#post-') && document.querySelector('#thread').textContent.includes('Senza script')`) {
		t.Errorf("the reply without JavaScript: %s", eval[string](t, mayor, "location.href"))
	}
	mayor.run(t, chromedp.Navigate(topic), chromedp.WaitReady(chromedp.CSS("#post-body")), chromedp.Submit(chromedp.CSS("#post-body")), chromedp.WaitReady(chromedp.CSS(".pass-error-summary")))
	if !eval[bool](t, mayor, `document.querySelector('#post-body').getAttribute('aria-invalid') === 'true'`) {
		t.Error("an empty reply without JavaScript: no error beside the field")
	}
	mayor.take()
	mayor.setScripts(t, true)

	reader := newTab(t)
	devLogin(t, reader, s, "pm")
	reader.run(t, chromedp.Navigate(topic), chromedp.WaitReady(chromedp.CSS("#thread")))
	if eval[bool](t, reader, `!!document.querySelector('#post-form') || !document.body.textContent.includes('Sei lettore')`) {
		t.Error("the reader is offered the reply form")
	}

	outsider := newTab(t)
	devLogin(t, outsider, s, "delegato-altro-ente")
	outsider.run(t, chromedp.Navigate(s.URL+"/area-riservata"), chromedp.WaitReady(chromedp.CSS("footer#footer")))
	if eval[bool](t, outsider, `!!document.querySelector('a[href="/area-riservata/spazi"]')`) {
		t.Error("a delegate of another comune sees Spazi di lavoro in the menu")
	}
	outsider.run(t, chromedp.Navigate(topic), chromedp.WaitReady(chromedp.CSS("footer#footer")))
	if body := eval[string](t, outsider, "document.body.textContent"); !strings.Contains(body, "Pagina non trovata") || strings.Contains(body, "Capitolato") {
		t.Error("a delegate of another comune learns the topic exists")
	}
}

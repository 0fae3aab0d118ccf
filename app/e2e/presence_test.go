package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
)

// TestPresenceInTwoTabs opens one entry in two browsers, the editor's (redattore) and the
// publisher's (caporedattore). Each sees the other appear in the box "Aperto anche da"; without
// JavaScript the box shows who had the entry open when the page was rendered. The editor is
// typing when the publisher saves a revision: the editor's page announces it (a polite live
// region) and the typed text, the caret and the page itself stay. The page with the box and the
// notice has no axe violation, in Italian and in English. The publisher leaves: the editor's box
// says nobody else has it open.
func TestPresenceInTwoTabs(t *testing.T) {
	s := apptest.Start(t)
	seedPersonas(t, s, false)
	entry := s.URL + "/redazione/contenuti/page/privacy"
	list := `document.getElementById('presence-list').textContent`
	notice := `document.getElementById('presence-notice').textContent`
	check := func(tb *tab, where string) {
		t.Helper()
		for _, v := range axe(t, tb) {
			t.Errorf("%s: axe: %s", where, v)
		}
	}

	editor := newTab(t)
	devLogin(t, editor, s, "redattore")
	editor.run(t, chromedp.Navigate(entry+"?lang=it"), chromedp.WaitReady(chromedp.CSS("#presence-list")))
	if got := eval[string](t, editor, list); !strings.Contains(got, "Nessun altro ha aperto questo contenuto") {
		t.Errorf("the editor alone: %q", got)
	}
	waitFor(t, editor, `!!document.querySelector('[hx-ext=ws]') && window.htmx && document.getElementById('presence-live') !== null`, "the editor's page ready")

	publisher := newTab(t)
	devLogin(t, publisher, s, "caporedattore")
	publisher.setScripts(t, false) // the box as rendered: the editor is there
	waitForEditor := func() {
		publisher.run(t, chromedp.Navigate(entry+"?lang=it"), chromedp.WaitReady(chromedp.CSS("#presence-list")))
	}
	waitForEditor()
	for i := 0; i < 50 && !strings.Contains(eval[string](t, publisher, list), "Giovanni Romano (redattore)"); i++ {
		waitForEditor() // the editor's socket may still be on its way
	}
	if got := eval[string](t, publisher, list); !strings.Contains(got, "Aperto anche da:") || !strings.Contains(got, "Giovanni Romano (redattore)") {
		t.Errorf("the publisher's page without JavaScript: %q", got)
	}
	publisher.setScripts(t, true)
	publisher.run(t, chromedp.Navigate(entry), chromedp.WaitReady(chromedp.CSS("#presence-list")))
	waitFor(t, editor, list+`.includes('Laura Bruni (caporedattore)')`, "the publisher in the editor's box")
	waitFor(t, publisher, list+`.includes('Giovanni Romano (redattore)')`, "the editor in the publisher's box")
	if got := eval[string](t, publisher, list); strings.Contains(got, "Laura Bruni") {
		t.Errorf("the publisher sees herself: %q", got)
	}

	// The editor is typing when the publisher saves.
	editor.run(t, chromedp.Evaluate[chromedp.Void](`(() => { const ta = document.getElementById('f-body');
		ta.value = 'Testo che sto scrivendo adesso'; ta.focus(); ta.setSelectionRange(5, 5);
		document.getElementById('f-title').value = 'Titolo che sto cambiando'; window.__marker = 7;
		window.__revs = []; document.addEventListener('htmx:configRequest', e => {
			if ((e.detail.path || '').includes('salvata=')) { window.__revs.push(String(e.detail.parameters.rev)); } });
		const el = document.getElementById('presence-notice'); window.__said = [];
		new MutationObserver(() => window.__said.push(el.textContent)).observe(el, {childList: true, subtree: true, characterData: true}); })()`))
	publisher.run(t,
		chromedp.SetValue(chromedp.CSS("#f-body"), "Informativa aggiornata dalla caporedattrice.\n"),
		chromedp.Click(chromedp.CSS("button[value=salva]")),
		chromedp.WaitReady(chromedp.CSS("#flash")),
	)
	waitFor(t, editor, notice+`.includes('Laura Bruni ha salvato la revisione') && (window.__said || []).some(s => s.includes('quando salverai vedrai le differenze'))`, "the notice on the editor's page")
	kept := eval[[]string](t, editor, `(() => { const ta = document.getElementById('f-body');
		return [ta.value, String(document.activeElement === ta), String(ta.selectionStart), document.getElementById('f-title').value, String(window.__marker),
			document.getElementById('presence-notice').getAttribute('aria-live')]; })()`)
	if strings.Join(kept, "|") != "Testo che sto scrivendo adesso|true|5|Titolo che sto cambiando|7|polite" {
		t.Errorf("the editor's page after the notice (text, focus, caret, title, marker, aria-live): %v", kept)
	}
	if got := eval[string](t, editor, `window.__revs.join(',') + ' ' + document.querySelector('#entry-form [name=rev]').value`); len(strings.Fields(got)) != 2 || strings.Fields(got)[0] != strings.Fields(got)[1] {
		t.Errorf("the notice's update did not send the revision the form started from (sent, form): %q", got)
	}
	check(editor, "the entry with the box and the notice, it")
	if got := eval[string](t, publisher, notice); got != "" {
		t.Errorf("the author got a notice: %q", got)
	}

	// In English, with another save.
	editor.run(t, chromedp.Navigate(entry+"?lang=en"), chromedp.WaitReady(chromedp.CSS("#presence-list")))
	waitFor(t, editor, list+`.includes('Also open by:') && `+list+`.includes('Laura Bruni (editor-in-chief)')`, "the box in English")
	waitFor(t, editor, `!!window.htmx && document.querySelector('[hx-ext=ws]') !== null`, "the editor's page ready")
	waitFor(t, publisher, list+`.includes('Giovanni Romano (redattore)')`, "the editor back in the publisher's box")
	publisher.run(t,
		chromedp.SetValue(chromedp.CSS("#f-body"), "Informativa aggiornata due volte.\n"),
		chromedp.Click(chromedp.CSS("button[value=salva]")),
		chromedp.WaitReady(chromedp.CSS("#flash")),
	)
	waitFor(t, editor, notice+`.includes('Laura Bruni saved revision') && `+notice+`.includes('your save will show the differences')`, "the notice in English")
	check(editor, "the entry with the box and the notice, en")

	// The publisher leaves the entry.
	publisher.run(t, chromedp.Navigate(s.URL+"/redazione"), chromedp.WaitReady(chromedp.CSS("#mine-title")))
	waitFor(t, editor, list+`.includes('Nobody else has this entry open right now.')`, "the publisher gone from the editor's box")
	for _, tb := range []*tab{editor, publisher} {
		for _, p := range tb.take() {
			t.Error(p)
		}
	}
}

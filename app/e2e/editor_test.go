package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"passhub/app/apptest"
	"passhub/app/content"
)

// until waits for the JavaScript expression to be true, failing the test after 15 s.
func until(t *testing.T, tb *tab, expr, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestEditorEnhancements: with JavaScript the entry form's body has a Markdown toolbar used from
// the keyboard (one tab stop, arrows, Ctrl+B, undo kept), a live preview the server renders while
// the editor types, and autosaves that follow the revision the form stands on; a second browser
// saving meanwhile stops the autosave with a visible message and the text stays in the form. The
// page has no axe violation in either language and reflows at 320 px.
func TestEditorEnhancements(t *testing.T) {
	s := apptest.Start(t)
	seedPersonas(t, s, false)
	editor := newTab(t)
	devLogin(t, editor, s, "redattore")

	editor.run(t, chromedp.Navigate(s.URL+"/redazione/nuovo/news"), chromedp.WaitVisible(chromedp.CSS("#editor-toolbar")),
		chromedp.WaitVisible(chromedp.CSS("#live-preview")))
	if eval[bool](t, editor, `!!document.querySelector('#autosave-status')`) {
		t.Error("a new entry autosaves before its first save")
	}
	editor.run(t,
		chromedp.SetValue(chromedp.CSS("#f-title"), "Bando per le biblioteche"),
		chromedp.SetValue(chromedp.CSS("#f-summary"), "Contributi alle biblioteche comunali."),
		chromedp.SetValue(chromedp.CSS("#f-date"), "2026-12-04"),
		chromedp.SetValue(chromedp.CSS("#f-body"), "Testo iniziale della notizia."),
		chromedp.Click(chromedp.CSS("button[value=salva]")), chromedp.WaitReady(chromedp.CSS("#entry-state")),
	)
	entry := eval[string](t, editor, "location.pathname")
	const slug = "bando-per-le-biblioteche"
	if entry != "/redazione/contenuti/news/"+slug {
		t.Fatalf("saved at %q", entry)
	}
	work := func() *content.Work {
		t.Helper()
		w, err := s.Content.Work(context.Background(), content.TypeNews, slug)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	for _, lang := range []string{"en", "it"} {
		editor.run(t, chromedp.Navigate(s.URL+entry+"?lang="+lang), chromedp.WaitVisible(chromedp.CSS("#live-preview-body p")))
		if v := axe(t, editor); len(v) > 0 {
			t.Errorf("editor page %s: axe: %v", lang, v)
		}
	}
	if got := eval[string](t, editor, "document.querySelector('#live-preview-body p').textContent"); got != "Testo iniziale della notizia." {
		t.Errorf("first preview %q", got)
	}
	if eval[bool](t, editor, "document.getElementById('editor-body-col').getBoundingClientRect().right > document.getElementById('live-preview').getBoundingClientRect().left") {
		t.Error("body and preview are not side by side at 1280 px")
	}

	// The toolbar: Ctrl+B wraps the selection, and undo takes it back.
	editor.run(t, chromedp.Evaluate[chromedp.Void]("{ const b = document.getElementById('f-body'); b.focus(); b.setSelectionRange(0, 5) }"),
		chromedp.KeyEvent("b", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	if got := eval[string](t, editor, "document.getElementById('f-body').value"); got != "**Testo** iniziale della notizia.\n" {
		t.Errorf("Ctrl+B gave %q", got)
	}
	editor.run(t, chromedp.KeyEvent("z", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	if got := eval[string](t, editor, "document.getElementById('f-body').value"); got != "Testo iniziale della notizia.\n" {
		t.Errorf("undo after Ctrl+B gave %q", got)
	}
	// One tab stop; arrows, Home and End move; Enter on a button applies it to the selection.
	if n := eval[int](t, editor, "document.querySelectorAll('#editor-toolbar button[tabindex=\"0\"]').length"); n != 1 {
		t.Errorf("%d tab stops in the toolbar", n)
	}
	editor.run(t, chromedp.Evaluate[chromedp.Void]("document.getElementById('f-body').setSelectionRange(6, 14)"),
		chromedp.Focus(chromedp.CSS("#editor-toolbar button[data-md=bold]")), chromedp.KeyEvent(kb.ArrowRight))
	focused := func() string { return eval[string](t, editor, "document.activeElement.getAttribute('data-md') || ''") }
	if f := focused(); f != "italic" {
		t.Errorf("ArrowRight went to %q", f)
	}
	editor.run(t, chromedp.KeyEvent(kb.End))
	if f := focused(); f != "code" {
		t.Errorf("End went to %q", f)
	}
	editor.run(t, chromedp.KeyEvent(kb.ArrowRight))
	if f := focused(); f != "bold" {
		t.Errorf("ArrowRight from the last went to %q", f)
	}
	editor.run(t, chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.Home), chromedp.KeyEvent(kb.ArrowRight))
	if f := focused(); f != "italic" {
		t.Errorf("Home, ArrowRight went to %q", f)
	}
	if !eval[bool](t, editor, "document.activeElement.tabIndex === 0 && document.querySelectorAll('#editor-toolbar button[tabindex=\"0\"]').length === 1") {
		t.Error("the tab stop does not follow the focus")
	}
	editor.run(t, chromedp.KeyEvent(kb.Enter))
	if got := eval[string](t, editor, "document.getElementById('f-body').value"); got != "Testo _iniziale_ della notizia.\n" {
		t.Errorf("italic from the toolbar gave %q", got)
	}
	if f := eval[string](t, editor, "document.activeElement.id"); f != "f-body" {
		t.Errorf("after a toolbar button the focus is on %q, not the body", f)
	}

	// The live preview follows the typing.
	editor.run(t, chromedp.Evaluate[chromedp.Void]("{ const b = document.getElementById('f-body'); b.setSelectionRange(b.value.length, b.value.length) }"),
		chromedp.SendKeys(chromedp.CSS("#f-body"), "\n\n## Chi partecipa\n\nLe biblioteche."))
	until(t, editor, `(document.querySelector('#live-preview-body h2') || {}).textContent === 'Chi partecipa' && !!document.querySelector('#live-preview-body em')`, "the preview did not follow the typing")
	// A wrong field: one short message in the preview's status line; fixed, the preview says so.
	editor.run(t, chromedp.Evaluate[chromedp.Void]("{ const f = document.getElementById('f-title'); f.value = ''; f.dispatchEvent(new Event('input', {bubbles: true})) }"))
	until(t, editor, `document.getElementById('live-preview-status').textContent.startsWith('Titolo:')`, "no message for the empty title")
	editor.run(t, chromedp.SendKeys(chromedp.CSS("#f-title"), "Bando per le biblioteche"))
	until(t, editor, `document.getElementById('live-preview-status').textContent === 'Anteprima di nuovo aggiornata.'`, "no message after the fix")
	editor.take() // the 422 answers of the preview while the title was empty

	// Autosave: the author's own draft is rewritten in place (same rev, new hash).
	rev := eval[string](t, editor, "document.querySelector('#entry-form input[name=rev]').value")
	hash := eval[string](t, editor, "document.querySelector('#entry-form input[name=rev_hash]').value")
	editor.run(t, chromedp.Evaluate[chromedp.Void]("document.getElementById('autosave-status').setAttribute('data-delay', '300')"),
		chromedp.SendKeys(chromedp.CSS("#f-body"), " Prima autosalvata."))
	until(t, editor, `document.getElementById('autosave-status').textContent.startsWith('Bozza salvata alle ') && !document.getElementById('autosave-status').hidden`, "no autosave")
	if got := eval[string](t, editor, "document.querySelector('#entry-form input[name=rev]').value"); got != rev {
		t.Errorf("an autosave in place changed rev %s to %s", rev, got)
	}
	until(t, editor, `document.querySelector('#entry-form input[name=rev_hash]').value !== '`+hash+`'`, "the hash did not follow the autosave")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		w := work() // the autosaves that follow the typing, each in place
		if len(w.History) != 1 {
			t.Fatalf("after the autosave: %d revisions", len(w.History))
		}
		if strings.Contains(w.Doc.Body, "Prima autosalvata.") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the autosaves did not store the text: %q", w.Doc.Body)
		}
	}
	if v := axe(t, editor); len(v) > 0 {
		t.Errorf("editor page after an autosave: axe: %v", v)
	}

	// A second browser saves meanwhile: the editor's next autosave stops, with a visible message.
	publisher := newTab(t)
	devLogin(t, publisher, s, "caporedattore")
	publisher.run(t, chromedp.Navigate(s.URL+entry), chromedp.WaitVisible(chromedp.CSS("#editor-toolbar")),
		chromedp.SetValue(chromedp.CSS("#f-body"), "Riscritta dal caporedattore."),
		chromedp.Click(chromedp.CSS("button[value=salva]")), chromedp.WaitReady(chromedp.CSS("#flash")))
	editor.run(t, chromedp.SendKeys(chromedp.CSS("#f-body"), " Seconda."))
	until(t, editor, `document.getElementById('autosave-status').classList.contains('pass-autosave-stopped')`, "the autosave did not stop")
	if got := eval[string](t, editor, "document.getElementById('autosave-status').textContent"); !strings.Contains(got, "un'altra revisione") || !strings.Contains(got, "salva per vedere il conflitto") {
		t.Errorf("stop message %q", got)
	}
	if !eval[bool](t, editor, "document.getElementById('autosave-status').getBoundingClientRect().height > 0") {
		t.Error("the stop message is not visible")
	}
	editor.run(t, chromedp.SendKeys(chromedp.CSS("#f-body"), " Terza."))
	time.Sleep(700 * time.Millisecond)
	if got := eval[string](t, editor, "document.getElementById('f-body').value"); !strings.HasSuffix(got, "Prima autosalvata. Seconda. Terza.") {
		t.Errorf("the editor's text is not in the form: %q", got)
	}
	if w := work(); len(w.History) != 2 || w.Doc.Body != "Riscritta dal caporedattore.\n" {
		t.Errorf("after the stop: %d revisions, body %q", len(w.History), w.Doc.Body)
	}
	refused := 0
	for _, p := range editor.take() {
		switch {
		case strings.HasPrefix(p, "HTTP 409: ") && strings.HasSuffix(p, "/autosalva"):
			refused++
		case !strings.Contains(p, "409 (Conflict)"): // chromium's log line of the same answer
			t.Errorf("the page reported %s", p)
		}
	}
	if refused != 1 {
		t.Errorf("%d autosaves refused, want the one and none after it", refused)
	}
	// Saving by hand shows the conflict, the text still in the form.
	editor.run(t, chromedp.Click(chromedp.CSS("button[value=salva]")), chromedp.WaitReady(chromedp.CSS("#conflict")))
	if got := eval[string](t, editor, "document.getElementById('f-body').value"); !strings.Contains(got, "Seconda. Terza.") {
		t.Errorf("the conflict page lost the text: %q", got)
	}
	editor.take() // the 409 of the conflict

	// Over the publisher's revision, the editor's autosave adds a revision: rev follows it.
	editor.run(t, chromedp.Navigate(s.URL+entry), chromedp.WaitVisible(chromedp.CSS("#live-preview-body p")))
	before := eval[string](t, editor, "document.querySelector('#entry-form input[name=rev]').value")
	editor.run(t, chromedp.Evaluate[chromedp.Void]("document.getElementById('autosave-status').setAttribute('data-delay', '300')"),
		chromedp.SendKeys(chromedp.CSS("#f-body"), "Ripresa."))
	until(t, editor, `document.getElementById('autosave-status').textContent.startsWith('Bozza salvata alle ')`, "no autosave over the publisher's revision")
	w := work()
	if len(w.History) != 3 || !strings.Contains(w.Head.Author, persona(t, "redattore").FamilyName) {
		t.Errorf("the autosave over another's revision: %d revisions, author %q", len(w.History), w.Head.Author)
	}
	until(t, editor, `document.querySelector('#entry-form input[name=rev]').value === '`+strconv.FormatInt(w.Head.ID, 10)+`' && document.querySelector('form[action$="/passi/submit"] input[name=rev]').value === '`+strconv.FormatInt(w.Head.ID, 10)+`'`,
		"rev did not follow the new revision (was "+before+")")

	// 320 px: nothing scrolls sideways, the preview stacks under the body.
	editor.run(t, chromedp.EmulateViewport(320, 800), chromedp.Navigate(s.URL+entry), chromedp.WaitVisible(chromedp.CSS("#live-preview-body p")))
	if r := eval[reflowResult](t, editor, reflow); r.Wide {
		t.Errorf("the editor is %d px wide at 320: %v", r.Width, r.Culprits)
	}
	if !eval[bool](t, editor, "document.getElementById('live-preview').getBoundingClientRect().top >= document.getElementById('f-body').getBoundingClientRect().bottom") {
		t.Error("the preview is not under the body at 320 px")
	}
	// Without JavaScript: no toolbar, no live preview, no autosave; the "Anteprima" button works.
	editor.setScripts(t, false)
	editor.run(t, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+entry), chromedp.WaitReady(chromedp.CSS("#f-body")))
	if !eval[bool](t, editor, "['editor-toolbar', 'live-preview', 'autosave-status'].every(id => { const e = document.getElementById(id); return e && e.hidden && e.getClientRects().length === 0 })") {
		t.Error("the enhancements show without JavaScript")
	}
	editor.run(t, chromedp.Click(chromedp.CSS("button[value=anteprima]")), chromedp.WaitReady(chromedp.CSS("#preview")))
	if got := eval[string](t, editor, "document.querySelector('#preview .pass-preview p').textContent"); !strings.Contains(got, "Ripresa.") {
		t.Errorf("the plain preview shows %q", got)
	}
	for _, tb := range []*tab{editor, publisher} {
		if p := tb.take(); len(p) > 0 {
			t.Errorf("the pages reported %v", p)
		}
	}
}

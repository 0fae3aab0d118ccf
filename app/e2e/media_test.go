package e2e

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
)

// pngOn writes a w×h PNG named name in a temporary folder and returns its path.
func pngOn(t *testing.T, name string, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 7), 120, uint8(y * 5), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var mediaItem = regexp.MustCompile(`^/redazione/media/(\d+)$`)

// TestMediaLibrary: the editor uploads an image through the library's form without JavaScript
// (first refused for its missing alt text, the message beside the field) and another with it;
// both are in the library, whose pages have no axe violation in either language and do not scroll
// sideways at 320 px. In the entry editor the picker inserts an image's snippet at the cursor of
// the body (with JavaScript; without it the snippet is there to copy), and the preview shows the
// image with its alt text, served from /media.
func TestMediaLibrary(t *testing.T) {
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

	upload := func(js bool, file, alt string) string {
		t.Helper()
		editor.setScripts(t, js)
		editor.run(t, chromedp.Navigate(s.URL+"/redazione/media"), chromedp.WaitReady(chromedp.CSS("#media-file")),
			chromedp.SetUploadFiles(chromedp.CSS("#media-file"), []string{file}))
		if alt != "" {
			editor.run(t, chromedp.SetValue(chromedp.CSS("#media-alt"), alt))
		}
		editor.run(t, chromedp.Click(chromedp.CSS("#media-upload button[type=submit]")),
			chromedp.WaitReady(chromedp.CSS("#flash, #media-alt-error")))
		return eval[string](t, editor, "location.pathname")
	}

	// Without JavaScript: refused without alt text, then stored.
	piazza := pngOn(t, "Piazza del Municipio.png", 60, 40)
	upload(false, piazza, "")
	if msg := eval[string](t, editor, "document.querySelector('#media-alt-error').textContent"); !strings.Contains(msg, "testo alternativo") {
		t.Errorf("missing alt text: %q", msg)
	}
	if !eval[bool](t, editor, `document.querySelector('#media-alt').getAttribute('aria-invalid') === 'true' && !!document.querySelector('.pass-error-summary a[href="#media-alt"]')`) {
		t.Error("the missing alt text is not beside its field and in the summary")
	}
	editor.take() // the 422
	first := upload(false, piazza, "La piazza del municipio")
	if !mediaItem.MatchString(first) {
		t.Fatalf("after the upload: %s", first)
	}
	if !eval[bool](t, editor, "document.querySelector('.pass-media-copy').hidden") {
		t.Error("the copy button shows without JavaScript")
	}
	// With JavaScript.
	fontana := pngOn(t, "fontana.png", 30, 50)
	second := upload(true, fontana, "La fontana in piazza")
	if !mediaItem.MatchString(second) {
		t.Fatalf("after the upload with JavaScript: %s", second)
	}
	id := mediaItem.FindStringSubmatch(second)[1]
	snippet := "![La fontana in piazza](/media/" + id + "/fontana.png)"
	if got := eval[string](t, editor, "document.querySelector('.pass-media-snippet').value"); got != snippet {
		t.Errorf("snippet %q, want %q", got, snippet)
	}
	if eval[bool](t, editor, "document.querySelector('.pass-media-copy').hidden") {
		t.Error("no copy button with JavaScript")
	}
	editor.run(t, chromedp.Click(chromedp.CSS(".pass-media-copy")))
	check(editor, "medium page")

	for _, lang := range []string{"en", "it"} {
		editor.run(t, chromedp.Navigate(s.URL+"/redazione/media?lang="+lang), chromedp.WaitReady(chromedp.CSS("#media-list")))
		if n := eval[int](t, editor, "document.querySelectorAll('#media-list > li').length"); n != 2 {
			t.Errorf("%s: %d media in the library", lang, n)
		}
		if !eval[bool](t, editor, `[...document.querySelectorAll('#media-list img')].every(i => i.loading === 'lazy' && i.alt !== '')`) {
			t.Errorf("%s: thumbnails not lazy or without alt", lang)
		}
		check(editor, "library "+lang)
	}
	editor.run(t, chromedp.EmulateViewport(320, 800))
	for _, p := range []string{"/redazione/media", second, "/redazione/nuovo/news"} {
		editor.run(t, chromedp.Navigate(s.URL+p), chromedp.WaitReady(chromedp.CSS("footer#footer")))
		if p == "/redazione/nuovo/news" {
			editor.run(t, chromedp.Click(chromedp.CSS("#media-picker summary")))
		}
		if r := eval[reflowResult](t, editor, reflow); r.Wide {
			t.Errorf("%s is %d px wide at 320: %v", p, r.Width, r.Culprits)
		}
	}
	editor.run(t, chromedp.EmulateViewport(1280, 900))

	// The picker without JavaScript: the snippets to copy, no insert button.
	editor.setScripts(t, false)
	editor.run(t, chromedp.Navigate(s.URL+"/redazione/nuovo/news"), chromedp.WaitReady(chromedp.CSS("#media-picker")))
	if got := eval[string](t, editor, "document.querySelector('#pick-snippet-"+id+"').value"); got != snippet {
		t.Errorf("picker without JavaScript: %q", got)
	}
	if !eval[bool](t, editor, "document.querySelector('#pick-"+id+" .pass-media-insert').hidden") {
		t.Error("the insert button shows without JavaScript")
	}
	// With JavaScript: insert at the cursor, then preview.
	editor.setScripts(t, true)
	editor.run(t, chromedp.Navigate(s.URL+"/redazione/nuovo/news"), chromedp.WaitReady(chromedp.CSS("#media-picker")),
		chromedp.SetValue(chromedp.CSS("#f-title"), "La piazza rinnovata"),
		chromedp.SetValue(chromedp.CSS("#f-summary"), "Lavori conclusi in piazza."),
		chromedp.SetValue(chromedp.CSS("#f-date"), "2026-12-04"),
		chromedp.SetValue(chromedp.CSS("#f-body"), "Prima riga.\nUltima riga.\n"),
	)
	eval[bool](t, editor, "(() => { const b = document.querySelector('#f-body'); b.focus(); b.setSelectionRange(12, 12); return true })()")
	insert := chromedp.CSS("#pick-" + id + " .pass-media-insert")
	// Pressed from the keyboard, as a keyboard-only editor does (and immune to the layout settling
	// under a pointer while the editor's scripts start).
	editor.run(t, chromedp.Click(chromedp.CSS("#media-picker summary")), chromedp.WaitVisible(insert), chromedp.Focus(insert), chromedp.KeyEvent("\r"))
	if got := eval[string](t, editor, "document.querySelector('#f-body').value"); got != "Prima riga.\n"+snippet+"\nUltima riga.\n" {
		t.Errorf("body after insert: %q", got)
	}
	check(editor, "entry form with the picker open")
	editor.run(t, chromedp.Click(chromedp.CSS("button[value=anteprima]")), chromedp.WaitReady(chromedp.CSS("#preview")))
	editor.run(t, chromedp.Poll[chromedp.Void](`(() => { const i = document.querySelector("#preview img"); return !!i && i.complete && i.naturalWidth > 0 })()`, chromedp.WithPollingTimeout(10e9)))
	if got := eval[string](t, editor, `(() => { const i = document.querySelector('#preview img'); return i.getAttribute('alt') + ' ' + i.getAttribute('src') + ' ' + i.naturalWidth })()`); got != "La fontana in piazza /media/"+id+"/fontana.png 30" {
		t.Errorf("preview image %q", got)
	}
	for _, p := range editor.take() {
		t.Errorf("browser: %s", p)
	}
}

package e2e

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"passhub/app/acts"
	"passhub/app/apptest"
)

// TestActsJourney: a mayor fills in an act template with the keyboard alone; a download asked
// with a required field empty shows the form again with every answer typed and the message
// beside the field; the preview shows the act with the answers marked; the DOCX download is a
// document that holds the answers; JavaScript off, the saved answers come back. Every page is
// axe-clean in both languages, fits 320 px and works without JavaScript.
func TestActsJourney(t *testing.T) {
	s := apptest.Start(t)
	anna := apptest.FiscalCode("BNCNNA80A41C933")
	s.Login(t, anna, "Anna", "Test")
	apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", userOf(t, s, anna))
	page := acts.URL("determina-affidamento-diretto")

	tb := newTab(t)
	loginAs(t, tb, s, anna, "Anna")
	tb.open(t, s.URL+page+"?lang=it", chromedp.WaitReady(chromedp.CSS("#act-ente")),
		chromedp.SendKeys(chromedp.CSS("#act-ente"), "Comune di Cantù"),
		chromedp.SendKeys(chromedp.CSS("#act-servizio"), "Area tecnica"),
		chromedp.SendKeys(chromedp.CSS("#act-operatore"), "Verde Srl"),
		chromedp.SendKeys(chromedp.CSS("#act-importo"), "38.500,00"),
		chromedp.SendKeys(chromedp.CSS("#act-cig"), "B1234567AB"),
		chromedp.SendKeys(chromedp.CSS("#act-capitolo"), "10960"),
		chromedp.SendKeys(chromedp.CSS("#act-rup"), "Ing. Carla Rossi"),
		chromedp.SendKeys(chromedp.CSS("#act-motivazione"), "Prezzo congruo."))
	tb.run(t, chromedp.Focus(chromedp.CSS(`button[value=docx]`)), chromedp.KeyEvent(kb.Enter))
	settle(t, tb, `document.readyState === 'complete' && !!document.querySelector('.pass-error-summary')`, "the refusal")
	tb.take() // the refusal's 422, expected
	if got := eval[string](t, tb, `document.getElementById('act-rup').value + '|' + document.getElementById('act-motivazione').value`); got != "Ing. Carla Rossi|Prezzo congruo." {
		t.Errorf("the refusal lost the answers: %q", got)
	}
	if got := eval[string](t, tb, `document.getElementById('act-oggetto-error').textContent`); !strings.Contains(got, "Compila questo campo") {
		t.Errorf("the empty field says %q", got)
	}
	for _, v := range axe(t, tb) {
		t.Error("axe on the refused form: " + v)
	}
	tb.run(t, chromedp.SendKeys(chromedp.CSS("#act-oggetto"), "Manutenzione del verde"),
		chromedp.Focus(chromedp.CSS(`button[value=preview]`)), chromedp.KeyEvent(kb.Enter))
	settle(t, tb, `document.readyState === 'complete' && !!document.querySelector('#anteprima mark[data-field=oggetto]')`, "the preview")
	for _, v := range axe(t, tb) {
		t.Error("axe on the preview: " + v)
	}

	// The download, as the browser saves it.
	dir := t.TempDir()
	tb.run(t, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir})
		return err
	}), chromedp.Focus(chromedp.CSS(`button[value=docx]`)), chromedp.KeyEvent(kb.Enter))
	file := filepath.Join(dir, "determina-affidamento-diretto-v2.docx")
	deadline := time.Now().Add(20 * time.Second)
	for _, err := os.Stat(file); err != nil; _, err = os.Stat(file) {
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(dir)
			t.Fatalf("no %s downloaded: %v", file, entries)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // written to the end
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatalf("the download is not a document: %v", err)
	}
	zr.Close()
	if n := countUses(t, s); n != 1 {
		t.Errorf("%d uses recorded", n)
	}

	// Without JavaScript, the answers saved come back.
	tb.setScripts(t, false)
	tb.open(t, s.URL+page+"?lang=it", chromedp.WaitReady(chromedp.CSS("#act-oggetto")))
	if got := eval[string](t, tb, `document.getElementById('act-oggetto').value`); got != "Manutenzione del verde" {
		t.Errorf("the saved answers did not come back: %q", got)
	}
	tb.run(t, chromedp.Focus(chromedp.CSS(`button[value=save]`)), chromedp.KeyEvent(kb.Enter))
	settle(t, tb, `document.readyState === 'complete' && document.querySelector('main').textContent.includes('Risposte salvate')`, "the answers saved")
	tb.setScripts(t, true)

	sweep(t, tb, s, "acts", regexp.MustCompile(`\bacts\.[a-z_.]+`), []sweepPage{
		{"anna", acts.Route}, {"anna", acts.Route + "?tipo=ordinanza"}, {"anna", page}, {"anna", page + "?nuovo=1"},
		{"anna", acts.URL("delibera-consiglio-variazione-bilancio")}, {"anna", "/cerca?q=afidamento+direto&tipo=modello"},
	}, func(string) { loginAs(t, tb, s, anna, "Anna") })
}

func countUses(t *testing.T, s *apptest.Server) int {
	t.Helper()
	n, err := s.DB.NewSelect().Table("act_uses").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/ente"
	"passhub/app/extract/extracttest"
	"passhub/app/mailtest"
)

// TestTenderLibraryJourney: the caporedattrice uploads a tender document (a PDF) with its fields
// and approves it; a delegate of Cantù finds it with a facet and a misspelt word of its PDF's text
// and downloads it; the caporedattrice publishes a new version with a change note; the delegate's
// bell says so (live, with JavaScript; at the next page without) and her e-mail names what
// changed. Every page of the library is axe-clean in Italian and English. The journey runs once
// with JavaScript and once without (plain forms and links).
func TestTenderLibraryJourney(t *testing.T) {
	for _, js := range []bool{true, false} {
		name := map[bool]string{true: "javascript", false: "plain forms"}[js]
		t.Run(name, func(t *testing.T) { tenderJourney(t, js) })
	}
}

var tenderPage = regexp.MustCompile(`^/area-riservata/documenti-gara/(\d+)$`)

func tenderJourney(t *testing.T, js bool) {
	smtp := mailtest.Start(t)
	s := apptest.Start(t, func(c *config.Config) {
		c.Mail, c.SMTPHost, c.SMTPPort, c.SMTPTLS, c.SMTPFrom = "smtp", smtp.Host(), smtp.Port(), "none", "PAsS <noreply@pass.example.it>"
	})
	ctx := context.Background()
	seedPersonas(t, s, false)
	if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013000", Name: "Provincia di Como", Kind: ente.KindProvincia, Province: "CO"}}); err != nil {
		t.Fatal(err)
	}
	prov, err := s.Enti.ByISTAT(ctx, "013000")
	if err != nil {
		t.Fatal(err)
	}
	word, typo := "segnaletica", "segnaletca"
	title := "Disciplinare tipo per la manutenzione stradale"
	if !js {
		word, typo, title = "bitumatura", "bitumatrua", "Disciplinare tipo per le bitumature"
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "disciplinare.pdf")
	if err := os.WriteFile(pdf, extracttest.TextPDF("Capitolo 3: "+word+" orizzontale e verticale dei cantieri"), 0o600); err != nil {
		t.Fatal(err)
	}
	clean := func(tb *tab, where string) {
		t.Helper()
		if !js {
			return // axe needs JavaScript
		}
		for _, v := range axe(t, tb) { // the page as it is (a form with its errors)
			t.Errorf("%s: axe: %s", where, v)
		}
		for _, lang := range []string{"en", "it"} {
			u := eval[string](t, tb, `(() => { const u = new URL(location.href); u.searchParams.set('lang', '`+lang+`'); return u.pathname + u.search; })()`)
			tb.run(t, chromedp.Navigate(s.URL+u), chromedp.WaitReady(chromedp.CSS("footer#footer")))
			for _, v := range axe(t, tb) {
				t.Errorf("%s (%s): axe: %s", where, lang, v)
			}
		}
		if p := tb.take(); len(p) > 0 {
			t.Errorf("%s: %v", where, p)
		}
	}

	editor := newTab(t)
	devLogin(t, editor, s, "caporedattore")
	editor.setScripts(t, js)
	editor.run(t, chromedp.Navigate(s.URL+"/area-riservata/documenti-gara/nuovo"), chromedp.WaitReady(chromedp.CSS("#tender-title")))
	clean(editor, "new document form")
	// a first try without a file: the errors beside the fields and in the summary, nothing stored
	editor.run(t,
		chromedp.SetValue(chromedp.CSS("#tender-title"), title),
		chromedp.Click(chromedp.CSS("#tender-save")),
		chromedp.WaitReady(chromedp.CSS(".pass-error-summary")),
	)
	if got := eval[string](t, editor, "document.querySelector('#tender-file-error').textContent"); !strings.Contains(got, "Scegli il file") {
		t.Errorf("file error %q", got)
	}
	if got := eval[string](t, editor, "document.querySelector('#tender-title').value"); got != title {
		t.Errorf("the title was lost: %q", got)
	}
	if p := editor.take(); len(p) != 2 || !strings.Contains(p[0], "HTTP 422") { // the refusal, as expected
		t.Errorf("the refused form reported %v", p)
	}
	clean(editor, "form with errors")
	editor.run(t,
		chromedp.SetValue(chromedp.CSS("#tender-title"), title),
		chromedp.SetValue(chromedp.CSS("#tender-description"), "Modello di disciplinare per gli enti della provincia."),
		chromedp.SetValue(chromedp.CSS("#tender-kind"), "disciplinare"),
		chromedp.SetValue(chromedp.CSS("#tender-procedure"), "aperta"),
		chromedp.Click(chromedp.CSS("#tender-threshold-sopra")),
		chromedp.SetValue(chromedp.CSS("#tender-amount-min"), "5538000"),
		chromedp.SetValue(chromedp.CSS("#tender-legal-basis"), "art. 71, 108"),
		chromedp.SetValue(chromedp.CSS("#tender-valid-from"), "2026-01-01"),
		chromedp.SetValue(chromedp.CSS("#tender-author"), strconv.FormatInt(prov.ID, 10)),
		chromedp.SetUploadFiles(chromedp.CSS("#tender-file"), []string{pdf}),
		chromedp.Click(chromedp.CSS("#tender-save")),
		chromedp.WaitReady(chromedp.CSS("#tender-status")),
	)
	path := eval[string](t, editor, "location.pathname")
	m := tenderPage.FindStringSubmatch(path)
	if m == nil {
		t.Fatalf("after saving: %s (%v)", path, editor.take())
	}
	docID, _ := strconv.ParseInt(m[1], 10, 64)
	editor.run(t, chromedp.Click(chromedp.CSS("#tender-approve button")), chromedp.WaitReady(chromedp.CSS("#tender-status[data-status=approved]")))
	clean(editor, "document page (editor)")
	apptest.Idle(t, s.App) // the index has the document

	delegate := newTab(t)
	devLogin(t, delegate, s, "delegato")
	delegate.setScripts(t, js)
	delegate.run(t, chromedp.Navigate(s.URL+"/area-riservata"), chromedp.WaitReady(chromedp.CSS(`a[href="/area-riservata/documenti-gara"]`)),
		chromedp.Click(chromedp.CSS(`nav a[href="/area-riservata/documenti-gara"]`)), chromedp.WaitReady(chromedp.CSS("#tender-q")))
	clean(delegate, "library")
	delegate.run(t,
		chromedp.Click(chromedp.CSS(`input[name=tipo][value=disciplinare]`)),
		chromedp.SetValue(chromedp.CSS("#tender-q"), typo),
		chromedp.Click(chromedp.CSS("#tender-search .input-group button[type=submit]")),
	)
	// the library lists the document before the search too: wait for the results page itself
	settle(t, delegate, `document.readyState === 'complete' && location.search.includes('tipo=disciplinare') && !!document.querySelector('#tender-results a[href="`+path+`"]')`,
		"the search's results")
	if got := eval[string](t, delegate, "location.search"); !strings.Contains(got, "tipo=disciplinare") || !strings.Contains(got, "q="+typo) {
		t.Errorf("the search is not a plain GET: %q", got)
	}
	clean(delegate, "library results")
	delegate.run(t, chromedp.Click(chromedp.CSS(`#tender-results a[href="`+path+`"]`)), chromedp.WaitReady(chromedp.CSS("#download-1")))
	clean(delegate, "document page (delegate)")
	if n := eval[int](t, delegate, "document.querySelectorAll('#tender-version, #tender-approve').length"); n != 0 {
		t.Errorf("the delegate sees %d of the editor's forms", n)
	}
	downloads := filepath.Join(dir, "scaricati")
	delegate.run(t,
		chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := cdp.Call(ctx, target, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
			return err
		}),
		chromedp.Click(chromedp.CSS("#download-1")),
	)
	got := ""
	waitUntil(t, 15*time.Second, "the download", func() bool {
		b, err := os.ReadFile(filepath.Join(downloads, "disciplinare.pdf"))
		got = string(b)
		return err == nil && strings.HasPrefix(got, "%PDF-")
	})
	var rows int
	if err := s.DB.NewRaw("SELECT count(*) FROM tender_downloads WHERE document_id = ? AND ente_id IS NOT NULL", docID).Scan(ctx, &rows); err != nil || rows != 1 {
		t.Fatalf("%d downloads for Cantù recorded (%v)", rows, err)
	}
	delegate.run(t, chromedp.Navigate(s.URL+path), chromedp.WaitReady(chromedp.CSS("#download-1")))
	if js {
		delegate.run(t, chromedp.Sleep(500*time.Millisecond)) // the websocket connects
	}

	note := "Aggiornata la clausola sulla " + word + " all'art. 108"
	v2 := filepath.Join(dir, "disciplinare-v2.pdf")
	if err := os.WriteFile(v2, extracttest.TextPDF("Capitolo 3: "+word+" aggiornata"), 0o600); err != nil {
		t.Fatal(err)
	}
	editor.run(t, chromedp.Navigate(s.URL+path), chromedp.WaitReady(chromedp.CSS("#version-file")),
		chromedp.SetUploadFiles(chromedp.CSS("#version-file"), []string{v2}),
		chromedp.SetValue(chromedp.CSS("#version-note"), note),
		chromedp.Click(chromedp.CSS("#tender-version button[type=submit]")),
		chromedp.WaitReady(chromedp.CSS("#versione-2")),
	)
	badge := "(document.querySelector('#bell-count .pass-bell-badge') || {}).textContent"
	if js {
		waitFor(t, delegate, badge+" === '1'", "the bell's live count")
	} else {
		apptest.Idle(t, s.App)
		delegate.run(t, chromedp.Navigate(s.URL+path), chromedp.WaitReady(chromedp.CSS("#versione-2")))
		if got := eval[string](t, delegate, badge+" || ''"); got != "1" {
			t.Errorf("the bell says %q", got)
		}
	}
	delegate.run(t, chromedp.Navigate(s.URL+"/area-riservata/notifiche"), chromedp.WaitReady(chromedp.CSS(".pass-notification")))
	if got := eval[string](t, delegate, "document.querySelector('.pass-notification').textContent"); !strings.Contains(got, note) {
		t.Errorf("notification %q", got)
	}
	var mail *mailtest.Captured
	waitUntil(t, 15*time.Second, "the e-mail", func() bool {
		for _, m := range smtp.Messages() {
			if len(m.To) == 1 && m.To[0] == "laura.bianchi@comune.cantu.example.it" && strings.Contains(m.Text, note) {
				mail = &m
				return true
			}
		}
		return false
	})
	if !strings.Contains(mail.Text, path+"#versione-2") {
		t.Errorf("the e-mail has no link to the version: %s", mail.Text)
	}
	if p := delegate.take(); len(p) > 0 {
		t.Errorf("delegate's pages: %v", p)
	}
	if p := editor.take(); len(p) > 0 {
		t.Errorf("editor's pages: %v", p)
	}
}

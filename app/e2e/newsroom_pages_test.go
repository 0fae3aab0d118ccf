package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
)

// TestNewsroomPagesInBothLanguages opens every newsroom page a publisher sees (the dashboard,
// the content list with and without filters, the new-entry form of every type, entries of every
// type, an entry with a preview link just made, and the public preview page) in Italian and in
// English: axe-core finds nothing, and no page reports a console error or a failed request.
func TestNewsroomPagesInBothLanguages(t *testing.T) {
	s := apptest.Start(t)
	seedPersonas(t, s, false)
	tb := newTab(t)
	devLogin(t, tb, s, "caporedattore")

	// A preview link of a draft, made in the browser.
	entry := "/redazione/contenuti/guide/cos-e-pass"
	tb.run(t, chromedp.Navigate(s.URL+entry), chromedp.WaitReady(chromedp.CSS("#f-body")),
		chromedp.SetValue(chromedp.CSS("#f-body"), "## Una bozza\n\nTesto in revisione.\n"),
		chromedp.Click(chromedp.CSS("button[value=salva]")),
		chromedp.WaitReady(chromedp.CSS("#entry-state[data-state=draft]")),
		chromedp.Click(chromedp.CSS("form[action$='/link-anteprima'] button")),
		chromedp.WaitReady(chromedp.CSS("#preview-link")),
	)
	link, err := url.Parse(eval[string](t, tb, "document.getElementById('preview-link').href"))
	if err != nil || !strings.HasPrefix(link.Path, "/anteprima/") {
		t.Fatalf("preview link %v %v", link, err)
	}
	tb.take()

	pages := []string{"/redazione", "/redazione/contenuti", "/redazione/contenuti?tipo=procedure&stato=published&parole=ambientale",
		"/redazione/contenuti?pagina=2", entry, "/redazione/contenuti/procedure/scia-edilizia", "/redazione/contenuti/taskforce/appalti",
		"/redazione/contenuti/report/monitoraggio-2025-primo-semestre", "/redazione/contenuti/news/" + firstNews(t, s), link.Path}
	for _, typ := range []string{"page", "guide", "taskforce", "procedure", "news", "report"} {
		pages = append(pages, "/redazione/nuovo/"+typ)
	}
	for _, lang := range []string{"en", "it"} {
		for _, p := range pages {
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			tb.run(t, chromedp.Navigate(s.URL+p+sep+"lang="+lang), chromedp.WaitReady(chromedp.CSS("footer#footer")))
			if got := eval[string](t, tb, "document.documentElement.lang"); got != lang {
				t.Errorf("%s: lang %q, want %s", p, got, lang)
			}
			for _, v := range axe(t, tb) {
				t.Errorf("%s (%s): axe: %s", p, lang, v)
			}
			for _, problem := range tb.take() {
				t.Errorf("%s (%s): %s", p, lang, problem)
			}
		}
	}
}

package e2e

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/content"
)

// TestNewsroomEveryErrorAndScheduleAnyway: in a browser, in Italian and English, a form sent
// with three fields missing shows the three messages and a summary of three, and an entry whose
// links are broken, refused when scheduled, offers "schedule anyway"; neither page has an axe
// violation.
func TestNewsroomEveryErrorAndScheduleAnyway(t *testing.T) {
	s := apptest.Start(t)
	seedPersonas(t, s, false)
	who := content.Actor{Name: "Capo", Publisher: true}
	if _, _, err := s.Content.SaveDraft(context.Background(), who, content.Draft{Type: content.TypeNews, Slug: "link-rotti-e2e",
		Fields: map[string]string{"title": "Link rotti", "summary": "s", "date": "2026-12-04"}, Body: "Vedi [la guida](/guida/non-esiste).\n"}); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t)
	devLogin(t, tb, s, "caporedattore")
	for _, lang := range []string{"it", "en"} {
		tb.run(t, chromedp.Navigate(s.URL+"/redazione/nuovo/news?lang="+lang), chromedp.WaitReady(chromedp.CSS("#f-title")),
			chromedp.SetValue(chromedp.CSS("#f-slug"), "tre-errori"),
			chromedp.Click(chromedp.CSS("button[value=salva]")),
			chromedp.WaitReady(chromedp.CSS(".pass-error-summary")))
		if n := eval[int](t, tb, `document.querySelectorAll('.invalid-feedback').length * 10 + document.querySelectorAll('.pass-error-summary li').length`); n != 33 {
			t.Errorf("%s: %d messages beside fields and %d in the summary, want 3 and 3", lang, n/10, n%10)
		}
		if v := axe(t, tb); len(v) > 0 {
			t.Errorf("%s: form with three errors: axe: %v", lang, v)
		}
		tb.take()

		tb.run(t, chromedp.Navigate(s.URL+"/redazione/contenuti/news/link-rotti-e2e?lang="+lang), chromedp.WaitReady(chromedp.CSS("#step-publish_at")),
			chromedp.SetValue(chromedp.CSS("#step-publish_at"), "2031-01-15T10:00"),
			chromedp.Click(chromedp.CSS("form[action$='/passi/schedule'] button[type=submit]")),
			chromedp.WaitReady(chromedp.CSS(".pass-error-summary")))
		if !eval[bool](t, tb, `!!document.querySelector('#step-schedule-comunque[aria-describedby="broken-title"]') && document.querySelector('#step-publish_at').value === '2031-01-15T10:00'`) {
			t.Errorf("%s: no «schedule anyway» checkbox, or the time typed was lost", lang)
		}
		if v := axe(t, tb); len(v) > 0 {
			t.Errorf("%s: schedule refused for broken links: axe: %v", lang, v)
		}
		tb.take()
	}
}

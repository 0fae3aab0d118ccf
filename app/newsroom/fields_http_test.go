package newsroom_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apptest"
)

// TestEveryInvalidFieldAtOnce: a draft with three invalid fields comes back with a message beside
// each of the three, and the error summary lists all three, linked to their fields; nothing saved.
func TestEveryInvalidFieldAtOnce(t *testing.T) {
	t.Parallel()
	r := open(t)
	form := url.Values{"slug": {"tre-errori"}, "title": {""}, "summary": {""}, "date": {"4 dicembre"}, "body": {"Testo tenuto.\n"}, "azione": {"salva"}}
	for _, lang := range []string{"it", "en"} {
		msgs := map[string]string{"it": "obbligatorio", "en": "required"}
		apptest.RunScenarios(t, r.s, []apptest.Scenario{{Name: "three invalid fields " + lang, As: r.editor, Method: "POST", Path: "/redazione/nuovo/news",
			Form: form, Lang: lang, Status: 422,
			Has: map[string]string{"#f-title-error": msgs[lang], "#f-summary-error": msgs[lang], "#f-date-error": map[string]string{"it": "AAAA-MM-GG", "en": "YYYY-MM-DD"}[lang],
				"#f-title[aria-invalid='true'][aria-describedby~='f-title-error']":     "",
				"#f-summary[aria-invalid='true'][aria-describedby~='f-summary-error']": "",
				"#f-date[aria-invalid='true'][aria-describedby~='f-date-error']":       "",
				"textarea#f-body": "Testo tenuto."},
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				if n := doc.Find(".invalid-feedback").Length(); n != 3 {
					t.Errorf("%d messages beside fields, want 3", n)
				}
				var links []string
				doc.Find(".pass-error-summary li a").Each(func(_ int, a *goquery.Selection) {
					href, _ := a.Attr("href")
					links = append(links, href)
				})
				if len(links) != 3 || links[0] != "#f-title" || links[1] != "#f-summary" || links[2] != "#f-date" {
					t.Errorf("summary links %v, want the three fields in the form's order", links)
				}
			}}})
	}
	apptest.RunScenarios(t, r.s, []apptest.Scenario{{Name: "nothing saved", As: r.editor, Path: "/redazione/contenuti/news/tre-errori", Status: 404}})
}

package newsroom_test

import (
	"net/url"
	"testing"

	"passhub/app/apptest"
	"passhub/app/content"
)

// TestBrokenLinks: a draft linking to a page that does not exist and to one not published has
// both listed on its page; publishing is refused until the publisher ticks "pubblica comunque";
// then the dashboard lists it under "Link interrotti" until the target is published.
func TestBrokenLinks(t *testing.T) {
	t.Parallel()
	r := open(t)
	desk := "/redazione/contenuti/news/con-link"
	target := "/redazione/contenuti/news/bersaglio"
	good := firstNews(t, r)
	body := "Leggi [la guida mancante](/guida/non-esiste), [il bersaglio](/notizie/bersaglio#dettagli), " +
		"[una notizia](/notizie/" + good + ") e [tutte le notizie](/notizie); [fuori](https://example.org/guida/x).\n"
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "a target not published yet", As: r.publisher, Method: "POST", Path: "/redazione/nuovo/news",
			Form: with(news("Bersaglio", "2026-12-04", "Testo.\n"), "azione", "salva", "slug", "bersaglio"), Status: 303},
		{Name: "a draft with links", As: r.publisher, Method: "POST", Path: "/redazione/nuovo/news",
			Form: with(news("Con link", "2026-12-04", body), "azione", "salva", "slug", "con-link"), Status: 303},
		{Name: "the entry page lists the broken ones", As: r.editor, Path: desk, Status: 200,
			Has: map[string]string{"#broken-links li:nth-child(1)": "la guida mancante", "#broken-links li:nth-child(1) code": "/guida/non-esiste",
				"#broken-links li:nth-child(2) code": "/notizie/bersaglio#dettagli"},
			Lacks: []string{"#broken-links li:nth-child(3)"}},
	})
	rev := r.rev(t, content.TypeNews, "con-link")
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "publishing is refused", As: r.publisher, Method: "POST", Path: desk + "/passi/publish", Form: url.Values{"rev": {rev}}, Status: 422,
			Has: map[string]string{".pass-error-summary": "2 link interrotti", "input#step-comunque[name='comunque']": ""}},
		{Name: "still not public", Path: "/notizie/con-link", Status: 404},
		{Name: "publish anyway", As: r.publisher, Method: "POST", Path: desk + "/passi/publish", Form: url.Values{"rev": {rev}, "comunque": {"1"}}, Status: 303},
		{Name: "public", Path: "/notizie/con-link", Status: 200},
		{Name: "the dashboard lists it", As: r.editor, Path: "/redazione", Status: 200,
			Has: map[string]string{"#broken-title": "Link interrotti", ".pass-broken a[href='" + desk + "']": "Con link", ".pass-broken li": "/notizie/bersaglio#dettagli"}},
		{Name: "publish the target", As: r.publisher, Method: "POST", Path: target + "/passi/publish",
			Form: url.Values{"rev": {r.rev(t, content.TypeNews, "bersaglio")}}, Status: 303},
		{Name: "one broken link is left", As: r.editor, Path: "/redazione", Status: 200,
			Has: map[string]string{".pass-broken li": "/guida/non-esiste"}, Text: []string{"la guida mancante"},
			Lacks: []string{".pass-broken code:contains('bersaglio')"}},
	})
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "a draft without broken links publishes at once", As: r.publisher, Method: "POST", Path: target,
			Form: with(news("Bersaglio", "2026-12-04", "Vedi [questa](/notizie/con-link).\n"), "azione", "salva", "rev", r.rev(t, content.TypeNews, "bersaglio")), Status: 303},
	})
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "published", As: r.publisher, Method: "POST", Path: target + "/passi/publish", Form: url.Values{"rev": {r.rev(t, content.TypeNews, "bersaglio")}}, Status: 303},
	})
}

package newsroom_test

import (
	"net/url"
	"testing"

	"passhub/app/apptest"
	"passhub/app/content"
)

// TestSlugChangeRedirects renames a published news item twice: each rename takes effect with the
// publication of its revision, the old URLs answer 301 to the newest one (a chain collapses),
// slugs taken or malformed are refused, and a new entry that takes an old slug ends its redirect.
func TestSlugChangeRedirects(t *testing.T) {
	t.Parallel()
	r := open(t)
	desk := func(slug string) string { return "/redazione/contenuti/news/" + slug }
	body := "Il testo dell'avviso.\n"
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "write", As: r.publisher, Method: "POST", Path: "/redazione/nuovo/news",
			Form: with(news("Avviso uno", "2026-12-04", body), "azione", "salva", "slug", "avviso-uno"), Status: 303, Location: desk("avviso-uno")},
	})
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "publish", As: r.publisher, Method: "POST", Path: desk("avviso-uno") + "/passi/publish",
			Form: url.Values{"rev": {r.rev(t, content.TypeNews, "avviso-uno")}}, Status: 303, Location: desk("avviso-uno")},
		{Name: "the slug is on the form of an existing entry", As: r.editor, Path: desk("avviso-uno"), Status: 200,
			Has: map[string]string{"input#f-slug[value='avviso-uno']": "", "#f-slug-hint": "rimanda al nuovo"}},
		{Name: "a slug that cannot name a URL", As: r.publisher, Method: "POST", Path: desk("avviso-uno"),
			Form:   with(news("Avviso uno", "2026-12-04", body), "azione", "salva", "rev", r.rev(t, content.TypeNews, "avviso-uno"), "slug", "Avviso Due!"),
			Status: 422, Has: map[string]string{"#f-slug-error": ""}},
		{Name: "a slug another news item has", As: r.publisher, Method: "POST", Path: desk("avviso-uno"),
			Form: with(news("Avviso uno", "2026-12-04", body), "azione", "salva", "rev", r.rev(t, content.TypeNews, "avviso-uno"),
				"slug", firstNews(t, r)), Status: 422, Has: map[string]string{"#f-slug-error": "Esiste già"}},
		{Name: "save a draft with a new slug", As: r.publisher, Method: "POST", Path: desk("avviso-uno"),
			Form:   with(news("Avviso uno", "2026-12-04", body), "azione", "salva", "rev", r.rev(t, content.TypeNews, "avviso-uno"), "slug", "avviso-due"),
			Status: 303, Location: desk("avviso-uno")},
		{Name: "the draft keeps the new slug in its form", As: r.publisher, Path: desk("avviso-uno"), Status: 200,
			Has: map[string]string{"input#f-slug[value='avviso-due']": ""}},
		{Name: "until published, the old URL is the page", Path: "/notizie/avviso-uno", Status: 200, Has: map[string]string{"h1": "Avviso uno"}},
		{Name: "and the new one is nothing", Path: "/notizie/avviso-due", Status: 404},
	})
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "publishing renames", As: r.publisher, Method: "POST", Path: desk("avviso-uno") + "/passi/publish",
			Form: url.Values{"rev": {r.rev(t, content.TypeNews, "avviso-uno")}}, Status: 303, Location: desk("avviso-due")},
		{Name: "the old URL redirects permanently", Path: "/notizie/avviso-uno", Status: 301, Location: "/notizie/avviso-due"},
		{Name: "with its query", Path: "/notizie/avviso-uno?lang=en", Status: 301, Location: "/notizie/avviso-due?lang=en"},
		{Name: "the new URL is the page", Path: "/notizie/avviso-due", Status: 200, Has: map[string]string{"h1": "Avviso uno"}},
		{Name: "the listing links the new URL", Path: "/notizie", Status: 200, Has: map[string]string{"a[href='/notizie/avviso-due']": "Avviso uno"},
			Lacks: []string{"a[href='/notizie/avviso-uno']"}},
		{Name: "an unknown slug is still a 404", Path: "/notizie/avviso-mai-esistito", Status: 404},
		{Name: "a redirect answers only GET", Method: "POST", Path: "/notizie/avviso-uno", Status: 404},
	})
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "rename again", As: r.publisher, Method: "POST", Path: desk("avviso-due"),
			Form:   with(news("Avviso uno", "2026-12-04", body), "azione", "salva", "rev", r.rev(t, content.TypeNews, "avviso-due"), "slug", "avviso-tre"),
			Status: 303, Location: desk("avviso-due")},
	})
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "publish the second rename", As: r.publisher, Method: "POST", Path: desk("avviso-due") + "/passi/publish",
			Form: url.Values{"rev": {r.rev(t, content.TypeNews, "avviso-due")}}, Status: 303, Location: desk("avviso-tre")},
		{Name: "the chain collapses: the first URL goes straight to the last", Path: "/notizie/avviso-uno", Status: 301, Location: "/notizie/avviso-tre"},
		{Name: "the second URL too", Path: "/notizie/avviso-due", Status: 301, Location: "/notizie/avviso-tre"},
		{Name: "the page", Path: "/notizie/avviso-tre", Status: 200, Has: map[string]string{"h1": "Avviso uno"}},
		{Name: "a new entry takes the first slug", As: r.publisher, Method: "POST", Path: "/redazione/nuovo/news",
			Form: with(news("Un altro avviso", "2026-12-05", body), "azione", "salva", "slug", "avviso-uno"), Status: 303, Location: desk("avviso-uno")},
		{Name: "its URL no longer redirects: it is the new entry's (a draft, so nothing yet)", Path: "/notizie/avviso-uno", Status: 404},
		{Name: "the other former slug still redirects", Path: "/notizie/avviso-due", Status: 301, Location: "/notizie/avviso-tre"},
		{Name: "a procedure's slug cannot change", As: r.publisher, Method: "POST", Path: "/redazione/contenuti/procedure/affidamenti-sotto-soglia",
			Form:   url.Values{"azione": {"salva"}, "rev": {r.rev(t, content.TypeProcedure, "affidamenti-sotto-soglia")}, "slug": {"affidamenti"}},
			Status: 422, Has: map[string]string{".pass-error-summary": "non si può cambiare"}, Lacks: []string{"input#f-slug"}},
	})
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "the new entry published has its URL", As: r.publisher, Method: "POST", Path: desk("avviso-uno") + "/passi/publish",
			Form: url.Values{"rev": {r.rev(t, content.TypeNews, "avviso-uno")}}, Status: 303},
		{Name: "served, not redirected", Path: "/notizie/avviso-uno", Status: 200, Has: map[string]string{"h1": "Un altro avviso"}},
	})
}

// firstNews is the slug of a news item of the imported content.
func firstNews(t *testing.T, r *room) string {
	t.Helper()
	page, err := r.s.Content.Desk(t.Context(), content.Desk{Type: content.TypeNews, Published: true, Limit: 1})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("no news item: %v", err)
	}
	return page.Items[0].Entry.Slug
}

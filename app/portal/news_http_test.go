package portal_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apptest"
	"passhub/app/portal"
)

// TestNewsPagesAndTagLinks checks that the news list pages through the news, and that an
// article's tags link to the list of the news carrying that tag.
func TestNewsPagesAndTagLinks(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	_, body := s.Get(t, "/notizie", "Accept-Language", "it")
	doc := apptest.Parse(t, body)
	if n := doc.Find("main article").Length(); n != portal.PageSize {
		t.Fatalf("first page: %d news, want %d", n, portal.PageSize)
	}
	next, ok := doc.Find("a[rel=next]").Attr("href")
	if !ok {
		t.Fatal("no link to the next page of news")
	}
	_, body = s.Get(t, next, "Accept-Language", "it")
	second := apptest.Parse(t, body).Find("main article").Length()
	if second == 0 || second > portal.PageSize {
		t.Errorf("second page: %d news", second)
	}

	_, body = s.Get(t, "/notizie/al-via-la-piattaforma-pass", "Accept-Language", "it")
	href, ok := apptest.Parse(t, body).Find(".pass-tags a").Attr("href")
	if !ok || href != "/notizie?tag=pnrr" {
		t.Fatalf("tag link %q", href)
	}
	_, body = s.Get(t, href, "Accept-Language", "it")
	doc = apptest.Parse(t, body)
	tagged := doc.Find("main article")
	if tagged.Length() == 0 || tagged.Length() >= portal.PageSize+second || !strings.Contains(doc.Find("h1").Text(), "«pnrr»") {
		t.Fatalf("tagged list: %d news, h1 %q", tagged.Length(), doc.Find("h1").Text())
	}
	tagged.Each(func(_ int, a *goquery.Selection) {
		if a.Find(".pass-tags a[href='/notizie?tag=pnrr']").Length() != 1 {
			t.Errorf("%q is listed under pnrr without the tag", a.Find("h2").Text())
		}
	})
	// A tag no news carries, and the characters a LIKE would take as wildcards, list nothing.
	var none []apptest.Scenario
	for _, tag := range []string{"nessuno", "%", "_"} {
		none = append(none, apptest.Scenario{Name: "tag " + tag, Path: "/notizie?tag=" + url.QueryEscape(tag), Lang: "it", Status: 200,
			Lacks: []string{"main article"}, Has: map[string]string{"main": "Nessuna notizia sull'argomento"}})
	}
	apptest.RunScenarios(t, s, none)
}

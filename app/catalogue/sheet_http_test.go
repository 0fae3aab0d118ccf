package catalogue_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apptest"
)

// TestSheetsSayEachThingOnce opens every procedure sheet and task force page: the body does not
// repeat what the structured fields show (legal basis, the list of procedures), and a sheet that
// accepts requests offers to file one for its procedure.
func TestSheetsSayEachThingOnce(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	tfs, err := s.Catalogue.Catalogue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	headings := func(doc *goquery.Document) map[string]int {
		n := map[string]int{}
		doc.Find("main h2, main h3").Each(func(_ int, h *goquery.Selection) { n[strings.TrimSpace(h.Text())]++ })
		return n
	}
	accepting, closed := 0, 0
	for _, tf := range tfs {
		_, body := s.Get(t, "/task-force/"+tf.Slug, "Accept-Language", "it")
		doc := apptest.Parse(t, body)
		for _, p := range tf.Procedures {
			if n := doc.Find("main a[href='/procedure/" + p.Slug + "']").Length(); n != 1 {
				t.Errorf("task force %s links %s %d times", tf.Code, p.Code, n)
			}
		}
		for h, n := range headings(doc) {
			if n > 1 || h == "Le procedure" {
				t.Errorf("task force %s: heading %q %d times, beside the list of procedures", tf.Code, h, n)
			}
		}
		for _, p := range tf.Procedures {
			_, body := s.Get(t, "/procedure/"+p.Slug, "Accept-Language", "it")
			doc := apptest.Parse(t, body)
			for h, n := range headings(doc) {
				if n > 1 {
					t.Errorf("sheet %s: heading %q %d times", p.Code, h, n)
				}
			}
			if doc.Find(".pass-prose h2").FilterFunction(func(_ int, h *goquery.Selection) bool {
				return strings.Contains(h.Text(), "Riferimenti normativi")
			}).Length() != 0 {
				t.Errorf("sheet %s: the body repeats the legal basis", p.Code)
			}
			file := doc.Find("a.pass-file-request")
			if p.AcceptsRequests {
				accepting++
				if href, _ := file.Attr("href"); href != "/area-riservata/richieste/nuova?procedura="+p.Code || !strings.Contains(file.Text(), "Presenta una richiesta") {
					t.Errorf("sheet %s: file-a-request button %q %q", p.Code, href, file.Text())
				}
			} else {
				closed++
				if file.Length() != 0 {
					t.Errorf("sheet %s does not accept requests but offers to file one", p.Code)
				}
			}
		}
	}
	if accepting == 0 || closed == 0 {
		t.Fatalf("%d sheets accept requests, %d do not: the catalogue should have both", accepting, closed)
	}
	// What the sheet shows from its structured fields is still found by the search: the legal
	// basis "D.Lgs. 222/2016" is written only there.
	_, body := s.Get(t, "/cerca?q="+url.QueryEscape("D.Lgs. 222/2016"), "Accept-Language", "it")
	for _, slug := range []string{"permesso-di-costruire", "scia-edilizia"} {
		if apptest.Parse(t, body).Find("main a[href='/procedure/"+slug+"']").Length() == 0 {
			t.Errorf("searching the legal basis does not find %s", slug)
		}
	}
	// The button leads to the filing form with the procedure chosen, after the login.
	res, _ := s.Get(t, "/area-riservata/richieste/nuova?procedura=VA-01")
	if loc := res.Header.Get("Location"); res.StatusCode != 303 || !strings.Contains(loc, "next=%2Farea-riservata%2Frichieste%2Fnuova%3Fprocedura%3DVA-01") {
		t.Errorf("anonymous visitor: %d %s", res.StatusCode, loc)
	}
}

package app_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apptest"
)

// TestFormsReShownWithErrors posts bad input to every full-page form: the page comes back titled
// "Errore: …" with the error summary before the form, whose links all reach a field of the page.
func TestFormsReShownWithErrors(t *testing.T) {
	t.Parallel()
	w := buildWorld(t)
	a := strconv.FormatInt(w.enteA, 10)
	cases := []struct {
		who, path string
		form      url.Values
		links     int // fields the summary must link to, at least
	}{
		{"anonymous", "/contatti", url.Values{"name": {""}}, 4},
		{"anonymous", "/accedi/staff", url.Values{"username": {"nobody"}, "password": {"wrong-password-1"}}, 0},
		{"legal rep A", "/area-riservata/richieste/nuova", url.Values{"title": {""}}, 4},
		{"legal rep A", "/area-riservata/enti/" + a + "/delegati", url.Values{"fiscal_code": {"XX"}, "email": {"nope"}}, 2},
		{"admin", "/admin/enti", url.Values{"istat": {""}, "name": {""}}, 2},
		{"admin", "/admin/registrazioni/" + strconv.FormatInt(w.pendingReg, 10) + "/rifiuta", url.Values{"reason": {""}, "confirm": {"1"}}, 1},
	}
	for _, c := range cases {
		t.Run(c.who+c.path, func(t *testing.T) {
			c.form.Set("_csrf", apptest.CSRFToken)
			cookie := w.cookies[c.who]
			res, body := w.s.PostForm(t, c.path, c.form, "Cookie", cookie, "Accept-Language", "it")
			if res.StatusCode < 400 || res.StatusCode >= 500 {
				t.Fatalf("status %d", res.StatusCode)
			}
			doc := parse(t, body)
			if title := doc.Find("title").Text(); !strings.HasPrefix(title, "Errore: ") {
				t.Errorf("title %q", title)
			}
			summary := doc.Find(".pass-error-summary")
			if summary.Length() != 1 || summary.AttrOr("tabindex", "") != "-1" {
				t.Fatalf("%d error summaries: %s", summary.Length(), body)
			}
			n := 0
			summary.Find("a").Each(func(_ int, l *goquery.Selection) {
				n++
				id := strings.TrimPrefix(l.AttrOr("href", ""), "#")
				if doc.Find(`[id="`+id+`"]`).Filter("input, select, textarea").Length() != 1 {
					t.Errorf("%q links to no field", l.AttrOr("href", ""))
				}
			})
			if n < c.links {
				t.Errorf("%d links in the summary, want %d or more: %q", n, c.links, summary.Text())
			}
			if i, j := strings.Index(body, "pass-error-summary"), strings.LastIndex(body, `method="post"`); c.links > 0 && (i < 0 || i > j) {
				t.Error("the summary comes after the form")
			}
		})
	}
}

package newsroom_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apptest"
	"passhub/app/content"
	"passhub/app/preview"
)

// TestPreviewLinks: an editor makes a signed link to a draft; anyone opens it without logging in
// and sees the public page's rendering with a banner, noindex and no-store; an expired link is
// 410, a tampered one 403, and the link stops working once its revision is saved over or
// published.
func TestPreviewLinks(t *testing.T) {
	t.Parallel()
	r := open(t)
	desk := "/redazione/contenuti/news/anteprima-bando"
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "write", As: r.editor, Method: "POST", Path: "/redazione/nuovo/news",
			Form: with(news("Bando in anteprima", "2026-12-04", "## Il bando\n\nTesto **riservato**.\n"), "azione", "salva", "slug", "anteprima-bando"), Status: 303},
		{Name: "the entry page offers a link", As: r.editor, Path: desk, Status: 200,
			Has: map[string]string{"#links-title": "Link di anteprima", "input#step-giorni[value='7']": ""}, Lacks: []string{".pass-preview-banner"}},
	})
	rev := r.rev(t, content.TypeNews, "anteprima-bando")
	var link string
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "more than 30 days is refused", As: r.editor, Method: "POST", Path: desk + "/link-anteprima", Form: url.Values{"rev": {rev}, "giorni": {"31"}},
			Status: 422, Has: map[string]string{"#step-giorni-error": "da 1 a 30"}},
		{Name: "an old revision is refused", As: r.editor, Method: "POST", Path: desk + "/link-anteprima", Form: url.Values{"rev": {"1"}, "giorni": {"3"}}, Status: 409},
		{Name: "make a link", As: r.editor, Method: "POST", Path: desk + "/link-anteprima", Form: url.Values{"rev": {rev}, "giorni": {"3"}}, Status: 200,
			Has: map[string]string{".pass-preview-link": "valido fino al"}, Lacks: []string{".pass-preview-banner"},
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				link, _ = doc.Find("#preview-link").Attr("href")
			}},
	})
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/anteprima/") {
		t.Fatalf("no preview link: %q", link)
	}
	path := u.Path
	noStore := func(t *testing.T, res *http.Response, _ *goquery.Document) {
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", cc)
		}
		if xr := res.Header.Get("X-Robots-Tag"); !strings.Contains(xr, "noindex") {
			t.Errorf("X-Robots-Tag %q", xr)
		}
	}
	tok := strings.TrimPrefix(path, "/anteprima/")
	tampered := tok[:len(tok)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(tok, "AA")]
	parts := strings.Split(tok, ".")
	otherRev := "/anteprima/" + parts[0] + ".1." + parts[2] + "." + parts[3]
	l, err := r.s.Previews.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(l.Expires); d < 71*time.Hour || d > 73*time.Hour {
		t.Errorf("the link lasts %v, want 3 days", d)
	}
	expired := "/anteprima/" + r.s.Previews.Token(preview.Link{EntryID: l.EntryID, RevisionID: l.RevisionID, Expires: time.Now().Add(-time.Minute)})
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "anyone sees the draft as the public page, marked", Path: path, Status: 200,
			Has:   map[string]string{"h1": "Bando in anteprima", ".pass-prose h2": "Il bando", ".pass-preview-banner": "Anteprima", "meta[name='robots'][content*='noindex']": ""},
			Check: noStore},
		{Name: "again: not served from the page cache", Path: path, Status: 200, Check: func(t *testing.T, res *http.Response, _ *goquery.Document) {
			if res.Header.Get("X-Cache") == "hit" {
				t.Error("a preview came from the page cache")
			}
		}},
		{Name: "in English", Path: path, Lang: "en", Status: 200, Has: map[string]string{".pass-preview-banner": "not published yet"}},
		{Name: "the public URL still has nothing", Path: "/notizie/anteprima-bando", Status: 404},
		{Name: "tampered", Path: "/anteprima/" + tampered, Status: 403, Has: map[string]string{"h1": "non valido", ".lead": "modificato"}, Check: noStore},
		{Name: "another revision under the same signature", Path: otherRev, Status: 403},
		{Name: "not a link at all", Path: "/anteprima/niente", Status: 403},
		{Name: "expired", Path: expired, Status: 410, Has: map[string]string{".lead": "scaduto"}, Check: noStore},
		{Name: "expired, in English", Path: expired, Lang: "en", Status: 410, Has: map[string]string{".lead": "expired"}},
		{Name: "submitted for review: still a preview", As: r.editor, Method: "POST", Path: desk + "/passi/submit", Form: url.Values{"rev": {rev}}, Status: 303},
		{Name: "in review the link works", Path: path, Status: 200},
		{Name: "published: the link is revoked", As: r.publisher, Method: "POST", Path: desk + "/passi/publish", Form: url.Values{"rev": {rev}}, Status: 303},
		{Name: "revoked", Path: path, Status: 410, Has: map[string]string{".lead": "non è più disponibile"}, Check: noStore},
		{Name: "a published revision gets no link", As: r.editor, Method: "POST", Path: desk + "/link-anteprima", Form: url.Values{"rev": {rev}}, Status: 409},
	})
	// A new draft saved over the one a link names revokes it too.
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "a new draft", As: r.editor, Method: "POST", Path: desk,
			Form: with(news("Bando in anteprima", "2026-12-04", "Seconda stesura.\n"), "azione", "salva", "rev", r.rev(t, content.TypeNews, "anteprima-bando")), Status: 303},
	})
	second := r.rev(t, content.TypeNews, "anteprima-bando")
	p2, _, err := r.s.Previews.Create(context.Background(), content.TypeNews, "anteprima-bando", mustInt(t, second), 0)
	if err != nil {
		t.Fatal(err)
	}
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "the new draft's link, 7 days by default", Path: p2, Status: 200, Has: map[string]string{".pass-prose": "Seconda stesura"}},
		{Name: "saved over", As: r.editor, Method: "POST", Path: desk,
			Form: with(news("Bando in anteprima", "2026-12-04", "Terza stesura.\n"), "azione", "salva", "rev", second), Status: 303},
		{Name: "the older draft's link is revoked", Path: p2, Status: 410},
	})
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}

package app_test

import (
	"context"
	"strings"
	"testing"

	"passhub/app/apptest"
	"passhub/app/content"
)

// TestPageCache checks that anonymous pages are served from the cache, that pages with forms and
// logged-in pages never are, and that a content change shows at once.
func TestPageCache(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	get := func(path string, header ...string) (string, string) {
		res, body := s.Get(t, path, append([]string{"Accept-Language", "it"}, header...)...)
		return res.Header.Get("X-Cache"), body
	}
	if hit, _ := get("/pagine/privacy"); hit != "" {
		t.Fatal("first visit served from the cache")
	}
	hit, body := get("/pagine/privacy")
	if hit != "hit" || !strings.Contains(body, "trattamento dei dati") {
		t.Fatalf("second visit not cached (%q)", hit)
	}
	if hit, _ := get("/pagine/privacy", "Accept-Language", "en"); hit != "" {
		t.Error("English page served from the Italian entry")
	}
	get("/contatti")
	if hit, _ := get("/contatti"); hit != "" {
		t.Error("a page with a CSRF form was cached")
	}
	// Nor when the visitor already has the CSRF cookie (the page sets no cookie then): the next
	// visitor would get a form carrying someone else's token.
	for i := 0; i < 2; i++ {
		if hit, _ := get("/contatti", "Cookie", "csrf="+apptest.CSRFToken); hit != "" {
			t.Error("a page with a CSRF form was cached for a visitor who had the cookie")
		}
	}
	if _, body := get("/contatti"); strings.Contains(body, apptest.CSRFToken) {
		t.Error("another visitor's CSRF token served")
	}
	cookie := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	if hit, body := get("/pagine/privacy", "Cookie", cookie); hit != "" || !strings.Contains(body, "Mario Rossi") {
		t.Error("a logged-in visitor got the anonymous page")
	}
	src := "---\ntitle: Informativa privacy aggiornata\nsummary: Nuova versione\n---\nTesto nuovo.\n"
	if err := s.Content.Edit(context.Background(), content.TypePage, "privacy", src, "redattore"); err != nil {
		t.Fatal(err)
	}
	if hit, body := get("/pagine/privacy"); hit != "" || !strings.Contains(body, "Informativa privacy aggiornata") {
		t.Errorf("stale page after a content change (cache %q)", hit)
	}
}

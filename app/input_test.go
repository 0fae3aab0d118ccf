package app_test

import (
	"net/url"
	"strings"
	"testing"

	"passhub/app/apptest"
	"passhub/app/identity"
)

// TestInvalidCharactersAreRefusedEverywhere sends a NUL byte, other control characters and invalid
// UTF-8 in the filters of public, reserved, admin and API routes, in a path and in a form: every
// one gets a 400 with the page that says why (JSON for the API), none a 500, and nothing is stored.
func TestInvalidCharactersAreRefusedEverywhere(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	admin := s.Login(t, apptest.FiscalCode("DMNDMN80A01F205"), "Ada", "Admin")
	v, err := s.Identity.Authenticate(t.Context(), strings.TrimPrefix(strings.Split(admin, ";")[0], "pass_session="))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Identity.Grant(t.Context(), identity.Actor{}, v.User.ID, "admin", ""); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, path, cookie string }{
		{"search NUL", "/cerca?q=ambiente%00", ""},
		{"search suggestions NUL", "/cerca/suggerimenti?q=amb%00", ""},
		{"catalogue filter NUL", "/procedure?q=%00", ""},
		{"news tag invalid UTF-8", "/notizie?tag=%FF%FE", ""},
		{"path NUL", "/procedure/rifiuti%00", ""},
		{"control character", "/cerca?q=a%01b", ""},
		{"parameter name NUL", "/cerca?q%00=x", ""},
		{"requests filter", "/area-riservata/richieste?stato=%00", admin},
		{"triage filter", "/area-riservata/triage?q=%00", admin},
		{"audit filter", "/admin/audit?azione=%00", admin},
		{"users filter", "/admin/utenti?q=%C3%28", admin},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, body := s.Get(t, c.path, "Cookie", c.cookie, "Accept-Language", "it")
			if res.StatusCode != 400 {
				t.Fatalf("%s = %d, want 400", c.path, res.StatusCode)
			}
			doc := parse(t, body)
			if h := doc.Find("h1").Text(); !strings.Contains(h, "Richiesta non valida") ||
				!strings.Contains(doc.Find(".lead").Text(), "caratteri non ammessi") {
				t.Errorf("page %q: %q", h, doc.Find(".lead").Text())
			}
		})
	}
	t.Run("API answers JSON", func(t *testing.T) {
		res, body := s.Get(t, "/api/v1/search?q=%00", "Accept-Language", "en")
		if res.StatusCode != 400 || !strings.Contains(body, `"status":400`) || !strings.Contains(body, "not allowed") {
			t.Errorf("API = %d %s", res.StatusCode, body)
		}
	})
	t.Run("form field", func(t *testing.T) {
		before, _ := s.DB.NewSelect().Table("contact_messages").Count(t.Context())
		res, body := s.PostForm(t, "/contatti", url.Values{"_csrf": {apptest.CSRFToken}, "name": {"Mario Rossi"},
			"email": {"mario@example.it"}, "subject": {"Domanda"}, "message": {"Testo con un NUL \x00 in mezzo, abbastanza lungo."}},
			"Cookie", "csrf="+apptest.CSRFToken, "Accept-Language", "it")
		after, _ := s.DB.NewSelect().Table("contact_messages").Count(t.Context())
		if res.StatusCode != 400 || !strings.Contains(body, "caratteri non ammessi") || after != before {
			t.Errorf("contact form = %d, %d messages stored", res.StatusCode, after-before)
		}
	})
	t.Run("valid text passes", func(t *testing.T) {
		for _, p := range []string{"/cerca?q=citt%C3%A0%09e%0Aparchi", "/procedure?q=rifiuti", "/notizie"} {
			if res, _ := s.Get(t, p); res.StatusCode != 200 {
				t.Errorf("%s = %d", p, res.StatusCode)
			}
		}
	})
}

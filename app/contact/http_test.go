package contact_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apptest"
	"passhub/app/config"
)

// The contact page's scenarios over HTTP: a real passhub on its own database.

// nothingStored checks that no message reached the database.
func nothingStored(s *apptest.Server) func(*testing.T, *http.Response, *goquery.Document) {
	return func(t *testing.T, _ *http.Response, _ *goquery.Document) {
		if n := s.ContactMessages(t); n != 0 {
			t.Fatalf("%d messages stored", n)
		}
	}
}

// invalid marks the fields whose error message must show, each with a part of its message.
func invalid(fields map[string]string) map[string]string {
	has := map[string]string{}
	for field, msg := range fields {
		has["#contact-"+field+"-error"] = msg
		has["#contact-"+field+"[aria-invalid=true]"] = ""
	}
	return has
}

func TestContactFormBadInput(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	cookie, token := apptest.CSRF(t, s, "/contatti")
	with := func(change func(url.Values)) url.Values {
		v := apptest.ContactForm()
		v.Set("_csrf", token)
		change(v)
		return v
	}
	alert := func(want string) func(*testing.T, *http.Response, *goquery.Document) {
		return func(t *testing.T, res *http.Response, doc *goquery.Document) {
			if got := doc.Find("[role=alert]").Text(); !strings.Contains(got, want) {
				t.Errorf("alert %q, want %q", got, want)
			}
			nothingStored(s)(t, res, doc)
		}
	}
	post := func(name string, form url.Values, fields map[string]string) apptest.Scenario {
		return apptest.Scenario{Name: name, As: cookie, Method: http.MethodPost, Path: "/contatti", Form: form, Lang: "it",
			Status: 422, Has: invalid(fields), Check: nothingStored(s), Events: []string{}}
	}
	empty := post("empty", with(func(v url.Values) {
		for _, k := range []string{"name", "email", "ente", "subject", "message"} {
			v.Set(k, "")
		}
	}), map[string]string{"name": "obbligatorio", "email": "obbligatorio", "subject": "obbligatorio", "message": "obbligatorio"})
	empty.Check = alert("correggi i campi")
	tooLong := post("too long", with(func(v url.Values) { v.Set("message", strings.Repeat("a", 5001)) }), map[string]string{"message": "al massimo 5000"})
	tooLong.Has["#contact-name[value='Maria Rossi']"] = "" // the typed values are kept
	honeypot := post("honeypot filled", with(func(v url.Values) { v.Set("website", "http://spam.example") }), nil)
	honeypot.Check = alert("non può essere accettato")
	apptest.RunScenarios(t, s, []apptest.Scenario{
		empty,
		post("blank spaces", with(func(v url.Values) { v.Set("name", "   ") }), map[string]string{"name": "obbligatorio"}),
		tooLong,
		post("too short", with(func(v url.Values) { v.Set("message", "ciao") }), map[string]string{"message": "almeno 10"}),
		post("bad email", with(func(v url.Values) { v.Set("email", "maria@") }), map[string]string{"email": "indirizzo e-mail valido"}),
		post("email with a name", with(func(v url.Values) { v.Set("email", "Maria <maria@comune.it>") }), map[string]string{"email": "valido"}),
		honeypot,
		// No Accept-Language: the cookie alone chooses English.
		{Name: "English messages", As: cookie + "; lang=en", Method: http.MethodPost, Path: "/contatti",
			Form: with(func(v url.Values) { v.Set("email", "") }), Status: 422, Has: map[string]string{"#contact-email-error": "This field is required"}},
	})
}

func TestContactFormCSRF(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	cookie, token := apptest.CSRF(t, s, "/contatti")
	wrong := "x" + token[1:]
	if token[0] == 'x' {
		wrong = "y" + token[1:]
	}
	refused := func(name, token string, header ...string) apptest.Scenario {
		f := apptest.ContactForm()
		if token != "" {
			f.Set("_csrf", token)
		}
		return apptest.Scenario{Name: name, Method: http.MethodPost, Path: "/contatti", Form: f, NoCSRF: true, Header: header,
			Status: 403, Text: []string{"Accesso negato"}}
	}
	apptest.RunScenarios(t, s, []apptest.Scenario{
		refused("no cookie, no token", ""),
		refused("no token", "", "Cookie", cookie),
		refused("wrong token", wrong, "Cookie", cookie),
		refused("token without cookie", token),
		refused("cross-site", token, "Cookie", cookie, "Sec-Fetch-Site", "cross-site"),
	})
	if n := s.ContactMessages(t); n != 0 {
		t.Fatalf("%d messages stored without a valid token", n)
	}
	// The header works as well as the field (htmx sends either).
	res, _ := s.PostForm(t, "/contatti", apptest.ContactForm(), "Cookie", cookie, "X-CSRF-Token", token, "Sec-Fetch-Site", "same-origin")
	if res.StatusCode != 200 || s.ContactMessages(t) != 1 {
		t.Errorf("valid header token: %d", res.StatusCode)
	}
}

func TestContactFormSends(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	cookie, token := apptest.CSRF(t, s, "/contatti")
	f := apptest.ContactForm()
	f.Set("_csrf", token)
	f.Set("name", "  Maria   Rossi ")
	apptest.RunScenarios(t, s, []apptest.Scenario{
		{Name: "page", As: cookie, Method: http.MethodPost, Path: "/contatti", Form: f, Lang: "it", Status: 200,
			Has:    map[string]string{".alert-success": "abbiamo ricevuto"},
			Events: []string{"contact.message"},
			Check: func(t *testing.T, _ *http.Response, _ *goquery.Document) {
				var m struct{ Name, Email, Subject, Lang string }
				if err := s.DB.NewSelect().Table("contact_messages").Column("name", "email", "subject", "lang").Scan(context.Background(), &m.Name, &m.Email, &m.Subject, &m.Lang); err != nil {
					t.Fatal(err)
				}
				if m.Name != "Maria Rossi" || m.Email != "maria.rossi@comune.esempio.it" || m.Lang != "it" {
					t.Errorf("stored %+v", m)
				}
			}},
		// htmx gets the form fragment alone.
		{Name: "htmx", As: cookie, Method: http.MethodPost, Path: "/contatti", Form: f, Header: []string{"HX-Request", "true"}, Status: 200,
			Has: map[string]string{"#contact-form": ""}, Lacks: []string{"header"}},
	})
}

func TestContactFormRateLimit(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, func(c *config.Config) { c.ContactLimit = 2; c.ContactWindow = time.Minute })
	cookie, token := apptest.CSRF(t, s, "/contatti")
	f := apptest.ContactForm()
	f.Set("_csrf", token)
	send := apptest.Scenario{As: cookie, Method: http.MethodPost, Path: "/contatti", Form: f, Status: 200}
	first, second := send, send
	first.Name, second.Name = "first message", "second message"
	apptest.RunScenarios(t, s, []apptest.Scenario{first, second,
		{Name: "third message", As: cookie, Method: http.MethodPost, Path: "/contatti", Form: f, Lang: "it", Status: 429,
			Has: map[string]string{"[role=alert]": "troppi messaggi"}, Events: []string{}},
	})
	if n := s.ContactMessages(t); n != 2 {
		t.Errorf("%d stored, want 2", n)
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, func(c *config.Config) { c.BodyLimit = 64 << 10 })
	cookie, token := apptest.CSRF(t, s, "/contatti")
	f := apptest.ContactForm()
	f.Set("_csrf", token)
	f.Set("message", strings.Repeat("x", 100<<10))
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/contatti", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", cookie)
	res, err := s.Client.Do(req)
	if err == nil {
		defer res.Body.Close()
		if res.StatusCode != 413 {
			t.Errorf("oversized body = %d, want 413", res.StatusCode)
		}
	}
	if n := s.ContactMessages(t); n != 0 {
		t.Errorf("%d stored", n)
	}
}

package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/config"
)

// csrf opens the contact page and returns the cookie header and the form token.
func csrf(t *testing.T, s *apptest.Server) (cookie, token string) {
	t.Helper()
	res, body := s.Get(t, "/contatti")
	for _, c := range res.Cookies() {
		if c.Name == "csrf" {
			cookie = c.Name + "=" + c.Value
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("csrf cookie flags: %+v", c)
			}
		}
	}
	token, _ = parse(t, body).Find("input[name=_csrf]").Attr("value")
	if cookie == "" || token == "" {
		t.Fatal("no CSRF cookie or token")
	}
	return cookie, token
}

func valid() url.Values {
	return url.Values{"name": {"Maria Rossi"}, "email": {"maria.rossi@comune.esempio.it"}, "ente": {"Comune di Esempio"},
		"subject": {"Informazioni sulla VIA"}, "message": {"Vorremmo sapere come chiedere supporto sulla VIA."}}
}

func stored(t *testing.T, s *apptest.Server) int {
	t.Helper()
	n, err := s.Contact.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestContactFormBadInput(t *testing.T) {
	s := apptest.Start(t)
	cookie, token := csrf(t, s)
	with := func(change func(url.Values)) url.Values {
		v := valid()
		v.Set("_csrf", token)
		change(v)
		return v
	}
	cases := []struct {
		name   string
		form   url.Values
		status int
		// field ids whose error message must show, with a part of it
		errors map[string]string
		alert  string
	}{
		{"empty", with(func(v url.Values) {
			for _, k := range []string{"name", "email", "ente", "subject", "message"} {
				v.Set(k, "")
			}
		}), 422, map[string]string{"name": "obbligatorio", "email": "obbligatorio", "subject": "obbligatorio", "message": "obbligatorio"}, "correggi i campi"},
		{"blank spaces", with(func(v url.Values) { v.Set("name", "   ") }), 422, map[string]string{"name": "obbligatorio"}, ""},
		{"too long", with(func(v url.Values) { v.Set("message", strings.Repeat("a", 5001)) }), 422, map[string]string{"message": "al massimo 5000"}, ""},
		{"too short", with(func(v url.Values) { v.Set("message", "ciao") }), 422, map[string]string{"message": "almeno 10"}, ""},
		{"bad email", with(func(v url.Values) { v.Set("email", "maria@") }), 422, map[string]string{"email": "indirizzo e-mail valido"}, ""},
		{"email with a name", with(func(v url.Values) { v.Set("email", "Maria <maria@comune.it>") }), 422, map[string]string{"email": "valido"}, ""},
		{"honeypot filled", with(func(v url.Values) { v.Set("website", "http://spam.example") }), 422, nil, "non può essere accettato"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, body := s.PostForm(t, "/contatti", c.form, "Cookie", cookie, "Accept-Language", "it")
			if res.StatusCode != c.status {
				t.Fatalf("status %d, want %d", res.StatusCode, c.status)
			}
			doc := parse(t, body)
			for field, want := range c.errors {
				msg := doc.Find("#contact-" + field + "-error").Text()
				if !strings.Contains(msg, want) {
					t.Errorf("%s: message %q, want %q", field, msg, want)
				}
				if v, _ := doc.Find("#contact-" + field).Attr("aria-invalid"); v != "true" {
					t.Errorf("%s: not marked aria-invalid", field)
				}
			}
			if c.alert != "" && !strings.Contains(doc.Find("[role=alert]").Text(), c.alert) {
				t.Errorf("alert %q, want %q", doc.Find("[role=alert]").Text(), c.alert)
			}
			if c.name == "too long" {
				if v, _ := doc.Find("#contact-name").Attr("value"); v != "Maria Rossi" {
					t.Errorf("typed values not kept: %q", v)
				}
			}
			if n := stored(t, s); n != 0 {
				t.Fatalf("%d messages stored", n)
			}
		})
	}
	t.Run("English messages", func(t *testing.T) {
		f := with(func(v url.Values) { v.Set("email", "") })
		_, body := s.PostForm(t, "/contatti", f, "Cookie", cookie+"; lang=en")
		if msg := parse(t, body).Find("#contact-email-error").Text(); !strings.Contains(msg, "This field is required") {
			t.Errorf("message %q", msg)
		}
	})
}

func TestContactFormCSRF(t *testing.T) {
	s := apptest.Start(t)
	cookie, token := csrf(t, s)
	form := valid()
	wrong := "x" + token[1:]
	if token[0] == 'x' {
		wrong = "y" + token[1:]
	}
	cases := []struct {
		name   string
		token  string
		header []string
	}{
		{"no cookie, no token", "", nil},
		{"no token", "", []string{"Cookie", cookie}},
		{"wrong token", wrong, []string{"Cookie", cookie}},
		{"token without cookie", token, nil},
		{"cross-site", token, []string{"Cookie", cookie, "Sec-Fetch-Site", "cross-site"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := valid()
			if c.token != "" {
				f.Set("_csrf", c.token)
			}
			res, body := s.PostForm(t, "/contatti", f, c.header...)
			if res.StatusCode != 403 || !strings.Contains(body, "Accesso negato") {
				t.Errorf("status %d", res.StatusCode)
			}
		})
	}
	if n := stored(t, s); n != 0 {
		t.Fatalf("%d messages stored without a valid token", n)
	}
	// The header works as well as the field (htmx sends either).
	res, _ := s.PostForm(t, "/contatti", form, "Cookie", cookie, "X-CSRF-Token", token, "Sec-Fetch-Site", "same-origin")
	if res.StatusCode != 200 || stored(t, s) != 1 {
		t.Errorf("valid header token: %d", res.StatusCode)
	}
}

func TestContactFormSends(t *testing.T) {
	s := apptest.Start(t)
	cookie, token := csrf(t, s)
	f := valid()
	f.Set("_csrf", token)
	f.Set("name", "  Maria   Rossi ")
	res, body := s.PostForm(t, "/contatti", f, "Cookie", cookie, "Accept-Language", "it")
	if res.StatusCode != 200 || !strings.Contains(parse(t, body).Find(".alert-success").Text(), "abbiamo ricevuto") {
		t.Fatalf("status %d", res.StatusCode)
	}
	var m struct{ Name, Email, Subject, Lang string }
	if err := s.DB.NewSelect().Table("contact_messages").Column("name", "email", "subject", "lang").Scan(context.Background(), &m.Name, &m.Email, &m.Subject, &m.Lang); err != nil {
		t.Fatal(err)
	}
	if m.Name != "Maria Rossi" || m.Email != "maria.rossi@comune.esempio.it" || m.Lang != "it" {
		t.Errorf("stored %+v", m)
	}
	// htmx gets the form fragment alone.
	res, body = s.PostForm(t, "/contatti", f, "Cookie", cookie, "HX-Request", "true")
	if res.StatusCode != 200 || strings.Contains(body, "<header") || !strings.Contains(body, `id="contact-form"`) {
		t.Errorf("htmx answer: %d %s", res.StatusCode, body)
	}
}

func TestContactFormRateLimit(t *testing.T) {
	s := apptest.Start(t, func(c *config.Config) { c.ContactLimit = 2; c.ContactWindow = time.Minute })
	cookie, token := csrf(t, s)
	f := valid()
	f.Set("_csrf", token)
	for i := 0; i < 2; i++ {
		if res, _ := s.PostForm(t, "/contatti", f, "Cookie", cookie); res.StatusCode != 200 {
			t.Fatalf("message %d: %d", i+1, res.StatusCode)
		}
	}
	res, body := s.PostForm(t, "/contatti", f, "Cookie", cookie, "Accept-Language", "it")
	if res.StatusCode != 429 || !strings.Contains(parse(t, body).Find("[role=alert]").Text(), "troppi messaggi") {
		t.Fatalf("third message: %d", res.StatusCode)
	}
	if n := stored(t, s); n != 2 {
		t.Errorf("%d stored, want 2", n)
	}
}

func TestBodyLimit(t *testing.T) {
	s := apptest.Start(t, func(c *config.Config) { c.BodyLimit = 64 << 10 })
	cookie, token := csrf(t, s)
	f := valid()
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
	if n := stored(t, s); n != 0 {
		t.Errorf("%d stored", n)
	}
}

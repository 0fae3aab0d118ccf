package app_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/plugins/oidc/oidctest"
)

// hostileNext are "next" values (as the handler reads them, decoded once) that a browser would
// follow to another site, or that a proxy decoding them once more would. (A NUL byte is refused
// with a 400 before any handler: TestInvalidCharactersAreRefusedEverywhere.)
var hostileNext = []string{
	"/\t/evil.example", "/\r\n/evil.example", "/\u0085/evil.example", "//evil.example", "/\\evil.example",
	"/\\/evil.example", "\\\\evil.example", "https://evil.example/", "/%2F/evil.example", "/%5Cevil.example",
	"/%09/evil.example", "%2F%2Fevil.example", "/\u202e/evil.example",
}

// wantHome checks that a login ended on the reserved area's home of this site.
func wantHome(t *testing.T, next string, res *http.Response) {
	t.Helper()
	if loc := res.Header.Get("Location"); res.StatusCode != 303 || loc != "/area-riservata" {
		t.Errorf("next=%q: %d Location %q, want 303 /area-riservata", next, res.StatusCode, loc)
	}
}

// noFollow is the browser b that stops at the first redirect its predicate picks.
func noFollow(b *http.Client, stop func(from *http.Request) bool) *http.Client {
	c := *b
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if stop(via[len(via)-1]) {
			return http.ErrUseLastResponse
		}
		return nil
	}
	return &c
}

// TestLoginNeverRedirectsAway stays serial (no t.Parallel): its staff logins each verify an
// argon2 hash of 64 MiB, and beside parallel tests they ran past the request timeout (503).
func TestLoginNeverRedirectsAway(t *testing.T) {
	op := oidctest.Start(t)
	s := apptest.Start(t, func(c *config.Config) { c.OIDCIssuer, c.OIDCClientID = op.URL(), "pass" })
	if _, err := s.Identity.CreateStaff(t.Context(), "anna.admin", "anna@pass.example.it", "Anna", "Admin", "Breakglass-Access-77"); err != nil {
		t.Fatal(err)
	}
	_, body := s.Get(t, "/accedi")
	devButton, _ := parse(t, body).Find("a.pass-login-dev").Attr("href")

	// saml goes from the SP's login route (next given to it directly, not through /accedi) through
	// the dev identity provider's signed response to the assertion consumer.
	saml := func(t *testing.T, next string) *http.Response {
		b := browser()
		u, _ := url.Parse(s.URL + devButton)
		q := u.Query()
		q.Set("next", next)
		u.RawQuery = q.Encode()
		res, err := b.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		page := parse(t, readAll(t, res))
		form := url.Values{"persona": {"delegato"}}
		for _, name := range []string{"SAMLRequest", "RelayState"} {
			v, _ := page.Find("input[name=" + name + "]").Attr("value")
			form.Set(name, v)
		}
		res, err = b.PostForm(s.URL+"/dev/idp/sso", form)
		if err != nil {
			t.Fatal(err)
		}
		post := parse(t, readAll(t, res))
		resp := url.Values{}
		for _, name := range []string{"SAMLResponse", "RelayState"} {
			v, _ := post.Find("input[name=" + name + "]").Attr("value")
			resp.Set(name, v)
		}
		res, err = noFollow(b, func(*http.Request) bool { return true }).PostForm(s.URL+"/auth/saml/acs", resp)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	oidc := func(t *testing.T, next string) *http.Response {
		b := noFollow(browser(), func(from *http.Request) bool { return from.URL.Path == "/auth/oidc/callback" })
		res, err := b.Get(s.URL + "/auth/oidc/login?next=" + url.QueryEscape(next))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	staff := func(t *testing.T, next string) *http.Response {
		res, _ := s.PostForm(t, "/accedi/staff", url.Values{"_csrf": {apptest.CSRFToken}, "username": {"anna.admin"},
			"password": {"Breakglass-Access-77"}, "next": {next}}, "Cookie", "csrf="+apptest.CSRFToken)
		return res
	}
	for name, login := range map[string]func(*testing.T, string) *http.Response{"saml": saml, "oidc": oidc, "staff": staff} {
		t.Run(name, func(t *testing.T) {
			for _, next := range hostileNext {
				wantHome(t, next, login(t, next))
			}
			if res := login(t, "/area-riservata/sessioni?vista=tutte"); res.Header.Get("Location") != "/area-riservata/sessioni?vista=tutte" {
				t.Errorf("a local next is lost: %d %q", res.StatusCode, res.Header.Get("Location"))
			}
		})
	}
	t.Run("login page", func(t *testing.T) {
		cookie := s.Login(t, apptest.FiscalCode("RSSMRA70A01C933"), "Mario", "Rossi")
		for _, next := range hostileNext {
			res, _ := s.Get(t, "/accedi?next="+url.QueryEscape(next), "Cookie", cookie)
			wantHome(t, next, res)
			_, body := s.Get(t, "/accedi?next="+url.QueryEscape(next))
			for _, href := range parse(t, body).Find("a[href*='next=']").Map(func(_ int, a *goquery.Selection) string { v, _ := a.Attr("href"); return v }) {
				u, _ := url.Parse(href)
				if got := u.Query().Get("next"); got != "/area-riservata" {
					t.Errorf("next=%q: login button carries next=%q", next, got)
				}
			}
			_, body = s.Get(t, "/accedi/staff?next="+url.QueryEscape(next))
			if v, _ := parse(t, body).Find("input[name=next]").Attr("value"); v != "/area-riservata" {
				t.Errorf("next=%q: staff form carries %q", next, v)
			}
		}
	})
}

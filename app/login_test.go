package app_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/plugins/oidc/oidctest"
)

// browser is an HTTP client with cookies, following redirects like a browser.
func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 15 * time.Second}
}

func TestLoginThroughOIDCThenSessionsAndLogout(t *testing.T) {
	t.Parallel()
	op := oidctest.Start(t)
	s := apptest.Start(t, func(c *config.Config) { c.OIDCIssuer, c.OIDCClientID = op.URL(), "pass" })
	b := browser()

	_, body := s.Get(t, "/accedi?next=/area-riservata/sessioni", "Accept-Language", "it")
	link, ok := parse(t, body).Find("a.pass-login-oidc").Attr("href")
	if !ok || !strings.Contains(link, "next=%2Farea-riservata%2Fsessioni") {
		t.Fatalf("no OIDC button keeping next: %q", link)
	}
	res, err := b.Get(s.URL + link)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Path != "/area-riservata/sessioni" || res.StatusCode != 200 {
		t.Fatalf("after login: %d at %s", res.StatusCode, res.Request.URL)
	}
	u, _ := url.Parse(s.URL)
	var session *http.Cookie
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == "pass_session" {
			session = c
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
	// The header shows the person; the session list shows this session.
	req, _ := http.NewRequest("GET", s.URL+"/area-riservata/sessioni", nil)
	res, err = b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	doc := parse(t, readAll(t, res))
	if !strings.Contains(doc.Find(".pass-account").Text(), "Mario Rossi") || doc.Find(".pass-session").Length() != 1 {
		t.Errorf("account %q, %d sessions", doc.Find(".pass-account").Text(), doc.Find(".pass-session").Length())
	}
	// Logging out ends the session: the old cookie no longer opens the reserved area.
	token, _ := doc.Find("form[action='/esci'] input[name=_csrf], form[action='/esci-ovunque'] input[name=_csrf]").Attr("value")
	res, err = b.PostForm(s.URL+"/esci-ovunque", url.Values{"_csrf": {token}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	res2, _ := s.Get(t, "/area-riservata", "Cookie", "pass_session="+session.Value)
	if res2.StatusCode != 303 || !strings.HasPrefix(res2.Header.Get("Location"), "/accedi") {
		t.Errorf("old session after logout: %d", res2.StatusCode)
	}
}

func TestLoginRefusedShowsAMessage(t *testing.T) {
	t.Parallel()
	op := oidctest.Start(t)
	op.Tweak = func(c map[string]any) { c["aud"] = "another-client" }
	s := apptest.Start(t, func(c *config.Config) { c.OIDCIssuer, c.OIDCClientID = op.URL(), "pass" })
	b := browser()
	req, _ := http.NewRequest("GET", s.URL+"/auth/oidc/login", nil)
	req.Header.Set("Accept-Language", "it")
	res, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	doc := parse(t, readAll(t, res))
	if res.StatusCode != 401 || !strings.Contains(doc.Find("[role=alert]").Text(), "L'accesso non è riuscito") {
		t.Errorf("refused login: %d %q", res.StatusCode, doc.Find("[role=alert]").Text())
	}
	if n, _ := s.DB.NewSelect().Table("sessions").Count(t.Context()); n != 0 {
		t.Errorf("%d sessions after a refused login", n)
	}
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return sb.String()
}

package app_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/identity"
)

func TestStaffLoginPage(t *testing.T) {
	s := apptest.Start(t)
	if _, err := s.Identity.CreateStaff(context.Background(), "anna.admin", "anna@pass.example.it", "Anna", "Admin", "Breakglass-Access-77"); err != nil {
		t.Fatal(err)
	}
	post := func(user, pw string) (int, string, string) {
		res, body := s.PostForm(t, "/accedi/staff", url.Values{"_csrf": {apptest.CSRFToken}, "username": {user}, "password": {pw}, "next": {"/area-riservata/sessioni"}},
			"Cookie", "csrf="+apptest.CSRFToken, "Accept-Language", "it")
		var session string
		for _, c := range res.Cookies() {
			if c.Name == "pass_session" {
				session = c.Value
			}
		}
		return res.StatusCode, parse(t, body).Find("[role=alert]").Text(), session
	}
	status, alert, session := post("anna.admin", "wrong-password-1")
	if status != 401 || !strings.Contains(alert, "non corretti") || session != "" {
		t.Errorf("wrong password: %d %q", status, alert)
	}
	status, alert, _ = post("nobody", "wrong-password-1")
	if status != 401 || !strings.Contains(alert, "non corretti") {
		t.Errorf("unknown user says something else: %d %q", status, alert)
	}
	res, _ := s.PostForm(t, "/accedi/staff", url.Values{"_csrf": {apptest.CSRFToken}, "username": {"anna.admin"}, "password": {"Breakglass-Access-77"}, "next": {"/area-riservata/sessioni"}},
		"Cookie", "csrf="+apptest.CSRFToken)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/area-riservata/sessioni" {
		t.Fatalf("right password: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// A staff password never opens the registration of an ente.
	staffSession := ""
	for _, c := range res.Cookies() {
		if c.Name == "pass_session" {
			staffSession = c.Value
		}
	}
	if res, _ := s.Get(t, "/area-riservata/registrazione", "Cookie", "pass_session="+staffSession); res.StatusCode != 403 {
		t.Errorf("registration with a staff password: %d", res.StatusCode)
	}
	// Ten failures from one address refuse the address, whatever the name (the successful login
	// above cleared anna.admin's failure from here; "nobody"'s remains).
	for i := 0; i < 9; i++ {
		post("user"+strings.Repeat("x", i), "wrong-password-1")
	}
	status, alert, _ = post("anna.admin", "Breakglass-Access-77")
	if status != 429 || !strings.Contains(alert, "Troppi tentativi") {
		t.Errorf("after 10 failures from one address: %d %q", status, alert)
	}
}

// TestStaffLoginCannotLockSomeoneOut fails on purpose with an existing and an unknown name from
// two addresses behind the proxy: both get the same answers, text and status, until refused; the
// person then logs in from their own address.
func TestStaffLoginCannotLockSomeoneOut(t *testing.T) {
	s := apptest.Start(t, func(c *config.Config) { c.TrustedProxies = []string{"127.0.0.1"} })
	if _, err := s.Identity.CreateStaff(context.Background(), "anna.admin", "anna@pass.example.it", "Anna", "Admin", "Breakglass-Access-77"); err != nil {
		t.Fatal(err)
	}
	post := func(user, pw, from string) (int, string, string) {
		res, body := s.PostForm(t, "/accedi/staff", url.Values{"_csrf": {apptest.CSRFToken}, "username": {user}, "password": {pw}},
			"Cookie", "csrf="+apptest.CSRFToken, "Accept-Language", "it", "X-Forwarded-For", from)
		return res.StatusCode, strings.TrimSpace(parse(t, body).Find("[role=alert]").Text()), res.Header.Get("Location")
	}
	for i := 0; i < identity.PairFailures+1; i++ {
		ks, ka, _ := post("anna.admin", "wrong-password-1", "198.51.100.66")
		us, ua, _ := post("anna.admim", "wrong-password-1", "198.51.100.67")
		if ks != us || ka != ua {
			t.Errorf("attempt %d: existing name %d %q, unknown name %d %q", i+1, ks, ka, us, ua)
		}
		if i == identity.PairFailures && (ks != 429 || !strings.Contains(ka, "Troppi tentativi")) {
			t.Errorf("attempt %d not refused: %d %q", i+1, ks, ka)
		}
	}
	if status, alert, loc := post("anna.admin", "Breakglass-Access-77", "203.0.113.10"); status != 303 || loc != "/area-riservata" {
		t.Errorf("the person is kept out from their own address: %d %q", status, alert)
	}
}

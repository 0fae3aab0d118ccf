package app_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"passhub/app/apptest"
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
	// Failures from one address are limited before the account lockout's five would matter for
	// guessing across accounts.
	for i := 0; i < 8; i++ {
		post("user"+strings.Repeat("x", i), "wrong-password-1")
	}
	status, alert, _ = post("anna.admin", "Breakglass-Access-77")
	if status != 429 || !strings.Contains(alert, "Troppi tentativi") {
		t.Errorf("after 10 failures from one address: %d %q", status, alert)
	}
}

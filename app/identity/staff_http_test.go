package identity_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/identity"
)

// The staff login page over HTTP, on a real passhub. These tests stay serial (no t.Parallel):
// each login verifies an argon2 hash of 64 MiB, and beside parallel tests such logins ran past
// the request timeout (503).

func sessionOf(res *http.Response) string {
	var session string
	for _, c := range res.Cookies() {
		if c.Name == "pass_session" {
			session = c.Value
		}
	}
	return session
}

func TestStaffLoginPage(t *testing.T) {
	s := apptest.Start(t)
	if _, err := s.Identity.CreateStaff(context.Background(), "anna.admin", "anna@pass.example.it", "Anna", "Admin", "Breakglass-Access-77"); err != nil {
		t.Fatal(err)
	}
	login := func(name, user, pw string) apptest.Scenario {
		return apptest.Scenario{Name: name, Method: http.MethodPost, Path: "/accedi/staff", Lang: "it",
			Form: url.Values{"username": {user}, "password": {pw}, "next": {"/area-riservata/sessioni"}}}
	}
	noSession := func(t *testing.T, res *http.Response, _ *goquery.Document) {
		if session := sessionOf(res); session != "" {
			t.Errorf("a failed login opened a session")
		}
	}
	wrong := login("wrong password", "anna.admin", "wrong-password-1")
	wrong.Status, wrong.Has, wrong.Check = 401, map[string]string{"[role=alert]": "non corretti"}, noSession
	// An unknown name gets the same answer as a wrong password.
	unknown := login("unknown user", "nobody", "wrong-password-1")
	unknown.Status, unknown.Has = 401, map[string]string{"[role=alert]": "non corretti"}
	var staffSession string
	right := login("right password", "anna.admin", "Breakglass-Access-77")
	right.Lang, right.Status, right.Location = "", 303, "/area-riservata/sessioni"
	right.Check = func(t *testing.T, res *http.Response, _ *goquery.Document) { staffSession = sessionOf(res) }
	apptest.RunScenarios(t, s, []apptest.Scenario{wrong, unknown, right})
	if t.Failed() {
		t.FailNow()
	}
	// A staff password never opens the registration of an ente.
	apptest.RunScenarios(t, s, []apptest.Scenario{
		{Name: "registration with a staff password", As: "pass_session=" + staffSession, Path: "/area-riservata/registrazione", Status: 403},
	})
	// Ten failures from one address refuse the address, whatever the name (the successful login
	// above cleared anna.admin's failure from here; "nobody"'s remains).
	for i := 0; i < 9; i++ {
		s.Play(t, login("failure", "user"+strings.Repeat("x", i), "wrong-password-1"))
	}
	refused := login("after 10 failures from one address", "anna.admin", "Breakglass-Access-77")
	refused.Status, refused.Has = 429, map[string]string{"[role=alert]": "Troppi tentativi"}
	apptest.RunScenarios(t, s, []apptest.Scenario{refused})
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
		res, body := s.Play(t, apptest.Scenario{Method: http.MethodPost, Path: "/accedi/staff", Lang: "it",
			Form: url.Values{"username": {user}, "password": {pw}}, Header: []string{"X-Forwarded-For", from}})
		return res.StatusCode, strings.TrimSpace(apptest.Parse(t, body).Find("[role=alert]").Text()), res.Header.Get("Location")
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

package app_test

import (
	"net/url"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/config"
)

// TestClientAddressTrustsOnlyConfiguredProxies sends X-Forwarded-For from the loopback peer: when
// the peer is not a configured proxy the header changes nothing (the contact form's limit holds
// and the audit log records the peer); when it is, the header names the client, read from the
// right so that what the client wrote itself on the left is not believed.
// It stays serial (no t.Parallel): its staff logins verify argon2 hashes, which beside parallel
// tests ran past the request timeout, leaving the audit row it reads unwritten.
func TestClientAddressTrustsOnlyConfiguredProxies(t *testing.T) {
	contact := func(t *testing.T, s *apptest.Server, xff string) int {
		t.Helper()
		f := apptest.ContactForm()
		f.Set("_csrf", apptest.CSRFToken)
		res, _ := s.PostForm(t, "/contatti", f, "Cookie", "csrf="+apptest.CSRFToken, "X-Forwarded-For", xff)
		return res.StatusCode
	}
	// auditedIP makes a failed staff login and returns the address the audit log recorded.
	auditedIP := func(t *testing.T, s *apptest.Server, xff string) string {
		t.Helper()
		s.PostForm(t, "/accedi/staff", url.Values{"_csrf": {apptest.CSRFToken}, "username": {"nessuno"}, "password": {"x"}},
			"Cookie", "csrf="+apptest.CSRFToken, "X-Forwarded-For", xff)
		var ip string
		if err := s.DB.NewSelect().Table("audit_entries").Column("ip").Where("action = ?", "login.failed").
			OrderExpr("id DESC").Limit(1).Scan(t.Context(), &ip); err != nil {
			t.Fatal(err)
		}
		return ip
	}
	limit := func(c *config.Config) { c.ContactLimit, c.ContactWindow = 2, time.Minute }

	t.Run("untrusted peer", func(t *testing.T) {
		s := apptest.Start(t, limit)
		for i, xff := range []string{"203.0.113.1", "203.0.113.2"} {
			if got := contact(t, s, xff); got != 200 {
				t.Fatalf("message %d: %d", i+1, got)
			}
		}
		if got := contact(t, s, "203.0.113.3"); got != 429 {
			t.Errorf("a new X-Forwarded-For from an untrusted peer escaped the limit: %d", got)
		}
		if ip := auditedIP(t, s, "198.51.100.7"); ip != "127.0.0.1" {
			t.Errorf("audit recorded %q, want the peer 127.0.0.1", ip)
		}
	})

	t.Run("production without proxies", func(t *testing.T) {
		s := apptest.Start(t, limit, func(c *config.Config) { c.Env, c.BaseURL = config.ModeProduction, "https://pass.example.it" })
		form := apptest.ContactForm()
		form.Set("_csrf", apptest.CSRFToken)
		codes := []int{}
		for _, xff := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"} {
			res, _ := s.PostForm(t, "/contatti", form, "Cookie", "__Host-csrf="+apptest.CSRFToken, "X-Forwarded-For", xff)
			codes = append(codes, res.StatusCode)
		}
		if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 {
			t.Errorf("statuses %v, want 200 200 429: X-Forwarded-For believed from anyone", codes)
		}
	})

	t.Run("trusted proxy", func(t *testing.T) {
		s := apptest.Start(t, limit, func(c *config.Config) { c.TrustedProxies = []string{"127.0.0.1", "10.0.0.0/8"} })
		for i, xff := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"} {
			if got := contact(t, s, xff); got != 200 {
				t.Fatalf("client %d behind the proxy: %d", i+1, got)
			}
		}
		if got := contact(t, s, "203.0.113.1"); got != 200 {
			t.Fatalf("second message of 203.0.113.1: %d", got)
		}
		// The client wrote a left-hand entry of its own: still 203.0.113.1, now at its limit.
		if got := contact(t, s, "192.0.2.50, 203.0.113.1"); got != 429 {
			t.Errorf("a spoofed left-hand entry escaped the limit: %d", got)
		}
		cases := map[string]string{
			"198.51.100.7":                    "198.51.100.7",
			"6.6.6.6, 198.51.100.8":           "198.51.100.8",
			"6.6.6.6, 198.51.100.9, 10.1.2.3": "198.51.100.9", // two proxies
			"[2001:db8::5]:4711":              "2001:db8::5",
			"bogus, 198.51.100.10":            "198.51.100.10",
			"198.51.100.11, bogus":            "127.0.0.1", // the proxy's own entry is malformed
			"10.0.0.1, 10.0.0.2":              "10.0.0.1",  // only proxies: the farthest one
			"::ffff:198.51.100.12":            "198.51.100.12",
		}
		for xff, want := range cases {
			if ip := auditedIP(t, s, xff); ip != want {
				t.Errorf("X-Forwarded-For %q: audit recorded %q, want %q", xff, ip, want)
			}
		}
	})
}

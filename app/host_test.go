package app_test

import (
	"net/http"
	"strings"
	"testing"

	"passhub/app/apptest"
)

// TestDevRedirectsOtherHostsToTheBaseURL asks for pages by another name of the same server (the
// base URL says 127.0.0.1): the browser is sent to the same path on the base URL's host, method
// kept; probes answer on any host.
func TestDevRedirectsOtherHostsToTheBaseURL(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	port := s.URL[strings.LastIndex(s.URL, ":"):]
	get := func(method, path, host string) *http.Response {
		req, _ := http.NewRequest(method, s.URL+path, nil)
		req.Host = host
		res, _ := s.Do(t, req)
		return res
	}
	for _, c := range []struct{ method, path, host string }{
		{"GET", "/accedi?next=%2Farea-riservata", "localhost" + port},
		{"GET", "/", "LOCALHOST" + port},
		{"POST", "/auth/saml/acs", "localhost" + port},
		{"GET", "/procedure", "pass.example" + port},
	} {
		res := get(c.method, c.path, c.host)
		if res.StatusCode != 307 || res.Header.Get("Location") != s.URL+c.path {
			t.Errorf("%s %s on %s: %d %q, want 307 to %s", c.method, c.path, c.host, res.StatusCode, res.Header.Get("Location"), s.URL+c.path)
		}
	}
	if res := get("GET", "/accedi", "127.0.0.1"+port); res.StatusCode != 200 {
		t.Errorf("the base URL's own host: %d", res.StatusCode)
	}
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		if res := get("GET", p, "localhost"+port); res.StatusCode != 200 {
			t.Errorf("%s on another host: %d", p, res.StatusCode)
		}
	}
}

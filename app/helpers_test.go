package app_test

import (
	"context"
	"testing"

	"passhub/app/apptest"
)

// csrf opens the contact page and returns the cookie header and the form token.
func csrf(t *testing.T, s *apptest.Server) (cookie, token string) {
	t.Helper()
	return apptest.CSRF(t, s, "/contatti")
}

// stored is how many contact messages the database holds.
func stored(t *testing.T, s *apptest.Server) int {
	t.Helper()
	n, err := s.Contact.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

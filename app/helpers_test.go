package app_test

import (
	"context"
	"net/url"
	"testing"

	"passhub/app/apptest"
)

// csrf opens the contact page and returns the cookie header and the form token.
func csrf(t *testing.T, s *apptest.Server) (cookie, token string) {
	t.Helper()
	return apptest.CSRF(t, s, "/contatti")
}

// valid is a contact form that the contact page accepts.
func valid() url.Values {
	return url.Values{"name": {"Maria Rossi"}, "email": {"maria.rossi@comune.esempio.it"}, "ente": {"Comune di Esempio"},
		"subject": {"Informazioni sulla VIA"}, "message": {"Vorremmo sapere come chiedere supporto sulla VIA."}}
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

package identity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/audit"
	"passhub/app/auth"
	"passhub/app/db"
	. "passhub/app/identity"
)

func newService(t *testing.T) (*Service, *db.DB, *time.Time) {
	t.Helper()
	a := apptest.New(t, apptest.NoContent)
	s := NewService(a.DB, 30*time.Minute, 12*time.Hour)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	return s, a.DB, &now
}

var mayor = auth.Identity{FiscalCode: "rssmra80a01f205x", Name: "Mario", FamilyName: "Rossi", Email: "sindaco@comune.it", Method: "spid", Issuer: "idp", Level: 2}

func TestLoginCreatesThenRefreshesTheUser(t *testing.T) {
	t.Parallel()
	s, d, _ := newService(t)
	ctx := context.Background()
	u, tok, err := s.Login(ctx, mayor, Client{IP: "127.0.0.1", UserAgent: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if u.FiscalCode != "TINIT-RSSMRA80A01F205X" || u.ID == 0 || tok == "" {
		t.Fatalf("user %+v token %q", u, tok)
	}
	changed := mayor
	changed.FamilyName, changed.Email = "Rossi Bianchi", "mario@comune.it"
	u2, tok2, err := s.Login(ctx, changed, Client{})
	if err != nil {
		t.Fatal(err)
	}
	if u2.ID != u.ID || u2.FamilyName != "Rossi Bianchi" || u2.Email != "mario@comune.it" || tok2 == tok {
		t.Errorf("second login: %+v", u2)
	}
	entries, n, err := audit.List(ctx, d, audit.Filter{Action: "login"})
	if err != nil || n != 2 || entries[0].ActorID != u.ID || entries[0].IP != "" || entries[1].IP != "127.0.0.1" {
		t.Errorf("audit: %d %+v %v", n, entries, err)
	}
	bad := mayor
	bad.FiscalCode = "RSSMRA80A01F205Y"
	if _, _, err := s.Login(ctx, bad, Client{}); !errors.Is(err, auth.ErrNoCode) {
		t.Errorf("bad fiscal code: %v", err)
	}
}

func TestSessionTimeouts(t *testing.T) {
	t.Parallel()
	s, _, now := newService(t)
	ctx := context.Background()
	_, tok, err := s.Login(ctx, mayor, Client{})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.Authenticate(ctx, tok); err != nil || v.User.FiscalCode != "TINIT-RSSMRA80A01F205X" {
		t.Fatalf("fresh session: %v", err)
	}
	// Used every 20 minutes, it lives until the absolute limit.
	for i := 0; i < 40; i++ {
		*now = now.Add(20 * time.Minute)
		if _, err := s.Authenticate(ctx, tok); err != nil {
			if now.Before(time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC)) {
				t.Fatalf("session ended after %d uses at %v: %v", i, now, err)
			}
			break
		}
		if i == 39 {
			t.Fatal("session outlived the absolute limit")
		}
	}
	_, tok, _ = s.Login(ctx, mayor, Client{})
	*now = now.Add(31 * time.Minute)
	if _, err := s.Authenticate(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Errorf("idle session accepted: %v", err)
	}
	for _, bad := range []string{"", "nope", string(make([]byte, 200))} {
		if _, err := s.Authenticate(ctx, bad); !errors.Is(err, ErrNoSession) {
			t.Errorf("token %q accepted", bad)
		}
	}
}

func TestLogoutAndSessionList(t *testing.T) {
	t.Parallel()
	s, d, _ := newService(t)
	ctx := context.Background()
	_, phone, _ := s.Login(ctx, mayor, Client{UserAgent: "phone"})
	_, laptop, _ := s.Login(ctx, mayor, Client{UserAgent: "laptop"})
	other := auth.Identity{FiscalCode: "BNCGLI75M41L219O", Name: "Giulia", FamilyName: "Bianchi", Method: "spid", Level: 2}
	if _, err := auth.NormalizeFiscalCode(other.FiscalCode); err != nil {
		other.FiscalCode = "BNCGLI75M41L219" + string(auth.CheckChar("BNCGLI75M41L219"))
	}
	_, otherTok, err := s.Login(ctx, other, Client{})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := s.Authenticate(ctx, laptop)
	list, err := s.Sessions(ctx, v)
	if err != nil || len(list) != 2 {
		t.Fatalf("sessions: %d %v", len(list), err)
	}
	ov, _ := s.Authenticate(ctx, otherTok)
	if err := s.EndSession(ctx, v, ov.Session.ID, Client{}); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("ended another user's session: %v", err)
	}
	pv, _ := s.Authenticate(ctx, phone)
	if err := s.EndSession(ctx, v, pv.Session.ID, Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, phone); !errors.Is(err, ErrNoSession) {
		t.Error("ended session still works")
	}
	_, phone, _ = s.Login(ctx, mayor, Client{UserAgent: "phone"})
	if n, err := s.LogoutEverywhere(ctx, v, Client{}); err != nil || n != 2 {
		t.Errorf("logout everywhere: %d %v", n, err)
	}
	for _, tok := range []string{phone, laptop} {
		if _, err := s.Authenticate(ctx, tok); !errors.Is(err, ErrNoSession) {
			t.Error("session survived logout everywhere")
		}
	}
	if _, err := s.Authenticate(ctx, otherTok); err != nil {
		t.Errorf("another user's session ended: %v", err)
	}
	// A disabled user is refused at login and loses the sessions at once.
	if _, err := d.NewUpdate().Table("users").Set("disabled = ?", true).Where("id = ?", ov.User.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, otherTok); !errors.Is(err, ErrNoSession) {
		t.Error("disabled user's session still works")
	}
	if _, _, err := s.Login(ctx, other, Client{}); !errors.Is(err, ErrDisabled) {
		t.Errorf("disabled user logged in: %v", err)
	}
}

func TestSessionDeviceIsReadable(t *testing.T) {
	for ua, want := range map[string]Device{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0":                                                        {"Firefox 128", "Windows"},
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1": {"Safari 17", "iOS"},
		"curl/8.5.0": {"curl 8", ""},
		"":           {"", ""},
	} {
		if got := (&Session{UserAgent: ua}).Device(); got != want {
			t.Errorf("%.30q: %+v, want %+v", ua, got, want)
		}
	}
}

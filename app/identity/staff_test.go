package identity_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"passhub/app/apptest"
	"passhub/app/audit"
	. "passhub/app/identity"
)

func TestPasswordHashing(t *testing.T) {
	h := HashPassword("correct horse battery 9")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash format %q", h)
	}
	if !VerifyPassword(h, "correct horse battery 9") || VerifyPassword(h, "correct horse battery 8") || VerifyPassword("$bcrypt$x", "x") {
		t.Error("verification is wrong")
	}
	if HashPassword("same password 123") == HashPassword("same password 123") {
		t.Error("salts are not random")
	}
	for pw, ok := range map[string]bool{"short1!": false, "onlylettersandmore": false, "123456789012345": false,
		"Casa-del-comune-2026": true, "annarossi-password1": false} {
		if err := CheckPassword("annarossi", pw); (err == nil) != ok {
			t.Errorf("%q: %v", pw, err)
		}
	}
}

func TestStaffLoginWithTOTPAndLockout(t *testing.T) {
	t.Parallel()
	a := apptest.New(t, apptest.NoContent)
	s := a.Identity
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	ctx := context.Background()
	const pw = "Breakglass-Access-77"
	if _, err := s.CreateStaff(ctx, "Anna.Admin", "anna@pass.example.it", "Anna", "Admin", "weak"); !errors.Is(err, ErrWeakPassword) {
		t.Errorf("weak password accepted: %v", err)
	}
	u, err := s.CreateStaff(ctx, "Anna.Admin", "anna@pass.example.it", "Anna", "Admin", pw)
	if err != nil {
		t.Fatal(err)
	}
	if _, tok, err := s.StaffLogin(ctx, "anna.admin", pw, "", Client{IP: "10.0.0.1"}); err != nil || tok == "" {
		t.Fatalf("login without TOTP: %v", err)
	}
	if _, _, err := s.StaffLogin(ctx, "nobody", pw, "", Client{}); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("unknown user: %v", err)
	}

	secret, url, err := s.NewTOTPSecret(u)
	if err != nil || !strings.HasPrefix(url, "otpauth://totp/PAsS:") {
		t.Fatalf("secret: %v %q", err, url)
	}
	code := func(at time.Time) string {
		c, _ := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		return c
	}
	if err := s.ConfirmTOTP(ctx, u.ID, secret, "123456"); !errors.Is(err, ErrBadTOTP) && code(now) != "123456" {
		t.Errorf("wrong confirmation code accepted: %v", err)
	}
	if err := s.ConfirmTOTP(ctx, u.ID, secret, code(now)); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	if _, _, err := s.StaffLogin(ctx, "anna.admin", pw, "", Client{}); !errors.Is(err, ErrTOTPRequired) {
		t.Errorf("no code: %v", err)
	}
	if _, _, err := s.StaffLogin(ctx, "anna.admin", pw, code(now.Add(-30*time.Second)), Client{}); err != nil {
		t.Errorf("code one step old (skew): %v", err)
	}
	if _, _, err := s.StaffLogin(ctx, "anna.admin", pw, code(now.Add(-30*time.Second)), Client{}); !errors.Is(err, ErrBadTOTP) {
		t.Errorf("reused code: %v", err)
	}
	now = now.Add(time.Minute)
	if _, _, err := s.StaffLogin(ctx, "anna.admin", pw, code(now), Client{}); err != nil {
		t.Fatalf("fresh code: %v", err)
	}

	// Five wrong passwords from one address refuse that name from that address, even with the
	// right password, for fifteen minutes; the person logs in from elsewhere all the same.
	attacker, office := Client{IP: "198.51.100.66"}, Client{IP: "10.0.0.1"}
	for i := 0; i < PairFailures; i++ {
		if _, _, err := s.StaffLogin(ctx, "anna.admin", "wrong-password-1", "", attacker); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	now = now.Add(time.Minute)
	if _, _, err := s.StaffLogin(ctx, "Anna.Admin ", pw, code(now), attacker); !errors.Is(err, ErrLocked) {
		t.Errorf("the throttled pair let in: %v", err)
	}
	if _, _, err := s.StaffLogin(ctx, "anna.admin", pw, code(now), office); err != nil {
		t.Errorf("the attacker kept the person out from another address: %v", err)
	}
	now = now.Add(PairWindow)
	if _, _, err := s.StaffLogin(ctx, "anna.admin", pw, code(now), attacker); err != nil {
		t.Errorf("after the window: %v", err)
	}
	entries, _, _ := audit.List(ctx, a.DB, audit.Filter{Action: "login.throttled"})
	if len(entries) != 1 || entries[0].IP != attacker.IP {
		t.Errorf("throttling not audited: %+v", entries)
	}
}

// TestStaffLoginTellsNothingAboutNames fails with an unknown and an existing name from one address
// each: the sequences of answers are the same, and so, within noise, is the time they take.
// It stays serial: it compares answer times, which parallel tests would disturb.
func TestStaffLoginTellsNothingAboutNames(t *testing.T) {
	a := apptest.New(t, apptest.NoContent)
	s := a.Identity
	ctx := context.Background()
	if _, err := s.CreateStaff(ctx, "anna.admin", "anna@pass.example.it", "Anna", "Admin", "Breakglass-Access-77"); err != nil {
		t.Fatal(err)
	}
	// The two names take turns, so a change in the machine's load weighs on both alike.
	var known, unknown []error
	var knownTook, unknownTook []time.Duration
	attempt := func(name, ip string, out *[]error, took *[]time.Duration) {
		start := time.Now()
		_, _, err := s.StaffLogin(ctx, name, "wrong-password-1", "", Client{IP: ip})
		*took = append(*took, time.Since(start))
		*out = append(*out, err)
	}
	for i := 0; i < PairFailures+2; i++ {
		attempt("anna.admin", "198.51.100.1", &known, &knownTook)
		attempt("anna.admim", "198.51.100.2", &unknown, &unknownTook)
	}
	for i := range known {
		if !errors.Is(known[i], unknown[i]) && !errors.Is(unknown[i], known[i]) {
			t.Errorf("attempt %d: existing name %v, unknown name %v", i+1, known[i], unknown[i])
		}
	}
	// The failures that ran argon2 (before the pair is throttled) take comparable time.
	median := func(d []time.Duration) time.Duration {
		d = append([]time.Duration(nil), d[:PairFailures]...)
		for i := range d {
			for j := i + 1; j < len(d); j++ {
				if d[j] < d[i] {
					d[i], d[j] = d[j], d[i]
				}
			}
		}
		return d[len(d)/2]
	}
	k, u := median(knownTook), median(unknownTook)
	if k > 2*u || u > 2*k {
		t.Errorf("median time: existing name %v, unknown name %v", k, u)
	}
	t.Logf("median failure: existing name %v, unknown name %v", k, u)
}

package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/uptrace/bun"
	"golang.org/x/crypto/argon2"

	"passhub/app/audit"
	"passhub/app/db"
)

// Errors of staff logins.
var (
	ErrBadCredentials = errors.New("identity: wrong username or password")
	ErrLocked         = errors.New("identity: too many failed attempts with this username from this address")
	ErrThrottled      = errors.New("identity: too many failed attempts from this address")
	ErrTOTPRequired   = errors.New("identity: a one-time code is required")
	ErrWeakPassword   = errors.New("identity: password too weak")
	ErrBadTOTP        = errors.New("identity: wrong one-time code")
)

// Throttling of staff logins: by (username, client address) and by client address, never by
// account alone, so nobody can keep a person out by failing on purpose from elsewhere.
const (
	PairFailures    = 5
	PairWindow      = 15 * time.Minute
	AddressFailures = 10
	AddressWindow   = 5 * time.Minute
	failureMemory   = time.Hour // failures older than this are deleted
)

// argon2id parameters (RFC 9106's second recommended option, 64 MiB).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// HashPassword returns the argon2id hash of password in the PHC string format.
func HashPassword(password string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// VerifyPassword reports whether password matches a PHC argon2id hash, in constant time.
func VerifyPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when the username is unknown, so answers take the same time.
var dummyHash = HashPassword("not a password of anyone")

// CheckPassword enforces the password policy: at least 12 characters, at least two kinds of
// character (letters, digits, symbols), not the username.
func CheckPassword(username, password string) error {
	if len([]rune(password)) < 12 {
		return fmt.Errorf("%w: at least 12 characters", ErrWeakPassword)
	}
	var letter, digit, other bool
	for _, r := range password {
		switch {
		case unicode.IsLetter(r):
			letter = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	kinds := 0
	for _, k := range []bool{letter, digit, other} {
		if k {
			kinds++
		}
	}
	if kinds < 2 {
		return fmt.Errorf("%w: mix letters, digits or symbols", ErrWeakPassword)
	}
	if strings.Contains(strings.ToLower(password), strings.ToLower(username)) {
		return fmt.Errorf("%w: it must not contain the username", ErrWeakPassword)
	}
	return nil
}

// CreateStaff creates a staff account that logs in with a username and password.
func (s *Service) CreateStaff(ctx context.Context, username, email, name, familyName, password string) (*User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if username == "" || len(username) > 100 || strings.ContainsAny(username, " \t@") {
		return nil, errors.New("identity: a username is required: letters, digits, dots, hyphens")
	}
	if err := CheckPassword(username, password); err != nil {
		return nil, err
	}
	now := s.now()
	u := &User{Username: username, Email: email, Name: name, FamilyName: familyName, PasswordHash: HashPassword(password), CreatedAt: now, UpdatedAt: now}
	if err := s.store.InsertUser(ctx, s.db, u); err != nil {
		return nil, fmt.Errorf("identity: create staff %s: %w", username, err)
	}
	return u, nil
}

// UserByUsername returns the staff account with that username.
func (s *Service) UserByUsername(ctx context.Context, username string) (*User, error) {
	u := new(User)
	if err := s.db.NewSelect().Model(u).Where("username = ?", strings.ToLower(strings.TrimSpace(username))).Scan(ctx); err != nil {
		return nil, fmt.Errorf("identity: user %s: %w", username, db.Map(err))
	}
	return u, nil
}

// UserByFiscalCode returns the user with a normalised fiscal code.
func (s *Service) UserByFiscalCode(ctx context.Context, code string) (*User, error) {
	return s.store.UserByFiscalCode(ctx, s.db, code)
}

// SetPassword replaces a user's password.
func (s *Service) SetPassword(ctx context.Context, userID int64, password string) error {
	u, err := s.store.User(ctx, s.db, userID)
	if err != nil {
		return err
	}
	if err := CheckPassword(u.Username, password); err != nil {
		return err
	}
	u.PasswordHash, u.UpdatedAt = HashPassword(password), s.now()
	return s.store.UpdateUser(ctx, s.db, u)
}

// NewTOTPSecret makes a secret for the user's authenticator app and its otpauth:// URL; it is
// stored only when ConfirmTOTP sees a valid code made with it.
func (s *Service) NewTOTPSecret(u *User) (secret, otpauthURL string, err error) {
	account := u.Username
	if account == "" {
		account = u.Email
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "PAsS", AccountName: account})
	if err != nil {
		return "", "", err
	}
	return key.Secret(), key.URL(), nil
}

// ConfirmTOTP stores secret for the user when code is valid for it now.
func (s *Service) ConfirmTOTP(ctx context.Context, userID int64, secret, code string) error {
	step, ok := validTOTP(secret, code, s.now())
	if !ok {
		return ErrBadTOTP
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		u, err := s.store.User(ctx, tx, userID)
		if err != nil {
			return err
		}
		u.TOTPSecret, u.TOTPLastStep, u.UpdatedAt = secret, step, s.now()
		if err := s.store.UpdateUser(ctx, tx, u); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: u.ID, Actor: u.FullName(), Action: "totp.enrol", ObjectType: "user", ObjectID: u.ID})
	})
}

// validTOTP checks a 6-digit code against secret at t, one 30-second step of skew either way,
// and returns the step it matched.
func validTOTP(secret, code string, t time.Time) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	for _, skew := range []int64{0, -1, 1} {
		at := t.Add(time.Duration(skew) * 30 * time.Second)
		want, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return at.Unix() / 30, true
		}
	}
	return 0, false
}

// StaffLogin checks a staff account's password and, when enrolled, its one-time code, and opens a
// session. Failures are counted per (username, client address) and per address, never per account:
// after PairFailures failures of one name from one address in PairWindow that pair is refused
// (ErrLocked), after AddressFailures failures from one address in AddressWindow the address is
// (ErrThrottled), and the account stays open from everywhere else. An unknown username gets the
// same answers, counted the same way, after the same work (an argon2 verification), so answers and
// timing tell nothing about which names exist.
func (s *Service) StaffLogin(ctx context.Context, username, password, code string, from Client) (*User, string, error) {
	name := failureName(username)
	now := s.now()
	entry := audit.Entry{Actor: name, IP: from.IP}
	if err := s.throttled(ctx, name, from.IP, now); err != nil {
		entry.Action, entry.Detail = "login.throttled", "staff: "+err.Error()
		_ = audit.Record(ctx, s.db, entry)
		return nil, "", err
	}
	fail := func(reason error, detail string) (*User, string, error) {
		if _, err := s.db.NewInsert().Model(&loginFailure{Username: name, IP: from.IP, At: now}).Exec(ctx); err != nil {
			return nil, "", fmt.Errorf("identity: staff login: %w", err)
		}
		_, _ = s.db.NewDelete().Model((*loginFailure)(nil)).Where("at < ?", now.Add(-failureMemory)).Exec(ctx)
		entry.Action, entry.Detail = "login.failed", "staff: "+detail
		_ = audit.Record(ctx, s.db, entry)
		return nil, "", reason
	}
	u, err := s.UserByUsername(ctx, username)
	if errors.Is(err, db.ErrNotFound) {
		VerifyPassword(dummyHash, password)
		return fail(ErrBadCredentials, "unknown username")
	} else if err != nil {
		return nil, "", err
	}
	entry = audit.Entry{ActorID: u.ID, Actor: u.FullName(), ObjectType: "user", ObjectID: u.ID, IP: from.IP}
	if u.PasswordHash == "" || !VerifyPassword(u.PasswordHash, password) {
		return fail(ErrBadCredentials, "wrong password")
	}
	if u.Disabled {
		return nil, "", ErrDisabled
	}
	if u.TOTPSecret != "" {
		if strings.TrimSpace(code) == "" {
			return nil, "", ErrTOTPRequired
		}
		step, ok := validTOTP(u.TOTPSecret, code, now)
		if !ok || step <= u.TOTPLastStep {
			return fail(ErrBadTOTP, "wrong or reused one-time code")
		}
		u.TOTPLastStep = step
	}
	var token string
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		u.LastLoginAt, u.LastMethod, u.UpdatedAt = now, "staff", now
		if err := s.store.UpdateUser(ctx, tx, u); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*loginFailure)(nil)).Where("username = ? AND ip = ?", name, from.IP).Exec(ctx); err != nil {
			return err
		}
		var err error
		if token, err = s.openSession(ctx, tx, u.ID, "staff", 2, from); err != nil {
			return err
		}
		entry.Action, entry.Detail = "login", "staff"
		if u.TOTPSecret != "" {
			entry.Detail = "staff with one-time code"
		}
		return audit.Record(ctx, tx, entry)
	})
	if err != nil {
		return nil, "", fmt.Errorf("identity: staff login: %w", err)
	}
	return u, token, nil
}

// loginFailure is one failed staff login: the name typed, normalised, and the client address.
type loginFailure struct {
	bun.BaseModel `bun:"table:staff_login_failures"`
	ID            int64     `bun:"id,pk,autoincrement"`
	Username      string    `bun:"username"`
	IP            string    `bun:"ip"`
	At            time.Time `bun:"at"`
}

// failureName is the username as failures are counted: trimmed, lower case, at most 100 bytes.
func failureName(username string) string {
	name := strings.ToLower(strings.TrimSpace(username))
	for len(name) > 100 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// throttled returns ErrLocked when the pair (name, ip) failed too often lately, ErrThrottled when
// the address did, nil otherwise.
func (s *Service) throttled(ctx context.Context, name, ip string, now time.Time) error {
	pair, err := s.db.NewSelect().Model((*loginFailure)(nil)).Where("username = ? AND ip = ? AND at > ?", name, ip, now.Add(-PairWindow)).Count(ctx)
	if err != nil {
		return fmt.Errorf("identity: staff login: %w", err)
	}
	if pair >= PairFailures {
		return ErrLocked
	}
	addr, err := s.db.NewSelect().Model((*loginFailure)(nil)).Where("ip = ? AND at > ?", ip, now.Add(-AddressWindow)).Count(ctx)
	if err != nil {
		return fmt.Errorf("identity: staff login: %w", err)
	}
	if addr >= AddressFailures {
		return ErrThrottled
	}
	return nil
}

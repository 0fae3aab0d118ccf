package apitoken

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"passhub/app/access"
	"passhub/app/audit"
	"passhub/app/db"
	"passhub/app/once"
)

// Prefix starts every secret, so a leaked token is recognisable (by secret scanners, in logs).
const Prefix = "pass_"

// The shape of a secret: Prefix and 52 characters of base32 (32 random bytes), lower case; the
// first LookupLen of them find the row.
const (
	secretChars = 52
	LookupLen   = 8
)

var secretShape = regexp.MustCompile(`^` + Prefix + `[a-z2-7]{52}$`)

var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Lifetimes are the expiries an admin may choose, in days; the longest is MaxLifetime.
var Lifetimes = []int{7, 30, 90, 180, 365}

// MaxLifetime is the longest a token may live.
const MaxLifetime = 365 * 24 * time.Hour

// TouchEvery is how often, at most, a token's last use is written.
const TouchEvery = time.Minute

// Failed attempts: after MaxFailures failed tokens from one address within FailureWindow, that
// address's tokens are refused (429) until the window ends, valid or not.
const (
	MaxFailures   = 10
	FailureWindow = 10 * time.Minute
)

// Errors of the package.
var (
	ErrBadName   = errors.New("apitoken: the name is empty or longer than 100 characters")
	ErrNoScope   = errors.New("apitoken: a token needs at least one scope")
	ErrBadScope  = errors.New("apitoken: unknown scope")
	ErrBadExpiry = errors.New("apitoken: the expiry is not one of the lifetimes offered")
	ErrInvalid   = errors.New("apitoken: no such token")
	ErrExpired   = errors.New("apitoken: the token expired")
	ErrRevoked   = errors.New("apitoken: the token was revoked")
	ErrThrottled = errors.New("apitoken: too many failed tokens from this address")
)

// Actor is who creates or revokes a token, for the audit log.
type Actor = audit.Actor

// Form is what an admin asks for a new token.
type Form struct {
	Name   string
	Scopes []string
	Days   int // one of Lifetimes
}

// Service owns the rules of API tokens.
type Service struct {
	db    *db.DB
	store Store
	now   func() time.Time

	mu       sync.Mutex
	failures map[string]*failure
}

type failure struct {
	count int
	since time.Time
}

// NewService returns the token service.
func NewService(d *db.DB) *Service {
	return &Service{db: d, now: func() time.Time { return time.Now().UTC() }, failures: map[string]*failure{}}
}

// Create stores a new token and returns it with its secret, which exists nowhere else: only its
// SHA-256 is stored.
func (s *Service) Create(ctx context.Context, by Actor, f Form) (*Token, string, error) {
	name := strings.Join(strings.Fields(f.Name), " ")
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return nil, "", ErrBadName
	}
	var scopes []string
	for _, sc := range access.Scopes { // in the policy's order, each once
		if slices.Contains(f.Scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	for _, sc := range f.Scopes {
		if !slices.Contains(access.Scopes, sc) {
			return nil, "", ErrBadScope
		}
	}
	if len(scopes) == 0 {
		return nil, "", ErrNoScope
	}
	if !slices.Contains(Lifetimes, f.Days) || time.Duration(f.Days)*24*time.Hour > MaxLifetime {
		return nil, "", ErrBadExpiry
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, "", fmt.Errorf("apitoken: random: %w", err)
	}
	secret := Prefix + strings.ToLower(encoding.EncodeToString(b))
	now := s.now()
	t := &Token{Name: name, Lookup: secret[len(Prefix) : len(Prefix)+LookupLen], SecretHash: hash(secret),
		Scopes: strings.Join(scopes, " "), CreatedBy: by.UserID, CreatedAt: now, ExpiresAt: now.AddDate(0, 0, f.Days)}
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := once.Claim(ctx, tx); err != nil { // a form sent twice makes one token
			return err
		}
		if err := s.store.Insert(ctx, tx, t); err != nil {
			return err
		}
		if err := once.Done(ctx, tx, "api_token", t.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: by.UserID, Actor: by.Name, IP: by.IP, Action: "apitoken.create",
			ObjectType: "api_token", ObjectID: t.ID,
			Detail: fmt.Sprintf("%s (%s) [%s] expires %s", name, t.Display(), t.Scopes, t.ExpiresAt.Format("2006-01-02"))})
	})
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// Revoke revokes a token at once; revoking it again is db.ErrNotFound.
func (s *Service) Revoke(ctx context.Context, by Actor, id int64) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		t, err := s.store.Get(ctx, tx, id)
		if err != nil {
			return err
		}
		ok, err := s.store.Revoke(ctx, tx, id, by.UserID, s.now())
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("apitoken: token %d revoked already: %w", id, db.ErrNotFound)
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: by.UserID, Actor: by.Name, IP: by.IP, Action: "apitoken.revoke",
			ObjectType: "api_token", ObjectID: id, Detail: t.Name + " (" + t.Display() + ")"})
	})
}

// List returns every token, newest first.
func (s *Service) List(ctx context.Context) ([]Token, error) { return s.store.List(ctx, s.db) }

// Get returns one token.
func (s *Service) Get(ctx context.Context, id int64) (*Token, error) {
	return s.store.Get(ctx, s.db, id)
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Verify returns the active token whose secret this is, and records its use (at most once per
// TouchEvery). A secret of the wrong shape or matching no token is ErrInvalid, one of an expired
// or revoked token ErrExpired or ErrRevoked; each counts as a failure of the address ip, and an
// address with MaxFailures failures in FailureWindow gets ErrThrottled whatever it sends.
func (s *Service) Verify(ctx context.Context, secret, ip string) (*Token, error) {
	now := s.now()
	if s.throttled(ip, now) {
		return nil, ErrThrottled
	}
	t, err := s.find(ctx, secret, now)
	if errors.Is(err, ErrInvalid) || errors.Is(err, ErrExpired) || errors.Is(err, ErrRevoked) {
		s.fail(ip, now)
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if now.Sub(t.LastUsedAt) >= TouchEvery {
		if err := s.store.Touch(ctx, s.db, t.ID, now, now.Add(-TouchEvery)); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (s *Service) find(ctx context.Context, secret string, now time.Time) (*Token, error) {
	if !secretShape.MatchString(secret) {
		return nil, ErrInvalid
	}
	rows, err := s.store.ByLookup(ctx, s.db, secret[len(Prefix):len(Prefix)+LookupLen])
	if err != nil {
		return nil, err
	}
	want := []byte(hash(secret))
	for i := range rows {
		if subtle.ConstantTimeCompare([]byte(rows[i].SecretHash), want) != 1 {
			continue
		}
		switch t := &rows[i]; {
		case t.Revoked():
			return nil, ErrRevoked
		case t.Expired(now):
			return nil, ErrExpired
		default:
			return t, nil
		}
	}
	return nil, ErrInvalid
}

func hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// throttled reports whether ip failed MaxFailures times in the current window.
func (s *Service) throttled(ip string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.failures[ip]
	if !ok {
		return false
	}
	if now.Sub(f.since) >= FailureWindow {
		delete(s.failures, ip)
		return false
	}
	return f.count >= MaxFailures
}

// fail counts one failed token of ip; the window starts at the first failure.
func (s *Service) fail(ip string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failures) > 10000 { // forget finished windows before the map grows further
		for k, f := range s.failures {
			if now.Sub(f.since) >= FailureWindow {
				delete(s.failures, k)
			}
		}
	}
	f, ok := s.failures[ip]
	if !ok || now.Sub(f.since) >= FailureWindow {
		f = &failure{since: now}
		s.failures[ip] = f
	}
	f.count++
}

// Package preview signs and opens preview links: a URL, made in the newsroom by someone who may
// write, that shows one draft revision of an entry as its public page will show it, to a
// reviewer without an account. The link is stateless: it names the entry, the revision and the
// expiry, signed with HMAC-SHA256 under the server's preview key. It stops working when it
// expires, when its signature does not match, or when its revision is no longer the entry's
// latest draft or revision in review (saved over, published, archived).
package preview

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"passhub/app/keyfile"
	"strconv"
	"strings"
	"time"

	"passhub/app/content"
	"passhub/app/db"
)

// Lifetimes of a link.
const (
	DefaultDays = 7
	MaxDays     = 30
)

// Errors of a link.
var (
	// ErrTampered is a link whose signature does not match (or that is no link at all).
	ErrTampered = errors.New("preview: the link is not valid")
	// ErrExpired is a link past its expiry.
	ErrExpired = errors.New("preview: the link has expired")
	// ErrRevoked is a link whose revision is no longer the entry's draft or revision in review.
	ErrRevoked = errors.New("preview: the revision is no longer a draft")
	// ErrDays is a lifetime outside 1…MaxDays days.
	ErrDays = errors.New("preview: lifetime out of range")
)

// Link is what a preview link names.
type Link struct {
	EntryID, RevisionID int64
	Expires             time.Time
}

// Service signs and opens links.
type Service struct {
	key     []byte
	content *content.Service
	// Now is the clock (tests move it).
	Now func() time.Time
}

// NewService returns the service signing with key (at least 32 bytes).
func NewService(key []byte, cs *content.Service) (*Service, error) {
	if len(key) < 32 {
		return nil, errors.New("preview: the key must have at least 32 bytes")
	}
	return &Service{key: key, content: cs, Now: time.Now}, nil
}

// Key returns the preview key: configured (PASSHUB_PREVIEW_KEY, at least 32 characters), or else
// the one kept in dataDir/preview.key, made at the first start. Several instances must share it:
// configure it, or share the data folder.
func Key(configured, dataDir string) ([]byte, error) {
	if configured != "" {
		if len(configured) < 32 {
			return nil, errors.New("preview: preview_key must have at least 32 characters")
		}
		return []byte(configured), nil
	}
	k, err := keyfile.Load(dataDir, "preview.key", 32)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	return k, nil
}

// Token is the signed text of a link: entry.revision.expiry.signature.
func (s *Service) Token(l Link) string {
	payload := fmt.Sprintf("%d.%d.%d", l.EntryID, l.RevisionID, l.Expires.Unix())
	return payload + "." + s.sign(payload)
}

func (s *Service) sign(payload string) string {
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte("passhub preview v1\n" + payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Verify checks a token's signature, then its expiry.
func (s *Service) Verify(token string) (Link, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 4 {
		return Link{}, ErrTampered
	}
	payload := strings.Join(parts[:3], ".")
	if !hmac.Equal([]byte(parts[3]), []byte(s.sign(payload))) {
		return Link{}, ErrTampered
	}
	var n [3]int64
	for i := range n {
		v, err := strconv.ParseInt(parts[i], 10, 64)
		if err != nil {
			return Link{}, ErrTampered
		}
		n[i] = v
	}
	l := Link{EntryID: n[0], RevisionID: n[1], Expires: time.Unix(n[2], 0).UTC()}
	if !s.Now().Before(l.Expires) {
		return l, ErrExpired
	}
	return l, nil
}

// Create makes a link to revision base of t/slug valid for days days (0: DefaultDays). base
// must be the entry's latest revision, a draft or in review. It returns the link's path.
func (s *Service) Create(ctx context.Context, t content.Type, slug string, base int64, days int) (string, time.Time, error) {
	if days == 0 {
		days = DefaultDays
	}
	if days < 1 || days > MaxDays {
		return "", time.Time{}, ErrDays
	}
	w, err := s.content.Work(ctx, t, slug)
	if err != nil {
		return "", time.Time{}, err
	}
	if w.Head.ID != base {
		return "", time.Time{}, content.ErrMoved
	}
	if !previewable(w.Head) {
		return "", time.Time{}, content.ErrStep
	}
	exp := s.Now().Add(time.Duration(days) * 24 * time.Hour).UTC().Truncate(time.Second)
	return "/anteprima/" + s.Token(Link{EntryID: w.Entry.ID, RevisionID: base, Expires: exp}), exp, nil
}

func previewable(r *content.Revision) bool {
	return r.State == content.StateDraft || r.State == content.StateReview
}

// Open checks token and returns the revision it names, rendered, with its type.
func (s *Service) Open(ctx context.Context, token string) (*content.Published, *content.Definition, Link, error) {
	l, err := s.Verify(token)
	if err != nil {
		return nil, nil, l, err
	}
	p, head, err := s.content.RevisionOf(ctx, l.EntryID, l.RevisionID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil, l, ErrRevoked
	}
	if err != nil {
		return nil, nil, l, err
	}
	if head.ID != l.RevisionID || !previewable(head) {
		return nil, nil, l, ErrRevoked
	}
	def, ok := content.Lookup(p.Entry.Type)
	if !ok {
		return nil, nil, l, ErrRevoked
	}
	return p, def, l, nil
}

package webhook

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"passhub/app/keyfile"
	"strings"
)

// SealedPrefix begins every secret stored encrypted: "enc:v1:<key id>:<base64 nonce+ciphertext>".
// v1 is AES-256-GCM with a random 96-bit nonce per secret; the key id (the first 8 hex digits of
// the key's SHA-256) names the key it was sealed with, so a later key can be added beside it.
const SealedPrefix = "enc:v1:"

// KeySize is the length of the secrets key: 32 bytes, AES-256.
const KeySize = 32

// ErrWrongKey is a stored secret that the configured key cannot open: sealed under another key,
// or altered.
var ErrWrongKey = errors.New("webhook: the endpoint's secret cannot be decrypted with PASSHUB_WEBHOOK_KEY")

// Sealer encrypts the endpoints' signing secrets for the database, and decrypts them to sign.
type Sealer struct {
	id   string
	aead cipher.AEAD
}

// NewSealer returns the sealer of key (KeySize bytes).
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("webhook: the secrets key must be %d bytes, not %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(key)
	return &Sealer{id: hex.EncodeToString(sum[:4]), aead: aead}, nil
}

// KeyID names the key: the first 8 hex digits of its SHA-256.
func (s *Sealer) KeyID() string { return s.id }

// aad binds a ciphertext to its use: a sealed secret cannot be passed off as another kind of value.
var aad = []byte("passhub webhook secret")

// Seal encrypts a secret for storage.
func (s *Sealer) Seal(secret string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, []byte(secret), aad)
	return SealedPrefix + s.id + ":" + base64.RawStdEncoding.EncodeToString(out), nil
}

// Sealed reports whether a stored value is a sealed secret (and not a clear one of old).
func Sealed(stored string) bool { return strings.HasPrefix(stored, SealedPrefix) }

// Open decrypts a stored secret. A secret of another key, or altered, is ErrWrongKey, with the
// key ids in the message.
func (s *Sealer) Open(stored string) (string, error) {
	if !Sealed(stored) {
		return "", fmt.Errorf("webhook: the stored secret is not encrypted (%s…)", SealedPrefix)
	}
	id, data, ok := strings.Cut(strings.TrimPrefix(stored, SealedPrefix), ":")
	if !ok {
		return "", fmt.Errorf("%w: not a sealed secret", ErrWrongKey)
	}
	if id != s.id {
		return "", fmt.Errorf("%w: it was encrypted with key %s, the configured key is %s", ErrWrongKey, id, s.id)
	}
	raw, err := base64.RawStdEncoding.DecodeString(data)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", fmt.Errorf("%w: not a sealed secret", ErrWrongKey)
	}
	clear, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], aad)
	if err != nil {
		return "", fmt.Errorf("%w: key %s does not authenticate it (altered?)", ErrWrongKey, s.id)
	}
	return string(clear), nil
}

// Key returns the secrets key: configured (PASSHUB_WEBHOOK_KEY, 64 hex digits), or else, in dev,
// the one kept in dataDir/webhook.key, made at the first start. Production refuses to start
// without a configured key (config.Validate), since losing the data folder's key would lose
// every endpoint's secret.
func Key(configured, dataDir string) ([]byte, error) {
	if configured != "" {
		k, err := hex.DecodeString(strings.TrimSpace(configured))
		if err != nil || len(k) != KeySize {
			return nil, fmt.Errorf("webhook: PASSHUB_WEBHOOK_KEY must be %d hex digits (openssl rand -hex %d)", 2*KeySize, KeySize)
		}
		return k, nil
	}
	k, err := keyfile.Load(dataDir, "webhook.key", KeySize)
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	if len(k) != KeySize {
		return nil, fmt.Errorf("webhook: webhook.key holds a key of %d bytes, not %d", len(k), KeySize)
	}
	return k, nil
}

// SealSecrets encrypts the secrets still stored in clear (endpoints registered before secrets
// were encrypted), each by a conditional update, so running it again or on two instances at
// once changes nothing more. It returns how many it sealed, and the ids of the endpoints whose
// secrets the configured key cannot open (logged: their deliveries fail with ErrWrongKey).
func (s *Service) SealSecrets(ctx context.Context) (sealed int, unreadable []int64, err error) {
	var eps []Endpoint
	if err := s.db.NewSelect().Model(&eps).Column("id", "secret").Order("id").Scan(ctx); err != nil {
		return 0, nil, wrap("secrets", err)
	}
	for _, ep := range eps {
		if Sealed(ep.Secret) {
			if _, err := s.sealer.Open(ep.Secret); err != nil {
				unreadable = append(unreadable, ep.ID)
			}
			continue
		}
		enc, err := s.sealer.Seal(ep.Secret)
		if err != nil {
			return sealed, unreadable, err
		}
		res, err := s.db.NewUpdate().Model((*Endpoint)(nil)).Set("secret = ?", enc).Where("id = ?", ep.ID).
			Where("secret = ?", ep.Secret).Exec(ctx)
		if err != nil {
			return sealed, unreadable, wrap("seal secret", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			sealed++
		}
	}
	if len(unreadable) > 0 {
		s.Log.Error("webhook: endpoint secrets encrypted with another key: their deliveries fail until PASSHUB_WEBHOOK_KEY is the key they were encrypted with, or the endpoints are registered again",
			"endpoints", unreadable, "key", s.sealer.KeyID())
	}
	return sealed, unreadable, nil
}

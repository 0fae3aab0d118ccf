package webhook_test

import (
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/webhook"
)

func sealer(t *testing.T, hexKey string) *webhook.Sealer {
	t.Helper()
	k, err := hex.DecodeString(hexKey)
	if err != nil {
		t.Fatal(err)
	}
	s, err := webhook.NewSealer(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSealer: a secret comes back from its sealed form; two seals of one secret differ (a nonce
// each); another key, or an altered ciphertext, is ErrWrongKey naming the key ids.
func TestSealer(t *testing.T) {
	s := sealer(t, apptest.WebhookKey)
	secret := webhook.NewSecret()
	a, err := s.Seal(secret)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Seal(secret)
	if a == b || !strings.HasPrefix(a, webhook.SealedPrefix+s.KeyID()+":") || strings.Contains(a, strings.TrimPrefix(secret, "whsec_")) {
		t.Errorf("sealed %q and %q", a, b)
	}
	if got, err := s.Open(a); err != nil || got != secret {
		t.Errorf("open = %q, %v", got, err)
	}
	other := sealer(t, strings.Repeat("42", 32))
	if _, err := other.Open(a); !errors.Is(err, webhook.ErrWrongKey) || !strings.Contains(err.Error(), "encrypted with key "+s.KeyID()) ||
		!strings.Contains(err.Error(), other.KeyID()) {
		t.Errorf("another key: %v", err)
	}
	altered := a[:len(a)-3] + map[bool]string{true: "AAA", false: "BBB"}[!strings.HasSuffix(a, "AAA")]
	if _, err := s.Open(altered); !errors.Is(err, webhook.ErrWrongKey) {
		t.Errorf("altered: %v", err)
	}
	if _, err := s.Open(secret); err == nil {
		t.Error("a clear secret opened")
	}
	if _, err := webhook.NewSealer([]byte("short")); err == nil {
		t.Error("a short key accepted")
	}
}

// TestKeyKeptInTheDataFolder: without a configured key, one is made at the first start, kept
// in DATA_DIR/webhook.key (mode 0600) and read back next time; a configured key must be 64 hex
// digits.
func TestKeyKeptInTheDataFolder(t *testing.T) {
	dir := t.TempDir()
	k1, err := webhook.Key("", dir)
	if err != nil || len(k1) != webhook.KeySize {
		t.Fatalf("key %x, %v", k1, err)
	}
	fi, err := os.Stat(filepath.Join(dir, "webhook.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v %v", fi, err)
	}
	if k2, err := webhook.Key("", dir); err != nil || string(k2) != string(k1) {
		t.Errorf("second start: %x %v", k2, err)
	}
	if k, err := webhook.Key(apptest.WebhookKey, dir); err != nil || hex.EncodeToString(k) != apptest.WebhookKey {
		t.Errorf("configured key: %x %v", k, err)
	}
	if _, err := webhook.Key("abc", dir); err == nil || !strings.Contains(err.Error(), "PASSHUB_WEBHOOK_KEY") {
		t.Errorf("a bad configured key: %v", err)
	}
}

// TestSecretsEncryptedAtRest: the database never holds an endpoint's secret in clear, and
// deliveries are still signed with it; secrets stored in clear before are encrypted at start,
// once (a second run changes nothing); a secret encrypted with another key is reported, and its
// deliveries fail saying why.
func TestSecretsEncryptedAtRest(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, allowLoopback)
	ctx := context.Background()
	_, adminID := admin(t, s)
	rc := newReceiver(t, nil)
	ep := create(t, s, adminID, rc.URL, false, "content.changed")
	stored := func(id int64) string {
		var v string
		if err := s.DB.NewSelect().Table("webhook_endpoints").Column("secret").Where("id = ?", id).Scan(ctx, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	clear := ep.Secret
	if v := stored(ep.ID); !strings.HasPrefix(v, webhook.SealedPrefix) || strings.Contains(v, strings.TrimPrefix(clear, "whsec_")) {
		t.Fatalf("stored secret %q", v)
	}
	if got, err := sealer(t, apptest.WebhookKey).Open(stored(ep.ID)); err != nil || got != clear {
		t.Fatalf("stored secret opens to %q, %v", got, err)
	}
	contentEvent(t, s)
	waitFor(t, "the delivery", 10*time.Second, func() bool { return len(rc.received()) == 1 })
	verify(t, clear, rc.received()[0])

	// A secret of old, in clear: sealed at start, once.
	if _, err := s.DB.NewUpdate().Table("webhook_endpoints").Set("secret = ?", clear).Where("id = ?", ep.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if n, bad, err := s.Webhooks.SealSecrets(ctx); err != nil || n != 1 || len(bad) != 0 {
		t.Fatalf("seal = %d %v %v", n, bad, err)
	}
	once := stored(ep.ID)
	if !webhook.Sealed(once) || strings.Contains(once, strings.TrimPrefix(clear, "whsec_")) {
		t.Fatalf("not sealed: %q", once)
	}
	if n, _, err := s.Webhooks.SealSecrets(ctx); err != nil || n != 0 || stored(ep.ID) != once {
		t.Errorf("second run sealed %d (%v)", n, err)
	}
	contentEvent(t, s)
	waitFor(t, "the second delivery", 10*time.Second, func() bool { return len(rc.received()) == 2 })
	verify(t, clear, rc.received()[1])

	// Encrypted with another key: reported at start, and the delivery fails saying so.
	foreign, err := sealer(t, strings.Repeat("42", 32)).Seal(clear)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.NewUpdate().Table("webhook_endpoints").Set("secret = ?", foreign).Where("id = ?", ep.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if n, bad, err := s.Webhooks.SealSecrets(ctx); err != nil || n != 0 || len(bad) != 1 || bad[0] != ep.ID {
		t.Errorf("another key: sealed %d, unreadable %v, %v", n, bad, err)
	}
	contentEvent(t, s)
	waitFor(t, "the failed attempt", 10*time.Second, func() bool {
		for _, d := range deliveries(t, s, ep.ID) {
			if d.Attempts > 0 && d.LastStatus == 0 && d.LastError != "" {
				if !strings.Contains(d.LastError, "PASSHUB_WEBHOOK_KEY") || !strings.Contains(d.LastError, "encrypted with key") {
					t.Fatalf("last error %q", d.LastError)
				}
				return true
			}
		}
		return false
	})
	if n := len(rc.received()); n != 2 {
		t.Errorf("the receiver got %d posts, want 2: nothing is posted without the secret", n)
	}
}

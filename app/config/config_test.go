package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultsAreValid(t *testing.T) {
	c := Defaults()
	c.Derive()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Env != ModeDev || c.Addr != ":8080" || c.BaseURL != "http://localhost:8080" || c.DataDir != "./data" || c.ContentDir != "./content" || c.DatabaseURL != "" {
		t.Errorf("defaults: %+v", c)
	}
}

func TestLoadLayersFileThenEnvironment(t *testing.T) {
	file := filepath.Join(t.TempDir(), "passhub.yaml")
	if err := os.WriteFile(file, []byte("addr: \":9090\"\ndata_dir: /srv/pass\ncontact_window: 5m\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PASSHUB_DATA_DIR", "/var/lib/pass")
	t.Setenv("PASSHUB_DATABASE_URL", "postgres://pass:segreto@db:5432/pass")
	c, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9090" || c.DataDir != "/var/lib/pass" || c.ContactWindow != 5*time.Minute {
		t.Errorf("loaded %+v", c)
	}
	masked := c.Masked()
	if strings.Contains(masked, "segreto") || !strings.Contains(masked, "pass:xxxxx@db") {
		t.Errorf("secret not masked:\n%s", masked)
	}
}

func TestLoadRejectsUnknownFileKeys(t *testing.T) {
	file := filepath.Join(t.TempDir(), "passhub.yaml")
	_ = os.WriteFile(file, []byte("adr: \":9090\"\n"), 0o600)
	if _, err := Load(file); err == nil || !strings.Contains(err.Error(), "adr") {
		t.Errorf("unknown key accepted: %v", err)
	}
}

func TestValidateNamesEveryProblem(t *testing.T) {
	t.Setenv("PASSHUB_ENV", "staging")
	t.Setenv("PASSHUB_BASE_URL", "localhost")
	t.Setenv("PASSHUB_DATABASE_URL", "mysql://x")
	t.Setenv("PASSHUB_LOG_LEVEL", "loud")
	_, err := Load("")
	if err == nil {
		t.Fatal("bad configuration accepted")
	}
	for _, want := range []string{"PASSHUB_ENV", "PASSHUB_BASE_URL", "PASSHUB_DATABASE_URL", "PASSHUB_LOG_LEVEL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
	t.Setenv("PASSHUB_CONTACT_WINDOW", "ten minutes")
	if _, err := Load(""); err == nil || !strings.Contains(err.Error(), "CONTACT_WINDOW") {
		t.Errorf("bad duration: %v", err)
	}
}

func TestProductionNeedsHTTPS(t *testing.T) {
	c := Defaults()
	c.Env = ModeProduction
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "https") {
		t.Errorf("production over http accepted: %v", err)
	}
	c.BaseURL = "https://pass.regione.lombardia.it"
	c.WebhookKey = strings.Repeat("ab", 32)
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
}

// TestProductionNeedsWebhookKey: production refuses to start without the key of the webhook
// secrets, naming the variable and how to make one; a key that is not 64 hex digits is refused
// in any mode; dev runs without one.
func TestProductionNeedsWebhookKey(t *testing.T) {
	c := Defaults()
	c.BaseURL = "http://localhost:8080"
	if err := c.Validate(); err != nil {
		t.Errorf("dev without a webhook key: %v", err)
	}
	c.Env, c.BaseURL = ModeProduction, "https://pass.example.it"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "PASSHUB_WEBHOOK_KEY: must be set in production mode") ||
		!strings.Contains(err.Error(), "openssl rand -hex 32") {
		t.Errorf("production without a webhook key: %v", err)
	}
	for _, k := range []string{"corta", strings.Repeat("ab", 31), strings.Repeat("zz", 32)} {
		c.WebhookKey = k
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "PASSHUB_WEBHOOK_KEY: must be 64 hex digits") {
			t.Errorf("key %q: %v", k, err)
		}
	}
	c.WebhookKey = strings.Repeat("ab", 32)
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
	if !strings.Contains(c.Masked(), "webhook_key") || strings.Contains(c.Masked(), c.WebhookKey) {
		t.Errorf("webhook key not masked:\n%s", c.Masked())
	}
}

func TestDevIdPRefusedInProduction(t *testing.T) {
	c := Defaults()
	if !c.DevIdPEnabled() {
		t.Error("dev identity provider off by default in dev mode")
	}
	c.Env, c.BaseURL = ModeProduction, "https://pass.example.it"
	if c.DevIdPEnabled() {
		t.Error("dev identity provider on by default in production")
	}
	c.DevIdP = "on"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "refuses to run in production") {
		t.Errorf("dev identity provider accepted in production: %v", err)
	}
}

func TestTrustedProxies(t *testing.T) {
	t.Setenv("PASSHUB_TRUSTED_PROXIES", "10.0.0.5, 192.168.0.0/16,2001:db8::/32")
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.TrustedProxies) != 3 {
		t.Errorf("trusted proxies %q", c.TrustedProxies)
	}
	t.Setenv("PASSHUB_TRUSTED_PROXIES", "10.0.0.5,proxy.example")
	if _, err := Load(""); err == nil || !strings.Contains(err.Error(), "PASSHUB_TRUSTED_PROXIES") || !strings.Contains(err.Error(), "proxy.example") {
		t.Errorf("a host name accepted as a proxy: %v", err)
	}
}

func TestBaseURLFollowsTheAddressInDev(t *testing.T) {
	cases := map[string]string{
		":8080": "http://localhost:8080", ":9090": "http://localhost:9090", "0.0.0.0:7000": "http://localhost:7000",
		"127.0.0.1:9090": "http://127.0.0.1:9090", "localhost:8081": "http://localhost:8081", "[::1]:8080": "http://[::1]:8080",
		"[::]:8080": "http://localhost:8080", "pass.local:80": "http://pass.local",
	}
	for addr, want := range cases {
		if got := DevBaseURL(addr); got != want {
			t.Errorf("DevBaseURL(%q) = %q, want %q", addr, got, want)
		}
	}
	t.Setenv("PASSHUB_ADDR", ":9090")
	c, err := Load("")
	if err != nil || c.BaseURL != "http://localhost:9090" {
		t.Errorf("PASSHUB_ADDR alone: base URL %q, %v", c.BaseURL, err)
	}
	t.Setenv("PASSHUB_BASE_URL", "http://pass.test:8000")
	if c, _ := Load(""); c.BaseURL != "http://pass.test:8000" {
		t.Errorf("an explicit base URL was replaced: %q", c.BaseURL)
	}
	t.Setenv("PASSHUB_BASE_URL", "")
	t.Setenv("PASSHUB_ENV", "production")
	if _, err := Load(""); err == nil || !strings.Contains(err.Error(), "PASSHUB_BASE_URL: must be set in production") {
		t.Errorf("production without a base URL: %v", err)
	}
}

func TestS3Storage(t *testing.T) {
	t.Setenv("PASSHUB_STORAGE", "s3")
	if _, err := Load(""); err == nil || !strings.Contains(err.Error(), "PASSHUB_S3_ENDPOINT") || !strings.Contains(err.Error(), "PASSHUB_S3_BUCKET") || !strings.Contains(err.Error(), "PASSHUB_S3_ACCESS_KEY") {
		t.Errorf("s3 without settings: %v", err)
	}
	t.Setenv("PASSHUB_S3_ENDPOINT", "http://127.0.0.1:7070")
	t.Setenv("PASSHUB_S3_BUCKET", "pass")
	t.Setenv("PASSHUB_S3_ACCESS_KEY", "k")
	t.Setenv("PASSHUB_S3_SECRET_KEY", "segretissimo")
	t.Setenv("PASSHUB_S3_PATH_STYLE", "false")
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	s := c.StorageSettings()
	if s["endpoint"] != "http://127.0.0.1:7070" || s["bucket"] != "pass" || s["region"] != "us-east-1" || s["path_style"] != "false" || s["secret_key"] != "segretissimo" {
		t.Errorf("settings %v", s)
	}
	if strings.Contains(c.Masked(), "segretissimo") {
		t.Error("S3 secret key not masked")
	}
	t.Setenv("PASSHUB_STORAGE", "ftp")
	if _, err := Load(""); err == nil || !strings.Contains(err.Error(), "PASSHUB_STORAGE") {
		t.Errorf("unknown storage: %v", err)
	}
}

func TestWebhookSettings(t *testing.T) {
	t.Setenv("PASSHUB_WEBHOOKS_ALLOW", "10.20.0.5, 192.168.10.0/24")
	t.Setenv("PASSHUB_WEBHOOKS_BACKOFF", "2s")
	cfg, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.WebhooksAllowed(); len(got) != 2 || got[1] != "192.168.10.0/24" || cfg.WebhooksBackoff != 2*time.Second {
		t.Fatalf("allow %v, backoff %v", got, cfg.WebhooksBackoff)
	}
	for name, value := range map[string]string{"PASSHUB_WEBHOOKS_ALLOW": "intranet.example", "PASSHUB_WEBHOOKS_TIMEOUT": "2m",
		"PASSHUB_WEBHOOKS_ATTEMPTS": "0", "PASSHUB_WEBHOOKS_DISABLE_AFTER": "0"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, value)
			if _, err := Load(""); err == nil || !strings.Contains(err.Error(), "PASSHUB_WEBHOOKS_") {
				t.Errorf("%s=%s accepted: %v", name, value, err)
			}
		})
	}
}

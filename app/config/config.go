// Package config holds the typed configuration of passhub: defaults, an optional YAML file and
// PASSHUB_* environment variables, in that order of precedence, validated before use.
package config

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"gopkg.in/yaml.v3"
)

// Modes of operation.
const (
	ModeDev        = "dev"
	ModeProduction = "production"
)

// Config is the effective configuration of one passhub process.
type Config struct {
	Env         string `yaml:"env" env:"ENV"`
	Addr        string `yaml:"addr" env:"ADDR"`
	DataDir     string `yaml:"data_dir" env:"DATA_DIR"`
	DatabaseURL string `yaml:"database_url" env:"DATABASE_URL" secret:"true"`
	BaseURL     string `yaml:"base_url" env:"BASE_URL"`
	ContentDir  string `yaml:"content_dir" env:"CONTENT_DIR"`
	ThemeDir    string `yaml:"theme_dir" env:"THEME_DIR"`
	LogLevel    string `yaml:"log_level" env:"LOG_LEVEL"`
	LogFormat   string `yaml:"log_format" env:"LOG_FORMAT"`
	// ImportOnStart imports content/ into the database when the server starts.
	ImportOnStart bool `yaml:"import_on_start" env:"IMPORT_ON_START"`
	// BodyLimit is the largest request body accepted, in bytes.
	BodyLimit int `yaml:"body_limit" env:"BODY_LIMIT"`
	// MaxFile is the largest uploaded file, in bytes (see UploadLimit).
	MaxFile int64 `yaml:"max_file" env:"MAX_FILE"`
	// HeaderTimeout bounds the time a client has to send a request's line and headers.
	HeaderTimeout time.Duration `yaml:"header_timeout" env:"HEADER_TIMEOUT"`
	// UploadMinRate is the slowest body accepted, in bytes per second: a body of n bytes may take
	// HeaderTimeout + n/UploadMinRate to arrive (slow rural uplinks).
	UploadMinRate int `yaml:"upload_min_rate" env:"UPLOAD_MIN_RATE"`
	// ContactLimit is how many contact messages one address may send per ContactWindow.
	ContactLimit  int           `yaml:"contact_limit" env:"CONTACT_LIMIT"`
	ContactWindow time.Duration `yaml:"contact_window" env:"CONTACT_WINDOW"`
	// ContactTo are the staff addresses (comma separated) that receive contact messages; empty
	// sends them to the administrators' addresses.
	ContactTo string `yaml:"contact_to" env:"CONTACT_TO"`
	// HelpdeskAddress is the help desk's e-mail address ("assistenza@pass.example.it"): the
	// desk's mails carry it as their reply address, with the ticket's token after a "+", and
	// the inbound listener takes mail for it. Empty: the desk answers by mail without reply
	// addresses and receives none.
	HelpdeskAddress string `yaml:"helpdesk_address" env:"HELPDESK_ADDRESS"`
	// InboundAddr is where the help desk's SMTP listener accepts the mail a front MTA relays for
	// HelpdeskAddress's domain ("127.0.0.1:2525"); empty runs no listener.
	InboundAddr string `yaml:"inbound_addr" env:"INBOUND_ADDR"`
	// DevIdP enables the in-process dev identity provider: "on" or "off"; empty means on in dev
	// mode and off in production, where "on" is refused.
	DevIdP string `yaml:"dev_idp" env:"DEV_IDP"`
	// Demo seeds the dev identity provider's personas with enti and roles at start: "on" or
	// "off"; empty means on in dev mode and off in production, where "on" is refused.
	Demo string `yaml:"demo" env:"DEMO"`
	// SessionIdle ends sessions unused this long; SessionAbsolute ends any session this long after
	// login.
	SessionIdle     time.Duration `yaml:"session_idle" env:"SESSION_IDLE"`
	SessionAbsolute time.Duration `yaml:"session_absolute" env:"SESSION_ABSOLUTE"`
	// SessionWarn is how long before either timeout the page warns and offers to extend.
	SessionWarn time.Duration `yaml:"session_warn" env:"SESSION_WARN"`
	// SAML service provider (SPID, CIE, CNS).
	SAMLKeyFile     string `yaml:"saml_key_file" env:"SAML_KEY_FILE"`
	SAMLCertFile    string `yaml:"saml_cert_file" env:"SAML_CERT_FILE"`
	SAMLIdPMetadata string `yaml:"saml_idp_metadata" env:"SAML_IDP_METADATA"` // method=path,…
	SPIDLevel       int    `yaml:"spid_level" env:"SPID_LEVEL"`
	// OpenID Connect identity broker; enabled when the issuer is set.
	OIDCIssuer       string `yaml:"oidc_issuer" env:"OIDC_ISSUER"`
	OIDCClientID     string `yaml:"oidc_client_id" env:"OIDC_CLIENT_ID"`
	OIDCClientSecret string `yaml:"oidc_client_secret" env:"OIDC_CLIENT_SECRET" secret:"true"`
	OIDCFiscalClaim  string `yaml:"oidc_fiscal_claim" env:"OIDC_FISCAL_CLAIM"`
	// Storage names the store of uploaded files: "local" (DataDir/uploads) or "s3" (a bucket of
	// an S3-compatible server: S3Endpoint, S3Bucket, S3Region, S3AccessKey, S3SecretKey,
	// S3PathStyle).
	Storage     string `yaml:"storage" env:"STORAGE"`
	S3Endpoint  string `yaml:"s3_endpoint" env:"S3_ENDPOINT"`
	S3Bucket    string `yaml:"s3_bucket" env:"S3_BUCKET"`
	S3Region    string `yaml:"s3_region" env:"S3_REGION"`
	S3AccessKey string `yaml:"s3_access_key" env:"S3_ACCESS_KEY"`
	S3SecretKey string `yaml:"s3_secret_key" env:"S3_SECRET_KEY" secret:"true"`
	// S3PathStyle addresses the bucket as endpoint/bucket/key (most self-hosted servers) rather
	// than bucket.endpoint/key.
	S3PathStyle bool `yaml:"s3_path_style" env:"S3_PATH_STYLE"`
	// StorageGrace is how old a stored object no row references must be before the sweeper
	// removes it (an upload whose row is not committed yet is younger).
	StorageGrace time.Duration `yaml:"storage_grace" env:"STORAGE_GRACE"`
	// SearchEngine names the full-text engine: "bleve" (embedded, DataDir/search.bleve) or
	// "meilisearch" (MeiliURL, MeiliKey).
	SearchEngine string `yaml:"search_engine" env:"SEARCH_ENGINE"`
	// SearchDir holds Bleve's index (default DataDir). One instance only: several instances share
	// Meilisearch.
	SearchDir string `yaml:"search_dir" env:"SEARCH_DIR"`
	MeiliURL  string `yaml:"meili_url" env:"MEILI_URL"`
	MeiliKey  string `yaml:"meili_key" env:"MEILI_KEY"`
	// PageCache keeps the public pages anonymous visitors get for this long (0 turns it off).
	PageCache time.Duration `yaml:"page_cache" env:"PAGE_CACHE"`
	// DataPublisher and DataPublisherIPA name who publishes the open data of /dati (the DCAT-AP_IT
	// catalogue's publisher and rights holder, with its code in the IPA index); DataContact is the
	// catalogue's contact e-mail (empty: the contact page).
	DataPublisher    string `yaml:"data_publisher" env:"DATA_PUBLISHER"`
	DataPublisherIPA string `yaml:"data_publisher_ipa" env:"DATA_PUBLISHER_IPA"`
	DataContact      string `yaml:"data_contact" env:"DATA_CONTACT"`
	// StatsFreshness is how long after a change figures may still be the former ones: the
	// statistics recompute at most this often while requests keep changing (0: after every change).
	StatsFreshness time.Duration `yaml:"stats_freshness" env:"STATS_FRESHNESS"`
	// JobsPoll is how often idle job workers look for new jobs (e-mail, search index).
	JobsPoll time.Duration `yaml:"jobs_poll" env:"JOBS_POLL"`
	// JobsRescue is how long after it began a job left running by a dead process runs again.
	JobsRescue time.Duration `yaml:"jobs_rescue" env:"JOBS_RESCUE"`
	// SQLiteSynchronous is SQLite's synchronous level: FULL (a commit survives a power loss) or
	// NORMAL (faster; the last commits may be lost on power loss, never corrupted).
	SQLiteSynchronous string `yaml:"sqlite_synchronous" env:"SQLITE_SYNCHRONOUS"`
	// RequestTimeout bounds the work of one web request; a database that does not answer within
	// it gives 503 with Retry-After.
	RequestTimeout time.Duration `yaml:"request_timeout" env:"REQUEST_TIMEOUT"`
	// Mail names the e-mail sender: "log" (delivers nothing, logs) or "smtp".
	Mail         string `yaml:"mail" env:"MAIL"`
	SMTPHost     string `yaml:"smtp_host" env:"SMTP_HOST"`
	SMTPPort     string `yaml:"smtp_port" env:"SMTP_PORT"`
	SMTPUsername string `yaml:"smtp_username" env:"SMTP_USERNAME"`
	SMTPPassword string `yaml:"smtp_password" env:"SMTP_PASSWORD" secret:"true"`
	SMTPFrom     string `yaml:"smtp_from" env:"SMTP_FROM"`
	SMTPTLS      string `yaml:"smtp_tls" env:"SMTP_TLS"`
	// TrustedProxies are the reverse proxies (IP addresses or CIDR ranges) whose X-Forwarded-For
	// gives the client's address; empty: nobody's, the peer's address is the client's.
	TrustedProxies []string `yaml:"trusted_proxies" env:"TRUSTED_PROXIES" envSeparator:","`
	// SignatureTrust is a PEM file of the certification authorities registration protocols'
	// signatures are checked against; empty: signatures are verified, their chain is not.
	SignatureTrust string `yaml:"signature_trust" env:"SIGNATURE_TRUST"`
	// ShutdownTimeout bounds the graceful shutdown.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout" env:"SHUTDOWN_TIMEOUT"`
	// WebhooksAllow are the addresses or CIDR ranges webhook deliveries may reach although they
	// are private, loopback or link-local (an intranet receiver); empty: none.
	WebhooksAllow []string `yaml:"webhooks_allow" env:"WEBHOOKS_ALLOW" envSeparator:","`
	// WebhooksConnectTimeout bounds a delivery's connection and TLS handshake; WebhooksTimeout
	// the whole attempt.
	WebhooksConnectTimeout time.Duration `yaml:"webhooks_connect_timeout" env:"WEBHOOKS_CONNECT_TIMEOUT"`
	WebhooksTimeout        time.Duration `yaml:"webhooks_timeout" env:"WEBHOOKS_TIMEOUT"`
	// WebhooksBackoff is the wait after a delivery's first failed attempt, doubled after each
	// next one; WebhooksAttempts is how many attempts a delivery gets.
	WebhooksBackoff  time.Duration `yaml:"webhooks_backoff" env:"WEBHOOKS_BACKOFF"`
	WebhooksAttempts int           `yaml:"webhooks_attempts" env:"WEBHOOKS_ATTEMPTS"`
	// WebhooksDisableAfter failed attempts in a row disable an endpoint and tell its owner.
	WebhooksDisableAfter int `yaml:"webhooks_disable_after" env:"WEBHOOKS_DISABLE_AFTER"`
	// WebhooksPerEndpoint is how many deliveries to one endpoint run at once on one instance.
	WebhooksPerEndpoint int `yaml:"webhooks_per_endpoint" env:"WEBHOOKS_PER_ENDPOINT"`
	// WebhooksWorkers is how many deliveries run at once on one instance, in the webhooks job
	// queue of their own (the other queues keep their workers whatever receivers do).
	WebhooksWorkers int `yaml:"webhooks_workers" env:"WEBHOOKS_WORKERS"`
	// WebhooksMaxEndpoints is how many endpoints may be registered in all.
	WebhooksMaxEndpoints int `yaml:"webhooks_max_endpoints" env:"WEBHOOKS_MAX_ENDPOINTS"`
	// WebhooksKeep is how long the delivery log keeps deliveries that are no longer pending.
	WebhooksKeep time.Duration `yaml:"webhooks_keep" env:"WEBHOOKS_KEEP"`
	// PreviewKey signs the newsroom's preview links (HMAC-SHA256), at least 32 characters; empty:
	// a key made at the first start and kept in DataDir/preview.key. Instances that do not share
	// the data folder must all be given the same key. Changing it invalidates every link.
	PreviewKey string `yaml:"preview_key" env:"PREVIEW_KEY" secret:"true"`
	// WebhookKey encrypts the webhook endpoints' signing secrets in the database (AES-256-GCM):
	// 64 hex digits (openssl rand -hex 32). Required in production; empty in dev: a key made at
	// the first start and kept in DataDir/webhook.key.
	WebhookKey string `yaml:"webhook_key" env:"WEBHOOK_KEY" secret:"true"`
}

// Defaults returns the configuration used when nothing else is set: dev mode, SQLite in ./data.
func Defaults() Config {
	return Config{
		Env:               ModeDev,
		Addr:              ":8080",
		DataDir:           "./data",
		BaseURL:           "", // derived from Addr in dev mode (Derive)
		ContentDir:        "./content",
		LogLevel:          "info",
		LogFormat:         "text",
		ImportOnStart:     true,
		BodyLimit:         21 << 20, // MaxFile and room for the form's other fields
		MaxFile:           20 << 20,
		HeaderTimeout:     10 * time.Second,
		UploadMinRate:     32 << 10,
		Storage:           "local",
		S3Region:          "us-east-1",
		S3PathStyle:       true,
		StorageGrace:      24 * time.Hour,
		SearchEngine:      "bleve",
		ContactLimit:      5,
		ContactWindow:     10 * time.Minute,
		ShutdownTimeout:   10 * time.Second,
		SessionIdle:       30 * time.Minute,
		SessionAbsolute:   12 * time.Hour,
		SessionWarn:       5 * time.Minute,
		SPIDLevel:         2,
		PageCache:         30 * time.Second,
		DataPublisher:     "Regione Lombardia",
		DataPublisherIPA:  "r_lombar",
		StatsFreshness:    5 * time.Second,
		JobsPoll:          500 * time.Millisecond,
		JobsRescue:        3 * time.Minute,
		RequestTimeout:    15 * time.Second,
		SQLiteSynchronous: "FULL",
		Mail:              "log",

		WebhooksConnectTimeout: 5 * time.Second,
		WebhooksTimeout:        15 * time.Second,
		WebhooksBackoff:        30 * time.Second,
		WebhooksAttempts:       10,
		WebhooksDisableAfter:   15,
		WebhooksPerEndpoint:    2,
		WebhooksWorkers:        4,
		WebhooksMaxEndpoints:   50,
		WebhooksKeep:           30 * 24 * time.Hour,
	}
}

// Load builds the configuration from defaults, the YAML file at path (when path is not empty) and
// the PASSHUB_* environment, then validates it.
func Load(path string) (Config, error) {
	cfg := Defaults()
	if path == "" {
		path = os.Getenv("PASSHUB_CONFIG")
	}
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config: read %s: %w", path, err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(raw)))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return cfg, fmt.Errorf("config: %s: %w", path, err)
		}
	}
	if err := env.ParseWithOptions(&cfg, env.Options{Prefix: "PASSHUB_"}); err != nil {
		return cfg, envError(err)
	}
	cfg.Derive()
	return cfg, cfg.Validate()
}

// Derive fills what follows from other values: in dev mode, an empty base URL is the address the
// server listens on, as a browser on this machine opens it (":9090" gives http://localhost:9090,
// "127.0.0.1:9090" gives http://127.0.0.1:9090). Production needs the base URL set.
func (c *Config) Derive() {
	if c.BaseURL == "" && c.Env == ModeDev {
		c.BaseURL = DevBaseURL(c.Addr)
	}
}

// formRoom is what an upload form needs beside its file: the other fields and the multipart
// framing.
const formRoom = 64 << 10

// UploadLimit is the largest file an upload form accepts: MaxFile, or less when the body limit
// leaves no room for it, so the size the forms announce is one the server takes.
func (c *Config) UploadLimit() int64 {
	return max(1, min(c.MaxFile, int64(c.BodyLimit)-formRoom))
}

// DevBaseURL is the http URL of a server listening on addr, seen from the same machine.
func DevBaseURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, ""
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "localhost"
	}
	if port == "" || port == "80" {
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		return "http://" + host
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Validate reports every problem of the configuration at once, each naming its variable.
func (c *Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("PASSHUB_%s: %s", name, fmt.Sprintf(format, args...)))
	}
	if c.Env != ModeDev && c.Env != ModeProduction {
		bad("ENV", "must be %q or %q, not %q", ModeDev, ModeProduction, c.Env)
	}
	if c.Addr == "" {
		bad("ADDR", "must not be empty (for example \":8080\")")
	}
	if c.PreviewKey != "" && len(c.PreviewKey) < 32 {
		bad("PREVIEW_KEY", "must have at least 32 characters")
	}
	if c.DataDir == "" {
		bad("DATA_DIR", "must not be empty")
	}
	if c.WebhookKey == "" && c.Env == ModeProduction {
		bad("WEBHOOK_KEY", "must be set in production mode: the key that encrypts the webhook secrets, 64 hex digits (openssl rand -hex 32); keep it outside the database and its backups")
	} else if k, err := hex.DecodeString(strings.TrimSpace(c.WebhookKey)); c.WebhookKey != "" && (err != nil || len(k) != 32) {
		bad("WEBHOOK_KEY", "must be 64 hex digits (32 bytes: openssl rand -hex 32)")
	}
	if c.BaseURL == "" && c.Env == ModeProduction {
		bad("BASE_URL", "must be set in production mode: the https address people open")
	} else if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("BASE_URL", "must be an absolute http(s) URL, not %q", c.BaseURL)
	} else if c.Env == ModeProduction && u.Scheme != "https" {
		bad("BASE_URL", "must use https in production mode")
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") &&
		!strings.HasPrefix(c.DatabaseURL, "postgresql://") && !strings.HasPrefix(c.DatabaseURL, "sqlite:") &&
		!strings.HasPrefix(c.DatabaseURL, "file:") {
		bad("DATABASE_URL", "must start with postgres://, sqlite: or file: (empty means SQLite in the data dir)")
	}
	switch c.Storage {
	case "local":
	case "s3":
		if u, err := url.Parse(c.S3Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("S3_ENDPOINT", "must be the http(s) URL of the S3 server when PASSHUB_STORAGE=s3")
		}
		if c.S3Bucket == "" {
			bad("S3_BUCKET", "must name the bucket when PASSHUB_STORAGE=s3")
		}
		if c.S3AccessKey == "" || c.S3SecretKey == "" {
			bad("S3_ACCESS_KEY", "PASSHUB_S3_ACCESS_KEY and PASSHUB_S3_SECRET_KEY must be set when PASSHUB_STORAGE=s3")
		}
	default:
		bad("STORAGE", "must be \"local\" or \"s3\", not %q", c.Storage)
	}
	if c.StorageGrace < time.Minute {
		bad("STORAGE_GRACE", "must be at least 1m: younger objects may belong to uploads not yet committed")
	}
	switch c.SearchEngine {
	case "bleve":
	case "meilisearch":
		if u, err := url.Parse(c.MeiliURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("MEILI_URL", "must be the http(s) URL of the Meilisearch server when PASSHUB_SEARCH_ENGINE=meilisearch")
		}
	default:
		bad("SEARCH_ENGINE", "must be \"bleve\" or \"meilisearch\", not %q", c.SearchEngine)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("LOG_LEVEL", "must be debug, info, warn or error, not %q", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("LOG_FORMAT", "must be text or json, not %q", c.LogFormat)
	}
	if c.BodyLimit < 1024 {
		bad("BODY_LIMIT", "must be at least 1024 bytes")
	}
	if c.MaxFile < 1024 {
		bad("MAX_FILE", "must be at least 1024 bytes")
	}
	if c.HeaderTimeout <= 0 {
		bad("HEADER_TIMEOUT", "must be a positive duration (for example 10s)")
	}
	if c.UploadMinRate < 1 {
		bad("UPLOAD_MIN_RATE", "must be a positive number of bytes per second")
	}
	if c.ContactLimit < 1 || c.ContactWindow <= 0 {
		bad("CONTACT_LIMIT", "limit and window must be positive")
	}
	if a, err := mail.ParseAddress(c.HelpdeskAddress); c.HelpdeskAddress != "" && (err != nil || a.Address != c.HelpdeskAddress || strings.Contains(c.HelpdeskAddress, "+")) {
		bad("HELPDESK_ADDRESS", "%q is not a plain e-mail address (without a \"+\")", c.HelpdeskAddress)
	}
	if c.InboundAddr != "" && c.HelpdeskAddress == "" {
		bad("INBOUND_ADDR", "needs HELPDESK_ADDRESS: the listener takes mail for that address")
	}
	for _, addr := range c.ContactRecipients() {
		if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
			bad("CONTACT_TO", "%q is not an e-mail address", addr)
		}
	}
	switch c.DevIdP {
	case "", "on", "off":
	default:
		bad("DEV_IDP", "must be on or off, not %q", c.DevIdP)
	}
	if c.DevIdP == "on" && c.Env == ModeProduction {
		bad("DEV_IDP", "the dev identity provider refuses to run in production mode; unset it or set it to off")
	}
	if c.JobsRescue < 10*time.Second {
		bad("JOBS_RESCUE", "must be at least 10s")
	}
	if c.SQLiteSynchronous != "FULL" && c.SQLiteSynchronous != "NORMAL" {
		bad("SQLITE_SYNCHRONOUS", "must be FULL or NORMAL, not %q", c.SQLiteSynchronous)
	}
	if c.RequestTimeout < time.Second {
		bad("REQUEST_TIMEOUT", "must be at least 1s")
	}
	if c.Mail != "log" && c.Mail != "smtp" {
		bad("MAIL", "must be log or smtp, not %q", c.Mail)
	}
	switch c.Demo {
	case "", "on", "off":
	default:
		bad("DEMO", "must be on or off, not %q", c.Demo)
	}
	if c.Demo == "on" && c.Env == ModeProduction {
		bad("DEMO", "demo data refuse to be loaded in production mode; unset it or set it to off")
	}
	if c.SessionIdle < time.Minute || c.SessionAbsolute < c.SessionIdle {
		bad("SESSION_IDLE", "idle timeout must be at least 1m and not longer than PASSHUB_SESSION_ABSOLUTE")
	}
	for _, p := range c.TrustedProxies {
		p = strings.TrimSpace(p)
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				bad("TRUSTED_PROXIES", "%q is neither an IP address nor a CIDR range (e.g. 10.0.0.5 or 10.0.0.0/8)", p)
			}
		}
	}
	if c.SessionWarn <= 0 || c.SessionWarn >= c.SessionIdle {
		bad("SESSION_WARN", "the warning must come after 0s and before PASSHUB_SESSION_IDLE")
	}
	if c.SPIDLevel < 1 || c.SPIDLevel > 3 {
		bad("SPID_LEVEL", "must be 1, 2 or 3")
	}
	for _, p := range c.WebhooksAllow {
		p = strings.TrimSpace(p)
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				bad("WEBHOOKS_ALLOW", "%q is neither an IP address nor a CIDR range (e.g. 10.0.0.5 or 10.0.0.0/8)", p)
			}
		}
	}
	if c.WebhooksConnectTimeout <= 0 || c.WebhooksTimeout < c.WebhooksConnectTimeout || c.WebhooksTimeout > 50*time.Second {
		bad("WEBHOOKS_TIMEOUT", "the connect timeout must be positive and the timeout between it and 50s (the webhook queue's limit is 1m)")
	}
	if c.WebhooksBackoff <= 0 || c.WebhooksAttempts < 1 || c.WebhooksAttempts > 25 {
		bad("WEBHOOKS_BACKOFF", "the backoff must be positive and PASSHUB_WEBHOOKS_ATTEMPTS between 1 and 25")
	}
	if c.WebhooksDisableAfter < 1 || c.WebhooksPerEndpoint < 1 {
		bad("WEBHOOKS_DISABLE_AFTER", "PASSHUB_WEBHOOKS_DISABLE_AFTER and PASSHUB_WEBHOOKS_PER_ENDPOINT must be at least 1")
	}
	if c.WebhooksWorkers < 1 || c.WebhooksWorkers > 64 {
		bad("WEBHOOKS_WORKERS", "must be between 1 and 64")
	}
	if c.WebhooksMaxEndpoints < 1 || c.WebhooksMaxEndpoints > 10000 {
		bad("WEBHOOKS_MAX_ENDPOINTS", "must be between 1 and 10000")
	}
	if c.WebhooksKeep < time.Hour {
		bad("WEBHOOKS_KEEP", "must be at least 1h")
	}
	return errors.Join(errs...)
}

// DevIdPEnabled reports whether the dev identity provider runs.
func (c *Config) DevIdPEnabled() bool {
	return c.DevIdP == "on" || (c.DevIdP == "" && c.Env == ModeDev)
}

// DemoEnabled reports whether demo data are seeded at start.
func (c *Config) DemoEnabled() bool {
	return c.Demo == "on" || (c.Demo == "" && c.Env == ModeDev)
}

// WebhooksAllowed is WebhooksAllow trimmed.
func (c *Config) WebhooksAllowed() []string {
	var out []string
	for _, p := range c.WebhooksAllow {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Production reports whether the process runs in production mode.
func (c *Config) Production() bool { return c.Env == ModeProduction }

// SQLitePath is the database file used when DatabaseURL is empty.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "passhub.db") }

// StorageSettings are the settings of the storage plugin named by Storage.
func (c *Config) StorageSettings() map[string]string {
	if c.Storage != "s3" {
		return nil
	}
	return map[string]string{"endpoint": c.S3Endpoint, "bucket": c.S3Bucket, "region": c.S3Region,
		"access_key": c.S3AccessKey, "secret_key": c.S3SecretKey, "path_style": fmt.Sprint(c.S3PathStyle)}
}

// UploadsDir is where uploaded files are stored.
func (c *Config) UploadsDir() string { return filepath.Join(c.DataDir, "uploads") }

// Masked returns the configuration as YAML with secrets replaced by asterisks.
func (c Config) Masked() string {
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err == nil && u.User != nil {
			if _, has := u.User.Password(); has {
				u.User = url.UserPassword(u.User.Username(), "xxxxx")
				c.DatabaseURL = u.String()
			}
		}
	}
	if c.MeiliKey != "" {
		c.MeiliKey = "xxxxx"
	}
	if c.SMTPPassword != "" {
		c.SMTPPassword = "xxxxx"
	}
	if c.S3SecretKey != "" {
		c.S3SecretKey = "xxxxx"
	}
	if c.OIDCClientSecret != "" {
		c.OIDCClientSecret = "xxxxx"
	}
	if c.PreviewKey != "" {
		c.PreviewKey = "xxxxx"
	}
	if c.WebhookKey != "" {
		c.WebhookKey = "xxxxx"
	}
	out, _ := yaml.Marshal(c)
	return string(out)
}

// envError names the variable behind each value that could not be parsed.
func envError(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return fmt.Errorf("config: environment: %w", err)
	}
	var out []error
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if f, ok := reflect.TypeOf(Config{}).FieldByName(pe.Name); ok {
				out = append(out, fmt.Errorf("PASSHUB_%s: cannot read %s: %w", f.Tag.Get("env"), pe.Type, pe.Err))
				continue
			}
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

// ContactRecipients are the addresses of ContactTo, one each.
func (c Config) ContactRecipients() []string {
	var out []string
	for _, a := range strings.Split(c.ContactTo, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// Package auth is the port between passhub and identity providers (SPID, CIE and CNS over SAML,
// OIDC, the dev identity provider). A provider proves who a person is and hands an Identity to the
// Completer, which owns sessions; providers never touch users or sessions themselves.
package auth

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"passhub/app/plugin"
)

// Identity is what a provider asserts about the person who logged in.
type Identity struct {
	// FiscalCode is the Italian fiscal code, normalised to "TINIT-" followed by 16 upper-case
	// characters; it is the user's key.
	FiscalCode string
	Name       string
	FamilyName string
	Email      string
	// Method is the kind of identity: "spid", "cie", "cns", "oidc" or "dev".
	Method string
	// Issuer names the identity provider that asserted it (a SAML entity id, an OIDC issuer).
	Issuer string
	// Level is the assurance level (SPID/eIDAS 1 to 3).
	Level int
}

// Completer finishes a login once a provider has proved an identity: it finds or creates the
// user, starts the session and redirects to returnTo (a local path).
type Completer interface {
	CompleteLogin(c *fiber.Ctx, id Identity, returnTo string) error
	// FailLogin shows the login page with a message for the person, after a refused response.
	FailLogin(c *fiber.Ctx, reason error) error
}

// Button is one way to log in offered on the /accedi page.
type Button struct {
	// Label is the message id of the button's text.
	Label string
	// URL starts the login (a GET to a route the provider mounted).
	URL string
	// Method groups buttons: "spid", "cie", "cns", "oidc", "dev".
	Method string
}

// Provider is an identity provider adapter.
type Provider interface {
	Name() string
	// Mount registers the provider's routes (under /auth/<name>/ by convention).
	Mount(r fiber.Router, done Completer) error
	// Buttons lists the login buttons this provider offers.
	Buttons() []Button
}

// Options are what a provider factory may read: the platform's base URL, mode and data dir, and
// its own settings by key (from PASSHUB_AUTH_* configuration).
type Options struct {
	BaseURL    string
	Production bool
	DataDir    string
	Settings   map[string]string
	// Trusted are SAML identity providers built in-process (the dev identity provider), trusted by
	// the SAML service provider in addition to those of its metadata files.
	Trusted []TrustedIdP
}

// TrustedIdP is a SAML identity provider's metadata and the kind of identity it asserts.
type TrustedIdP struct {
	Method   string // "spid", "cie", "cns" or "dev"
	Label    string // shown on its login button
	Metadata []byte // SAML EntityDescriptor XML
}

// IdentityProvider is implemented by in-process SAML identity providers (the dev one).
type IdentityProvider interface {
	Provider
	Trusted() TrustedIdP
	// TrustServiceProvider gives the identity provider the service provider's metadata.
	TrustServiceProvider(metadata func() ([]byte, error))
}

// MetadataSource is implemented by the SAML service provider: its metadata XML.
type MetadataSource interface {
	Metadata() ([]byte, error)
}

// CSRFExempter is implemented by providers with endpoints that receive cross-site POSTs carrying
// their own proof (a signed SAML response): the paths to exempt from the CSRF token check.
type CSRFExempter interface {
	CSRFExempt() []string
}

// Factory builds a provider from options.
type Factory func(Options) (Provider, error)

var providers = plugin.NewRegistry[Options, Provider]("auth", "provider")

// Register makes a provider available under name; plugins call it from init.
func Register(name string, f Factory) { providers.Register(name, f) }

// New builds the provider registered under name.
func New(name string, o Options) (Provider, error) { return providers.New(name, o) }

// Names lists the registered providers.
func Names() []string { return providers.Names() }

// Errors a provider reports to FailLogin; the message shown depends on which.
var (
	ErrRefused   = errors.New("auth: the identity provider's response was refused")
	ErrCancelled = errors.New("auth: login cancelled at the identity provider")
	ErrLevel     = errors.New("auth: authentication level lower than required")
	ErrNoCode    = errors.New("auth: the identity has no valid fiscal code")
)

var fiscalCode = regexp.MustCompile(`^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$`)

// NormalizeFiscalCode returns the fiscal code as "TINIT-XXXXXXXXXXXXXXXX", accepting the bare code
// or the SPID form, in any case and with spaces; it fails when the code is malformed.
func NormalizeFiscalCode(s string) (string, error) {
	c := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	c = strings.TrimPrefix(c, "TINIT-")
	if !fiscalCode.MatchString(c) || checkChar(c[:15]) != c[15] {
		return "", fmt.Errorf("%w: %q", ErrNoCode, s)
	}
	return "TINIT-" + c, nil
}

// oddValues are the values of characters in odd positions (1st, 3rd…) for the check character.
var oddValues = [36]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // 0-9
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23} // A-Z

// checkChar computes the control character of the first 15 characters of a fiscal code.
func checkChar(s string) byte {
	sum := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		idx := int(ch - '0')
		even := idx
		if ch >= 'A' {
			idx = int(ch-'A') + 10
			even = int(ch - 'A')
		}
		if i%2 == 0 {
			sum += oddValues[idx]
		} else {
			sum += even
		}
	}
	return byte('A' + sum%26)
}

// CheckChar returns the control character that completes the first 15 characters of a fiscal code.
func CheckChar(first15 string) byte { return checkChar(strings.ToUpper(first15)) }

// LocalPath returns next as a path on this site, read as a browser would read it, or "" when it
// could lead elsewhere or is not a plain path. Browsers drop tabs and line breaks inside URLs, read
// a backslash as a slash and "//host" as another site, so "/\t/evil.example", "/\\evil.example" and
// their percent-encoded forms are all refused; what is accepted is given back normalised (dot
// segments resolved, escaping made canonical), so the Location header says exactly what was
// checked. Every login path hands its "next" through here.
func LocalPath(next string) string {
	if next == "" || len(next) > 2048 || !plainPath(next) || next[0] != '/' || strings.HasPrefix(next, "//") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	// Decoded, the path must still be a plain path: a server or proxy that decodes %2F or %5C must
	// not find "//host" or "/\host" in it.
	if !plainPath(u.Path) || strings.HasPrefix(u.Path, "//") || !plainPath(u.Fragment) {
		return ""
	}
	if q, err := url.QueryUnescape(u.RawQuery); err != nil || !plainPath(q) {
		return ""
	}
	site := &url.URL{Scheme: "https", Host: "site.invalid", Path: "/"}
	r := site.ResolveReference(u)
	if r.Host != site.Host || r.Scheme != site.Scheme {
		return ""
	}
	out := r.EscapedPath()
	if r.RawQuery != "" {
		out += "?" + r.RawQuery
	}
	if r.Fragment != "" {
		out += "#" + r.EscapedFragment()
	}
	if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") {
		return ""
	}
	return out
}

// plainPath reports whether s is valid UTF-8 without backslashes, control characters (which
// browsers strip or misread) and format characters (bidirectional controls and the like).
func plainPath(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '\\' || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.In(r, unicode.Zl, unicode.Zp) {
			return false
		}
	}
	return true
}

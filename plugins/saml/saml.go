// Package saml is the SAML 2 service provider of PAsS for SPID, and for CIE and CNS with their own
// identity providers' metadata, following the SPID technical rules on top of crewjam/saml: signed
// metadata with an AttributeConsumingService and the SPID ContactPerson extensions, signed
// HTTP-Redirect AuthnRequests asking for SpidL2 (configurable) with ForceAuthn, and responses
// checked for signature, issuer, audience, time window, InResponseTo, replay and level.
//
// Settings: "key_file", "cert_file" (PEM; generated once under DataDir/saml when both are empty
// outside production), "idp_metadata" (comma-separated method=path pairs, e.g.
// "spid=/etc/pass/spid.xml,cie=/etc/pass/cie.xml"; a file holds an EntityDescriptor or an
// EntitiesDescriptor), "level" (1, 2 or 3; default 2), "entity_id" (default the metadata URL),
// "org_name", "org_url", "contact_email", "contact_ipa_code".
package saml

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	crewjam "github.com/crewjam/saml"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	dsig "github.com/russellhaering/goxmldsig"

	"passhub/app/auth"
)

func init() { auth.Register("saml", New) }

// Paths the service provider serves.
const (
	MetadataPath = "/auth/saml/metadata"
	LoginPath    = "/auth/saml/login"
	ACSPath      = "/auth/saml/acs"
	cookieName   = "pass_saml"
	flowTTL      = 10 * time.Minute
)

// Attribute names asked of the identity providers.
var requestedAttributes = []string{"fiscalNumber", "name", "familyName", "email"}

// Provider is the service provider, trusting one or more identity providers.
type Provider struct {
	key       *rsa.PrivateKey
	cert      *x509.Certificate
	entityID  string
	acsURL    url.URL
	metaURL   url.URL
	level     int
	secure    bool
	settings  map[string]string
	idps      []*idp
	byEntity  map[string]*idp
	consumed  sync.Map // request id → expiry: a response is accepted once
	macKey    []byte
	metadata  []byte
	metaMutex sync.Mutex
}

type idp struct {
	method, label string
	sp            *crewjam.ServiceProvider
}

// New builds the service provider.
func New(o auth.Options) (auth.Provider, error) {
	s := o.Settings
	base := strings.TrimSuffix(o.BaseURL, "/")
	p := &Provider{settings: s, secure: o.Production, level: 2, byEntity: map[string]*idp{}}
	if v := s["level"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 3 {
			return nil, fmt.Errorf("saml: level must be 1, 2 or 3, not %q", v)
		}
		p.level = n
	}
	var err error
	p.key, p.cert, err = LoadOrCreateKeyPair(s["key_file"], s["cert_file"], filepath.Join(o.DataDir, "saml"), base, !o.Production)
	if err != nil {
		return nil, fmt.Errorf("saml: service provider key: %w", err)
	}
	acs, _ := url.Parse(base + ACSPath)
	meta, _ := url.Parse(base + MetadataPath)
	p.acsURL, p.metaURL = *acs, *meta
	p.entityID = s["entity_id"]
	if p.entityID == "" {
		p.entityID = meta.String()
	}
	mac := sha256.Sum256(append([]byte("pass-saml-flow:"), x509.MarshalPKCS1PrivateKey(p.key)...))
	p.macKey = mac[:]
	for _, t := range o.Trusted {
		if err := p.trust(t.Method, t.Label, t.Metadata); err != nil {
			return nil, err
		}
	}
	if list := strings.TrimSpace(s["idp_metadata"]); list != "" {
		for _, pair := range strings.Split(list, ",") {
			method, path, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok {
				return nil, fmt.Errorf("saml: idp_metadata entry %q is not method=path", pair)
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("saml: %w", err)
			}
			if err := p.trust(method, "auth."+method, raw); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// trust adds the identity providers of a metadata document.
func (p *Provider) trust(method, label string, raw []byte) error {
	var eds []crewjam.EntityDescriptor
	var many crewjam.EntitiesDescriptor
	if err := xml.Unmarshal(raw, &many); err == nil && len(many.EntityDescriptors) > 0 {
		eds = many.EntityDescriptors
	} else {
		var one crewjam.EntityDescriptor
		if err := xml.Unmarshal(raw, &one); err != nil {
			return fmt.Errorf("saml: %s metadata: %w", method, err)
		}
		eds = []crewjam.EntityDescriptor{one}
	}
	for i := range eds {
		ed := eds[i]
		if len(ed.IDPSSODescriptors) == 0 {
			continue
		}
		sp := &crewjam.ServiceProvider{EntityID: p.entityID, Key: p.key, Certificate: p.cert, MetadataURL: p.metaURL, AcsURL: p.acsURL,
			IDPMetadata: &ed, AuthnNameIDFormat: crewjam.TransientNameIDFormat, SignatureMethod: dsig.RSASHA256SignatureMethod}
		sp.ValidateAudienceRestriction = p.audience
		d := &idp{method: method, label: label, sp: sp}
		p.idps = append(p.idps, d)
		p.byEntity[ed.EntityID] = d
	}
	return nil
}

// audience requires an AudienceRestriction naming this service provider (SPID makes it mandatory).
func (p *Provider) audience(a *crewjam.Assertion) error {
	if a.Conditions == nil {
		return errors.New("no conditions")
	}
	for _, r := range a.Conditions.AudienceRestrictions {
		if r.Audience.Value == p.entityID {
			return nil
		}
	}
	return fmt.Errorf("audience is not %q", p.entityID)
}

// Name is the provider's registry name.
func (p *Provider) Name() string { return "saml" }

// Buttons offers one login button per trusted identity provider.
func (p *Provider) Buttons() []auth.Button {
	var out []auth.Button
	for _, d := range p.idps {
		out = append(out, auth.Button{Label: d.label, Method: d.method, URL: LoginPath + "?idp=" + url.QueryEscape(d.sp.IDPMetadata.EntityID)})
	}
	return out
}

// Mount registers the metadata, login and assertion consumer routes.
func (p *Provider) Mount(r fiber.Router, done auth.Completer) error {
	r.Get(MetadataPath, func(c *fiber.Ctx) error {
		md, err := p.Metadata()
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "application/samlmetadata+xml")
		return c.Send(md)
	})
	r.Get(LoginPath, p.login)
	r.Post(ACSPath, func(c *fiber.Ctx) error { return p.acs(c, done) })
	return nil
}

// flow is what the browser carries between the request and the response, signed by the SP.
type flow struct {
	ID    string    `json:"i"`
	IdP   string    `json:"p"`
	Next  string    `json:"n"`
	Relay string    `json:"r"`
	Exp   time.Time `json:"e"`
}

func (p *Provider) seal(f flow) string {
	raw, _ := json.Marshal(f)
	m := hmac.New(sha256.New, p.macKey)
	m.Write(raw)
	return base64.RawURLEncoding.EncodeToString(raw) + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (p *Provider) open(v string) (flow, bool) {
	var f flow
	body, sig, ok := strings.Cut(v, ".")
	raw, err1 := base64.RawURLEncoding.DecodeString(body)
	mac, err2 := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err1 != nil || err2 != nil {
		return f, false
	}
	m := hmac.New(sha256.New, p.macKey)
	m.Write(raw)
	if !hmac.Equal(m.Sum(nil), mac) || json.Unmarshal(raw, &f) != nil || time.Now().After(f.Exp) {
		return f, false
	}
	return f, true
}

func (p *Provider) cookie(c *fiber.Ctx, value string, expires time.Time) {
	ck := &fiber.Cookie{Name: cookieName, Value: value, Path: "/auth/saml", HTTPOnly: true, Expires: expires,
		SameSite: fiber.CookieSameSiteLaxMode}
	if p.secure { // the response comes back as a cross-site POST from the identity provider
		ck.Secure, ck.SameSite = true, fiber.CookieSameSiteNoneMode
	}
	c.Cookie(ck)
}

func random() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (p *Provider) login(c *fiber.Ctx) error {
	d, ok := p.byEntity[c.Query("idp")]
	if !ok {
		return fiber.ErrNotFound
	}
	sp := d.sp
	req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(crewjam.HTTPRedirectBinding), crewjam.HTTPRedirectBinding, crewjam.HTTPPostBinding)
	if err != nil {
		return fmt.Errorf("saml: authn request: %w", err)
	}
	req.Issuer.NameQualifier = p.entityID
	req.AttributeConsumingServiceIndex = "0"
	force := p.level >= 2
	req.ForceAuthn = &force
	req.RequestedAuthnContext = &crewjam.RequestedAuthnContext{Comparison: "minimum", AuthnContextClassRef: levelURI(p.level)}
	relay := random()
	u, err := req.Redirect(relay, sp)
	if err != nil {
		return fmt.Errorf("saml: redirect: %w", err)
	}
	exp := time.Now().Add(flowTTL)
	p.cookie(c, p.seal(flow{ID: req.ID, IdP: sp.IDPMetadata.EntityID, Next: auth.LocalPath(c.Query("next")), Relay: relay, Exp: exp}), exp)
	return c.Redirect(u.String(), fiber.StatusSeeOther)
}

func levelURI(n int) string { return "https://www.spid.gov.it/SpidL" + strconv.Itoa(n) }

// levelOf reads the SPID level of an authentication context class, 0 when it is not SPID's.
func levelOf(ref string) int {
	if !strings.HasPrefix(ref, "https://www.spid.gov.it/SpidL") {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(ref, "https://www.spid.gov.it/SpidL"))
	return n
}

func (p *Provider) acs(c *fiber.Ctx, done auth.Completer) error {
	fail := func(reason error, why string, args ...any) error {
		slog.Warn("saml response refused", append([]any{"reason", why, "ip", c.IP()}, args...)...)
		return done.FailLogin(c, reason)
	}
	f, ok := p.open(c.Cookies(cookieName))
	p.cookie(c, "", time.Unix(0, 0))
	if !ok {
		return fail(auth.ErrRefused, "no login in progress (missing, forged or expired flow cookie)")
	}
	if c.FormValue("RelayState") != f.Relay {
		return fail(auth.ErrRefused, "relay state mismatch")
	}
	d, ok := p.byEntity[f.IdP]
	if !ok {
		return fail(auth.ErrRefused, "unknown identity provider", "idp", f.IdP)
	}
	if _, used := p.consumed.LoadOrStore(f.ID, f.Exp); used {
		return fail(auth.ErrRefused, "response replayed", "request", f.ID)
	}
	p.forgetExpired()
	r, err := adaptor.ConvertRequest(c, false)
	if err != nil {
		return fail(auth.ErrRefused, err.Error())
	}
	if err := r.ParseForm(); err != nil {
		return fail(auth.ErrRefused, err.Error())
	}
	a, err := d.sp.ParseResponse(r, []string{f.ID})
	if err != nil {
		var ire *crewjam.InvalidResponseError
		if errors.As(err, &ire) {
			return fail(auth.ErrRefused, "invalid response", "err", ire.PrivateErr)
		}
		return fail(auth.ErrRefused, "invalid response", "err", err)
	}
	level := 0
	for _, st := range a.AuthnStatements {
		if st.AuthnContext.AuthnContextClassRef != nil {
			level = levelOf(st.AuthnContext.AuthnContextClassRef.Value)
		}
	}
	if level < p.level {
		return fail(auth.ErrLevel, "level lower than requested", "level", level, "want", p.level)
	}
	attrs := map[string]string{}
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			if len(at.Values) > 0 {
				attrs[at.Name] = at.Values[0].Value
			}
		}
	}
	code, err := auth.NormalizeFiscalCode(attrs["fiscalNumber"])
	if err != nil {
		return fail(err, "no valid fiscalNumber")
	}
	return done.CompleteLogin(c, auth.Identity{FiscalCode: code, Name: attrs["name"], FamilyName: attrs["familyName"],
		Email: attrs["email"], Method: d.method, Issuer: a.Issuer.Value, Level: level}, f.Next)
}

func (p *Provider) forgetExpired() {
	now := time.Now()
	p.consumed.Range(func(k, v any) bool {
		if now.After(v.(time.Time)) {
			p.consumed.Delete(k)
		}
		return true
	})
}

// CSRFExempt names the assertion consumer: identity providers POST to it cross-site, and the
// signed response, bound to the flow cookie and the request id, is its proof.
func (p *Provider) CSRFExempt() []string { return []string{ACSPath} }

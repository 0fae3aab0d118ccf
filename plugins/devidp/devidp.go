// Package devidp is an in-process SAML identity provider for development and tests: a page of
// test personas (Personas) drives the real signed SAML exchange with the service provider, so
// tests exercise the production code path. It refuses to run in production mode. The page can
// also produce faulty responses (lower level, expired, another audience or issuer, no fiscal
// code) so developers see how the platform refuses them.
package devidp

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	crewjam "github.com/crewjam/saml"
	"github.com/gofiber/fiber/v2"

	"passhub/app/auth"
	"passhub/plugins/saml"
)

func init() { auth.Register("devidp", New) }

// Paths the dev identity provider serves.
const (
	MetadataPath = "/dev/idp/metadata"
	SSOPath      = "/dev/idp/sso"
	ScriptPath   = "/dev/idp/autopost.js"
)

// Anomalies the page can ask for, to see how the service provider refuses them.
var Anomalies = []struct{ Key, Label string }{
	{"", "Nessuna: risposta corretta"},
	{"level1", "Livello SPID 1 invece del livello richiesto"},
	{"expired", "Asserzione scaduta"},
	{"audience", "Asserzione per un altro service provider"},
	{"issuer", "Emittente diverso dall'identity provider"},
	{"no-fiscal-number", "Senza codice fiscale"},
}

// Provider is the dev identity provider.
type Provider struct {
	idp *crewjam.IdentityProvider
	sp  func() ([]byte, error)
}

// ErrProduction is returned when the dev identity provider is asked for in production mode.
var ErrProduction = errors.New("devidp: the dev identity provider refuses to run in production mode")

// New builds the dev identity provider with a key kept under DataDir/devidp.
func New(o auth.Options) (auth.Provider, error) {
	if o.Production {
		return nil, ErrProduction
	}
	base := strings.TrimSuffix(o.BaseURL, "/")
	key, cert, err := saml.LoadOrCreateKeyPair("", "", filepath.Join(o.DataDir, "devidp"), base+"/dev/idp", true)
	if err != nil {
		return nil, fmt.Errorf("devidp: %w", err)
	}
	meta, _ := url.Parse(base + MetadataPath)
	sso, _ := url.Parse(base + SSOPath)
	p := &Provider{}
	p.idp = &crewjam.IdentityProvider{Key: key, Signer: key, Certificate: cert, MetadataURL: *meta, SSOURL: *sso,
		ServiceProviderProvider: p, SessionProvider: p, AssertionMaker: crewjam.DefaultAssertionMaker{}}
	return p, nil
}

// Name is the provider's registry name.
func (p *Provider) Name() string { return "devidp" }

// Buttons offers none: the SAML service provider shows the dev identity provider's button.
func (p *Provider) Buttons() []auth.Button { return nil }

// Trusted returns the metadata the service provider must trust.
func (p *Provider) Trusted() auth.TrustedIdP {
	raw, _ := xml.Marshal(p.idp.Metadata())
	return auth.TrustedIdP{Method: "dev", Label: "auth.dev", Metadata: raw}
}

// TrustServiceProvider tells the identity provider how to find the service provider's metadata.
func (p *Provider) TrustServiceProvider(metadata func() ([]byte, error)) { p.sp = metadata }

// CSRFExempt names the persona form's endpoint, protected by the SAML request it carries.
func (p *Provider) CSRFExempt() []string { return []string{SSOPath} }

// GetServiceProvider answers crewjam with the one service provider it serves.
func (p *Provider) GetServiceProvider(_ *http.Request, id string) (*crewjam.EntityDescriptor, error) {
	if p.sp == nil {
		return nil, os.ErrNotExist
	}
	raw, err := p.sp()
	if err != nil {
		return nil, err
	}
	ed := new(crewjam.EntityDescriptor)
	if err := xml.Unmarshal(raw, ed); err != nil {
		return nil, err
	}
	if ed.EntityID != id {
		return nil, os.ErrNotExist
	}
	return ed, nil
}

// GetSession is never used: the personas page replaces crewjam's session handling.
func (p *Provider) GetSession(http.ResponseWriter, *http.Request, *crewjam.IdpAuthnRequest) *crewjam.Session {
	return nil
}

// Mount registers the identity provider's routes. The persona form's POST needs no CSRF token:
// it carries the SAML request, validated again, and the composition root exempts SSOPath.
func (p *Provider) Mount(r fiber.Router, _ auth.Completer) error {
	r.Get(MetadataPath, func(c *fiber.Ctx) error {
		raw, err := xml.MarshalIndent(p.idp.Metadata(), "", "  ")
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "application/samlmetadata+xml")
		return c.Send(raw)
	})
	r.Get(ScriptPath, func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "application/javascript; charset=utf-8")
		return c.SendString("document.getElementById('saml-response').submit();\n")
	})
	r.Get(SSOPath, p.personas)
	r.Post(SSOPath, p.respond)
	return nil
}

// request rebuilds the AuthnRequest from the HTTP-Redirect binding's query and validates it.
func (p *Provider) request(c *fiber.Ctx, samlRequest, relay string) (*crewjam.IdpAuthnRequest, error) {
	q := url.Values{"SAMLRequest": {samlRequest}, "RelayState": {relay}}
	r, err := http.NewRequestWithContext(c.UserContext(), http.MethodGet, p.idp.SSOURL.String()+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req, err := crewjam.NewIdpAuthnRequest(p.idp, r)
	if err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return req, nil
}

func (p *Provider) personas(c *fiber.Ctx) error {
	req, err := p.request(c, c.Query("SAMLRequest"), c.Query("RelayState"))
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "devidp: invalid SAML request: "+err.Error())
	}
	level := ""
	if rac := req.Request.RequestedAuthnContext; rac != nil {
		level = rac.AuthnContextClassRef
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return pageTemplate.Execute(c, map[string]any{"Personas": Personas, "Anomalies": Anomalies, "SAMLRequest": c.Query("SAMLRequest"),
		"RelayState": c.Query("RelayState"), "SP": req.Request.Issuer.Value, "Level": level})
}

func (p *Provider) respond(c *fiber.Ctx) error {
	var who *Persona
	for i := range Personas {
		if Personas[i].Key == c.FormValue("persona") {
			who = &Personas[i]
		}
	}
	if who == nil {
		return fiber.NewError(fiber.StatusBadRequest, "devidp: choose a persona")
	}
	anomaly := c.FormValue("anomaly")
	restore := crewjam.TimeNow
	if anomaly == "expired" {
		crewjam.TimeNow = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	}
	defer func() { crewjam.TimeNow = restore }()
	req, err := p.request(c, c.FormValue("SAMLRequest"), c.FormValue("RelayState"))
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "devidp: invalid SAML request: "+err.Error())
	}
	now := crewjam.TimeNow()
	session := &crewjam.Session{ID: random(), CreateTime: now, ExpireTime: now.Add(5 * time.Minute), Index: random(),
		NameID: random(), NameIDFormat: string(crewjam.TransientNameIDFormat)}
	if err := (crewjam.DefaultAssertionMaker{}).MakeAssertion(req, session); err != nil {
		return err
	}
	a := req.Assertion
	level := "https://www.spid.gov.it/SpidL2"
	if rac := req.Request.RequestedAuthnContext; rac != nil && rac.AuthnContextClassRef != "" {
		level = rac.AuthnContextClassRef
	}
	attrs := map[string]string{"fiscalNumber": "TINIT-" + who.FiscalCode, "name": who.Name, "familyName": who.FamilyName, "email": who.Email}
	switch anomaly {
	case "level1":
		level = "https://www.spid.gov.it/SpidL1"
	case "audience":
		a.Conditions.AudienceRestrictions = []crewjam.AudienceRestriction{{Audience: crewjam.Audience{Value: "https://another-sp.example.it/metadata"}}}
	case "issuer":
		a.Issuer.Value = "https://idp.unknown.example.it"
	case "no-fiscal-number":
		delete(attrs, "fiscalNumber")
	}
	for i := range a.AuthnStatements {
		a.AuthnStatements[i].AuthnContext.AuthnContextClassRef = &crewjam.AuthnContextClassRef{Value: level}
	}
	var list []crewjam.Attribute
	for _, name := range []string{"fiscalNumber", "name", "familyName", "email"} {
		if v, ok := attrs[name]; ok {
			list = append(list, crewjam.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
				Values: []crewjam.AttributeValue{{Type: "xs:string", Value: v}}})
		}
	}
	a.AttributeStatements = []crewjam.AttributeStatement{{Attributes: list}}
	form, err := req.PostBinding()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return postTemplate.Execute(c, map[string]any{"Form": form, "Script": ScriptPath})
}

func random() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "_" + base64.RawURLEncoding.EncodeToString(b)
}

var pageTemplate = template.Must(template.New("personas").Parse(`<!doctype html>
<html lang="it">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Identity provider di sviluppo – PAsS</title></head>
<body>
<main>
<h1>Identity provider di sviluppo</h1>
<p><strong>Attenzione:</strong> questo identity provider esiste solo in sviluppo e nei test; in produzione la piattaforma si rifiuta di avviarlo.</p>
<p>Richiesta di <code>{{.SP}}</code>{{if .Level}}, livello richiesto <code>{{.Level}}</code>{{end}}.</p>
<form method="post" action="/dev/idp/sso">
<input type="hidden" name="SAMLRequest" value="{{.SAMLRequest}}">
<input type="hidden" name="RelayState" value="{{.RelayState}}">
<fieldset>
<legend>Scegli con quale identità entrare</legend>
{{range $i, $p := .Personas}}<p><input type="radio" name="persona" id="persona-{{$p.Key}}" value="{{$p.Key}}"{{if eq $i 0}} checked{{end}}>
<label for="persona-{{$p.Key}}">{{$p.Name}} {{$p.FamilyName}} ({{$p.FiscalCode}}) – {{$p.Description}}</label></p>
{{end}}</fieldset>
<p><label for="anomaly">Simula una risposta anomala</label>
<select id="anomaly" name="anomaly">{{range .Anomalies}}<option value="{{.Key}}">{{.Label}}</option>{{end}}</select></p>
<p><button type="submit">Entra</button></p>
</form>
</main>
</body>
</html>
`))

var postTemplate = template.Must(template.New("post").Parse(`<!doctype html>
<html lang="it">
<head><meta charset="utf-8"><title>Ritorno a PAsS</title><script src="{{.Script}}" defer></script></head>
<body>
<main>
<h1>Ritorno a PAsS</h1>
<form id="saml-response" method="post" action="{{.Form.URL}}">
<input type="hidden" name="SAMLResponse" value="{{.Form.SAMLResponse}}">
<input type="hidden" name="RelayState" value="{{.Form.RelayState}}">
<p><button type="submit">Continua</button></p>
</form>
</main>
</body>
</html>
`))

// Package oidc logs people in through an OpenID Connect provider, such as a regional identity
// broker in front of SPID and CIE: authorization code flow with PKCE, state and nonce, ID token
// verified by go-oidc. It registers itself with the auth port as "oidc".
//
// Settings: "issuer" (required), "client_id" (required), "client_secret", "redirect_url"
// (default BaseURL + "/auth/oidc/callback"), "scopes" (space separated; default "openid profile
// email"), "fiscal_claim" (the claim holding the fiscal code; default "fiscal_number"), "method"
// (the kind of identity to record; default "oidc").
package oidc

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/gofiber/fiber/v2"
	"golang.org/x/oauth2"

	"passhub/app/auth"
)

func init() { auth.Register("oidc", New) }

// Paths the provider serves.
const (
	LoginPath    = "/auth/oidc/login"
	CallbackPath = "/auth/oidc/callback"
	cookieName   = "pass_oidc"
)

// Provider is an OpenID Connect relying party.
type Provider struct {
	issuer, clientID, secret, redirect, claim, method string
	scopes                                            []string
	secure                                            bool

	mu       sync.Mutex
	provider *gooidc.Provider // discovered on first use, so a broker down at start blocks nothing
}

// New builds the provider from its settings.
func New(o auth.Options) (auth.Provider, error) {
	s := o.Settings
	p := &Provider{issuer: s["issuer"], clientID: s["client_id"], secret: s["client_secret"], redirect: s["redirect_url"],
		claim: s["fiscal_claim"], method: s["method"], secure: o.Production}
	if p.issuer == "" || p.clientID == "" {
		return nil, errors.New("oidc: issuer and client_id are required")
	}
	if o.Production && !strings.HasPrefix(p.issuer, "https://") {
		return nil, errors.New("oidc: the issuer must use https in production")
	}
	if p.redirect == "" {
		p.redirect = strings.TrimSuffix(o.BaseURL, "/") + CallbackPath
	}
	if p.claim == "" {
		p.claim = "fiscal_number"
	}
	if p.method == "" {
		p.method = "oidc"
	}
	p.scopes = strings.Fields(s["scopes"])
	if len(p.scopes) == 0 {
		p.scopes = []string{gooidc.ScopeOpenID, "profile", "email"}
	}
	return p, nil
}

// Name is the provider's registry name.
func (p *Provider) Name() string { return "oidc" }

// Buttons offers one login button.
func (p *Provider) Buttons() []auth.Button {
	return []auth.Button{{Label: "auth.oidc", URL: LoginPath, Method: p.method}}
}

// Mount registers the login and callback routes.
func (p *Provider) Mount(r fiber.Router, done auth.Completer) error {
	r.Get(LoginPath, p.login)
	r.Get(CallbackPath, func(c *fiber.Ctx) error { return p.callback(c, done) })
	return nil
}

func (p *Provider) discover(ctx context.Context) (*gooidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.provider != nil {
		return p.provider, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	prov, err := gooidc.NewProvider(ctx, p.issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discovery of %s: %w", p.issuer, err)
	}
	p.provider = prov
	return prov, nil
}

func (p *Provider) config(prov *gooidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: p.clientID, ClientSecret: p.secret, RedirectURL: p.redirect, Endpoint: prov.Endpoint(), Scopes: p.scopes}
}

// flow is what the browser carries between login and callback, in an HttpOnly cookie.
type flow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"r"`
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (p *Provider) login(c *fiber.Ctx) error {
	prov, err := p.discover(c.UserContext())
	if err != nil {
		slog.Warn("oidc login unavailable", "err", err)
		return fiber.ErrServiceUnavailable
	}
	f := flow{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(), Next: auth.LocalPath(c.Query("next"))}
	raw, _ := json.Marshal(f)
	c.Cookie(&fiber.Cookie{Name: cookieName, Value: base64.RawURLEncoding.EncodeToString(raw), Path: "/auth/oidc",
		HTTPOnly: true, Secure: p.secure, SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Now().Add(10 * time.Minute)})
	u := p.config(prov).AuthCodeURL(f.State, gooidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))
	return c.Redirect(u, fiber.StatusSeeOther)
}

func (p *Provider) callback(c *fiber.Ctx, done auth.Completer) error {
	fail := func(reason error, detail string, args ...any) error {
		slog.Warn("oidc login refused", append([]any{"reason", detail}, args...)...)
		return done.FailLogin(c, reason)
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Cookies(cookieName))
	var f flow
	if err != nil || json.Unmarshal(raw, &f) != nil || f.State == "" {
		return fail(auth.ErrRefused, "no login in progress")
	}
	c.Cookie(&fiber.Cookie{Name: cookieName, Value: "", Path: "/auth/oidc", MaxAge: -1, Expires: time.Unix(0, 0),
		HTTPOnly: true, Secure: p.secure, SameSite: fiber.CookieSameSiteLaxMode})
	if e := c.Query("error"); e != "" {
		if e == "access_denied" {
			return fail(auth.ErrCancelled, "cancelled at the provider")
		}
		return fail(auth.ErrRefused, "provider error", "error", e)
	}
	if c.Query("state") != f.State {
		return fail(auth.ErrRefused, "state mismatch")
	}
	prov, err := p.discover(c.UserContext())
	if err != nil {
		return fail(auth.ErrRefused, err.Error())
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 15*time.Second)
	defer cancel()
	tok, err := p.config(prov).Exchange(ctx, c.Query("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return fail(auth.ErrRefused, "code exchange", "err", err)
	}
	rawID, ok := tok.Extra("id_token").(string)
	if !ok {
		return fail(auth.ErrRefused, "no id_token")
	}
	idt, err := prov.Verifier(&gooidc.Config{ClientID: p.clientID}).Verify(ctx, rawID)
	if err != nil {
		return fail(auth.ErrRefused, "id_token", "err", err)
	}
	if idt.Nonce != f.Nonce {
		return fail(auth.ErrRefused, "nonce mismatch")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return fail(auth.ErrRefused, "claims", "err", err)
	}
	str := func(k string) string { v, _ := claims[k].(string); return v }
	code, err := auth.NormalizeFiscalCode(str(p.claim))
	if err != nil {
		return fail(err, "fiscal code claim", "claim", p.claim)
	}
	level := 2
	if acr := str("acr"); strings.HasPrefix(acr, "https://www.spid.gov.it/SpidL") {
		fmt.Sscanf(strings.TrimPrefix(acr, "https://www.spid.gov.it/SpidL"), "%d", &level)
	}
	return done.CompleteLogin(c, auth.Identity{FiscalCode: code, Name: str("given_name"), FamilyName: str("family_name"),
		Email: str("email"), Method: p.method, Issuer: idt.Issuer, Level: level}, auth.LocalPath(f.Next))
}

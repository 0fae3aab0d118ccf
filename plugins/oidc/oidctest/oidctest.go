// Package oidctest runs a minimal OpenID Connect provider for tests: discovery, JWKS, an
// authorization endpoint that consents at once, and a token endpoint that checks PKCE and signs
// ID tokens with RS256.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// OP is a minimal OpenID provider with real RS256 signatures, enough for the code flow with PKCE.
type OP struct {
	Server *httptest.Server
	key    *rsa.PrivateKey
	mu     sync.Mutex
	codes  map[string]map[string]string // code → nonce, challenge, redirect
	// Claims override what the ID token says; Tweak makes it wrong on purpose; Deny cancels.
	Claims map[string]any
	Tweak  func(map[string]any)
	Deny   bool
}

// Start runs an OP on a loopback port until the test ends.
func Start(t testing.TB) *OP {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	o := &OP{key: key, codes: map[string]map[string]string{}}
	mux := http.NewServeMux()
	o.Server = httptest.NewServer(mux)
	t.Cleanup(o.Server.Close)
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": o.Server.URL, "authorization_endpoint": o.Server.URL + "/authorize",
			"token_endpoint": o.Server.URL + "/token", "jwks_uri": o.Server.URL + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &o.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		back, _ := url.Parse(q.Get("redirect_uri"))
		bq := back.Query()
		bq.Set("state", q.Get("state"))
		if o.Deny {
			bq.Set("error", "access_denied")
		} else if q.Get("code_challenge_method") == "S256" && q.Get("code_challenge") != "" {
			code := base64.RawURLEncoding.EncodeToString([]byte(time.Now().String()))
			o.mu.Lock()
			o.codes[code] = map[string]string{"nonce": q.Get("nonce"), "challenge": q.Get("code_challenge"), "client": q.Get("client_id")}
			o.mu.Unlock()
			bq.Set("code", code)
		}
		back.RawQuery = bq.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		o.mu.Lock()
		c, ok := o.codes[r.Form.Get("code")]
		delete(o.codes, r.Form.Get("code"))
		o.mu.Unlock()
		sum := sha256.Sum256([]byte(r.Form.Get("code_verifier")))
		if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != c["challenge"] {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant"})
			return
		}
		claims := map[string]any{"iss": o.Server.URL, "aud": c["client"], "sub": "u1", "exp": time.Now().Add(time.Minute).Unix(),
			"iat": time.Now().Unix(), "nonce": c["nonce"], "fiscal_number": "TINIT-RSSMRA80A01F205X", "given_name": "Mario",
			"family_name": "Rossi", "email": "mario@comune.it", "acr": "https://www.spid.gov.it/SpidL2"}
		for k, v := range o.Claims {
			claims[k] = v
		}
		if o.Tweak != nil {
			o.Tweak(claims)
		}
		signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: o.key}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
		payload, _ := json.Marshal(claims)
		jws, _ := signer.Sign(payload)
		idt, _ := jws.CompactSerialize()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 60, "id_token": idt})
	})
	return o
}

// URL is the issuer.
func (o *OP) URL() string { return o.Server.URL }

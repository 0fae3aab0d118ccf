package oidc

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/gofiber/fiber/v2"

	"passhub/app/auth"
)

// op is a minimal OpenID provider with real RS256 signatures, enough for the code flow with PKCE.
type op struct {
	srv   *httptest.Server
	key   *rsa.PrivateKey
	mu    sync.Mutex
	codes map[string]map[string]string // code → nonce, challenge, redirect
	// claims override what the ID token says; tweak makes it wrong on purpose.
	claims map[string]any
	tweak  func(map[string]any)
	deny   bool
}

func newOP(t *testing.T) *op {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	o := &op{key: key, codes: map[string]map[string]string{}}
	mux := http.NewServeMux()
	o.srv = httptest.NewServer(mux)
	t.Cleanup(o.srv.Close)
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": o.srv.URL, "authorization_endpoint": o.srv.URL + "/authorize",
			"token_endpoint": o.srv.URL + "/token", "jwks_uri": o.srv.URL + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &o.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		back, _ := url.Parse(q.Get("redirect_uri"))
		bq := back.Query()
		bq.Set("state", q.Get("state"))
		if o.deny {
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
		claims := map[string]any{"iss": o.srv.URL, "aud": c["client"], "sub": "u1", "exp": time.Now().Add(time.Minute).Unix(),
			"iat": time.Now().Unix(), "nonce": c["nonce"], "fiscal_number": "TINIT-RSSMRA80A01F205X", "given_name": "Mario",
			"family_name": "Rossi", "email": "mario@comune.it", "acr": "https://www.spid.gov.it/SpidL2"}
		for k, v := range o.claims {
			claims[k] = v
		}
		if o.tweak != nil {
			o.tweak(claims)
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

type completer struct {
	got    *auth.Identity
	next   string
	failed error
}

func (c *completer) CompleteLogin(fc *fiber.Ctx, id auth.Identity, next string) error {
	c.got, c.next = &id, next
	return fc.SendString("ok")
}

func (c *completer) FailLogin(fc *fiber.Ctx, reason error) error {
	c.failed = reason
	return fc.Status(401).SendString("refused")
}

func start(t *testing.T, o *op, settings map[string]string) (*completer, string, *http.Client) {
	t.Helper()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	base := "http://" + ln.Addr().String()
	s := map[string]string{"issuer": o.srv.URL, "client_id": "pass"}
	for k, v := range settings {
		s[k] = v
	}
	p, err := New(auth.Options{BaseURL: base, Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	done := &completer{}
	if err := p.Mount(app, done); err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	jar, _ := cookiejar.New(nil)
	return done, base, &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

func TestCodeFlowWithPKCE(t *testing.T) {
	o := newOP(t)
	done, base, client := start(t, o, nil)
	res, err := client.Get(base + LoginPath + "?next=/area-riservata/sessioni")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if done.got == nil {
		t.Fatalf("login not completed (status %d, failed %v)", res.StatusCode, done.failed)
	}
	want := auth.Identity{FiscalCode: "TINIT-RSSMRA80A01F205X", Name: "Mario", FamilyName: "Rossi", Email: "mario@comune.it", Method: "oidc", Issuer: o.srv.URL, Level: 2}
	if *done.got != want || done.next != "/area-riservata/sessioni" {
		t.Errorf("identity %+v next %q", *done.got, done.next)
	}
}

func TestRefusals(t *testing.T) {
	cases := []struct {
		name  string
		setup func(o *op)
		path  string
		want  error
	}{
		{"wrong audience", func(o *op) { o.tweak = func(c map[string]any) { c["aud"] = "someone-else" } }, "", auth.ErrRefused},
		{"expired token", func(o *op) { o.tweak = func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() } }, "", auth.ErrRefused},
		{"wrong nonce", func(o *op) { o.tweak = func(c map[string]any) { c["nonce"] = "replayed" } }, "", auth.ErrRefused},
		{"other issuer", func(o *op) { o.tweak = func(c map[string]any) { c["iss"] = "https://evil.example" } }, "", auth.ErrRefused},
		{"no fiscal code", func(o *op) { o.tweak = func(c map[string]any) { delete(c, "fiscal_number") } }, "", auth.ErrNoCode},
		{"cancelled", func(o *op) { o.deny = true }, "", auth.ErrCancelled},
		{"callback without login", func(o *op) {}, CallbackPath + "?code=x&state=y", auth.ErrRefused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := newOP(t)
			c.setup(o)
			done, base, client := start(t, o, nil)
			path := c.path
			if path == "" {
				path = LoginPath
			}
			res, err := client.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if done.got != nil || !errors.Is(done.failed, c.want) {
				t.Errorf("got %+v, failed %v; want refusal %v", done.got, done.failed, c.want)
			}
		})
	}
}

func TestStateMismatchAndOpenRedirect(t *testing.T) {
	o := newOP(t)
	done, base, client := start(t, o, nil)
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Get(base + LoginPath + "?next=//evil.example/x")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	if loc.Query().Get("code_challenge_method") != "S256" || loc.Query().Get("nonce") == "" {
		t.Errorf("authorization request %s", loc)
	}
	// A forged callback with another state is refused.
	res, _ = client.Get(base + CallbackPath + "?code=abc&state=forged")
	res.Body.Close()
	if done.got != nil || !errors.Is(done.failed, auth.ErrRefused) {
		t.Errorf("forged state: %v", done.failed)
	}
	// The real flow ignores an off-site next.
	client.CheckRedirect = nil
	res, _ = client.Get(base + LoginPath + "?next=//evil.example/x")
	res.Body.Close()
	if done.got == nil || strings.Contains(done.next, "evil") {
		t.Errorf("next %q", done.next)
	}
}

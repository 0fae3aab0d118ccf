package oidc

import (
	"errors"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/auth"
	"passhub/plugins/oidc/oidctest"
)

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

func start(t *testing.T, o *oidctest.OP, settings map[string]string) (*completer, string, *http.Client) {
	t.Helper()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	base := "http://" + ln.Addr().String()
	s := map[string]string{"issuer": o.URL(), "client_id": "pass"}
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
	o := oidctest.Start(t)
	done, base, client := start(t, o, nil)
	res, err := client.Get(base + LoginPath + "?next=/area-riservata/sessioni")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if done.got == nil {
		t.Fatalf("login not completed (status %d, failed %v)", res.StatusCode, done.failed)
	}
	want := auth.Identity{FiscalCode: "TINIT-RSSMRA80A01F205X", Name: "Mario", FamilyName: "Rossi", Email: "mario@comune.it", Method: "oidc", Issuer: o.URL(), Level: 2}
	if *done.got != want || done.next != "/area-riservata/sessioni" {
		t.Errorf("identity %+v next %q", *done.got, done.next)
	}
}

func TestRefusals(t *testing.T) {
	cases := []struct {
		name  string
		setup func(o *oidctest.OP)
		path  string
		want  error
	}{
		{"wrong audience", func(o *oidctest.OP) { o.Tweak = func(c map[string]any) { c["aud"] = "someone-else" } }, "", auth.ErrRefused},
		{"expired token", func(o *oidctest.OP) {
			o.Tweak = func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }
		}, "", auth.ErrRefused},
		{"wrong nonce", func(o *oidctest.OP) { o.Tweak = func(c map[string]any) { c["nonce"] = "replayed" } }, "", auth.ErrRefused},
		{"other issuer", func(o *oidctest.OP) { o.Tweak = func(c map[string]any) { c["iss"] = "https://evil.example" } }, "", auth.ErrRefused},
		{"no fiscal code", func(o *oidctest.OP) { o.Tweak = func(c map[string]any) { delete(c, "fiscal_number") } }, "", auth.ErrNoCode},
		{"cancelled", func(o *oidctest.OP) { o.Deny = true }, "", auth.ErrCancelled},
		{"callback without login", func(o *oidctest.OP) {}, CallbackPath + "?code=x&state=y", auth.ErrRefused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := oidctest.Start(t)
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
	o := oidctest.Start(t)
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

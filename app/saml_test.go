package app_test

import (
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"passhub/app/apptest"
)

// samlLogin drives the real signed exchange: the login button, the SP's signed AuthnRequest, the
// dev identity provider's persona page, its signed response, and the assertion consumer. It
// returns the browser, the final response and the SAMLResponse form values it posted.
func samlLogin(t *testing.T, s *apptest.Server, persona, anomaly, next string) (*http.Client, *http.Response, url.Values) {
	return samlExchange(t, s, persona, anomaly, next, true)
}

// samlExchange is samlLogin that may stop before posting the response to the assertion consumer.
func samlExchange(t *testing.T, s *apptest.Server, persona, anomaly, next string, toACS bool) (*http.Client, *http.Response, url.Values) {
	t.Helper()
	b := browser()
	_, body := s.Get(t, "/accedi?next="+url.QueryEscape(next))
	href, ok := parse(t, body).Find("a.pass-login-dev").Attr("href")
	if !ok {
		t.Fatal("no dev identity provider button on /accedi")
	}
	res, err := b.Get(s.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	page := parse(t, readAll(t, res))
	if res.StatusCode != 200 || !strings.HasPrefix(res.Request.URL.Path, "/dev/idp/sso") {
		t.Fatalf("persona page: %d at %s", res.StatusCode, res.Request.URL)
	}
	if q := res.Request.URL.Query(); q.Get("SigAlg") == "" || q.Get("Signature") == "" {
		t.Error("the AuthnRequest is not signed")
	}
	form := url.Values{"persona": {persona}, "anomaly": {anomaly}}
	for _, name := range []string{"SAMLRequest", "RelayState"} {
		v, _ := page.Find("input[name=" + name + "]").Attr("value")
		form.Set(name, v)
	}
	res, err = b.PostForm(s.URL+"/dev/idp/sso", form)
	if err != nil {
		t.Fatal(err)
	}
	post := parse(t, readAll(t, res))
	action, _ := post.Find("form#saml-response").Attr("action")
	resp := url.Values{}
	for _, name := range []string{"SAMLResponse", "RelayState"} {
		v, _ := post.Find("input[name=" + name + "]").Attr("value")
		resp.Set(name, v)
	}
	if action != s.URL+"/auth/saml/acs" || resp.Get("SAMLResponse") == "" {
		t.Fatalf("IdP answer: %d action %q", res.StatusCode, action)
	}
	if !toACS {
		return b, nil, resp
	}
	res, err = b.PostForm(action, resp)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return b, res, resp
}

func TestSAMLLoginThroughTheDevIdentityProvider(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	b, res, _ := samlLogin(t, s, "sindaco-registrato", "", "/area-riservata/sessioni")
	if res.StatusCode != 200 || res.Request.URL.Path != "/area-riservata/sessioni" {
		t.Fatalf("after login: %d at %s", res.StatusCode, res.Request.URL)
	}
	res, err := b.Get(s.URL + "/area-riservata")
	if err != nil {
		t.Fatal(err)
	}
	doc := parse(t, readAll(t, res))
	if !strings.Contains(doc.Find(".pass-account").Text(), "Mario Rossi") || !strings.Contains(doc.Text(), "TINIT-RSSMRA70A01C933F") {
		t.Errorf("reserved area does not show the person: %q", doc.Find(".pass-account").Text())
	}
	users, _, _ := s.Identity.Users(t.Context(), "rossi", 10)
	if len(users) != 1 || users[0].LastMethod != "dev" || users[0].Email != "sindaco@comune.cantu.example.it" {
		t.Errorf("user %+v", users)
	}
}

func TestSAMLRefusals(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	count := func() int {
		n, err := s.DB.NewSelect().Table("sessions").Count(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	cases := []struct{ anomaly, message string }{
		{"level1", "livello di sicurezza più alto"},
		{"expired", "non è riuscito"},
		{"audience", "non è riuscito"},
		{"issuer", "non è riuscito"},
		{"no-fiscal-number", "codice fiscale valido"},
	}
	for _, c := range cases {
		t.Run(c.anomaly, func(t *testing.T) {
			before := count()
			_, res, _ := samlLogin(t, s, "delegato", c.anomaly, "/area-riservata")
			if res.StatusCode != 401 || count() != before {
				t.Errorf("status %d, %d new sessions", res.StatusCode, count()-before)
			}
		})
	}

	t.Run("tampered", func(t *testing.T) {
		b, _, resp := samlExchange(t, s, "delegato", "", "/area-riservata", false)
		raw, _ := base64.StdEncoding.DecodeString(resp.Get("SAMLResponse"))
		forged := strings.Replace(string(raw), "Bianchi", "Bianco", 1)
		if forged == string(raw) {
			t.Fatal("nothing to tamper with")
		}
		before := count()
		resp.Set("SAMLResponse", base64.StdEncoding.EncodeToString([]byte(forged)))
		res, err := b.PostForm(s.URL+"/auth/saml/acs", resp)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 401 || count() != before {
			t.Errorf("tampered response: %d", res.StatusCode)
		}
	})

	t.Run("replayed", func(t *testing.T) {
		b, _, resp := samlExchange(t, s, "delegato", "", "/", false)
		u, _ := url.Parse(s.URL + "/auth/saml/acs")
		flowCookies := b.Jar.Cookies(u) // what an attacker who copied the browser's cookie would send
		res, err := b.PostForm(s.URL+"/auth/saml/acs", resp)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("clean login: %v %d", err, res.StatusCode)
		}
		res.Body.Close()
		before := count()
		replay := browser()
		replay.Jar.SetCookies(u, flowCookies)
		res2, _ := replay.PostForm(s.URL+"/auth/saml/acs", resp)
		res2.Body.Close()
		unsolicited := browser()
		res3, _ := unsolicited.PostForm(s.URL+"/auth/saml/acs", resp)
		res3.Body.Close()
		if res2.StatusCode != 401 || res3.StatusCode != 401 || count() != before {
			t.Errorf("replay with the flow cookie: %d, without: %d", res2.StatusCode, res3.StatusCode)
		}
	})

	t.Run("open redirect", func(t *testing.T) {
		_, res, _ := samlLogin(t, s, "delegato", "", "//evil.example/steal")
		if res.Request.URL.Host != strings.TrimPrefix(s.URL, "http://") || res.Request.URL.Path != "/area-riservata" {
			t.Errorf("landed on %s", res.Request.URL)
		}
	})
}

func TestSAMLMetadataIsSignedForSPID(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	res, body := s.Get(t, "/auth/saml/metadata")
	if res.StatusCode != 200 {
		t.Fatal(res.StatusCode)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromString(body); err != nil {
		t.Fatal(err)
	}
	root := doc.Root()
	certText := root.FindElement(".//KeyDescriptor[@use='signing']//X509Certificate").Text()
	der, _ := base64.StdEncoding.DecodeString(certText)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if first := root.ChildElements()[0]; first.Tag != "Signature" {
		t.Errorf("the signature is not the first child but %s", first.Tag)
	}
	ctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}})
	if _, err := ctx.Validate(root); err != nil {
		t.Fatalf("metadata signature: %v", err)
	}
	for _, path := range []string{".//AttributeConsumingService[@index='0']", ".//RequestedAttribute[@Name='fiscalNumber']",
		".//AssertionConsumerService[@index='0']", ".//ContactPerson/Extensions/IPACode", ".//ContactPerson/Extensions/Public"} {
		if root.FindElement(path) == nil {
			t.Errorf("metadata lacks %s", path)
		}
	}
	tampered := strings.Replace(body, "fiscalNumber", "fiscalNumbeX", 1)
	doc2 := etree.NewDocument()
	_ = doc2.ReadFromString(tampered)
	if _, err := ctx.Validate(doc2.Root()); err == nil {
		t.Error("a changed metadata still validates")
	}
}

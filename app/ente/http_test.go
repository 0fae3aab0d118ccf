package ente_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/ente"
	"passhub/app/identity"
)

// The registration of an ente over HTTP, on a real passhub: the mayor's upload, the admin's
// review, the delegates.

func multipartForm(t *testing.T, fields map[string]string, fileName string, file []byte) (string, io.Reader) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if fileName != "" {
		fw, _ := mw.CreateFormFile("protocol", fileName)
		_, _ = fw.Write(file)
	}
	_ = mw.Close()
	return mw.FormDataContentType(), &buf
}

// TestRegistrationJourneyOverHTTP files a registration with an upload, has it approved by an
// admin, and checks what each side sees at each step.
func TestRegistrationJourneyOverHTTP(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ctx := context.Background()
	if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013041", Name: "Cantù", Kind: ente.KindComune, Province: "CO"},
		{ISTAT: "013075", Name: "Como", Kind: ente.KindComune, Province: "CO"}, {ISTAT: "013", Name: "Provincia di Como", Kind: ente.KindProvincia, Province: "CO"},
		{ISTAT: "013010", Name: "Albese con Cassano", Kind: ente.KindComune, Province: "CO"}}); err != nil {
		t.Fatal(err)
	}
	s.Enti.Trust, _ = ente.ParseTrust(apptest.TestCA(t).PEM())
	const mayorCode = "RSSMRA80A01F205X"
	mayor := s.Login(t, mayorCode, "Mario", "Rossi")
	adminCode := apptest.FiscalCode("DMNDMN80A01F205")
	admin := s.Login(t, adminCode, "Ada", "Admin")
	adminUser, _ := s.Identity.Authenticate(ctx, strings.TrimPrefix(strings.Split(admin, ";")[0], "pass_session="))
	if err := s.Identity.Grant(ctx, identity.Actor{}, adminUser.User.ID, "admin", ""); err != nil {
		t.Fatal(err)
	}

	// The home invites the mayor to register; the search finds the comune.
	_, body := s.Get(t, "/area-riservata", "Cookie", mayor, "Accept-Language", "it")
	if apptest.Parse(t, body).Find("a[href='/area-riservata/registrazione']").Length() == 0 {
		t.Fatal("no registration link on the reserved area home")
	}
	_, body = s.Get(t, "/area-riservata/registrazione?q=cant", "Cookie", mayor, "Accept-Language", "it")
	href, ok := apptest.Parse(t, body).Find(".pass-ente-results a").Attr("href")
	if !ok {
		t.Fatal("the search did not find Cantù")
	}
	// The exact name comes first, before the province and the names merely containing it.
	_, body = s.Get(t, "/area-riservata/registrazione?q=Como", "Cookie", mayor, "Accept-Language", "it")
	if first := apptest.Parse(t, body).Find(".pass-ente-results a").First().Text(); first != "Como" {
		t.Errorf("searching Como lists %q first", first)
	}
	_, body = s.Get(t, href, "Cookie", mayor, "Accept-Language", "it")
	doc := apptest.Parse(t, body)
	enteID, _ := doc.Find("input[name=ente_id]").Attr("value")
	if doc.Find("input[type=file][name=protocol]").Length() != 1 || enteID == "" {
		t.Fatal("no registration form")
	}
	// The e-mail comes from the digital identity; a comune offers the roles of a comune.
	if v, _ := doc.Find("#reg-email").Attr("value"); v != "mario@example.it" {
		t.Errorf("e-mail not prefilled from the identity: %q", v)
	}
	var roles []string
	doc.Find("input[name=role]").Each(func(_ int, r *goquery.Selection) { v, _ := r.Attr("value"); roles = append(roles, v) })
	if strings.Join(roles, ",") != "sindaco,commissario" {
		t.Errorf("roles offered for a comune: %v", roles)
	}
	// The template to sign is a PDF with the comune's name.
	tpl, ok := doc.Find("a[href^='/area-riservata/registrazione/modello?']").Attr("href")
	if !ok {
		t.Fatal("no template link")
	}
	res, data := s.Get(t, tpl, "Cookie", mayor)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(data, "%PDF-") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "013041") {
		t.Errorf("template: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	id, _ := strconv.ParseInt(enteID, 10, 64)
	cantu, _ := s.Enti.Ente(ctx, id)
	pdf := string(apptest.Protocol(t, cantu, mayorCode))

	post := func(fields map[string]string, name string, file []byte) (*http.Response, string) {
		fields["_csrf"] = apptest.CSRFToken
		ct, r := multipartForm(t, fields, name, file)
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/area-riservata/registrazione", r)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Cookie", mayor)
		req.Header.Set("Accept-Language", "it")
		return s.Do(t, req)
	}
	fields := func() map[string]string {
		return map[string]string{"ente_id": enteID, "role": "sindaco", "email": "sindaco@comune.cantu.co.it", "pec": "comune.cantu@pec.it"}
	}
	res, body = post(fields(), "", nil)
	if res.StatusCode != 422 || !strings.Contains(apptest.Parse(t, body).Find("#reg-protocol-error").Text(), "senza il protocollo") {
		t.Fatalf("without protocol: %d", res.StatusCode)
	}
	res, body = post(fields(), "protocollo.pdf", []byte("<html>not a pdf</html>"))
	if res.StatusCode != 422 || !strings.Contains(apptest.Parse(t, body).Find("#reg-protocol-error").Text(), "non è un PDF") {
		t.Fatalf("fake pdf: %d", res.StatusCode)
	}
	res, body = post(fields(), "protocollo.pdf", apptest.Protocol(t, cantu, apptest.FiscalCode("VRDLGU60B01F205")))
	if res.StatusCode != 422 || !strings.Contains(apptest.Parse(t, body).Find("#reg-protocol-error").Text(), "un'altra persona") {
		t.Fatalf("signed by someone else: %d", res.StatusCode)
	}
	if regs, _ := s.Enti.Registrations(ctx, ""); len(regs) != 0 {
		t.Fatal("bad uploads stored a registration")
	}
	res, _ = post(fields(), "protocollo.pdf", []byte(pdf))
	if res.StatusCode != 303 {
		t.Fatalf("registration: %d", res.StatusCode)
	}
	res, _ = post(fields(), "protocollo.pdf", []byte(pdf))
	if res.StatusCode != 409 {
		t.Errorf("double submission: %d", res.StatusCode)
	}
	// Someone else choosing the comune hears it is pending before uploading anything.
	other := s.Login(t, apptest.FiscalCode("VRDLGU60B01F205"), "Luigi", "Verdi")
	_, body = s.Get(t, "/area-riservata/registrazione?ente="+enteID, "Cookie", other, "Accept-Language", "it")
	if doc := apptest.Parse(t, body); doc.Find("#reg-pending").Length() != 1 || doc.Find("input[name=protocol]").Length() != 0 {
		t.Error("a pending ente still offers the upload")
	}
	_, body = s.Get(t, "/area-riservata", "Cookie", mayor, "Accept-Language", "it")
	if !strings.Contains(apptest.Parse(t, body).Find("[role=status]").Text(), "in attesa di approvazione") {
		t.Error("the pending state is not shown")
	}
	// Until approved, the mayor has no ente pages.
	if res, _ := s.Get(t, "/area-riservata/enti/"+enteID+"/delegati", "Cookie", mayor); res.StatusCode != 403 {
		t.Errorf("delegates page before approval: %d", res.StatusCode)
	}

	// The admin sees the queue, opens the protocol, and approves.
	_, body = s.Get(t, "/admin/registrazioni", "Cookie", admin, "Accept-Language", "it")
	link, ok := apptest.Parse(t, body).Find(".pass-registration a").Attr("href")
	if !ok {
		t.Fatal("empty queue")
	}
	res, data = s.Get(t, link+"/protocollo", "Cookie", admin)
	if res.StatusCode != 200 || data != pdf || res.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("protocol download: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	// The admin sees who signed, with what certificate, when, and whether it chains to the bundle.
	_, body = s.Get(t, link, "Cookie", admin, "Accept-Language", "it")
	doc = apptest.Parse(t, body)
	for sel, want := range map[string]string{"#sig-signer": "Firmatario Di Prova", "#sig-code": "TINIT-" + mayorCode,
		"#sig-issuer": "PAsS Test Qualified CA", "#sig-format": "PAdES", "#sig-trust": "discende da un'autorità", "#sig-time": "UTC"} {
		if got := doc.Find(sel).Text(); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	s.Enti.Trust = nil
	_, body = s.Get(t, link, "Cookie", admin, "Accept-Language", "it")
	if got := apptest.Parse(t, body).Find("#sig-trust").Text(); !strings.Contains(got, "non verificata rispetto a un elenco di fiducia") {
		t.Errorf("without a bundle: %q", got)
	}
	apptest.RunScenarios(t, s, []apptest.Scenario{
		{Name: "rejection without a reason", As: admin, Method: http.MethodPost, Path: link + "/rifiuta", Lang: "it",
			Form: url.Values{"confirm": {"1"}, "reason": {" "}}, Status: 422, Has: map[string]string{"#confirm-reason-error": "obbligatorio"},
			Events: []string{}},
		{Name: "approval", As: admin, Method: http.MethodPost, Path: link + "/approva", Form: url.Values{"confirm": {"1"}},
			Status: 303, Events: []string{"ente.registration.decided"}},
	})
	// The mayor, now its legal representative, is told so instead of a form.
	_, body = s.Get(t, "/area-riservata/registrazione?ente="+enteID, "Cookie", mayor, "Accept-Language", "it")
	if doc := apptest.Parse(t, body); doc.Find("#reg-already").Length() != 1 || doc.Find("input[name=protocol]").Length() != 0 {
		t.Error("the legal representative is offered a registration of their own ente")
	}
	// The mayor now manages delegates.
	res, body = s.Get(t, "/area-riservata/enti/"+enteID+"/delegati", "Cookie", mayor, "Accept-Language", "it")
	if res.StatusCode != 200 || apptest.Parse(t, body).Find(".pass-member").Length() != 1 {
		t.Fatalf("delegates page: %d", res.StatusCode)
	}
	delegate := apptest.FiscalCode("BNCGLI75M41L219")
	res, body = s.PostForm(t, "/area-riservata/enti/"+enteID+"/delegati", map[string][]string{"_csrf": {apptest.CSRFToken}, "fiscal_code": {"ABC"}, "email": {"g@comune.it"}}, "Cookie", mayor, "Accept-Language", "it")
	if res.StatusCode != 422 || apptest.Parse(t, body).Find("#inv-code-error").Length() != 1 {
		t.Errorf("bad fiscal code: %d", res.StatusCode)
	}
	apptest.RunScenarios(t, s, []apptest.Scenario{
		{Name: "invitation", As: mayor, Method: http.MethodPost, Path: "/area-riservata/enti/" + enteID + "/delegati",
			Form: url.Values{"fiscal_code": {strings.ToLower(delegate)}, "email": {"g@comune.it"}}, Status: 303,
			Events: []string{"ente.invitation.sent"}},
	})
	_, body = s.Get(t, "/area-riservata/enti/"+enteID+"/delegati", "Cookie", mayor)
	if apptest.Parse(t, body).Find(".pass-invitation").Length() != 1 {
		t.Error("invitation not listed")
	}
	d := s.Login(t, delegate, "Giulia", "Bianchi")
	res, body = s.Get(t, "/area-riservata/enti/"+enteID, "Cookie", d)
	if res.StatusCode != 200 {
		t.Errorf("delegate's ente page: %d", res.StatusCode)
	}
	// The approved protocol is on the ente's page, for its legal representative and delegates.
	plink, ok := apptest.Parse(t, body).Find("#ente-protocol").Attr("href")
	if !ok {
		t.Fatal("no approved protocol on the ente's page")
	}
	if res, data := s.Get(t, plink, "Cookie", d); res.StatusCode != 200 || data != pdf {
		t.Errorf("approved protocol: %d", res.StatusCode)
	}
	apptest.RunScenarios(t, s, []apptest.Scenario{
		{Name: "approved protocol for a stranger", As: other, Path: plink, Status: 403},
		{Name: "delegate managing delegates", As: d, Path: "/area-riservata/enti/" + enteID + "/delegati", Status: 403},
		{Name: "stranger managing delegates", As: other, Path: "/area-riservata/enti/" + enteID + "/delegati", Status: 403},
		{Name: "stranger inviting a delegate", As: other, Method: http.MethodPost, Path: "/area-riservata/enti/" + enteID + "/delegati",
			Form: url.Values{"fiscal_code": {apptest.FiscalCode("VRDLGU80A01F205")}, "email": {"x@comune.it"}}, Status: 403, Events: []string{}},
	})
	// The audit log shows the journey to the admin.
	_, body = s.Get(t, "/admin/audit", "Cookie", admin)
	for _, action := range []string{"registration.submit", "registration.approve", "delegate.invite", "delegate.accept"} {
		if !strings.Contains(body, action) {
			t.Errorf("audit log lacks %s", action)
		}
	}
}

// TestDevSignedProtocol: in dev mode the register page offers the protocol signed for the
// logged-in persona by the dev CA, and that file registers the ente; without the dev mode the
// link and the route are gone.
func TestDevSignedProtocol(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ctx := context.Background()
	if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013075", Name: "Como", Kind: ente.KindComune, Province: "CO"}}); err != nil {
		t.Fatal(err)
	}
	como, _ := s.Enti.ByISTAT(ctx, "013075")
	id := strconv.FormatInt(como.ID, 10)
	mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	_, body := s.Get(t, "/area-riservata/registrazione?ente="+id, "Cookie", mayor)
	var links []string
	apptest.Parse(t, body).Find("a[href^='/area-riservata/registrazione/modello-firmato-di-prova']").Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		links = append(links, href)
	})
	if len(links) != 2 {
		t.Fatalf("dev-signed links: %v", links)
	}
	for i, link := range links {
		res, data := s.Get(t, link, "Cookie", mayor)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", link, res.StatusCode)
		}
		typ, err := ente.CheckProtocol([]byte(data), 10<<20)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := ente.VerifySignature([]byte(data), typ, time.Now())
		if err != nil || sig.FiscalCode != "TINIT-RSSMRA80A01F205X" || sig.Issuer != "PAsS dev CA (non valida)" {
			t.Fatalf("%s: %+v %v", link, sig, err)
		}
		if i == 0 {
			reg, err := s.Enti.Register(ctx, ente.Actor{UserID: userID(t, s, "RSSMRA80A01F205X")}, ente.RegistrationForm{EnteID: como.ID, Role: ente.RoleSindaco,
				Email: "s@comune.como.it", PEC: "como@pec.it"}, "p.pdf", []byte(data))
			if err != nil || reg.SignerFiscalCode != "TINIT-RSSMRA80A01F205X" {
				t.Fatalf("registering with the dev-signed protocol: %+v %v", reg, err)
			}
		}
	}
	s.Enti.DevSign = false
	if res, _ := s.Get(t, links[0], "Cookie", mayor); res.StatusCode != 404 {
		t.Errorf("dev-signed protocol outside dev mode: %d", res.StatusCode)
	}
	if _, _, err := s.Enti.DevSignedTemplate(ctx, como.ID, "TINIT-RSSMRA80A01F205X", "Mario", "Rossi", ente.FormatPAdES); !errors.Is(err, ente.ErrDevOnly) {
		t.Errorf("service outside dev mode: %v", err)
	}
	if a := apptest.New(t, apptest.NoContent, func(c *config.Config) { c.DevIdP = "off" }); a.Enti.DevSign {
		t.Error("the dev signing helper is on without the dev identity provider")
	}
}

func userID(t *testing.T, s *apptest.Server, code string) int64 {
	t.Helper()
	var id int64
	if err := s.DB.NewSelect().Table("users").Column("id").Where("fiscal_code = ?", "TINIT-"+code).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

package app_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"passhub/app/apptest"
	"passhub/app/ente"
	"passhub/app/identity"
)

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
	s := apptest.Start(t)
	ctx := context.Background()
	if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013041", Name: "Cantù", Kind: ente.KindComune, Province: "CO"}}); err != nil {
		t.Fatal(err)
	}
	mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	adminCode := apptest.FiscalCode("DMNDMN80A01F205")
	admin := s.Login(t, adminCode, "Ada", "Admin")
	adminUser, _ := s.Identity.Authenticate(ctx, strings.TrimPrefix(strings.Split(admin, ";")[0], "pass_session="))
	if err := s.Identity.Grant(ctx, identity.Actor{}, adminUser.User.ID, "admin", ""); err != nil {
		t.Fatal(err)
	}

	// The home invites the mayor to register; the search finds the comune.
	_, body := s.Get(t, "/area-riservata", "Cookie", mayor, "Accept-Language", "it")
	if parse(t, body).Find("a[href='/area-riservata/registrazione']").Length() == 0 {
		t.Fatal("no registration link on the reserved area home")
	}
	_, body = s.Get(t, "/area-riservata/registrazione?q=cant", "Cookie", mayor, "Accept-Language", "it")
	href, ok := parse(t, body).Find(".pass-ente-results a").Attr("href")
	if !ok {
		t.Fatal("the search did not find Cantù")
	}
	_, body = s.Get(t, href, "Cookie", mayor, "Accept-Language", "it")
	doc := parse(t, body)
	enteID, _ := doc.Find("input[name=ente_id]").Attr("value")
	if doc.Find("input[type=file][name=protocol]").Length() != 1 || enteID == "" {
		t.Fatal("no registration form")
	}

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
	res, body := post(fields(), "", nil)
	if res.StatusCode != 422 || !strings.Contains(parse(t, body).Find("#reg-protocol-error").Text(), "senza il protocollo") {
		t.Fatalf("without protocol: %d", res.StatusCode)
	}
	res, body = post(fields(), "protocollo.pdf", []byte("<html>not a pdf</html>"))
	if res.StatusCode != 422 || !strings.Contains(parse(t, body).Find("#reg-protocol-error").Text(), "non è un PDF") {
		t.Fatalf("fake pdf: %d", res.StatusCode)
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
	_, body = s.Get(t, "/area-riservata", "Cookie", mayor, "Accept-Language", "it")
	if !strings.Contains(parse(t, body).Find("[role=status]").Text(), "in attesa di approvazione") {
		t.Error("the pending state is not shown")
	}
	// Until approved, the mayor has no ente pages.
	if res, _ := s.Get(t, "/area-riservata/enti/"+enteID+"/delegati", "Cookie", mayor); res.StatusCode != 403 {
		t.Errorf("delegates page before approval: %d", res.StatusCode)
	}

	// The admin sees the queue, opens the protocol, and approves.
	_, body = s.Get(t, "/admin/registrazioni", "Cookie", admin, "Accept-Language", "it")
	link, ok := parse(t, body).Find(".pass-registration a").Attr("href")
	if !ok {
		t.Fatal("empty queue")
	}
	res, data := s.Get(t, link+"/protocollo", "Cookie", admin)
	if res.StatusCode != 200 || data != pdf || res.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("protocol download: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, body = s.PostForm(t, link+"/rifiuta", map[string][]string{"_csrf": {apptest.CSRFToken}, "confirm": {"1"}, "reason": {" "}}, "Cookie", admin, "Accept-Language", "it")
	if res.StatusCode != 422 || !strings.Contains(parse(t, body).Find("#confirm-reason-error").Text(), "obbligatorio") {
		t.Errorf("rejection without reason: %d", res.StatusCode)
	}
	if res, _ := s.PostForm(t, link+"/approva", map[string][]string{"_csrf": {apptest.CSRFToken}, "confirm": {"1"}}, "Cookie", admin); res.StatusCode != 303 {
		t.Fatalf("approve: %d", res.StatusCode)
	}
	// The mayor now manages delegates.
	res, body = s.Get(t, "/area-riservata/enti/"+enteID+"/delegati", "Cookie", mayor, "Accept-Language", "it")
	if res.StatusCode != 200 || parse(t, body).Find(".pass-member").Length() != 1 {
		t.Fatalf("delegates page: %d", res.StatusCode)
	}
	delegate := apptest.FiscalCode("BNCGLI75M41L219")
	res, body = s.PostForm(t, "/area-riservata/enti/"+enteID+"/delegati", map[string][]string{"_csrf": {apptest.CSRFToken}, "fiscal_code": {"ABC"}, "email": {"g@comune.it"}}, "Cookie", mayor, "Accept-Language", "it")
	if res.StatusCode != 422 || parse(t, body).Find("#inv-code-error").Length() != 1 {
		t.Errorf("bad fiscal code: %d", res.StatusCode)
	}
	res, _ = s.PostForm(t, "/area-riservata/enti/"+enteID+"/delegati", map[string][]string{"_csrf": {apptest.CSRFToken}, "fiscal_code": {strings.ToLower(delegate)}, "email": {"g@comune.it"}}, "Cookie", mayor)
	if res.StatusCode != 303 {
		t.Fatalf("invite: %d", res.StatusCode)
	}
	_, body = s.Get(t, "/area-riservata/enti/"+enteID+"/delegati", "Cookie", mayor)
	if parse(t, body).Find(".pass-invitation").Length() != 1 {
		t.Error("invitation not listed")
	}
	d := s.Login(t, delegate, "Giulia", "Bianchi")
	if res, _ := s.Get(t, "/area-riservata/enti/"+enteID, "Cookie", d); res.StatusCode != 200 {
		t.Errorf("delegate's ente page: %d", res.StatusCode)
	}
	if res, _ := s.Get(t, "/area-riservata/enti/"+enteID+"/delegati", "Cookie", d); res.StatusCode != 403 {
		t.Errorf("delegate managing delegates: %d", res.StatusCode)
	}
	// The audit log shows the journey to the admin.
	_, body = s.Get(t, "/admin/audit", "Cookie", admin)
	for _, action := range []string{"registration.submit", "registration.approve", "delegate.invite", "delegate.accept"} {
		if !strings.Contains(body, action) {
			t.Errorf("audit log lacks %s", action)
		}
	}
}

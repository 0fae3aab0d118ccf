package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"passhub/app/apptest"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/app/request"
)

// userID returns the id of the user a test cookie is logged in as.
func userOf(t *testing.T, s *apptest.Server, cookie string) int64 {
	t.Helper()
	v, err := s.Identity.Authenticate(context.Background(), strings.TrimPrefix(strings.Split(cookie, ";")[0], "pass_session="))
	if err != nil {
		t.Fatal(err)
	}
	return v.User.ID
}

// flashCookie returns the flash cookie a response sets, as a Cookie header part ("" when none).
func flashCookie(res *http.Response) string {
	for _, c := range res.Cookies() {
		if c.Name == "flash" && c.Value != "" {
			return "; flash=" + c.Value
		}
	}
	return ""
}

// confirmed is a form posted from a confirmation page.
func confirmed(kv ...string) url.Values {
	v := url.Values{"_csrf": {apptest.CSRFToken}, "confirm": {"1"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// TestIrreversibleActionsAskForConfirmation checks that withdrawing a request, concluding it,
// removing a delegate and deciding a registration each go through a confirmation page that says
// what will happen, that a POST without it changes nothing, and that each action ends with a
// success message shown once.
func TestIrreversibleActionsAskForConfirmation(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ctx := context.Background()
	mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	cantu := apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", userOf(t, s, mayor))
	delegate := s.Login(t, apptest.FiscalCode("BNCGLI75M41L219"), "Giulia", "Bianchi")
	if err := s.Enti.EnsureDelegate(ctx, cantu.ID, userOf(t, s, delegate)); err != nil {
		t.Fatal(err)
	}
	expert := s.Login(t, apptest.FiscalCode("SPRSPR80A01F205"), "Ester", "Sperti")
	_ = s.Identity.Grant(ctx, identity.Actor{}, userOf(t, s, expert), "expert", "VA")
	file := func(title string) *request.Request {
		r, err := s.Requests.File(ctx, request.Actor{UserID: userOf(t, s, mayor)}, cantu.ID, request.Form{ProcedureCode: "VA-01", Title: title,
			Description: "Quaranta istanze in attesa da mesi.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	t.Run("withdraw", func(t *testing.T) {
		r := file("Arretrato VIA da ritirare")
		page := "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10)
		_, body := s.Get(t, page, "Cookie", mayor, "Accept-Language", "it")
		doc := parse(t, body)
		if doc.Find("form[action$='/azioni/ritira']").Length() != 0 {
			t.Error("the workspace still withdraws on one click")
		}
		href, ok := doc.Find("a[href$='/azioni/ritira']").Attr("href")
		if !ok {
			t.Fatal("no link to the withdrawal's confirmation")
		}
		// A POST that does not come from the confirmation page goes to it and changes nothing.
		res, _ := s.PostForm(t, page+"/azioni/ritira", url.Values{"_csrf": {apptest.CSRFToken}}, "Cookie", mayor)
		if res.StatusCode != 303 || res.Header.Get("Location") != href {
			t.Fatalf("unconfirmed withdrawal: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if got, _ := s.Requests.Get(ctx, r.ID); got.State != request.Submitted {
			t.Fatalf("unconfirmed withdrawal changed the state to %s", got.State)
		}
		res, body = s.Get(t, href, "Cookie", mayor, "Accept-Language", "it")
		doc = parse(t, body)
		if res.StatusCode != 200 || !strings.Contains(doc.Find("h1").Text(), "Ritirare la richiesta?") ||
			!strings.Contains(doc.Find(".pass-consequences").Text(), "non si può annullare") {
			t.Fatalf("confirmation page: %d %q", res.StatusCode, doc.Find("h1").Text())
		}
		if v, _ := doc.Find("form.pass-confirm input[name=confirm]").Attr("value"); v != "1" {
			t.Fatal("the confirmation page has no confirming form")
		}
		if c, _ := doc.Find("form.pass-confirm a").Attr("href"); c != page {
			t.Errorf("cancel goes to %q", c)
		}
		// Another ente's people cannot even see the confirmation.
		if res, _ := s.Get(t, href, "Cookie", expert); res.StatusCode != 404 {
			t.Errorf("expert not assigned opens the confirmation: %d", res.StatusCode)
		}
		res, _ = s.PostForm(t, page+"/azioni/ritira", confirmed(), "Cookie", mayor)
		if res.StatusCode != 303 || res.Header.Get("Location") != page {
			t.Fatalf("confirmed withdrawal: %d", res.StatusCode)
		}
		if got, _ := s.Requests.Get(ctx, r.ID); got.State != request.Withdrawn {
			t.Fatalf("state %s after the confirmed withdrawal", got.State)
		}
		flash := flashCookie(res)
		if flash == "" {
			t.Fatal("no success message set")
		}
		res, body = s.Get(t, page, "Cookie", mayor+flash, "Accept-Language", "it")
		if got := parse(t, body).Find("#flash[role=status]").Text(); got != "Richiesta ritirata." {
			t.Errorf("success message %q", got)
		}
		if flashCookie(res) != "" || !strings.Contains(res.Header.Get("Set-Cookie"), "flash=;") {
			t.Error("the page showing the message does not clear it")
		}
		// Reloading (the browser no longer sends the cleared cookie) shows it no more.
		_, body = s.Get(t, page, "Cookie", mayor, "Accept-Language", "it")
		if parse(t, body).Find("#flash").Length() != 0 {
			t.Error("the message sticks on reload")
		}
	})

	t.Run("conclude asks for the summary on its confirmation page", func(t *testing.T) {
		r := file("Arretrato VIA da concludere")
		if _, err := s.Requests.Assign(ctx, request.Actor{}, r.ID, []int64{userOf(t, s, expert)}); err != nil {
			t.Fatal(err)
		}
		r, _ = s.Requests.Get(ctx, r.ID)
		if _, err := s.Workspace.Post(ctx, request.Actor{UserID: userOf(t, s, expert)}, r, true, "Iniziamo."); err != nil {
			t.Fatal(err)
		}
		page := "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10)
		_, body := s.Get(t, page+"/azioni/concludi", "Cookie", expert, "Accept-Language", "it")
		if parse(t, body).Find("form.pass-confirm textarea[name=summary]").Length() != 1 {
			t.Fatal("no summary field on the confirmation page")
		}
		res, body := s.PostForm(t, page+"/azioni/concludi", confirmed("summary", "corta"), "Cookie", expert, "Accept-Language", "it")
		doc := parse(t, body)
		if res.StatusCode != 422 || doc.Find("#confirm-summary-error").Length() != 1 || doc.Find("#confirm-summary").Text() != "corta" {
			t.Fatalf("short summary: %d", res.StatusCode)
		}
		summary := "Arretrato smaltito con il nuovo modello di istruttoria."
		res, _ = s.PostForm(t, page+"/azioni/concludi", confirmed("summary", summary), "Cookie", expert)
		if got, _ := s.Requests.Get(ctx, r.ID); res.StatusCode != 303 || got.State != request.Concluded {
			t.Fatalf("confirmed conclusion: %d %s", res.StatusCode, got.State)
		}
		if flashCookie(res) == "" {
			t.Error("no success message")
		}
	})

	t.Run("remove a delegate", func(t *testing.T) {
		members, _ := s.Enti.Members(ctx, cantu.ID)
		var mid int64
		for _, m := range members {
			if m.Role == ente.Delegate {
				mid = m.ID
			}
		}
		base := fmt.Sprintf("/area-riservata/enti/%d/delegati", cantu.ID)
		_, body := s.Get(t, base, "Cookie", mayor, "Accept-Language", "it")
		if parse(t, body).Find("form[action$='/rimuovi']").Length() != 0 {
			t.Error("the delegates page still removes on one click")
		}
		confirm := fmt.Sprintf("%s/%d/rimuovi", base, mid)
		res, _ := s.PostForm(t, confirm, url.Values{"_csrf": {apptest.CSRFToken}}, "Cookie", mayor)
		if res.StatusCode != 303 || res.Header.Get("Location") != confirm {
			t.Fatalf("unconfirmed removal: %d", res.StatusCode)
		}
		if m, _ := s.Enti.Members(ctx, cantu.ID); len(m) != 2 {
			t.Fatal("an unconfirmed removal removed the delegate")
		}
		_, body = s.Get(t, confirm, "Cookie", mayor, "Accept-Language", "it")
		if !strings.Contains(parse(t, body).Find("h1").Text(), "Giulia Bianchi") {
			t.Error("the confirmation does not name the delegate")
		}
		res, _ = s.PostForm(t, confirm, confirmed(), "Cookie", mayor)
		if m, _ := s.Enti.Members(ctx, cantu.ID); res.StatusCode != 303 || len(m) != 1 {
			t.Fatalf("confirmed removal: %d, %d members", res.StatusCode, len(m))
		}
		_, body = s.Get(t, base, "Cookie", mayor+flashCookie(res), "Accept-Language", "it")
		if got := parse(t, body).Find("#flash").Text(); got != "Delegato rimosso." {
			t.Errorf("success message %q", got)
		}
	})

	t.Run("registration decisions and who filed it", func(t *testing.T) {
		admin := s.Login(t, apptest.FiscalCode("DMNDMN80A01F205"), "Ada", "Admin")
		_ = s.Identity.Grant(ctx, identity.Actor{}, userOf(t, s, admin), "admin", "")
		applicant := s.Login(t, apptest.FiscalCode("BLUMRC72E01F205"), "Marco", "Blu")
		if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013075", Name: "Como", Kind: ente.KindComune, Province: "CO"},
			{ISTAT: "015146", Name: "Milano", Kind: ente.KindComune, Province: "MI"}}); err != nil {
			t.Fatal(err)
		}
		form := func(istat string) ente.RegistrationForm {
			e, _ := s.Enti.ByISTAT(ctx, istat)
			return ente.RegistrationForm{EnteID: e.ID, Role: ente.RoleSindaco, Email: "s@comune.it", PEC: "c@pec.it"}
		}
		applicantID := userOf(t, s, applicant)
		reg, err := s.Enti.Register(ctx, ente.Actor{UserID: applicantID}, form("013075"), "p.pdf", apptest.ProtocolFor(t, s.App, applicantID, form("013075").EnteID))
		if err != nil {
			t.Fatal(err)
		}
		page := "/admin/registrazioni/" + strconv.FormatInt(reg.ID, 10)
		_, body := s.Get(t, page, "Cookie", admin, "Accept-Language", "it")
		doc := parse(t, body)
		if !strings.Contains(doc.Find(".pass-applicant").Text(), "Marco Blu") || doc.Find(".pass-applicant-code").Text() != apptest.FiscalCode("BLUMRC72E01F205") {
			t.Errorf("who filed it: %q %q", doc.Find(".pass-applicant").Text(), doc.Find(".pass-applicant-code").Text())
		}
		if doc.Find("form[action$='/approva'], form[action$='/rifiuta']").Length() != 0 {
			t.Error("the registration is still decided on one click")
		}
		res, _ := s.PostForm(t, page+"/approva", url.Values{"_csrf": {apptest.CSRFToken}}, "Cookie", admin)
		if got, _ := s.Enti.Registration(ctx, reg.ID); res.StatusCode != 303 || got.Status != ente.RegPending {
			t.Fatalf("unconfirmed approval: %d %s", res.StatusCode, got.Status)
		}
		_, body = s.Get(t, page+"/rifiuta", "Cookie", admin, "Accept-Language", "it")
		if !strings.Contains(parse(t, body).Find("h1").Text(), "Como") || parse(t, body).Find("textarea[name=reason]").Length() != 1 {
			t.Fatal("rejection's confirmation page")
		}
		res, body = s.PostForm(t, page+"/rifiuta", confirmed("reason", " "), "Cookie", admin, "Accept-Language", "it")
		if res.StatusCode != 422 || !strings.Contains(parse(t, body).Find("#confirm-reason-error").Text(), "obbligatorio") {
			t.Fatalf("rejection without a reason: %d", res.StatusCode)
		}
		res, _ = s.PostForm(t, page+"/approva", confirmed(), "Cookie", admin)
		if got, _ := s.Enti.Registration(ctx, reg.ID); res.StatusCode != 303 || got.Status != ente.RegApproved {
			t.Fatalf("confirmed approval: %d %s", res.StatusCode, got.Status)
		}
		_, body = s.Get(t, "/admin/registrazioni", "Cookie", admin+flashCookie(res), "Accept-Language", "it")
		if !strings.Contains(parse(t, body).Find("#flash").Text(), "Registrazione approvata") {
			t.Error("no success message after the approval")
		}
		// A decided registration's confirmation page sends back to the registration.
		if res, _ := s.Get(t, page+"/rifiuta", "Cookie", admin); res.StatusCode != 303 {
			t.Errorf("confirmation of a decided registration: %d", res.StatusCode)
		}
	})
}

// TestEntiRegistryPagesAndLinks checks that the admins' registry lists a page at a time, links
// each ente to its page, and that page shows the members and the registrations.
func TestEntiRegistryPagesAndLinks(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ctx := context.Background()
	var list []ente.Ente
	for i := 0; i < ente.RegistryPageSize+5; i++ {
		list = append(list, ente.Ente{ISTAT: fmt.Sprintf("09%04d", i), Name: fmt.Sprintf("Comune di Prova %03d", i), Kind: ente.KindComune, Province: "BG"})
	}
	if _, err := s.Enti.Import(ctx, list); err != nil {
		t.Fatal(err)
	}
	admin := s.Login(t, apptest.FiscalCode("DMNDMN80A01F205"), "Ada", "Admin")
	_ = s.Identity.Grant(ctx, identity.Actor{}, userOf(t, s, admin), "admin", "")
	mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	cantu := apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", userOf(t, s, mayor))

	_, body := s.Get(t, "/admin/enti", "Cookie", admin, "Accept-Language", "it")
	doc := parse(t, body)
	if n := doc.Find(".pass-ente a").Length(); n != ente.RegistryPageSize {
		t.Fatalf("first page lists %d linked enti", n)
	}
	next, ok := doc.Find("a[rel=next]").Attr("href")
	if !ok {
		t.Fatal("no next page")
	}
	_, body = s.Get(t, next, "Cookie", admin, "Accept-Language", "it")
	if n := parse(t, body).Find(".pass-ente").Length(); n != 6 {
		t.Errorf("second page lists %d enti, want 6", n)
	}
	if res, _ := s.Get(t, "/admin/enti?pagina=9", "Cookie", admin); res.StatusCode != 404 {
		t.Errorf("page past the end: %d", res.StatusCode)
	}
	_, body = s.Get(t, "/admin/enti?q=cant", "Cookie", admin, "Accept-Language", "it")
	doc = parse(t, body)
	href, _ := doc.Find(".pass-ente a").Attr("href")
	if href != fmt.Sprintf("/admin/enti/%d", cantu.ID) || !strings.Contains(doc.Find("[role=status]").Text(), "1 ente corrisponde") {
		t.Fatalf("search result link %q, status %q", href, doc.Find("[role=status]").Text())
	}
	res, body := s.Get(t, href, "Cookie", admin, "Accept-Language", "it")
	doc = parse(t, body)
	if res.StatusCode != 200 || !strings.Contains(doc.Find(".pass-member").Text(), "Mario Rossi") || doc.Find(".pass-registration a").Length() != 1 {
		t.Fatalf("ente page: %d members %q", res.StatusCode, doc.Find(".pass-member").Text())
	}
	if res, _ := s.Get(t, href, "Cookie", mayor); res.StatusCode != 403 {
		t.Errorf("a mayor opens the admins' ente page: %d", res.StatusCode)
	}
}

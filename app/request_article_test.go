package app_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"passhub/app/apptest"
	"passhub/app/audit"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/app/request"
)

// flashCookies returns the flash cookies a response sets (the message and its link), as a
// Cookie header part ("" when none).
func flashCookies(res *http.Response) string {
	var out string
	for _, c := range res.Cookies() {
		if (c.Name == "flash" || c.Name == "flash_link") && c.Value != "" {
			out += "; " + c.Name + "=" + c.Value
		}
	}
	return out
}

// TestRequestArticleDraft: from a concluded request its expert gets the ente's problem and the
// conclusion without personal data (the requester's and the expert's names, the fiscal code, the
// e-mail address, the phone number, and the ente's name when asked), sees what was removed, and
// sends the reviewed text to the newsroom as a knowledge-base draft, audited; the request's page
// says so, linking the draft for those who can open the newsroom. A request not yet concluded
// is refused; the ente's people get 403, another expert and the PM of another task force, who may
// not see the request, 404.
func TestRequestArticleDraft(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	anna := s.Login(t, apptest.FiscalCode("BNCNNA80A41C933"), "Anna", "Bianchi")
	annaID := userOf(t, s, anna)
	cantu := apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", annaID).ID
	giulia := apptest.FiscalCode("FRRGLI82E50C933")
	if _, err := s.Enti.Invite(ctx, ente.Actor{UserID: annaID}, cantu, giulia, "giulia.ferri@comune.cantu.example.it"); err != nil {
		t.Fatal(err)
	}
	delegate := s.Login(t, giulia, "Giulia", "Ferri") // accepts the invitation
	people := map[string]string{}
	ids := map[string]int64{}
	for _, p := range []struct{ who, code, name, family, role, tf string }{
		{"expert", "VRDMRC75C10F205", "Marco", "Verdi", "expert", "VA"},
		{"other expert", "NRELCU79D10F205", "Luca", "Neri", "expert", "VA"},
		{"pm", "RSSPLA70A41F205", "Paola", "Rossi", "pm", "VA"},
		{"other pm", "GLLSRA72B41F205", "Sara", "Galli", "pm", "BON"},
		{"admin", "DMNDMN80A01F205", "Ada", "Admin", "admin", ""},
	} {
		people[p.who] = s.Login(t, apptest.FiscalCode(p.code), p.name, p.family)
		ids[p.who] = userOf(t, s, people[p.who])
		if err := s.Identity.Grant(ctx, identity.Actor{}, ids[p.who], p.role, p.tf); err != nil {
			t.Fatal(err)
		}
	}
	code := apptest.FiscalCode("RSSMRA80A01F205")
	r, err := s.Requests.File(ctx, request.Actor{UserID: annaID, Name: "Anna Bianchi"}, cantu, request.Form{ProcedureCode: "VA-01",
		Title: "Arretrato di valutazioni di impatto ambientale",
		Description: "Sono Anna Bianchi dell'ufficio tecnico di Cantù (tel. 031 765432, anna.bianchi@comune.cantu.example.it, codice fiscale " + code +
			"): abbiamo quaranta istanze in attesa da mesi e un solo istruttore. Ne parla Giulia Ferri in ufficio; la più vecchia la segue Bianchi in persona.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Requests.Assign(ctx, request.Actor{UserID: ids["pm"], Name: "Paola Rossi"}, r.ID, []int64{ids["expert"]}); err != nil {
		t.Fatal(err)
	}
	r, _ = s.Requests.Get(ctx, r.ID)
	marco := request.Actor{UserID: ids["expert"], Name: "Marco Verdi"}
	if _, err := s.Workspace.Post(ctx, marco, r, true, "Buongiorno Anna, iniziamo dall'elenco delle istanze."); err != nil {
		t.Fatal(err)
	}
	reqPage := "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10)
	page := reqPage + "/articolo"
	if res, body := s.Get(t, page, "Cookie", people["expert"]); res.StatusCode != 409 || !strings.Contains(body, "Solo una richiesta conclusa") {
		t.Fatalf("an open request's draft: %d, want 409 with the reason", res.StatusCode)
	}
	if _, body := s.Get(t, reqPage, "Cookie", people["expert"]); parse(t, body).Find(`section[aria-labelledby=kb-draft-title]:not([hidden])`).Length() != 0 {
		t.Error("an open request's page offers the draft") // kept hidden, shown by the live update at the conclusion
	}
	if _, err := s.Requests.Conclude(ctx, marco, r.ID, "Gentile Anna Bianchi, con un modello di istruttoria semplificata e una check-list condivisa "+
		"l'arretrato si smaltisce in tre mesi. Per dubbi: marco.verdi@pass.example.it. Marco Verdi"); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)

	// Who may: the expert, the PM of the task force, an admin; the others are refused. Staff who
	// may not see the request get 404, as on all its routes (its existence never leaks).
	for who, want := range map[string]int{"expert": 200, "pm": 200, "admin": 200, "other expert": 404, "other pm": 404} {
		if res, _ := s.Get(t, page, "Cookie", people[who]); res.StatusCode != want {
			t.Errorf("the draft as %s: %d, want %d", who, res.StatusCode, want)
		}
		if res, _ := s.PostForm(t, page, hdForm("title", ""), "Cookie", people[who]); want != 200 && res.StatusCode != want {
			t.Errorf("sending the draft as %s: %d, want %d", who, res.StatusCode, want)
		}
	}
	for who, cookie := range map[string]string{"legal representative": anna, "delegate": delegate} {
		if res, _ := s.Get(t, page, "Cookie", cookie); res.StatusCode != 403 {
			t.Errorf("the draft as the ente's %s: %d, want 403", who, res.StatusCode)
		}
	}
	if res, _ := s.PostForm(t, page, hdForm("title", "x", "summary", "x", "answer", "x"), "Cookie", anna); res.StatusCode != 403 {
		t.Errorf("sending the draft as the ente's legal representative: %d, want 403", res.StatusCode)
	}
	if res, _ := s.Get(t, reqPage+"0/articolo", "Cookie", people["expert"]); res.StatusCode != 404 {
		t.Errorf("an unknown request's draft: %d, want 404", res.StatusCode)
	}
	if _, body := s.Get(t, reqPage, "Cookie", people["expert"]); parse(t, body).Find(`section[aria-labelledby=kb-draft-title]:not([hidden]) a[href="`+page+`"]`).Text() != "Proponi un articolo per la base di conoscenza" {
		t.Error("the concluded request's page does not offer the draft to its expert")
	}
	if _, body := s.Get(t, reqPage, "Cookie", anna); strings.Contains(body, `href="`+page+`"`) {
		t.Error("the ente's page offers the draft")
	}

	// The review page: nothing personal in the fields, everything removed listed.
	res, body := s.Get(t, page+"?ente=1", "Cookie", people["expert"])
	if res.StatusCode != 200 {
		t.Fatalf("draft page: %d", res.StatusCode)
	}
	doc := parse(t, body)
	title, _ := doc.Find("#kb-title").Attr("value")
	question, answer := doc.Find("#kb-question").Text(), doc.Find("#kb-answer").Text()
	for _, leak := range []string{"Anna", "Bianchi", "Giulia", "Ferri", "Marco", "Verdi", "031 765432", "anna.bianchi@", "marco.verdi@", code, "Cantù"} {
		if strings.Contains(title+question+answer, leak) {
			t.Errorf("%q left in the draft: %q / %q / %q", leak, title, question, answer)
		}
	}
	if !strings.Contains(question, "quaranta istanze in attesa") || !strings.Contains(answer, "istruttoria semplificata") || !strings.Contains(title, "Arretrato") {
		t.Fatalf("the draft lost the question or the answer: %q / %q / %q", title, question, answer)
	}
	removed := doc.Find("table tbody").Text()
	for _, want := range []string{"Anna Bianchi", "Giulia Ferri", "031 765432", "anna.bianchi@comune.cantu.example.it", code, "Marco Verdi", "Cantù"} {
		if !strings.Contains(removed, want) {
			t.Errorf("%q not listed as removed: %q", want, removed)
		}
	}
	if doc.Find(`input[type=checkbox][name=ente][checked]`).Length() != 1 || doc.Find(`label[for=kb-ente]`).Length() != 1 {
		t.Error("the box removing the ente's name is missing or not ticked")
	}
	if _, plain := s.Get(t, page, "Cookie", people["expert"]); !strings.Contains(parse(t, plain).Find("#kb-question").Text(), "Cantù") {
		t.Error("the ente's name is removed without the box ticked")
	}

	// Refused by the newsroom: the form again, with the error summary.
	res, body = s.PostForm(t, page, hdForm("title", "", "summary", "x", "question", question, "answer", answer), "Cookie", people["expert"])
	if res.StatusCode != 422 || parse(t, body).Find(".pass-error-summary a[href='#kb-title']").Length() != 1 {
		t.Fatalf("a draft without a title: %d, want 422 with the error summary", res.StatusCode)
	}

	// Sent: the newsroom holds the redacted draft, the audit log the act, the page says so.
	const sent = "Come si smaltisce un arretrato di valutazioni di impatto ambientale?"
	res, _ = s.PostForm(t, page+"?ente=1", hdForm("title", sent, "summary", "Con un modello di istruttoria semplificata.",
		"question", question, "answer", answer), "Cookie", people["expert"])
	if res.StatusCode != 303 || res.Header.Get("Location") != reqPage {
		t.Fatalf("send to the newsroom: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = s.Get(t, reqPage, "Cookie", people["expert"]+flashCookies(res))
	flash := parse(t, body).Find("#flash")
	if !strings.Contains(flash.Text(), sent) || !strings.Contains(flash.Text(), "inviata alla redazione") || flash.Find("a").Length() != 0 {
		t.Errorf("the expert's flash: %q (links: %d)", flash.Text(), flash.Find("a").Length())
	}
	work, err := s.Content.Work(ctx, "faq", "come-si-smaltisce-un-arretrato-di-valutazioni-di-impatto-ambientale")
	if err != nil || work.Head.State != "draft" || !strings.Contains(work.Head.Source, "istruttoria semplificata") || !strings.Contains(work.Head.Source, "category: amministrativa") {
		t.Fatalf("newsroom draft: %v %+v", err, work)
	}
	for _, leak := range []string{"anna.bianchi@", "031 765432", code, "Bianchi", "Verdi", "Cantù"} {
		if strings.Contains(work.Head.Source, leak) {
			t.Errorf("%q in the newsroom's draft", leak)
		}
	}
	entries, n, err := audit.List(ctx, s.DB, audit.Filter{Action: "request.kb_draft"})
	if err != nil || n != 1 || entries[0].ObjectID != r.ID || entries[0].ActorID != ids["expert"] || entries[0].EnteID != cantu {
		t.Fatalf("audit: %v %d %+v", err, n, entries)
	}

	// An admin opens the newsroom: the flash links the draft there.
	res, _ = s.PostForm(t, page, hdForm("title", sent, "summary", "Con un modello di istruttoria semplificata.",
		"question", question, "answer", answer), "Cookie", people["admin"])
	if res.StatusCode != 303 {
		t.Fatalf("the admin's draft: %d", res.StatusCode)
	}
	_, body = s.Get(t, reqPage, "Cookie", people["admin"]+flashCookies(res))
	link, _ := parse(t, body).Find("#flash a").Attr("href")
	if link != "/redazione/contenuti/faq/come-si-smaltisce-un-arretrato-di-valutazioni-di-impatto-ambientale-2" {
		t.Errorf("the admin's flash links %q", link)
	}
	if res, _ := s.Get(t, link, "Cookie", people["admin"]); res.StatusCode != 200 {
		t.Errorf("the linked draft: %d", res.StatusCode)
	}

}

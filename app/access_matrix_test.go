package app_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"passhub/app/access"
	"passhub/app/apitoken"
	"passhub/app/apptest"
	"passhub/app/content"
	"passhub/app/ente"
	"passhub/app/extract/extracttest"
	"passhub/app/funding"
	"passhub/app/identity"
	"passhub/app/project"
	"passhub/app/request"
	"passhub/app/tender"
)

// personas of the access matrix, in the order the matrix lists their expected statuses. The
// publisher came last: a row of ten statuses, written before it, gives it the editor's.
var personas = []string{"anonymous", "legal rep A", "delegate A", "disabled delegate A", "delegate B", "pending mayor", "pm", "expert", "editor", "admin", "publisher"}

// matrixWorld builds two approved enti with their people, a pending registration, and staff.
type matrixWorld struct {
	s                *apptest.Server
	cookies          map[string]string
	codes            map[string]string
	enteA, enteC     int64
	delegateA        int64 // membership id
	pendingReg       int64
	adminID, mayorID int64
	requestID        int64
	versionID        int64
	// draftID is a request of ente A never submitted, on the PM's and the expert's task force,
	// with a document: it belongs to ente A alone.
	draftID, draftVersionID int64
}

func buildWorld(t *testing.T, opts ...apptest.Option) *matrixWorld {
	t.Helper()
	s := apptest.Start(t, opts...)
	ctx := context.Background()
	w := &matrixWorld{s: s, cookies: map[string]string{}, codes: map[string]string{}}
	_, err := s.Enti.Import(ctx, []ente.Ente{
		{ISTAT: "013041", Name: "Cantù", Kind: ente.KindComune, Province: "CO"},
		{ISTAT: "015146", Name: "Milano", Kind: ente.KindComune, Province: "MI"},
		{ISTAT: "016024", Name: "Bergamo", Kind: ente.KindComune, Province: "BG"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, q := range []string{"Cantù", "Milano", "Bergamo"} {
		found, _ := s.Enti.Search(ctx, q)
		ids[q] = found[0].ID
	}
	w.enteA, w.enteC = ids["Cantù"], ids["Bergamo"]
	seeds := map[string]string{"legal rep A": "RSSMRA80A01F205", "delegate A": "BNCGLI75M41L219", "disabled delegate A": "VRDLGU60B01F205",
		"delegate B": "NRIPLA85C10F205", "legal rep B": "GLLFBA70D01F205", "pending mayor": "BLUMRC72E01F205", "pm": "PMPMPM80A01F205",
		"expert": "SPRSPR80A01F205", "editor": "RDTRDT80A01F205", "admin": "DMNDMN80A01F205", "publisher": "CPRCPR80A01F205"}
	userIDs := map[string]int64{}
	for p, first15 := range seeds {
		w.codes[p] = apptest.FiscalCode(first15)
		w.cookies[p] = s.Login(t, w.codes[p], strings.Fields(p)[0], "Test")
		u, err := s.Identity.Authenticate(ctx, strings.TrimPrefix(strings.Split(w.cookies[p], ";")[0], "pass_session="))
		if err != nil {
			t.Fatal(err)
		}
		userIDs[p] = u.User.ID
	}
	admin := identity.Actor{UserID: userIDs["admin"], Name: "admin"}
	for p, role := range map[string][2]string{"pm": {"pm", "VA"}, "expert": {"expert", "VA"}, "editor": {"editor", ""}, "admin": {"admin", ""}, "publisher": {"publisher", ""}} {
		if err := s.Identity.Grant(ctx, admin, userIDs[p], role[0], role[1]); err != nil {
			t.Fatal(err)
		}
	}
	register := func(p string, enteID int64) int64 {
		reg, err := s.Enti.Register(ctx, ente.Actor{UserID: userIDs[p]}, ente.RegistrationForm{EnteID: enteID, Role: ente.RoleSindaco,
			Email: "s@comune.it", PEC: "c@pec.it"}, "p.pdf", apptest.ProtocolFor(t, s.App, userIDs[p], enteID))
		if err != nil {
			t.Fatal(err)
		}
		return reg.ID
	}
	for p, e := range map[string]int64{"legal rep A": ids["Cantù"], "legal rep B": ids["Milano"]} {
		if _, err := s.Enti.Approve(ctx, ente.Actor{UserID: userIDs["admin"]}, register(p, e)); err != nil {
			t.Fatal(err)
		}
	}
	w.pendingReg = register("pending mayor", ids["Bergamo"])
	for p, e := range map[string]int64{"delegate A": ids["Cantù"], "disabled delegate A": ids["Cantù"], "delegate B": ids["Milano"]} {
		lr := "legal rep A"
		if e == ids["Milano"] {
			lr = "legal rep B"
		}
		if _, err := s.Enti.Invite(ctx, ente.Actor{UserID: userIDs[lr]}, e, w.codes[p], "d@comune.it"); err != nil {
			t.Fatal(err)
		}
		w.cookies[p] = s.Login(t, w.codes[p], p, "Test") // accepts the invitation
	}
	members, _ := s.Enti.Members(ctx, ids["Cantù"])
	for _, m := range members {
		switch m.FiscalCode {
		case "TINIT-" + w.codes["delegate A"]:
			w.delegateA = m.ID
		case "TINIT-" + w.codes["disabled delegate A"]:
			if err := s.Enti.SetDelegateEnabled(ctx, ente.Actor{UserID: userIDs["legal rep A"]}, ids["Cantù"], m.ID, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Disabling ended the disabled delegate's sessions; they log in again and keep no access.
	w.cookies["disabled delegate A"] = s.Login(t, w.codes["disabled delegate A"], "disabled", "Test")
	w.cookies["anonymous"] = "csrf=" + apptest.CSRFToken
	w.adminID = userIDs["admin"]
	// A request of ente A on a VA procedure, assigned to the expert, with a document.
	lr := request.Actor{UserID: userIDs["legal rep A"], Name: "legal rep A"}
	r, err := s.Requests.File(ctx, lr, ids["Cantù"], request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA",
		Description: "Quaranta istanze in attesa da mesi, un solo istruttore.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Requests.Assign(ctx, request.Actor{UserID: userIDs["pm"]}, r.ID, []int64{userIDs["expert"]}); err != nil {
		t.Fatal(err)
	}
	r, _ = s.Requests.Get(ctx, r.ID)
	doc, err := s.Workspace.Upload(ctx, lr, r, false, 0, "elenco.csv", []byte("pratica;giorni\n1;200\n"), false)
	if err != nil {
		t.Fatal(err)
	}
	docs, _ := s.Workspace.Documents(ctx, r.ID)
	w.requestID, w.versionID = r.ID, docs[0].Versions[0].ID
	_ = doc
	draft, err := s.Requests.File(ctx, lr, ids["Cantù"], request.Form{ProcedureCode: "VA-02", Title: "Bozza sulla zanzariera",
		Description: "Bozza non ancora inviata: la zanzariera del depuratore e un solo istruttore.", DesiredOutcome: "Da decidere."}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Workspace.Upload(ctx, lr, draft, false, 0, "appunti-zanzariera.csv", []byte("pratica;giorni;zanzariera\n2;300;si\n"), false); err != nil {
		t.Fatal(err)
	}
	docs, _ = s.Workspace.Documents(ctx, draft.ID)
	w.draftID, w.draftVersionID = draft.ID, docs[0].Versions[0].ID
	return w
}

// TestAccessMatrix runs every reserved route for every persona. A reserved route missing from
// the matrix fails the test, so no route ships without a rule.
func TestAccessMatrix(t *testing.T) {
	w := buildWorld(t)
	A := strconv.FormatInt(w.enteA, 10)
	reg := strconv.FormatInt(w.pendingReg, 10)
	admin := strconv.FormatInt(w.adminID, 10)
	mid := strconv.FormatInt(w.delegateA, 10)
	req := "/area-riservata/richieste/" + strconv.FormatInt(w.requestID, 10)
	draft := "/area-riservata/richieste/" + strconv.FormatInt(w.draftID, 10)
	tok, _, err := w.s.Tokens.Create(context.Background(), apitoken.Actor{UserID: w.adminID, Name: "admin"},
		apitoken.Form{Name: "Matrice", Scopes: []string{"content:read"}, Days: 7})
	if err != nil {
		t.Fatal(err)
	}
	token := "/admin/token-api/" + strconv.FormatInt(tok.ID, 10)
	privacy, err := w.s.Content.Work(context.Background(), content.TypePage, "privacy")
	if err != nil {
		t.Fatal(err)
	}
	// A concluded request of ente A, assigned to the expert: its outcome is asked of the ente.
	ctx := context.Background()
	repA, expertID := userOf(t, w.s, w.cookies["legal rep A"]), userOf(t, w.s, w.cookies["expert"])
	done, err := w.s.Requests.File(ctx, request.Actor{UserID: repA}, w.enteA, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA concluso",
		Description: "Quaranta istanze in attesa da mesi, un solo istruttore.", DesiredOutcome: "Tempi medi sotto i 150 giorni.", BacklogPending: 40, BacklogAvgDays: 210}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Requests.Assign(ctx, request.Actor{UserID: userOf(t, w.s, w.cookies["pm"])}, done.ID, []int64{expertID}); err != nil {
		t.Fatal(err)
	}
	done, _ = w.s.Requests.Get(ctx, done.ID)
	if _, err := w.s.Workspace.Post(ctx, request.Actor{UserID: expertID}, done, true, "Iniziamo."); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Requests.Conclude(ctx, request.Actor{UserID: expertID}, done.ID, "Arretrato smaltito con il nuovo modello di istruttoria."); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, w.s.App) // the ask at conclusion
	// The tender library: an approved document and a draft, by the Provincia di Como.
	if _, err := w.s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013000", Name: "Provincia di Como", Kind: ente.KindProvincia, Province: "CO"}}); err != nil {
		t.Fatal(err)
	}
	prov, _ := w.s.Enti.ByISTAT(ctx, "013000")
	tenderForm := tender.Form{Title: "Bando tipo", Kind: "bando", ProcedureType: "aperta", Threshold: "sopra", LegalBasis: "art. 71", AuthorEnteID: prov.ID}
	pdf := extracttest.TextPDF("Bando tipo")
	upload := func() tender.Upload {
		return tender.Upload{Name: "bando.pdf", Src: io.NewSectionReader(bytes.NewReader(pdf), 0, int64(len(pdf)))}
	}
	editorActor := tender.Actor{UserID: userOf(t, w.s, w.cookies["editor"]), Name: "editor"}
	approvedDoc, err := w.s.Tenders.Create(ctx, editorActor, tenderForm, upload())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.s.Tenders.Approve(ctx, tender.Actor{UserID: w.adminID}, approvedDoc.ID); err != nil {
		t.Fatal(err)
	}
	draftDoc, err := w.s.Tenders.Create(ctx, editorActor, tenderForm, upload())
	if err != nil {
		t.Fatal(err)
	}
	tenderA := "/area-riservata/documenti-gara/" + strconv.FormatInt(approvedDoc.ID, 10)
	tenderD := "/area-riservata/documenti-gara/" + strconv.FormatInt(draftDoc.ID, 10)
	tenderAV := tenderA + "/versioni/" + strconv.FormatInt(approvedDoc.CurrentID, 10) + "/scarica"
	tenderDV := tenderD + "/versioni/" + strconv.FormatInt(draftDoc.CurrentID, 10) + "/scarica"
	const (
		// the library: every enabled member of an approved ente and all staff; drafts only to
		// their writers (404 to the others, so a draft's existence leaks nothing)
		tenderView  = "303 200 200 403 200 403 200 200 200 200"
		tenderDraft = "303 404 404 403 404 403 404 404 200 200"
		tenderEdit  = "303 403 403 403 403 403 403 403 200 200"
	)
	// A published call for funding, for the editors' forms and the public calendar.
	call, err := w.s.Funding.Create(ctx, funding.Actor{Name: "matrice"}, funding.Form{Title: "Bando della matrice", Programme: "LIFE",
		Topics: "clima", Deadlines: []funding.DeadlineForm{{Date: "2030-01-31"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.s.Funding.SetPublished(ctx, funding.Actor{}, call.ID, true); err != nil {
		t.Fatal(err)
	}
	bando := "/area-riservata/bandi/" + strconv.FormatInt(call.ID, 10)
	// Two project sheets of ente A on the call: one published, looking for partners, one a draft.
	sheetForm := project.Form{Ente: A, Call: strconv.FormatInt(call.ID, 10), Title: "Foreste urbane", Summary: "Alberi nei cortili delle scuole.",
		Topics: "clima", SeeksPartners: true, PartnerProfile: "Un comune con un vivaio."}
	published, err := w.s.Projects.Create(ctx, project.Actor{UserID: repA}, sheetForm)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.s.Projects.SetPublished(ctx, project.Actor{UserID: repA}, published.ID, true); err != nil {
		t.Fatal(err)
	}
	draftSheet, err := w.s.Projects.Create(ctx, project.Actor{UserID: repA}, sheetForm)
	if err != nil {
		t.Fatal(err)
	}
	sheetP, sheetD := project.URL(published.ID), project.URL(draftSheet.ID)
	outcome := "/area-riservata/richieste/" + strconv.FormatInt(done.ID, 10) + "/esito"
	doneArticle := "/area-riservata/richieste/" + strconv.FormatInt(done.ID, 10) + "/articolo"
	const (
		// the outcome's form: the ente's enabled members alone; to everyone else it is a request
		// they may not see
		outcomeForm   = "303 200 200 404 404 404 404 404 404 404"
		outcomeAnswer = "401 422 422 404 404 404 404 404 404 404"
		viewReq       = "303 200 200 404 404 404 200 200 404 200"
		viewDraft     = "303 200 200 404 404 404 404 404 404 404" // the ente's alone: not the PM, the experts or the admins
		workDraft     = "401 422 422 404 404 404 404 404 404 404"
		actDraft      = "401 403 403 404 404 404 404 404 404 404"
		members       = "303 200 200 403 200 403 403 403 403 403"
		triage        = "303 403 403 403 403 403 200 403 403 403"
		fileReq       = "401 422 422 403 422 403 403 403 403 403"
		expertWork    = "401 403 403 404 404 404 422 422 404 403"
		workOn        = "401 422 422 404 404 404 422 422 404 403"
		expertConfirm = "303 403 403 404 404 404 200 200 404 403"
	)

	// Statuses per persona, in the order of personas. GET denials for anonymous visitors are a
	// redirect to the login page (303); logged-in people without the right get 403.
	const (
		all      = "303 200 200 200 200 200 200 200 200 200"
		nonStaff = "303 200 200 200 200 200 403 403 403 403"
		enteA    = "303 200 200 403 403 403 403 403 403 403"
		lrA      = "303 200 403 403 403 403 403 403 403 403"
		admins   = "303 403 403 403 403 403 403 403 403 200"
		editors  = "303 403 403 403 403 403 403 403 200 200"
		// the newsroom: editors, admins and publishers
		newsroom = "303 403 403 403 403 403 403 403 200 200 200"
		// public figures and open data: everyone, logged in or not
		public = "200 200 200 200 200 200 200 200 200 200 200"
		// the analysis panel (app/analysis): admins and PMs, on their task forces
		analysis = "303 403 403 403 403 403 200 403 403 200"
		// a CRM record nobody may open: nobody follows the comune
		noRecord = "303 404 404 404 404 404 404 404 404 404"
		// an area that does not exist, or that the persona does not belong to: not found
		noArea = "303 404 404 404 404 404 404 404 404 404"
	)
	post := func(get, allowed string) string { // anonymous POSTs get 401; allowed status replaced
		f := strings.Fields(get)
		f[0] = "401"
		for i := range f {
			if f[i] == "200" {
				f[i] = allowed
			}
		}
		return strings.Join(f, " ")
	}
	matrix := []struct {
		method, route, path string
		form                url.Values
		want                string
	}{
		{"GET", "/area-riservata", "/area-riservata", nil, all},
		{"GET", "/area-riservata/sessioni", "/area-riservata/sessioni", nil, all},
		{"GET", "/area-riservata/sessione", "/area-riservata/sessione", nil, all},
		{"POST", "/area-riservata/sessione", "/area-riservata/sessione", nil, post(all, "303")},
		{"GET", "/area-riservata/ripresa", "/area-riservata/ripresa", nil, all},
		{"POST", "/area-riservata/sessioni/:id/termina", "/area-riservata/sessioni/nope/termina", nil, post(all, "404")},
		{"GET", "/area-riservata/codice", "/area-riservata/codice", nil, all},
		{"POST", "/area-riservata/codice", "/area-riservata/codice", url.Values{"secret": {"JBSWY3DPEHPK3PXP"}, "code": {"000000"}}, post(all, "422")},
		{"GET", "/area-riservata/registrazione", "/area-riservata/registrazione", nil, nonStaff},
		{"POST", "/area-riservata/registrazione", "/area-riservata/registrazione", url.Values{"role": {"sindaco"}}, post(nonStaff, "422")},
		{"GET", "/area-riservata/registrazione/modello", "/area-riservata/registrazione/modello?ente=" + A, nil, nonStaff},
		{"GET", "/area-riservata/registrazione/modello-firmato-di-prova", "/area-riservata/registrazione/modello-firmato-di-prova?ente=" + A, nil, nonStaff},
		{"GET", "/area-riservata/enti/:id/protocollo", "/area-riservata/enti/" + A + "/protocollo", nil, enteA},
		{"GET", "/area-riservata/enti/:id", "/area-riservata/enti/" + A, nil, enteA},
		{"GET", "/area-riservata/enti/:id/delegati", "/area-riservata/enti/" + A + "/delegati", nil, lrA},
		{"POST", "/area-riservata/enti/:id/delegati", "/area-riservata/enti/" + A + "/delegati", url.Values{"fiscal_code": {"x"}}, post(lrA, "422")},
		{"GET", "/area-riservata/enti/:id/delegati/:mid/rimuovi", "/area-riservata/enti/" + A + "/delegati/" + mid + "/rimuovi", nil, lrA},
		{"POST", "/area-riservata/enti/:id/delegati/:mid/:op", "/area-riservata/enti/" + A + "/delegati/" + mid + "/abilita", nil, post(lrA, "303")},
		{"POST", "/area-riservata/enti/:id/inviti/:iid/revoca", "/area-riservata/enti/" + A + "/inviti/999999/revoca", nil, post(lrA, "404")},
		{"GET", "/area-riservata/richieste", "/area-riservata/richieste", nil, all},
		{"GET", "/area-riservata/notifiche", "/area-riservata/notifiche", nil, all},
		{"GET", "/area-riservata/notifiche/preferenze", "/area-riservata/notifiche/preferenze", nil, all},
		{"POST", "/area-riservata/notifiche/preferenze", "/area-riservata/notifiche/preferenze", url.Values{"state": {"bogus"}}, post(all, "400")},
		{"GET", "/area-riservata/notifiche/conteggio", "/area-riservata/notifiche/conteggio", nil, all},
		{"POST", "/area-riservata/notifiche/lette", "/area-riservata/notifiche/lette", nil, post(all, "303")},
		{"POST", "/area-riservata/notifiche/:id/letta", "/area-riservata/notifiche/999999/letta", nil, post(all, "404")},
		{"GET", "/area-riservata/richieste/nuova", "/area-riservata/richieste/nuova", nil, members},
		{"POST", "/area-riservata/richieste/nuova", "/area-riservata/richieste/nuova", url.Values{"title": {""}}, fileReq},
		{"GET", "/area-riservata/triage", "/area-riservata/triage", nil, triage},
		{"GET", "/area-riservata/analisi", "/area-riservata/analisi", nil, analysis},
		{"GET", "/area-riservata/analisi", "/area-riservata/analisi?tf=RIF", nil, "303 403 403 403 403 403 403 403 403 200"}, // a PM's forged task force
		{"GET", "/area-riservata/analisi/richieste", "/area-riservata/analisi/richieste?misura=filed", nil, analysis},
		{"GET", "/area-riservata/analisi/:table.:format", "/area-riservata/analisi/conteggi.csv", nil, analysis},
		{"GET", "/area-riservata/analisi/:table.:format", "/area-riservata/analisi/richieste.xlsx?misura=concluded", nil, analysis},
		{"GET", "/area-riservata/richieste/:id", req, nil, viewReq},
		{"GET", "/area-riservata/richieste/:id/documenti/:vid", req + "/documenti/" + strconv.FormatInt(w.versionID, 10), nil, viewReq},
		{"GET", "/area-riservata/richieste/:id/azioni/:action", req + "/azioni/concludi", nil, expertConfirm},
		{"POST", "/area-riservata/richieste/:id/azioni/:action", req + "/azioni/concludi", url.Values{"summary": {"breve"}, "confirm": {"1"}}, expertWork},
		{"GET", "/area-riservata/richieste/:id/fascicolo", req + "/fascicolo", nil, viewReq},
		{"GET", "/area-riservata/richieste/:id/fascicolo.pdf", req + "/fascicolo.pdf", nil, viewReq},
		{"GET", "/area-riservata/richieste/:id/messaggi", req + "/messaggi?prima=999999", nil, viewReq},
		{"GET", "/area-riservata/richieste/:id/documenti", req + "/documenti?prima=999999", nil, viewReq},
		{"POST", "/area-riservata/richieste/:id/integrazioni/:iid/risposta", req + "/integrazioni/999999/risposta", url.Values{"answer": {" "}}, "401 422 422 404 404 404 403 403 404 403"},
		{"GET", "/area-riservata/richieste/:id/aggiornamenti", req + "/aggiornamenti", nil, viewReq},
		{"GET", "/area-riservata/richieste/:id/esito", outcome, nil, outcomeForm},
		{"POST", "/area-riservata/richieste/:id/esito", outcome, url.Values{"stage": {"concluded"}, "backlog_pending": {"-1"}, "backlog_avg_days": {"x"}}, outcomeAnswer},
		{"GET", "/area-riservata/richieste/:id/esito", req + "/esito", nil, "303 404 404 404 404 404 404 404 404 404"}, // nothing asked yet
		{"POST", "/area-riservata/richieste/:id/messaggi", req + "/messaggi", url.Values{"body": {" "}}, workOn},
		{"POST", "/area-riservata/richieste/:id/documenti", req + "/documenti", nil, workOn},
		{"POST", "/area-riservata/richieste/:id/messaggi/:mid", req + "/messaggi/999999", url.Values{"body": {" "}}, workOn},
		{"POST", "/area-riservata/richieste/:id/attivita", req + "/attivita", url.Values{"kind": {"nope"}}, expertWork},
		// a knowledge-base article from a concluded request: its experts, the PM of its task force
		// and admins; an open request is refused (409), an ente's draft is nobody else's
		{"GET", "/area-riservata/richieste/:id/articolo", doneArticle, nil, "303 403 403 404 404 404 200 200 404 200"},
		{"POST", "/area-riservata/richieste/:id/articolo", doneArticle, url.Values{"title": {" "}}, "401 403 403 404 404 404 422 422 404 422"},
		{"GET", "/area-riservata/richieste/:id/articolo", req + "/articolo", nil, "303 403 403 404 404 404 409 409 404 409"},
		{"POST", "/area-riservata/richieste/:id/articolo", req + "/articolo", url.Values{"title": {" "}}, "401 403 403 404 404 404 409 409 404 409"},
		{"GET", "/area-riservata/richieste/:id/articolo", draft + "/articolo", nil, "303 403 403 404 404 404 404 404 404 404"},
		{"GET", "/area-riservata/richieste/:id", draft, nil, viewDraft},
		{"GET", "/area-riservata/richieste/:id/documenti/:vid", draft + "/documenti/" + strconv.FormatInt(w.draftVersionID, 10), nil, viewDraft},
		{"GET", "/area-riservata/richieste/:id/fascicolo", draft + "/fascicolo", nil, viewDraft},
		{"GET", "/area-riservata/richieste/:id/aggiornamenti", draft + "/aggiornamenti", nil, viewDraft},
		{"POST", "/area-riservata/richieste/:id/messaggi", draft + "/messaggi", url.Values{"body": {" "}}, workDraft},
		{"POST", "/area-riservata/richieste/:id/azioni/:action", draft + "/azioni/concludi", url.Values{"summary": {"breve"}}, actDraft},
		{"GET", "/admin/enti", "/admin/enti", nil, admins},
		{"POST", "/admin/enti", "/admin/enti", url.Values{"istat": {"x"}}, post(admins, "422")},
		{"GET", "/admin/enti/:id", "/admin/enti/" + A, nil, admins},
		{"GET", "/admin/registrazioni", "/admin/registrazioni", nil, admins},
		{"GET", "/admin/registrazioni/:id", "/admin/registrazioni/" + reg, nil, admins},
		{"GET", "/admin/registrazioni/:id/protocollo", "/admin/registrazioni/" + reg + "/protocollo", nil, admins},
		{"GET", "/admin/registrazioni/:id/:decision", "/admin/registrazioni/" + reg + "/rifiuta", nil, admins},
		{"POST", "/admin/registrazioni/:id/:decision", "/admin/registrazioni/" + reg + "/rifiuta", url.Values{"reason": {""}, "confirm": {"1"}}, post(admins, "422")},
		{"GET", "/admin/utenti", "/admin/utenti", nil, admins},
		{"GET", "/admin/utenti/:id", "/admin/utenti/" + admin, nil, admins},
		{"POST", "/admin/utenti/:id/ruoli", "/admin/utenti/" + admin + "/ruoli", url.Values{"role": {"king"}}, post(admins, "422")},
		{"POST", "/admin/utenti/:id/ruoli/revoca", "/admin/utenti/" + admin + "/ruoli/revoca", url.Values{"role": {"editor"}}, post(admins, "404")},
		{"GET", "/admin/audit", "/admin/audit", nil, admins},
		{"GET", "/admin/sinonimi", "/admin/sinonimi", nil, editors},
		{"POST", "/admin/sinonimi", "/admin/sinonimi", url.Values{"words": {"solo una voce"}}, post(editors, "422")},
		{"GET", "/admin/messaggi", "/admin/messaggi", nil, admins},
		{"GET", "/admin/richieste-senza-pm", "/admin/richieste-senza-pm", nil, admins},
		{"GET", "/admin/lavori", "/admin/lavori", nil, admins},
		{"GET", "/admin/sinonimi", "/admin/sinonimi", nil, "303 403 403 403 403 403 403 403 200 200"},
		{"POST", "/admin/sinonimi", "/admin/sinonimi", url.Values{"words": {"solo"}}, "401 403 403 403 403 403 403 403 422 422"},
		{"POST", "/admin/lavori/:id/riprova", "/admin/lavori/1/riprova", nil, post(admins, "404")},
		{"GET", "/admin/token-api", "/admin/token-api", nil, admins},
		{"POST", "/admin/token-api", "/admin/token-api", url.Values{"name": {" "}, "scope": {"content:read"}, "days": {"30"}}, post(admins, "422")},
		{"GET", "/admin/token-api/:id/revoca", token + "/revoca", nil, admins},
		{"POST", "/admin/token-api/:id/revoca", token + "/revoca", nil, post(admins, "303")}, // unconfirmed: back to the confirmation
		{"GET", "/admin/webhook", "/admin/webhook", nil, admins},
		{"POST", "/admin/webhook", "/admin/webhook", url.Values{"url": {"http://10.0.0.1/hook"}, "events": {"content.changed"}}, post(admins, "422")},
		{"GET", "/admin/webhook/:id", "/admin/webhook/999999", nil, "303 403 403 403 403 403 403 403 403 404"},
		{"POST", "/admin/webhook/:id/stato", "/admin/webhook/999999/stato", url.Values{"enabled": {"0"}}, post(admins, "404")},
		{"POST", "/admin/webhook/:id/elimina", "/admin/webhook/999999/elimina", nil, post(admins, "404")},
		{"POST", "/admin/webhook/:id/consegne/:did/reinvia", "/admin/webhook/999999/consegne/1/reinvia", nil, post(admins, "404")},
		{"GET", "/redazione", "/redazione", nil, newsroom},
		{"GET", "/redazione/contenuti", "/redazione/contenuti?tipo=news&stato=draft", nil, newsroom},
		{"GET", "/redazione/nuovo/:type", "/redazione/nuovo/news", nil, newsroom},
		{"POST", "/redazione/nuovo/:type", "/redazione/nuovo/news", url.Values{"title": {""}, "azione": {"salva"}}, post(newsroom, "422")},
		{"GET", "/redazione/contenuti/:type/:slug", "/redazione/contenuti/page/privacy", nil, newsroom},
		{"POST", "/redazione/contenuti/:type/:slug", "/redazione/contenuti/page/privacy", url.Values{"title": {""}, "azione": {"anteprima"}}, post(newsroom, "422")},
		{"POST", "/redazione/contenuti/:type/:slug/passi/:step", "/redazione/contenuti/page/privacy/passi/archive", url.Values{"rev": {"0"}}, post(newsroom, "409")},
		{"GET", "/redazione/contenuti/:type/:slug/confronto", "/redazione/contenuti/page/privacy/confronto?da=1&a=1", nil, newsroom},
		{"POST", "/redazione/contenuti/:type/:slug/ripristina", "/redazione/contenuti/page/privacy/ripristina", url.Values{"numero": {"1"}, "rev": {"0"}}, post(newsroom, "409")},
		{"GET", "/redazione/presenza/:id", "/redazione/presenza/" + strconv.FormatInt(privacy.Entry.ID, 10), nil, newsroom},
		{"POST", "/redazione/contenuti/:type/:slug/link-anteprima", "/redazione/contenuti/page/privacy/link-anteprima", url.Values{"rev": {"0"}}, post(newsroom, "409")},
		{"POST", "/redazione/contenuti/:type/:slug/autosalva", "/redazione/contenuti/page/privacy/autosalva", url.Values{"rev": {"0"}}, post(newsroom, "409")},
		{"POST", "/redazione/anteprima/:type", "/redazione/anteprima/page", url.Values{"title": {""}}, post(newsroom, "422")},
		{"GET", "/redazione/faq/utilita", "/redazione/faq/utilita", nil, newsroom}, // the knowledge base's figures (app/kb)
		{"GET", "/redazione/media", "/redazione/media?tipo=image&parole=x", nil, newsroom},
		{"POST", "/redazione/media", "/redazione/media", url.Values{"alt": {""}}, post(newsroom, "422")},
		{"GET", "/redazione/media/:id", "/redazione/media/999999", nil, "303 403 403 403 403 403 403 403 404 404 404"},
		{"POST", "/redazione/media/:id", "/redazione/media/999999", url.Values{"alt": {"x"}}, post(newsroom, "404")},
		{"POST", "/redazione/media/:id/elimina", "/redazione/media/999999/elimina", nil, post(newsroom, "404")},
		{"GET", "/area-riservata/documenti-gara", "/area-riservata/documenti-gara?tipo=bando&q=bando", nil, tenderView},
		{"GET", "/area-riservata/documenti-gara/nuovo", "/area-riservata/documenti-gara/nuovo", nil, tenderEdit},
		{"POST", "/area-riservata/documenti-gara/nuovo", "/area-riservata/documenti-gara/nuovo", url.Values{"title": {""}}, post(tenderEdit, "422")},
		{"GET", "/area-riservata/documenti-gara/:id", tenderA, nil, tenderView},
		{"GET", "/area-riservata/documenti-gara/:id", tenderD, nil, tenderDraft},
		{"GET", "/area-riservata/documenti-gara/:id/modifica", tenderD, nil, tenderDraft},
		{"POST", "/area-riservata/documenti-gara/:id/modifica", tenderD + "/modifica", url.Values{"title": {""}}, post(tenderEdit, "422")},
		{"POST", "/area-riservata/documenti-gara/:id/versioni", tenderA + "/versioni", url.Values{"change_note": {""}}, post(tenderEdit, "422")},
		{"POST", "/area-riservata/documenti-gara/:id/approva", "/area-riservata/documenti-gara/999999/approva", nil, "401 403 403 403 403 403 403 403 403 404 404"},
		{"POST", "/area-riservata/documenti-gara/:id/sostituisci", tenderA + "/sostituisci", url.Values{"superseded_by": {""}}, "401 403 403 403 403 403 403 403 403 422 422"},
		{"GET", "/area-riservata/documenti-gara/:id/versioni/:vid/scarica", tenderAV, nil, tenderView},
		{"GET", "/area-riservata/documenti-gara/:id/versioni/:vid/scarica", tenderDV, nil, tenderDraft},
		// the act templates (app/acts): everyone logged in drafts an act; an empty form is refused
		{"GET", "/area-riservata/modelli", "/area-riservata/modelli", nil, all},
		{"GET", "/area-riservata/modelli/:slug", "/area-riservata/modelli/determina-affidamento-diretto", nil, all},
		{"GET", "/area-riservata/modelli/:slug", "/area-riservata/modelli/non-esiste", nil, noArea},
		{"POST", "/area-riservata/modelli/:slug", "/area-riservata/modelli/determina-affidamento-diretto", url.Values{"_action": {"docx"}}, post(all, "422")},
		// the comuni CRM (app/crm): none of these personas is a province's, and nobody follows
		// Cantù, so its record does not exist for anyone, admins included (see TestCRMAccessMatrix)
		{"GET", "/area-riservata/crm", "/area-riservata/crm", nil, admins},
		{"GET", "/area-riservata/crm/elenco.:format", "/area-riservata/crm/elenco.csv", nil, admins},
		{"GET", "/area-riservata/crm/:comune", "/area-riservata/crm/" + A, nil, noRecord},
		{"GET", "/area-riservata/crm/:comune/scheda.:format", "/area-riservata/crm/" + A + "/scheda.xlsx", nil, noRecord},
		{"POST", "/area-riservata/crm/:comune/contatti", "/area-riservata/crm/" + A + "/contatti", url.Values{"name": {""}}, post(noRecord, "")},
		{"POST", "/area-riservata/crm/:comune/contatti/:id/elimina", "/area-riservata/crm/" + A + "/contatti/1/elimina", nil, post(noRecord, "")},
		{"POST", "/area-riservata/crm/:comune/interazioni", "/area-riservata/crm/" + A + "/interazioni", url.Values{"kind": {"nope"}}, post(noRecord, "")},
		{"POST", "/area-riservata/crm/:comune/interazioni/:id/fatto", "/area-riservata/crm/" + A + "/interazioni/1/fatto", nil, post(noRecord, "")},
		{"POST", "/area-riservata/crm/:comune/convenzioni", "/area-riservata/crm/" + A + "/convenzioni", url.Values{"title": {""}}, post(noRecord, "")},
		{"GET", "/admin/territori", "/admin/territori", nil, admins},
		{"POST", "/admin/territori", "/admin/territori", url.Values{"province": {""}, "comune": {""}}, post(admins, "422")},
		{"POST", "/admin/territori/:id/termina", "/admin/territori/999999/termina", nil, post(admins, "404")},
		{"GET", "/area-riservata/bandi/avvisi", "/area-riservata/bandi/avvisi", nil, all},
		{"POST", "/area-riservata/bandi/avvisi", "/area-riservata/bandi/avvisi", url.Values{"topics": {"clima"}, "channel": {"bogus"}}, post(all, "422")},
		{"POST", "/area-riservata/bandi/avvisi/elimina", "/area-riservata/bandi/avvisi/elimina", nil, post(all, "303")},
		{"GET", "/area-riservata/bandi", "/area-riservata/bandi", nil, newsroom},
		{"GET", "/area-riservata/bandi/nuovo", "/area-riservata/bandi/nuovo", nil, newsroom},
		{"POST", "/area-riservata/bandi/nuovo", "/area-riservata/bandi/nuovo", url.Values{"title": {""}}, post(newsroom, "422")},
		{"GET", "/area-riservata/bandi/:id", bando, nil, newsroom},
		{"GET", "/area-riservata/bandi/:id", "/area-riservata/bandi/999999", nil, "303 403 403 403 403 403 403 403 404 404 404"},
		{"POST", "/area-riservata/bandi/:id", bando, url.Values{"title": {""}, "programme": {"LIFE"}}, post(newsroom, "422")},
		{"POST", "/area-riservata/bandi/:id/pubblica", bando + "/pubblica", url.Values{"publish": {"1"}}, post(newsroom, "303")},
		// the project sheets (app/project): the members of approved enti and the staff read the
		// published ones; a draft is its ente's (and the admins'); only the ente writes its sheets
		{"GET", "/area-riservata/progetti", "/area-riservata/progetti?cerca=1&tema=clima", nil, tenderView},
		{"GET", "/area-riservata/progetti/nuova", "/area-riservata/progetti/nuova?bando=" + call.Slug, nil, members},
		{"POST", "/area-riservata/progetti/nuova", "/area-riservata/progetti/nuova", url.Values{"ente": {A}, "call": {strconv.FormatInt(call.ID, 10)}, "title": {""}}, post(members, "422")},
		{"GET", "/area-riservata/progetti/:id", sheetP, nil, "303 200 200 404 200 404 200 200 200 200"}, // no sheet exists for who may read none
		{"GET", "/area-riservata/progetti/:id", sheetD, nil, "303 200 200 404 404 404 404 404 404 200"},
		{"GET", "/area-riservata/progetti/:id", "/area-riservata/progetti/999999", nil, noArea},
		{"GET", "/area-riservata/progetti/:id/modifica", sheetP + "/modifica", nil, "303 200 200 404 403 404 403 403 403 403"},
		{"GET", "/area-riservata/progetti/:id/modifica", sheetD + "/modifica", nil, "303 200 200 404 404 404 404 404 404 403"},
		{"POST", "/area-riservata/progetti/:id/modifica", sheetP + "/modifica", url.Values{"title": {""}}, "401 422 422 404 403 404 403 403 403 403"},
		{"POST", "/area-riservata/progetti/:id/pubblica", sheetP + "/pubblica", url.Values{"publish": {"1"}}, "401 303 303 404 403 404 403 403 403 403"},
		{"POST", "/area-riservata/progetti/:id/risposte", sheetP + "/risposte", url.Values{"ente": {""}, "message": {""}}, "401 422 422 404 422 404 422 422 422 422"},
		{"POST", "/area-riservata/progetti/:id/risposte", sheetD + "/risposte", url.Values{"ente": {""}, "message": {""}}, "401 422 422 404 404 404 404 404 404 422"},
		{"POST", "/area-riservata/progetti/:id/risposte/:answer", sheetP + "/risposte/999999", url.Values{"decision": {"accept"}}, "401 404 404 404 403 404 403 403 403 403"},
		{"GET", "/bandi", "/bandi", nil, public},
		{"GET", "/bandi", "/bandi?vista=mese&mese=2030-01&tema=clima", nil, public},
		{"GET", "/bandi.ics", "/bandi.ics?programma=LIFE", nil, public},
		{"GET", "/bandi/:slug", "/bandi/" + call.Slug, nil, public},
		{"GET", "/faq", "/faq?categoria=pagopa", nil, public},
		{"GET", "/faq/:slug", "/faq/pagopa-riconciliazione", nil, public},
		{"POST", "/faq/:slug/utile", "/faq/pagopa-riconciliazione/utile", url.Values{"utile": {"forse"}}, "422 422 422 422 422 422 422 422 422 422 422"},
		{"GET", "/dati", "/dati", nil, public},
		{"GET", "/dati/catalogo.jsonld", "/dati/catalogo.jsonld", nil, public},
		{"GET", "/dati/task-force/:code", "/dati/task-force/VA", nil, public},
		{"GET", "/dati/province/:code", "/dati/province/CO", nil, public},
		{"GET", "/dati/dataset/:name", "/dati/dataset/tempi", nil, public},
		{"GET", "/dati/:file", "/dati/richieste-per-mese.csv", nil, public},
		// the work areas (their own matrix with their members: TestWorkAreaAccessMatrix); none here,
		// so an area is nobody's, and none of these people is told it exists
		{"GET", "/area-riservata/spazi", "/area-riservata/spazi", nil, all},
		{"GET", "/area-riservata/spazi/:id", "/area-riservata/spazi/999999", nil, noArea},
		{"POST", "/area-riservata/spazi/:id/descrizione", "/area-riservata/spazi/999999/descrizione", url.Values{"description": {"x"}}, post(noArea, "404")},
		{"POST", "/area-riservata/spazi/:id/argomenti", "/area-riservata/spazi/999999/argomenti", url.Values{"title": {"x"}, "body": {"x"}}, post(noArea, "404")},
		{"GET", "/area-riservata/spazi/:id/argomenti/:tid", "/area-riservata/spazi/999999/argomenti/1", nil, noArea},
		{"POST", "/area-riservata/spazi/:id/argomenti/:tid/risposte", "/area-riservata/spazi/999999/argomenti/1/risposte", url.Values{"body": {"x"}}, post(noArea, "404")},
		{"POST", "/area-riservata/spazi/:id/argomenti/:tid/post/:pid/visibilita", "/area-riservata/spazi/999999/argomenti/1/post/1/visibilita", nil, post(noArea, "404")},
		{"GET", "/area-riservata/spazi/:id/aggiornamenti", "/area-riservata/spazi/999999/aggiornamenti", nil, noArea},
		{"GET", "/area-riservata/spazi/:id/biblioteca", "/area-riservata/spazi/999999/biblioteca", nil, noArea},
		{"POST", "/area-riservata/spazi/:id/biblioteca", "/area-riservata/spazi/999999/biblioteca", nil, post(noArea, "404")},
		{"GET", "/area-riservata/spazi/:id/documenti/:vid", "/area-riservata/spazi/999999/documenti/1", nil, noArea},
		{"GET", "/area-riservata/spazi/:id/membri", "/area-riservata/spazi/999999/membri", nil, noArea},
		{"GET", "/area-riservata/spazi/:id/calendario", "/area-riservata/spazi/999999/calendario", nil, noArea},
		{"POST", "/area-riservata/spazi/:id/calendario", "/area-riservata/spazi/999999/calendario", nil, post(noArea, "404")},
		{"GET", "/area-riservata/spazi/:id/calendario/:eid", "/area-riservata/spazi/999999/calendario/1", nil, noArea},
		{"POST", "/area-riservata/spazi/:id/calendario/:eid/iscrizione", "/area-riservata/spazi/999999/calendario/1/iscrizione", nil, post(noArea, "404")},
		{"POST", "/area-riservata/spazi/:id/calendario/:eid/presenze", "/area-riservata/spazi/999999/calendario/1/presenze", nil, post(noArea, "404")},
		{"POST", "/area-riservata/spazi/:id/calendario/:eid/materiali", "/area-riservata/spazi/999999/calendario/1/materiali", nil, post(noArea, "404")},
		{"GET", "/admin/spazi", "/admin/spazi", nil, admins},
		{"POST", "/admin/spazi", "/admin/spazi", url.Values{"name": {" "}}, post(admins, "422")},
		{"GET", "/admin/spazi/:id", "/admin/spazi/999999", nil, "303 403 403 403 403 403 403 403 403 404"},
		{"POST", "/admin/spazi/:id/membri", "/admin/spazi/999999/membri", url.Values{"kind": {"ente"}, "ente": {A}, "role": {"member"}}, post(admins, "404")},
		{"POST", "/admin/spazi/:id/membri/:mid/rimuovi", "/admin/spazi/999999/membri/1/rimuovi", nil, post(admins, "404")},
		// the help desk (its own matrix with operators and requesters: TestHelpdeskAccessMatrix):
		// everyone asks for help; only operators and admins open the queue and its tickets
		{"GET", "/area-riservata/assistenza", "/area-riservata/assistenza", nil, all},
		{"POST", "/area-riservata/assistenza", "/area-riservata/assistenza", url.Values{"subject": {""}}, post(all, "422")},
		{"GET", "/area-riservata/assistenza/suggerimenti", "/area-riservata/assistenza/suggerimenti?oggetto=spid", nil, all},
		{"GET", "/area-riservata/assistenza/:id", "/area-riservata/assistenza/999999", nil, noArea},
		{"POST", "/area-riservata/assistenza/:id/rispondi", "/area-riservata/assistenza/999999/rispondi", url.Values{"body": {"x"}}, post(noArea, "404")},
		{"POST", "/area-riservata/assistenza/:id/valuta", "/area-riservata/assistenza/999999/valuta", url.Values{"rating": {"5"}}, post(noArea, "404")},
		{"GET", "/area-riservata/assistenza/:id/allegati/:fid", "/area-riservata/assistenza/999999/allegati/1", nil, noArea},
		{"GET", "/area-riservata/helpdesk", "/area-riservata/helpdesk", nil, admins},
		{"GET", "/area-riservata/helpdesk/aggiornamenti", "/area-riservata/helpdesk/aggiornamenti?dopo=0", nil, admins},
		{"GET", "/area-riservata/helpdesk/telefonata", "/area-riservata/helpdesk/telefonata", nil, admins},
		{"POST", "/area-riservata/helpdesk/telefonata", "/area-riservata/helpdesk/telefonata", url.Values{"name": {""}}, post(admins, "422")},
		{"GET", "/area-riservata/helpdesk/risposte", "/area-riservata/helpdesk/risposte", nil, admins},
		{"POST", "/area-riservata/helpdesk/risposte", "/area-riservata/helpdesk/risposte", url.Values{"title": {""}}, post(admins, "422")},
		{"POST", "/area-riservata/helpdesk/risposte/:canned", "/area-riservata/helpdesk/risposte/999999", url.Values{"title": {"Saluti"}, "body": {"Cordiali saluti"}}, post(admins, "404")},
		{"POST", "/area-riservata/helpdesk/risposte/:canned/elimina", "/area-riservata/helpdesk/risposte/999999/elimina", nil, post(admins, "303")},
		{"GET", "/area-riservata/helpdesk/:id", "/area-riservata/helpdesk/999999", nil, "303 403 403 403 403 403 403 403 403 404"},
		{"POST", "/area-riservata/helpdesk/:id/rispondi", "/area-riservata/helpdesk/999999/rispondi", url.Values{"body": {"x"}}, post("303 403 403 403 403 403 403 403 403 404", "")},
		{"GET", "/area-riservata/helpdesk/:id/allegati/:fid", "/area-riservata/helpdesk/999999/allegati/1", nil, "303 403 403 403 403 403 403 403 403 404"},
		{"POST", "/area-riservata/helpdesk/:id/nota", "/area-riservata/helpdesk/999999/nota", url.Values{"note": {"x"}}, post("303 403 403 403 403 403 403 403 403 404", "")},
		{"POST", "/area-riservata/helpdesk/:id/modifica", "/area-riservata/helpdesk/999999/modifica", url.Values{"status": {"open"}}, post("303 403 403 403 403 403 403 403 403 404", "")},
		{"POST", "/area-riservata/helpdesk/:id/unisci", "/area-riservata/helpdesk/999999/unisci", url.Values{"into": {"1"}}, post("303 403 403 403 403 403 403 403 403 404", "")},
		{"GET", "/area-riservata/helpdesk/:id/richiesta", "/area-riservata/helpdesk/999999/richiesta", nil, "303 403 403 403 403 403 403 403 403 404"},
		{"POST", "/area-riservata/helpdesk/:id/richiesta", "/area-riservata/helpdesk/999999/richiesta", url.Values{"title": {"x"}}, post("303 403 403 403 403 403 403 403 403 404", "")},
		{"GET", "/area-riservata/helpdesk/:id/articolo", "/area-riservata/helpdesk/999999/articolo", nil, "303 403 403 403 403 403 403 403 403 404"},
		{"POST", "/area-riservata/helpdesk/:id/articolo", "/area-riservata/helpdesk/999999/articolo", url.Values{"title": {"x"}}, post("303 403 403 403 403 403 403 403 403 404", "")},
		{"POST", "/esci", "/esci", nil, post(all, "303")},
		{"POST", "/esci-ovunque", "/esci-ovunque", nil, post(all, "303")},
	}

	covered := map[string]bool{}
	for _, row := range matrix {
		covered[row.method+" "+row.route] = true
	}
	for _, r := range w.s.Web.App.GetRoutes(true) {
		if r.Method != "GET" && r.Method != "POST" {
			continue
		}
		if strings.HasPrefix(r.Path, "/area-riservata") || strings.HasPrefix(r.Path, "/admin") || strings.HasPrefix(r.Path, "/esci") ||
			strings.HasPrefix(r.Path, "/redazione") || strings.HasPrefix(r.Path, "/dati") {
			if !covered[r.Method+" "+r.Path] {
				t.Errorf("route %s %s has no row in the access matrix", r.Method, r.Path)
			}
		}
	}

	for _, row := range matrix {
		want := strings.Fields(row.want)
		if len(want) == len(personas)-1 {
			want = append(want, want[8]) // the publisher, as the editor
		}
		if len(want) != len(personas) {
			t.Fatalf("%s %s: %d statuses for %d personas", row.method, row.route, len(want), len(personas))
		}
		for i, p := range personas {
			t.Run(row.method+" "+row.route+"/"+p, func(t *testing.T) {
				cookie := w.cookies[p]
				if strings.HasPrefix(row.route, "/esci") && p != "anonymous" { // logging out must not end the persona's session for later rows
					cookie = w.s.Login(t, w.codes[p], p, "Test")
				}
				var res *http.Response
				if row.method == "GET" {
					res, _ = w.s.Get(t, row.path, "Cookie", cookie)
				} else {
					form := url.Values{}
					for k, v := range row.form {
						form[k] = v
					}
					form.Set("_csrf", apptest.CSRFToken)
					res, _ = w.s.PostForm(t, row.path, form, "Cookie", cookie)
				}
				if got := strconv.Itoa(res.StatusCode); got != want[i] {
					t.Errorf("%s %s as %s = %s, want %s", row.method, row.path, p, got, want[i])
				}
				if p == "anonymous" && row.method == "GET" && want[i] == "303" && !strings.HasPrefix(res.Header.Get("Location"), "/accedi?next=") {
					t.Errorf("anonymous not sent to the login page: %q", res.Header.Get("Location"))
				}
			})
		}
	}
}

// TestDraftsStayOffStaffLists: the lists, the triage and the dashboards of PMs, experts and
// admins never show an ente's draft; the ente's own people see it.
func TestDraftsStayOffStaffLists(t *testing.T) {
	w := buildWorld(t)
	for _, p := range personas[1:] {
		for _, path := range []string{"/area-riservata/richieste", "/area-riservata/richieste?stato=draft", "/area-riservata/triage?tf=VA",
			"/area-riservata/triage?tf=VA&stato=draft", "/area-riservata"} {
			res, body := w.s.Get(t, path, "Cookie", w.cookies[p])
			if res.StatusCode != 200 {
				continue
			}
			shown := strings.Contains(body, "Bozza sulla zanzariera")
			if want := (p == "legal rep A" || p == "delegate A") && strings.HasPrefix(path, "/area-riservata/richieste"); shown != want {
				t.Errorf("%s on %s: draft shown %v, want %v", p, path, shown, want)
			}
		}
	}
}

// TestAPIWriteAccessMatrix: the content API's writes, for every persona's session (with its CSRF
// token) and for a token of every scope. A session is never enough (401, even an admin's or a
// publisher's); drafts:write creates, updates and submits, content:publish publishes, schedules
// and unpublishes. An API write route missing from the table fails the test.
func TestAPIWriteAccessMatrix(t *testing.T) {
	w := buildWorld(t)
	ctx := context.Background()
	tokens := map[string]string{}
	scopes := []string{access.ScopeReadPublished, access.ScopeReadDrafts, access.ScopeWriteDrafts, access.ScopePublish}
	for _, scope := range scopes {
		_, secret, err := w.s.Tokens.Create(ctx, apitoken.Actor{UserID: w.adminID, Name: "admin"}, apitoken.Form{Name: scope, Scopes: []string{scope}, Days: 7})
		if err != nil {
			t.Fatal(err)
		}
		tokens[scope] = "Bearer " + secret
	}
	// The statuses of the tokens, in the order of scopes: a refused body (400) shows the scope let
	// the request through to the route's own checks.
	const body = `{"colour": "red"}`
	matrix := []struct {
		method, route, path string
		want                string
	}{
		{"POST", "/api/v1/content/:type", "/api/v1/content/news", "403 403 400 403"},
		{"PUT", "/api/v1/content/:type/:slug", "/api/v1/content/page/privacy", "403 403 400 403"},
		{"POST", "/api/v1/content/:type/:slug/steps/:step", "/api/v1/content/page/privacy/steps/submit", "403 403 400 403"},
		{"POST", "/api/v1/content/:type/:slug/steps/:step", "/api/v1/content/page/privacy/steps/publish", "403 403 403 400"},
		{"POST", "/api/v1/content/:type/:slug/steps/:step", "/api/v1/content/page/privacy/steps/schedule", "403 403 403 400"},
		{"POST", "/api/v1/content/:type/:slug/steps/:step", "/api/v1/content/page/privacy/steps/unpublish", "403 403 403 400"},
		{"POST", "/api/v1/content/:type/:slug/steps/:step", "/api/v1/content/page/privacy/steps/request_changes", "403 403 403 400"},
		{"POST", "/api/v1/content/:type/:slug/steps/:step", "/api/v1/content/page/privacy/steps/archive", "403 403 403 400"},
	}
	covered := map[string]bool{}
	for _, row := range matrix {
		covered[row.method+" "+row.route] = true
	}
	for _, r := range w.s.Web.App.GetRoutes(true) {
		if r.Method != "GET" && r.Method != "HEAD" && strings.HasPrefix(r.Path, "/api/v1/") && !covered[r.Method+" "+r.Path] {
			t.Errorf("API write route %s %s has no row in the matrix", r.Method, r.Path)
		}
	}
	do := func(t *testing.T, method, path string, header ...string) int {
		req, err := http.NewRequest(method, w.s.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, _ := w.s.Do(t, req)
		return res.StatusCode
	}
	for _, row := range matrix {
		for _, p := range personas {
			t.Run(row.method+" "+row.path+"/"+p, func(t *testing.T) {
				if got := do(t, row.method, row.path, "Cookie", w.cookies[p], "X-CSRF-Token", apptest.CSRFToken); got != 401 {
					t.Errorf("%s %s as %s's session = %d, want 401", row.method, row.path, p, got)
				}
			})
		}
		for i, scope := range scopes {
			t.Run(row.method+" "+row.path+"/"+scope, func(t *testing.T) {
				if got := strconv.Itoa(do(t, row.method, row.path, "Authorization", tokens[scope])); got != strings.Fields(row.want)[i] {
					t.Errorf("%s %s with %s = %s, want %s", row.method, row.path, scope, got, strings.Fields(row.want)[i])
				}
			})
		}
	}
}

// TestPreviewLinkMatrix: GET /anteprima/:token is public, the signature is the permission. A
// valid link opens for every persona, logged in or not; a tampered one is 403 for everyone; and
// making a link is the newsroom's alone (the matrix row of POST …/link-anteprima).
func TestPreviewLinkMatrix(t *testing.T) {
	t.Parallel()
	w := buildWorld(t)
	ctx := context.Background()
	pub, err := w.s.Content.Published(ctx, content.TypePage, "privacy")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.s.Content.SaveDraft(ctx, content.Actor{Name: "matrice"}, content.Draft{Type: content.TypePage, Slug: "privacy",
		Base: pub.Entry.CurrentRevisionID, Fields: map[string]string{"title": "Privacy in bozza", "summary": "Bozza."}, Body: "Bozza.\n"}); err != nil {
		t.Fatal(err)
	}
	e, err := w.s.Content.Work(ctx, content.TypePage, "privacy")
	if err != nil {
		t.Fatal(err)
	}
	link, _, err := w.s.Previews.Create(ctx, content.TypePage, "privacy", e.Head.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range personas {
		for path, want := range map[string]int{link: 200, link + "x": 403} {
			res, _ := w.s.Get(t, path, "Cookie", w.cookies[p])
			if res.StatusCode != want {
				t.Errorf("GET %s as %s = %d, want %d", path, p, res.StatusCode, want)
			}
		}
	}
}

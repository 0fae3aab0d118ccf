package request_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apptest"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/app/request"
)

// TestOutcomeHTTP: the outcome form of a concluded request, for each persona. The ente's mayor
// and delegate answer and correct it; a delegate of another ente, the assigned expert, the PM
// and an admin get the answer of a request they may not see (404, the title unsaid), an
// anonymous visitor the login; bad figures are 422 with the message beside the field, the typed
// values kept, and nothing stored.
func TestOutcomeHTTP(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ctx := context.Background()
	ids := map[string]int64{}
	cookies := map[string]string{}
	for p, first15 := range map[string]string{"mayor": "RSSMRA80A01F205", "delegate": "BNCGLI75M41L219", "mayor B": "GLLFBA70D01F205",
		"delegate B": "NRIPLA85C10F205", "pm": "PMPMPM80A01F205", "expert": "SPRSPR80A01F205", "admin": "DMNDMN80A01F205"} {
		cookies[p] = s.Login(t, apptest.FiscalCode(first15), strings.Fields(p)[0], "Test")
		u, err := s.Identity.Authenticate(ctx, strings.TrimPrefix(strings.Split(cookies[p], ";")[0], "pass_session="))
		if err != nil {
			t.Fatal(err)
		}
		ids[p] = u.User.ID
	}
	cantu := apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", ids["mayor"])
	milano := apptest.ApprovedEnte(t, s.App, "015146", "Milano", "MI", ids["mayor B"])
	for p, e := range map[string]*ente.Ente{"delegate": cantu, "delegate B": milano} {
		lr := map[string]string{"delegate": "mayor", "delegate B": "mayor B"}[p]
		if _, err := s.Enti.Invite(ctx, ente.Actor{UserID: ids[lr]}, e.ID, apptest.FiscalCode(map[string]string{"delegate": "BNCGLI75M41L219", "delegate B": "NRIPLA85C10F205"}[p]), "d@comune.it"); err != nil {
			t.Fatal(err)
		}
		cookies[p] = s.Login(t, apptest.FiscalCode(map[string]string{"delegate": "BNCGLI75M41L219", "delegate B": "NRIPLA85C10F205"}[p]), p, "Test") // accepts the invitation
	}
	for p, role := range map[string][2]string{"pm": {"pm", "VA"}, "expert": {"expert", "VA"}, "admin": {"admin", ""}} {
		if err := s.Identity.Grant(ctx, identity.Actor{}, ids[p], role[0], role[1]); err != nil {
			t.Fatal(err)
		}
	}
	mayor := request.Actor{UserID: ids["mayor"], Name: "mayor"}
	expert := request.Actor{UserID: ids["expert"], Name: "expert"}
	r, err := s.Requests.File(ctx, mayor, cantu.ID, form(), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Requests.Assign(ctx, request.Actor{UserID: ids["pm"]}, r.ID, []int64{ids["expert"]}); err != nil {
		t.Fatal(err)
	}
	r, _ = s.Requests.Get(ctx, r.ID)
	if _, err := s.Workspace.Post(ctx, expert, r, true, "Iniziamo dall'elenco delle istanze."); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Requests.Conclude(ctx, expert, r.ID, "Arretrato ridotto con un modello di istruttoria condiviso."); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	// a request of Cantù still in progress: nothing asked, no form
	open, err := s.Requests.File(ctx, mayor, cantu.ID, form(), true)
	if err != nil {
		t.Fatal(err)
	}

	page := "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10)
	esito := page + "/esito"
	stored := func(t *testing.T) *request.Outcome {
		t.Helper()
		outs, err := s.Requests.Outcomes(ctx, r.ID)
		if err != nil || len(outs) != 1 {
			t.Fatalf("outcomes %+v %v", outs, err)
		}
		return &outs[0]
	}
	unanswered := func(t *testing.T, _ *http.Response, _ *goquery.Document) {
		if o := stored(t); o.Answered() {
			t.Errorf("answer stored: %+v", o)
		}
	}
	valid := url.Values{"stage": {"concluded"}, "backlog_pending": {"12"}, "backlog_avg_days": {"90"}}
	title := form().Title
	var scenarios []apptest.Scenario
	for _, p := range []string{"delegate B", "expert", "pm", "admin"} {
		scenarios = append(scenarios,
			apptest.Scenario{Name: p + " may not open the form", As: cookies[p], Path: esito, Status: 404, NoText: []string{title, "Esito della richiesta"}},
			apptest.Scenario{Name: p + " may not answer", As: cookies[p], Method: "POST", Path: esito, Form: valid, Status: 404, NoText: []string{title},
				Events: []string{}, Check: unanswered},
			apptest.Scenario{Name: p + " sees no link on the workspace", As: cookies[p], Path: page, Status: map[string]int{"delegate B": 404, "expert": 200, "pm": 200, "admin": 200}[p],
				Lacks: []string{"a[href$='/esito']"}},
		)
	}
	scenarios = append(scenarios, []apptest.Scenario{
		{Name: "a request not concluded has no form", As: cookies["mayor"], Path: "/area-riservata/richieste/" + strconv.FormatInt(open.ID, 10) + "/esito", Status: 404},
		{Name: "an unknown request", As: cookies["mayor"], Path: "/area-riservata/richieste/999999/esito", Status: 404},
		{Name: "anonymous is sent to log in", Path: esito, Status: 303, Check: func(t *testing.T, res *http.Response, _ *goquery.Document) {
			if !strings.HasPrefix(res.Header.Get("Location"), "/accedi?next=") {
				t.Errorf("Location %q", res.Header.Get("Location"))
			}
		}},
		{Name: "anonymous may not answer", Method: "POST", Path: esito, Form: valid, Status: 401, Events: []string{}, Check: unanswered},
		{Name: "the mayor's home lists the ask", As: cookies["mayor"], Lang: "it", Path: "/area-riservata", Status: 200,
			Has: map[string]string{".pass-outcomes-todo a[href='" + esito + "']": "Da compilare: esito della richiesta"}},
		{Name: "the delegate's home lists it too", As: cookies["delegate"], Lang: "it", Path: "/area-riservata", Status: 200,
			Has: map[string]string{".pass-outcomes-todo a[href='" + esito + "']": title}},
		{Name: "other enti's homes do not", As: cookies["delegate B"], Path: "/area-riservata", Status: 200, Lacks: []string{".pass-outcomes-todo"}},
		{Name: "the expert's home does not", As: cookies["expert"], Path: "/area-riservata", Status: 200, Lacks: []string{".pass-outcomes-todo"}},
		{Name: "the workspace links the form", As: cookies["mayor"], Lang: "it", Path: page, Status: 200,
			Has: map[string]string{".pass-outcome-link a[href='" + esito + "']": "Compila l'esito"}},
		{Name: "the mayor opens the form", As: cookies["mayor"], Lang: "it", Path: esito, Status: 200,
			Has: map[string]string{"h1": "Esito della richiesta", "#esito-concluded-backlog_pending-filing": "40 pratiche",
				"#esito-concluded-backlog_avg_days-filing": "210 giorni", "label[for='esito-concluded-backlog_avg_days-unknown']": "Non lo so / dato non disponibile",
				"form input[name=_csrf]": ""},
			Lacks: []string{"#esito-six_months", ".is-invalid"}},
		{Name: "without the CSRF token nothing is stored", As: strings.Split(cookies["mayor"], ";")[0], Method: "POST", Path: esito, Form: valid, NoCSRF: true,
			Status: 403, Events: []string{}, Check: unanswered},
		{Name: "bad figures: 422, messages beside the fields, values kept", As: cookies["mayor"], Lang: "it", Method: "POST", Path: esito,
			Form: url.Values{"stage": {"concluded"}, "backlog_pending": {"tanti"}, "backlog_avg_days": {"20000"}}, Status: 422, Events: []string{},
			Has: map[string]string{"#esito-concluded-backlog_pending-error": "tra 0 e 1.000.000", "#esito-concluded-backlog_avg_days-error": "tra 0 e 10.000",
				".pass-error-summary a[href='#esito-concluded-backlog_pending']": "Pratiche arretrate"},
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				unanswered(t, nil, nil)
				if v, _ := doc.Find("#esito-concluded-backlog_avg_days").Attr("value"); v != "20000" {
					t.Errorf("typed value not kept: %q", v)
				}
				if v, _ := doc.Find("#esito-concluded-backlog_pending").Attr("aria-invalid"); v != "true" {
					t.Errorf("field not marked invalid")
				}
			}},
		{Name: "a number and unknown both: 422", As: cookies["mayor"], Lang: "en", Method: "POST", Path: esito,
			Form: url.Values{"stage": {"concluded"}, "backlog_pending": {"12"}, "backlog_pending_unknown": {"1"}, "backlog_avg_days": {"90"}}, Status: 422, Events: []string{},
			Has: map[string]string{"#esito-concluded-backlog_pending-error": "not both"}, Lacks: []string{"#esito-concluded-backlog_avg_days-error"}, Check: unanswered},
		{Name: "an empty figure: 422", As: cookies["mayor"], Lang: "it", Method: "POST", Path: esito,
			Form: url.Values{"stage": {"concluded"}, "backlog_pending": {""}, "backlog_avg_days": {"90"}}, Status: 422, Events: []string{},
			Has: map[string]string{"#esito-concluded-backlog_pending-error": "Indica un numero oppure"}, Check: unanswered},
		{Name: "a stage not asked: 422", As: cookies["mayor"], Lang: "it", Method: "POST", Path: esito,
			Form: url.Values{"stage": {"six_months"}, "backlog_pending": {"1"}, "backlog_avg_days": {"1"}}, Status: 422, Events: []string{}, Check: unanswered},
		{Name: "the mayor answers, the average time unknown", As: cookies["mayor"], Method: "POST", Path: esito,
			Form: url.Values{"stage": {"concluded"}, "backlog_pending": {"12"}, "backlog_avg_days_unknown": {"1"}}, Status: 303, Location: esito,
			Events: []string{"request.event"}, Check: func(t *testing.T, _ *http.Response, _ *goquery.Document) {
				o := stored(t)
				if !o.Answered() || o.AnsweredBy != ids["mayor"] || o.BacklogPending == nil || *o.BacklogPending != 12 || o.BacklogAvgDays != nil {
					t.Errorf("stored %+v", o)
				}
			}},
		{Name: "the home no longer lists it", As: cookies["mayor"], Path: "/area-riservata", Status: 200, Lacks: []string{".pass-outcomes-todo"}},
		{Name: "the delegate sees the stored answer", As: cookies["delegate"], Lang: "it", Path: esito, Status: 200,
			Has: map[string]string{".pass-outcome-status": "Risposta registrata", ".pass-outcome button[type=submit]": "Correggi"},
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				if v, _ := doc.Find("#esito-concluded-backlog_pending").Attr("value"); v != "12" {
					t.Errorf("stored figure not shown: %q", v)
				}
				if _, checked := doc.Find("#esito-concluded-backlog_avg_days-unknown").Attr("checked"); !checked {
					t.Error("unknown not shown checked")
				}
			}},
		{Name: "the delegate corrects it", As: cookies["delegate"], Method: "POST", Path: esito,
			Form: url.Values{"stage": {"concluded"}, "backlog_pending": {"10"}, "backlog_avg_days": {"95"}}, Status: 303, Location: esito,
			Events: []string{"request.event"}, Check: func(t *testing.T, _ *http.Response, _ *goquery.Document) {
				o := stored(t)
				if o.AnsweredBy != ids["delegate"] || o.BacklogPending == nil || *o.BacklogPending != 10 || o.BacklogAvgDays == nil || *o.BacklogAvgDays != 95 {
					t.Errorf("corrected %+v", o)
				}
			}},
		{Name: "in English", As: cookies["delegate"], Lang: "en", Path: esito, Status: 200,
			Has: map[string]string{"h1": "Outcome of the request", "label[for='esito-concluded-backlog_pending-unknown']": "I don't know"}},
	}...)
	apptest.RunScenarios(t, s, scenarios)
}

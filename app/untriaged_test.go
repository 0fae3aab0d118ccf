package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/identity"
	"passhub/app/mailtest"
	"passhub/app/request"
)

// TestRequestNoOneCanTriage files a request for a task force with no project manager: the admins
// get a bell and an e-mail, the ente is told no one can triage it yet, and the admins' list of
// such requests shows it until a project manager is appointed.
func TestRequestNoOneCanTriage(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	s := apptest.Start(t, withSMTP(smtp))
	ctx := context.Background()
	admin := s.Login(t, apptest.FiscalCode("DMNDMN80A01F205"), "Ada", "Admin") // ada@example.it
	adminID := userOf(t, s, admin)
	_ = s.Identity.Grant(ctx, identity.Actor{}, adminID, "admin", "")
	mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	mayorID := userOf(t, s, mayor)
	cantu := apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", mayorID)
	apptest.Idle(t, s.App)
	before := len(smtp.Messages())

	r, err := s.Requests.File(ctx, request.Actor{UserID: mayorID}, cantu.ID, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA senza PM",
		Description: "Quaranta istanze in attesa da mesi.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	kinds := func(userID int64) []string {
		list, err := s.Notifications.List(ctx, userID, false, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range list {
			out = append(out, n.Kind)
		}
		return out
	}
	if k := kinds(adminID); len(k) != 1 || k[0] != "request.untriaged" {
		t.Errorf("admin's bell: %v", k)
	}
	if k := kinds(mayorID); len(k) != 1 || k[0] != "request.no_pm" {
		t.Errorf("ente's bell: %v", k)
	}
	msgs := smtp.WaitFor(t, before+1, 10*time.Second)
	found := false
	for _, m := range msgs[before:] {
		if m.To[0] == "ada@example.it" && strings.Contains(m.Text, "nessuno può valutare") {
			found = true
		}
	}
	if !found {
		t.Error("the admin got no e-mail about the request no one can triage")
	}
	_, body := s.Get(t, "/area-riservata/notifiche", "Cookie", mayor, "Accept-Language", "it")
	if !strings.Contains(body, "nessuno può ancora valutarla") {
		t.Error("the ente's notification does not say no one can triage it yet")
	}

	// The admins' view lists it, and names the task force without a project manager.
	_, body = s.Get(t, "/admin/richieste-senza-pm", "Cookie", admin, "Accept-Language", "it")
	doc := parse(t, body)
	if doc.Find(".pass-request").Length() != 1 || !strings.Contains(doc.Find(".pass-request").Text(), "Arretrato VIA senza PM") ||
		!strings.Contains(doc.Find(".pass-orphan").Text(), "VA") {
		t.Fatalf("untriaged list: %q", doc.Find("main").Text())
	}
	if res, _ := s.Get(t, "/admin/richieste-senza-pm", "Cookie", mayor); res.StatusCode != 403 {
		t.Errorf("a mayor opens the admins' list: %d", res.StatusCode)
	}
	// Once the task force has a project manager, the request leaves the list and the next one
	// goes to the PM, not to the admins.
	pm := s.Login(t, apptest.FiscalCode("PMPMPM80A01F205"), "Piera", "Manzoni")
	_ = s.Identity.Grant(ctx, identity.Actor{}, userOf(t, s, pm), "pm", "VA")
	_, body = s.Get(t, "/admin/richieste-senza-pm", "Cookie", admin, "Accept-Language", "it")
	if n := parse(t, body).Find(".pass-request").Length(); n != 0 {
		t.Errorf("%d requests listed once VA has a PM", n)
	}
	if _, err := s.Requests.File(ctx, request.Actor{UserID: mayorID}, cantu.ID, request.Form{ProcedureCode: "VA-01", Title: "Seconda richiesta",
		Description: "Quaranta istanze in attesa da mesi.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	if k := kinds(adminID); len(k) != 1 {
		t.Errorf("admin's bell after a request the PM can triage: %v", k)
	}
	if k := kinds(userOf(t, s, pm)); len(k) != 1 || k[0] != "request.created" {
		t.Errorf("PM's bell: %v", k)
	}
	_ = r

	// The PM's queue lists submitted requests and its filter says so, not "Bozza".
	_, body = s.Get(t, "/area-riservata/triage", "Cookie", pm, "Accept-Language", "it")
	doc = parse(t, body)
	selected := doc.Find("#triage-state option[selected]")
	if selected.Length() != 1 || selected.AttrOr("value", "") != "submitted" {
		t.Errorf("selected state %q (%d selected)", selected.AttrOr("value", ""), selected.Length())
	}
	if doc.Find("#triage-state option[value=draft]").Length() != 0 {
		t.Error("the triage filter offers drafts")
	}
	if doc.Find(".pass-request").Length() != 2 || !strings.Contains(doc.Find(".pass-count").Text(), "2 richieste") {
		t.Errorf("queue: %d, %q", doc.Find(".pass-request").Length(), doc.Find(".pass-count").Text())
	}
	_, body = s.Get(t, "/area-riservata/triage?stato=withdrawn", "Cookie", pm, "Accept-Language", "it")
	doc = parse(t, body)
	if doc.Find("#triage-state option[selected]").AttrOr("value", "") != "withdrawn" || !strings.Contains(doc.Find(".pass-count").Text(), "0 richieste") {
		t.Errorf("withdrawn filter: %q", doc.Find(".pass-count").Text())
	}
}

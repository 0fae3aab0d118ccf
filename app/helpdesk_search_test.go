package app_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"passhub/app/access"
	"passhub/app/apptest"
	"passhub/app/ente"
	"passhub/app/helpdesk"
	"passhub/app/search"
)

// TestHelpdeskSearchScoping: a ticket is in the site search for the desk (every message, the
// internal notes included, linked to the queue's page) and for its requester (without the notes,
// linked to their page), and for nobody else: not another requester, not a visitor, not another
// member of the requester's ente, neither on /cerca nor in the engine itself. A merged duplicate
// leaves the index (its thread is found in the surviving ticket); a ticket from someone without
// an account has the desk's doc only; a rebuild keeps exactly those docs.
func TestHelpdeskSearchScoping(t *testing.T) {
	w := newHelpdeskWorld(t)
	s, ctx := w.s, context.Background()
	giulia := s.Login(t, apptest.FiscalCode("BNCGLI75M41L219"), "Giulia", "Bianchi") // another member of Cantù
	giuliaID := userOf(t, s, giulia)
	if err := s.Enti.EnsureDelegate(ctx, w.cantu, giuliaID); err != nil {
		t.Fatal(err)
	}

	res, body := s.PostForm(t, "/area-riservata/assistenza", hdForm("category", "tecnica", "subject", "Contatore dell'acquedotto",
		"body", "Il modulo del zampognaro non si carica dopo l'invio.", "ente", strconv.FormatInt(w.cantu, 10)), "Cookie", w.anna)
	if res.StatusCode != 303 {
		t.Fatalf("open: %d %s", res.StatusCode, body)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(res.Header.Get("Location"), "/area-riservata/assistenza/"), 10, 64)
	num := strconv.FormatInt(id, 10)
	mine, desk := "/area-riservata/assistenza/"+num, "/area-riservata/helpdesk/"+num
	if res, _ := s.PostForm(t, desk+"/nota", hdForm("note", "Sentire il fornitore: guasto tipo ornitorinco."), "Cookie", w.elisa); res.StatusCode != 303 {
		t.Fatalf("note: %d", res.StatusCode)
	}
	apptest.Idle(t, s.App)

	find := func(cookie, q string) string {
		t.Helper()
		header := []string{}
		if cookie != "" {
			header = []string{"Cookie", cookie}
		}
		res, body := s.Get(t, "/cerca?q="+q, header...)
		if res.StatusCode != 200 {
			t.Fatalf("/cerca?q=%s: %d", q, res.StatusCode)
		}
		return body
	}
	links := func(body string) (toMine, toDesk bool) {
		return strings.Contains(body, `href="`+mine+`"`), strings.Contains(body, `href="`+desk+`"`)
	}
	// the requester: their page, by the thread's word misspelt, never by the note's
	if m, d := links(find(w.anna, "zampagnaro")); !m || d {
		t.Errorf("the requester by the message's word: their page %v, the queue's %v", m, d)
	}
	if m, d := links(find(w.anna, "ornitorinco")); m || d {
		t.Errorf("the requester finds the ticket by the internal note's word (%v %v)", m, d)
	}
	// the operator: the queue's page, by both words misspelt
	for _, q := range []string{"zampagnaro", "ornitorinko"} {
		body := find(w.elisa, q)
		if m, d := links(body); !d || m {
			t.Errorf("the operator by %q: the queue's page %v, the requester's %v", q, d, m)
		}
		if !strings.Contains(body, "Contatore dell") || strings.Contains(body, `value="`+search.DeskAccess+`"`) || strings.Contains(body, `value="ticket-user-`) {
			t.Errorf("the operator's results by %q: no title, or an access value as a facet", q)
		}
	}
	// nobody else, by any word, with or without the type filter
	for who, cookie := range map[string]string{"another requester": w.paolo, "a visitor": "", "another member of the ente": giulia} {
		for _, q := range []string{"zampognaro", "zampagnaro", "ornitorinco", "contatore+acquedotto", "&tipo=ticket&tipo=ticket_mine"} {
			body := find(cookie, q)
			if m, d := links(body); m || d || strings.Contains(body, "Contatore dell") {
				t.Errorf("%s finds the ticket by %q (%v %v)", who, q, m, d)
			}
		}
	}

	// the engine itself returns nothing to those who may not open the ticket
	subject := func(userID int64) *access.Subject {
		u, roles, err := s.Identity.User(ctx, userID)
		if err != nil {
			t.Fatal(err)
		}
		sub := &access.Subject{UserID: u.ID, Roles: map[string][]string{}}
		for _, r := range roles {
			sub.Roles[r.Role] = append(sub.Roles[r.Role], r.TaskForce)
		}
		ms, _ := s.Enti.Memberships(ctx, userID)
		for _, m := range ms {
			sub.Memberships = append(sub.Memberships, access.Membership{EnteID: m.EnteID, Role: m.Role, Enabled: m.Enabled, Approved: m.Ente.Status == ente.StatusApproved})
		}
		return sub
	}
	raw := func(sub *access.Subject, q string) []string {
		t.Helper()
		r, err := s.Search.Engine.Search(ctx, search.Query{Text: q, Access: search.AccessOf(sub)})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range r.Hits {
			ids = append(ids, h.ID)
		}
		return ids
	}
	paoloID := userOf(t, s, w.paolo)
	for _, sub := range []*access.Subject{subject(paoloID), subject(giuliaID), {}} {
		for _, q := range []string{"zampognaro", "ornitorinco", "contatore"} {
			if ids := raw(sub, q); len(ids) != 0 {
				t.Errorf("the engine returns %v to user %d for %q", ids, sub.UserID, q)
			}
		}
	}
	if ids := raw(subject(w.annaID), "zampognaro"); !slices.Equal(ids, []string{"ticket_mine:" + num}) {
		t.Errorf("the engine returns %v to the requester", ids)
	}
	if ids := raw(subject(w.annaID), "ornitorinco"); len(ids) != 0 {
		t.Errorf("the engine returns %v to the requester for the note's word", ids)
	}
	if ids := raw(subject(w.elisaID), "ornitorinco"); !slices.Equal(ids, []string{"ticket:" + num}) {
		t.Errorf("the engine returns %v to the operator for the note's word", ids)
	}

	// a duplicate merged into the ticket leaves the index; its words are found in the ticket
	dup := openAs(t, s, w.anna, "Ancora il contatore", "Scrivo di nuovo: lo scarabocchio resta sul modulo.")
	apptest.Idle(t, s.App)
	indexed := func(ref string) bool {
		t.Helper()
		ids, err := s.Search.Engine.IDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(ids, ref)
	}
	dupNum := strconv.FormatInt(dup, 10)
	if !indexed("ticket:"+dupNum) || !indexed("ticket_mine:"+dupNum) {
		t.Fatal("the second ticket is not indexed")
	}
	if res, body := s.PostForm(t, "/area-riservata/helpdesk/"+dupNum+"/unisci", hdForm("into", num), "Cookie", w.elisa); res.StatusCode != 303 {
		t.Fatalf("merge: %d %s", res.StatusCode, body)
	}
	apptest.Idle(t, s.App)
	if indexed("ticket:"+dupNum) || indexed("ticket_mine:"+dupNum) {
		t.Error("the merged duplicate is still indexed")
	}
	if m, _ := links(find(w.anna, "scarabochio")); !m {
		t.Error("the requester does not find the merged thread in the surviving ticket")
	}
	if _, d := links(find(w.elisa, "scarabochio")); !d {
		t.Error("the operator does not find the merged thread in the surviving ticket")
	}

	// a mail from someone without an account: the desk's doc alone
	byMail, err := s.Helpdesk.Open(ctx, helpdesk.Opening{Channel: helpdesk.ChannelEmail, Subject: "Domanda per posta",
		Body: "Vorrei sapere del pluviometro.", Name: "Mario Rossi", Email: "mario@example.it"})
	if err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	mailNum := strconv.FormatInt(byMail.ID, 10)
	if !indexed("ticket:"+mailNum) || indexed("ticket_mine:"+mailNum) {
		t.Error("a ticket by mail: want the desk's doc only")
	}

	// a rebuild walks the same docs
	if _, err := s.Search.Rebuild(ctx, nil); err != nil {
		t.Fatal(err)
	}
	missing, extra, err := s.Search.Drift(ctx)
	if err != nil || len(missing) != 0 || len(extra) != 0 {
		t.Fatalf("drift after a rebuild: missing %v, extra %v, %v", missing, extra, err)
	}
	for ref, want := range map[string]bool{"ticket:" + num: true, "ticket_mine:" + num: true, "ticket:" + dupNum: false,
		"ticket_mine:" + dupNum: false, "ticket:" + mailNum: true, "ticket_mine:" + mailNum: false} {
		if indexed(ref) != want {
			t.Errorf("after a rebuild %s indexed: %v, want %v", ref, !want, want)
		}
	}
}

package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/contact"
	"passhub/app/identity"
	"passhub/app/mailtest"
)

// The tests of this file stay serial (no t.Parallel): they wait for mails against deadlines of
// a few seconds, which the load of parallel tests can make them miss.

// TestContactMessageReachesTheStaffAndIsAcknowledged sends the form through a real SMTP server:
// each staff address gets the message, the visitor an acknowledgment in the language of the form,
// a rerun of the job sends nothing twice, and admins list the messages a page at a time.
func TestContactMessageReachesTheStaffAndIsAcknowledged(t *testing.T) {
	smtp := mailtest.Start(t)
	s := apptest.Start(t, withSMTP(smtp), func(c *config.Config) { c.ContactTo = "staff@pass.example.it, segreteria@pass.example.it" })
	ctx := context.Background()
	cookie, token := csrf(t, s)
	f := apptest.ContactForm()
	f.Set("_csrf", token)
	f.Set("name", "Mary Smith")
	res, body := s.PostForm(t, "/contatti", f, "Cookie", cookie+"; lang=en")
	if res.StatusCode != 200 || !strings.Contains(parse(t, body).Find(".alert-success").Text(), "acknowledgment") {
		t.Fatalf("send: %d", res.StatusCode)
	}
	msgs := smtp.WaitFor(t, 3, 10*time.Second)
	apptest.Idle(t, s.App)
	byTo := map[string]mailtest.Captured{}
	for _, m := range smtp.Messages() {
		if len(m.To) != 1 {
			t.Fatalf("a message to %v: one recipient each", m.To)
		}
		byTo[m.To[0]] = m
	}
	if len(msgs) != 3 || len(byTo) != 3 {
		t.Fatalf("%d messages to %d addresses, want 3", len(smtp.Messages()), len(byTo))
	}
	for _, staff := range []string{"staff@pass.example.it", "segreteria@pass.example.it"} {
		m := byTo[staff]
		if m.Subject != "[PAsS Contattaci] Informazioni sulla VIA" || !strings.Contains(m.Text, "Vorremmo sapere come chiedere supporto") ||
			!strings.Contains(m.Text, "Mary Smith <maria.rossi@comune.esempio.it>") {
			t.Errorf("staff copy to %s: %q %q", staff, m.Subject, m.Text)
		}
	}
	ack := byTo["maria.rossi@comune.esempio.it"]
	if ack.Subject != "We received your message – Informazioni sulla VIA" || !strings.Contains(ack.Text, "Dear Mary Smith") {
		t.Errorf("acknowledgment: %q %q", ack.Subject, ack.Text)
	}
	// A job that runs again (a retry after a crash) sends nothing already sent.
	list, _, err := s.Contact.Page(ctx, 1)
	if err != nil || len(list) != 1 || list[0].StaffMailedAt.IsZero() || list[0].AckMailedAt.IsZero() {
		t.Fatalf("deliveries not recorded: %+v %v", list, err)
	}
	if err := s.Events.InTx(ctx, nil, contact.MessageReceived{MessageID: list[0].ID}); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	if n := len(smtp.Messages()); n != 3 {
		t.Errorf("a rerun sent %d more messages", n-3)
	}

	// Admins read the messages, newest first, a page at a time; others may not.
	for i := 0; i < contact.PageSize+2; i++ {
		if _, err := s.Contact.Send(ctx, contact.Form{Name: "Visitatore", Email: fmt.Sprintf("v%d@example.it", i), Subject: fmt.Sprintf("Domanda %02d", i),
			Message: "Una domanda sul servizio di assistenza."}, "it", "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
	}
	admin := s.Login(t, apptest.FiscalCode("DMNDMN80A01F205"), "Ada", "Admin")
	_ = s.Identity.Grant(ctx, identity.Actor{}, userOf(t, s, admin), "admin", "")
	_, body = s.Get(t, "/admin/messaggi", "Cookie", admin, "Accept-Language", "it")
	doc := parse(t, body)
	if n := doc.Find(".pass-contact-message").Length(); n != contact.PageSize {
		t.Fatalf("first page: %d messages", n)
	}
	if first := doc.Find(".pass-contact-message h2").First().Text(); first != fmt.Sprintf("Domanda %02d", contact.PageSize+1) {
		t.Errorf("newest first: %q", first)
	}
	next, _ := doc.Find("a[rel=next]").Attr("href")
	_, body = s.Get(t, next, "Cookie", admin, "Accept-Language", "it")
	doc = parse(t, body)
	if n := doc.Find(".pass-contact-message").Length(); n != 3 || !strings.Contains(doc.Text(), "Mary Smith") {
		t.Errorf("second page: %d messages", n)
	}
	if res, _ := s.Get(t, "/admin/messaggi", "Cookie", s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")); res.StatusCode != 403 {
		t.Errorf("a mayor reads the contact messages: %d", res.StatusCode)
	}
}

// TestContactMessageWithoutStaffAddressGoesToTheAdmins checks the fallback: with no
// PASSHUB_CONTACT_TO, the administrators get the message; the Italian visitor an Italian
// acknowledgment.
func TestContactMessageWithoutStaffAddressGoesToTheAdmins(t *testing.T) {
	smtp := mailtest.Start(t)
	s := apptest.Start(t, withSMTP(smtp))
	admin := s.Login(t, apptest.FiscalCode("DMNDMN80A01F205"), "Ada", "Admin") // e-mail ada@example.it
	_ = s.Identity.Grant(context.Background(), identity.Actor{}, userOf(t, s, admin), "admin", "")
	cookie, token := csrf(t, s)
	f := apptest.ContactForm()
	f.Set("_csrf", token)
	if res, _ := s.PostForm(t, "/contatti", f, "Cookie", cookie, "Accept-Language", "it"); res.StatusCode != 200 {
		t.Fatalf("send: %d", res.StatusCode)
	}
	msgs := smtp.WaitFor(t, 2, 10*time.Second)
	got := map[string]string{}
	for _, m := range msgs {
		got[m.To[0]] = m.Subject
	}
	if got["ada@example.it"] != "[PAsS Contattaci] Informazioni sulla VIA" || got["maria.rossi@comune.esempio.it"] != "Abbiamo ricevuto il tuo messaggio – Informazioni sulla VIA" {
		t.Errorf("messages: %v", got)
	}
}

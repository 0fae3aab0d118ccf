package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/app/mailtest"
	"passhub/app/request"
)

func identityActor() identity.Actor { return identity.Actor{Name: "test"} }

// The tests of this file stay serial (no t.Parallel): they wait for mails against deadlines of
// a few seconds, which the load of parallel tests made them miss (8 of 9 mails in 10 s).

// TestRegistrationMails checks the e-mails of a registration's life through a real SMTP server:
// received, rejected with the reason, approved, and the delegate's invitation.
func TestRegistrationMails(t *testing.T) {
	smtp := mailtest.Start(t)
	s := apptest.Start(t, func(c *config.Config) {
		c.Mail, c.SMTPHost, c.SMTPPort, c.SMTPTLS, c.SMTPFrom = "smtp", smtp.Host(), smtp.Port(), "none", "PAsS <noreply@pass.example.it>"
	})
	ctx := context.Background()
	if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013041", Name: "Cantù", Kind: ente.KindComune, Province: "CO"}}); err != nil {
		t.Fatal(err)
	}
	cantu, _ := s.Enti.ByISTAT(ctx, "013041")
	s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi") // e-mail mario@example.it
	users, _, _ := s.Identity.Users(ctx, "rossi", 1)
	mayor := ente.Actor{UserID: users[0].ID}
	form := ente.RegistrationForm{EnteID: cantu.ID, Role: "sindaco", Email: "protocollo@comune.cantu.co.it", PEC: "comune.cantu@pec.it"}
	pdf := apptest.ProtocolFor(t, s.App, mayor.UserID, cantu.ID)
	reg, err := s.Enti.Register(ctx, mayor, form, "p.pdf", pdf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enti.Reject(ctx, ente.Actor{}, reg.ID, "Il protocollo non è firmato digitalmente."); err != nil {
		t.Fatal(err)
	}
	reg, _ = s.Enti.Register(ctx, mayor, form, "p.pdf", pdf)
	if _, err := s.Enti.Approve(ctx, ente.Actor{}, reg.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enti.Invite(ctx, mayor, cantu.ID, apptest.FiscalCode("BNCGLI75M41L219"), "giulia@comune.cantu.co.it"); err != nil {
		t.Fatal(err)
	}
	// One message per recipient (the registration's address and the applicant's own), sent by jobs
	// in any order.
	msgs := smtp.WaitFor(t, 9, 10*time.Second)
	want := []struct{ subject, body, to string }{
		{"Registrazione ricevuta – Cantù", "esaminerà", "protocollo@comune.cantu.co.it"},
		{"Registrazione ricevuta – Cantù", "esaminerà", "mario@example.it"},
		{"Registrazione non approvata – Cantù", "Il protocollo non è firmato digitalmente.", "mario@example.it"},
		{"Registrazione approvata – Cantù", "abilitare i delegati", "protocollo@comune.cantu.co.it"},
		{"Registrazione approvata – Cantù", "abilitare i delegati", "mario@example.it"},
		{"Invito a operare per Cantù su PAsS", "BNCGLI75M41L219", "giulia@comune.cantu.co.it"},
	}
	for _, w := range want {
		found := false
		for _, m := range msgs {
			if m.Subject == w.subject && strings.Contains(m.Text, w.body) && len(m.To) == 1 && m.To[0] == w.to {
				found = true
				if strings.Contains(w.subject, "approvata") && !strings.Contains(w.subject, "non") && !strings.Contains(m.HTML, "<strong>Cantù</strong>") {
					t.Errorf("approval HTML part: %q", m.HTML)
				}
			}
		}
		if !found {
			t.Errorf("no mail %q to %s", w.subject, w.to)
		}
	}
}

func TestSubmissionMailsTheProjectManagers(t *testing.T) {
	smtp := mailtest.Start(t)
	s := apptest.Start(t, func(c *config.Config) {
		c.Mail, c.SMTPHost, c.SMTPPort, c.SMTPTLS, c.SMTPFrom = "smtp", smtp.Host(), smtp.Port(), "none", "PAsS <noreply@pass.example.it>"
	})
	ctx := context.Background()
	if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013041", Name: "Cantù", Kind: ente.KindComune, Province: "CO"}}); err != nil {
		t.Fatal(err)
	}
	cantu, _ := s.Enti.ByISTAT(ctx, "013041")
	s.Login(t, apptest.FiscalCode("PMPMPM80A01F205"), "Piera", "Manzoni") // e-mail piera@example.it
	s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	pms, _, _ := s.Identity.Users(ctx, "manzoni", 1)
	if err := s.Identity.Grant(ctx, identityActor(), pms[0].ID, "pm", "VA"); err != nil {
		t.Fatal(err)
	}
	mayors, _, _ := s.Identity.Users(ctx, "rossi", 1)
	r, err := s.Requests.File(ctx, request.Actor{UserID: mayors[0].ID}, cantu.ID, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA",
		Description: "Quaranta istanze in attesa da mesi, un solo istruttore.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(smtp.Messages()) != 0 {
		t.Fatal("a draft was mailed")
	}
	if _, err := s.Requests.Submit(ctx, request.Actor{UserID: mayors[0].ID}, r.ID); err != nil {
		t.Fatal(err)
	}
	m := smtp.WaitFor(t, 1, 5*time.Second)[0]
	if m.To[0] != "piera@example.it" || !strings.Contains(m.Subject, "Cantù") || !strings.Contains(m.Text, "VA-01") {
		t.Errorf("mail %+v", m)
	}
}

func TestNotificationMailsFollowPreferences(t *testing.T) {
	smtp := mailtest.Start(t)
	s := apptest.Start(t, func(c *config.Config) {
		c.Mail, c.SMTPHost, c.SMTPPort, c.SMTPTLS, c.SMTPFrom = "smtp", smtp.Host(), smtp.Port(), "none", "PAsS <noreply@pass.example.it>"
	})
	ctx := context.Background()
	s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi") // mario@example.it
	users, _, _ := s.Identity.Users(ctx, "rossi", 1)
	u := users[0].ID
	// Defaults: a state change at once, a message in the digest.
	if err := s.Notifications.Notify(ctx, []int64{u}, "request.assigned", "Arretrato VIA", "/area-riservata/notifiche"); err != nil {
		t.Fatal(err)
	}
	if err := s.Notifications.Notify(ctx, []int64{u}, "request.message", "Arretrato VIA", "/area-riservata/notifiche"); err != nil {
		t.Fatal(err)
	}
	now := smtp.WaitFor(t, 1, 5*time.Second)
	if len(now) != 1 || !strings.Contains(now[0].Subject, "Richiesta assegnata") || !strings.Contains(now[0].Text, "/area-riservata/notifiche/preferenze") {
		t.Fatalf("immediate mail: %+v", now)
	}
	// the immediate mail is marked sent once the server accepted it: wait for the mark, or the
	// digest below would take the notice again
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		n, err := s.DB.NewSelect().Table("notifications").Where("user_id = ? AND kind = ? AND emailed_at IS NULL", u, "request.assigned").Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the immediate mail was never marked as sent")
		}
	}
	if err := s.Notifications.SetPref(ctx, u, "document", "never"); err != nil {
		t.Fatal(err)
	}
	_ = s.Notifications.Notify(ctx, []int64{u}, "request.document", "Arretrato VIA", "/area-riservata/notifiche")
	// a notice about a request the user may not open (here: none of theirs) never reaches a digest
	_ = s.Notifications.Notify(ctx, []int64{u}, "request.message", "Richiesta altrui", "/area-riservata/richieste/1")
	n, err := s.Notifications.SendDigests(ctx)
	if err != nil || n != 1 {
		t.Fatalf("digests: %d %v", n, err)
	}
	all := smtp.WaitFor(t, 2, 5*time.Second)
	d := all[1]
	if !strings.Contains(d.Subject, "1 novità") || !strings.Contains(d.Text, "Nuovo messaggio") || strings.Contains(d.Text, "Nuovo documento") ||
		strings.Contains(d.Text, "Richiesta altrui") {
		t.Errorf("digest: %q %q", d.Subject, d.Text)
	}
	if n, _ := s.Notifications.SendDigests(ctx); n != 0 {
		t.Errorf("a second digest with nothing new: %d", n)
	}
}

// TestFormerEnteJobSendsItsMail: an ente's job queued by an earlier version (kind "ente.event")
// and still waiting when this version starts sends the e-mail it stood for.
func TestFormerEnteJobSendsItsMail(t *testing.T) {
	smtp := mailtest.Start(t)
	s := apptest.Start(t, func(c *config.Config) {
		c.Mail, c.SMTPHost, c.SMTPPort, c.SMTPTLS, c.SMTPFrom = "smtp", smtp.Host(), smtp.Port(), "none", "PAsS <noreply@pass.example.it>"
	})
	ctx := context.Background()
	s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	users, _, _ := s.Identity.Users(ctx, "rossi", 1)
	cantu := apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", users[0].ID)
	const to = "giulia@comune.cantu.co.it"
	invitations := func(want int) []string {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			var subjects []string
			for _, m := range smtp.Messages() {
				if len(m.To) == 1 && m.To[0] == to {
					subjects = append(subjects, m.Subject)
				}
			}
			if len(subjects) >= want || time.Now().After(deadline) {
				return subjects
			}
		}
	}
	inv, err := s.Enti.Invite(ctx, ente.Actor{UserID: users[0].ID}, cantu.ID, apptest.FiscalCode("BNCGLI75M41L219"), to)
	if err != nil {
		t.Fatal(err)
	}
	first := invitations(1)
	if len(first) != 1 {
		t.Fatalf("the invitation's mails: %q", first)
	}
	if err := s.Jobs.Enqueue(ctx, nil, ente.FormerEventArgs{Event: "delegate.invited", EnteID: cantu.ID, InvitationID: inv.ID}); err != nil {
		t.Fatal(err)
	}
	if all := invitations(2); len(all) != 2 || all[1] != all[0] {
		t.Errorf("after the former job, the delegate's mails are %q, want the invitation twice", all)
	}
}

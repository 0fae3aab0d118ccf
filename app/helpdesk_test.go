package app_test

import (
	"context"
	"errors"
	"net"
	"net/smtp"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/form"
	"passhub/app/helpdesk"
	"passhub/app/identity"
	"passhub/app/inbound"
	"passhub/app/mailtest"
	"passhub/app/request"
)

// helpdeskWorld is a help desk with its address, a real SMTP server, two requesters of two enti
// and an operator.
type helpdeskWorld struct {
	s                  *apptest.Server
	smtp               *mailtest.Server
	anna, paolo, elisa string // cookies: a delegate of Cantù, one of Milano, the operator
	annaID, elisaID    int64
	cantu              int64
}

func newHelpdeskWorld(t *testing.T) *helpdeskWorld {
	t.Helper()
	smtp := mailtest.Start(t)
	s := apptest.Start(t, withSMTP(smtp), func(c *config.Config) { c.HelpdeskAddress = "assistenza@pass.example.it" })
	w := &helpdeskWorld{s: s, smtp: smtp}
	w.anna = s.Login(t, apptest.FiscalCode("BNCNNA80A41C933"), "Anna", "Bianchi")
	w.annaID = userOf(t, s, w.anna)
	w.cantu = apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", w.annaID).ID
	w.paolo = s.Login(t, apptest.FiscalCode("NRIPLA85C10F205"), "Paolo", "Neri")
	apptest.ApprovedEnte(t, s.App, "015146", "Milano", "MI", userOf(t, s, w.paolo))
	w.elisa = s.Login(t, apptest.FiscalCode("GRCLSE79B50F205"), "Elisa", "Greco")
	w.elisaID = userOf(t, s, w.elisa)
	if err := s.Identity.Grant(context.Background(), identity.Actor{}, w.elisaID, identity.RoleOperator, ""); err != nil {
		t.Fatal(err)
	}
	return w
}

func hdForm(kv ...string) url.Values {
	v := url.Values{"_csrf": {apptest.CSRFToken}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// mailTo waits for the help desk's message number seen+1 to addr and returns it.
func (w *helpdeskWorld) mailTo(t *testing.T, addr string, seen int) mailtest.Captured {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		var got []mailtest.Captured
		for _, m := range w.smtp.Messages() {
			if len(m.To) == 1 && m.To[0] == addr && strings.Contains(m.Subject, "[Assistenza #") {
				got = append(got, m)
			}
		}
		if len(got) > seen {
			return got[seen]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no message %d to %s", seen+1, addr)
	return mailtest.Captured{}
}

// TestHelpdeskAcrossChannels follows tickets through every channel: a delegate opens one from the
// reserved page and is acknowledged by mail with the ticket's reply address; the operator
// answers, the answer goes out threaded; the delegate's mailed reply comes back into the same
// ticket by its reply address and by its references; a mail from someone else never enters it; a
// mail received twice is filed once; an automatic reply is only noted; the ticket is resolved and
// rated through the mailed link; a contact message and a phone call become tickets; duplicates
// of one requester merge, of two requesters do not; the satisfaction figures count the rating.
func TestHelpdeskAcrossChannels(t *testing.T) {
	w := newHelpdeskWorld(t)
	s, ctx := w.s, context.Background()

	// From the reserved page.
	res, body := s.PostForm(t, "/area-riservata/assistenza", hdForm("category", "spid-cie", "subject", "Accesso SPID del vicesegretario",
		"body", "Il vicesegretario non riesce ad accedere con SPID: compare l'errore 19.", "ente", strconv.FormatInt(w.cantu, 10)), "Cookie", w.anna)
	if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/area-riservata/assistenza/") {
		t.Fatalf("open: %d %s", res.StatusCode, body)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(res.Header.Get("Location"), "/area-riservata/assistenza/"), 10, 64)
	tk, err := s.Helpdesk.Get(ctx, id)
	if err != nil || tk.EnteName != "Cantù" || tk.RequesterEmail != "anna@example.it" || tk.Status != helpdesk.StatusNew || tk.Channel != "web" {
		t.Fatalf("ticket: %+v %v", tk, err)
	}
	reply := "assistenza+" + tk.Token + "@pass.example.it"
	ack := w.mailTo(t, "anna@example.it", 0)
	if ack.Subject != "[Assistenza #"+strconv.FormatInt(id, 10)+"] Accesso SPID del vicesegretario" || ack.Header.Get("Reply-To") != "<"+reply+">" && ack.Header.Get("Reply-To") != reply {
		t.Fatalf("acknowledgment: %q reply-to %q", ack.Subject, ack.Header.Get("Reply-To"))
	}
	page := "/area-riservata/assistenza/" + strconv.FormatInt(id, 10)
	if res, body := s.Get(t, page, "Cookie", w.anna); res.StatusCode != 200 || !strings.Contains(body, "errore 19") {
		t.Fatalf("requester's page: %d", res.StatusCode)
	}
	if res, _ := s.Get(t, page, "Cookie", w.paolo); res.StatusCode != 404 {
		t.Errorf("another person's ticket: %d, want 404", res.StatusCode)
	}
	for _, who := range []string{w.anna, w.paolo} {
		if res, _ := s.Get(t, "/area-riservata/helpdesk", "Cookie", who); res.StatusCode != 403 {
			t.Errorf("queue for a requester: %d, want 403", res.StatusCode)
		}
	}

	// The operator's queue and answer.
	res, body = s.Get(t, "/area-riservata/helpdesk", "Cookie", w.elisa)
	if res.StatusCode != 200 || !strings.Contains(body, "Accesso SPID del vicesegretario") || !strings.Contains(body, "1 ticket aperto") {
		t.Fatalf("queue: %d", res.StatusCode)
	}
	desk := "/area-riservata/helpdesk/" + strconv.FormatInt(id, 10)
	if res, body := s.PostForm(t, desk+"/rispondi", hdForm("body", "", "then", "waiting"), "Cookie", w.elisa); res.StatusCode != 422 || !strings.Contains(body, "obbligatorio") {
		t.Fatalf("an empty answer: %d", res.StatusCode)
	}
	res, _ = s.PostForm(t, desk+"/rispondi", hdForm("body", "Verifichi che l'identità SPID sia di livello 2 e riprovi.", "then", "waiting"), "Cookie", w.elisa)
	if res.StatusCode != 303 {
		t.Fatalf("answer: %d", res.StatusCode)
	}
	answer := w.mailTo(t, "anna@example.it", 1)
	answerID := strings.Trim(answer.Header.Get("Message-Id"), "<>")
	if !strings.HasPrefix(answer.Subject, "Re: [Assistenza #") || !strings.Contains(answer.Text, "livello 2") || !strings.HasSuffix(answerID, "@pass.example.it") {
		t.Fatalf("answer mail: %q %q %q", answer.Subject, answerID, answer.Text)
	}
	tk, _ = s.Helpdesk.Get(ctx, id)
	if tk.Status != helpdesk.StatusWaiting || tk.AssigneeID != w.elisaID || tk.AnsweredAt.IsZero() || tk.WaitingSince.IsZero() {
		t.Fatalf("after the answer: %+v", tk)
	}
	apptest.Idle(t, s.App)
	if n, _ := s.Notifications.Unread(ctx, w.annaID); n != 1 {
		t.Errorf("requester's bell: %d unread, want 1", n)
	}

	// The requester answers by mail: by the reply address, then by the references alone.
	out, err := s.Helpdesk.Receive(ctx, helpdesk.Mail{To: []string{reply}, From: "Anna@Example.it", FromName: "Anna Bianchi",
		Subject: "Re: [Assistenza] Accesso SPID", MessageID: "r1@mail.example.it", Refs: []string{answerID}, Text: "Era di livello 1, grazie."})
	if err != nil || out.Ticket != id || out.Opened {
		t.Fatalf("reply by address: %+v %v", out, err)
	}
	out, err = s.Helpdesk.Receive(ctx, helpdesk.Mail{To: []string{"assistenza@pass.example.it"}, From: "anna@example.it",
		Subject: "Re: [Assistenza] Accesso SPID", MessageID: "r2@mail.example.it", Refs: []string{"unrelated@x.it", answerID}, Text: "Ora funziona."})
	if err != nil || out.Ticket != id || out.Opened {
		t.Fatalf("reply by references: %+v %v", out, err)
	}
	// Someone else with the same address and references: a ticket of their own.
	out, err = s.Helpdesk.Receive(ctx, helpdesk.Mail{To: []string{reply}, From: "paolo@example.it", Subject: "Re: [Assistenza] Accesso SPID",
		MessageID: "forged@mail.example.it", Refs: []string{answerID}, Text: "Fammi vedere la conversazione."})
	if err != nil || out.Ticket == id || !out.Opened {
		t.Fatalf("forged reply: %+v %v", out, err)
	}
	// The same mail twice, and an out-of-office reply.
	if out, err := s.Helpdesk.Receive(ctx, helpdesk.Mail{To: []string{reply}, From: "anna@example.it", MessageID: "r1@mail.example.it", Text: "Era di livello 1, grazie."}); err != nil || !out.Duplicate {
		t.Fatalf("duplicate: %+v %v", out, err)
	}
	if out, err := s.Helpdesk.Receive(ctx, helpdesk.Mail{To: []string{reply}, From: "anna@example.it", MessageID: "ooo@mail.example.it", Auto: true, Text: "Sono in ferie."}); err != nil || out.Ticket != id || out.Opened {
		t.Fatalf("automatic reply: %+v %v", out, err)
	}
	if out, err := s.Helpdesk.Receive(ctx, helpdesk.Mail{To: []string{"assistenza@pass.example.it"}, From: "nessuno@example.it", MessageID: "ooo2@mail.example.it", Auto: true, Text: "Sono in ferie."}); err != nil || !out.Dropped {
		t.Fatalf("automatic mail with no ticket: %+v %v", out, err)
	}
	public, _ := s.Helpdesk.Thread(ctx, id, false)
	all, _ := s.Helpdesk.Thread(ctx, id, true)
	if len(public) != 4 || len(all) != 5 || public[2].Body != "Era di livello 1, grazie." || public[2].Channel != "email" {
		t.Fatalf("thread: %d public, %d in all: %+v", len(public), len(all), public)
	}
	for _, m := range all {
		if strings.Contains(m.Body, "Fammi vedere") {
			t.Fatal("a mail from someone else entered the ticket")
		}
	}
	tk, _ = s.Helpdesk.Get(ctx, id)
	if tk.Status != helpdesk.StatusOpen || !tk.WaitingSince.IsZero() {
		t.Fatalf("the reply reopens: %s", tk.Status)
	}
	if err := s.Helpdesk.Accept(ctx, "assistenza+nessuno@pass.example.it"); !errors.Is(err, helpdesk.ErrUnknownTicket) {
		t.Errorf("unknown token: %v", err)
	}
	if err := s.Helpdesk.Accept(ctx, "assistenza@altro.example.it"); !errors.Is(err, helpdesk.ErrNotOurs) {
		t.Errorf("another domain: %v", err)
	}
	if err := s.Helpdesk.Accept(ctx, reply); err != nil {
		t.Errorf("the reply address: %v", err)
	}

	// Resolved, then rated through the mailed link.
	if res, _ := s.PostForm(t, desk+"/rispondi", hdForm("body", "Bene, chiudiamo la richiesta.", "then", "resolved"), "Cookie", w.elisa); res.StatusCode != 303 {
		t.Fatalf("resolve: %d", res.StatusCode)
	}
	resolved := w.mailTo(t, "anna@example.it", 2)
	rate := "/assistenza/valuta/" + tk.Token
	if !strings.Contains(resolved.Text, rate) || !strings.Contains(resolved.Header.Get("References"), answerID) {
		t.Fatalf("resolution mail: %q references %q", resolved.Text, resolved.Header.Get("References"))
	}
	if res, body := s.Get(t, rate); res.StatusCode != 200 || !strings.Contains(body, "hd-rating-5") {
		t.Fatalf("rating page: %d", res.StatusCode)
	}
	if res, _ := s.PostForm(t, rate, hdForm("rating", "6"), "Cookie", "csrf="+apptest.CSRFToken); res.StatusCode != 422 {
		t.Errorf("rating 6: %d, want 422", res.StatusCode)
	}
	if tk, _ := s.Helpdesk.Get(ctx, id); tk.Rating != 0 || tk.Status != helpdesk.StatusResolved {
		t.Fatalf("a refused rating changed the ticket: %+v", tk)
	}
	if res, body := s.PostForm(t, rate, hdForm("rating", "5", "comment", "Rapidi e chiari."), "Cookie", "csrf="+apptest.CSRFToken); res.StatusCode != 200 || !strings.Contains(body, "Grazie") {
		t.Fatalf("rating: %d", res.StatusCode)
	}
	if res, _ := s.PostForm(t, rate, hdForm("rating", "1"), "Cookie", "csrf="+apptest.CSRFToken); res.StatusCode != 409 {
		t.Errorf("a second rating: %d, want 409", res.StatusCode)
	}
	if res, _ := s.Get(t, "/assistenza/valuta/nonesiste"); res.StatusCode != 404 {
		t.Errorf("unknown rating link: %d", res.StatusCode)
	}
	tk, _ = s.Helpdesk.Get(ctx, id)
	if tk.Status != helpdesk.StatusClosed || tk.Rating != 5 || tk.RatingComment != "Rapidi e chiari." {
		t.Fatalf("rated: %+v", tk)
	}
	sat, err := s.Helpdesk.SatisfactionIn(ctx, time.Time{}, time.Time{})
	if err != nil || sat.Rated != 1 || sat.Average != 5 || sat.Stars[4] != 1 || sat.Closed != 1 {
		t.Fatalf("satisfaction: %+v %v", sat, err)
	}
	// The analysis panel shows them to admins, with the export.
	admin := s.Login(t, apptest.FiscalCode("DMNDMN80A01F205"), "Ada", "Admin")
	if err := s.Identity.Grant(ctx, identity.Actor{}, userOf(t, s, admin), identity.RoleAdmin, ""); err != nil {
		t.Fatal(err)
	}
	res, body = s.Get(t, "/area-riservata/analisi", "Cookie", admin, "Accept-Language", "it")
	if got := parse(t, body).Find("#an-assistenza").Text(); res.StatusCode != 200 || !strings.Contains(got, "Valutazione media") || !strings.Contains(got, "5.0") {
		t.Errorf("panel: %d %q", res.StatusCode, got)
	}
	if res, csv := s.Get(t, "/area-riservata/analisi/assistenza.csv", "Cookie", admin, "Accept-Language", "it"); res.StatusCode != 200 || !strings.Contains(csv, "Valutati dal richiedente") {
		t.Errorf("export: %d %q", res.StatusCode, csv)
	}
	// A mail to the closed ticket opens a new one.
	if out, err := s.Helpdesk.Receive(ctx, helpdesk.Mail{To: []string{reply}, From: "anna@example.it", Subject: "Un'altra domanda", MessageID: "r3@mail.example.it", Text: "E per la CIE?"}); err != nil || !out.Opened || out.Ticket == id {
		t.Fatalf("reply to a closed ticket: %+v %v", out, err)
	}

	// The contact form, and a phone call.
	cookie, token := csrf(t, s)
	cf := apptest.ContactForm()
	cf.Set("_csrf", token)
	if res, _ := s.PostForm(t, "/contatti", cf, "Cookie", cookie); res.StatusCode != 200 {
		t.Fatalf("contact form: %d", res.StatusCode)
	}
	apptest.Idle(t, s.App)
	contacts, _, _ := s.Helpdesk.Queue(ctx, helpdesk.Filter{Q: cf.Get("subject")})
	if len(contacts) != 1 || contacts[0].Channel != helpdesk.ChannelContact || contacts[0].RequesterEmail != cf.Get("email") {
		t.Fatalf("contact ticket: %+v", contacts)
	}
	if res, body := s.PostForm(t, "/area-riservata/helpdesk/telefonata", hdForm("name", "Giorgio Sala", "subject", "PagoPA"), "Cookie", w.elisa); res.StatusCode != 422 || !strings.Contains(body, "telefono") {
		t.Fatalf("a call without a way to reach the caller: %d", res.StatusCode)
	}
	res, _ = s.PostForm(t, "/area-riservata/helpdesk/telefonata", hdForm("name", "Giorgio Sala", "phone", "031 123456", "ente", "Comune di Figino Serenza",
		"subject", "Attivare un servizio PagoPA", "body", "Chiede come attivare il pagamento della mensa.", "category", "pagopa", "priority", "high"), "Cookie", w.elisa)
	if res.StatusCode != 303 {
		t.Fatalf("phone call: %d", res.StatusCode)
	}
	phoneID, _ := strconv.ParseInt(strings.TrimPrefix(res.Header.Get("Location"), "/area-riservata/helpdesk/"), 10, 64)
	if ph, _ := s.Helpdesk.Get(ctx, phoneID); ph.Channel != helpdesk.ChannelPhone || ph.AssigneeID != w.elisaID || ph.Priority != "high" || ph.Status != helpdesk.StatusOpen {
		t.Fatalf("phone ticket: %+v", ph)
	}

	// Merges: two tickets of Anna's become one; Anna's and Paolo's never.
	first, second := openAs(t, s, w.anna, "Firma digitale", "La firma non viene riconosciuta."), openAs(t, s, w.anna, "Firma digitale (di nuovo)", "Ancora la firma.")
	paolos := openAs(t, s, w.paolo, "Firma digitale", "Anche a Milano.")
	if res, body := s.PostForm(t, "/area-riservata/helpdesk/"+strconv.FormatInt(paolos, 10)+"/unisci", hdForm("into", strconv.FormatInt(first, 10)), "Cookie", w.elisa); res.StatusCode != 422 || !strings.Contains(body, "stesso richiedente") {
		t.Fatalf("merge of two people's tickets: %d", res.StatusCode)
	}
	if res, _ := s.PostForm(t, "/area-riservata/helpdesk/"+strconv.FormatInt(second, 10)+"/unisci", hdForm("into", "#"+strconv.FormatInt(first, 10)), "Cookie", w.elisa); res.StatusCode != 303 {
		t.Fatalf("merge: %d", res.StatusCode)
	}
	merged, _ := s.Helpdesk.Thread(ctx, first, true)
	if len(merged) != 3 || merged[1].Body != "Ancora la firma." {
		t.Fatalf("merged thread: %+v", merged)
	}
	if res, body := s.Get(t, "/area-riservata/assistenza", "Cookie", w.anna); res.StatusCode != 200 || strings.Contains(body, "Firma digitale (di nuovo)") {
		t.Errorf("the merged duplicate still listed: %d", res.StatusCode)
	}
}

// openAs opens a ticket from the reserved page and returns its id.
func openAs(t *testing.T, s *apptest.Server, cookie, subject, body string) int64 {
	t.Helper()
	res, page := s.PostForm(t, "/area-riservata/assistenza", hdForm("category", "tecnica", "subject", subject, "body", body), "Cookie", cookie)
	if res.StatusCode != 303 {
		t.Fatalf("open %q: %d %s", subject, res.StatusCode, page)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(res.Header.Get("Location"), "/area-riservata/assistenza/"), 10, 64)
	return id
}

// TestHelpdeskAccessMatrix runs the help desk's routes for its personas: the requester of a
// ticket, another requester, an operator and an admin. A requester sees only their own tickets;
// the queue and every ticket in it are the operators' and admins'; an operator gets nothing else.
func TestHelpdeskAccessMatrix(t *testing.T) {
	w := newHelpdeskWorld(t)
	s := w.s
	admin := s.Login(t, apptest.FiscalCode("DMNDMN80A01F205"), "Ada", "Admin")
	if err := s.Identity.Grant(context.Background(), identity.Actor{}, userOf(t, s, admin), identity.RoleAdmin, ""); err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(openAs(t, s, w.anna, "Delega al collega", "Come delego un collega dell'ufficio tecnico?"), 10)
	mine, desk := "/area-riservata/assistenza/"+id, "/area-riservata/helpdesk/"+id
	cookies := []string{"csrf=" + apptest.CSRFToken, w.anna, w.paolo, w.elisa, admin}
	rows := []struct {
		method, path string
		form         url.Values
		want         string // anonymous, the requester, another requester, the operator, an admin
	}{
		{"GET", "/area-riservata/assistenza", nil, "303 200 200 200 200"},
		{"GET", mine, nil, "303 200 404 404 404"},
		{"POST", mine + "/rispondi", hdForm("body", ""), "401 422 404 404 404"},
		{"POST", mine + "/valuta", hdForm("rating", "9"), "401 422 404 404 404"},
		{"GET", mine + "/allegati/999999", nil, "303 404 404 404 404"},
		{"GET", "/area-riservata/helpdesk", nil, "303 403 403 200 200"},
		{"GET", "/area-riservata/helpdesk/aggiornamenti?dopo=0", nil, "303 403 403 200 200"},
		{"GET", desk, nil, "303 403 403 200 200"},
		{"POST", desk + "/rispondi", hdForm("body", ""), "401 403 403 422 422"},
		{"POST", desk + "/nota", hdForm("note", ""), "401 403 403 422 422"},
		{"GET", desk + "/allegati/999999", nil, "303 403 403 404 404"},
		{"POST", desk + "/modifica", hdForm("status", "bogus"), "401 403 403 422 422"},
		{"POST", desk + "/unisci", hdForm("into", "x"), "401 403 403 422 422"},
		{"GET", desk + "/articolo", nil, "303 403 403 404 404"},  // an open ticket is no article yet
		{"GET", desk + "/richiesta", nil, "303 403 403 404 404"}, // asked for no ente: no request of one
		{"POST", desk + "/richiesta", hdForm("procedure", ""), "401 403 403 404 404"},
		{"GET", "/area-riservata/helpdesk/telefonata", nil, "303 403 403 200 200"},
		{"GET", "/area-riservata/helpdesk/risposte", nil, "303 403 403 200 200"},
		{"POST", "/area-riservata/helpdesk/risposte", hdForm("title", ""), "401 403 403 422 422"},
		// the operator's role opens the help desk alone
		{"GET", "/redazione", nil, "303 403 403 403 200"},
		{"GET", "/admin/utenti", nil, "303 403 403 403 200"},
		{"GET", "/area-riservata/analisi", nil, "303 403 403 403 200"},
		{"GET", "/area-riservata/triage", nil, "303 403 403 403 403"},
	}
	names := []string{"anonymous", "requester", "other", "operator", "admin"}
	for _, row := range rows {
		want := strings.Fields(row.want)
		for i, cookie := range cookies {
			var code int
			if row.method == "GET" {
				res, _ := s.Get(t, row.path, "Cookie", cookie)
				code = res.StatusCode
			} else {
				res, _ := s.PostForm(t, row.path, row.form, "Cookie", cookie)
				code = res.StatusCode
			}
			if strconv.Itoa(code) != want[i] {
				t.Errorf("%s %s as %s = %d, want %s", row.method, row.path, names[i], code, want[i])
			}
		}
	}
	// The ticket's page as the operator shows the requester's message; as another requester, nothing.
	if _, body := s.Get(t, desk, "Cookie", w.elisa); !strings.Contains(body, "ufficio tecnico") {
		t.Error("the operator does not see the message")
	}
	if _, body := s.Get(t, "/area-riservata/assistenza", "Cookie", w.paolo); strings.Contains(body, "Delega al collega") {
		t.Error("another requester's list shows the ticket")
	}
}

// TestHelpdeskRemindersAndClosing: the operators are reminded once when a first answer is due
// within a working hour (all of them while nobody has the ticket), and a resolved ticket nobody
// rates closes after a week.
func TestHelpdeskRemindersAndClosing(t *testing.T) {
	w := newHelpdeskWorld(t)
	s, ctx := w.s, context.Background()
	now := time.Date(2026, 12, 9, 9, 0, 0, 0, helpdesk.Rome) // a Wednesday
	s.Helpdesk.SetClock(func() time.Time { return now })
	id := openAs(t, s, w.anna, "Pagamento della mensa", "Il servizio PagoPA non compare nel catalogo.")
	remind := func() int {
		n, err := s.Helpdesk.Remind(ctx, s.Notifications, func(ctx context.Context) ([]int64, error) {
			return s.Identity.UserIDsWithRole(ctx, identity.RoleOperator)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := remind(); n != 0 {
		t.Fatalf("8 working hours ahead: %d reminders", n)
	}
	now = time.Date(2026, 12, 9, 16, 30, 0, 0, helpdesk.Rome) // the answer is due at 17:00
	if n := remind(); n != 1 {
		t.Fatalf("half an hour ahead: %d reminders, want 1", n)
	}
	if n := remind(); n != 0 {
		t.Fatalf("a second sweep: %d reminders, want none", n)
	}
	list, err := s.Notifications.List(ctx, w.elisaID, true, 10)
	if err != nil || len(list) != 1 || list[0].Kind != helpdesk.KindDueSoon || !strings.Contains(list[0].URL, "/area-riservata/helpdesk/") {
		t.Fatalf("the operator's bell: %+v %v", list, err)
	}
	if _, err := s.Helpdesk.Answer(ctx, helpdesk.Actor{UserID: w.elisaID, Name: "Elisa Greco"}, id, "Risolto: il servizio va attivato dal back office.", helpdesk.StatusResolved); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Helpdesk.CloseUnrated(ctx); n != 0 {
		t.Fatalf("closed at once: %d", n)
	}
	now = now.Add(8 * 24 * time.Hour)
	if n, _ := s.Helpdesk.CloseUnrated(ctx); n != 1 {
		t.Fatalf("after a week: %d closed, want 1", n)
	}
	if tk, _ := s.Helpdesk.Get(ctx, id); tk.Status != helpdesk.StatusClosed || tk.Rating != 0 {
		t.Fatalf("closed unrated: %+v", tk)
	}
	// Still rated through the link afterwards: a late rating counts.
	tk, _ := s.Helpdesk.Get(ctx, id)
	if res, _ := s.PostForm(t, "/assistenza/valuta/"+tk.Token, hdForm("rating", "4"), "Cookie", "csrf="+apptest.CSRFToken); res.StatusCode != 200 {
		t.Fatalf("late rating: %d", res.StatusCode)
	}
}

// TestHelpdeskInboundMail sends real mail to the help desk's SMTP listener: a new message becomes
// a ticket and is acknowledged; the requester's reply to the operator's answer lands in the same
// ticket; an unknown reply address, a message too large and a malformed one get a clear SMTP
// answer and change nothing; a forged sender never enters the ticket.
func TestHelpdeskInboundMail(t *testing.T) {
	w := newHelpdeskWorld(t)
	s, ctx := w.s, context.Background()
	srv := inbound.NewServer(inbound.Config{Domain: "pass.example.it", Limits: inbound.Limits{MaxMessageBytes: 64 << 10}}, app.Inbound{Desk: s.Helpdesk}, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	send := func(from, to, msg string) error {
		return smtp.SendMail(ln.Addr().String(), nil, from, []string{to}, []byte(strings.ReplaceAll(msg, "\n", "\r\n")))
	}
	err = send("giulia.verdi@comune.figino.example.it", "assistenza@pass.example.it", `From: Giulia Verdi <giulia.verdi@comune.figino.example.it>
To: assistenza@pass.example.it
Subject: =?UTF-8?Q?Pagamenti_PagoPA_=E2=80=93_mensa?=
Message-ID: <m1@comune.figino.example.it>
Content-Type: text/plain; charset=utf-8

Buongiorno, come si attiva il pagamento della mensa su pagoPA?
Grazie, Giulia Verdi
`)
	if err != nil {
		t.Fatalf("new mail: %v", err)
	}
	list, _, _ := s.Helpdesk.Queue(ctx, helpdesk.Filter{Q: "giulia.verdi"})
	if len(list) != 1 || list[0].Subject != "Pagamenti PagoPA – mensa" || list[0].Channel != helpdesk.ChannelEmail || list[0].RequesterName != "Giulia Verdi" {
		t.Fatalf("ticket from mail: %+v", list)
	}
	tk := list[0]
	ack := w.mailTo(t, "giulia.verdi@comune.figino.example.it", 0)
	if !strings.Contains(ack.Header.Get("In-Reply-To"), "m1@comune.figino.example.it") {
		t.Errorf("acknowledgment not threaded: In-Reply-To %q", ack.Header.Get("In-Reply-To"))
	}
	if _, err := s.Helpdesk.Answer(ctx, helpdesk.Actor{UserID: w.elisaID, Name: "Elisa Greco"}, tk.ID, "Si attiva dal back office di pagoPA.", helpdesk.StatusWaiting); err != nil {
		t.Fatal(err)
	}
	answer := w.mailTo(t, "giulia.verdi@comune.figino.example.it", 1)
	answerID := answer.Header.Get("Message-Id")
	reply := "assistenza+" + tk.Token + "@pass.example.it"
	err = send("giulia.verdi@comune.figino.example.it", reply, `From: giulia.verdi@comune.figino.example.it
To: `+reply+`
Subject: Re: [Assistenza] Pagamenti
Message-ID: <m2@comune.figino.example.it>
In-Reply-To: `+answerID+`
Content-Type: text/plain; charset=utf-8

Trovato, grazie!

Il giorno ven 4 dic 2026 alle ore 10:00 help desk ha scritto:
> Si attiva dal back office di pagoPA.
`)
	if err != nil {
		t.Fatalf("reply: %v", err)
	}
	thread, _ := s.Helpdesk.Thread(ctx, tk.ID, false)
	if len(thread) != 3 || thread[2].Body != "Trovato, grazie!" {
		t.Fatalf("thread after the reply: %+v", thread)
	}
	// Refusals, each clear and with nothing stored.
	for name, c := range map[string]struct{ to, msg, code string }{
		"unknown reply address": {"assistenza+sconosciuto@pass.example.it", "From: a@b.it\nSubject: x\n\nx\n", "550"},
		"another address":       {"altro@pass.example.it", "From: a@b.it\nSubject: x\n\nx\n", "550"},
		"too large":             {"assistenza@pass.example.it", "From: a@b.it\nSubject: x\n\n" + strings.Repeat("abcdefghij\n", 8000), "552"},
		"malformed MIME":        {"assistenza@pass.example.it", "From: a@b.it\nSubject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!\n--b--\n", "554"},
	} {
		err := send("a@b.it", c.to, c.msg)
		if err == nil || !strings.Contains(err.Error(), c.code) {
			t.Errorf("%s: %v, want %s", name, err, c.code)
		}
	}
	err = send("intruso@example.it", reply, "From: intruso@example.it\nTo: "+reply+"\nSubject: Re: Pagamenti\nIn-Reply-To: "+answerID+"\n\nMandami tutto.\n")
	if err != nil {
		t.Fatalf("forged: %v", err)
	}
	if thread, _ := s.Helpdesk.Thread(ctx, tk.ID, true); len(thread) != 3 {
		t.Fatalf("the forged mail entered the ticket: %d messages", len(thread))
	}
	if all, n, _ := s.Helpdesk.Queue(ctx, helpdesk.Filter{View: helpdesk.ViewAll}); n != 2 {
		t.Fatalf("%d tickets, want 2 (the mail's and the intruder's): %+v", n, all)
	}
}

// TestHelpdeskArticleDraft: from a resolved ticket the operator gets the thread without personal
// data (the requester's and the operator's names, the e-mail address, the phone number, the fiscal
// code, the street address, and the ente's name when asked), sees what was removed, and sends
// the reviewed text to the newsroom as a knowledge-base draft; an open ticket cannot become one.
func TestHelpdeskArticleDraft(t *testing.T) {
	w := newHelpdeskWorld(t)
	s, ctx := w.s, context.Background()
	res, _ := s.PostForm(t, "/area-riservata/assistenza", hdForm("category", "pagopa", "subject", "Avvisi pagoPA per la mensa",
		"body", "Buongiorno, sono Anna Bianchi del Comune di Cantù (tel. 031 765432, anna.bianchi@comune.cantu.example.it, codice fiscale "+apptest.FiscalCode("RSSMRA80A01F205")+
			"), via Roma 12: come emettiamo gli avvisi pagoPA per la mensa?", "ente", strconv.FormatInt(w.cantu, 10)), "Cookie", w.anna)
	id, _ := strconv.ParseInt(strings.TrimPrefix(res.Header.Get("Location"), "/area-riservata/assistenza/"), 10, 64)
	page := "/area-riservata/helpdesk/" + strconv.FormatInt(id, 10) + "/articolo"
	if res, _ := s.Get(t, page, "Cookie", w.elisa); res.StatusCode != 404 {
		t.Fatalf("an open ticket's draft: %d, want 404", res.StatusCode)
	}
	if _, err := s.Helpdesk.Answer(ctx, helpdesk.Actor{UserID: w.elisaID, Name: "Elisa Greco"}, id,
		"Gentile Anna, gli avvisi si emettono dal back office del partner tecnologico. Elisa Greco", helpdesk.StatusResolved); err != nil {
		t.Fatal(err)
	}
	res, body := s.Get(t, page+"?ente=1", "Cookie", w.elisa)
	if res.StatusCode != 200 {
		t.Fatalf("draft page: %d", res.StatusCode)
	}
	doc := parse(t, body)
	question, answer := doc.Find("#hd-question").Text(), doc.Find("#hd-answer").Text()
	for _, leak := range []string{"Anna", "Bianchi", "Elisa", "Greco", "031 765432", "anna.bianchi@", apptest.FiscalCode("RSSMRA80A01F205"), "via Roma 12", "Cantù"} {
		if strings.Contains(question+answer, leak) {
			t.Errorf("%q left in the draft: %q / %q", leak, question, answer)
		}
	}
	if !strings.Contains(question, "pagoPA per la mensa") || !strings.Contains(answer, "back office del partner tecnologico") {
		t.Fatalf("the draft lost the question or the answer: %q / %q", question, answer)
	}
	if n := doc.Find("table tbody tr").Length(); n < 6 {
		t.Errorf("%d removals listed, want at least 6", n)
	}
	res, _ = s.PostForm(t, page, hdForm("title", "", "summary", "x", "question", question, "answer", answer), "Cookie", w.elisa)
	if res.StatusCode != 422 {
		t.Fatalf("a draft without a title: %d, want 422", res.StatusCode)
	}
	res, _ = s.PostForm(t, page, hdForm("title", "Come si emettono gli avvisi pagoPA della mensa?", "summary", "Gli avvisi si emettono dal back office del partner tecnologico.",
		"question", question, "answer", answer), "Cookie", w.elisa)
	if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/redazione/contenuti/faq/") {
		t.Fatalf("send to the newsroom: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	slug := strings.TrimPrefix(res.Header.Get("Location"), "/redazione/contenuti/faq/")
	work, err := s.Content.Work(ctx, "faq", slug)
	if err != nil || work.Head.State != "draft" || strings.Contains(work.Head.Source, "anna.bianchi@") || !strings.Contains(work.Head.Source, "category: pagopa") {
		t.Fatalf("newsroom draft: %v %+v", err, work)
	}
}

// TestHelpdeskTicketBecomesRequest: a ticket asked for an ente about a catalogue procedure
// becomes a draft request of that ente, which its members find, complete and submit; the
// requester is told on the ticket; a procedure outside the catalogue is refused and nothing is
// made.
func TestHelpdeskTicketBecomesRequest(t *testing.T) {
	w := newHelpdeskWorld(t)
	s, ctx := w.s, context.Background()
	res, _ := postFiles(t, s, "/area-riservata/assistenza", w.anna, map[string]string{"category": "amministrativa", "subject": "Arretrato di valutazioni di incidenza",
		"body": "Abbiamo trenta valutazioni di incidenza ferme da mesi e un solo istruttore: potete aiutarci?", "ente": strconv.FormatInt(w.cantu, 10)},
		hdFile{"elenco-istanze.pdf", pdfBytes})
	id, _ := strconv.ParseInt(strings.TrimPrefix(res.Header.Get("Location"), "/area-riservata/assistenza/"), 10, 64)
	if id == 0 {
		t.Fatalf("the ticket with its file: %d", res.StatusCode)
	}
	page := "/area-riservata/helpdesk/" + strconv.FormatInt(id, 10) + "/richiesta"
	// an internal note's file stays with the desk
	if res, _ := postFiles(t, s, "/area-riservata/helpdesk/"+strconv.FormatInt(id, 10)+"/nota", w.elisa, map[string]string{"note": "Appunti interni"},
		hdFile{"appunti.txt", []byte("solo per il desk\n")}); res.StatusCode != 303 {
		t.Fatalf("note with a file: %d", res.StatusCode)
	}
	res, body := s.Get(t, page, "Cookie", w.elisa)
	if res.StatusCode != 200 || !strings.Contains(body, `value="VA-04"`) || !strings.Contains(body, "trenta valutazioni") {
		t.Fatalf("conversion form: %d", res.StatusCode)
	}
	if res, body := s.PostForm(t, page, hdForm("procedure", "VA-04", "title", "Arretrato", "description", "x", "outcome", ""), "Cookie", w.elisa); res.StatusCode != 422 ||
		!strings.Contains(body, "almeno 20 caratteri") || !strings.Contains(body, "hd-outcome-error") || strings.Contains(body, "no value") {
		t.Fatalf("a short description and no outcome: %d", res.StatusCode)
	}
	if res, body := s.PostForm(t, page, hdForm("procedure", "XX-99", "title", "Arretrato",
		"description", "Trenta valutazioni di incidenza ferme da mesi.", "outcome", "Smaltire l'arretrato."), "Cookie", w.elisa); res.StatusCode != 422 ||
		!strings.Contains(body, "hd-procedure-error") || strings.Contains(body, "no value") {
		t.Fatalf("an unknown procedure: %d", res.StatusCode)
	}
	if list, _, _ := s.Requests.List(ctx, request.Filter{EnteIDs: []int64{w.cantu}}); len(list) != 0 {
		t.Fatalf("a refused conversion made %d requests", len(list))
	}
	res, _ = s.PostForm(t, page, hdForm("procedure", "VA-04", "title", "Arretrato di valutazioni di incidenza",
		"description", "Trenta valutazioni di incidenza ferme da mesi e un solo istruttore.", "outcome", "Smaltire l'arretrato entro l'estate."), "Cookie", w.elisa)
	if res.StatusCode != 303 {
		t.Fatalf("conversion: %d", res.StatusCode)
	}
	list, _, err := s.Requests.List(ctx, request.Filter{EnteIDs: []int64{w.cantu}})
	if err != nil || len(list) != 1 || list[0].State != request.Draft || list[0].ProcedureCode != "VA-04" {
		t.Fatalf("draft request: %+v %v", list, err)
	}
	docs, err := s.Workspace.Documents(ctx, list[0].ID)
	if err != nil || len(docs) != 1 || docs[0].Name != "elenco-istanze.pdf" {
		t.Errorf("the ticket's files in the request's documents: %+v %v, want elenco-istanze.pdf alone", docs, err)
	}
	draft := "/area-riservata/richieste/" + strconv.FormatInt(list[0].ID, 10)
	if res, _ := s.Get(t, draft, "Cookie", w.anna); res.StatusCode != 200 {
		t.Errorf("the ente's member opens the draft: %d", res.StatusCode)
	}
	if res, _ := s.Get(t, draft, "Cookie", w.elisa); res.StatusCode != 404 {
		t.Errorf("the operator opens the ente's draft: %d, want 404 (a draft is the ente's alone)", res.StatusCode)
	}
	thread, _ := s.Helpdesk.Thread(ctx, id, false)
	if last := thread[len(thread)-1]; !last.Operator || !strings.Contains(last.Body, draft) {
		t.Errorf("the requester is not told: %+v", last)
	}
}

// TestFieldLimitsAreNamed: a text under or over a field's limit is refused with the limit named
// ("almeno 20 caratteri"), on the request form as everywhere a service names its limit.
func TestFieldLimitsAreNamed(t *testing.T) {
	s := apptest.Start(t)
	if got := s.Web.I18n.T("it", form.TooShort(5)); got != "Il testo è troppo breve: almeno 5 caratteri." {
		t.Errorf("too short: %q", got)
	}
	if got := s.Web.I18n.T("en", form.TooLong(2000)); !strings.Contains(got, "2000") {
		t.Errorf("too long: %q", got)
	}
	mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", userOf(t, s, mayor))
	res, body := postMultipart(t, s, "/area-riservata/richieste/nuova", mayor, map[string]string{"procedure": "VA-01", "title": "VIA",
		"description": "Troppo breve.", "desired_outcome": "Tempi medi sotto i 150 giorni."}, "", "", nil)
	if res.StatusCode != 422 || !strings.Contains(body, "almeno 5 caratteri") || !strings.Contains(body, "almeno 20 caratteri") || strings.Contains(body, "no value") {
		t.Errorf("request form: %d, limits not named", res.StatusCode)
	}
}

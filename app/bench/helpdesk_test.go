package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/smtp"
	"sort"
	"strings"
	"testing"
	"time"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/auth"
	"passhub/app/config"
	"passhub/app/helpdesk"
	"passhub/app/identity"
	"passhub/app/inbound"
)

// HelpdeskTickets is how many tickets the help desk's queue benchmark generates.
const HelpdeskTickets = 100_000

// inboundMessages is how many mails the inbound benchmark sends.
const inboundMessages = 2000

// BenchmarkHelpdesk measures the help desk: mail received by its SMTP listener until the 250
// answer (each stored as a ticket or a reply, with its event, before the answer), one message
// after the other over one connection, half new tickets and half replies to one; then, with
// 100,000 tickets generated (5% still open), the operators' queue unfiltered, filtered and
// searched, each against a static file of the same size served by the same process in the same
// run, under 8 connections and alone.
func BenchmarkHelpdesk(b *testing.B) {
	dir := b.TempDir()
	base := serve(b, dir, func(c *config.Config) { c.PageCache = 0; c.HelpdeskAddress = "assistenza@pass.example.it" })
	a := base.app
	ctx := context.Background()
	cookie := operatorSession(b, a)

	// Mail to ticket.
	srv := inbound.NewServer(inbound.Config{Domain: "pass.example.it"}, app.Inbound{Desk: a.Helpdesk}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	first, err := a.Helpdesk.Open(ctx, helpdesk.Opening{Channel: helpdesk.ChannelEmail, Subject: "Primo", Body: "Primo messaggio.", Name: "Giulia",
		Email: "giulia@comune.example.it", Lang: "it", MailID: "bench-0@comune.example.it"})
	if err != nil {
		b.Fatal(err)
	}
	c, err := smtp.Dial(ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, inboundMessages)
	t0 := time.Now()
	for i := 1; i <= inboundMessages; i++ {
		to, from := "assistenza@pass.example.it", fmt.Sprintf("persona%d@comune.example.it", i)
		if i%2 == 0 { // a reply by the ticket's address
			to, from = "assistenza+"+first.Token+"@pass.example.it", "giulia@comune.example.it"
		}
		msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Richiesta %d su SPID e pagoPA\r\nMessage-ID: <bench-%d@comune.example.it>\r\n"+
			"Content-Type: text/plain; charset=utf-8\r\n\r\nBuongiorno, il servizio non risponde da stamattina: come possiamo fare?\r\n\r\n"+
			"Il giorno 3 dic 2026 help desk ha scritto:\r\n> Verifichi il livello SPID.\r\n", from, to, i, i)
		start := time.Now()
		if err := c.Mail(from); err != nil {
			b.Fatal(err)
		}
		if err := c.Rcpt(to); err != nil {
			b.Fatal(err)
		}
		w, err := c.Data()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.Write([]byte(msg)); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatalf("message %d: %v", i, err)
		}
		lat = append(lat, time.Since(start))
	}
	mailTime := time.Since(t0)
	_ = c.Quit()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	thread, _ := a.Helpdesk.Thread(ctx, first.ID, false)
	if len(thread) != inboundMessages/2+1 {
		b.Fatalf("%d messages in the replied ticket, want %d", len(thread), inboundMessages/2+1)
	}
	mailRate := float64(inboundMessages) / mailTime.Seconds()

	// The queue over 100,000 tickets.
	t0 = time.Now()
	bulkTickets(b, a, HelpdeskTickets)
	filled := time.Since(t0)
	pages := []struct{ name, path string }{
		{"queue", "/area-riservata/helpdesk"},
		{"queue filtered", "/area-riservata/helpdesk?categoria=pagopa&assegnati=none"},
		{"queue closed", "/area-riservata/helpdesk?vista=closed&pagina=40"},
		{"queue search", "/area-riservata/helpdesk?vista=all&q=mensa"},
		{"ticket", helpdesk.TicketURL(first.ID)},
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var rows []string
		for _, p := range pages {
			m := measurePage(b, base, dir, p.name, p.path, cookie)
			rows = append(rows, m.row)
			key := strings.ReplaceAll(p.name, " ", "_")
			b.ReportMetric(m.aloneP99, key+"_alone_p99_ms")
			b.ReportMetric(m.ratio, key+"_p99_ratio")
		}
		table := fmt.Sprintf("help desk — database %s\n"+
			"inbound mail: %d messages over one SMTP connection in %v: %.0f messages/s, to the 250 answer p50 %s, p99 %s, max %s\n"+
			"queue: %d tickets generated in %v; %d keep-alive connections, then one alone\n"+
			"%s\n%s\n",
			database(), inboundMessages, mailTime.Round(time.Millisecond), mailRate, ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100]), ms(lat[len(lat)-1]),
			HelpdeskTickets, filled.Round(time.Millisecond), viewers,
			pagesHeader, strings.Join(rows, "\n"))
		fmt.Print("\n" + table)
		if i == 0 {
			addSummary("%s", table)
		}
	}
	b.ReportMetric(mailRate, "mails/s")
	b.ReportMetric(msf(lat[len(lat)*99/100]), "mail_p99_ms")
}

// operatorSession opens a session for a help desk operator and returns its Cookie header.
func operatorSession(b *testing.B, a *app.App) string {
	b.Helper()
	ctx := context.Background()
	u, token, err := a.Identity.Login(ctx, auth.Identity{FiscalCode: apptest.FiscalCode("GRCLSE79B50F205"), Name: "Elisa",
		FamilyName: "Greco", Email: "elisa@example.it", Method: "spid", Issuer: "bench", Level: 2}, identity.Client{IP: "127.0.0.1"})
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Identity.Grant(ctx, identity.Actor{Name: "bench"}, u.ID, identity.RoleOperator, ""); err != nil {
		b.Fatal(err)
	}
	return "pass_session=" + token + "; csrf=" + apptest.CSRFToken
}

// bulkTickets writes n tickets over two years straight into the table, with a message each: 5%
// still open (new, open or waiting), the rest resolved or closed, most rated.
func bulkTickets(b *testing.B, a *app.App, n int) {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 13))
	cal := helpdesk.NewCalendar()
	start := time.Now().AddDate(-2, 0, 0)
	subjects := []string{"Accesso SPID", "Avvisi pagoPA della mensa", "Delega a un collega", "Protocollo firmato", "Dichiarazione di accessibilità", "Codice dei contratti"}
	const batch = 1000
	for done := 0; done < n; done += batch {
		tickets := make([]helpdesk.Ticket, 0, batch)
		for i := done; i < done+batch && i < n; i++ {
			opened := start.Add(time.Duration(float64(2*365*24*time.Hour) * float64(i) / float64(n)))
			pr := helpdesk.Priorities[rng.IntN(len(helpdesk.Priorities))]
			t := helpdesk.Ticket{Token: fmt.Sprintf("bench%035d", i), Subject: subjects[i%len(subjects)] + fmt.Sprintf(" (%d)", i),
				Category: helpdesk.Categories[rng.IntN(len(helpdesk.Categories))], Priority: pr, Channel: helpdesk.ChannelEmail,
				RequesterName: fmt.Sprintf("Persona %d", i), RequesterEmail: fmt.Sprintf("persona%d@comune%d.example.it", i, i%1500),
				EnteName: fmt.Sprintf("Comune %d", i%1500), Lang: "it", CreatedAt: opened, UpdatedAt: opened,
				AnswerDue: cal.Add(opened, helpdesk.Targets[pr].Answer), ResolveDue: cal.Add(opened, helpdesk.Targets[pr].Resolve)}
			switch r := rng.IntN(100); {
			case r < 5:
				t.Status = []helpdesk.Status{helpdesk.StatusNew, helpdesk.StatusOpen, helpdesk.StatusWaiting}[r%3]
			case r < 10:
				t.Status, t.AnsweredAt, t.ResolvedAt = helpdesk.StatusResolved, opened.Add(3*time.Hour), opened.Add(30*time.Hour)
			default:
				t.Status, t.AnsweredAt, t.ResolvedAt, t.ClosedAt = helpdesk.StatusClosed, opened.Add(3*time.Hour), opened.Add(30*time.Hour), opened.Add(72*time.Hour)
				if r < 80 {
					t.Rating, t.RatedAt = 1+rng.IntN(5), t.ClosedAt
				}
			}
			tickets = append(tickets, t)
		}
		if _, err := a.DB.NewInsert().Model(&tickets).Exec(ctx); err != nil {
			b.Fatal(err)
		}
		msgs := make([]helpdesk.Message, len(tickets))
		for i, t := range tickets {
			msgs[i] = helpdesk.Message{TicketID: t.ID, Kind: helpdesk.KindPublic, AuthorName: t.RequesterName, Channel: helpdesk.ChannelEmail,
				Body: "Buongiorno, avremmo bisogno di aiuto con " + strings.ToLower(t.Subject) + ".", CreatedAt: t.CreatedAt}
		}
		if _, err := a.DB.NewInsert().Model(&msgs).Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if apptest.OnPostgres() {
		if _, err := a.DB.ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
}

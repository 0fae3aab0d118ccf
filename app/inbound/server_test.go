package inbound

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/smtp"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

const helpdesk = "assistenza@comune.example.it"

// deliverOne sends msg to the help desk and returns the one message
// delivered.
func deliverOne(t *testing.T, from, msg string) *Message {
	t.Helper()
	h := &memHandler{}
	addr := start(t, Config{}, h)
	if err := send(t, addr, from, []string{helpdesk}, msg); err != nil {
		t.Fatalf("send: %v", err)
	}
	got := h.delivered()
	if len(got) != 1 {
		t.Fatalf("%d messages delivered, want 1", len(got))
	}
	return got[0]
}

func TestPlainMessage(t *testing.T) {
	h := &memHandler{}
	addr := start(t, Config{}, h)
	err := send(t, addr, "mario.rossi@example.org",
		[]string{"Assistenza@Comune.Example.IT", "urp@comune.example.it", "assistenza@comune.example.it"}, plainMsg)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	got := h.delivered()
	if len(got) != 1 {
		t.Fatalf("%d messages delivered, want 1", len(got))
	}
	m := got[0]
	want := &Message{
		EnvelopeFrom: "mario.rossi@example.org",
		Recipients:   []string{"assistenza@comune.example.it", "urp@comune.example.it"},
		Subject:      "Problema con il modulo",
		MessageID:    "abc.123@example.org",
		InReplyTo:    []string{"prev.1@comune.example.it"},
		References:   []string{"root.0@comune.example.it", "prev.1@comune.example.it"},
		Text:         "Buongiorno,\nnon riesco a inviare la domanda: perché?\n\nGrazie",
		Size:         len(crlf(plainMsg)),
	}
	if m.EnvelopeFrom != want.EnvelopeFrom || m.Subject != want.Subject || m.MessageID != want.MessageID ||
		m.Text != want.Text || m.Size != want.Size || m.Auto {
		t.Errorf("got %+v\nwant %+v", m, want)
	}
	if fmt.Sprint(m.Recipients, m.InReplyTo, m.References) != fmt.Sprint(want.Recipients, want.InReplyTo, want.References) {
		t.Errorf("recipients/ids: %v %v %v", m.Recipients, m.InReplyTo, m.References)
	}
	if m.From.Name != "Mario Rossi" || m.From.Address != "mario.rossi@example.org" {
		t.Errorf("From = %+v", m.From)
	}
	if m.ReplyTo == nil || m.ReplyTo.Address != "ufficio@example.org" || m.ReplyTo.Name != "Ufficio Rossi" {
		t.Errorf("Reply-To = %+v", m.ReplyTo)
	}
	if d := time.Date(2024, 6, 3, 8, 15, 0, 0, time.UTC); !m.Date.Equal(d) {
		t.Errorf("Date = %v, want %v", m.Date, d)
	}
	if len(m.Attachments) != 0 {
		t.Errorf("attachments: %v", m.Attachments)
	}
}

func TestAlternativeLatin1(t *testing.T) {
	m := deliverOne(t, "nicolo@example.org", alternativeMsg)
	if m.Subject != "Richiesta di assistenza – SPID" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if m.From.Name != "Nicolò Bianchi" {
		t.Errorf("From name = %q", m.From.Name)
	}
	want := "L'accesso con SPID non funziona: è possibile avere aiuto? Il messaggio di errore è lungo."
	if m.Text != want {
		t.Errorf("Text = %q\nwant %q", m.Text, want)
	}
	if len(m.Attachments) != 0 {
		t.Errorf("the HTML alternative became an attachment: %v", m.Attachments)
	}
}

func TestPDFAttachment(t *testing.T) {
	m := deliverOne(t, "cittadino@example.org", pdfMsg)
	if m.Text != "In allegato la ricevuta." {
		t.Errorf("Text = %q", m.Text)
	}
	if len(m.Attachments) != 2 {
		t.Fatalf("%d attachments, want 2", len(m.Attachments))
	}
	a := m.Attachments[0]
	if a.Name != "ricevuta n°1.pdf" || a.ContentType != "application/pdf" {
		t.Errorf("attachment = %q %q", a.Name, a.ContentType)
	}
	if !bytes.HasPrefix(a.Data, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(a.Data, []byte("%%EOF\n")) {
		t.Errorf("attachment data = %q", a.Data)
	}
	if b := m.Attachments[1]; b.Name != "documento.pdf" || string(b.Data) != "%PDF-1.4\n" {
		t.Errorf("second attachment = %q %q", b.Name, b.Data)
	}
}

func TestHTMLOnly(t *testing.T) {
	m := deliverOne(t, "ufficio@example.org", htmlMsg)
	want := "Gentile ufficio,\n\nvi scrivo per:\nuna richiesta\n\n- primo punto\n- secondo & ultimo\n\n" +
		"Vedi la pratica (https://example.org/pratica/1)"
	if m.Text != want {
		t.Errorf("Text = %q\nwant %q", m.Text, want)
	}
}

func TestForwardedMessageKeptWhole(t *testing.T) {
	m := deliverOne(t, "utente@example.org", forwardMsg)
	if m.Text != "Vi inoltro il messaggio." {
		t.Errorf("Text = %q", m.Text)
	}
	if len(m.Attachments) != 1 {
		t.Fatalf("attachments: %v", m.Attachments)
	}
	a := m.Attachments[0]
	if a.Name != "messaggio-1.eml" || a.ContentType != "message/rfc822" || !strings.Contains(string(a.Data), "Testo originale.") {
		t.Errorf("attachment = %q %q %q", a.Name, a.ContentType, a.Data)
	}
}

func TestUnknownRecipient(t *testing.T) {
	h := &memHandler{}
	addr := start(t, Config{}, h)
	err := send(t, addr, "a@example.org", []string{"nessuno@altrove.example"}, plainMsg)
	if code, msg := reply(t, err); code != 550 || !strings.HasPrefix(msg, "5.1.1") {
		t.Errorf("reply %d %q, want 550 5.1.1", code, msg)
	}
}

func TestTooManyRecipients(t *testing.T) {
	h := &memHandler{}
	addr := start(t, Config{}, h)
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("a@example.org"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 11; i++ {
		err := c.Rcpt(fmt.Sprintf("u%d@comune.example.it", i))
		code, msg := reply(t, err)
		if i <= 10 && code != 250 {
			t.Fatalf("recipient %d: %d %s", i, code, msg)
		}
		if i == 11 && (code != 452 || !strings.HasPrefix(msg, "4.5.3")) {
			t.Fatalf("recipient 11: %d %q, want 452 4.5.3", code, msg)
		}
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, plainMsg)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := h.delivered(); len(got) != 1 || len(got[0].Recipients) != 10 {
		t.Fatalf("delivered %v", got)
	}
}

func TestTooBig(t *testing.T) {
	called := false
	h := &memHandler{deliver: func(*Message) error { called = true; return nil }}
	addr := start(t, Config{Limits: Limits{MaxMessageBytes: 4096}}, h)
	big := plainMsg + strings.Repeat("riga di testo lunga abbastanza\n", 200)
	err := send(t, addr, "a@example.org", []string{helpdesk}, big)
	if code, msg := reply(t, err); code != 552 || msg != "5.3.4 Message too big: the limit is 4096 bytes" {
		t.Errorf("reply %d %q, want 552 5.3.4 with the limit", code, msg)
	}
	if called {
		t.Error("Deliver called for a message over the limit")
	}
	// The connection is still usable for a message within the limit.
	if err := send(t, addr, "a@example.org", []string{helpdesk}, plainMsg); err != nil {
		t.Errorf("small message after a big one: %v", err)
	}
}

// refused sends msg and checks the reply is 554 5.6.0 containing reason.
func refused(t *testing.T, msg, reason string) {
	t.Helper()
	h := &memHandler{}
	addr := start(t, Config{}, h)
	err := send(t, addr, "a@example.org", []string{helpdesk}, msg)
	code, text := reply(t, err)
	if code != 554 || !strings.HasPrefix(text, "5.6.0") || !strings.Contains(text, reason) {
		t.Errorf("reply %d %q, want 554 5.6.0 …%s", code, text, reason)
	}
	if n := len(h.delivered()); n != 0 {
		t.Errorf("%d messages delivered", n)
	}
}

func TestTooDeep(t *testing.T) {
	refused(t, nested(DefaultMaxDepth+1), "nesting deeper than 5")
	m := deliverOne(t, "a@example.org", nested(DefaultMaxDepth))
	if m.Text != "inside" {
		t.Errorf("Text at the deepest allowed level = %q", m.Text)
	}
}

func TestTooManyParts(t *testing.T) {
	refused(t, manyParts(60), "more than 50 MIME parts")
}

func TestMissingFrom(t *testing.T) {
	refused(t, noFromMsg, "no From header")
}

func TestDuplicateFrom(t *testing.T) {
	refused(t, twoFromMsg, "more than one From header")
}

func TestBrokenBase64(t *testing.T) {
	refused(t, brokenBase64Msg, `part "doc.pdf": invalid base64`)
}

func TestTemporaryErrorThenRetry(t *testing.T) {
	fail := true
	h := &memHandler{deliver: func(*Message) error {
		if fail {
			fail = false
			return errors.New("database is locked")
		}
		return nil
	}}
	addr := start(t, Config{}, h)
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = sendOn(c, "a@example.org", []string{helpdesk}, plainMsg)
	if code, msg := reply(t, err); code != 451 || !strings.HasPrefix(msg, "4.3.0") || strings.Contains(msg, "database") {
		t.Fatalf("reply %d %q, want 451 4.3.0 without the internal error", code, msg)
	}
	if err := sendOn(c, "a@example.org", []string{helpdesk}, plainMsg); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if n := len(h.delivered()); n != 1 {
		t.Fatalf("%d messages delivered, want 1", n)
	}
}

func TestRejected(t *testing.T) {
	h := &memHandler{deliver: func(*Message) error {
		return fmt.Errorf("policy: %w", &Rejected{Code: 550, Enhanced: "5.7.1", Text: "Mittente non\r\nautorizzato"})
	}}
	addr := start(t, Config{}, h)
	err := send(t, addr, "a@example.org", []string{helpdesk}, plainMsg)
	if code, msg := reply(t, err); code != 550 || msg != "5.7.1 Mittente non autorizzato" {
		t.Errorf("reply %d %q", code, msg)
	}
}

func TestAuto(t *testing.T) {
	if m := deliverOne(t, "utente@example.org", autoReplyMsg); !m.Auto {
		t.Error("Auto-Submitted: auto-replied not detected")
	}
	if m := deliverOne(t, "", plainMsg); !m.Auto || m.EnvelopeFrom != "" {
		t.Errorf("empty envelope sender: Auto=%v EnvelopeFrom=%q", m.Auto, m.EnvelopeFrom)
	}
	if m := deliverOne(t, "MAILER-DAEMON@mx.example.org", plainMsg); !m.Auto {
		t.Error("MAILER-DAEMON not detected")
	}
	human := strings.Replace(autoReplyMsg, "auto-replied", "no", 1)
	if m := deliverOne(t, "utente@example.org", human); m.Auto {
		t.Error("Auto-Submitted: no taken as automatic")
	}
	if m := deliverOne(t, "utente@example.org", "Precedence: bulk\n"+plainMsg); !m.Auto {
		t.Error("Precedence: bulk not detected")
	}
}

func TestStalledClientCut(t *testing.T) {
	called := make(chan struct{}, 1)
	h := &memHandler{deliver: func(*Message) error { called <- struct{}{}; return nil }}
	addr := start(t, Config{ReadTimeout: 300 * time.Millisecond}, h)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	expect := func(prefix string) {
		t.Helper()
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("waiting for %s: %v", prefix, err)
			}
			if strings.HasPrefix(line, prefix+" ") {
				return
			}
			if !strings.HasPrefix(line, prefix+"-") {
				t.Fatalf("got %q, want %s", line, prefix)
			}
		}
	}
	expect("220")
	for _, step := range []struct{ cmd, code string }{
		{"EHLO test", "250"}, {"MAIL FROM:<a@example.org>", "250"}, {"RCPT TO:<" + helpdesk + ">", "250"}, {"DATA", "354"},
	} {
		fmt.Fprintf(conn, "%s\r\n", step.cmd)
		expect(step.code)
	}
	fmt.Fprint(conn, crlf(plainMsg)[:120]) // and then nothing
	began := time.Now()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, r); err != nil {
		t.Fatalf("connection not closed by the server: %v", err)
	}
	if d := time.Since(began); d > 2*time.Second {
		t.Errorf("cut after %v", d)
	}
	select {
	case <-called:
		t.Error("Deliver called for a message cut mid-DATA")
	case <-time.After(100 * time.Millisecond):
	}
	// The server still serves others.
	if err := send(t, addr, "a@example.org", []string{helpdesk}, plainMsg); err != nil {
		t.Errorf("after a stalled client: %v", err)
	}
}

func TestRefusesPublicAddress(t *testing.T) {
	l, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Skip(err)
	}
	defer l.Close()
	s := NewServer(Config{}, &memHandler{}, nil)
	if err := s.Serve(l); !errors.Is(err, ErrNotLoopback) {
		t.Errorf("Serve on %v = %v, want ErrNotLoopback", l.Addr(), err)
	}
}

func TestLMTP(t *testing.T) {
	h := &memHandler{}
	addr := start(t, Config{LMTP: true}, h)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := gosmtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("mx.test"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("a@example.org", nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{helpdesk, "urp@comune.example.it"} {
		if err := c.Rcpt(r, nil); err != nil {
			t.Fatal(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, crlf(plainMsg))
	replies, err := w.CloseWithLMTPResponse()
	if err != nil || len(replies) != 2 {
		t.Fatalf("LMTP replies %v, %v", replies, err)
	}
	if got := h.delivered(); len(got) != 1 || len(got[0].Recipients) != 2 {
		t.Fatalf("delivered %v", got)
	}
}

func TestShutdownWaitsForConnections(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &memHandler{}
	s := NewServer(Config{}, h, slog.New(slog.NewTextHandler(io.Discard, nil)))
	go s.Serve(l)
	c, err := smtp.Dial(l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(context.Background()) }()
	if err := sendOn(c, "a@example.org", []string{helpdesk}, plainMsg); err != nil {
		t.Fatalf("message during shutdown: %v", err)
	}
	c.Quit()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Shutdown did not return after the last connection ended")
	}
}

func TestSizeLimitBoundary(t *testing.T) {
	msg := crlf(plainMsg)
	h := &memHandler{}
	addr := start(t, Config{Limits: Limits{MaxMessageBytes: int64(len(msg))}}, h)
	if err := send(t, addr, "a@example.org", []string{helpdesk}, plainMsg); err != nil {
		t.Errorf("message of exactly MaxMessageBytes: %v", err)
	}
	err := send(t, addr, "a@example.org", []string{helpdesk}, plainMsg+"x")
	if code, _ := reply(t, err); code != 552 {
		t.Errorf("one byte over: reply %d, want 552", code)
	}
	if n := len(h.delivered()); n != 1 {
		t.Errorf("%d delivered, want 1", n)
	}
}

func TestLineTooLong(t *testing.T) {
	h := &memHandler{}
	addr := start(t, Config{}, h)
	msg := plainMsg + strings.Repeat("x", 3000) + "\n"
	err := send(t, addr, "a@example.org", []string{helpdesk}, msg)
	if code, _ := reply(t, err); code != 500 {
		t.Errorf("reply %d, want 500", code)
	}
	if n := len(h.delivered()); n != 0 {
		t.Errorf("%d delivered", n)
	}
}

func TestChunking(t *testing.T) {
	h := &memHandler{}
	addr := start(t, Config{Limits: Limits{MaxMessageBytes: 4096}}, h)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	last := func() string {
		t.Helper()
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if len(line) < 4 || line[3] != '-' {
				return strings.TrimSpace(line)
			}
		}
	}
	last()
	msg := crlf(plainMsg)
	half := len(msg) / 2
	for _, cmd := range []string{
		"EHLO test\r\n", "MAIL FROM:<a@example.org>\r\n", "RCPT TO:<" + helpdesk + ">\r\n",
		fmt.Sprintf("BDAT %d\r\n%s", half, msg[:half]), fmt.Sprintf("BDAT %d LAST\r\n%s", len(msg)-half, msg[half:]),
	} {
		io.WriteString(conn, cmd)
		if got := last(); !strings.HasPrefix(got, "250") {
			t.Fatalf("%q: %s", strings.SplitN(cmd, "\r\n", 2)[0], got)
		}
	}
	if got := h.delivered(); len(got) != 1 || got[0].Text != "Buongiorno,\nnon riesco a inviare la domanda: perché?\n\nGrazie" {
		t.Fatalf("delivered %v", got)
	}
	big := strings.Repeat(strings.Repeat("x", 70)+"\r\n", 72)
	io.WriteString(conn, "MAIL FROM:<a@example.org>\r\nRCPT TO:<"+helpdesk+">\r\n")
	last()
	last()
	fmt.Fprintf(conn, "BDAT %d LAST\r\n%s", len(big), big)
	if got := last(); !strings.HasPrefix(got, "552 5.3.4") {
		t.Errorf("oversized chunk: %s", got)
	}
}

func TestRejectedAtRecipient(t *testing.T) {
	h := &memHandler{accept: func(rcpt string) error {
		if rcpt == "chiuso@comune.example.it" {
			return &Rejected{Code: 550, Enhanced: "5.2.1", Text: "Casella disattivata"}
		}
		if rcpt == "strano@comune.example.it" {
			return &Rejected{Code: 250, Enhanced: "2.0.0", Text: "not a refusal"}
		}
		return errors.New("directory unavailable")
	}}
	addr := start(t, Config{}, h)
	for rcpt, want := range map[string]string{
		"chiuso@comune.example.it": "550 5.2.1 Casella disattivata",
		"strano@comune.example.it": "554 5.0.0 not a refusal",
		helpdesk:                   "451 4.3.0 Temporary failure, try again later",
	} {
		err := send(t, addr, "a@example.org", []string{rcpt}, plainMsg)
		if code, msg := reply(t, err); fmt.Sprintf("%d %s", code, msg) != want {
			t.Errorf("%s: %d %s, want %s", rcpt, code, msg, want)
		}
	}
}

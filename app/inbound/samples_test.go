package inbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// Sample messages, shared by the tests and the fuzz seed corpus. Lines end
// with "\n"; net/smtp sends them as CRLF.
const (
	plainMsg = `From: "Mario Rossi" <mario.rossi@example.org>
Reply-To: Ufficio Rossi <ufficio@example.org>
To: assistenza@comune.example.it
Subject: Problema   con
 il modulo
Message-ID: <abc.123@example.org>
In-Reply-To: <prev.1@comune.example.it>
References: <root.0@comune.example.it> <prev.1@comune.example.it>
Date: Mon, 03 Jun 2024 10:15:00 +0200
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Buongiorno,
non riesco a inviare la domanda: perché?

Grazie
`

	alternativeMsg = `From: =?iso-8859-1?Q?Nicol=F2?= Bianchi <nicolo@example.org>
Subject: =?windows-1252?Q?Richiesta_di_assistenza_=96_SPID?=
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="alt-1"

--alt-1
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

L'accesso con SPID non funziona: =E8 possibile avere aiuto? Il messaggio d=
i errore =E8 lungo.
--alt-1
Content-Type: text/html; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

<p>L'accesso con SPID <b>non</b> funziona</p>
--alt-1--
`

	pdfMsg = `From: cittadino@example.org
Subject: Documento
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=mix

--mix
Content-Type: text/plain; charset=utf-8

In allegato la ricevuta.
--mix
Content-Type: application/pdf
Content-Disposition: attachment; filename*=UTF-8''..%2F..%2Fetc%2Fricevuta%20n%C2%B01.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoKdHJh
aWxlcgo8PC9Sb290IDEgMCBSPj4KJSVFT0YK
--mix
Content-Type: application/pdf; name="=?UTF-8?B?QzpcVXNlcnNcbWFyaW9cZG9jdW1lbnRvLnBkZg==?="
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--mix--
`

	htmlMsg = `From: Ufficio <ufficio@example.org>
Subject: Solo HTML
Content-Type: text/html; charset=utf-8

<html><head><title>Titolo</title><style>p { color: red }</style>
<script>alert("x")</script></head>
<body><p>Gentile   ufficio,</p><p>vi scrivo per:<br>una richiesta</p>
<ul><li>primo punto</li><li>secondo &amp; ultimo</li></ul>
<div>Vedi <a href="https://example.org/pratica/1">la pratica</a></div>
</body></html>
`

	noFromMsg = `Subject: Senza mittente
Content-Type: text/plain

Testo.
`

	twoFromMsg = `From: utente@example.org
From: sindaco@comune.example.it
Subject: Doppio mittente

Testo.
`

	brokenBase64Msg = `From: utente@example.org
Subject: Allegato rotto
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain

Testo.
--b
Content-Type: application/pdf; name=doc.pdf
Content-Transfer-Encoding: base64

JVBERi0x!!!%%%
--b--
`

	autoReplyMsg = `From: utente@example.org
Subject: Fuori sede
Auto-Submitted: auto-replied

Sono fuori ufficio.
`

	forwardMsg = `From: utente@example.org
Subject: Fwd: segnalazione
Content-Type: multipart/mixed; boundary=f

--f
Content-Type: text/plain

Vi inoltro il messaggio.
--f
Content-Type: message/rfc822

From: altro@example.org
Subject: segnalazione

Testo originale.
--f--
`
)

// samples lists the messages above by name.
var samples = map[string]string{
	"plain": plainMsg, "alternative": alternativeMsg, "pdf": pdfMsg, "html": htmlMsg,
	"nofrom": noFromMsg, "twofrom": twoFromMsg, "brokenbase64": brokenBase64Msg,
	"autoreply": autoReplyMsg, "forward": forwardMsg,
}

// nested returns a message with depth levels of multipart/mixed.
func nested(depth int) string {
	var b strings.Builder
	b.WriteString("From: a@example.org\nSubject: nested\n")
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\n\ninside\n")
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\n", i)
	}
	return b.String()
}

// manyParts returns a multipart/mixed message with n text parts (n+1 MIME
// parts in all).
func manyParts(n int) string {
	var b strings.Builder
	b.WriteString("From: a@example.org\nSubject: parts\nContent-Type: multipart/mixed; boundary=p\n\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "--p\nContent-Type: text/plain\n\npart %d\n", i)
	}
	b.WriteString("--p--\n")
	return b.String()
}

// crlf turns the sample's line ends into CRLF, as they arrive over SMTP.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// memHandler keeps delivered messages in memory.
type memHandler struct {
	mu      sync.Mutex
	msgs    []*Message
	accept  func(rcpt string) error
	deliver func(m *Message) error // before storing; an error skips storing
}

func (h *memHandler) Accept(_ context.Context, rcpt string) error {
	if h.accept != nil {
		return h.accept(rcpt)
	}
	if strings.HasSuffix(rcpt, "@comune.example.it") {
		return nil
	}
	return fmt.Errorf("%q: %w", rcpt, ErrUnknownRecipient)
}

func (h *memHandler) Deliver(_ context.Context, m *Message) error {
	if h.deliver != nil {
		if err := h.deliver(m); err != nil {
			return err
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.msgs = append(h.msgs, m)
	return nil
}

func (h *memHandler) delivered() []*Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*Message(nil), h.msgs...)
}

// start serves h with cfg on a loopback port and returns its address.
func start(t testing.TB, cfg Config, h Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(cfg, h, slog.New(slog.NewTextHandler(io.Discard, nil)))
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	t.Cleanup(func() {
		s.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return after Close")
		}
	})
	return l.Addr().String()
}

// send delivers msg over one SMTP transaction and returns the first error
// reply, if any.
func send(t testing.TB, addr, from string, to []string, msg string) error {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := sendOn(c, from, to, msg); err != nil {
		return err
	}
	return c.Quit()
}

func sendOn(c *smtp.Client, from string, to []string, msg string) error {
	if err := c.Mail(from); err != nil {
		return err
	}
	for _, r := range to {
		if err := c.Rcpt(r); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, msg); err != nil {
		return err
	}
	return w.Close()
}

// reply returns the SMTP code and text of err, or 250 for nil.
func reply(t testing.TB, err error) (int, string) {
	t.Helper()
	if err == nil {
		return 250, ""
	}
	var te *textproto.Error
	if !errors.As(err, &te) {
		t.Fatalf("not an SMTP reply: %v", err)
	}
	return te.Code, te.Msg
}

package smtp

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"passhub/app/mail"
	"passhub/app/mailtest"
)

func TestSendsMultipartToARealServer(t *testing.T) {
	srv := mailtest.Start(t)
	s, err := New(mail.Options{Settings: map[string]string{"host": srv.Host(), "port": srv.Port(), "tls": "none", "from": "PAsS <noreply@pass.example.it>"}})
	if err != nil {
		t.Fatal(err)
	}
	msg := mail.Message{To: []string{"sindaco@comune.cantu.example.it"}, Subject: "Registrazione approvata – Comune di Cantù",
		Text: "La registrazione del Comune di Cantù è stata approvata.", HTML: "<p>La registrazione del <strong>Comune di Cantù</strong> è stata approvata.</p>"}
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, 1, 5*time.Second)[0]
	if got.From != "noreply@pass.example.it" || len(got.To) != 1 || got.To[0] != msg.To[0] || got.Subject != msg.Subject {
		t.Errorf("envelope/subject: %+v", got)
	}
	if strings.TrimSpace(got.Text) != msg.Text || !strings.Contains(got.HTML, "<strong>Comune di Cantù</strong>") {
		t.Errorf("bodies: %q / %q", got.Text, got.HTML)
	}
	if got.Header.Get("Message-Id") == "" || got.Header.Get("Date") == "" {
		t.Errorf("headers: %v", got.Header)
	}
}

func TestPlainTextOnlyOnLoopback(t *testing.T) {
	if _, err := New(mail.Options{Settings: map[string]string{"host": "smtp.example.it", "tls": "none", "from": "a@b.it"}}); err == nil {
		t.Error("tls=none to a remote server accepted")
	}
	if _, err := New(mail.Options{Settings: map[string]string{"host": "127.0.0.1", "from": ""}}); err == nil {
		t.Error("no from accepted")
	}
}

func TestServerDownFailsWithinTheTimeout(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s, err := New(mail.Options{Settings: map[string]string{"host": "127.0.0.1", "port": itoa(port), "tls": "none", "from": "a@b.it", "timeout": "2s"}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := s.Send(context.Background(), mail.Message{To: []string{"x@y.it"}, Subject: "s", Text: "t"}); err == nil {
		t.Error("sent to a closed port")
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestRefusedAddressIsABounceAndBusyServerIsNot(t *testing.T) {
	srv := mailtest.Start(t)
	s, err := New(mail.Options{Settings: map[string]string{"host": srv.Host(), "port": srv.Port(), "tls": "none", "from": "a@pass.example.it"}})
	if err != nil {
		t.Fatal(err)
	}
	srv.Refuse("nessuno@comune.example.it")
	err = s.Send(context.Background(), mail.Message{To: []string{"nessuno@comune.example.it"}, Subject: "s", Text: "t"})
	var bounce *mail.BounceError
	if !errors.As(err, &bounce) || bounce.Addresses[0] != "nessuno@comune.example.it" || !strings.Contains(bounce.Answer, "550") {
		t.Fatalf("refused address: %v", err)
	}
	srv.Down(true)
	err = s.Send(context.Background(), mail.Message{To: []string{"sindaco@comune.example.it"}, Subject: "s", Text: "t"})
	if err == nil || errors.As(err, &bounce) {
		t.Fatalf("a server saying 'try later' must fail without a bounce: %v", err)
	}
}

// A server that accepts and never answers makes Send fail after the timeout instead of holding
// the caller for ever.
func TestStalledServerTimesOut(t *testing.T) {
	srv := mailtest.StartStalled(t)
	s, err := New(mail.Options{Settings: map[string]string{"host": srv.Host(), "port": srv.Port(), "tls": "none",
		"from": "PAsS <noreply@pass.example.it>", "timeout": "300ms"}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		done <- s.Send(context.Background(), mail.Message{To: []string{"a@example.it"}, Subject: "x", Text: "x"})
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("sent to a server that never answered")
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("gave up after %v", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Send still blocked after 5s on a server that never answers")
	}
	if srv.Connections() != 1 {
		t.Errorf("%d connections", srv.Connections())
	}
}

// TestSendsAttachments: the files of a message go out as attachments of a multipart/mixed
// message beside the text, each with its file name (a name that is not plain ASCII encoded),
// its content type and the same bytes; a message without files stays a plain text message.
func TestSendsAttachments(t *testing.T) {
	srv := mailtest.Start(t)
	s, err := New(mail.Options{Settings: map[string]string{"host": srv.Host(), "port": srv.Port(), "tls": "none", "from": "PAsS <noreply@pass.example.it>"}})
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
	files := []mail.Attachment{{Name: "verbale.pdf", ContentType: "application/pdf", Data: pdf},
		{Name: "schermata città.png", ContentType: "image/png", Data: png}}
	msg := mail.Message{To: []string{"giulia@comune.example.it"}, Subject: "Re: [Assistenza #7] Ricevuta", Text: "In allegato il verbale.", Attachments: files}
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, 1, 5*time.Second)[0]
	m, err := netmail.ReadMessage(bytes.NewReader(got.Raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("Content-Type %q: %v", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	var text string
	var parts []mail.Attachment
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		raw, _ := io.ReadAll(p)
		disp, dp, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		if disp != "attachment" {
			text = string(raw)
			continue
		}
		if enc := p.Header.Get("Content-Transfer-Encoding"); enc != "base64" {
			t.Errorf("%s: encoding %q", dp["filename"], enc)
		}
		data, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(raw)))
		if err != nil {
			t.Fatal(err)
		}
		name, err := new(mime.WordDecoder).DecodeHeader(dp["filename"])
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, mail.Attachment{Name: name, ContentType: ct, Data: data})
	}
	if !strings.Contains(text, "In allegato il verbale.") {
		t.Errorf("text part %q", text)
	}
	if len(parts) != 2 {
		t.Fatalf("%d attachments, want 2", len(parts))
	}
	for i, want := range files {
		if g := parts[i]; g.Name != want.Name || g.ContentType != want.ContentType || !bytes.Equal(g.Data, want.Data) {
			t.Errorf("attachment %d: %q %q %d bytes, want %q %q %d bytes", i, g.Name, g.ContentType, len(g.Data), want.Name, want.ContentType, len(want.Data))
		}
	}
	if len(got.Attachments) != 2 || strings.Contains(got.Text, "PDF") {
		t.Errorf("mailtest read %d attachments, text %q", len(got.Attachments), got.Text)
	}

	if err := s.Send(context.Background(), mail.Message{To: []string{"giulia@comune.example.it"}, Subject: "s", Text: "senza allegati"}); err != nil {
		t.Fatal(err)
	}
	plain := srv.WaitFor(t, 2, 5*time.Second)[1]
	if mt, _, _ := mime.ParseMediaType(plain.Header.Get("Content-Type")); mt != "text/plain" || len(plain.Attachments) != 0 {
		t.Errorf("a message without files: %q, %d attachments", plain.Header.Get("Content-Type"), len(plain.Attachments))
	}
}

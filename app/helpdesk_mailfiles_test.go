package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/helpdesk"
	"passhub/app/mailtest"
)

// hdMail waits for the help desk's message number seen+1 to addr whose subject has marker.
func hdMail(t *testing.T, srv *mailtest.Server, addr, marker string, seen int) mailtest.Captured {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		var got []mailtest.Captured
		for _, m := range srv.Messages() {
			if len(m.To) == 1 && m.To[0] == addr && strings.Contains(m.Subject, marker) {
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

// mimeFiles parses a delivered message as it came off the wire: its text and its attachments,
// each with the file name of its Content-Disposition, its media type and its decoded bytes.
func mimeFiles(t *testing.T, raw []byte) (text string, files []mailtest.Attachment) {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(h interface{ Get(string) string }, body io.Reader)
	walk = func(h interface{ Get(string) string }, body io.Reader) {
		mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
		if err != nil {
			t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header, p)
			}
		}
		var data []byte
		switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
		case "base64":
			b, _ := io.ReadAll(body)
			if data, err = decodeBase64(b); err != nil {
				t.Fatal(err)
			}
		case "quoted-printable":
			data, _ = io.ReadAll(quotedPrintable(body))
		default:
			data, _ = io.ReadAll(body)
		}
		if disp, dp, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && disp == "attachment" {
			name, err := new(mime.WordDecoder).DecodeHeader(dp["filename"])
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, mailtest.Attachment{Name: name, ContentType: mt, Data: data})
			return
		}
		if mt == "text/plain" {
			text += string(data)
		}
	}
	walk(m.Header, m.Body)
	return text, files
}

// TestHelpdeskAnswerMailCarriesFiles: a visitor without an account writes through the contact
// form in English; the operator writes an internal note with a file, then answers with a PDF and a
// PNG: the answer's mail carries both, with their names, content types and the same bytes, and
// never the note's file; the job run again after a crash mails nothing twice. A delegate's answer
// with more than the bound carries the files that fit, and its Italian text names the one left
// out, how to ask for it and the ticket's page.
func TestHelpdeskAnswerMailCarriesFiles(t *testing.T) {
	w := newHelpdeskWorld(t)
	s, ctx := w.s, context.Background()

	cookie, token := csrf(t, s)
	cf := apptest.ContactForm()
	cf.Set("_csrf", token)
	cf.Set("name", "Mary Smith")
	if res, _ := s.PostForm(t, "/contatti", cf, "Cookie", cookie+"; lang=en"); res.StatusCode != 200 {
		t.Fatalf("contact form: %d", res.StatusCode)
	}
	apptest.Idle(t, s.App)
	list, _, _ := s.Helpdesk.Queue(ctx, helpdesk.Filter{Q: cf.Get("subject")})
	if len(list) != 1 || list[0].RequesterID != 0 || list[0].Lang != "en" {
		t.Fatalf("the contact's ticket: %+v", list)
	}
	visitor := cf.Get("email")
	desk := fmt.Sprintf("/area-riservata/helpdesk/%d", list[0].ID)

	if res, page := postFiles(t, s, desk+"/nota", w.elisa, map[string]string{"note": "Log del gestionale"}, hdFile{"log-interno.txt", []byte("errore 500 alle 10:02\n")}); res.StatusCode != 303 {
		t.Fatalf("note with a file: %d %s", res.StatusCode, page)
	}
	shot := pngBytes(t)
	if res, page := postFiles(t, s, desk+"/rispondi", w.elisa, map[string]string{"body": "Trova in allegato la guida e la schermata.", "then": "waiting"},
		hdFile{"guida VIA.pdf", pdfBytes}, hdFile{"schermata.png", shot}); res.StatusCode != 303 {
		t.Fatalf("answer with files: %d %s", res.StatusCode, page)
	}
	answer := hdMail(t, w.smtp, visitor, "[Help #", 0)
	text, files := mimeFiles(t, answer.Raw)
	if !strings.Contains(text, "Trova in allegato la guida") || strings.Contains(text, "not in this e-mail") || strings.Contains(text, "/area-riservata/") {
		t.Errorf("the answer's text: %q", text)
	}
	if len(files) != 2 {
		t.Fatalf("%d files in the answer's mail, want 2: %+v", len(files), files)
	}
	for i, want := range []mailtest.Attachment{{Name: "guida VIA.pdf", ContentType: "application/pdf", Data: pdfBytes}, {Name: "schermata.png", ContentType: "image/png", Data: shot}} {
		if g := files[i]; g.Name != want.Name || g.ContentType != want.ContentType || !bytes.Equal(g.Data, want.Data) {
			t.Errorf("file %d: %q %q %d bytes, want %q %q %d bytes", i, g.Name, g.ContentType, len(g.Data), want.Name, want.ContentType, len(want.Data))
		}
	}
	apptest.Idle(t, s.App)

	// A crash after the server took the mail and before the message was marked: the event's job
	// runs again and the ledger keeps the mail from going twice.
	if _, err := s.DB.NewRaw("UPDATE helpdesk_messages SET mailed_at = NULL WHERE ticket_id = ?", list[0].ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	var jobID int64
	if err := s.DB.NewRaw("SELECT id FROM river_job WHERE kind = 'helpdesk.changed' ORDER BY id DESC LIMIT 1").Scan(ctx, &jobID); err != nil {
		t.Fatal(err)
	}
	sent := len(w.smtp.Messages())
	abandon(t, s.DB, jobID, time.Hour)
	apptest.Idle(t, s.App)
	time.Sleep(300 * time.Millisecond)
	if n := count(t, s.DB, "SELECT attempt FROM river_job WHERE id = ?", jobID); n < 2 {
		t.Fatalf("the event's job ran %d times, want a rerun", n)
	}
	if n := len(w.smtp.Messages()); n != sent {
		t.Errorf("%d mails after the rerun, want %d", n, sent)
	}

	// Over the bound: the PDF and the PNG go, the large file between them is named.
	id := openAs(t, s, w.anna, "Relazione annuale", "Come invio la relazione?")
	hdMail(t, w.smtp, "anna@example.it", "[Assistenza #", 0) // the acknowledgment
	large := bytes.Repeat([]byte("riga della relazione\n"), helpdesk.MailFilesMax/21+1)
	if len(pdfBytes)+len(large) <= helpdesk.MailFilesMax {
		t.Fatal("the large file fits")
	}
	desk = fmt.Sprintf("/area-riservata/helpdesk/%d", id)
	if res, page := postFiles(t, s, desk+"/rispondi", w.elisa, map[string]string{"body": "Ecco il modello e un esempio.", "then": "waiting"},
		hdFile{"modello.pdf", pdfBytes}, hdFile{"relazione-esempio.txt", large}, hdFile{"schermata.png", shot}); res.StatusCode != 303 {
		t.Fatalf("answer over the bound: %d %s", res.StatusCode, page)
	}
	answer = hdMail(t, w.smtp, "anna@example.it", "[Assistenza #", 1)
	text, files = mimeFiles(t, answer.Raw)
	if len(files) != 2 || files[0].Name != "modello.pdf" || !bytes.Equal(files[0].Data, pdfBytes) || files[1].Name != "schermata.png" || !bytes.Equal(files[1].Data, shot) {
		t.Errorf("files over the bound: %d", len(files))
	}
	for _, want := range []string{"- relazione-esempio.txt (oltre il limite di 10 MB", "rispondendo a questa e-mail", fmt.Sprintf("/area-riservata/assistenza/%d", id)} {
		if !strings.Contains(text, want) {
			t.Errorf("the text over the bound lacks %q: %q", want, text)
		}
	}
	if strings.Contains(text, "modello.pdf") || strings.Contains(text, "schermata.png") {
		t.Errorf("the text names attached files: %q", text)
	}

	// The note's file went to nobody.
	for _, m := range w.smtp.Messages() {
		for _, f := range m.Attachments {
			if f.Name == "log-interno.txt" {
				t.Errorf("the note's file was mailed to %v", m.To)
			}
		}
	}
}

func decodeBase64(b []byte) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(b)))
}

func quotedPrintable(r io.Reader) io.Reader { return quotedprintable.NewReader(r) }

package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net"
	"net/http"
	"net/smtp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/uptrace/bun/migrate"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/audit"
	"passhub/app/helpdesk"
	"passhub/app/inbound"
	"passhub/app/storage/sweep"
	"passhub/migrations"
)

// hdFile is a file sent with a help-desk form.
type hdFile struct {
	name string
	data []byte
}

// postFiles sends a help-desk form with its files (field "files") as multipart.
func postFiles(t *testing.T, s *apptest.Server, path, cookie string, fields map[string]string, files ...hdFile) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", apptest.CSRFToken)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for _, f := range files {
		fw, _ := mw.CreateFormFile("files", f.name)
		_, _ = fw.Write(f.data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Cookie", cookie)
	req.Header.Set("Accept-Language", "it")
	return s.Do(t, req)
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var pdfBytes = []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

// hdCounts is how many file rows and stored objects there are.
func hdCounts(t *testing.T, s *apptest.Server) (rows, objects int) {
	t.Helper()
	ctx := context.Background()
	n, err := s.DB.NewSelect().Model((*helpdesk.File)(nil)).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := s.Files.List(ctx, "helpdesk/")
	if err != nil {
		t.Fatal(err)
	}
	return int(n), len(objs)
}

// fileLinks returns the addresses of the file links of a thread page.
func fileLinks(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	parse(t, body).Find(".pass-hd-files a").Each(func(_ int, a *goquery.Selection) {
		out = append(out, a.AttrOr("href", ""))
	})
	return out
}

// TestHelpdeskFiles: a requester attaches a PDF to a new ticket and a PNG to a reply, each checked
// by content like every upload, and downloads them; the operator sees and downloads them and
// attaches a file to an internal note the requester never reaches; another ente's user gets
// nothing; a text named .pdf or more than ten files refuse the message with a message beside the
// field, the typed text kept and nothing stored; a mail with a good and a refused attachment
// stores the first and names the second; merged duplicates keep their files on the surviving
// ticket; each stored file is audited.
func TestHelpdeskFiles(t *testing.T) {
	w := newHelpdeskWorld(t)
	s, ctx := w.s, context.Background()

	// A new ticket with a PDF.
	res, page := postFiles(t, s, "/area-riservata/assistenza", w.anna, map[string]string{"category": "tecnica", "subject": "Errore nel modulo",
		"body": "Allego la schermata dell'errore."}, hdFile{"verbale.pdf", pdfBytes})
	if res.StatusCode != 303 {
		t.Fatalf("open with a file: %d %s", res.StatusCode, page)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(res.Header.Get("Location"), "/area-riservata/assistenza/"), 10, 64)
	mine, desk := "/area-riservata/assistenza/"+strconv.FormatInt(id, 10), "/area-riservata/helpdesk/"+strconv.FormatInt(id, 10)

	// A reply with a PNG.
	shot := pngBytes(t)
	if res, page := postFiles(t, s, mine+"/rispondi", w.anna, map[string]string{"body": "Ecco anche la schermata."}, hdFile{"schermata.png", shot}); res.StatusCode != 303 {
		t.Fatalf("reply with a file: %d %s", res.StatusCode, page)
	}
	_, page = s.Get(t, mine, "Cookie", w.anna)
	links := fileLinks(t, page)
	if len(links) != 2 || !strings.HasPrefix(links[0], mine+"/allegati/") {
		t.Fatalf("the requester's thread lists %v", links)
	}
	if doc := parse(t, page); !strings.Contains(doc.Find(".pass-hd-files").Last().Text(), "schermata.png") {
		t.Errorf("the reply's file is not listed under it: %q", doc.Find(".pass-hd-files").Text())
	}
	res, got := s.Get(t, links[1], "Cookie", w.anna)
	if res.StatusCode != 200 || got != string(shot) || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("requester's download: %d %q %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(got))
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "schermata.png") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("download headers: %v", res.Header)
	}
	pdfID := links[0][strings.LastIndex(links[0], "/")+1:]

	// The operator sees and downloads both.
	_, page = s.Get(t, desk, "Cookie", w.elisa)
	deskLinks := fileLinks(t, page)
	if len(deskLinks) != 2 || deskLinks[0] != desk+"/allegati/"+pdfID {
		t.Fatalf("the operator's thread lists %v", deskLinks)
	}
	if res, got := s.Get(t, deskLinks[0], "Cookie", w.elisa); res.StatusCode != 200 || got != string(pdfBytes) {
		t.Fatalf("operator's download: %d", res.StatusCode)
	}

	// Nobody else: another ente's delegate, through the requester's address, the queue's, or
	// their own ticket's; anonymous.
	other := openAs(t, s, w.paolo, "Un'altra domanda", "Come cambio il referente?")
	for _, c := range []struct {
		path, cookie string
		want         int
	}{
		{links[0], w.paolo, 404},
		{deskLinks[0], w.paolo, 403},
		{fmt.Sprintf("/area-riservata/assistenza/%d/allegati/%s", other, pdfID), w.paolo, 404},
		{fmt.Sprintf("/area-riservata/helpdesk/%d/allegati/%s", other, pdfID), w.elisa, 404}, // the file is not that ticket's
		{links[0], "", 303},
		{mine + "/allegati/999999", w.anna, 404},
	} {
		if res, _ := s.Get(t, c.path, "Cookie", c.cookie); res.StatusCode != c.want {
			t.Errorf("GET %s = %d, want %d", c.path, res.StatusCode, c.want)
		}
	}

	// A file whose name lies about its content, and too many files: refused beside the field,
	// the text kept, nothing stored.
	rows, objects := hdCounts(t, s)
	thread, _ := s.Helpdesk.Thread(ctx, id, true)
	typed := "Il testo che ho scritto con cura."
	res, page = postFiles(t, s, mine+"/rispondi", w.anna, map[string]string{"body": typed},
		hdFile{"ok.png", shot}, hdFile{"relazione.pdf", []byte("solo testo, non un PDF\n")})
	doc := parse(t, page)
	if res.StatusCode != 422 || !strings.Contains(doc.Find("#hd-files-error").Text(), "relazione.pdf") ||
		!strings.Contains(doc.Find("#hd-files-error").Text(), "non corrisponde") || doc.Find("#hd-body").Text() != typed {
		t.Fatalf("lying extension: %d, error %q, body %q", res.StatusCode, doc.Find("#hd-files-error").Text(), doc.Find("#hd-body").Text())
	}
	if doc.Find(`#hd-files[aria-invalid="true"]`).Length() != 1 || !strings.Contains(doc.Find("#hd-files").AttrOr("aria-describedby", ""), "hd-files-hint") {
		t.Error("the refused field is not marked or described")
	}
	many := make([]hdFile, 11)
	for i := range many {
		many[i] = hdFile{fmt.Sprintf("f%d.png", i), shot}
	}
	res, page = postFiles(t, s, desk+"/rispondi", w.elisa, map[string]string{"body": "Risposta con troppi file", "then": "waiting"}, many...)
	if doc := parse(t, page); res.StatusCode != 422 || !strings.Contains(doc.Find("#hd-files-error").Text(), "10") || doc.Find("#hd-body").Text() != "Risposta con troppi file" {
		t.Fatalf("eleven files: %d %q", res.StatusCode, doc.Find("#hd-files-error").Text())
	}
	if r, o := hdCounts(t, s); r != rows || o != objects {
		t.Errorf("refused files were stored: %d rows, %d objects, want %d, %d", r, o, rows, objects)
	}
	if after, _ := s.Helpdesk.Thread(ctx, id, true); len(after) != len(thread) {
		t.Errorf("a refused message entered the thread: %d messages, want %d", len(after), len(thread))
	}

	// The operator's internal note with a file: theirs alone.
	if res, page := postFiles(t, s, desk+"/nota", w.elisa, map[string]string{"note": "Log del server"}, hdFile{"log.txt", []byte("errore 500 alle 10:02\n")}); res.StatusCode != 303 {
		t.Fatalf("note with a file: %d %s", res.StatusCode, page)
	}
	_, page = s.Get(t, desk, "Cookie", w.elisa)
	deskLinks = fileLinks(t, page)
	if len(deskLinks) != 3 {
		t.Fatalf("operator's links after the note: %v", deskLinks)
	}
	noteFile := deskLinks[2][strings.LastIndex(deskLinks[2], "/")+1:]
	if res, _ := s.Get(t, mine+"/allegati/"+noteFile, "Cookie", w.anna); res.StatusCode != 404 {
		t.Errorf("the requester opened a note's file: %d", res.StatusCode)
	}
	if _, page := s.Get(t, mine, "Cookie", w.anna); len(fileLinks(t, page)) != 2 || strings.Contains(page, "log.txt") {
		t.Error("the requester's thread shows the note's file")
	}
	if res, _ := s.Get(t, deskLinks[2], "Cookie", w.elisa); res.StatusCode != 200 {
		t.Errorf("the operator cannot open the note's file: %d", res.StatusCode)
	}

	// Each stored file is audited.
	n, err := s.DB.NewSelect().Model((*audit.Entry)(nil)).Where("action = ?", "helpdesk.file").Where("object_id = ?", id).Count(ctx)
	if err != nil || n != 3 {
		t.Errorf("%d audit entries of files (%v), want 3", n, err)
	}

	// A duplicate with a file merged into the ticket: the file follows its message.
	dup := openAs(t, s, w.anna, "Errore nel modulo (di nuovo)", "Scrivo di nuovo per lo stesso errore.")
	dupPage := "/area-riservata/assistenza/" + strconv.FormatInt(dup, 10)
	if res, page := postFiles(t, s, dupPage+"/rispondi", w.anna, map[string]string{"body": "Con il verbale firmato."}, hdFile{"firmato.pdf", pdfBytes}); res.StatusCode != 303 {
		t.Fatalf("reply on the duplicate: %d %s", res.StatusCode, page)
	}
	if res, page := s.PostForm(t, fmt.Sprintf("/area-riservata/helpdesk/%d/unisci", dup), hdForm("into", strconv.FormatInt(id, 10)), "Cookie", w.elisa); res.StatusCode != 303 {
		t.Fatalf("merge: %d %s", res.StatusCode, page)
	}
	_, page = s.Get(t, mine, "Cookie", w.anna)
	links = fileLinks(t, page)
	if len(links) != 3 || !strings.Contains(page, "firmato.pdf") {
		t.Fatalf("after the merge the surviving ticket lists %v", links)
	}
	if res, got := s.Get(t, links[2], "Cookie", w.anna); res.StatusCode != 200 || got != string(pdfBytes) {
		t.Errorf("the merged file from the surviving ticket: %d", res.StatusCode)
	}
	if res, _ := s.Get(t, dupPage+"/allegati/"+links[2][strings.LastIndex(links[2], "/")+1:], "Cookie", w.anna); res.StatusCode != 404 {
		t.Errorf("the merged file is still reached from the duplicate: %d", res.StatusCode)
	}
	// The storage sweep keeps every file a row names and takes an object nobody names.
	if err := s.Files.Put(ctx, "helpdesk/orfano", strings.NewReader("resto di un invio fallito")); err != nil {
		t.Fatal(err)
	}
	sw := &sweep.Sweeper{DB: s.DB, Files: s.Files, Now: func() time.Time { return time.Now().Add(time.Hour) }}
	if _, err := sw.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if rows, objects := hdCounts(t, s); rows != 4 || objects != 3 { // pdf, png, the note's txt, the merged pdf (the first's bytes, stored once)
		t.Errorf("after the sweep: %d rows, %d objects, want 4 and 3", rows, objects)
	}
	if res, got := s.Get(t, links[1], "Cookie", w.anna); res.StatusCode != 200 || got != string(shot) {
		t.Errorf("a file after the sweep: %d", res.StatusCode)
	}
}

// TestHelpdeskMailFiles: a mail's attachments are checked like every upload; the good one is
// stored on the ticket's message and the refused one is named, with the reason, in its text,
// and the mail is accepted.
func TestHelpdeskMailFiles(t *testing.T) {
	w := newHelpdeskWorld(t)
	s, ctx := w.s, context.Background()
	srv := inbound.NewServer(inbound.Config{Domain: "pass.example.it"}, app.Inbound{Desk: s.Helpdesk}, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	b64 := func(data []byte) string { return base64.StdEncoding.EncodeToString(data) }
	msg := "From: Giulia Verdi <giulia.verdi@comune.figino.example.it>\nTo: assistenza@pass.example.it\nSubject: Ricevuta PagoPA\n" +
		"Message-ID: <f1@comune.figino.example.it>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n" +
		"--b\nContent-Type: text/plain; charset=utf-8\n\nIn allegato la ricevuta e il file del gestionale.\n" +
		"--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=\"ricevuta.pdf\"\nContent-Transfer-Encoding: base64\n\n" + b64(pdfBytes) + "\n" +
		"--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=\"gestionale.pdf\"\nContent-Transfer-Encoding: base64\n\n" + b64([]byte("MZ non un PDF\n")) + "\n" +
		"--b--\n"
	if err := smtp.SendMail(ln.Addr().String(), nil, "giulia.verdi@comune.figino.example.it", []string{"assistenza@pass.example.it"},
		[]byte(strings.ReplaceAll(msg, "\n", "\r\n"))); err != nil {
		t.Fatalf("mail with attachments: %v", err)
	}
	list, _, _ := s.Helpdesk.Queue(ctx, helpdesk.Filter{Q: "giulia.verdi"})
	if len(list) != 1 {
		t.Fatalf("tickets from the mail: %+v", list)
	}
	thread, _ := s.Helpdesk.Thread(ctx, list[0].ID, true)
	if len(thread) != 1 || len(thread[0].Files) != 1 || thread[0].Files[0].Name != "ricevuta.pdf" || thread[0].Files[0].ContentType != "application/pdf" {
		t.Fatalf("the mail's message and files: %+v", thread)
	}
	if body := thread[0].Body; !strings.Contains(body, "gestionale.pdf") || !strings.Contains(body, "non corrisponde") || strings.Contains(body, "ricevuta.pdf") {
		t.Errorf("the refused attachment is not noted: %q", body)
	}
	f, r, err := s.Helpdesk.OpenFile(ctx, list[0].ID, thread[0].Files[0].ID, false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got bytes.Buffer
	_, _ = got.ReadFrom(r)
	if got.String() != string(pdfBytes) || f.Size != int64(len(pdfBytes)) {
		t.Errorf("stored bytes differ: %d", got.Len())
	}
}

// TestHelpdeskFilesMigration: the files' migration goes down and up again on the test's dialect.
func TestHelpdeskFilesMigration(t *testing.T) {
	a := apptest.New(t)
	ctx := context.Background()
	subset := migrate.NewMigrations()
	for _, m := range migrations.All.Sorted() {
		if m.Name == "20261212100001" {
			subset.Add(m)
		}
	}
	if len(subset.Sorted()) != 1 {
		t.Fatalf("the migration is not found: %v", subset.Sorted())
	}
	m := migrate.NewMigrator(a.DB.DB, subset, migrate.WithTemplateData(map[string]string{"Dialect": a.DB.Kind}), migrate.WithMarkAppliedOnSuccess(true))
	if _, err := m.Rollback(ctx); err != nil {
		t.Fatalf("down: %v", err)
	}
	if _, err := a.DB.NewSelect().Model((*helpdesk.File)(nil)).Count(ctx); err == nil {
		t.Fatal("the table is still there after down")
	}
	if _, err := m.Migrate(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if _, err := a.DB.NewSelect().Model((*helpdesk.File)(nil)).Count(ctx); err != nil {
		t.Fatalf("the table after up: %v", err)
	}
}

package app_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"passhub/app/apptest"
	"passhub/app/identity"
)

// postMultipart sends fields and one file as a multipart form with the given cookie.
func postMultipart(t *testing.T, s *apptest.Server, path, cookie string, fields map[string]string, fileField, fileName string, file []byte) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fields["_csrf"] = apptest.CSRFToken
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if fileField != "" {
		fw, _ := mw.CreateFormFile(fileField, fileName)
		_, _ = fw.Write(file)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Cookie", cookie)
	req.Header.Set("Accept-Language", "it")
	return s.Do(t, req)
}

func TestFilingWithAttachmentThreadAndTriageFilters(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	users, _, _ := s.Identity.Users(ctx, "rossi", 1)
	apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", users[0].ID)
	pm := s.Login(t, apptest.FiscalCode("PMPMPM80A01F205"), "Piera", "Manzoni")
	pms, _, _ := s.Identity.Users(ctx, "manzoni", 1)
	_ = s.Identity.Grant(ctx, identity.Actor{}, pms[0].ID, "pm", "VA")

	form := map[string]string{"procedure": "VA-01", "title": "Arretrato VIA del polo logistico",
		"description": "Quaranta istanze in attesa da mesi, un solo istruttore.", "desired_outcome": "Tempi medi sotto i 150 giorni."}
	res, _ := postMultipart(t, s, "/area-riservata/richieste/nuova", mayor, form, "attachment", "elenco.csv", []byte("pratica;giorni\n1;200\n"))
	if res.StatusCode != 303 {
		t.Fatalf("filing: %d", res.StatusCode)
	}
	page := res.Header.Get("Location")
	id, _ := strconv.ParseInt(strings.TrimPrefix(page, "/area-riservata/richieste/"), 10, 64)
	docs, _ := s.Workspace.Documents(ctx, id)
	if len(docs) != 1 || docs[0].Name != "elenco.csv" {
		t.Fatalf("attachment at filing: %+v", docs)
	}

	// A message with a file whose content is not what its name says changes nothing.
	res, body := postMultipart(t, s, page+"/messaggi", mayor, map[string]string{"body": "Ecco il verbale."}, "file", "verbale.pdf", []byte("\x89PNG\r\n\x1a\n0000"))
	if res.StatusCode != 422 || !strings.Contains(parse(t, body).Find("[role=alert]").Text(), "non corrisponde") {
		t.Errorf("mismatched attachment: %d", res.StatusCode)
	}
	if msgs, _ := s.Workspace.Messages(ctx, id); len(msgs) != 0 {
		t.Errorf("%d messages stored with a refused attachment", len(msgs))
	}
	res, _ = postMultipart(t, s, page+"/messaggi", mayor, map[string]string{"body": "Ecco il verbale."}, "file", "verbale.pdf", []byte("%PDF-1.7\n%%EOF\n"))
	if res.StatusCode != 303 {
		t.Fatalf("message with attachment: %d", res.StatusCode)
	}
	_, body = s.Get(t, page, "Cookie", mayor, "Accept-Language", "it")
	doc := parse(t, body)
	if doc.Find(".pass-message a[href^='#documento-']").Length() != 1 || doc.Find(".pass-document").Length() != 2 {
		t.Errorf("thread attachment not shown")
	}
	// The edit form is offered for one's own fresh message, and the edit is marked.
	action, ok := doc.Find(".pass-message details form").Attr("action")
	if !ok {
		t.Fatal("no edit form")
	}
	res, _ = postMultipart(t, s, action, mayor, map[string]string{"body": "Ecco il verbale firmato."}, "", "", nil)
	if res.StatusCode != 303 {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	_, body = s.Get(t, page, "Cookie", mayor, "Accept-Language", "it")
	if txt := parse(t, body).Find(".pass-message").Text(); !strings.Contains(txt, "firmato") || !strings.Contains(txt, "modificato") {
		t.Errorf("edited message: %q", txt)
	}
	// The PM's queue filters by ente name.
	_, body = s.Get(t, "/area-riservata/triage?ente=cant", "Cookie", pm)
	if parse(t, body).Find(".pass-request").Length() != 1 {
		t.Error("triage filter by ente lost the request")
	}
	_, body = s.Get(t, "/area-riservata/triage?ente=milano", "Cookie", pm)
	if parse(t, body).Find(".pass-request").Length() != 0 {
		t.Error("triage filter by ente kept another ente's request")
	}
}

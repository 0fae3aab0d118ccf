package app_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/identity"
	"passhub/app/request"
)

// workspaceWorld is a request of an approved ente assigned to an expert, served over HTTP.
type workspaceWorld struct {
	s               *apptest.Server
	r               *request.Request
	page            string
	mayor, expert   string
	mayorA, expertA request.Actor
}

func newWorkspaceWorld(t *testing.T) workspaceWorld {
	t.Helper()
	s := apptest.Start(t)
	ctx := context.Background()
	mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	users, _, _ := s.Identity.Users(ctx, "rossi", 1)
	e := apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", users[0].ID)
	expert := s.Login(t, apptest.FiscalCode("CSTLCU80A01F205"), "Luca", "Costa")
	experts, _, _ := s.Identity.Users(ctx, "costa", 1)
	if err := s.Identity.Grant(ctx, identity.Actor{}, experts[0].ID, identity.RoleExpert, "VA"); err != nil {
		t.Fatal(err)
	}
	mayorA := request.Actor{UserID: users[0].ID, Name: "Mario Rossi"}
	r, err := s.Requests.File(ctx, mayorA, e.ID, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA",
		Description: "Quaranta istanze in attesa da mesi, un solo istruttore.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Requests.Assign(ctx, request.Actor{Name: "PM"}, r.ID, []int64{experts[0].ID}); err != nil {
		t.Fatal(err)
	}
	r, _ = s.Requests.Get(ctx, r.ID)
	return workspaceWorld{s: s, r: r, page: "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10), mayor: mayor, expert: expert,
		mayorA: mayorA, expertA: request.Actor{UserID: experts[0].ID, Name: "Luca Costa"}}
}

var liveCursor = regexp.MustCompile(`data-live-cursor="([^"]*)"`)

func cursorOf(t *testing.T, body string) string {
	t.Helper()
	m := liveCursor.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no live cursor")
	}
	return html.UnescapeString(m[1])
}

func TestWorkspacePagesAndLiveUpdates(t *testing.T) {
	w := newWorkspaceWorld(t)
	ctx := context.Background()
	for i := 0; i < 60; i++ {
		if _, err := w.s.Workspace.Post(ctx, w.mayorA, w.r, false, fmt.Sprintf("Messaggio numero %d.", i)); err != nil {
			t.Fatal(err)
		}
	}
	_, body := w.s.Get(t, w.page, "Cookie", w.expert, "Accept-Language", "it")
	doc := parse(t, body)
	if n := doc.Find("#thread .pass-message").Length(); n != 50 {
		t.Fatalf("the page shows %d messages, want the latest 50", n)
	}
	if !strings.Contains(doc.Find("#thread .pass-message").Last().Text(), "numero 59") {
		t.Error("the latest message is not last")
	}
	more := doc.Find("#thread-earlier a")
	href, _ := more.Attr("href")
	hxGet, _ := more.Attr("hx-get")
	if href == "" || hxGet == "" {
		t.Fatal("no earlier-messages link")
	}
	// Without JavaScript the link opens the page with the earlier messages.
	_, body = w.s.Get(t, strings.Split(href, "#")[0], "Cookie", w.expert, "Accept-Language", "it")
	older := parse(t, body)
	if n := older.Find("#thread .pass-message").Length(); n != 10 || older.Find("#thread-earlier").Length() != 0 {
		t.Errorf("earlier page: %d messages", n)
	}
	// With htmx the fragment replaces the link.
	_, frag := w.s.Get(t, hxGet, "Cookie", w.expert, "HX-Request", "true")
	if n := parse(t, frag).Find(".pass-message").Length(); n != 10 || strings.Contains(frag, "<html") {
		t.Errorf("earlier fragment: %d messages", n)
	}

	// A live update after one new message sends that message only, and says who wrote it.
	cursor := cursorOf(t, body)
	_, body = w.s.Get(t, w.page, "Cookie", w.expert, "Accept-Language", "it")
	cursor = cursorOf(t, body)
	if _, err := w.s.Workspace.Post(ctx, w.mayorA, w.r, false, "Un messaggio nuovo."); err != nil {
		t.Fatal(err)
	}
	_, live := w.s.Get(t, w.page+"/aggiornamenti?cursore="+url.QueryEscape(cursor), "Cookie", w.expert, "HX-Request", "true", "Accept-Language", "it")
	ld := parse(t, live)
	if n := ld.Find(".pass-message").Length(); n != 1 || !strings.Contains(ld.Find(".pass-message").Text(), "Un messaggio nuovo") {
		t.Errorf("live update carries %d messages", n)
	}
	if got := ld.Find("#workspace-announce").Text(); !strings.Contains(got, "Nuovo messaggio da Mario Rossi") {
		t.Errorf("announcement %q", got)
	}
	if ld.Find("#timeline-list").Length() != 0 || ld.Find("#documents-list, .pass-document").Length() != 0 {
		t.Error("the live update re-renders parts that did not change")
	}
	if len(live) > 8000 {
		t.Errorf("live update of one message is %d bytes", len(live))
	}
	// An edit reaches the others as the message's new text, not as a new message.
	cursor = cursorOf(t, live)
	msgs, _, _ := w.s.Workspace.MessagesBefore(ctx, w.r.ID, 0, 1)
	if _, err := w.s.Workspace.Edit(ctx, w.mayorA, w.r.ID, msgs[0].ID, "Un messaggio **corretto**."); err != nil {
		t.Fatal(err)
	}
	_, live = w.s.Get(t, w.page+"/aggiornamenti?cursore="+url.QueryEscape(cursor), "Cookie", w.expert, "HX-Request", "true", "Accept-Language", "it")
	ld = parse(t, live)
	text := ld.Find(fmt.Sprintf("#messaggio-%d-testo[hx-swap-oob=innerHTML]", msgs[0].ID))
	if text.Find("strong").Text() != "corretto" || ld.Find(".pass-message").Length() != 0 ||
		!strings.Contains(ld.Find(fmt.Sprintf("#messaggio-%d-meta", msgs[0].ID)).Text(), "modificato") {
		t.Errorf("live update after an edit: %s", live)
	}
	// The expert asks for an integration: the card, the state and its announcement arrive live.
	cursor = cursorOf(t, live)
	if _, err := w.s.Requests.AskIntegration(ctx, w.expertA, w.r.ID, []string{"Elenco delle pratiche"}, "", time.Now().Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, live = w.s.Get(t, w.page+"/aggiornamenti?cursore="+url.QueryEscape(cursor), "Cookie", w.mayor, "HX-Request", "true", "Accept-Language", "it")
	ld = parse(t, live)
	if ld.Find(".pass-integration form textarea[name=answer]").Length() != 1 || ld.Find(".pass-integration input[type=file][name=files]").Length() != 1 {
		t.Error("the integration card with its answer form is not in the live update")
	}
	if got := ld.Find("#request-state").AttrOr("data-state", ""); got != string(request.Waiting) {
		t.Errorf("state in the live update %q", got)
	}
	if got := ld.Find("#workspace-announce").Text(); !strings.Contains(got, "Stato: In attesa dell'ente") {
		t.Errorf("announcement %q", got)
	}
	if ld.Find("#request-experts").Text() == "" || !strings.Contains(ld.Find("#request-experts").Text(), "Luca Costa") {
		t.Error("experts' names not in the live update")
	}
}

func TestIntegrationAnswerWithFiles(t *testing.T) {
	w := newWorkspaceWorld(t)
	ctx := context.Background()
	if _, err := w.s.Requests.AskIntegration(ctx, w.expertA, w.r.ID, []string{"Elenco delle pratiche"}, "", time.Now().Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, body := w.s.Get(t, w.page, "Cookie", w.mayor, "Accept-Language", "it")
	form := parse(t, body).Find(".pass-integration form")
	action, _ := form.Attr("action")
	if action == "" || form.AttrOr("enctype", "") != "multipart/form-data" {
		t.Fatal("no answer form with files")
	}
	send := func(files map[string][]byte) (*http.Response, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("_csrf", apptest.CSRFToken)
		_ = mw.WriteField("answer", "Ecco l'elenco richiesto.")
		for name, data := range files {
			fw, _ := mw.CreateFormFile("files", name)
			_, _ = fw.Write(data)
		}
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, w.s.URL+action, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Cookie", w.mayor)
		req.Header.Set("Accept-Language", "it")
		return w.s.Do(t, req)
	}
	res, body := send(map[string][]byte{"elenco.csv": []byte("a;b\n1;2\n"), "verbale.pdf": []byte("\x89PNG\r\n\x1a\n0000")})
	if res.StatusCode != 422 || !strings.Contains(parse(t, body).Find("[role=alert]").Text(), "non corrisponde") {
		t.Fatalf("mismatched file: %d", res.StatusCode)
	}
	if ints, _ := w.s.Requests.Integrations(ctx, w.r.ID); !ints[0].Open() {
		t.Fatal("a refused answer was recorded")
	}
	res, _ = send(map[string][]byte{"elenco.csv": []byte("a;b\n1;2\n")})
	if res.StatusCode != 303 {
		t.Fatalf("answer: %d", res.StatusCode)
	}
	_, body = w.s.Get(t, w.page, "Cookie", w.expert, "Accept-Language", "it")
	card := parse(t, body).Find(".pass-integration")
	if !strings.Contains(card.Text(), "Ecco l'elenco richiesto") || !strings.Contains(card.Find("ul.small a").Text(), "elenco.csv") {
		t.Errorf("answered card: %s", card.Text())
	}
	res, pdf := w.s.Get(t, w.page+"/fascicolo.pdf", "Cookie", w.expert)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") {
		t.Errorf("dossier PDF: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

func TestWorkspaceErrorsForHTMX(t *testing.T) {
	w := newWorkspaceWorld(t)
	post := func(cookie string, fields map[string]string, file string, data []byte) (*http.Response, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("_csrf", apptest.CSRFToken)
		for k, v := range fields {
			_ = mw.WriteField(k, v)
		}
		if file != "" {
			fw, _ := mw.CreateFormFile("file", file)
			_, _ = fw.Write(data)
		}
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, w.s.URL+w.page+"/messaggi", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Cookie", cookie)
		req.Header.Set("Accept-Language", "it")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "post-form")
		req.Header.Set("HX-Current-URL", w.s.URL+w.page+"?x=1")
		return w.s.Do(t, req)
	}
	res, body := post(w.mayor, map[string]string{"body": "  "}, "", nil)
	doc := parse(t, body)
	if res.StatusCode != 422 || doc.Find("#post-form-error[hx-swap-oob] [role=alert]").Length() != 1 || strings.Contains(body, "<html") {
		t.Errorf("empty message: %d %s", res.StatusCode, body)
	}
	res, body = post(w.mayor, map[string]string{"body": "Ecco."}, "verbale.pdf", []byte("\x89PNG\r\n\x1a\n0000"))
	if res.StatusCode != 422 || !strings.Contains(parse(t, body).Find("#post-form-error [role=alert]").Text(), "non corrisponde") {
		t.Errorf("mismatched file: %d", res.StatusCode)
	}
	res, body = post(w.mayor, map[string]string{"body": "Ecco il messaggio."}, "", nil)
	if res.StatusCode != 200 || parse(t, body).Find("[hx-swap-oob='beforeend:#thread'] .pass-message").Length() != 1 {
		t.Errorf("posted message: %d %s", res.StatusCode, body)
	}
	// A session that ended: the browser goes to the login page and comes back here.
	res, _ = post("csrf="+apptest.CSRFToken, map[string]string{"body": "Ecco."}, "", nil)
	if res.StatusCode != 401 || res.Header.Get("HX-Redirect") != "/accedi?next="+url.QueryEscape(w.page+"?x=1") {
		t.Errorf("ended session: %d HX-Redirect %q", res.StatusCode, res.Header.Get("HX-Redirect"))
	}
}

func TestDocumentsPaged(t *testing.T) {
	w := newWorkspaceWorld(t)
	ctx := context.Background()
	for i := 0; i < 22; i++ {
		if _, err := w.s.Workspace.Upload(ctx, w.mayorA, w.r, false, 0, fmt.Sprintf("elenco-%02d.csv", i), []byte(fmt.Sprintf("a;b\n%d;1\n", i)), false); err != nil {
			t.Fatal(err)
		}
	}
	_, body := w.s.Get(t, w.page, "Cookie", w.expert, "Accept-Language", "it")
	doc := parse(t, body)
	if n := doc.Find("#documents-list .pass-document").Length(); n != 20 || !strings.Contains(doc.Find("#documents-list .pass-document").First().Text(), "elenco-21.csv") {
		t.Fatalf("the page lists %d documents, newest first expected", n)
	}
	if doc.Find("#doc-of option").Length() != 23 {
		t.Errorf("the version form offers %d choices, want every document", doc.Find("#doc-of option").Length())
	}
	href := doc.Find("#documents-earlier a").AttrOr("href", "")
	if href == "" {
		t.Fatal("no earlier-documents link")
	}
	_, body = w.s.Get(t, href, "Cookie", w.expert, "Accept-Language", "it")
	if n := parse(t, body).Find("main #documents-list .pass-document").Length(); n != 2 || !strings.Contains(body, "elenco-00.csv") {
		t.Errorf("earlier documents page: %d", n)
	}
	_, frag := w.s.Get(t, href, "Cookie", w.expert, "HX-Request", "true")
	fd := parse(t, frag)
	if fd.Find("[hx-swap-oob='beforeend:#documents-list'] .pass-document").Length() != 2 || fd.Find("#documents-earlier a").Length() != 0 {
		t.Errorf("earlier documents fragment: %s", frag)
	}
}

// TestAnnouncedUploadSizeIsAccepted: the size the upload form announces (its hint and its
// data-max-bytes) is one the server takes whole, and a larger file is refused with a message
// naming it, not cut off by the body limit. The body limit once was 16 MiB while the forms
// promised 20 MB: an 18 MB document ended on a dead-end "data too large" page.
func TestAnnouncedUploadSizeIsAccepted(t *testing.T) {
	t.Parallel()
	w := newWorkspaceWorld(t)
	_, body := w.s.Get(t, w.page, "Cookie", w.expert, "Accept-Language", "it")
	doc := parse(t, body)
	input := doc.Find("#doc-file")
	max, err := strconv.ParseInt(input.AttrOr("data-max-bytes", ""), 10, 64)
	if err != nil || max < 1<<20 {
		t.Fatalf("data-max-bytes %q", input.AttrOr("data-max-bytes", ""))
	}
	hint := doc.Find("#doc-hint").Text()
	if want := fmt.Sprintf("al massimo %d MB", max>>20); !strings.Contains(hint, want) {
		t.Errorf("hint %q does not announce %q", hint, want)
	}
	form := input.Closest("form")
	action := form.AttrOr("action", "")
	upload := func(name string, size int64) (*http.Response, string) {
		data := make([]byte, size)
		copy(data, "a;b\n")
		for i := 4; i < len(data); i++ {
			data[i] = 'x'
		}
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("_csrf", apptest.CSRFToken)
		_ = mw.WriteField("document", "0")
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write(data)
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, w.s.URL+action, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Cookie", w.expert)
		req.Header.Set("Accept-Language", "it")
		req.Header.Set("Referer", w.s.URL+w.page)
		return w.s.Do(t, req)
	}
	if res, body := upload("al-limite.csv", max); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a file of exactly the announced %d bytes: %d %s", max, res.StatusCode, parse(t, body).Find("h1, [role=alert]").Text())
	}
	res, body := upload("oltre.csv", max+1)
	if res.StatusCode == http.StatusSeeOther {
		t.Fatal("a file over the announced size was accepted")
	}
	if msg := parse(t, body).Text(); !strings.Contains(msg, fmt.Sprintf("%d MB", max>>20)) {
		t.Errorf("the refusal of a larger file does not name the size: %d %q", res.StatusCode, strings.Join(strings.Fields(msg), " ")[:200])
	}
	docs, err := w.s.Workspace.Documents(context.Background(), w.r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].Name != "al-limite.csv" {
		t.Errorf("documents after the two uploads: %+v", docs)
	}
}

// TestTooLargeBodyLeadsBackToTheForm: a body over the limit gets a page that names the largest
// file and leads back to the form it came from (a page of this site only).
func TestTooLargeBodyLeadsBackToTheForm(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	// The body is declared, not sent: the server answers once it has read the headers.
	send := func(referer string) (*http.Response, string) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(conn, "POST /contatti HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
			"Accept-Language: it\r\nReferer: %s\r\nContent-Length: %d\r\n\r\n%s",
			strings.TrimPrefix(s.URL, "http://"), referer, s.Config.BodyLimit+1, strings.Repeat("x", 8<<10))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	res, body := send(s.URL + "/area-riservata/richieste/7?scheda=documenti")
	doc := parse(t, body)
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(doc.Find(".lead").Text(), fmt.Sprintf("%d MB", s.Config.UploadLimit()>>20)) {
		t.Fatalf("%d %q", res.StatusCode, doc.Find(".lead").Text())
	}
	if back := doc.Find("div.my-5 a.btn").First().AttrOr("href", ""); back != "/area-riservata/richieste/7?scheda=documenti" {
		t.Errorf("back link %q", back)
	}
	_, body = send("https://elsewhere.example/area-riservata")
	if parse(t, body).Find(`a[href*="elsewhere"]`).Length() != 0 || parse(t, body).Find("div.my-5 a.btn").Length() != 1 {
		t.Error("a page of another site offered as the way back")
	}
}

package app_test

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"passhub/app/apptest"
	"passhub/app/ente"
	"passhub/app/once"
)

// postOnce sends a multipart form carrying the one-time token tok, optionally as htmx.
func postOnce(t *testing.T, s *apptest.Server, path, cookie, tok string, htmx bool, fields map[string]string, fileName string, file []byte) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fields["_csrf"], fields["_once"] = apptest.CSRFToken, tok
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if fileName != "" {
		fw, _ := mw.CreateFormFile("file", fileName)
		_, _ = fw.Write(file)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Cookie", cookie)
	req.Header.Set("Accept-Language", "it")
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	return s.Do(t, req)
}

func rowsIn(t *testing.T, s *apptest.Server, table string) int {
	t.Helper()
	n, err := s.DB.NewSelect().Table(table).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// onceToken reads the one-time token of the form whose action is action from the page at path.
func onceToken(t *testing.T, s *apptest.Server, path, cookie, action string) string {
	t.Helper()
	res, body := s.Get(t, path, "Cookie", cookie, "Accept-Language", "it")
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	tok, ok := parse(t, body).Find(`form[action="` + action + `"] input[name=_once]`).Attr("value")
	if !ok || len(tok) < 20 {
		t.Fatalf("the form %s on %s carries no one-time token", action, path)
	}
	return tok
}

// TestFormsSubmittedTwiceActOnce: filing a request, posting a message (with and without htmx,
// with a file) and uploading a version, each submitted again with the same token — one after the
// other or at the same moment — change nothing the second time and answer with the first result;
// a refused submission does not use its token up, and each token belongs to who received it.
func TestFormsSubmittedTwiceActOnce(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ctx := context.Background()
	mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	users, _, _ := s.Identity.Users(ctx, "rossi", 1)
	apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", users[0].ID)
	filing := func() map[string]string {
		return map[string]string{"procedure": "VA-01", "title": "Arretrato VIA", "description": "Quaranta istanze in attesa.",
			"desired_outcome": "Tempi sotto i 150 giorni."}
	}

	// Filing: the retry lands on the request the first submission created.
	tok := onceToken(t, s, "/area-riservata/richieste/nuova", mayor, "/area-riservata/richieste/nuova")
	res, _ := postOnce(t, s, "/area-riservata/richieste/nuova", mayor, tok, false, filing(), "", nil)
	page := res.Header.Get("Location")
	if res.StatusCode != 303 || !strings.HasPrefix(page, "/area-riservata/richieste/") {
		t.Fatalf("filing: %d %s", res.StatusCode, page)
	}
	res, _ = postOnce(t, s, "/area-riservata/richieste/nuova", mayor, tok, false, filing(), "", nil)
	if res.StatusCode != 303 || res.Header.Get("Location") != page {
		t.Errorf("filing again: %d → %q, want 303 → %q", res.StatusCode, res.Header.Get("Location"), page)
	}
	if n := rowsIn(t, s, "requests"); n != 1 {
		t.Fatalf("%d requests after a form filed twice", n)
	}
	// The same token sent twice at the same moment.
	tok = onceToken(t, s, "/area-riservata/richieste/nuova", mayor, "/area-riservata/richieste/nuova")
	var wg sync.WaitGroup
	locs := make([]string, 4)
	for i := range locs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, _ := postOnce(t, s, "/area-riservata/richieste/nuova", mayor, tok, false, filing(), "", nil)
			locs[i] = res.Header.Get("Location")
		}()
	}
	wg.Wait()
	if n := rowsIn(t, s, "requests"); n != 2 || locs[0] == "" || locs[0] != locs[1] || locs[1] != locs[2] || locs[2] != locs[3] {
		t.Errorf("concurrent submissions: %d requests, answers %v", n, locs)
	}
	// A refused submission leaves the token usable.
	tok = onceToken(t, s, "/area-riservata/richieste/nuova", mayor, "/area-riservata/richieste/nuova")
	bad := filing()
	bad["title"] = ""
	if res, _ = postOnce(t, s, "/area-riservata/richieste/nuova", mayor, tok, false, bad, "", nil); res.StatusCode != 422 {
		t.Fatalf("invalid filing: %d", res.StatusCode)
	}
	if res, _ = postOnce(t, s, "/area-riservata/richieste/nuova", mayor, tok, false, filing(), "", nil); res.StatusCode != 303 || rowsIn(t, s, "requests") != 3 {
		t.Errorf("the corrected form: %d, %d requests", res.StatusCode, rowsIn(t, s, "requests"))
	}
	if res, _ = postOnce(t, s, "/area-riservata/richieste/nuova", mayor, "not-a-token", false, filing(), "", nil); res.StatusCode != 400 || rowsIn(t, s, "requests") != 3 {
		t.Errorf("a malformed token: %d", res.StatusCode)
	}

	// Thread message without JavaScript.
	thread := page + "/messaggi"
	tok = onceToken(t, s, page, mayor, thread)
	res, _ = postOnce(t, s, thread, mayor, tok, false, map[string]string{"body": "Primo messaggio."}, "", nil)
	first := res.Header.Get("Location")
	if res.StatusCode != 303 || !strings.Contains(first, "#messaggio-") {
		t.Fatalf("message: %d %s", res.StatusCode, first)
	}
	res, _ = postOnce(t, s, thread, mayor, tok, false, map[string]string{"body": "Primo messaggio."}, "", nil)
	if res.StatusCode != 303 || res.Header.Get("Location") != first || rowsIn(t, s, "messages") != 1 {
		t.Errorf("message again: %d → %s, %d messages", res.StatusCode, res.Header.Get("Location"), rowsIn(t, s, "messages"))
	}
	// With htmx: the answer carries the next token; the replay sends the browser to the message.
	tok = onceToken(t, s, page, mayor, thread)
	res, body := postOnce(t, s, thread, mayor, tok, true, map[string]string{"body": "Con htmx."}, "", nil)
	next, _ := parse(t, body).Find("#once-post[hx-swap-oob]").Attr("value")
	if res.StatusCode != 200 || next == "" || next == tok {
		t.Fatalf("htmx message: %d, next token %q", res.StatusCode, next)
	}
	res, _ = postOnce(t, s, thread, mayor, tok, true, map[string]string{"body": "Con htmx."}, "", nil)
	if !strings.Contains(res.Header.Get("HX-Redirect"), page+"#messaggio-") || rowsIn(t, s, "messages") != 2 {
		t.Errorf("htmx replay: %d HX-Redirect %q, %d messages", res.StatusCode, res.Header.Get("HX-Redirect"), rowsIn(t, s, "messages"))
	}
	if res, _ = postOnce(t, s, thread, mayor, next, true, map[string]string{"body": "Il seguente."}, "", nil); res.StatusCode != 200 || rowsIn(t, s, "messages") != 3 {
		t.Errorf("the next message with the new token: %d", res.StatusCode)
	}
	// A message with a file, twice: one message, one document.
	tok = onceToken(t, s, page, mayor, thread)
	for range 2 {
		postOnce(t, s, thread, mayor, tok, false, map[string]string{"body": "Con allegato."}, "elenco.csv", []byte("a;b\n1;2\n"))
	}
	if rowsIn(t, s, "messages") != 4 || rowsIn(t, s, "documents") != 1 {
		t.Errorf("message with file twice: %d messages, %d documents", rowsIn(t, s, "messages"), rowsIn(t, s, "documents"))
	}
	// A new version, twice: one version.
	docs := page + "/documenti"
	tok = onceToken(t, s, page, mayor, docs)
	for range 2 {
		res, _ = postOnce(t, s, docs, mayor, tok, false, map[string]string{}, "verbale.pdf", []byte("%PDF-1.7\n%%EOF\n"))
		if res.StatusCode != 303 {
			t.Fatalf("upload: %d", res.StatusCode)
		}
	}
	if rowsIn(t, s, "document_versions") != 2 {
		t.Errorf("upload twice: %d versions, want 2 (one per distinct submission)", rowsIn(t, s, "document_versions"))
	}

	// Someone else's token: the replay reveals nothing of the first result.
	ctx2, _ := once.Bind(ctx, tok, users[0].ID+1000, "document", func(int64) string { return "/x" })
	err := s.DB.InTx(ctx2, func(ctx context.Context, tx bun.Tx) error { return once.Claim(ctx, tx) })
	var rp *once.Replayed
	if !errors.As(err, &rp) || rp.URL != "" {
		t.Errorf("another user's token: %v", err)
	}
}

// TestOtherFormsSubmittedTwiceActOnce: a transition (submitting a draft), the contact form, a
// registration and a delegate invitation, each sent twice with one token, act once and answer
// the retry with the first result.
func TestOtherFormsSubmittedTwiceActOnce(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ctx := context.Background()
	mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	users, _, _ := s.Identity.Users(ctx, "rossi", 1)
	e := apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", users[0].ID)

	// A transition: the retry of "submit" is not "the request changed meanwhile".
	res, _ := postOnce(t, s, "/area-riservata/richieste/nuova", mayor, once.NewToken(), false, map[string]string{"procedure": "VA-01",
		"title": "Arretrato VIA", "description": "Quaranta istanze in attesa.", "desired_outcome": "Tempi sotto i 150 giorni.", "draft": "1"}, "", nil)
	page := res.Header.Get("Location")
	if res.StatusCode != 303 {
		t.Fatalf("draft: %d %s", res.StatusCode, page)
	}
	tok := once.NewToken()
	for i := range 2 {
		res, _ = postOnce(t, s, page+"/azioni/invia", mayor, tok, false, map[string]string{}, "", nil)
		if res.StatusCode != 303 || res.Header.Get("Location") != page {
			t.Errorf("submit #%d: %d → %s", i+1, res.StatusCode, res.Header.Get("Location"))
		}
	}

	// Contact form: the same acknowledgment, one message stored.
	res, body := s.Get(t, "/contatti")
	cookie := strings.Split(res.Header.Get("Set-Cookie"), ";")[0]
	doc := parse(t, body)
	csrfTok, _ := doc.Find(`#contact-form input[name=_csrf]`).Attr("value")
	tok, _ = doc.Find(`#contact-form input[name=_once]`).Attr("value")
	if tok == "" {
		t.Fatal("the contact form carries no one-time token")
	}
	form := url.Values{"name": {"Maria Bianchi"}, "email": {"maria@comune.example.it"}, "subject": {"Informazioni"},
		"message": {"Vorrei sapere come aderire al progetto."}, "_csrf": {csrfTok}, "_once": {tok}}
	for i := range 2 {
		res, _ = s.PostForm(t, "/contatti", form, "Cookie", cookie, "Accept-Language", "it")
		if res.StatusCode != 200 {
			t.Errorf("contact #%d: %d", i+1, res.StatusCode)
		}
	}
	if n, _ := s.Contact.Count(ctx); n != 1 {
		t.Errorf("%d contact messages stored from one form sent twice", n)
	}

	// Delegate invitation.
	delegates := "/area-riservata/enti/" + strconv.FormatInt(e.ID, 10) + "/delegati"
	tok = onceToken(t, s, delegates, mayor, delegates)
	for i := range 2 {
		res, _ = postOnce(t, s, delegates, mayor, tok, false, map[string]string{"fiscal_code": apptest.FiscalCode("BNCLRA80A41F205"),
			"email": "laura@comune.example.it"}, "", nil)
		if res.StatusCode != 303 || !strings.HasSuffix(res.Header.Get("Location"), "/delegati") {
			t.Errorf("invitation #%d: %d → %s", i+1, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if n := rowsIn(t, s, "invitations"); n != 1 {
		t.Errorf("%d invitations", n)
	}

	// Registration of another ente by another mayor.
	if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013075", Name: "Como", Kind: ente.KindComune, Province: "CO"}}); err != nil {
		t.Fatal(err)
	}
	como, _ := s.Enti.ByISTAT(ctx, "013075")
	other := s.Login(t, apptest.FiscalCode("VRDLGU80A01F205"), "Luigi", "Verdi")
	regs := rowsIn(t, s, "registrations")
	protocol := apptest.ProtocolFor(t, s.App, userOf(t, s, other), como.ID)
	tok = once.NewToken()
	for i := range 2 {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range map[string]string{"_csrf": apptest.CSRFToken, "_once": tok, "ente_id": strconv.FormatInt(como.ID, 10),
			"role": ente.RoleSindaco, "email": "sindaco@comune.como.it", "pec": "comune.como@pec.example.it"} {
			_ = mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("protocol", "protocollo.pdf")
		_, _ = fw.Write(protocol)
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/area-riservata/registrazione", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Cookie", other)
		res, _ = s.Do(t, req)
		if res.StatusCode != 303 || res.Header.Get("Location") != "/area-riservata" {
			t.Errorf("registration #%d: %d → %s", i+1, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if n := rowsIn(t, s, "registrations"); n != regs+1 {
		t.Errorf("%d registrations added by one form sent twice", n-regs)
	}
}

package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/webhook"
)

// hookReceiver is a webhook endpoint on loopback that keeps what it receives.
type hookReceiver struct {
	*httptest.Server
	mu  sync.Mutex
	got []hookDelivery
}

type hookDelivery struct {
	Header http.Header
	Body   []byte
}

func newHookReceiver(t *testing.T) *hookReceiver {
	rc := &hookReceiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		rc.mu.Lock()
		rc.got = append(rc.got, hookDelivery{Header: r.Header.Clone(), Body: body})
		rc.mu.Unlock()
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(rc.Close)
	return rc
}

// find returns the first delivery whose body has the given event type and slug.
func (rc *hookReceiver) find(kind, slug string) (hookDelivery, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, d := range rc.got {
		var b struct {
			Type string         `json:"type"`
			Data map[string]any `json:"data"`
		}
		if json.Unmarshal(d.Body, &b) == nil && b.Type == kind && strings.Contains(string(d.Body), slug) {
			return d, true
		}
	}
	return hookDelivery{}, false
}

// signedBy checks a delivery's Standard Webhooks signature with the endpoint's secret, as a
// receiver would: HMAC-SHA256 of "id.timestamp.body" keyed with the base64 secret.
func signedBy(secret string, d hookDelivery) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(d.Header.Get("webhook-id") + "." + d.Header.Get("webhook-timestamp") + "."))
	mac.Write(d.Body)
	want := mac.Sum(nil)
	for _, s := range strings.Fields(d.Header.Get("webhook-signature")) {
		if v, b64, ok := strings.Cut(s, ","); ok && v == "v1" {
			if got, err := base64.StdEncoding.DecodeString(b64); err == nil && hmac.Equal(got, want) {
				return true
			}
		}
	}
	return false
}

// waitUntil polls cond until it holds or the deadline passes.
func waitUntil(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// getJSON fetches a URL of the test server and decodes its JSON answer.
func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusOK {
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			t.Fatalf("%s: %v", url, err)
		}
	}
	return res.StatusCode
}

// romeClock is the zone the newsroom's schedule form is written in.
func romeClock() *time.Location {
	if l, err := time.LoadLocation("Europe/Rome"); err == nil {
		return l
	}
	return time.UTC
}

// TestProcedureSheetJourney: an editor uploads an image and an attachment to the media library,
// writes a new procedure sheet in the browser that shows both, previews it
// and submits it; the publisher asks for a change; the editor fixes it and submits again; the
// publisher schedules it a few seconds ahead; the durable job publishes it, and the sheet is then
// in the catalogue, on its public page, in the search, in the content API, in the mayor's request
// form, and a webhook receiver on loopback has its signed delivery. The journey runs once with
// JavaScript and once without (plain forms), each with its own sheet.
func TestProcedureSheetJourney(t *testing.T) {
	for _, js := range []bool{true, false} {
		name := map[bool]string{true: "javascript", false: "plain forms"}[js]
		t.Run(name, func(t *testing.T) { sheetJourney(t, js) })
	}
}

func sheetJourney(t *testing.T, js bool) {
	s := apptest.Start(t, func(c *config.Config) { c.WebhooksAllow = []string{"127.0.0.1/32"} })
	ctx := context.Background()
	seedPersonas(t, s, false)
	rc := newHookReceiver(t)
	ep, err := s.Webhooks.Create(ctx, webhook.Actor{Name: "test"}, webhook.Form{URL: rc.URL + "/hook", Events: []string{"content.published"}})
	if err != nil {
		t.Fatal(err)
	}

	code, word, slug := "APP-90", "subappaltatori", "verifica-dei-subappalti"
	if !js {
		code, word, slug = "APP-91", "cottimisti", "verifica-dei-cottimi"
	}
	title := map[bool]string{true: "Verifica dei subappalti", false: "Verifica dei cottimi"}[js]
	entry := "/redazione/contenuti/procedure/" + slug
	state := func(tb *tab, want string) {
		t.Helper()
		tb.run(t, chromedp.WaitReady(chromedp.CSS("#entry-state[data-state="+want+"]")))
	}
	clean := func(tb *tab, where string) {
		t.Helper()
		if !js {
			return // axe needs JavaScript
		}
		if v := axe(t, tb); len(v) > 0 {
			t.Errorf("%s: axe: %v", where, v)
		}
	}

	editor := newTab(t)
	devLogin(t, editor, s, "redattore")
	editor.setScripts(t, js)

	// An image and an attachment, uploaded to the media library; their snippets go in the body.
	upload := func(file, field, text string) (item, snippet string) {
		t.Helper()
		editor.run(t, chromedp.Navigate(s.URL+"/redazione/media"), chromedp.WaitReady(chromedp.CSS("#media-file")),
			chromedp.SetUploadFiles(chromedp.CSS("#media-file"), []string{file}),
			chromedp.SetValue(chromedp.CSS(field), text),
			chromedp.Click(chromedp.CSS("#media-upload button[type=submit]")),
			chromedp.WaitReady(chromedp.CSS("#flash")),
		)
		item = eval[string](t, editor, "location.pathname")
		if !mediaItem.MatchString(item) {
			t.Fatalf("after uploading %s: %s", file, item)
		}
		return item, eval[string](t, editor, "document.querySelector('.pass-media-snippet').value")
	}
	pdf := filepath.Join(t.TempDir(), "Modulo richiesta.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	alt := "Schema del controllo dei " + word
	_, image := upload(pngOn(t, "schema.png", 48, 32), "#media-alt", alt)
	_, attachment := upload(pdf, "#media-title", "Modulo di richiesta")
	if !strings.HasPrefix(image, "![") || !strings.HasPrefix(attachment, "[Modulo di richiesta](/media/") {
		t.Fatalf("snippets %q %q", image, attachment)
	}
	fileURL := attachment[strings.Index(attachment, "(")+1 : len(attachment)-1]
	body := "## Quando serve\n\nPrima di autorizzare i **" + word + "**.\n\n" + image + "\n\nScarica il " + attachment + ".\n"
	editor.run(t, chromedp.Navigate(s.URL+"/redazione/nuovo/procedure"), chromedp.WaitReady(chromedp.CSS("#f-code")))
	clean(editor, "new procedure form")
	editor.run(t,
		chromedp.SetValue(chromedp.CSS("#f-slug"), slug),
		chromedp.SetValue(chromedp.CSS("#f-code"), code),
		chromedp.SetValue(chromedp.CSS("#f-title"), title),
		chromedp.SetValue(chromedp.CSS("#f-summary"), "Controllo dei "+word+" e delle loro autorizzazioni nei contratti pubblici."),
		chromedp.SetValue(chromedp.CSS("#f-task_force"), "APP"),
		chromedp.SetValue(chromedp.CSS("#f-accepts_requests"), "true"),
		chromedp.SetValue(chromedp.CSS("#f-office"), "Ufficio Contratti"),
		chromedp.SetValue(chromedp.CSS("#f-responsible"), "Responsabile unico del progetto"),
		chromedp.SetValue(chromedp.CSS("#f-legal_basis"), "D.Lgs. 36/2023, art. 119\nD.Lgs. 36/2023, Allegato II.12"),
		chromedp.SetValue(chromedp.CSS("#f-duration"), "30 giorni"),
		chromedp.SetValue(chromedp.CSS("#f-costs"), "Nessuno"),
		chromedp.SetValue(chromedp.CSS("#f-documents"), "Contratto di subappalto\nDichiarazione dei requisiti"),
		chromedp.SetValue(chromedp.CSS("#f-body"), body),
		chromedp.Click(chromedp.CSS("button[value=anteprima]")),
		chromedp.WaitReady(chromedp.CSS("#preview")),
	)
	if got := eval[string](t, editor, "document.querySelector('#preview .pass-preview h2').textContent"); got != "Quando serve" {
		t.Errorf("preview heading %q", got)
	}
	if !eval[bool](t, editor, `!!document.querySelector('#preview img[alt="`+alt+`"][src^="/media/"]') && !!document.querySelector('#preview a[href="`+fileURL+`"]')`) {
		t.Error("the preview lacks the image or the attachment")
	}
	clean(editor, "preview")
	editor.run(t, chromedp.Click(chromedp.CSS("button[value=salva]")), chromedp.WaitReady(chromedp.CSS("#entry-state")))
	if got := eval[string](t, editor, "location.pathname"); got != entry {
		t.Fatalf("saved at %q", got)
	}
	state(editor, "draft")
	editor.run(t, chromedp.Click(chromedp.CSS("form[action$='/passi/submit'] button")))
	state(editor, "review")

	publisher := newTab(t)
	devLogin(t, publisher, s, "caporedattore")
	publisher.setScripts(t, js)
	publisher.run(t, chromedp.Navigate(s.URL+entry), chromedp.WaitReady(chromedp.CSS("#step-comment")))
	clean(publisher, "review page")
	publisher.run(t,
		chromedp.SetValue(chromedp.CSS("#step-comment"), "Indica i giorni lavorativi, non di calendario."),
		chromedp.Click(chromedp.CSS("form[action$='/passi/request_changes'] button")),
	)
	state(publisher, "draft")

	editor.open(t, s.URL+entry, chromedp.WaitReady(chromedp.CSS(".pass-comment")),
		chromedp.SetValue(chromedp.CSS("#f-duration"), "30 giorni lavorativi"))
	if c := eval[string](t, editor, "document.querySelector('.pass-comment').textContent"); !strings.Contains(c, "lavorativi") {
		t.Errorf("comment shown: %q", c)
	}
	editor.clickAndLoad(t, "button[value=salva]", "form[action$='/passi/submit'] button")
	editor.run(t, chromedp.Click(chromedp.CSS("form[action$='/passi/submit'] button")))
	state(editor, "review")

	// Scheduled a few seconds ahead, in Italian time as the form says; the job publishes it.
	at := time.Now().In(romeClock()).Add(6 * time.Second).Format("2006-01-02T15:04:05")
	publisher.open(t, s.URL+entry, chromedp.WaitReady(chromedp.CSS("#step-publish_at")),
		chromedp.SetValue(chromedp.CSS("#step-publish_at"), at))
	publisher.run(t, chromedp.Click(chromedp.CSS("form[action$='/passi/schedule'] button")))
	state(publisher, "scheduled")
	clean(publisher, "scheduled entry")
	waitUntil(t, 40*time.Second, "the scheduled sheet published", func() bool {
		var v struct {
			FrontMatter struct{ Code string } `json:"front_matter"`
		}
		return getJSON(t, s.URL+"/api/v1/content/procedure/"+slug, &v) == http.StatusOK && v.FrontMatter.Code == code
	})

	// The API, the catalogue and the sheet.
	var got struct {
		FrontMatter struct {
			Code, Duration, TaskForce string
			Documents                 []string
		} `json:"front_matter"`
	}
	getJSON(t, s.URL+"/api/v1/content/procedure/"+slug, &got)
	if got.FrontMatter.Duration != "30 giorni lavorativi" || got.FrontMatter.Documents[1] != "Dichiarazione dei requisiti" {
		t.Errorf("API front matter: %+v", got.FrontMatter)
	}
	visitor := newTab(t)
	visitor.setScripts(t, js)
	visitor.run(t, chromedp.Navigate(s.URL+"/procedure"), chromedp.WaitReady(chromedp.CSS("footer#footer")))
	if !eval[bool](t, visitor, `!!document.querySelector('main a[href="/procedure/`+slug+`"]')`) {
		t.Error("the catalogue does not list the new sheet")
	}
	visitor.run(t, chromedp.Navigate(s.URL+"/procedure/"+slug), chromedp.WaitReady(chromedp.CSS("footer#footer")))
	main := eval[string](t, visitor, "document.querySelector('main').textContent")
	for _, want := range []string{title, code, "Ufficio Contratti", "30 giorni lavorativi", "Allegato II.12", "Contratto di subappalto"} {
		if !strings.Contains(main, want) {
			t.Errorf("the public sheet lacks %q", want)
		}
	}
	if !eval[bool](t, visitor, `!!document.querySelector('main img[alt="`+alt+`"][src^="/media/"]')`) {
		t.Error("the public sheet lacks the image")
	}
	if js {
		waitFor(t, visitor, `(() => { const i = document.querySelector('main img[src^="/media/"]'); return i.complete && i.naturalWidth === 48; })()`, "the image loaded")
	}
	if !eval[bool](t, visitor, `!!document.querySelector('main a[href="`+fileURL+`"]')`) {
		t.Error("the public sheet lacks the attachment")
	}
	res, err := http.Get(s.URL + fileURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("the attachment answers %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	clean(visitor, "public sheet")

	// The search finds it by a word of its summary, misspelt.
	typo := word[:len(word)-2] + "o"
	waitUntil(t, 20*time.Second, "the sheet in the search", func() bool {
		visitor.run(t, chromedp.Navigate(s.URL+"/cerca?q="+typo), chromedp.WaitReady(chromedp.CSS("footer#footer")))
		return eval[bool](t, visitor, `!!document.querySelector('li.pass-hit a[href="/procedure/`+slug+`"]')`)
	})

	// The mayor can now file a request on it.
	mayor := newTab(t)
	devLogin(t, mayor, s, "sindaco-registrato")
	mayor.setScripts(t, js)
	mayor.run(t, chromedp.Navigate(s.URL+"/area-riservata/richieste/nuova"), chromedp.WaitReady(chromedp.CSS("#req-procedure")))
	if !eval[bool](t, mayor, `!!document.querySelector('#req-procedure option[value="`+code+`"]')`) {
		t.Error("the request form does not offer the new procedure")
	}

	// The webhook receiver got the signed publication.
	var d hookDelivery
	waitUntil(t, 30*time.Second, "the webhook delivery", func() bool {
		var ok bool
		d, ok = rc.find("content.published", slug)
		return ok
	})
	if !signedBy(ep.Secret, d) {
		t.Errorf("the delivery's signature does not verify: %v", d.Header)
	}
	for _, tb := range []*tab{editor, publisher, visitor, mayor} {
		if p := tb.take(); len(p) > 0 {
			t.Errorf("the pages reported %v", p)
		}
	}
}

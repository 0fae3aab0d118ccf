package newsroom_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apptest"
	"passhub/app/content"
	"passhub/app/identity"
)

type room struct {
	s                        *apptest.Server
	editor, publisher, admin string
}

func open(t *testing.T) *room {
	t.Helper()
	s := apptest.Start(t)
	r := &room{s: s}
	login := func(first15, name, role string) string {
		cookie := s.Login(t, apptest.FiscalCode(first15), name, "Test")
		u, err := s.Identity.Authenticate(context.Background(), strings.TrimPrefix(strings.Split(cookie, ";")[0], "pass_session="))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Identity.Grant(context.Background(), identity.Actor{Name: "test"}, u.User.ID, role, ""); err != nil {
			t.Fatal(err)
		}
		return cookie
	}
	r.editor = login("RDTRDT80A01F205", "Redattore", identity.RoleEditor)
	r.publisher = login("CPRCPR80A01F205", "Capo", identity.RolePublisher)
	r.admin = login("DMNDMN80A01F205", "Admin", identity.RoleAdmin)
	return r
}

// rev is the id of the latest revision of t/slug, as the entry's forms carry it.
func (r *room) rev(t *testing.T, typ content.Type, slug string) string {
	t.Helper()
	w, err := r.s.Content.Work(context.Background(), typ, slug)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(w.Head.ID, 10)
}

func news(title, date, body string) url.Values {
	return url.Values{"title": {title}, "summary": {"Un avviso per i Comuni."}, "date": {date}, "tags": {"bandi\nredazione"}, "body": {body}}
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, x := range v {
		out[k] = x
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// TestNewsroomPages plays the editor's and the publisher's day on the pages: a news item is
// written, previewed, refused while invalid, saved, submitted, sent back, fixed over a conflict,
// scheduled (refused in the past) and published, and the public page shows it.
func TestNewsroomPages(t *testing.T) {
	t.Parallel()
	r := open(t)
	const slug = "bando-digitale"
	entry := "/redazione/contenuti/news/" + slug
	body := "## Il bando\n\nContributi per la **transizione digitale**.\n"
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "dashboard", As: r.editor, Path: "/redazione", Status: 200,
			Has: map[string]string{"h1": "Redazione", "a[href='/redazione/nuovo/news']": "Notizia", "#mine-title": "Le mie bozze",
				"#outgoing-title": "In uscita", "nav a[href='/redazione']": "Redazione"}},
		{Name: "dashboard in English", As: r.editor, Path: "/redazione", Lang: "en", Status: 200,
			Has: map[string]string{"h1": "Newsroom", "#review-title": "Waiting for review"}},
		{Name: "the form of a news item", As: r.editor, Path: "/redazione/nuovo/news", Status: 200,
			Has: map[string]string{"label[for='f-title']": "Titolo *", "input#f-date[type='date']": "", "textarea#f-tags": "",
				"textarea#f-body": "", "button[value='anteprima']": "Anteprima"},
			Lacks: []string{"form[action$='/passi/publish']"}},
		{Name: "invalid: errors beside the fields, text kept", As: r.editor, Method: "POST", Path: "/redazione/nuovo/news",
			Form: with(news("Bando digitale", "4 dicembre", body), "azione", "salva", "slug", slug), Status: 422,
			Has: map[string]string{".pass-error-summary a[href='#f-date']": "Data", "#f-date-error": "AAAA-MM-GG",
				"#f-date[aria-invalid='true'][aria-describedby~='f-date-error']": "", "textarea#f-body": "transizione digitale"},
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				if v, _ := doc.Find("#f-title").Attr("value"); v != "Bando digitale" {
					t.Errorf("title not kept: %q", v)
				}
			}},
		{Name: "preview renders as the public page, saves nothing", As: r.editor, Method: "POST", Path: "/redazione/nuovo/news",
			Form: with(news("Bando digitale", "2026-12-04", body), "azione", "anteprima", "slug", slug), Status: 200,
			Has: map[string]string{"#preview .pass-preview h2": "Il bando", "#preview strong": "transizione digitale"}},
		{Name: "nothing was saved by the preview", As: r.editor, Path: "/redazione/contenuti", Form: url.Values{"parole": {"bando digitale"}}, Status: 200,
			Has: map[string]string{"#desk-count": "0 contenuti"}},
		{Name: "save the draft", As: r.editor, Method: "POST", Path: "/redazione/nuovo/news",
			Form: with(news("Bando digitale", "2026-12-04", body), "azione", "salva", "slug", slug), Status: 303, Location: entry, Events: []string{}},
		{Name: "a slug taken", As: r.editor, Method: "POST", Path: "/redazione/nuovo/news",
			Form: with(news("Bando digitale", "2026-12-04", body), "azione", "salva", "slug", slug), Status: 422,
			Has: map[string]string{"#f-slug-error": "Esiste già"}},
		{Name: "the draft: the editor may submit, not publish", As: r.editor, Path: entry, Status: 200,
			Has:   map[string]string{"#entry-state": "Bozza", "form[action='" + entry + "/passi/submit'] button": "Invia in revisione", "#history tbody tr": "Bozza"},
			Lacks: []string{"form[action='" + entry + "/passi/publish']", "form[action='" + entry + "/passi/request_changes']"}},
		{Name: "not public yet", Path: "/notizie/" + slug, Status: 404},
		{Name: "the list filters by type, state, author and words", As: r.publisher, Path: "/redazione/contenuti",
			Form: url.Values{"tipo": {"news"}, "stato": {"draft"}, "parole": {"digitale"}}, Status: 200,
			Has: map[string]string{"#desk-count": "1 contenuto trovato", ".pass-desk-item a[href='" + entry + "']": "Bando digitale"}},
		{Name: "the publisher is not its author", As: r.publisher, Path: "/redazione/contenuti", Form: url.Values{"autore": {"io"}, "tipo": {"news"}}, Status: 200,
			Has: map[string]string{"#desk-count": "0 contenuti"}},
	})
	first := r.rev(t, content.TypeNews, slug)
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "an editor cannot publish", As: r.editor, Method: "POST", Path: entry + "/passi/publish", Form: url.Values{"rev": {first}}, Status: 403,
			Has: map[string]string{".pass-error-summary": "Solo un caporedattore"}},
		{Name: "submit", As: r.editor, Method: "POST", Path: entry + "/passi/submit", Form: url.Values{"rev": {first}}, Status: 303, Location: entry,
			Events: []string{"content.submitted"}},
		{Name: "in review the editor cannot save", As: r.editor, Path: entry, Status: 200,
			Has: map[string]string{"#entry-state": "In revisione"}, Lacks: []string{"button[value='salva']"}},
		{Name: "waiting for the publisher's review", As: r.publisher, Path: "/redazione", Status: 200,
			Has: map[string]string{"#review-title + .table-responsive a[href='" + entry + "']": "Bando digitale"}},
		{Name: "a request for changes needs a comment", As: r.publisher, Method: "POST", Path: entry + "/passi/request_changes",
			Form: url.Values{"rev": {first}, "comment": {" "}}, Status: 422,
			Has: map[string]string{"#step-comment-error": "Scrivi che cosa", "#step-comment[aria-invalid='true']": ""}},
		{Name: "ask for changes", As: r.publisher, Method: "POST", Path: entry + "/passi/request_changes",
			Form: url.Values{"rev": {first}, "comment": {"Indica la scadenza del bando."}}, Status: 303, Events: []string{"content.changes_requested"}},
		{Name: "the author sees the comment", As: r.editor, Path: entry, Status: 200,
			Has: map[string]string{".pass-comment": "Indica la scadenza", "#entry-state": "Bozza"}},
		{Name: "the author fixes it", As: r.editor, Method: "POST", Path: entry,
			Form: with(news("Bando digitale", "2026-12-04", body+"\nScadenza: 31 gennaio.\n"), "azione", "salva", "rev", first), Status: 303},
		{Name: "a save from the old revision is refused, the text kept", As: r.admin, Method: "POST", Path: entry,
			Form: with(news("Bando digitale", "2026-12-04", "Testo dell'amministratrice.\n"), "azione", "salva", "rev", first), Status: 409,
			Has: map[string]string{".pass-error-summary": "Il tuo testo non è andato perso", "textarea#f-body": "Testo dell'amministratrice."}},
	})
	second := r.rev(t, content.TypeNews, slug)
	privacy := r.rev(t, content.TypePage, "privacy")
	tomorrow := time.Now().Add(24 * time.Hour).Format("2006-01-02T15:04")
	past := time.Now().Add(-time.Hour).In(time.FixedZone("CET", 3600)).Format("2006-01-02T15:04")
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "a step on an old revision is refused", As: r.editor, Method: "POST", Path: entry + "/passi/submit", Form: url.Values{"rev": {first}}, Status: 409,
			Has: map[string]string{".pass-error-summary": "modificato da qualcun altro"}},
		{Name: "submit again", As: r.editor, Method: "POST", Path: entry + "/passi/submit", Form: url.Values{"rev": {second}}, Status: 303},
		{Name: "a schedule in the past is refused", As: r.publisher, Method: "POST", Path: entry + "/passi/schedule",
			Form: url.Values{"rev": {second}, "publish_at": {past}}, Status: 422,
			Has: map[string]string{"#step-publish_at-error": "già passate", "#step-publish_at[aria-invalid='true']": ""}},
		{Name: "publish", As: r.publisher, Method: "POST", Path: entry + "/passi/publish", Form: url.Values{"rev": {second}}, Status: 303,
			Events: []string{"content.changed", "content.published"}},
		{Name: "the public page", Path: "/notizie/" + slug, Status: 200, Has: map[string]string{"h1": "Bando digitale"}, Text: []string{"Scadenza: 31 gennaio."}},
		{Name: "the public listing", Path: "/notizie", Status: 200, Has: map[string]string{"a[href='/notizie/" + slug + "']": "Bando digitale"}},
		{Name: "recently published, with its history", As: r.editor, Path: entry, Status: 200,
			Has: map[string]string{"#entry-state": "Pubblicato", "a[href='/notizie/" + slug + "']": "pagina pubblica"},
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				if n := doc.Find("#history tbody tr").Length(); n != 2 {
					t.Errorf("history has %d revisions, want 2", n)
				}
			}},
		{Name: "schedule the withdrawal of a live page", As: r.publisher, Method: "POST", Path: "/redazione/contenuti/page/privacy/passi/schedule",
			Form: url.Values{"rev": {privacy}, "unpublish_at": {tomorrow}}, Status: 303, Events: []string{"content.scheduled"}},
		{Name: "it is in the coming-up list", As: r.editor, Path: "/redazione", Status: 200,
			Has: map[string]string{".pass-outgoing a[href='/redazione/contenuti/page/privacy']": "", ".pass-outgoing li": "ritiro"}},
		{Name: "an editor cannot schedule", As: r.editor, Method: "POST", Path: entry + "/passi/schedule",
			Form: url.Values{"rev": {second}, "unpublish_at": {tomorrow}}, Status: 403},
		{Name: "a time that is not one", As: r.publisher, Method: "POST", Path: entry + "/passi/schedule",
			Form: url.Values{"rev": {second}, "unpublish_at": {"domani"}}, Status: 422, Has: map[string]string{"#step-unpublish_at-error": "AAAA-MM-GG"}},
		{Name: "an unknown step", As: r.publisher, Method: "POST", Path: entry + "/passi/vola", Form: url.Values{"rev": {second}}, Status: 404},
		{Name: "an unknown type", As: r.editor, Path: "/redazione/nuovo/ricetta", Status: 404},
		{Name: "an unknown entry", As: r.editor, Path: "/redazione/contenuti/news/nessuna", Status: 404},
	})
}

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

// TestRevisionsCompareRestoreConflict: two revisions are compared word by word (the body and
// each field), an old one is restored as a new draft through the save's rules, and a save over
// a moved entry shows both versions and their difference with the typed text still in the form.
func TestRevisionsCompareRestoreConflict(t *testing.T) {
	t.Parallel()
	r := open(t)
	const slug = "citta-digitale"
	entry := "/redazione/contenuti/news/" + slug
	v1 := "La città è più bella.\n\nPerché sì.\n"
	v2 := "La città è meno bella.\n\nPerché sì.\n"
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "first revision", As: r.editor, Method: "POST", Path: "/redazione/nuovo/news",
			Form: with(news("Città digitale", "2026-12-04", v1), "azione", "salva", "slug", slug), Status: 303, Location: entry},
	})
	first := r.rev(t, content.TypeNews, slug)
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "second revision", As: r.editor, Method: "POST", Path: entry,
			Form: with(news("Città digitale", "2026-12-05", v2), "azione", "salva", "rev", first), Status: 303},
		{Name: "the history offers the comparison", As: r.editor, Path: entry, Status: 200,
			Has: map[string]string{"form#history-compare[method='get'][action='" + entry + "/confronto'] label[for='hist-da']": "Dalla revisione",
				"#hist-da option[selected][value='1']": "revisione 1", "#hist-a option[value='2']": "revisione 2"}},
		{Name: "compare 1 and 2, word by word", As: r.editor, Path: entry + "/confronto?da=1&a=2", Status: 200,
			Has: map[string]string{"h1": "Confronto tra le revisioni 1 e 2", ".pass-change:last-of-type h3": "Testo",
				".pass-change:last-of-type ins": "meno", ".pass-change:last-of-type del": "più", ".pass-change:first-of-type ins": "05", "ins .visually-hidden": "inserito:", "del .visually-hidden": "eliminato:",
				"#unchanged": "Titolo", "#cmp-da option[selected]": "revisione 1", "#cmp-a option[selected]": "revisione 2",
				"form[action='" + entry + "/ripristina'] input[name='numero'][value='1']": "",
				"form[action='" + entry + "/ripristina'] button":                          "Ripristina la revisione 1 come bozza"},
			Lacks: []string{"input[name='numero'][value='2']"},
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				var labels []string
				doc.Find(".pass-change h3").Each(func(_ int, s *goquery.Selection) { labels = append(labels, s.Text()) })
				if strings.Join(labels, ",") != "Data,Testo (Markdown)" {
					t.Errorf("changed fields %q, want the date and the body", labels)
				}
				if got := doc.Find(".pass-change:last-of-type .pass-diff-text").Text(); !strings.Contains(got, "La città è eliminato: più (fine)inserito: meno (fine) bella.") {
					t.Errorf("body difference as read aloud: %q", got)
				}
				if strings.Contains(doc.Find("#unchanged").Text(), "Data") {
					t.Error("the changed date is listed as unchanged")
				}
			}},
		{Name: "in English", As: r.editor, Path: entry + "/confronto?da=1&a=2", Lang: "en", Status: 200,
			Has: map[string]string{"h1": "Comparing revisions 1 and 2", "ins .visually-hidden": "inserted:", "#unchanged": "Unchanged fields:"}},
		{Name: "by default the last two", As: r.publisher, Path: entry + "/confronto", Status: 200,
			Has: map[string]string{"h1": "revisioni 1 e 2"}},
		{Name: "a revision with itself", As: r.editor, Path: entry + "/confronto?da=2&a=2", Status: 200,
			Has: map[string]string{"#no-changes": "identiche"}, Lacks: []string{"ins", "del"}},
		{Name: "a revision that is not there", As: r.editor, Path: entry + "/confronto?da=9&a=2", Status: 404},
		{Name: "a restore over an old revision is refused", As: r.editor, Method: "POST", Path: entry + "/ripristina",
			Form: url.Values{"numero": {"1"}, "rev": {first}}, Status: 409, Has: map[string]string{".pass-error-summary": "modificato da qualcun altro"}},
	})
	second := r.rev(t, content.TypeNews, slug)
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "restore revision 1", As: r.editor, Method: "POST", Path: entry + "/ripristina",
			Form: url.Values{"numero": {"1"}, "rev": {second}}, Status: 303, Location: entry, Events: []string{"content.restored"}},
	})
	w, err := r.s.Content.Work(context.Background(), content.TypeNews, slug)
	if err != nil {
		t.Fatal(err)
	}
	if w.Head.Number != 3 || w.Head.State != content.StateDraft || w.Doc.Body != v1 || w.Doc.Front.Date.Format("2006-01-02") != "2026-12-04" {
		t.Errorf("after the restore: revision %d %s, body %q, date %v", w.Head.Number, w.Head.State, w.Doc.Body, w.Doc.Front.Date)
	}
	third := strconv.FormatInt(w.Head.ID, 10)
	mine := "La città è bellissima.\n\nPerché sì.\n"
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "restored: 1 and 3 are the same", As: r.editor, Path: entry + "/confronto?da=1&a=3", Status: 200,
			Has: map[string]string{"#no-changes": "identiche"}},
		{Name: "the audit says so", As: r.admin, Path: "/admin/audit", Status: 200, Text: []string{"content.restore"}},
		{Name: "a save over the moved entry shows both sides", As: r.admin, Method: "POST", Path: entry,
			Form: with(news("Città digitale", "2026-12-04", mine), "azione", "salva", "rev", second), Status: 409,
			Has: map[string]string{".pass-error-summary": "Il tuo testo non è andato perso", "textarea#f-body": "bellissima",
				"input[name='rev'][value='" + third + "']": "", "#conflict .pass-theirs": "più bella", "#conflict .pass-mine": "bellissima",
				"#conflict .pass-conflict-diff ins": "bellissima", "#conflict .pass-conflict-diff del": "più bella", "#conflict h3": "Testo"},
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				if n := doc.Find("#conflict .pass-change").Length(); n != 1 {
					t.Errorf("%d fields in conflict, want only the body", n)
				}
			}},
		{Name: "the conflict in English", As: r.admin, Method: "POST", Path: entry, Lang: "en",
			Form: with(news("Città digitale", "2026-12-04", mine), "azione", "salva", "rev", second), Status: 409,
			Has: map[string]string{"#conflict-title": "Your text and the latest saved revision", "#conflict .pass-conflict-diff ins .visually-hidden": "inserted:"}},
		{Name: "submit the restored draft", As: r.editor, Method: "POST", Path: entry + "/passi/submit", Form: url.Values{"rev": {third}}, Status: 303},
		{Name: "in review the editor may not restore", As: r.editor, Method: "POST", Path: entry + "/ripristina",
			Form: url.Values{"numero": {"2"}, "rev": {third}}, Status: 409, Has: map[string]string{".pass-error-summary": "non è possibile"}},
		{Name: "nor sees the button", As: r.editor, Path: entry + "/confronto?da=2&a=3", Status: 200, Lacks: []string{"form[action$='/ripristina']"}},
		{Name: "the publisher may", As: r.publisher, Method: "POST", Path: entry + "/ripristina",
			Form: url.Values{"numero": {"2"}, "rev": {third}}, Status: 303, Events: []string{"content.restored"}},
	})
}

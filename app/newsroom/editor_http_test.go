package newsroom_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apptest"
	"passhub/app/content"
)

// TestLivePreview: POST /redazione/anteprima/:type renders the form's body exactly as the
// public page renders the same body, says in a short message which field is wrong, saves
// nothing, and needs the CSRF token and the newsroom's access.
func TestLivePreview(t *testing.T) {
	t.Parallel()
	r := open(t)
	w, err := r.s.Content.Work(context.Background(), content.TypePage, "privacy")
	if err != nil {
		t.Fatal(err)
	}
	res, page := r.s.Get(t, "/pagine/privacy")
	if res.StatusCode != 200 {
		t.Fatalf("public page: %d", res.StatusCode)
	}
	public, err := apptest.Parse(t, page).Find(".pass-prose").Html()
	if err != nil || len(public) < 500 {
		t.Fatalf("public body: %v %.100q", err, public)
	}
	form := url.Values{"title": {w.Entry.Title}, "summary": {"Un riassunto."}, "body": {w.Doc.Body}}
	outsider := r.s.Login(t, apptest.FiscalCode("STRSTR80A01F205"), "Estraneo", "Test")
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "the fragment is the public page's body", As: r.editor, Method: "POST", Path: "/redazione/anteprima/page", Form: form, Status: 200,
			Events: []string{},
			Check: func(t *testing.T, res *http.Response, doc *goquery.Document) {
				got, _ := doc.Find(".pass-preview").Html()
				if got != public {
					t.Errorf("preview differs from the public page:\n got %.300q\nwant %.300q", got, public)
				}
				if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Errorf("Content-Type %q", ct)
				}
				if doc.Find("html body header, footer").Length() != 0 {
					t.Error("the fragment carries the layout")
				}
			}},
		{Name: "raw HTML and scripts are dropped", As: r.editor, Method: "POST", Path: "/redazione/anteprima/page",
			Form: with(form, "body", "Testo <script>alert(1)</script> e [link](javascript:alert(1)).\n"), Status: 200,
			Lacks: []string{"script", "a[href^='javascript']"}, Has: map[string]string{".pass-preview p": "Testo"}},
		{Name: "a wrong field: a short message, nothing else", As: r.editor, Method: "POST", Path: "/redazione/anteprima/news",
			Form: news("Bando", "4 dicembre", "Testo.\n"), Status: 422,
			Has: map[string]string{".pass-live-preview-error[data-error]": "Data: Scrivi una data nel formato AAAA-MM-GG."}, Lacks: []string{".pass-preview"}},
		{Name: "in English", As: r.editor, Lang: "en", Method: "POST", Path: "/redazione/anteprima/news",
			Form: news("Bando", "", "Testo.\n"), Status: 422, Has: map[string]string{"[data-error]": "Date:"}},
		{Name: "an unknown type", As: r.editor, Method: "POST", Path: "/redazione/anteprima/nope", Form: form, Status: 404},
		{Name: "without the CSRF token", As: r.editor, Method: "POST", Path: "/redazione/anteprima/page", Form: form, NoCSRF: true, Status: 403},
		{Name: "anonymous", Method: "POST", Path: "/redazione/anteprima/page", Form: form, Status: 401},
		{Name: "a user who may not write content", As: outsider, Method: "POST", Path: "/redazione/anteprima/page", Form: form, Status: 403},
		{Name: "nothing saved", As: r.editor, Path: "/redazione/contenuti", Form: url.Values{"parole": {"Bando"}}, Status: 200,
			Has: map[string]string{"#desk-count": "0 contenuti"}},
		{Name: "the editor page carries the enhancements, hidden", As: r.editor, Path: "/redazione/contenuti/page/privacy", Status: 200,
			Has: map[string]string{
				"#editor-toolbar[role='toolbar'][hidden][aria-controls='f-body'] button[data-md='bold'][aria-label='Grassetto'][aria-keyshortcuts]": "",
				"#live-preview[hidden][data-url='/redazione/anteprima/page'] #live-preview-status[aria-live='polite']":                              "",
				"#entry-form input[name='rev_hash'][value='" + w.Head.Hash + "']":                                                                   "",
				"script[src*='js/editor']": "",
			},
			Lacks: []string{"#autosave-status"}}, // a published revision is not autosaved
		{Name: "the toolbar's names in English", As: r.editor, Lang: "en", Path: "/redazione/nuovo/news", Status: 200,
			Has:   map[string]string{"#editor-toolbar[aria-label='Text formatting'] button[data-md='numbers'][aria-label='Numbered list']": ""},
			Lacks: []string{"#autosave-status"}}, // a new entry is saved by hand first
	})
}

// autosave posts the entry form to …/autosalva as who and decodes the answer.
func (r *room) autosave(t *testing.T, who, entry string, form url.Values) (int, map[string]any) {
	t.Helper()
	res, body := r.s.Play(t, apptest.Scenario{As: who, Method: "POST", Path: entry + "/autosalva", Form: form})
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("autosave answer %d: %v: %.200s", res.StatusCode, err, body)
	}
	return res.StatusCode, out
}

// TestAutosaveHTTP: the author's autosaves rewrite their draft in place (same rev, no event, no new
// history line) and give the new source hash; another user's adds a revision; an autosave or a
// save from a form that missed a change is refused (409) and the autosave says why; invalid
// fields save nothing and say so.
func TestAutosaveHTTP(t *testing.T) {
	t.Parallel()
	r := open(t)
	const slug = "bozza-in-corso"
	entry := "/redazione/contenuti/news/" + slug
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "save", As: r.editor, Method: "POST", Path: "/redazione/nuovo/news", Form: with(news("Bozza in corso", "2026-12-04", "Prima.\n"), "azione", "salva", "slug", slug), Status: 303},
		{Name: "the draft's page autosaves", As: r.editor, Path: entry, Status: 200,
			Has: map[string]string{"#autosave-status[role='status'][aria-live='polite'][hidden][data-url='" + entry + "/autosalva']": ""}},
	})
	w, _ := r.s.Content.Work(context.Background(), content.TypeNews, slug)
	rev, hash := r.rev(t, content.TypeNews, slug), w.Head.Hash
	form := func(body, rev, hash string) url.Values {
		return with(news("Bozza in corso", "2026-12-04", body), "rev", rev, "rev_hash", hash)
	}

	r.s.TakeEvents()
	code, got := r.autosave(t, r.editor, entry, form("Seconda.\n", rev, hash))
	if code != 200 || got["rev"] != float64(w.Head.ID) || got["in_place"] != true ||
		!strings.HasPrefix(got["status"].(string), "Bozza salvata alle ") || got["hash"] == hash {
		t.Fatalf("autosave in place: %d %v", code, got)
	}
	if ev := r.s.TakeEvents(); len(ev) != 0 {
		t.Errorf("an autosave in place committed %v", ev)
	}
	newHash := got["hash"].(string)
	code, got = r.autosave(t, r.editor, entry, form("Terza.\n", rev, newHash))
	if code != 200 || got["in_place"] != true {
		t.Fatalf("second autosave: %d %v", code, got)
	}
	newHash = got["hash"].(string)
	w, _ = r.s.Content.Work(context.Background(), content.TypeNews, slug)
	if len(w.History) != 1 || !strings.Contains(w.Doc.Body, "Terza") || w.Head.Hash != newHash {
		t.Errorf("after autosaves: %d revisions, body %q", len(w.History), w.Doc.Body)
	}

	// Invalid: nothing saved, the status line says why.
	bad := form("Quarta.\n", rev, newHash)
	bad.Set("date", "4 dicembre")
	code, got = r.autosave(t, r.editor, entry, bad)
	if code != 422 || got["error"] != "invalid" || got["field"] != "date" || !strings.Contains(got["status"].(string), "Bozza non salvata: Data: Scrivi una data") {
		t.Errorf("invalid autosave: %d %v", code, got)
	}

	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "a save from a form opened before the autosaves is a conflict", As: r.editor, Method: "POST", Path: entry,
			Form: with(form("Da un'altra scheda.\n", rev, hash), "azione", "salva"), Status: 409,
			Has: map[string]string{"#conflict": "", "#f-body": "Da un'altra scheda.", "input[name='rev_hash'][value='" + newHash + "']": ""}},
		{Name: "without the CSRF token", As: r.editor, Method: "POST", Path: entry + "/autosalva", Form: form("x\n", rev, newHash), NoCSRF: true, Status: 403},
		{Name: "anonymous", Method: "POST", Path: entry + "/autosalva", Form: form("x\n", rev, newHash), Status: 401},
		{Name: "a user who may not write content", As: r.s.Login(t, apptest.FiscalCode("STRSTR80A01F205"), "Estraneo", "Test"), Method: "POST",
			Path: entry + "/autosalva", Form: form("x\n", rev, newHash), Status: 403},
	})

	// Someone else autosaves: a new revision of theirs; the editor's next autosave is refused.
	code, got = r.autosave(t, r.admin, entry, form("Dell'amministratore.\n", rev, newHash))
	if code != 200 || got["in_place"] != false || got["rev"] == float64(w.Head.ID) {
		t.Fatalf("another user's autosave: %d %v", code, got)
	}
	code, got = r.autosave(t, r.editor, entry, form("Ancora mia.\n", rev, newHash))
	if code != 409 || got["error"] != "moved" || !strings.Contains(got["status"].(string), "un'altra revisione") {
		t.Errorf("autosave after another save: %d %v", code, got)
	}
	w, _ = r.s.Content.Work(context.Background(), content.TypeNews, slug)
	if len(w.History) != 2 || !strings.Contains(w.Doc.Body, "amministratore") {
		t.Errorf("history: %d, body %q", len(w.History), w.Doc.Body)
	}
	// Submitted for review: no autosave.
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "submit", As: r.admin, Method: "POST", Path: entry + "/passi/submit", Form: url.Values{"rev": {r.rev(t, content.TypeNews, slug)}}, Status: 303},
		{Name: "the page no longer autosaves", As: r.admin, Path: entry, Status: 200, Lacks: []string{"#autosave-status"}},
	})
	code, got = r.autosave(t, r.admin, entry, form("In revisione.\n", r.rev(t, content.TypeNews, slug), ""))
	if code != 409 || got["error"] != "step" {
		t.Errorf("autosave of a revision in review: %d %v", code, got)
	}
}

// TestReferenceSelect: a reference field is a select of the published task forces (title and
// code, the code as value), the current value selected; a value none of them has stays, marked.
func TestReferenceSelect(t *testing.T) {
	t.Parallel()
	r := open(t)
	const entry = "/redazione/contenuti/procedure/affidamenti-sotto-soglia"
	w, err := r.s.Content.Work(context.Background(), content.TypeProcedure, "affidamenti-sotto-soglia")
	if err != nil {
		t.Fatal(err)
	}
	values := content.FormValues(w.Def, w.Doc)
	form := url.Values{"body": {w.Doc.Body}, "rev": {r.rev(t, content.TypeProcedure, "affidamenti-sotto-soglia")}, "azione": {"anteprima"}}
	for k, v := range values {
		form.Set(k, v)
	}
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "the new procedure form", As: r.editor, Path: "/redazione/nuovo/procedure", Status: 200,
			Has: map[string]string{"select#f-task_force[aria-required='true'][aria-describedby='f-task_force-hint'] option[value='APP']": "Appalti (APP)",
				"select#f-task_force option[value='VA']": "(VA)", "#f-task_force-hint": "Task Force pubblicate"},
			Lacks: []string{"input#f-task_force", "select#f-task_force option[selected]"},
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				if n := doc.Find("select#f-task_force option").Length(); n != 7 { // "–" and the six task forces
					t.Errorf("%d options", n)
				}
			}},
		{Name: "the procedure's own task force is selected", As: r.editor, Path: entry, Status: 200,
			Has: map[string]string{"select#f-task_force option[value='APP'][selected]": "Appalti"}},
		{Name: "an unknown value stays, marked", As: r.editor, Method: "POST", Path: entry, Form: with(form, "task_force", "ZZ"), Status: 200,
			Has:   map[string]string{"select#f-task_force option[value='ZZ'][selected]": "ZZ (sconosciuta)", "#preview": ""},
			Lacks: []string{"select#f-task_force option[value='APP'][selected]"}},
		{Name: "the import's rule still checks the value", As: r.editor, Method: "POST", Path: entry, Form: with(form, "task_force", "zz", "azione", "salva"), Status: 422,
			Has: map[string]string{"#f-task_force-error": "codice di una Task Force", "select#f-task_force option[value='zz'][selected]": "zz"}},
	})
}

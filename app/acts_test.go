package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/acts"
	"passhub/app/apptest"
	"passhub/app/content"
)

const determina = "determina-affidamento-diretto"

// determinaAnswers are good answers to the shipped determina, with the action to take.
func determinaAnswers(action string, kv ...string) url.Values {
	v := url.Values{"_action": {action}, "servizio": {"Area tecnica"}, "numero": {""},
		"oggetto": {"Manutenzione del verde pubblico 2027"}, "operatore": {"Verde Srl, Cantù, P.IVA 01234567890"},
		"importo": {"38.500,00"}, "cig": {"B1234567AB"}, "capitolo": {"10960 – missione 9"}, "rup": {"Ing. Carla Rossi"},
		"motivazione": {"Prezzo congruo.\n\nRotazione rispettata."}}
	v.Set("ente", "Comune di Cantù") // the template's own field, not the ente the act is for
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// documentText is the text of a downloaded DOCX or ODT.
func documentText(t *testing.T, body []byte, part string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not a ZIP package: %v", err)
	}
	for _, f := range zr.File {
		if f.Name == part {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			return string(b)
		}
	}
	t.Fatalf("no %s in the package", part)
	return ""
}

// TestActTemplates: the shipped templates are all readable; a mayor fills one in, a refused
// answer keeps everything typed, the preview shows the act, DOCX and ODT downloads carry the
// answers and record the version used for the ente, the form picks up the latest answers; a
// person of two enti must choose one; a new version tells whoever used an older one, once.
func TestActTemplates(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ctx := context.Background()
	all, err := s.Acts.Templates(ctx)
	if err != nil || len(all) != 6 {
		t.Fatalf("%d templates shipped (%v), want 6", len(all), err)
	}
	kinds := map[string]bool{}
	for _, tp := range all {
		kinds[tp.Act] = true
		if len(tp.LegalBasis) == 0 || tp.Version < 1 {
			t.Errorf("%s: no legal basis or version %d", tp.Slug, tp.Version)
		}
	}
	if len(kinds) != len(acts.Kinds) {
		t.Errorf("the templates cover %d of the %d kinds of act", len(kinds), len(acts.Kinds))
	}

	anna := s.Login(t, apptest.FiscalCode("BNCNNA80A41C933"), "Anna", "Bianchi")
	annaID := userOf(t, s, anna)
	cantu := apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", annaID)
	paolo := s.Login(t, apptest.FiscalCode("NRIPLA85C10F205"), "Paolo", "Neri") // of two enti
	paoloID := userOf(t, s, paolo)
	milano := apptest.ApprovedEnte(t, s.App, "015146", "Milano", "MI", paoloID)
	apptest.ApprovedEnte(t, s.App, "015002", "Abbiategrasso", "MI", paoloID)
	carla := s.Login(t, apptest.FiscalCode("RSSCRL75D45F205"), "Carla", "Rossi") // of no ente
	carlaID := userOf(t, s, carla)
	page := acts.URL(determina)
	uses := func() int { return countRows(t, s, "SELECT COUNT(*) FROM act_uses") }

	apptest.RunScenarios(t, s, []apptest.Scenario{
		{Name: "the list", As: anna, Path: acts.Route, Lang: "it", Status: 200,
			Has: map[string]string{"h1": "Modelli di atto", "#acts-list": "Determina a contrarre"}},
		{Name: "a kind", As: anna, Path: acts.Route + "?tipo=ordinanza", Lang: "it", Status: 200,
			Has: map[string]string{"#acts-list": "Ordinanza contingibile"}, NoText: []string{"Determina a contrarre"}},
		{Name: "the form", As: anna, Path: page, Lang: "it", Status: 200,
			Has: map[string]string{"label[for=act-oggetto]": "Oggetto dell'affidamento", "#act-importo-help": "140.000",
				"#novita": "D.Lgs. 209/2024", "aside": "Legge 13 agosto 2010, n. 136", "aside a[href='/faq/codice-contratti-digitalizzazione']": ""},
			Lacks: []string{"#act-for-ente"}},
		{Name: "a page in English", As: anna, Path: page, Lang: "en", Status: 200, Has: map[string]string{"#acts-form-title": "Fill in the act"}},
		{Name: "an unknown template", As: anna, Path: acts.URL("non-esiste"), Status: 404},
		{Name: "refused answers keep what was typed", As: anna, Method: http.MethodPost, Path: page, Lang: "it",
			Form: determinaAnswers("docx", "oggetto", "", "importo", "trentottomila", "rup", "Ing. Carla Rossi <script>"), Status: 422,
			Has: map[string]string{".pass-error-summary a[href='#act-oggetto']": "Compila questo campo", "#act-importo-error": "Scrivi un numero",
				"#act-motivazione": "Rotazione rispettata."},
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				if v := doc.Find("#act-rup").AttrOr("value", ""); v != "Ing. Carla Rossi <script>" {
					t.Errorf("the typed answer is %q", v)
				}
				if n := uses(); n != 0 {
					t.Errorf("%d uses recorded after a refusal", n)
				}
			}},
		{Name: "the preview", As: anna, Method: http.MethodPost, Path: page, Lang: "it", Form: determinaAnswers("preview"), Status: 200,
			Has: map[string]string{"#anteprima mark[data-field=oggetto]": "Manutenzione del verde pubblico 2027", "#anteprima ol li": "di affidare a Verde Srl"}},
	})
	if n := uses(); n != 0 {
		t.Errorf("the preview recorded %d uses", n)
	}

	for _, format := range []string{acts.FormatDOCX, acts.FormatODT} {
		res, body := s.Play(t, apptest.Scenario{As: anna, Method: http.MethodPost, Path: page, Form: determinaAnswers(format)})
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != acts.MediaType(format) ||
			!strings.Contains(res.Header.Get("Content-Disposition"), determina+"-v2."+format) {
			t.Fatalf("%s: %d %q %q", format, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
		}
		part := map[string]string{acts.FormatDOCX: "word/document.xml", acts.FormatODT: "content.xml"}[format]
		text := documentText(t, []byte(body), part)
		for _, want := range []string{"Manutenzione del verde pubblico 2027", "Verde Srl, Cantù", "38.500,00", "Rotazione rispettata."} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", format, want)
			}
		}
	}
	var recorded []acts.Use
	if err := s.DB.NewSelect().Model(&recorded).Order("id").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if len(recorded) != 2 || recorded[0].EnteID == nil || *recorded[0].EnteID != cantu.ID || recorded[1].Version != 2 ||
		recorded[0].Format != "docx" || recorded[1].Format != "odt" || recorded[0].Answers != "" || !strings.Contains(recorded[1].Answers, "Verde Srl") {
		t.Errorf("uses recorded: %+v", recorded)
	}

	apptest.RunScenarios(t, s, []apptest.Scenario{
		{Name: "the form picks up the latest answers", As: anna, Path: page, Lang: "it", Status: 200,
			Has: map[string]string{"#act-motivazione": "Rotazione rispettata."}, Text: []string{"Il modulo riporta le tue ultime risposte"}},
		{Name: "or starts afresh", As: anna, Path: page + "?nuovo=1", Lang: "it", Status: 200,
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				if v := doc.Find("#act-oggetto").AttrOr("value", "x"); v != "" {
					t.Errorf("a fresh form holds %q", v)
				}
			}},
		{Name: "the list tells what the ente used", As: anna, Path: acts.Route, Lang: "it", Status: 200, Text: []string{"Usato dal tuo ente o da te: versione 2"}},
		{Name: "two enti: one must be chosen", As: paolo, Method: http.MethodPost, Path: page, Lang: "it", Form: determinaAnswers("save"), Status: 422,
			Has: map[string]string{"#act-for-ente-error": "Scegli l'ente"}},
		{Name: "two enti: not another's", As: paolo, Method: http.MethodPost, Path: page, Lang: "it", Form: determinaAnswers("save", "_ente", strconv.FormatInt(cantu.ID, 10)), Status: 422,
			Has: map[string]string{"#act-for-ente-error": "Scegli l'ente"}},
		{Name: "two enti: one of theirs", As: paolo, Method: http.MethodPost, Path: page, Lang: "it", Form: determinaAnswers("save", "_ente", strconv.FormatInt(milano.ID, 10)), Status: 303},
		{Name: "no ente", As: carla, Method: http.MethodPost, Path: page, Form: determinaAnswers("docx"), Status: 200},
		{Name: "an unknown button", As: carla, Method: http.MethodPost, Path: page, Form: determinaAnswers("pdf"), Status: 400},
	})
	if n := countRows(t, s, "SELECT COUNT(*) FROM act_uses WHERE user_id = ? AND ente_id = ? AND format = ''", paoloID, milano.ID); n != 1 {
		t.Errorf("Paolo's saved answers: %d rows", n)
	}
	if n := countRows(t, s, "SELECT COUNT(*) FROM act_uses WHERE user_id = ? AND ente_id IS NULL", carlaID); n != 1 {
		t.Errorf("Carla's use without an ente: %d rows", n)
	}

	// A new version: whoever used an older one is told, once; publishing the same version again is news to nobody.
	publish := func(edit func(fields map[string]string) (body string)) error {
		t.Helper()
		pub, err := s.Content.Published(ctx, acts.Type, determina)
		if err != nil {
			t.Fatal(err)
		}
		def, _ := content.Lookup(acts.Type)
		fields := content.FormValues(def, &content.Document{Type: acts.Type, Slug: determina, Front: pub.Front, Body: pub.Markdown})
		body := edit(fields)
		if body == "" {
			body = pub.Markdown
		}
		who := content.Actor{Name: "caporedattore", Publisher: true}
		e, err := s.Content.EntryBySlug(ctx, acts.Type, determina) // a refused publication left a draft after the live revision
		if err != nil {
			t.Fatal(err)
		}
		_, rev, err := s.Content.SaveDraft(ctx, who, content.Draft{Type: acts.Type, Slug: determina, Base: e.CurrentRevisionID, Fields: fields, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		return s.Content.Publish(ctx, who, acts.Type, determina, rev.ID)
	}
	var refused *content.Refused
	if err := publish(func(f map[string]string) string { f["version"] = "1"; return "" }); !errors.As(err, &refused) || refused.Rule != "act_version_lower" || refused.Detail != "2" {
		t.Errorf("a lower version: %v", err)
	}
	if err := publish(func(f map[string]string) string { return "Il testo usa {{sconosciuto}} e {{oggetto}}." }); !errors.As(err, &refused) || refused.Rule != "act_placeholder_unknown" || refused.Detail != "sconosciuto" {
		t.Errorf("an unknown placeholder: %v", err)
	}
	if err := publish(func(f map[string]string) string {
		f["version"] = "3"
		f["changes"] = "Nuovo limite di spesa."
		return ""
	}); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	notices := "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = 'acts.superseded' AND url = ?"
	for _, c := range []struct {
		who  string
		id   int64
		want int
	}{{"Anna, who used it for Cantù", annaID, 1}, {"Paolo, whose ente used it", paoloID, 1}, {"Carla, who used it for no ente", carlaID, 1}} {
		if n := countRows(t, s, notices, c.id, page+"#novita"); n != c.want {
			t.Errorf("%s: %d notices, want %d", c.who, n, c.want)
		}
	}
	if err := publish(func(f map[string]string) string { f["summary"] += " "; return "" }); err != nil { // a typo fixed, same version
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	if n := countRows(t, s, "SELECT COUNT(*) FROM notifications WHERE kind = 'acts.superseded'"); n != 3 {
		t.Errorf("%d notices after the same version went live again, want 3", n)
	}
	apptest.RunScenarios(t, s, []apptest.Scenario{
		{Name: "the page says what the ente used is superseded", As: anna, Path: page, Lang: "it", Status: 200,
			Text: []string{"avete usato la versione 2 di questo modello: ora vale la versione 3", "Nuovo limite di spesa."}},
		{Name: "so does the list", As: anna, Path: acts.Route, Lang: "it", Status: 200, Text: []string{"Avete usato la versione 2: ora vale la versione 3."}},
	})
}

// TestActTemplatesInSearch: the site search finds a template by a misspelt word of its title for
// a member of an approved ente, and never for a person of no ente or a visitor, who cannot use
// the templates' answers on behalf of an ente.
func TestActTemplatesInSearch(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	anna := s.Login(t, apptest.FiscalCode("BNCNNA80A41C933"), "Anna", "Bianchi")
	apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", userOf(t, s, anna))
	carla := s.Login(t, apptest.FiscalCode("RSSCRL75D45F205"), "Carla", "Rossi")
	apptest.Idle(t, s.App)
	link := `href="` + acts.URL(determina) + `"`
	for _, c := range []struct {
		who, cookie string
		found       bool
	}{{"a member of an approved ente", anna, true}, {"a person of no ente", carla, false}, {"a visitor", "", false}} {
		for _, q := range []string{"afidamento+direto", "tracciabilita+flussi&tipo=modello"} {
			_, body := s.Get(t, "/cerca?q="+q, "Cookie", c.cookie, "Accept-Language", "it")
			if got := strings.Contains(body, link); got != c.found {
				t.Errorf("%s searching %q: template found %v", c.who, q, got)
			}
			if c.found && !strings.Contains(body, "Modello di atto") {
				t.Errorf("%s: the result does not name its type", c.who)
			}
		}
	}
}

// TestSearchCatchesUpANewKind: an index that holds nothing of a kind of items the database has
// (the templates, on the first start after the upgrade that brought them) is rebuilt at start.
func TestSearchCatchesUpANewKind(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ctx := context.Background()
	ids, err := s.Search.Engine.IDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var templates []string
	for _, id := range ids {
		if strings.HasPrefix(id, "modello:") {
			templates = append(templates, id)
		}
	}
	if len(templates) != 6 {
		t.Fatalf("%d templates indexed, want 6", len(templates))
	}
	if err := s.Search.Engine.Delete(ctx, templates...); err != nil {
		t.Fatal(err)
	}
	if err := s.Search.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	after, err := s.Search.Engine.IDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, id := range after {
		if strings.HasPrefix(id, "modello:") {
			n++
		}
	}
	if n != 6 || len(after) != len(ids) {
		t.Errorf("after the catch-up: %d templates, %d items (was %d)", n, len(after), len(ids))
	}
}

package app_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/content"
)

// eventType is a content type the shipped code knows nothing about: registering it, with its two
// templates in a theme folder, must be enough for it to be imported, validated, exported, served
// by the API and the portal, and found by search.
var eventType = content.Definition{
	Name: "event", Label: "event", Dir: "eventi", Route: "/eventi",
	Template: "portal/event", ListTemplate: "portal/event_list", ListTitle: "events.title",
	Attachments: true, Search: true,
	Fields: []content.Field{
		{Name: "title", Kind: content.KindString, Required: true, NotEmpty: true, MaxLen: 300},
		{Name: "summary", Kind: content.KindText, Required: true},
		{Name: "date", Kind: content.KindDate, Required: true},
		{Name: "venue", Kind: content.KindString, Required: true, NotEmpty: true, Search: true},
		{Name: "format", Kind: content.KindEnum, Values: []string{"in-presenza", "online"}, Required: true},
		{Name: "organiser", Kind: content.KindRef, Ref: content.TypeTaskForce, TaskForce: true},
		{Name: "speakers", Kind: content.KindList, Search: true},
		{Name: "seats", Kind: content.KindInt},
		{Name: "programme", Kind: content.KindMarkdown, Search: true},
		{Name: "attachments", Kind: content.KindAttachments},
	},
}

// memoType is registered without a template and out of search: the API serves it, the portal
// and the index leave it alone.
var memoType = content.Definition{
	Name: "memo", Label: "memo", Dir: "memo",
	Fields: []content.Field{
		{Name: "title", Kind: content.KindString, Required: true, NotEmpty: true},
		{Name: "summary", Kind: content.KindText, Required: true},
	},
}

const eventFile = `---
title: Seminario sulle bonifiche
summary: Una giornata di studio sui siti contaminati.
date: 2026-03-12
venue: Palazzo Lombardia, sala Marco Biagi
format: in-presenza
organiser: BON
speakers:
  - Ada Quercioli
  - Bruno Scaglietti
seats: 120
programme: |
  Mattina: **caratterizzazione** e piezometri trivellati.
attachments:
  - file: programma.csv
    title: Programma della giornata
---
## Perché partecipare

Il seminario presenta i casi della task force.
`

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, text := range files {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		writeTree(t, to, map[string]string{rel: string(b)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRegisteredContentType(t *testing.T) {
	for _, d := range []content.Definition{eventType, memoType} {
		if err := content.Register(d); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { content.Unregister(d.Name) })
	}
	dir := t.TempDir()
	copyTree(t, apptest.ContentDir(), dir)
	writeTree(t, dir, map[string]string{
		"eventi/seminario-bonifiche.md": eventFile,
		"eventi/allegati/programma.csv": "ora,tema\n9:00,caratterizzazione\n",
		"memo/nota-interna.md":          "---\ntitle: Nota interna sul quokkametro\nsummary: Solo per l'API.\n---\nTesto della nota.\n",
	})
	theme := t.TempDir()
	writeTree(t, theme, map[string]string{
		"portal/event.html": `{{with .Entry}}<article><h1 lang="it">{{.Front.Title}}</h1>` +
			`<p id="venue">{{.Front.Text "venue"}}</p><p id="format">{{.Front.Text "format"}}</p>` +
			`<p id="seats">{{.Front.Value "seats"}}</p><div class="pass-prose">{{.HTML}}</div>` +
			`<ul>{{range .Attachments}}<li><a href="/eventi/{{$.Entry.Entry.Slug}}/allegati/{{.Name}}">{{.Title}}</a></li>{{end}}</ul></article>{{end}}`,
		"portal/event_list.html": `<h1>{{.Title}}</h1><ul>{{range .Entries}}<li class="event"><a href="/eventi/{{.Slug}}">{{.Title}}</a></li>{{end}}</ul>`,
		"i18n/events.it.json":    `{"events.title": "Eventi", "search.type.event": "Evento"}`,
		"i18n/events.en.json":    `{"events.title": "Events", "search.type.event": "Event"}`,
	})
	s := apptest.Start(t, func(c *config.Config) { c.ContentDir, c.ThemeDir = dir, theme })
	ctx := context.Background()

	// Imported, with its listing fields filled from the registration (the ref is the task force).
	l, err := s.Content.List(ctx, content.Query{Type: "event"})
	if err != nil || l.Total != 1 || l.Entries[0].TaskForce != "BON" || l.Entries[0].PublishedOn.Format("2006-01-02") != "2026-03-12" {
		t.Fatalf("imported events: %+v %v", l, err)
	}
	if l, err := s.Content.List(ctx, content.Query{Type: "event", TaskForce: "BON"}); err != nil || l.Total != 1 {
		t.Errorf("filter by organiser: %+v %v", l, err)
	}

	// Validated, by the kinds of its fields.
	for _, tc := range []struct{ front, want string }{
		{"format: webinar", `format "webinar" must be one of in-presenza, online`},
		{"format: online\norganiser: bon", `organiser "bon" must be a task force code (e.g. VA)`},
		{"format: online\nseats: molti", "seats: wrong kind of value"},
		{"format: online\ncolour: red", `unknown key "colour" for a event`},
		{"format: online\nvenue: \"  \"", "venue must not be empty"},
		{"venue: Milano", `missing required key "format"`},
	} {
		src := "---\ntitle: Prova\nsummary: S.\ndate: 2026-01-01\n" + tc.front + "\n"
		if !strings.Contains(tc.front, "venue") {
			src += "venue: Milano\n"
		}
		_, err := content.Parse("event", "prova", "eventi/prova.md", []byte(src+"---\nTesto.\n"))
		var fe *content.FileError
		if !errors.As(err, &fe) || !strings.Contains(fe.Msg, tc.want) {
			t.Errorf("%q: %v, want %q", tc.front, err, tc.want)
		}
	}
	bad := t.TempDir()
	writeTree(t, bad, map[string]string{"eventi/rotto.md": strings.Replace(eventFile, "format: in-presenza", "format: ibrido", 1)})
	rep, err := s.Content.Import(ctx, bad)
	if err != nil || len(rep.Errors) != 1 || rep.Errors[0].Path != "eventi/rotto.md" || rep.Errors[0].Line != 6 {
		t.Errorf("bad event imported: %+v %v", rep, err)
	}

	// Served by the API, with the fields of its own in the front matter.
	var list struct {
		Items []struct {
			Type, Slug, URL string
			TaskForce       string `json:"task_force"`
		}
	}
	if code := getJSON(t, s, "/api/v1/content?type=event", &list); code != 200 || len(list.Items) != 1 ||
		list.Items[0].URL != "/eventi/seminario-bonifiche" || list.Items[0].TaskForce != "BON" {
		t.Fatalf("API list: %d %+v", code, list)
	}
	var doc struct {
		FrontMatter map[string]any `json:"front_matter"`
		Attachments []struct{ Name, URL string }
		URL         string
	}
	if code := getJSON(t, s, "/api/v1/content/event/seminario-bonifiche", &doc); code != 200 {
		t.Fatalf("API entry: %d", code)
	}
	fm := doc.FrontMatter
	if fm["venue"] != "Palazzo Lombardia, sala Marco Biagi" || fm["format"] != "in-presenza" || fm["seats"] != float64(120) ||
		fm["organiser"] != "BON" || fm["date"] != "2026-03-12T00:00:00Z" || len(doc.Attachments) != 1 ||
		doc.Attachments[0].URL != "/eventi/seminario-bonifiche/allegati/programma.csv" {
		t.Errorf("API entry: %+v", doc)
	}
	if code := getJSON(t, s, "/api/v1/content/memo/nota-interna", &doc); code != 200 || doc.URL != "" {
		t.Errorf("memo by API: %d %+v", code, doc)
	}
	var apiErr struct{ Error struct{ Message string } }
	if code := getJSON(t, s, "/api/v1/content?type=concerto", &apiErr); code != 400 || !strings.Contains(apiErr.Error.Message, "report, faq, modello, event, memo") {
		t.Errorf("unknown type: %d %+v", code, apiErr)
	}
	if _, body := s.Get(t, "/api/v1/openapi.json"); !strings.Contains(body, `"news", "report", "faq", "modello", "event", "memo"]`) {
		t.Error("OpenAPI does not list the registered types")
	}

	// Served by its public routes, with its templates.
	res, body := s.Get(t, "/eventi", "Accept-Language", "it")
	if res.StatusCode != 200 || parse(t, body).Find("h1").Text() != "Eventi" || !strings.Contains(body, `<li class="event"><a href="/eventi/seminario-bonifiche">Seminario sulle bonifiche</a>`) {
		t.Errorf("listing: %d %s", res.StatusCode, body)
	}
	res, body = s.Get(t, "/eventi/seminario-bonifiche")
	page := parse(t, body)
	if res.StatusCode != 200 || page.Find("#venue").Text() != "Palazzo Lombardia, sala Marco Biagi" || page.Find("#seats").Text() != "120" ||
		!strings.Contains(page.Find(".pass-prose h2").Text(), "Perché partecipare") || page.Find("header.it-header-wrapper").Length() != 1 {
		t.Errorf("entry page: %d %s", res.StatusCode, body)
	}
	res, body = s.Get(t, "/eventi/seminario-bonifiche/allegati/programma.csv")
	if res.StatusCode != 200 || body != "ora,tema\n9:00,caratterizzazione\n" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("attachment: %d %q", res.StatusCode, body)
	}
	if res, _ := s.Get(t, "/eventi/non-esiste"); res.StatusCode != 404 {
		t.Errorf("missing event: %d", res.StatusCode)
	}
	if res, _ := s.Get(t, "/memo/nota-interna"); res.StatusCode != 404 {
		t.Errorf("memo has no public route, got %d", res.StatusCode)
	}

	// Found by search, by its body and by the fields its registration marks as searched.
	for q, want := range map[string]int{"piezometri": 1, "Scaglietti": 1, "Biagi": 1, "partecipare": 1, "quokkametro": 0} {
		var hits struct {
			Total int
			Hits  []struct{ Type, URL string }
		}
		if code := getJSON(t, s, "/api/v1/search?q="+q+"&type=event&type=memo", &hits); code != 200 || hits.Total != want ||
			(want == 1 && (hits.Hits[0].Type != "event" || hits.Hits[0].URL != "/eventi/seminario-bonifiche")) {
			t.Errorf("search %q: %d %+v", q, code, hits)
		}
	}

	_, body = s.Get(t, "/cerca?q=piezometri&tipo=event", "Accept-Language", "it")
	if hit := parse(t, body).Find(".pass-hit"); hit.Length() != 1 || !strings.Contains(hit.Find(".badge").Text(), "Evento") ||
		hit.Find(`a[href="/eventi/seminario-bonifiche"]`).Length() != 1 {
		t.Errorf("search page: %s", body)
	}

	// Exported in the layout it was imported from, byte for byte.
	out := t.TempDir()
	if _, err := s.Content.Export(ctx, out); err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]string{
		"eventi/seminario-bonifiche.md": eventFile, "eventi/allegati/programma.csv": "ora,tema\n9:00,caratterizzazione\n",
		"memo/nota-interna.md": "---\ntitle: Nota interna sul quokkametro\nsummary: Solo per l'API.\n---\nTesto della nota.\n",
	} {
		if got, err := os.ReadFile(filepath.Join(out, rel)); err != nil || string(got) != want {
			t.Errorf("export %s: %v %q", rel, err, got)
		}
	}
}

package app_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"passhub/app/access"
	"passhub/app/apptest"
)

// TestContentWriteAPIListsEveryField: a draft with three invalid fields is one 422 naming all
// three, each with its rule and a message in the request's language; PUT does the same.
func TestContentWriteAPIListsEveryField(t *testing.T) {
	s := apptest.Start(t)
	writer := apiToken(t, s, "writer", access.ScopeWriteDrafts)
	bad := map[string]string{"title": "", "date": "domani", "tags": "x"}
	want := []struct{ key, rule, it string }{{"date", "date", "Scrivi una data nel formato AAAA-MM-GG."},
		{"title", "required", "Questo campo è obbligatorio."}, {"summary", "required", "Questo campo è obbligatorio."}}
	check := func(name string, status int, body string, p writeState) {
		t.Helper()
		if status != 422 || len(p.FieldErrors) != len(want) {
			t.Fatalf("%s = %d %s, want 422 with %d errors", name, status, body, len(want))
		}
		for i, w := range want {
			if f := p.FieldErrors[i]; f.Key != w.key || f.Rule != w.rule || f.Message != w.it {
				t.Errorf("%s: error %d = %+v, want %+v", name, i, f, w)
			}
		}
	}
	var p writeState
	res, body := sendJSON(t, s, "POST", "/api/v1/content/news", map[string]any{"slug": "tre-campi", "fields": bad}, &p, append(writer, "Accept-Language", "it")...)
	check("POST", res.StatusCode, body, p)

	var st writeState
	res, body = sendJSON(t, s, "POST", "/api/v1/content/news", map[string]any{"slug": "tre-campi",
		"fields": map[string]string{"title": "Tre campi", "summary": "s", "date": "2026-12-04"}}, &st, writer...)
	if res.StatusCode != 201 {
		t.Fatalf("create = %d %s", res.StatusCode, body)
	}
	p = writeState{}
	res, body = sendJSON(t, s, "PUT", "/api/v1/content/news/tre-campi", map[string]any{"fields": bad, "base_revision": st.RevisionID}, &p, append(writer, "Accept-Language", "it")...)
	check("PUT", res.StatusCode, body, p)
}

// TestImportReportsEveryProblem: the import reports every problem of a bad file, each with its
// line, and imports the good files beside it.
func TestImportReportsEveryProblem(t *testing.T) {
	a := apptest.New(t, apptest.NoContent)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "notizie"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"rotta.md": "---\ntitle: \"\"\ndate: domani\nautore: io\n---\n",
		"buona.md": "---\ntitle: Buona\nsummary: s\ndate: 2026-12-04\n---\nTesto.\n"}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, "notizie", name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := a.Content.Import(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 1 || len(rep.Errors) != 1 {
		t.Fatalf("import %+v", rep)
	}
	var got []string
	for _, p := range rep.Errors[0].All() {
		got = append(got, p.Error())
	}
	want := []string{"notizie/rotta.md:3: date: \"domani\" is not a date written as YYYY-MM-DD",
		"notizie/rotta.md:4: unknown key \"autore\" for a news (allowed: title, summary, date, tags)",
		"notizie/rotta.md: missing required key \"summary\"", "notizie/rotta.md:2: title must not be empty"}
	if len(got) != len(want) {
		t.Fatalf("problems %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("problem %d = %q, want %q", i, got[i], want[i])
		}
	}
}

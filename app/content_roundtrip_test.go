package app_test

import (
	"bytes"
	"context"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apptest"
	"passhub/app/content"
	"passhub/app/identity"
)

// TestContentRoundTrip: the shipped content folder is imported; an editor changes a news item in
// the newsroom's form (title, date, tags and body), sends it for review and a publisher publishes
// it; `content export` writes the folder back: the edited file carries the web edit, every other
// file (attachments included) is byte for byte the shipped one. Importing the exported folder
// changes nothing and reports nothing, and records the folder as in step with the database: a
// file changed on disk alone is then imported. A file changed on disk while the entry was also
// changed in the newsroom is reported as a conflict, and neither side is overwritten.
func TestContentRoundTrip(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ctx := context.Background()
	rep, err := s.ImportContent(ctx, apptest.ContentDir())
	if err != nil {
		t.Fatal(err)
	}
	shipped := tree(t, apptest.ContentDir())
	mds := 0
	for p := range shipped {
		if strings.HasSuffix(p, ".md") {
			mds++
		}
	}
	if rep.Unchanged != mds || rep.Created+rep.Updated+len(rep.Conflicts)+len(rep.Errors) != 0 {
		t.Fatalf("the shipped folder imported again: %+v, want %d unchanged", rep, mds)
	}

	login := func(first15, name, role string) string {
		cookie := s.Login(t, apptest.FiscalCode(first15), name, "Test")
		v, err := s.Identity.Authenticate(ctx, strings.TrimPrefix(strings.Split(cookie, ";")[0], "pass_session="))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Identity.Grant(ctx, identity.Actor{Name: "test"}, v.User.ID, role, ""); err != nil {
			t.Fatal(err)
		}
		return cookie
	}
	editor := login("RDTRDT80A01F205", "Redattore", identity.RoleEditor)
	publisher := login("CPRCPR80A01F205", "Capo", identity.RolePublisher)

	const slug = "ciclo-formativo-2025"
	const file = "notizie/" + slug + ".md"
	entry := content.DeskURL(content.TypeNews, slug)
	const title = "Ciclo formativo 2025: il calendario aggiornato dalla redazione"
	const paragraph = "Le iscrizioni restano aperte fino al **15 dicembre**: un paragrafo scritto nella redazione."
	edit := func(as string, change func(url.Values)) {
		t.Helper()
		form := entryForm(t, s, as, entry)
		change(form)
		form.Set("azione", "salva")
		if res, body := s.PostForm(t, entry, form, "Cookie", as); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save %s: %d\n%s", entry, res.StatusCode, body)
		}
	}
	step := func(as, name string) {
		t.Helper()
		form := url.Values{"_csrf": {apptest.CSRFToken}, "rev": {entryForm(t, s, as, entry).Get("rev")}}
		if res, _ := s.PostForm(t, entry+"/passi/"+name, form, "Cookie", as); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s %s: %d", name, entry, res.StatusCode)
		}
	}
	edit(editor, func(f url.Values) {
		f.Set("title", title)
		f.Set("date", "2025-12-01")
		f.Set("tags", f.Get("tags")+"\nredazione")
		f.Set("body", f.Get("body")+"\n"+paragraph+"\n")
	})
	step(editor, "submit")
	step(publisher, "publish")

	out := t.TempDir()
	if _, err := s.Content.Export(ctx, out); err != nil { // what `passhub content export DIR` runs
		t.Fatal(err)
	}
	exported := tree(t, out)
	for p, data := range shipped {
		if p != file && !bytes.Equal(exported[p], data) {
			t.Errorf("%s: exported %d bytes differ from the shipped %d", p, len(exported[p]), len(data))
		}
	}
	for p := range exported {
		if _, ok := shipped[p]; !ok {
			t.Errorf("%s exported, not shipped", p)
		}
	}
	doc, err := content.Parse(content.TypeNews, slug, file, exported[file])
	if err != nil {
		t.Fatalf("the exported %s does not parse: %v", file, err)
	}
	if doc.Front.Title != title || doc.Front.Date.Format("2006-01-02") != "2025-12-01" || !slices.Contains(doc.Front.Tags, "redazione") ||
		!strings.Contains(doc.Body, paragraph) {
		t.Errorf("the exported %s lacks the web edit: title %q, date %s, tags %v, body has the paragraph: %v",
			file, doc.Front.Title, doc.Front.Date.Format("2006-01-02"), doc.Front.Tags, strings.Contains(doc.Body, paragraph))
	}
	orig, err := content.Parse(content.TypeNews, slug, file, shipped[file])
	if err != nil {
		t.Fatal(err)
	}
	if doc.Front.Summary != orig.Front.Summary || !strings.HasPrefix(doc.Body, strings.TrimRight(orig.Body, "\n")) {
		t.Errorf("the exported %s lost what the edit kept: summary %q, body starts %q", file, doc.Front.Summary, doc.Body[:min(60, len(doc.Body))])
	}

	head := func() (int64, int64) {
		t.Helper()
		e, err := (content.Store{}).Entry(ctx, s.DB, content.TypeNews, slug)
		if err != nil {
			t.Fatal(err)
		}
		return e.CurrentRevisionID, e.PublishedRevisionID
	}
	cur, pub := head()
	revisions := count(t, s.DB, "SELECT count(*) FROM revisions")
	rep, err = s.ImportContent(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Unchanged != mds || rep.Created+rep.Updated+len(rep.Conflicts)+len(rep.Errors) != 0 {
		t.Errorf("importing the export: created %d, updated %d, unchanged %d, conflicts %v, errors %v; want %d unchanged and nothing else",
			rep.Created, rep.Updated, rep.Unchanged, rep.Conflicts, rep.Errors, mds)
	}
	if c, p := head(); c != cur || p != pub || count(t, s.DB, "SELECT count(*) FROM revisions") != revisions {
		t.Errorf("importing the export wrote revisions")
	}

	// A change on disk alone, after the folder was imported in step with the database, is imported.
	path := filepath.Join(out, filepath.FromSlash(file))
	diskTitle := "Ciclo formativo 2025: calendario corretto nel file"
	replaceIn(t, path, title, diskTitle)
	if rep, err = s.ImportContent(ctx, out); err != nil {
		t.Fatal(err)
	}
	if rep.Updated != 1 || len(rep.Conflicts) != 0 {
		t.Fatalf("a file changed on disk alone: updated %d, conflicts %v; want it imported", rep.Updated, rep.Conflicts)
	}
	if _, body := s.Get(t, "/notizie/"+slug); !strings.Contains(body, diskTitle) {
		t.Fatal("the public page does not show the imported file")
	}

	// Both sides change: the import reports a conflict and overwrites nothing.
	webTitle := "Ciclo formativo 2025: il calendario della redazione, di nuovo"
	edit(publisher, func(f url.Values) { f.Set("title", webTitle) })
	step(publisher, "publish")
	replaceIn(t, path, diskTitle, "Ciclo formativo 2025: una seconda correzione nel file")
	onDisk, _ := os.ReadFile(path)
	cur, pub = head()
	revisions = count(t, s.DB, "SELECT count(*) FROM revisions")
	if rep, err = s.ImportContent(ctx, out); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Conflicts, []string{file}) || rep.Updated+rep.Created+len(rep.Errors) != 0 {
		t.Errorf("both sides changed: conflicts %v, updated %d, created %d, errors %v; want the one conflict %s",
			rep.Conflicts, rep.Updated, rep.Created, rep.Errors, file)
	}
	if c, p := head(); c != cur || p != pub || count(t, s.DB, "SELECT count(*) FROM revisions") != revisions {
		t.Error("the conflicting file was imported")
	}
	if _, body := s.Get(t, "/notizie/"+slug); !strings.Contains(body, webTitle) {
		t.Error("the public page lost the newsroom's edit")
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, onDisk) {
		t.Error("the import changed the file on disk")
	}
}

// entryForm returns what the newsroom's form of an entry sends as the page shows it.
func entryForm(t *testing.T, s *apptest.Server, cookie, entry string) url.Values {
	t.Helper()
	res, body := s.Get(t, entry, "Cookie", cookie)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", entry, res.StatusCode)
	}
	form := apptest.Parse(t, body).Find("form#entry-form")
	if form.Length() != 1 {
		t.Fatalf("%s has no entry form", entry)
	}
	v := url.Values{}
	form.Find("input[name], textarea[name], select[name]").Each(func(_ int, el *goquery.Selection) {
		name, _ := el.Attr("name")
		switch goquery.NodeName(el) {
		case "textarea":
			v.Set(name, el.Text())
		case "select":
			val, _ := el.Find("option[selected]").Attr("value")
			v.Set(name, val)
		default:
			val, _ := el.Attr("value")
			v.Set(name, val)
		}
	})
	return v
}

// tree reads every file under dir, by slash-separated path relative to dir.
func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func replaceIn(t *testing.T, path, old, repl string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s does not hold %q", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(repl), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

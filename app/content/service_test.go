package content_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/content"
	"passhub/app/db"
)

func noContent(c *config.Config) { c.ContentDir = "" }

func write(t *testing.T, dir, rel, text string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestImportExportRoundTrip imports the shipped content and exports it back: every file comes out
// byte for byte as it went in.
func TestImportExportRoundTrip(t *testing.T) {
	t.Parallel()
	a := apptest.New(t, noContent)
	ctx := context.Background()
	rep, err := a.Content.Import(ctx, apptest.ContentDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) > 0 || rep.Created == 0 {
		t.Fatalf("import: %+v, first error %v", rep, rep.Errors)
	}
	out := t.TempDir()
	n, err := a.Content.Export(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if n != rep.Created {
		t.Errorf("exported %d entries, imported %d", n, rep.Created)
	}
	in := apptest.ContentDir()
	files := 0
	err = filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") || filepath.Ext(p) == "" {
			return err
		}
		if filepath.Base(filepath.Dir(p)) != content.AttachmentsDir && filepath.Ext(p) != ".md" {
			return nil
		}
		rel, _ := filepath.Rel(in, p)
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join(out, rel))
		if err != nil {
			t.Errorf("%s not exported: %v", rel, err)
			return nil
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs after import and export", rel)
		}
		files++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 40 {
		t.Errorf("compared only %d files", files)
	}
	// Importing the export changes nothing.
	rep2, err := a.Content.Import(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if rep2.Created != 0 || rep2.Updated != 0 || rep2.Unchanged != rep.Created {
		t.Errorf("re-import of the export: %+v", rep2)
	}
}

// TestImportRevisionsAndConflicts walks an entry through its life: created, unchanged, changed
// (a new revision), edited in the database, then changed on disk (a conflict, not overwritten).
func TestImportRevisionsAndConflicts(t *testing.T) {
	t.Parallel()
	a := apptest.New(t, noContent)
	ctx := context.Background()
	dir := t.TempDir()
	page := "---\ntitle: Privacy\nsummary: Informativa\n---\nPrima versione.\n"
	write(t, dir, "pagine/privacy.md", page)
	write(t, dir, "pagine/rotta.md", "---\ntitle: x\n---\n") // missing summary
	write(t, dir, "pagine/buona.md", "---\ntitle: Buona\nsummary: s\n---\nok\n")

	rep, err := a.Content.Import(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 2 || len(rep.Errors) != 1 || rep.Errors[0].Path != "pagine/rotta.md" {
		t.Fatalf("first import: %+v %v", rep, rep.Errors)
	}
	rep, _ = a.Content.Import(ctx, dir)
	if rep.Unchanged != 2 || rep.Created+rep.Updated != 0 {
		t.Fatalf("second import: %+v", rep)
	}

	write(t, dir, "pagine/privacy.md", strings.Replace(page, "Prima", "Seconda", 1))
	rep, _ = a.Content.Import(ctx, dir)
	if rep.Updated != 1 {
		t.Fatalf("changed file: %+v", rep)
	}
	p, err := a.Content.Published(ctx, content.TypePage, "privacy")
	if err != nil {
		t.Fatal(err)
	}
	if p.Revision != 2 || !strings.Contains(string(p.HTML), "Seconda versione") {
		t.Fatalf("published revision %d: %s", p.Revision, p.HTML)
	}

	edited := "---\ntitle: Privacy\nsummary: Informativa\n---\nVersione del redattore.\n"
	if err := a.Content.Edit(ctx, content.TypePage, "privacy", edited, "redattore"); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "pagine/privacy.md", strings.Replace(page, "Prima", "Terza", 1))
	rep, _ = a.Content.Import(ctx, dir)
	if len(rep.Conflicts) != 1 || rep.Conflicts[0] != "pagine/privacy.md" || rep.Updated != 0 {
		t.Fatalf("conflict not reported: %+v", rep)
	}
	p, _ = a.Content.Published(ctx, content.TypePage, "privacy")
	if !strings.Contains(string(p.HTML), "redattore") || p.Revision != 3 {
		t.Fatalf("the editor's revision was overwritten: rev %d %s", p.Revision, p.HTML)
	}

	if err := a.Content.Edit(ctx, content.TypePage, "privacy", "---\ntitle: x\n---\n", "r"); err == nil {
		t.Error("an invalid edit was accepted")
	}
	if _, err := a.Content.Published(ctx, content.TypePage, "rotta"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("a rejected file is published: %v", err)
	}
}

// TestCatalogueSyncReportsBadReferences checks that a procedure naming an unknown task force is
// reported and left out, while the rest of the catalogue is synced.
func TestCatalogueSyncReportsBadReferences(t *testing.T) {
	t.Parallel()
	a := apptest.New(t, noContent)
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, "task-force/rifiuti.md", "---\ncode: RIF\ntitle: Rifiuti\nsummary: s\n---\n")
	write(t, dir, "procedure/aua.md", "---\ncode: RIF-01\ntitle: AUA\nsummary: s\ntask_force: RIF\n---\n")
	write(t, dir, "procedure/orfana.md", "---\ncode: XX-01\ntitle: Orfana\nsummary: s\ntask_force: XX\n---\n")
	rep, err := a.Content.Import(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) != 1 || rep.Errors[0].Path != "procedure/orfana.md" || !strings.Contains(rep.Errors[0].Msg, `"XX"`) {
		t.Fatalf("errors: %v", rep.Errors)
	}
	tfs, err := a.Catalogue.Catalogue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tfs) != 1 || len(tfs[0].Procedures) != 1 || tfs[0].Procedures[0].Code != "RIF-01" || !tfs[0].Procedures[0].AcceptsRequests {
		t.Fatalf("catalogue: %+v", tfs)
	}
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	a := apptest.New(t)
	ctx := context.Background()
	all, err := a.Content.List(ctx, content.Query{Type: content.TypeNews})
	if err != nil {
		t.Fatal(err)
	}
	if all.Total < 6 {
		t.Fatalf("news: %d", all.Total)
	}
	for i := 1; i < len(all.Entries); i++ {
		if all.Entries[i].PublishedOn.After(all.Entries[i-1].PublishedOn) {
			t.Errorf("news not newest first at %d", i)
		}
	}
	page, _ := a.Content.List(ctx, content.Query{Type: content.TypeNews, Limit: 2, Offset: 2})
	if len(page.Entries) != 2 || page.Total != all.Total || page.Entries[0].Slug != all.Entries[2].Slug {
		t.Errorf("paging: %+v", page)
	}
	va, _ := a.Content.List(ctx, content.Query{Type: content.TypeProcedure, TaskForce: "VA"})
	if va.Total == 0 {
		t.Fatal("no VA procedures")
	}
	for _, e := range va.Entries {
		if e.TaskForce != "VA" {
			t.Errorf("%s is in %s", e.Slug, e.TaskForce)
		}
	}
}

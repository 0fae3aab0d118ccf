package app_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/audit"
	"passhub/app/config"
	"passhub/app/content"
	searchpkg "passhub/app/search"
)

// TestContentChangeClearsEveryInstance: two instances on one database; a content edit made on one
// is served by the other at once, well under the caches' TTL, because the bus tells every instance
// to drop its caches (content, catalogue, anonymous pages, search results).
func TestContentChangeClearsEveryInstance(t *testing.T) {
	if !apptest.OnPostgres() {
		t.Skip("instances share a database on PostgreSQL: this runs in the PostgreSQL leg (PASSHUB_TEST_DATABASE_URL)")
	}
	a := apptest.Start(t)
	b := apptest.Start(t, func(c *config.Config) {
		c.DatabaseURL, c.DataDir, c.SearchDir = a.Config.DatabaseURL, a.Config.DataDir, t.TempDir() // Bleve's index is one instance's
	})
	get := func(path string) (string, string) {
		res, body := b.Get(t, path, "Accept-Language", "it")
		return res.Header.Get("X-Cache"), body
	}
	// b caches the page, the procedure's page and the catalogue.
	for _, p := range []string{"/pagine/privacy", "/procedure/aia-autorizzazione-integrata-ambientale", "/procedure"} {
		get(p)
		if hit, _ := get(p); hit != "hit" {
			t.Fatalf("%s not cached on the second instance (%q)", p, hit)
		}
	}
	ctx := context.Background()
	page := "---\ntitle: Informativa privacy aggiornata altrove\nsummary: Nuova versione\n---\nTesto nuovo.\n"
	if err := a.Content.Edit(ctx, content.TypePage, "privacy", page, "redattore"); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../content/procedure/aia-autorizzazione-integrata-ambientale.md")
	if err != nil {
		t.Fatal(err)
	}
	proc := strings.Replace(string(src), `title: "Autorizzazione integrata ambientale (AIA)"`, `title: "AIA rinominata su un'altra istanza"`, 1)
	if err := a.Content.Edit(ctx, content.TypeProcedure, "aia-autorizzazione-integrata-ambientale", proc, "redattore"); err != nil {
		t.Fatal(err)
	}
	edited := time.Now()
	for _, c := range []struct{ path, want string }{
		{"/pagine/privacy", "Informativa privacy aggiornata altrove"},
		{"/procedure/aia-autorizzazione-integrata-ambientale", "AIA rinominata su un&#39;altra istanza"},
		{"/procedure", "AIA rinominata su un&#39;altra istanza"},
	} {
		for {
			_, body := get(c.path)
			if strings.Contains(body, c.want) {
				break
			}
			if time.Since(edited) > 5*time.Second {
				t.Fatalf("%s still stale on the other instance after %s (the caches live %s)", c.path, time.Since(edited), app.CacheTTL)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Logf("the other instance served the edit after %s", time.Since(edited).Round(time.Millisecond))
}

// TestSynonymsReachEveryInstance: the editors' synonyms saved on one instance expand the searches
// of the other at once: the bus tells it to drop its copy of the list and the results made with it.
func TestSynonymsReachEveryInstance(t *testing.T) {
	if !apptest.OnPostgres() {
		t.Skip("instances share a database on PostgreSQL: this runs in the PostgreSQL leg (PASSHUB_TEST_DATABASE_URL)")
	}
	a := apptest.Start(t) // its index holds the shipped content (Bleve's index is one instance's)
	b := apptest.Start(t, func(c *config.Config) {
		c.DatabaseURL, c.DataDir, c.SearchDir = a.Config.DatabaseURL, a.Config.DataDir, t.TempDir()
	})
	const want = "Autorizzazione integrata ambientale"
	search := func(q string) string {
		_, body := a.Get(t, "/cerca?q="+q, "Accept-Language", "it")
		return body
	}
	if !strings.Contains(search("autorizzazione+integrata+ambientale"), want) {
		t.Fatal("the first instance's index does not hold the AIA procedure")
	}
	if strings.Contains(search("zqxaia"), want) {
		t.Fatal("a word nobody wrote already finds the procedure: the test proves nothing")
	}
	groups, err := searchpkg.ParseSynonyms("zqxaia, autorizzazione integrata ambientale\n")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Search.SaveSynonyms(context.Background(), audit.Actor{Name: "redattore"}, groups); err != nil {
		t.Fatal(err)
	}
	saved := time.Now()
	for !strings.Contains(search("zqxaia"), want) {
		if time.Since(saved) > 5*time.Second {
			t.Fatalf("the other instance still ignores the new synonym after %s", time.Since(saved))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("the other instance expanded the new synonym after %s", time.Since(saved).Round(time.Millisecond))
}

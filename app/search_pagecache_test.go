package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/content"
	"passhub/app/search"
)

// TestSearchPageFollowsTheIndex: a search page an anonymous visitor opened between a publication
// and the index update that follows it (a durable job) is not served from the page cache once the
// index has changed. The content change clears the page cache first; without the index's own
// signal the page without the new result would stay for the cache's TTL.
func TestSearchPageFollowsTheIndex(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ctx := context.Background()
	if err := s.Jobs.Stop(ctx); err != nil { // the index update waits until this test runs it
		t.Fatal(err)
	}
	const word = "vqzkrtplmw"
	src := "---\ntitle: Informativa privacy " + word + "\nsummary: Nuova versione\n---\nTesto nuovo.\n"
	if err := s.Content.Edit(ctx, content.TypePage, "privacy", src, "redattore"); err != nil {
		t.Fatal(err)
	}
	const hit = `href="/pagine/privacy" lang="it"` // the result, not the footer's link
	get := func() (string, string) {
		res, body := s.Get(t, "/cerca?q="+word, "Accept-Language", "it")
		return res.Header.Get("X-Cache"), body
	}
	get()
	if cached, body := get(); cached != "hit" || strings.Contains(body, hit) {
		t.Fatalf("before the index update: cache %q, result shown %v; want the page without the result, cached", cached, strings.Contains(body, hit))
	}
	e, err := (content.Store{}).Entry(ctx, s.DB, content.TypePage, "privacy")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Search.Refresh(ctx, search.Ref(string(content.TypePage), e.ID)); err != nil { // what the index job does
		t.Fatal(err)
	}
	// The index's signal crosses the realtime bus (LISTEN/NOTIFY on PostgreSQL): it arrives within
	// moments, not at the cache's TTL (30 s).
	deadline := time.Now().Add(5 * time.Second)
	for {
		cached, body := get()
		if cached != "hit" && strings.Contains(body, hit) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("5 s after the index update: cache %q, result shown %v; want the new result", cached, strings.Contains(body, hit))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

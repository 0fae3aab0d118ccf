package app_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"

	"passhub/app/apptest"
	"passhub/app/identity"
	"passhub/app/search"
)

// TestSearchAsOfficialsWrite: legal references written in any form find each other, the editors'
// synonyms expand the acronyms of the field, and a word found nowhere still leaves the best
// partial matches.
func TestSearchAsOfficialsWrite(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ctx := context.Background()
	hits := func(q string) (int, string) {
		t.Helper()
		res, body := s.Get(t, "/cerca?q="+url.QueryEscape(q))
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", q, res.StatusCode)
		}
		doc := parse(t, body)
		return doc.Find("li.pass-hit").Length(), doc.Find("#search-status").Text() + doc.Find("li.pass-hit").Text()
	}
	// The privacy page writes "Decreto legislativo 30 giugno 2003, n. 196".
	for _, q := range []string{"D.Lgs. 196/2003", "d.lgs. n. 196/2003", "dlgs 196/03", "decreto legislativo n. 196 del 2003"} {
		if n, text := hits(q); n == 0 || !strings.Contains(text, "trattamento dei dati personali") {
			t.Errorf("%q: %d hits, the privacy page not among them: %s", q, n, text)
		}
	}
	if n, _ := hits("D.Lgs. 196/2004"); n != 0 {
		t.Errorf("another year found %d hits", n)
	}
	// A reference written as the procedure sheets write it ("D.Lgs. 152/2006") is found when
	// written in full.
	if n, _ := hits("decreto legislativo 3 aprile 2006, n. 152"); n == 0 {
		t.Error("the environmental code in full found nothing")
	}

	// Synonyms: the shipped list expands the acronyms; an editor adds a group and it takes
	// effect at once, a wrong list changes nothing.
	if n, text := hits("SCIA"); n == 0 || !strings.Contains(strings.ToLower(text), "segnalazione certificata") {
		t.Errorf("SCIA found %d hits without its expansion: %.200s", n, text)
	}
	before, _ := hits("zzqprocedura")
	if before != 0 {
		t.Fatalf("zzqprocedura found %d hits before it had a synonym", before)
	}
	editor := s.Login(t, apptest.FiscalCode("RDTRDT80A01F205"), "Editor", "Test")
	ed, err := s.Identity.Authenticate(ctx, strings.TrimPrefix(strings.Split(editor, ";")[0], "pass_session="))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Identity.Grant(ctx, identity.Actor{}, ed.User.ID, "editor", ""); err != nil {
		t.Fatal(err)
	}
	res, body := s.Get(t, "/admin/sinonimi", "Cookie", editor)
	if res.StatusCode != 200 || !strings.Contains(body, "SUAP, sportello unico per le attività produttive") {
		t.Fatalf("synonyms page: %d", res.StatusCode)
	}
	text := parse(t, body).Find("#synonyms-words").Text()
	csrf := apptest.CSRFToken
	res, body = s.PostForm(t, "/admin/sinonimi", url.Values{"_csrf": {csrf}, "words": {text + "\nsolo una voce\n"}}, "Cookie", editor)
	if res.StatusCode != 422 || !strings.Contains(body, "almeno due voci") {
		t.Fatalf("a one-word group: %d", res.StatusCode)
	}
	if n, _ := hits("zzqprocedura"); n != 0 {
		t.Fatal("a refused list changed the search")
	}
	res, _ = s.PostForm(t, "/admin/sinonimi", url.Values{"_csrf": {csrf}, "words": {text + "\nzzqprocedura, valutazione di impatto ambientale\n"}}, "Cookie", editor)
	if res.StatusCode != 303 {
		t.Fatalf("save: %d", res.StatusCode)
	}
	if n, text := hits("zzqprocedura"); n == 0 || !strings.Contains(strings.ToLower(text), "impatto ambientale") {
		t.Errorf("the new synonym found nothing: %s", text)
	}
	// Visitors may not edit the list.
	if res, _ := s.Get(t, "/admin/sinonimi"); res.StatusCode == 200 {
		t.Error("an anonymous visitor opened the synonyms list")
	}

	// A word found nowhere: the best partial matches, said so.
	n, status := hits("bonifica siti contaminati zanzibarqq")
	if n == 0 || !strings.Contains(status, "ne contengono di più") {
		t.Errorf("partial matches: %d hits, %q", n, status)
	}
}

// TestSearchResultsNeverGoBackwards: while the index is rebuilt, the same query keeps finding
// what it found; a result computed during a change is never cached over a fresher one.
func TestSearchResultsNeverGoBackwards(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	apptest.Idle(t, s.App)
	ctx := context.Background()
	count := func() int { // through the result cache and the engine, as /cerca does (the page cache aside)
		res, err := s.Search.Search(ctx, nil, search.Query{Text: "procedura", PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	want := count()
	if want == 0 {
		t.Fatal("nothing found: the test proves nothing")
	}
	var wg sync.WaitGroup
	wg.Add(1)
	errc := make(chan error, 1)
	go func() {
		defer wg.Done()
		for i := 0; i < 3; i++ {
			if _, err := s.Search.Rebuild(ctx, nil); err != nil {
				errc <- err
				return
			}
		}
	}()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for polls := 0; ; polls++ {
		select {
		case <-done:
			select {
			case err := <-errc:
				t.Fatal(err)
			default:
			}
			if got := count(); got != want {
				t.Fatalf("after the rebuilds: %d hits, want %d", got, want)
			}
			t.Logf("%d searches during the rebuilds", polls)
			return
		default:
		}
		if got := count(); got < want {
			t.Fatalf("search %d during a rebuild: %d hits, want %d", polls, got, want)
		}
	}
}

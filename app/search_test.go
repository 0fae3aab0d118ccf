package app_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/ente"
	"passhub/app/request"
)

var requestURL = regexp.MustCompile(`^/area-riservata/richieste/(\d+)`)

// TestSearchNeverLeaks lists, for every persona, every reserved item the search finds, and
// compares it with what the same persona may open through the pages: no hit they may not open,
// no item they may open missing.
func TestSearchNeverLeaks(t *testing.T) {
	w := buildWorld(t)
	s := w.s
	ctx := context.Background()
	// A second ente's request, on another task force, with a message and a document that share
	// a rare word with ente A's.
	lrB, _, _ := s.Identity.Users(ctx, "legal", 5)
	var lrBID int64
	for _, u := range lrB {
		if u.FiscalCode == "TINIT-"+w.codes["legal rep B"] {
			lrBID = u.ID
		}
	}
	milano, _ := s.Enti.Search(ctx, "Milano")
	b := request.Actor{UserID: lrBID, Name: "legal rep B"}
	rb, err := s.Requests.File(ctx, b, milano[0].ID, request.Form{ProcedureCode: "BON-01", Title: "Bonifica della zanzariera",
		Description: "Ex area industriale da bonificare, caratterizzazione ferma.", DesiredOutcome: "Piano di caratterizzazione approvato."}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Workspace.Post(ctx, b, rb, false, "Allego la relazione sulla zanzariera."); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Workspace.Upload(ctx, b, rb, false, 0, "relazione.txt", []byte("Relazione tecnica: zanzariera e piezometri."), false); err != nil {
		t.Fatal(err)
	}
	ra, _ := s.Requests.Get(ctx, w.requestID)
	if _, err := s.Workspace.Post(ctx, request.Actor{UserID: ra.CreatedBy, Name: "legal rep A"}, ra, false, "Anche qui una zanzariera da valutare."); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)

	reserved := "&tipo=request&tipo=message&tipo=document&tipo=activity"
	for _, p := range personas {
		t.Run(p, func(t *testing.T) {
			cookie := w.cookies[p]
			// What the persona may open, asked of the pages themselves.
			may := map[string]bool{}
			for _, id := range []int64{w.requestID, rb.ID} {
				path := "/area-riservata/richieste/" + strconv.FormatInt(id, 10)
				res, _ := s.Get(t, path, "Cookie", cookie)
				may[strconv.FormatInt(id, 10)] = res.StatusCode == 200
			}
			for _, query := range []string{"/cerca?q=" + reserved, "/cerca?q=zanzariera", "/cerca?q=zanzariere" + reserved, "/cerca?q=istruttore"} {
				seen := 0
				for page := 1; page < 10; page++ {
					res, body := s.Get(t, query+"&pagina="+strconv.Itoa(page), "Cookie", cookie)
					if res.StatusCode != 200 {
						t.Fatalf("%s: %d", query, res.StatusCode)
					}
					links := parse(t, body).Find("li.pass-hit h3 a")
					if links.Length() == 0 {
						break
					}
					links.Each(func(_ int, a *goquery.Selection) {
						href, _ := a.Attr("href")
						if m := requestURL.FindStringSubmatch(href); m != nil {
							seen++
							if !may[m[1]] {
								t.Errorf("%s found %s, which they may not open", query, href)
							}
						}
					})
				}
				if strings.HasSuffix(query, reserved) && strings.HasPrefix(query, "/cerca?q=&") {
					want := 0
					for id, ok := range may {
						if ok {
							n, _ := strconv.ParseInt(id, 10, 64)
							refs, _ := s.Search.RequestRefs(ctx, n)
							want += len(refs)
						}
					}
					if seen != want {
						t.Errorf("%s listed %d reserved items, may open %d", p, seen, want)
					}
				}
			}
		})
	}
	_ = ente.KindComune
}

// TestSearchPage covers the public search: Italian stems, typos, facets, odd input, the API.
func TestSearchPage(t *testing.T) {
	s := apptest.Start(t)
	for _, c := range []struct{ path, want string }{
		{"/cerca?q=bonifiche", "bonific"},
		{"/cerca?q=bonfica", "bonific"},
		{"/cerca?q=valutazione+impatto+ambientale", "impatto ambientale"},
	} {
		res, body := s.Get(t, c.path)
		if res.StatusCode != 200 || parse(t, body).Find("li.pass-hit").Length() == 0 || !strings.Contains(strings.ToLower(body), c.want) {
			t.Errorf("%s: %d, no hit with %q", c.path, res.StatusCode, c.want)
		}
		if !strings.Contains(body, "<mark>") {
			t.Errorf("%s: no highlighted passage", c.path)
		}
	}
	// Facets narrow and stay in the URL.
	_, body := s.Get(t, "/cerca?q=procedura")
	doc := parse(t, body)
	all := doc.Find("li.pass-hit").Length()
	box := doc.Find(`input.pass-facet[name="tipo"][value="procedure"]`)
	if box.Length() != 1 {
		t.Fatalf("no type facet: %s", doc.Find("#search-results").Text())
	}
	_, body = s.Get(t, "/cerca?q=procedura&tipo=procedure")
	doc = parse(t, body)
	doc.Find("li.pass-hit .badge").Each(func(_ int, b *goquery.Selection) {
		if strings.TrimSpace(b.Text()) != "Procedura" {
			t.Errorf("type filter let through %q", b.Text())
		}
	})
	if doc.Find(`input.pass-facet[name="tipo"][value="procedure"][checked]`).Length() != 1 || all == 0 {
		t.Errorf("the chosen facet is not kept checked")
	}
	// Paging keeps the query and the filters.
	_, body = s.Get(t, "/cerca?q=procedura&tipo=procedure&tipo=news")
	next, _ := parse(t, body).Find(`#search-results a[rel=next]`).Attr("href")
	if !strings.Contains(next, "pagina=2") || !strings.Contains(next, "tipo=procedure") {
		t.Errorf("next page link %q", next)
	} else if _, body = s.Get(t, next); parse(t, body).Find("li.pass-hit").Length() == 0 {
		t.Error("page 2 is empty")
	}
	// Odd input never breaks the page.
	for _, q := range []string{`"`, `"valutazione`, `-`, `***`, `'; DROP TABLE entries; --`, strings.Repeat("e ", 1000), strings.Repeat("via ", 500), "\x00\x01", `ente:1 OR public:true`} {
		res, body := s.Get(t, "/cerca?q="+url.QueryEscape(q)+"&stato=x&ente=1%27")
		if res.StatusCode != 200 || !strings.Contains(body, `id="search-results"`) {
			t.Errorf("query %.40q: %d", q, res.StatusCode)
		}
	}
	// Suggestions as you type.
	res, body := s.Get(t, "/cerca/suggerimenti?q=bonif")
	if res.StatusCode != 200 || !strings.Contains(body, `role="listbox"`) || !strings.Contains(body, "bonifica") || strings.Contains(body, "<a ") {
		t.Errorf("suggestions: %d %s", res.StatusCode, body)
	}
	// The headless API.
	res, body = s.Get(t, "/api/v1/search?q=bonifica&type=procedure")
	var out struct {
		Total  int `json:"total"`
		Hits   []struct{ Type, Slug, Title, URL, Snippet string }
		Facets map[string]map[string]int
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || res.StatusCode != 200 || out.Total == 0 || len(out.Hits) == 0 {
		t.Fatalf("api: %d %v %s", res.StatusCode, err, body)
	}
	for _, h := range out.Hits {
		if h.Type != "procedure" || h.Slug == "" || !strings.HasPrefix(h.URL, "/procedure/") {
			t.Errorf("api hit %+v", h)
		}
	}
	if _, ok := out.Facets["state"]; ok {
		t.Error("the public API shows a reserved facet")
	}
	if res, _ := s.Get(t, "/api/v1/search?page=x&q=a"); res.StatusCode != 400 {
		t.Errorf("bad page: %d", res.StatusCode)
	}
}

// TestIndexFollowsTheDatabase: an edit reaches the index through its job, a row gone from the
// database is reported as drift and removed by a refresh, and a rebuild leaves no drift.
func TestIndexFollowsTheDatabase(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	if missing, extra, err := s.Search.Drift(ctx); err != nil || len(missing)+len(extra) != 0 {
		t.Fatalf("after the import: missing %v, extra %v, %v", missing, extra, err)
	}
	src := "---\ntitle: Chi siamo\nsummary: Il gruppo di PAsS.\n---\nSiamo esperti di idrogeologia lacustre.\n"
	if err := s.Content.Edit(ctx, "page", "chi-siamo", src, "editor"); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	hit := func(path string) bool {
		_, body := s.Get(t, path)
		return parse(t, body).Find(`li.pass-hit a[href="/pagine/chi-siamo"]`).Length() == 1
	}
	if !hit("/cerca?q=idrogeologia") {
		t.Error("an edited page is not found by its new words")
	}
	var id int64
	if err := s.DB.NewSelect().Table("entries").Column("id").Where("slug = ?", "chi-siamo").Scan(ctx, &id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.ExecContext(ctx, "UPDATE entries SET published_revision_id = NULL WHERE id = ?", id); err != nil {
		t.Fatal(err)
	}
	_, extra, err := s.Search.Drift(ctx)
	if err != nil || len(extra) != 1 || extra[0] != "page:"+strconv.FormatInt(id, 10) {
		t.Fatalf("drift of an unpublished page: %v %v", extra, err)
	}
	if hit("/cerca?q=idrogeologia+lacustre") { // a new URL: not from the page cache
		t.Error("an unpublished page is shown: hits must be checked against the database")
	}
	if err := s.Search.Refresh(ctx, extra...); err != nil {
		t.Fatal(err)
	}
	n, err := s.Search.Rebuild(ctx, nil)
	if err != nil || n == 0 {
		t.Fatalf("rebuild: %d %v", n, err)
	}
	if missing, extra, err := s.Search.Drift(ctx); err != nil || len(missing)+len(extra) != 0 {
		t.Fatalf("after a rebuild: missing %v, extra %v, %v", missing, extra, err)
	}
}

// TestSearchEngineDown: with the engine closed, the search page says so (503) and the site works.
func TestSearchEngineDown(t *testing.T) {
	s := apptest.Start(t)
	if err := s.Search.Engine.Close(); err != nil {
		t.Fatal(err)
	}
	res, body := s.Get(t, "/cerca?q=bonifica")
	if res.StatusCode != 503 || !strings.Contains(body, "non è disponibile") {
		t.Errorf("search page with the engine down: %d", res.StatusCode)
	}
	if res, _ := s.Get(t, "/api/v1/search?q=bonifica"); res.StatusCode != 503 {
		t.Errorf("API with the engine down: %d", res.StatusCode)
	}
	if res, _ := s.Get(t, "/procedure"); res.StatusCode != 200 {
		t.Errorf("the catalogue with the engine down: %d", res.StatusCode)
	}
}

// TestEmptyIndexIsRebuiltAtStart: a process that finds the index empty and the database not (a
// new engine, a lost index) rebuilds it by itself.
func TestEmptyIndexIsRebuiltAtStart(t *testing.T) {
	first := apptest.New(t)
	dir, url := first.Config.DataDir, first.Config.DatabaseURL
	if err := first.Close(); err != nil {
		t.Logf("close: %v", err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "search.bleve")); err != nil {
		t.Fatal(err)
	}
	second := apptest.New(t, apptest.NoContent, func(c *config.Config) { c.DataDir, c.DatabaseURL = dir, url })
	apptest.Idle(t, second)
	missing, extra, err := second.Search.Drift(context.Background())
	if err != nil || len(missing)+len(extra) != 0 {
		t.Fatalf("after the start: %d missing, %d extra, %v", len(missing), len(extra), err)
	}
	if n, _ := second.Search.Count(context.Background()); n == 0 {
		t.Fatal("nothing to rebuild: the test proves nothing")
	}
}

package bench

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/content"
	"passhub/app/identity"
)

// publications is how many publications the publish-to-visible benchmark measures.
const publications = 50

// visibleWithin bounds the wait for one publication to show; past it the benchmark fails.
const visibleWithin = 20 * time.Second

// BenchmarkPublishToVisible measures how long a publication takes to reach the visitors. A
// publisher publishes, through the newsroom's form, a new revision of a procedure with a title
// seen nowhere else; from the moment the form is sent, the public page of the procedure and the
// catalogue (both in the page cache of anonymous visitors beforehand, as they are in production)
// are fetched over and over until they show the new title. On PostgreSQL the publisher works on
// instance A and the visitors read instance B, which shares the database (the bus tells B to
// drop its caches); on SQLite one instance does both, and the search page is measured too (its
// index is updated by a durable job). Jobs poll at the production interval. It reports p50 and
// p99 over 50 publications, of the form's own answer and of each page.
func BenchmarkPublishToVisible(b *testing.B) {
	prod := func(c *config.Config) { c.JobsPoll = config.Defaults().JobsPoll }
	a := apptest.Start(b, prod)
	visitor, where := a, "one instance"
	if apptest.OnPostgres() {
		visitor = apptest.Start(b, prod, func(c *config.Config) {
			c.DatabaseURL, c.DataDir, c.SearchDir = a.Config.DatabaseURL, a.Config.DataDir, b.TempDir() // Bleve's index is one instance's
		})
		where = "published on instance A, read on instance B"
	}
	ctx := context.Background()
	cookie := a.Login(b, apptest.FiscalCode("CPRCPR80A01F205"), "Laura", "Capo")
	sess, err := a.Identity.Authenticate(ctx, strings.TrimPrefix(strings.Split(cookie, ";")[0], "pass_session="))
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Identity.Grant(ctx, identity.Actor{Name: "bench"}, sess.User.ID, identity.RolePublisher, ""); err != nil {
		b.Fatal(err)
	}
	publisher := content.Actor{UserID: sess.User.ID, Name: "Laura Capo", Publisher: true}
	tfs, err := a.Catalogue.Catalogue(ctx)
	if err != nil {
		b.Fatal(err)
	}
	slug := ""
	for _, tf := range tfs {
		if len(tf.Procedures) > 0 {
			slug = tf.Procedures[0].Slug
			break
		}
	}
	if slug == "" {
		b.Fatal("the shipped content has no procedure")
	}
	pages := []struct{ name, path string }{
		{"page", "/procedure/" + slug},
		{"catalogue", "/procedure"},
	}
	search := !apptest.OnPostgres() // on PostgreSQL each instance's Bleve index is its own: B's is not A's
	get := func(path string) (int, string, string) {
		res, body := visitor.Get(b, path, "Accept-Language", "it")
		return res.StatusCode, res.Header.Get("X-Cache"), body
	}

	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		lat := map[string][]time.Duration{}
		for i := 0; i < publications; i++ {
			marker := "Revisione " + letters(n*publications+i)
			w, err := a.Content.Work(ctx, content.TypeProcedure, slug)
			if err != nil {
				b.Fatal(err)
			}
			fields := content.FormValues(w.Def, w.Doc)
			fields["title"] = marker
			_, rev, err := a.Content.SaveDraft(ctx, publisher, content.Draft{Type: content.TypeProcedure, Slug: slug, Base: w.Head.ID,
				Body: w.Doc.Body, Fields: fields})
			if err != nil {
				b.Fatal(err)
			}
			find := "/cerca?q=" + strings.Fields(marker)[1]
			hit := `href="/procedure/` + slug + `" lang="it"` // a result's title
			if search {
				if _, _, body := get(find); strings.Contains(body, hit) {
					b.Fatalf("%s finds the procedure before the publication", find)
				}
			}
			for _, p := range pages { // the stale pages are in B's page cache, as visitors left them
				get(p.path)
				if st, _, body := get(p.path); st != http.StatusOK || strings.Contains(body, marker) {
					b.Fatalf("%s before the publication: status %d, or already showing %q", p.path, st, marker)
				}
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			var fail string
			start := make(chan time.Time)
			watch := func(name, path, want string) {
				defer wg.Done()
				t0 := <-start
				for {
					st, _, body := get(path)
					if st == http.StatusOK && strings.Contains(body, want) {
						mu.Lock()
						lat[name] = append(lat[name], time.Since(t0))
						mu.Unlock()
						return
					}
					if time.Since(t0) > visibleWithin {
						mu.Lock()
						fail = fmt.Sprintf("%s: still without %q %v after the publication (status %d)", path, want, visibleWithin, st)
						mu.Unlock()
						return
					}
				}
			}
			watchers := 0
			for _, p := range pages {
				wg.Add(1)
				watchers++
				go watch(p.name, p.path, marker)
			}
			if search {
				wg.Add(1)
				watchers++
				go watch("search", find, hit) // a hit may be highlighted: its link says it
			}
			t0 := time.Now()
			for k := 0; k < watchers; k++ {
				start <- t0
			}
			res, _ := a.PostForm(b, "/redazione/contenuti/procedure/"+slug+"/passi/publish",
				url.Values{"rev": {strconv.FormatInt(rev.ID, 10)}, "_csrf": {apptest.CSRFToken}}, "Cookie", cookie)
			took := time.Since(t0)
			if res.StatusCode != http.StatusSeeOther {
				b.Fatalf("publish: status %d", res.StatusCode)
			}
			lat["publish form"] = append(lat["publish form"], took)
			wg.Wait()
			if fail != "" {
				b.Fatal(fail)
			}
		}
		names := []string{"publish form"}
		for _, p := range pages {
			names = append(names, p.name)
		}
		if search {
			names = append(names, "search")
		}
		var rows []string
		for _, name := range names {
			d := lat[name]
			sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
			p50, p99 := d[len(d)/2], d[(len(d)-1)*99/100]
			key := strings.ReplaceAll(name, " ", "_")
			b.ReportMetric(msf(p50), key+"_p50_ms")
			b.ReportMetric(msf(p99), key+"_p99_ms")
			rows = append(rows, fmt.Sprintf("%-14s %9s %9s %9s", name, ms(p50), ms(p99), ms(d[len(d)-1])))
		}
		table := fmt.Sprintf("publish to visible — database %s, %s, %d publications of a procedure through the newsroom's form\n"+
			"time from sending the form until the page shows the new revision (the form: until its answer); page cache %v, jobs poll %v\n"+
			"%-14s %9s %9s %9s\n%s\n", database(), where, publications, a.Config.PageCache, a.Config.JobsPoll,
			"what", "p50", "p99", "max", strings.Join(rows, "\n"))
		fmt.Print("\n" + table)
		if n == 0 {
			addSummary("%s", table)
		}
	}
}

// letters makes a word of ten lower-case letters from i, far (in edits) from the others', so the
// search engine's typo tolerance never takes one for another.
func letters(i int) string {
	h := fnv.New64a()
	fmt.Fprint(h, i)
	x := h.Sum64()
	w := make([]byte, 10)
	for k := range w {
		w[k] = byte('a' + x%26)
		x /= 26
	}
	return string(w)
}

package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"
	"github.com/valyala/fasthttp"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/auth"
	"passhub/app/content"
	"passhub/app/identity"
)

// DeskEntries is how many entries the newsroom benchmark puts in the database.
const DeskEntries = 10_000

// editors is how many editors load the newsroom's pages at once: a newsroom is a few people, not
// the public's 64 connections.
const editors = 8

// BenchmarkNewsroomDesk fills the database with 10,000 entries (news, guides and pages; about
// 20,000 revisions in every state, written straight into the tables) and loads, as an editor
// with 8 concurrent connections, the newsroom's content list (default view, filtered by type and
// state, searched by two words) and the editor page of one entry with its history. Each page is
// measured against a static file of exactly the same size served by the same process in the same
// run, in alternating slices as BenchmarkPagesVsStatic does; it reports p99 of both, their
// ratio (page p99 / static p99) and requests per second. With PASSHUB_BENCH_EXPLAIN=1 it also
// prints the database's plan of every query a page runs (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN
// QUERY PLAN on SQLite).
func BenchmarkNewsroomDesk(b *testing.B) {
	dir := b.TempDir()
	base := serve(b, dir)
	a := base.app
	addr := strings.TrimPrefix(base.url, "http://")
	cookie, editor := editorSession(b, a)
	start := time.Now()
	one := bulkEntries(b, a, DeskEntries, editor)
	filled := time.Since(start)
	pages := []struct{ name, path string }{
		{"list", "/redazione/contenuti"},
		{"list filtered", "/redazione/contenuti?tipo=news&stato=published"},
		{"list words", "/redazione/contenuti?parole=bando+digitale"},
		{"list words+type", "/redazione/contenuti?tipo=news&stato=draft&parole=bonifica"},
		{"entry editor", content.DeskURL(one.Type, one.Slug)},
	}
	var hook *queryLog
	if os.Getenv("PASSHUB_BENCH_EXPLAIN") != "" {
		hook = &queryLog{}
		a.DB.AddQueryHook(hook)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var rows []string
		failed := false
		for _, p := range pages {
			hook.start()
			t0 := time.Now()
			body := fetchAs(b, addr, base.url+p.path, cookie)
			if hook != nil {
				fmt.Printf("\n%s: one request alone in %v\n", p.name, time.Since(t0).Round(time.Millisecond))
				queries, took := hook.stop()
				explain(b, a, p.name, queries, took)
			}
			twin := strings.ReplaceAll(p.name, " ", "-") + ".txt"
			if err := os.WriteFile(filepath.Join(dir, twin), body, 0o644); err != nil {
				b.Fatal(err)
			}
			page := newTarget(addr, base.url+p.path, -1) // the page's length may vary by a few bytes (times shown)
			page.conns, page.cookie = editors, cookie
			file := newTarget(addr, base.url+staticPrefix+"/"+twin, len(body))
			file.conns, file.cookie = editors, cookie
			abba(page, file)
			for _, t := range []*target{page, file} {
				if t.errors > 0 {
					b.Errorf("%s: %d of %d responses were not 200 (static: with %d bytes); first: %s",
						t.url, t.errors, t.errors+int64(t.requests), len(body), t.firstErr)
					failed = true
				}
			}
			ratio := msf(page.pct(0.99)) / msf(file.pct(0.99))
			rows = append(rows, fmt.Sprintf("%-16s %7d %8.0f %8.0f %8s %8s %8s %8s %7.1f",
				p.name, len(body), page.rps(), file.rps(), ms(page.pct(0.50)), ms(page.pct(0.99)),
				ms(file.pct(0.50)), ms(file.pct(0.99)), ratio))
			key := strings.ReplaceAll(p.name, " ", "_")
			b.ReportMetric(msf(page.pct(0.99)), key+"_p99_ms")
			b.ReportMetric(msf(file.pct(0.99)), key+"_static_p99_ms")
			b.ReportMetric(ratio, key+"_p99_ratio")
			b.ReportMetric(page.rps(), key+"_rps")
		}
		table := fmt.Sprintf("newsroom pages with %d entries (%s) — database %s, as an editor\n"+
			"database filled in %v; %d keep-alive connections, %v warm-up then %v per target in %d alternating slices (ABBA)\n"+
			"p99 ratio = page p99 / p99 of a static file of the same size served by the same process\n"+
			"%-16s %7s %8s %8s %8s %8s %8s %8s %7s\n%s\n",
			DeskEntries, one.mix, database(), filled.Round(time.Millisecond), editors, warmup, slice*slices, slices,
			"page", "bytes", "page r/s", "stat r/s", "page p50", "page p99", "stat p50", "stat p99", "p99 ×",
			strings.Join(rows, "\n"))
		fmt.Print("\n" + table)
		if i == 0 {
			addSummary("%s", table)
		}
		if failed {
			b.FailNow()
		}
	}
}

// editorSession opens a session for an editor (role editor) and returns its Cookie header, with
// the tests' CSRF token, and the user's id.
func editorSession(b *testing.B, a *app.App) (string, int64) {
	b.Helper()
	ctx := context.Background()
	u, token, err := a.Identity.Login(ctx, auth.Identity{FiscalCode: apptest.FiscalCode("RDTRDT80A01F205"), Name: "Giovanni",
		FamilyName: "Redattore", Email: "giovanni@example.it", Method: "spid", Issuer: "bench", Level: 2}, identity.Client{IP: "127.0.0.1"})
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Identity.Grant(ctx, identity.Actor{Name: "bench"}, u.ID, identity.RoleEditor, ""); err != nil {
		b.Fatal(err)
	}
	return "pass_session=" + token + "; csrf=" + apptest.CSRFToken, u.ID
}

// sample is the entry whose editor page is measured, and the mix of what was generated.
type sample struct {
	Type content.Type
	Slug string
	mix  string
}

// deskWords are the topics the generated titles are made of: "bando digitale" matches about one
// title in 25 ("bando" and "digitale" both), "bonifica" one in 7.
var deskWords = []string{"bando", "digitale", "bonifica", "ambiente", "scuole", "rifiuti", "energia"}

// bulkEntries writes n entries of the newsroom straight into the tables, in a few statements:
// news (seven in ten), guides and institutional pages, each with one to three revisions of
// about 1 KB of Markdown, in every state of the workflow — published; published with a newer
// draft or revision in review; draft or in review, never published; archived — by the editor
// (authorID) for one in three, changed at times spread over the last weeks.
func bulkEntries(b *testing.B, a *app.App, n int, authorID int64) sample {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	entries := make([]content.Entry, 0, n)
	type plan struct{ states []string }
	plans := make([]plan, 0, n)
	counts := map[content.Type]int{}
	for i := 0; i < n; i++ {
		t := content.TypeNews
		switch {
		case i%10 == 7:
			t = content.TypeGuide
		case i%20 == 9:
			t = content.TypePage
		}
		counts[t]++
		title := fmt.Sprintf("Avviso %d: %s %s per i Comuni", i, deskWords[i%len(deskWords)], deskWords[(i/len(deskWords))%len(deskWords)])
		at := now.Add(-time.Duration(i) * 3 * time.Minute)
		e := content.Entry{Type: t, Slug: fmt.Sprintf("avviso-%d", i), Title: title, Summary: "Sintesi dell'avviso " + fmt.Sprint(i),
			SourcePath: t.Dir() + "/avviso-" + fmt.Sprint(i) + ".md", EditedSinceImport: true, CreatedAt: at, UpdatedAt: at}
		if t == content.TypeNews {
			e.PublishedOn = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%330)
		}
		entries = append(entries, e)
		var st []string
		switch i % 10 {
		case 0, 1, 2, 3, 4:
			st = []string{content.StateArchived, content.StatePublished}
		case 5:
			st = []string{content.StatePublished, content.StateDraft}
		case 6:
			st = []string{content.StatePublished}
		case 7:
			st = []string{content.StateDraft}
		case 8:
			st = []string{content.StateDraft, content.StateReview}
		case 9:
			st = []string{content.StateArchived, content.StatePublished, content.StateReview}
		}
		plans = append(plans, plan{st})
	}
	const chunk = 1000
	err := a.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for i := 0; i < len(entries); i += chunk {
			part := entries[i:min(i+chunk, len(entries))]
			if _, err := tx.NewInsert().Model(&part).Returning("id").Exec(ctx); err != nil {
				return fmt.Errorf("entries: %w", err)
			}
		}
		var revs []content.Revision
		var owner []int // the index in entries of each revision in revs
		flush := func() error {
			if len(revs) == 0 {
				return nil
			}
			if _, err := tx.NewInsert().Model(&revs).Returning("id").Exec(ctx); err != nil {
				return fmt.Errorf("revisions: %w", err)
			}
			for k, r := range revs { // revisions come in number order: the last is the current one
				e := &entries[owner[k]]
				e.CurrentRevisionID = r.ID
				if r.State == content.StatePublished {
					e.PublishedRevisionID = r.ID
				}
			}
			revs, owner = revs[:0], owner[:0]
			return nil
		}
		for i, e := range entries {
			if e.ID == 0 {
				return fmt.Errorf("entry %d has no id after the insert", i)
			}
			for k, st := range plans[i].states {
				author := int64(0)
				if i%3 == 0 {
					author = authorID
				}
				revs = append(revs, content.Revision{EntryID: e.ID, Number: k + 1, Source: deskSource(e, k), Hash: fmt.Sprintf("%064d", i*4+k),
					Origin: content.OriginEditor, Author: "Redazione", AuthorID: author, State: st,
					CreatedAt: e.UpdatedAt.Add(time.Duration(k-3) * time.Hour), UpdatedAt: e.UpdatedAt})
				owner = append(owner, i)
			}
			if len(revs) >= chunk {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		for _, e := range entries {
			if _, err := tx.NewUpdate().Model(&e).Column("current_revision_id", "published_revision_id").WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("revision pointers: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if apptest.OnPostgres() {
		if _, err := a.DB.ExecContext(ctx, "ANALYZE"); err != nil { // as autovacuum would soon after such a load
			b.Fatal(err)
		}
	}
	a.Content.Invalidate()
	// The entry page measured: a news item with a live revision, a newer one in review and history.
	pick := entries[9]
	return sample{Type: pick.Type, Slug: pick.Slug, mix: fmt.Sprintf("%d news, %d guides, %d pages",
		counts[content.TypeNews], counts[content.TypeGuide], counts[content.TypePage])}
}

// deskSource is the k-th revision's Markdown of e: valid by the import's rules for its type.
func deskSource(e content.Entry, k int) string {
	var front strings.Builder
	fmt.Fprintf(&front, "title: %q\nsummary: %q\n", e.Title, e.Summary)
	switch e.Type {
	case content.TypeNews:
		fmt.Fprintf(&front, "date: %s\ntags:\n  - avvisi\n  - %s\n", e.PublishedOn.Format("2006-01-02"), deskWords[int(e.ID)%len(deskWords)])
	case content.TypeGuide:
		fmt.Fprintf(&front, "weight: %d\n", e.ID%50)
	}
	return "---\n" + front.String() + "---\n" + body(int(e.ID)) + fmt.Sprintf("\nRevisione %d.\n", k+1)
}

// fetchAs GETs url once with the Cookie header and returns the body of its 200 response, which
// must have passed through the app's middleware.
func fetchAs(b *testing.B, addr, url, cookie string) []byte {
	b.Helper()
	hc := &fasthttp.HostClient{Addr: addr}
	defer hc.CloseIdleConnections()
	req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(res)
	req.SetRequestURI(url)
	req.Header.Set("Cookie", cookie)
	if err := hc.DoTimeout(req, res, reqTimeout); err != nil {
		b.Fatalf("GET %s: %v", url, err)
	}
	if res.StatusCode() != fiber.StatusOK {
		b.Fatalf("GET %s: status %d", url, res.StatusCode())
	}
	if len(res.Header.Peek("Content-Security-Policy")) == 0 {
		b.Fatalf("GET %s: no Content-Security-Policy header, so not served through the app's middleware", url)
	}
	return append([]byte(nil), res.Body()...)
}

// queryLog keeps the SELECTs the database ran between start and stop.
type queryLog struct {
	mu      sync.Mutex
	on      bool
	queries []string
	took    []time.Duration
}

func (q *queryLog) start() {
	if q == nil {
		return
	}
	q.mu.Lock()
	q.on, q.queries, q.took = true, nil, nil
	q.mu.Unlock()
}

func (q *queryLog) stop() ([]string, []time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.on = false
	return q.queries, q.took
}

func (q *queryLog) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (q *queryLog) AfterQuery(_ context.Context, ev *bun.QueryEvent) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.on && strings.HasPrefix(strings.TrimSpace(ev.Query), "SELECT") {
		q.queries = append(q.queries, ev.Query)
		q.took = append(q.took, time.Since(ev.StartTime))
	}
}

// explain prints the plan of each query, with its time on PostgreSQL.
func explain(b *testing.B, a *app.App, page string, queries []string, took []time.Duration) {
	b.Helper()
	prefix := "EXPLAIN QUERY PLAN "
	if apptest.OnPostgres() {
		prefix = "EXPLAIN ANALYZE "
	}
	fmt.Printf("\n--- plans of %q (%d queries)\n", page, len(queries))
	for i, q := range queries {
		rows, err := a.DB.QueryContext(context.Background(), prefix+q)
		if err != nil {
			b.Fatalf("explain %s: %v", q, err)
		}
		cols, _ := rows.Columns()
		fmt.Printf("%v  %s\n", took[i].Round(10*time.Microsecond), q)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				b.Fatal(err)
			}
			fmt.Printf("    %v\n", vals[len(vals)-1])
		}
		_ = rows.Close()
	}
}

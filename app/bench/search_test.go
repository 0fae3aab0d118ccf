package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/content"
	"passhub/app/search"
	"passhub/app/search/searchtest"
)

// Search load settings: 16 concurrent searchers on keep-alive connections, each query class for
// searchFor after a warm-up, all on 127.0.0.1.
const (
	searchers     = 16
	searchWarmup  = 1 * time.Second
	searchFor     = 5 * time.Second
	searchCorpusN = 100_000
)

// BenchmarkSearch100k indexes a generated corpus of 100,000 Italian documents into the configured
// engine (Bleve by default), then measures searches through the HTTP endpoints under 16
// concurrent searchers: common, rare, typo and prefix (as-you-type) queries. Targets in the
// issue: indexing at least 2,000 documents/s; p99 under 50 ms.
func BenchmarkSearch100k(b *testing.B) {
	dir := b.TempDir()
	base := serve(b, dir, apptest.NoContent, func(c *config.Config) { c.PageCache = 0 }) // every request searches
	a := base.app
	ctx := context.Background()
	docs := searchtest.Corpus(searchCorpusN, 1)
	// The public documents are also rows of the database, as the endpoint reloads every hit.
	var rows []content.Entry
	now := time.Now().UTC()
	for _, d := range docs {
		typ, id, _ := search.SplitRef(d.ID)
		if !d.Public || !content.Type(typ).Valid() {
			continue
		}
		rows = append(rows, content.Entry{ID: id, Type: content.Type(typ), Slug: fmt.Sprint("c-", id), Title: d.Title,
			Summary: d.Body[:min(len(d.Body), 200)], PublishedRevisionID: 1, CreatedAt: now, UpdatedAt: now})
	}
	for i := 0; i < len(rows); i += 2000 {
		chunk := rows[i:min(i+2000, len(rows))]
		if _, err := a.DB.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if err := a.Search.Engine.Clear(ctx); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for i := 0; i < len(docs); i += 1000 {
			if err := a.Search.Engine.Index(ctx, docs[i:min(i+1000, len(docs))]...); err != nil {
				b.Fatal(err)
			}
		}
		took := time.Since(start)
		size := dirSize(filepath.Join(a.Config.DataDir, "search.bleve"))
		total := len(docs)
		if n == b.N-1 {
			docs, rows = nil, nil // the corpus is not the server's memory: let the searches run without it
			runtime.GC()
		}
		b.ReportMetric(float64(total)/took.Seconds(), "index_docs/s")
		b.ReportMetric(float64(size)/(1<<20), "index_MiB")

		classes := []struct{ name, path string }{
			{"common", "/api/v1/search?q=progetto"},
			{"common+filter", "/api/v1/search?q=progetto&type=news"},
			{"rare", "/api/v1/search?q=geotermia"},
			{"typo", "/api/v1/search?q=bonfica"},
			{"two words", "/api/v1/search?q=" + url.QueryEscape("valutazione ambientale")},
			{"prefix", "/cerca/suggerimenti?q=urbanis"},
			{"page", "/cerca?q=" + url.QueryEscape("bonifica siti")},
		}
		var lines []string
		for _, c := range classes {
			// cold: every request a new query (an excluded word that matches nothing), so no
			// cached result helps; repeated: the same URL again and again, as popular searches are.
			cold, errs, first := searchLoad(base.url+c.path, searchWarmup, false, true)
			cold, errs, first = searchLoad(base.url+c.path, searchFor, true, true)
			warm, werrs, wfirst := searchLoad(base.url+c.path, searchFor, true, false)
			if errs+werrs > 0 {
				b.Errorf("%s: %d errors, first: %s %s", c.name, errs+werrs, first, wfirst)
			}
			lines = append(lines, fmt.Sprintf("%-14s %8.0f %9s %9s %8.0f %9s %9s", c.name,
				float64(len(cold))/searchFor.Seconds(), ms(pct(cold, 0.50)), ms(pct(cold, 0.99)),
				float64(len(warm))/searchFor.Seconds(), ms(pct(warm, 0.50)), ms(pct(warm, 0.99))))
			name := strings.ReplaceAll(c.name, " ", "_")
			b.ReportMetric(msf(pct(cold, 0.99)), name+"_cold_p99_ms")
			b.ReportMetric(msf(pct(warm, 0.99)), name+"_repeated_p99_ms")
		}
		table := fmt.Sprintf("search — %d generated Italian documents, engine %s, database %s\n"+
			"indexed in %v: %.0f documents/s (target ≥ 2,000), index %.1f MiB on disk\n"+
			"%d concurrent searchers, %v per query class and mode after a %v warm-up; through the HTTP endpoints (hits reloaded and checked against the database)\n"+
			"cold: each request a distinct query (no cached result); repeated: the same query again (engine results cached until the index changes)\n"+
			"%-14s %8s %9s %9s %8s %9s %9s\n%s\n",
			total, a.Config.SearchEngine, database(), took.Round(time.Millisecond), float64(total)/took.Seconds(), float64(size)/(1<<20),
			searchers, searchFor, searchWarmup, "query", "cold r/s", "cold p50", "cold p99", "rep r/s", "rep p50", "rep p99", strings.Join(lines, "\n"))
		fmt.Print("\n" + table)
		if n == 0 {
			addSummary("%s", table)
		}
	}
}

// searchLoad runs GET url from `searchers` goroutines for d and returns the sorted latencies;
// unique makes every request a distinct query.
func searchLoad(u string, d time.Duration, record, unique bool) ([]time.Duration, int, string) {
	client := &http.Client{Timeout: reqTimeout, Transport: &http.Transport{MaxIdleConnsPerHost: searchers}}
	defer client.CloseIdleConnections()
	var mu sync.Mutex
	var all []time.Duration
	errs, first := 0, ""
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < searchers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var lat []time.Duration
			for n := 0; time.Now().Before(deadline); n++ {
				target := u
				if unique {
					target = strings.Replace(u, "q=", fmt.Sprintf("q=-zq%dx%d+", i, n), 1)
				}
				t0 := time.Now()
				res, err := client.Get(target)
				if err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != 200 {
						err = fmt.Errorf("status %d", res.StatusCode)
					}
				}
				mu.Lock()
				if err != nil {
					errs++
					if first == "" {
						first = err.Error()
					}
				}
				mu.Unlock()
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if !record {
		return nil, errs, first
	}
	return all, errs, first
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

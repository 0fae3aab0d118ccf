package bleve

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"passhub/app/search"
	"passhub/app/search/searchtest"
)

// indexCorpus opens e and indexes docs in batches of 1000.
func indexCorpus(tb testing.TB, e *Engine, docs []search.Doc) {
	tb.Helper()
	ctx := context.Background()
	if err := e.Init(ctx); err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < len(docs); i += 1000 {
		if err := e.Index(ctx, docs[i:min(i+1000, len(docs))]...); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkIndex100k indexes 100,000 generated documents; it reports documents per second and
// the index size on disk.
func BenchmarkIndex100k(b *testing.B) {
	if testing.Short() {
		b.Skip("indexes 100,000 documents")
	}
	docs := searchtest.Corpus(100000, 1)
	b.ResetTimer()
	var took time.Duration
	var size int64
	for i := 0; i < b.N; i++ {
		e := New(filepath.Join(b.TempDir(), "search.bleve"))
		start := time.Now()
		indexCorpus(b, e, docs)
		if err := e.Close(); err != nil { // waits for the index to be on disk
			b.Fatal(err)
		}
		took += time.Since(start)
		b.StopTimer()
		size = e.Size()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(docs)*b.N)/took.Seconds(), "docs/s")
	b.ReportMetric(float64(size)/1e6, "MB")
}

// BenchmarkLayout compares index size and speed for 20,000 documents with and without stored
// text and term vectors.
func BenchmarkLayout(b *testing.B) {
	docs := searchtest.Corpus(20000, 2)
	for _, c := range []struct {
		name string
		l    layout
	}{{"stored+vectors", layout{true, true}}, {"stored", layout{true, false}}, {"vectors", layout{false, true}}, {"neither", layout{false, false}}} {
		b.Run(c.name, func(b *testing.B) {
			var took time.Duration
			var size int64
			for i := 0; i < b.N; i++ {
				e := New(filepath.Join(b.TempDir(), "search.bleve"))
				e.layout = c.l
				start := time.Now()
				indexCorpus(b, e, docs)
				e.Close()
				took += time.Since(start)
				size = e.Size()
			}
			b.ReportMetric(float64(len(docs)*b.N)/took.Seconds(), "docs/s")
			b.ReportMetric(float64(size)/1e6, "MB")
		})
	}
}

// BenchmarkSearch runs common, rare, typo and prefix queries over 100,000 documents and reports
// the median and 99th percentile latency.
func BenchmarkSearch(b *testing.B) {
	if testing.Short() {
		b.Skip("indexes 100,000 documents")
	}
	e := New(filepath.Join(b.TempDir(), "search.bleve"))
	indexCorpus(b, e, searchtest.Corpus(100000, 1))
	defer e.Close()
	settle(b, e)
	ctx := context.Background()
	ente := search.Access{Entes: []string{"42"}, User: "1042"}
	for _, c := range []struct {
		name string
		q    search.Query
	}{
		{"common", search.Query{Text: "progetto"}},
		{"common-facets", search.Query{Text: "progetto", Facets: true}},
		{"two-words", search.Query{Text: "bonifica amianto", Access: ente}},
		{"rare", search.Query{Text: "geotermia"}},
		{"typo", search.Query{Text: "bonfica"}},
		{"prefix", search.Query{Text: "urbanis", Prefix: true}},
		{"phrase", search.Query{Text: `"valutazione ambientale"`}},
		{"listing", search.Query{Filters: map[string][]string{"type": {"news"}, "year": {"2023"}}, Access: ente}},
	} {
		b.Run(c.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			var total int
			for i := 0; i < b.N; i++ {
				start := time.Now()
				res, err := e.Search(ctx, c.q)
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				total = res.Total
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			b.ReportMetric(float64(total), "hits")
		})
	}
}

// settle waits, up to a minute, for the index's background merges to end so that they do not
// run during the measurements.
func settle(b *testing.B, e *Engine) {
	segments := func() (mem, file uint64) {
		st, _ := e.idx.StatsMap()["index"].(map[string]interface{})
		mem, _ = st["num_root_memorysegments"].(uint64)
		file, _ = st["num_root_filesegments"].(uint64)
		return
	}
	last, stable := uint64(0), 0
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline) && stable < 6; {
		time.Sleep(500 * time.Millisecond)
		mem, file := segments()
		if mem == 0 && file == last {
			stable++
		} else {
			stable = 0
		}
		last = file
	}
	mem, file := segments()
	b.Logf("index settled: %d memory and %d file segments", mem, file)
}

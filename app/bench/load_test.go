// Package bench measures passhub under load and on large imports, always against a reference
// measured in the same run: each page against a static file of the same size served by the same
// process. Run with `make bench`; figures are printed as a table and reported as metrics.
package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/config"
)

// Load settings: the same for a page and its static twin.
const (
	connections = 64
	warmup      = 500 * time.Millisecond
	duration    = 2 * time.Second
	rounds      = 2 // page and twin alternate, so drift affects both alike
)

type result struct {
	requests int
	errors   int64
	elapsed  time.Duration
	lat      []time.Duration
}

func (r result) rps() float64 { return float64(r.requests) / r.elapsed.Seconds() }

func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[int(float64(len(r.lat)-1)*p)]
}

// hammer sends GET url from `connections` keep-alive clients for d and returns what it measured.
// Every response must be 200 with the expected body length; anything else is an error.
func hammer(url string, size int, d time.Duration) result {
	tr := &http.Transport{MaxIdleConnsPerHost: connections, MaxConnsPerHost: connections, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	var errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < connections; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 4096)
			for ctx.Err() == nil {
				t0 := time.Now()
				res, err := client.Get(url)
				if err != nil {
					errs.Add(1)
					continue
				}
				n, _ := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 || int(n) != size {
					errs.Add(1)
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return result{requests: len(all), errors: errs.Load(), elapsed: elapsed, lat: all}
}

func merge(a, b result) result {
	lat := append(append([]time.Duration{}, a.lat...), b.lat...)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return result{requests: a.requests + b.requests, errors: a.errors + b.errors, elapsed: a.elapsed + b.elapsed, lat: lat}
}

// BenchmarkPagesAgainstStatic serves three pages and, for each, a static file of the same size
// from the same process, under 64 concurrent keep-alive connections, and reports the ratio of
// their throughputs (target: a content page at 0.7 or more of the static file) and p99s: first
// as visitors get them (page cache on), then rendered on every request (page cache off).
func BenchmarkPagesAgainstStatic(b *testing.B) {
	b.Run("cached", func(b *testing.B) { pagesAgainstStatic(b, true) })
	b.Run("rendered", func(b *testing.B) { pagesAgainstStatic(b, false) })
}

func pagesAgainstStatic(b *testing.B, cached bool) {
	s := apptest.Start(b, func(c *config.Config) {
		c.LogLevel = "error"
		if !cached {
			c.PageCache = 0
		}
	})
	tfs, err := s.Catalogue.Catalogue(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	pages := []struct{ name, path string }{
		{"home", "/"},
		{"catalogue", "/procedure"},
		{"procedure_sheet", "/procedure/" + tfs[0].Procedures[0].Slug},
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fmt.Printf("\npage cache on: %v\n%-16s %9s %9s %6s %9s %9s %9s %9s\n", cached, "page", "bytes", "page rps", "ratio", "page p50", "page p99", "file rps", "file p99")
		for _, p := range pages {
			res, body := s.Get(b, p.path)
			if res.StatusCode != 200 {
				b.Fatalf("%s: %d", p.path, res.StatusCode)
			}
			twin := "bench/" + p.name + ".html"
			s.Web.Assets.Put(twin, []byte(body))
			fileURL := s.URL + s.Web.Assets.URL(twin)
			pageURL := s.URL + p.path
			hammer(pageURL, len(body), warmup)
			hammer(fileURL, len(body), warmup)
			var page, file result
			for r := 0; r < rounds; r++ {
				page = merge(page, hammer(pageURL, len(body), duration))
				file = merge(file, hammer(fileURL, len(body), duration))
			}
			if page.errors+file.errors > 0 {
				b.Fatalf("%s: %d page errors, %d file errors", p.path, page.errors, file.errors)
			}
			ratio := page.rps() / file.rps()
			fmt.Printf("%-16s %9d %9.0f %6.2f %9s %9s %9.0f %9s\n", p.name, len(body), page.rps(), ratio,
				page.pct(0.5).Round(10*time.Microsecond), page.pct(0.99).Round(10*time.Microsecond), file.rps(), file.pct(0.99).Round(10*time.Microsecond))
			b.ReportMetric(ratio, p.name+"_ratio")
			b.ReportMetric(page.rps(), p.name+"_rps")
			b.ReportMetric(float64(page.pct(0.99).Microseconds()), p.name+"_p99_µs")
		}
	}
}

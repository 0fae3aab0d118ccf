package bench

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/config"
)

// Load settings, the same for a page and for its static twin. Every load stays on 127.0.0.1 and
// stops by itself: per target a warm-up, then `slices` slices that alternate page and twin in
// ABBA order (page, twin, twin, page, …) so that drift over time weighs on both alike.
const (
	connections = 64
	warmup      = 1 * time.Second
	slice       = 1 * time.Second
	slices      = 5 // 5 s measured per target
	reqTimeout  = 10 * time.Second
)

// staticPrefix is where the twins' folder is served, by Fiber's own static handler.
const staticPrefix = "/bench-static"

// BenchmarkPagesVsStatic serves three pages of the shipped content and, for each, a static file
// of exactly the same size from a temporary folder, by the same Fiber app in the same process
// behind the same middleware, under 64 concurrent keep-alive connections; it reports requests per
// second, p50 and p99 of both and the ratio page/static (target in the issue: 0.7 or more). It
// runs with the configuration's page cache (what anonymous visitors get) and without it (every
// request rendered from the content service).
func BenchmarkPagesVsStatic(b *testing.B) {
	b.Run("pagecache=on", func(b *testing.B) { pagesVsStatic(b, true) })
	b.Run("pagecache=off", func(b *testing.B) { pagesVsStatic(b, false) })
}

func pagesVsStatic(b *testing.B, cached bool) {
	dir := b.TempDir()
	base := serve(b, dir, func(c *config.Config) {
		if !cached {
			c.PageCache = 0
		}
	})
	addr := strings.TrimPrefix(base.url, "http://")
	tfs, err := base.app.Catalogue.Catalogue(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	sheet := ""
	for _, tf := range tfs {
		if len(tf.Procedures) > 0 {
			sheet = "/procedure/" + tf.Procedures[0].Slug // the first procedure of the catalogue
			break
		}
	}
	if sheet == "" {
		b.Fatal("the shipped content has no procedure")
	}
	pages := []struct{ name, path string }{
		{"home", "/"},
		{"catalogue", "/procedure"},
		{"procedure", sheet},
	}
	mode := "page cache on (default, TTL " + base.app.Config.PageCache.String() + ")"
	if !cached {
		mode = "page cache off (every request rendered)"
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var rows []string
		failed := false
		for _, p := range pages {
			body := fetch(b, addr, base.url+p.path)
			twin := p.name + ".txt" // not text/html, so the page cache never keeps the twin
			if err := os.WriteFile(filepath.Join(dir, twin), body, 0o644); err != nil {
				b.Fatal(err)
			}
			if got := fetch(b, addr, base.url+staticPrefix+"/"+twin); !bytes.Equal(got, body) {
				b.Fatalf("%s: the static twin is not the page's %d bytes (got %d)", p.name, len(body), len(got))
			}
			page := newTarget(addr, base.url+p.path, len(body))
			file := newTarget(addr, base.url+staticPrefix+"/"+twin, len(body))
			abba(page, file)
			for _, t := range []*target{page, file} {
				if t.errors > 0 {
					b.Errorf("%s: %d of %d responses were not 200 with %d bytes; first: %s",
						t.url, t.errors, t.errors+int64(t.requests), t.size, t.firstErr)
					failed = true
				}
			}
			ratio := page.rps() / file.rps()
			rows = append(rows, fmt.Sprintf("%-10s %7d %9.0f %9.0f %6.2f %8s %8s %8s %8s %5.0f%%",
				p.name, len(body), page.rps(), file.rps(), ratio, ms(page.pct(0.50)), ms(page.pct(0.99)),
				ms(file.pct(0.50)), ms(file.pct(0.99)), 100*float64(page.hits)/float64(max(page.requests, 1))))
			b.ReportMetric(ratio, p.name+"_ratio")
			b.ReportMetric(page.rps(), p.name+"_rps")
			b.ReportMetric(file.rps(), p.name+"_static_rps")
			b.ReportMetric(msf(page.pct(0.50)), p.name+"_p50_ms")
			b.ReportMetric(msf(page.pct(0.99)), p.name+"_p99_ms")
			b.ReportMetric(msf(file.pct(0.99)), p.name+"_static_p99_ms")
		}
		table := fmt.Sprintf("pages vs static file of the same size — %s\n"+
			"%d keep-alive connections, %v warm-up then %v per target in %d alternating slices (ABBA); ratio = page rps / static rps (target ≥ 0.7)\n"+
			"%-10s %7s %9s %9s %6s %8s %8s %8s %8s %6s\n%s\n",
			mode, connections, warmup, slice*slices, slices,
			"page", "bytes", "page rps", "stat rps", "ratio", "page p50", "page p99", "stat p50", "stat p99", "cached",
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

// server is a running passhub and its base URL.
type server struct {
	app *app.App
	url string
}

// serve starts passhub as apptest.Start does, with one difference: the folder dir is served at
// staticPrefix by Fiber's own static handler, ahead of the catch-all 404 handler that
// App.Handler mounts last. There is no hook to add a route before that handler, so the static
// route is added after it and then moved in front of it in Fiber's route stack, before the
// server starts (the route tree is built when it starts).
func serve(b *testing.B, dir string, opts ...apptest.Option) *server {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatalf("listen: %v", err)
	}
	base := "http://" + ln.Addr().String()
	opts = append([]apptest.Option{func(c *config.Config) { c.BaseURL = base; c.LogLevel = "error" }}, opts...)
	a := apptest.New(b, opts...)
	w, err := a.Handler()
	if err != nil {
		b.Fatalf("handler: %v", err)
	}
	stack := w.App.Stack()
	before := make([]int, len(stack))
	for m := range stack {
		before[m] = len(stack[m])
	}
	w.App.Static(staticPrefix, dir)
	stack = w.App.Stack() // the live route stack, one slice per method
	for m := range stack {
		added := stack[m][before[m]:]
		if len(added) == 0 {
			continue
		}
		if before[m] == 0 || stack[m][before[m]-1].Path != "/" {
			b.Fatalf("route stack of %s: the last route before the static one is not the catch-all", added[0].Method)
		}
		catchAll := stack[m][before[m]-1]
		routes := append([]*fiber.Route{}, stack[m][:before[m]-1]...)
		routes = append(routes, added...)
		stack[m] = append(routes, catchAll)
	}
	go func() { _ = w.App.Listener(ln) }()
	b.Cleanup(func() { _ = w.App.ShutdownWithTimeout(5 * time.Second) })
	return &server{app: a, url: base}
}

// fetch GETs url once and returns the body of its 200 response, which must have passed through
// the app's middleware (it sets the security headers).
func fetch(b *testing.B, addr, url string) []byte {
	b.Helper()
	hc := &fasthttp.HostClient{Addr: addr}
	defer hc.CloseIdleConnections()
	req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(res)
	req.SetRequestURI(url)
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

// target is one URL under load and what was measured on it so far.
type target struct {
	url      string
	urls     []string             // when set, the requests go round them (url is their label)
	size     int                  // the body's length every good response has; -1: any length
	conns    int                  // concurrent keep-alive connections
	cookie   string               // sent with every request when not empty
	hc       *fasthttp.HostClient // kept across slices: the connections stay open
	requests int                  // good responses measured
	hits     int                  // of which served by the page cache
	errors   int64                // responses that were not 200 with size bytes, or failed
	firstErr string
	elapsed  time.Duration
	lat      []time.Duration
	sorted   bool
}

func newTarget(addr, url string, size int) *target {
	return &target{url: url, size: size, conns: connections, hc: &fasthttp.HostClient{
		Addr: addr, MaxConns: connections, MaxIdleConnDuration: time.Minute,
		ReadTimeout: reqTimeout, WriteTimeout: reqTimeout,
	}}
}

func (t *target) close() { t.hc.CloseIdleConnections() }

// abba warms page and file up, then measures them in alternating slices (page, file, file,
// page, …) so that both see the same machine, and closes them.
func abba(page, file *target) {
	page.run(warmup, false)
	file.run(warmup, false)
	for r := 0; r < slices; r++ {
		if r%2 == 0 {
			page.run(slice, true)
			file.run(slice, true)
		} else {
			file.run(slice, true)
			page.run(slice, true)
		}
	}
	page.close()
	file.close()
}

// run sends GET t.url from t.conns workers, each on its keep-alive connection, for d; when
// record is false (warm-up) only errors are kept.
func (t *target) run(d time.Duration, record bool) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for i := 0; i < t.conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(res)
			req.SetRequestURI(t.url)
			next := i * 7919 // each worker starts elsewhere in urls
			if t.cookie != "" {
				req.Header.Set("Cookie", t.cookie)
			}
			lat := make([]time.Duration, 0, 8192)
			var errs int64
			var hits int
			var first string
			for time.Now().Before(deadline) {
				if len(t.urls) > 0 {
					req.SetRequestURI(t.urls[next%len(t.urls)])
					next++
				}
				t0 := time.Now()
				err := t.hc.DoTimeout(req, res, reqTimeout)
				took := time.Since(t0)
				switch {
				case err != nil:
					errs++
					if first == "" {
						first = err.Error()
					}
				case res.StatusCode() != fiber.StatusOK || (t.size >= 0 && len(res.Body()) != t.size):
					errs++
					if first == "" {
						first = fmt.Sprintf("status %d, %d bytes", res.StatusCode(), len(res.Body()))
					}
				default:
					lat = append(lat, took)
					if string(res.Header.Peek("X-Cache")) == "hit" {
						hits++
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			t.errors += errs
			if t.firstErr == "" {
				t.firstErr = first
			}
			if record {
				t.lat = append(t.lat, lat...)
				t.requests += len(lat)
				t.hits += hits
			}
		}()
	}
	wg.Wait()
	if record {
		t.elapsed += time.Since(start)
		t.sorted = false
	}
}

func (t *target) rps() float64 {
	if t.elapsed == 0 {
		return 0
	}
	return float64(t.requests) / t.elapsed.Seconds()
}

// pct returns the p-th quantile of the measured latencies (0 < p ≤ 1).
func (t *target) pct(p float64) time.Duration {
	if len(t.lat) == 0 {
		return 0
	}
	if !t.sorted {
		sort.Slice(t.lat, func(i, j int) bool { return t.lat[i] < t.lat[j] })
		t.sorted = true
	}
	return t.lat[int(float64(len(t.lat)-1)*p)]
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", msf(d)) }

// measured is a page measured against its static twin: the table's row, and the figures.
type measured struct {
	row                  string
	p99, ratio, aloneP99 float64 // ms, page p99 / twin p99, ms
}

// measurePage fetches path with cookie, writes its static twin (same bytes) into dir, then runs
// the page and the twin with viewers connections (ABBA slices) and again with one connection
// alone: the row of the benchmark's table and its figures.
func measurePage(b *testing.B, base *server, dir, name, path, cookie string) measured {
	b.Helper()
	addr := strings.TrimPrefix(base.url, "http://")
	body := fetchAs(b, addr, base.url+path, cookie)
	twin := strings.NewReplacer(" ", "-", "/", "_").Replace(name) + ".txt"
	if err := os.WriteFile(filepath.Join(dir, twin), body, 0o644); err != nil {
		b.Fatal(err)
	}
	page, file := newTarget(addr, base.url+path, -1), newTarget(addr, base.url+staticPrefix+"/"+twin, len(body))
	page.conns, page.cookie, file.conns = viewers, cookie, viewers
	abba(page, file)
	for _, t := range []*target{page, file} {
		if t.errors > 0 {
			b.Errorf("%s: %d responses were not 200; first: %s", t.url, t.errors, t.firstErr)
		}
	}
	ratio := msf(page.pct(0.99)) / msf(file.pct(0.99))
	// One viewer alone: the time a person waits for the page when nobody else asks.
	alone, aloneFile := newTarget(addr, base.url+path, -1), newTarget(addr, base.url+staticPrefix+"/"+twin, len(body))
	alone.cookie, alone.conns, aloneFile.conns = cookie, 1, 1
	abba(alone, aloneFile)
	return measured{row: fmt.Sprintf("%-16s %7d %8.0f %8s %8s %8s %7.1f %9s %8s", name, len(body), page.rps(),
		ms(page.pct(0.50)), ms(page.pct(0.99)), ms(file.pct(0.99)), ratio, ms(alone.pct(0.99)), ms(aloneFile.pct(0.99))),
		p99: msf(page.pct(0.99)), ratio: ratio, aloneP99: msf(alone.pct(0.99))}
}

// pagesHeader is the header of measurePage's rows.
var pagesHeader = fmt.Sprintf("%-16s %7s %8s %8s %8s %8s %7s %9s %8s", "page", "bytes", "page r/s", "page p50", "page p99", "stat p99", "p99 ×", "alone p99", "stat p99")

package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/config"
)

// ImportFiles is how many Markdown files the import benchmark generates.
const ImportFiles = 10000

// generate writes n valid content files: a few task forces and procedures, then news and guide
// pages of about 1 KB of Markdown each, with headings, lists and a table.
func generate(b *testing.B, dir string, n int) {
	b.Helper()
	write := func(rel, text string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	body := func(i int) string {
		return fmt.Sprintf("## Contesto %d\n\nIl Comune ha rilevato un arretrato di pratiche e chiede supporto per ridurre i tempi medi di conclusione.\n\n"+
			"- istruttoria documentale\n- conferenza di servizi\n- pubblicazione degli atti\n\n| fase | giorni |\n|---|---|\n| avvio | %d |\n| chiusura | %d |\n\n"+
			"## Esito\n\nGli esperti hanno affiancato gli uffici con incontri settimanali e modelli condivisi, con \"risultati\" misurati nel report.\n\n"+
			"%s\n", i, i%30+5, i%90+30, strings.Repeat("Testo di esempio sulla procedura e sulle sue fasi. ", 8))
	}
	for t := 0; t < 5; t++ {
		write(fmt.Sprintf("task-force/tf-%d.md", t), fmt.Sprintf("---\ncode: TF%d\ntitle: Task force %d\nsummary: Gruppo %d\nweight: %d\n---\n%s", t, t, t, t, body(t)))
	}
	for i := 0; i < 50; i++ {
		write(fmt.Sprintf("procedure/proc-%d.md", i), fmt.Sprintf("---\ncode: TF%d-%02d\ntitle: Procedura %d\nsummary: Sintesi %d\ntask_force: TF%d\nlegal_basis:\n  - D.Lgs. 152/2006\ntags: [ambiente]\n---\n%s", i%5, i, i, i, i%5, body(i)))
	}
	for i := 55; i < n; i++ {
		if i%4 == 0 {
			write(fmt.Sprintf("guida/pagina-%d.md", i), fmt.Sprintf("---\ntitle: Guida %d\nsummary: Come fare %d\nweight: %d\n---\n%s", i, i, i, body(i)))
		} else {
			write(fmt.Sprintf("notizie/notizia-%d.md", i), fmt.Sprintf("---\ntitle: Notizia %d\nsummary: Aggiornamento %d\ndate: 2025-%02d-%02d\ntags: [pnrr, esperti]\n---\n%s", i, i, i%12+1, i%28+1, body(i)))
		}
	}
}

// BenchmarkImport10k imports 10,000 generated files into a fresh database and reports the time
// and the peak memory (targets: under 10 s and under 200 MB), then the time of a re-import where
// nothing changed.
func BenchmarkImport10k(b *testing.B) {
	dir := b.TempDir()
	generate(b, dir, ImportFiles)
	for i := 0; i < b.N; i++ {
		a := apptest.New(b, func(c *config.Config) { c.ContentDir = ""; c.LogLevel = "error" })
		ctx := context.Background()
		runtime.GC()
		var peak atomic.Uint64
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				if v := ms.HeapInuse + ms.StackInuse; v > peak.Load() {
					peak.Store(v)
				}
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
		}()
		start := time.Now()
		rep, err := a.Content.Import(ctx, dir)
		took := time.Since(start)
		close(stop)
		<-done
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Errors) > 0 || rep.Created != ImportFiles {
			b.Fatalf("import: created %d of %d, %d errors, first %v", rep.Created, ImportFiles, len(rep.Errors), rep.Errors)
		}
		start = time.Now()
		rep2, err := a.Content.Import(ctx, dir)
		again := time.Since(start)
		if err != nil || rep2.Unchanged != ImportFiles {
			b.Fatalf("re-import: %+v %v", rep2, err)
		}
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		fmt.Printf("\nimport of %d files: %.2f s, peak Go heap+stack %.1f MB, process max RSS %.1f MB; re-import (unchanged) %.2f s\n",
			ImportFiles, took.Seconds(), float64(peak.Load())/(1<<20), float64(ru.Maxrss)/1024, again.Seconds())
		b.ReportMetric(took.Seconds(), "import_s")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak_heap_MB")
		b.ReportMetric(float64(ru.Maxrss)/1024, "max_rss_MB")
		b.ReportMetric(again.Seconds(), "reimport_s")
	}
}

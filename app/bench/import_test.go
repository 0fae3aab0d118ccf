package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
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

// Generated mix: a few task forces, procedures that reference them, then news (three in four),
// guides and a few institutional pages.
const (
	genTaskForces = 5
	genProcedures = 50
)

// mix counts the generated files by folder.
type mix map[string]int

func (m mix) String() string {
	var parts []string
	for _, d := range []string{"task-force", "procedure", "notizie", "guida", "pagine"} {
		parts = append(parts, fmt.Sprintf("%d %s", m[d], d))
	}
	return strings.Join(parts, ", ")
}

// generate writes n valid content files under dir and returns their mix and total size. Each has
// about 1 KB of Markdown: headings, a bulleted and a numbered list, a table, emphasis and a link.
func generate(b *testing.B, dir string, n int) (mix, int64) {
	b.Helper()
	m := mix{}
	var total int64
	write := func(folder, slug, front string, i int) {
		text := "---\n" + front + "---\n" + body(i)
		p := filepath.Join(dir, folder, slug+".md")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
		m[folder]++
		total += int64(len(text))
	}
	i := 0
	for t := 0; t < genTaskForces && i < n; t, i = t+1, i+1 {
		write("task-force", fmt.Sprintf("task-force-%d", t), fmt.Sprintf(
			"code: TF%d\ntitle: Task force %d\nsummary: Gruppo di esperti %d per le procedure complesse\nweight: %d\n", t, t, t, t), i)
	}
	for p := 0; p < genProcedures && i < n; p, i = p+1, i+1 {
		write("procedure", fmt.Sprintf("procedura-%d", p), fmt.Sprintf(
			"code: TF%d-%02d\ntitle: Procedura %d\nsummary: Sintesi della procedura %d\ntask_force: TF%d\n"+
				"accepts_requests: true\noffice: Ufficio %d\nlegal_basis:\n  - D.Lgs. 152/2006\n  - L. 241/1990\n"+
				"duration: 90 giorni\ndocuments:\n  - Istanza\n  - Relazione tecnica\ntags: [ambiente, autorizzazioni]\n",
			p%genTaskForces, p, p, p, p%genTaskForces, p), i)
	}
	for ; i < n; i++ {
		switch {
		case i%50 == 0:
			write("pagine", fmt.Sprintf("pagina-%d", i), fmt.Sprintf(
				"title: Pagina %d\nsummary: Informazioni istituzionali %d\n", i, i), i)
		case i%4 == 0:
			write("guida", fmt.Sprintf("guida-%d", i), fmt.Sprintf(
				"title: Guida %d\nsummary: Come presentare la richiesta %d\nweight: %d\n", i, i, i%100), i)
		default:
			write("notizie", fmt.Sprintf("notizia-%d", i), fmt.Sprintf(
				"title: \"Notizia %d: avanzamento dei lavori\"\nsummary: Aggiornamento %d sulle attività degli esperti\n"+
					"date: 2025-%02d-%02d\ntags: [pnrr, esperti, tf%d]\n", i, i, i%12+1, i%28+1, i%genTaskForces), i)
		}
	}
	return m, total
}

func body(i int) string {
	return fmt.Sprintf("## Contesto %d\n\nIl Comune ha rilevato un **arretrato** di pratiche e chiede supporto per ridurre "+
		"i tempi medi di conclusione, come previsto dal [piano territoriale](https://example.org/piano-%d).\n\n"+
		"### Attività\n\n- istruttoria documentale\n- conferenza di servizi\n- pubblicazione degli atti\n\n"+
		"1. analisi delle pratiche aperte\n2. affiancamento degli uffici\n3. verifica dei risultati\n\n"+
		"| fase | giorni | esito |\n|---|---:|---|\n| avvio | %d | concluso |\n| istruttoria | %d | in corso |\n| chiusura | %d | previsto |\n\n"+
		"## Esito\n\nGli esperti hanno affiancato gli uffici con incontri settimanali e *modelli condivisi*; "+
		"i risultati sono misurati nel report trimestrale.\n\n%s\n",
		i, i, i%30+5, i%60+10, i%90+30, strings.Repeat("Testo di esempio sulla procedura e sulle sue fasi. ", 5))
}

// BenchmarkImport10k imports 10,000 generated files into a fresh database (no shipped content)
// and reports the time and the peak memory (targets: under 10 s and under 200 MB), then the time
// of a re-import of the same folder, where nothing changed.
func BenchmarkImport10k(b *testing.B) {
	dir := b.TempDir()
	m, size := generate(b, dir, ImportFiles)
	for i := 0; i < b.N; i++ {
		a := apptest.New(b, func(c *config.Config) { c.ContentDir = ""; c.LogLevel = "error" })
		ctx := context.Background()

		runtime.GC()
		debug.FreeOSMemory()
		rssReset := resetPeakRSS()
		var before syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
		var peakInuse, peakSys atomic.Uint64
		stop, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			var ms runtime.MemStats
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for {
				runtime.ReadMemStats(&ms)
				if v := ms.HeapInuse + ms.StackInuse; v > peakInuse.Load() {
					peakInuse.Store(v)
				}
				if ms.Sys > peakSys.Load() {
					peakSys.Store(ms.Sys)
				}
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		}()
		start := time.Now()
		rep, err := a.Content.Import(ctx, dir)
		took := time.Since(start)
		close(stop)
		<-done
		var after syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
		hwm := vmHWM()
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Errors) > 0 || rep.Created != ImportFiles {
			b.Fatalf("import: created %d of %d, %d errors, first %v", rep.Created, ImportFiles, len(rep.Errors), rep.Errors)
		}

		start = time.Now()
		rep2, err := a.Content.Import(ctx, dir)
		again := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if rep2.Unchanged != ImportFiles || rep2.Created+rep2.Updated+len(rep2.Conflicts)+len(rep2.Errors) > 0 {
			b.Fatalf("re-import: %d unchanged of %d, %d created, %d updated, %d conflicts, %d errors",
				rep2.Unchanged, ImportFiles, rep2.Created, rep2.Updated, len(rep2.Conflicts), len(rep2.Errors))
		}

		mb := func(v uint64) float64 { return float64(v) / (1 << 20) }
		rss := float64(after.Maxrss) / 1024 // Linux reports KB
		rssNote := "the RSS high-water mark was reset just before the import"
		if !rssReset {
			rssNote = "RSS figures are peaks of the whole process (the high-water mark could not be reset)"
		}
		row := func(name, value, target string) string { return fmt.Sprintf("%-36s %10s %8s\n", name, value, target) }
		table := fmt.Sprintf("import of %d generated files (%s; %.1f MB of Markdown) into a fresh %s database\n",
			ImportFiles, m, float64(size)/(1<<20), database()) +
			row("", "measured", "target") +
			row("import time", fmt.Sprintf("%.2fs", took.Seconds()), "< 10s") +
			row("peak Go heap+stack in use (10 ms)", fmt.Sprintf("%.1fMB", mb(peakInuse.Load())), "< 200MB") +
			row("peak Go runtime Sys (10 ms)", fmt.Sprintf("%.1fMB", mb(peakSys.Load())), "") +
			row("process peak RSS (VmHWM)", fmt.Sprintf("%.1fMB", hwm), "< 200MB") +
			row("process max RSS (getrusage)", fmt.Sprintf("%.1fMB", rss), "< 200MB") +
			row("re-import, all unchanged", fmt.Sprintf("%.2fs", again.Seconds()), "") +
			fmt.Sprintf("CPU during the import: %.2fs user, %.2fs system; %s\n",
				cpu(after.Utime)-cpu(before.Utime), cpu(after.Stime)-cpu(before.Stime), rssNote)
		fmt.Print("\n" + table)
		if i == 0 {
			addSummary("%s", table)
		}
		b.ReportMetric(took.Seconds(), "import_s")
		b.ReportMetric(mb(peakInuse.Load()), "peak_inuse_MB")
		b.ReportMetric(mb(peakSys.Load()), "peak_sys_MB")
		b.ReportMetric(rss, "max_rss_MB")
		b.ReportMetric(hwm, "peak_rss_MB")
		b.ReportMetric(again.Seconds(), "reimport_s")
	}
}

// resetPeakRSS resets the kernel's high-water mark of this process's resident set, so that the
// max RSS getrusage reports next is the peak since now (Linux 4.0 and later).
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// vmHWM returns the peak resident set size of this process in MB, as /proc/self/status tells it
// (VmHWM, which resetPeakRSS resets), or 0.
func vmHWM() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%f kB", &kb); err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}

func cpu(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

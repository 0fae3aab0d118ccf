package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/auth"
	"passhub/app/config"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/app/request"
)

// requestWorld is an approved ente's request assigned to an expert.
func requestWorld(b *testing.B) (*app.App, *request.Request, request.Actor) {
	b.Helper()
	a := apptest.New(b, func(c *config.Config) {
		c.JobsPoll = config.Defaults().JobsPoll // the production poll, not the tests' quick one
		if v := os.Getenv("PASSHUB_SQLITE_SYNCHRONOUS"); v != "" {
			c.SQLiteSynchronous = v // FULL or NORMAL, to compare them
		}
	})
	ctx := context.Background()
	if _, err := a.Enti.Import(ctx, []ente.Ente{{ISTAT: "013041", Name: "Cantù", Kind: ente.KindComune, Province: "CO"}}); err != nil {
		b.Fatal(err)
	}
	e, _ := a.Enti.ByISTAT(ctx, "013041")
	u, _, err := a.Identity.Login(ctx, auth.Identity{FiscalCode: "RSSMRA80A01F205X", Name: "Mario", FamilyName: "Rossi", Method: "spid", Level: 2}, identity.Client{})
	if err != nil {
		b.Fatal(err)
	}
	who := request.Actor{UserID: u.ID, Name: "Mario Rossi", IP: "127.0.0.1"}
	r, err := a.Requests.File(ctx, who, e.ID, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA",
		Description: "Quaranta istanze in attesa da mesi, un solo istruttore.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
	if err != nil {
		b.Fatal(err)
	}
	return a, r, who
}

// BenchmarkPostMessages posts messages (each with its audit entry, in one transaction) from 32
// concurrent writers for a fixed time and reports messages per second and the p99 latency.
func BenchmarkPostMessages(b *testing.B) {
	a, r, who := requestWorld(b)
	switch os.Getenv("PASSHUB_EXP") {
	case "nojobs":
		a.Requests.Events = nil
	case "nowork":
		_ = a.Jobs.Stop(context.Background())
	}
	const writers = 32
	for i := 0; i < b.N; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
		var mu sync.Mutex
		var lat []time.Duration
		var errs int
		var wg sync.WaitGroup
		start := time.Now()
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for n := 0; ctx.Err() == nil; n++ {
					t0 := time.Now()
					_, err := a.Workspace.Post(context.Background(), who, r, false, fmt.Sprintf("Messaggio %d dello scrittore %d: **aggiornamento** sull'istruttoria.", n, w))
					d := time.Since(t0)
					mu.Lock()
					if err != nil {
						errs++
					} else {
						lat = append(lat, d)
					}
					mu.Unlock()
				}
			}(w)
		}
		wg.Wait()
		cancel()
		elapsed := time.Since(start)
		if errs > 0 {
			b.Fatalf("%d posts failed", errs)
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		rate := float64(len(lat)) / elapsed.Seconds()
		p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
		msg := fmt.Sprintf("posting messages on %s, %d concurrent writers: %d messages in %.1f s = %.0f messages/s, p50 %v, p99 %v",
			database(), writers, len(lat), elapsed.Seconds(), rate, p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond))
		fmt.Println(msg)
		addSummary("%s", msg)
		b.ReportMetric(rate, "msgs/s")
		b.ReportMetric(float64(p99.Microseconds()), "p99_µs")
	}
}

// BenchmarkUpload10MB uploads 10 MB files through the workspace (content check, SHA-256, atomic
// write with fsync, version row and audit) and compares the throughput with a plain write and
// fsync of the same bytes to the same disk.
func BenchmarkUpload10MB(b *testing.B) {
	a, r, who := requestWorld(b)
	data := bytes.Repeat([]byte("0123456789abcdef"), 10<<20/16)
	copy(data, "%PDF-1.7\n")
	copy(data[len(data)-7:], "%%EOF\n\n")
	dir := b.TempDir()
	plain := func(i int) error {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("copy-%d.pdf", i)))
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
		return f.Close()
	}
	const files = 10
	for i := 0; i < b.N; i++ {
		var up, cp time.Duration
		for n := 0; n < files; n++ {
			data[100] = byte(n) // a different file each time
			t0 := time.Now()
			if _, err := a.Workspace.Upload(context.Background(), who, r, false, 0, fmt.Sprintf("allegato-%d.pdf", n), data, false); err != nil {
				b.Fatal(err)
			}
			up += time.Since(t0)
			t0 = time.Now()
			if err := plain(n); err != nil {
				b.Fatal(err)
			}
			cp += time.Since(t0)
		}
		mb := float64(len(data)*files) / (1 << 20)
		upRate, cpRate := mb/up.Seconds(), mb/cp.Seconds()
		msg := fmt.Sprintf("uploading %d files of 10 MB on %s: %.0f MB/s through the workspace, %.0f MB/s plain write+fsync, ratio %.2f",
			files, database(), upRate, cpRate, upRate/cpRate)
		fmt.Println(msg)
		addSummary("%s", msg)
		b.ReportMetric(upRate, "upload_MB/s")
		b.ReportMetric(cpRate, "plain_MB/s")
	}
}

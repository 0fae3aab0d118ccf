package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"passhub/app"
	"passhub/app/config"
	"passhub/app/funding"
)

// FundingCalls is how many calls for funding the calendar's benchmark generates.
const FundingCalls = 10_000

var benchProgrammes = []string{"PR FESR Lombardia 2021-2027", "PR FSE+ Lombardia 2021-2027", "Horizon Europe", "LIFE", "Interreg Italia-Svizzera",
	"Erasmus+", "CERV", "Europa Creativa", "Digital Europe", "PNRR"}

var benchTopics = []string{"energia", "clima", "biodiversità", "mobilità sostenibile", "digitalizzazione", "inclusione", "cultura", "giovani",
	"formazione", "turismo", "acqua", "rifiuti", "edifici pubblici", "ricerca", "imprese", "salute", "montagna", "agricoltura", "sport", "sicurezza"}

// BenchmarkFundingCalendar10k writes 10,000 published calls (two topics each, one to three
// deadlines spread over 2027, about 20,000 deadlines) straight into the tables and measures,
// page cache off, the public calendar's month view (all calls, and one programme) and the
// iCalendar feed of a whole year (all calls, and one topic), each against a static file of the
// same size served by the same process in the same run (p99 and ratio), with 8 connections.
func BenchmarkFundingCalendar10k(b *testing.B) {
	dir := b.TempDir()
	base := serve(b, dir, func(c *config.Config) { c.PageCache = 0 })
	a := base.app
	addr := strings.TrimPrefix(base.url, "http://")
	t0 := time.Now()
	deadlines := bulkCalls(b, a, FundingCalls)
	filled := time.Since(t0)
	day, _ := time.ParseInLocation("2006-01-02 15:04", "2027-01-04 09:00", funding.Rome)
	a.Funding.SetClock(func() time.Time { return day.UTC() }) // the feed's year is 2027
	pages := []struct{ name, path string }{
		{"month", "/bandi?mese=2027-03"},
		{"month programme", "/bandi?mese=2027-03&programma=LIFE"},
		{"ics year", "/bandi.ics"},
		{"ics topic", "/bandi.ics?tema=energia"},
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var rows []string
		for _, p := range pages {
			body := fetchAs(b, addr, base.url+p.path, "")
			twin := "funding-" + strings.NewReplacer(" ", "-").Replace(p.name) + ".txt"
			if err := os.WriteFile(filepath.Join(dir, twin), body, 0o644); err != nil {
				b.Fatal(err)
			}
			page := newTarget(addr, base.url+p.path, len(body))
			page.conns = viewers
			file := newTarget(addr, base.url+staticPrefix+"/"+twin, len(body))
			file.conns = viewers
			abba(page, file)
			for _, t := range []*target{page, file} {
				if t.errors > 0 {
					b.Errorf("%s: %d responses were not 200 with %d bytes; first: %s", t.url, t.errors, t.size, t.firstErr)
				}
			}
			ratio := msf(page.pct(0.99)) / msf(file.pct(0.99))
			events := strings.Count(string(body), "BEGIN:VEVENT")
			if events == 0 {
				events = strings.Count(string(body), `<li><a href="/bandi/`)
			}
			rows = append(rows, fmt.Sprintf("%-16s %9d %7d %8.0f %8s %8s %8s %7.1f", p.name, len(body), events, page.rps(),
				ms(page.pct(0.50)), ms(page.pct(0.99)), ms(file.pct(0.99)), ratio))
			key := strings.NewReplacer(" ", "_").Replace(p.name)
			b.ReportMetric(msf(page.pct(0.99)), key+"_p99_ms")
			b.ReportMetric(ratio, key+"_p99_ratio")
		}
		table := fmt.Sprintf("calls for funding: %d published calls, %d deadlines in 2027 — database %s, written in %v\n"+
			"page cache off; %d keep-alive connections, %v warm-up then %v per target in %d alternating slices (ABBA)\n"+
			"%-16s %9s %7s %8s %8s %8s %8s %7s\n%s\n",
			FundingCalls, deadlines, database(), filled.Round(time.Millisecond), viewers, warmup, slice*slices, slices,
			"page", "bytes", "entries", "page r/s", "page p50", "page p99", "stat p99", "p99 ×", strings.Join(rows, "\n"))
		fmt.Print("\n" + table)
		if i == 0 {
			addSummary("%s", table)
		}
	}
}

// bulkCalls writes n published calls with their topics and deadlines straight into the tables
// and returns how many deadlines it wrote.
func bulkCalls(b *testing.B, a *app.App, n int) int {
	b.Helper()
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	const batch = 500
	written := 0
	for start := 0; start < n; start += batch {
		calls := make([]*funding.Call, 0, batch)
		for i := start; i < min(start+batch, n); i++ {
			budget, rate := int64(100_000*(1+i%50)), 50+i%50
			opens := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%30)
			first := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (i*7)%300)
			calls = append(calls, &funding.Call{ClosesOn: first.AddDate(0, 0, 30*(i%3)).Format(funding.DateLayout), Code: "BENCH-" + strconv.Itoa(i), Slug: "bando-" + strconv.Itoa(i),
				Title: "Bando " + strconv.Itoa(i) + " per " + benchTopics[i%len(benchTopics)], Programme: benchProgrammes[i%len(benchProgrammes)],
				Authority: "Autorità di gestione " + strconv.Itoa(i%7), Summary: "Sostegno a progetti di " + benchTopics[i%len(benchTopics)] + " degli enti locali.",
				Budget: &budget, CoFunding: &rate, Beneficiaries: "Comuni, Province, unioni di comuni", URL: "https://example.eu/bandi/" + strconv.Itoa(i),
				OpensOn: opens.Format(funding.DateLayout), PublishedAt: now, CreatedAt: now, UpdatedAt: now})
		}
		var topics []funding.Topic
		var dls []funding.Deadline
		err := a.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewInsert().Model(&calls).Returning("id").Exec(ctx); err != nil {
				return err
			}
			for k, c := range calls {
				i := start + k
				topics = append(topics, funding.Topic{CallID: c.ID, Topic: benchTopics[i%len(benchTopics)]},
					funding.Topic{CallID: c.ID, Topic: benchTopics[(i/len(benchTopics)+i+1)%len(benchTopics)]})
				first := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (i*7)%300)
				for s := 0; s <= i%3; s++ {
					d := funding.Deadline{CallID: c.ID, Position: s + 1, Label: "Fase " + strconv.Itoa(s+1), DueOn: first.AddDate(0, 0, 30*s).Format(funding.DateLayout)}
					if s == 0 && i%2 == 0 {
						d.DueTime = "12:00"
					}
					dls = append(dls, d)
				}
			}
			if _, err := tx.NewInsert().Model(&topics).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
				return err
			}
			_, err := tx.NewInsert().Model(&dls).Exec(ctx)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		written += len(dls)
	}
	if _, err := a.DB.ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	return written
}

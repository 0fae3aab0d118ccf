package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/auth"
	"passhub/app/config"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/app/stats"
)

// StatsRequests is how many requests the statistics benchmark generates (with about ten times
// as many timeline events).
const StatsRequests = 100_000

// viewers is how many people load the statistics pages at once in the benchmark.
const viewers = 8

// BenchmarkStats100k generates 100,000 requests of 1,500 enti over two years, with about a
// million timeline events, 320,000 integrations and 160,000 activities (written straight into
// the tables), and measures `stats rebuild`, the figures computed afresh (as after a change),
// then the statistics' pages (page cache off) — public /dati unfiltered, filtered and by province,
// a dataset, the analysis panel as an admin unfiltered and filtered, a drill-down, an ente's home
// with its trend — each against a static file of the same size served by the same process in the
// same run (p99 and ratio), with 8 concurrent connections.
func BenchmarkStats100k(b *testing.B) {
	dir := b.TempDir()
	base := serve(b, dir, func(c *config.Config) { c.PageCache = 0 })
	a := base.app
	cookie, adminID := adminSession(b, a)
	mayor := enteSession(b, a) // before the requests: its ente is one of theirs
	t0 := time.Now()
	events := bulkRequests(b, a, StatsRequests, adminID)
	filled := time.Since(t0)
	ctx := context.Background()
	t0 = time.Now()
	n, err := a.Stats.Rebuild(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	rebuilt := time.Since(t0)
	if apptest.OnPostgres() {
		if _, err := a.DB.ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	var cells int
	if err := a.DB.NewSelect().TableExpr("stats_monthly").ColumnExpr("COUNT(*)").Scan(ctx, &cells); err != nil {
		b.Fatal(err)
	}
	var figures []time.Duration
	for i := 0; i < 20; i++ {
		a.Stats.Forget() // computed afresh, as after a change
		t1 := time.Now()
		if _, err := a.Stats.Figures(ctx, stats.Filter{}); err != nil {
			b.Fatal(err)
		}
		figures = append(figures, time.Since(t1))
	}
	sort.Slice(figures, func(i, j int) bool { return figures[i] < figures[j] })

	pages := []struct{ name, path, cookie string }{
		{"/dati", "/dati", ""},
		{"/dati filtered", "/dati?task_force=VA&da=2025-01&a=2025-12", ""},
		{"/dati province", "/dati/province/CO", ""},
		{"dataset CSV", "/dati/richieste-per-procedura.csv", ""},
		{"panel", "/area-riservata/analisi", cookie},
		{"panel filtered", "/area-riservata/analisi?tf=VA&provincia=CO&da=2025-01&a=2025-12", cookie},
		{"drill-down", "/area-riservata/analisi/richieste?misura=concluded&tf=VA&da=2025-06&a=2025-06", cookie},
		{"ente home", "/area-riservata", mayor},
	}
	if only := os.Getenv("PASSHUB_BENCH_PAGES"); only != "" { // e.g. "panel,drill-down": those pages alone
		keep := pages[:0]
		for _, p := range pages {
			if strings.Contains(","+only+",", ","+p.name+",") {
				keep = append(keep, p)
			}
		}
		pages = keep
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var rows []string
		for _, p := range pages {
			m := measurePage(b, base, dir, p.name, p.path, p.cookie)
			rows = append(rows, m.row)
			key := strings.NewReplacer(" ", "_", "/", "").Replace(p.name)
			b.ReportMetric(m.p99, key+"_p99_ms")
			b.ReportMetric(m.ratio, key+"_p99_ratio")
		}
		table := fmt.Sprintf("statistics with %d requests (%d filed), %d timeline events — database %s\n"+
			"database filled in %v; stats rebuild %v (%.0f requests/s), %d monthly cells; Figures() computed afresh p50 %s, max %s (then kept %v)\n"+
			"%d keep-alive connections, %v warm-up then %v per target in %d alternating slices (ABBA); then one connection alone\n"+
			"%s\n%s\n",
			StatsRequests, n, events, database(), filled.Round(time.Millisecond), rebuilt.Round(time.Millisecond),
			float64(n)/rebuilt.Seconds(), cells, ms(figures[len(figures)/2]), ms(figures[len(figures)-1]), stats.CacheTTL,
			viewers, warmup, slice*slices, slices, pagesHeader, strings.Join(rows, "\n"))
		fmt.Print("\n" + table)
		if i == 0 {
			addSummary("%s", table)
		}
	}
}

// adminSession opens a session for an administrator and returns its Cookie header and user id.
func adminSession(b *testing.B, a *app.App) (string, int64) {
	b.Helper()
	ctx := context.Background()
	u, token, err := a.Identity.Login(ctx, auth.Identity{FiscalCode: apptest.FiscalCode("DMNDMN80A01F205"), Name: "Ada",
		FamilyName: "Admin", Email: "ada@example.it", Method: "spid", Issuer: "bench", Level: 2}, identity.Client{IP: "127.0.0.1"})
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Identity.Grant(ctx, identity.Actor{Name: "bench"}, u.ID, "admin", ""); err != nil {
		b.Fatal(err)
	}
	return "pass_session=" + token + "; csrf=" + apptest.CSRFToken, u.ID
}

// enteSession opens a session for the legal representative of the first generated ente (about
// 67 requests, the home's trend against the regional median) and returns its Cookie header.
func enteSession(b *testing.B, a *app.App) string {
	b.Helper()
	u, token, err := a.Identity.Login(context.Background(), auth.Identity{FiscalCode: apptest.FiscalCode("SNDSND70A01F205"), Name: "Sara",
		FamilyName: "Sindaca", Email: "sara@example.it", Method: "spid", Issuer: "bench", Level: 2}, identity.Client{IP: "127.0.0.1"})
	if err != nil {
		b.Fatal(err)
	}
	apptest.ApprovedEnte(b, a, "900000", "Comune 0", benchProvinces[0], u.ID)
	return "pass_session=" + token + "; csrf=" + apptest.CSRFToken
}

var benchProvinces = []string{"BG", "BS", "CO", "CR", "LC", "LO", "MN", "MI", "MB", "PV", "SO", "VA"}

// bulkRequests writes n requests straight into the tables, filed every 10 minutes from
// December 2024: one in ten rejected, one in ten waiting for triage, the others assigned and
// worked on with four rounds of integrations, six in ten concluded. It returns how many timeline
// events it wrote.
func bulkRequests(b *testing.B, a *app.App, n int, userID int64) int {
	b.Helper()
	ctx := context.Background()
	var list []ente.Ente
	for i := 0; i < 1500; i++ {
		list = append(list, ente.Ente{ISTAT: fmt.Sprintf("9%05d", i), Name: fmt.Sprintf("Comune %d", i), Kind: ente.KindComune,
			Province: benchProvinces[i%len(benchProvinces)]})
	}
	if _, err := a.Enti.Import(ctx, list); err != nil {
		b.Fatal(err)
	}
	var enti []int64
	if err := a.DB.NewSelect().TableExpr("enti").Column("id").Where("istat_code LIKE '9%'").Scan(ctx, &enti); err != nil {
		b.Fatal(err)
	}
	if _, err := a.DB.NewUpdate().TableExpr("enti").Set("status = 'approved'").Where("istat_code LIKE '9%'").Exec(ctx); err != nil {
		b.Fatal(err)
	}
	var procs []struct {
		ID   int64  `bun:"id"`
		Code string `bun:"code"`
	}
	if err := a.DB.NewSelect().TableExpr("procedures AS p").Join("JOIN task_forces AS t ON t.id = p.task_force_id").
		ColumnExpr("p.id, t.code").Scan(ctx, &procs); err != nil || len(procs) == 0 {
		b.Fatal("procedures", err)
	}
	type req struct {
		bun.BaseModel  `bun:"table:requests"`
		ID             int64     `bun:"id,pk,autoincrement"`
		EnteID         int64     `bun:"ente_id"`
		ProcedureID    int64     `bun:"procedure_id"`
		TaskForce      string    `bun:"task_force"`
		Title          string    `bun:"title"`
		BacklogPending int       `bun:"backlog_pending"`
		BacklogAvgDays int       `bun:"backlog_avg_days"`
		State          string    `bun:"state"`
		CreatedBy      int64     `bun:"created_by"`
		CreatedAt      time.Time `bun:"created_at"`
		SubmittedAt    time.Time `bun:"submitted_at"`
		UpdatedAt      time.Time `bun:"updated_at"`
	}
	type ev struct {
		bun.BaseModel `bun:"table:request_events"`
		RequestID     int64     `bun:"request_id"`
		At            time.Time `bun:"at"`
		Actor         string    `bun:"actor"`
		Kind          string    `bun:"kind"`
		From          string    `bun:"from_state"`
		To            string    `bun:"to_state"`
	}
	type integ struct {
		bun.BaseModel `bun:"table:integrations"`
		RequestID     int64     `bun:"request_id"`
		AskedBy       int64     `bun:"asked_by"`
		Items         []string  `bun:"items"`
		DueOn         time.Time `bun:"due_on"`
		AnsweredAt    time.Time `bun:"answered_at,nullzero"`
		CreatedAt     time.Time `bun:"created_at"`
	}
	type space struct {
		bun.BaseModel `bun:"table:spaces"`
		ID            int64     `bun:"id,pk,autoincrement"`
		Kind          string    `bun:"kind"`
		RequestID     int64     `bun:"request_id"`
		CreatedAt     time.Time `bun:"created_at"`
	}
	type act struct {
		bun.BaseModel `bun:"table:activities"`
		SpaceID       int64     `bun:"space_id"`
		ExpertID      int64     `bun:"expert_id"`
		Kind          string    `bun:"kind"`
		OnDate        time.Time `bun:"on_date"`
		Minutes       int       `bun:"minutes"`
		Description   string    `bun:"description"`
		CreatedAt     time.Time `bun:"created_at"`
	}
	rng := rand.New(rand.NewPCG(13, 2026))
	start := time.Date(2024, 12, 1, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	const chunk = 1000
	events := 0
	err := a.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for lo := 0; lo < n; lo += chunk {
			var rs []req
			for i := lo; i < min(lo+chunk, n); i++ {
				p := procs[rng.IntN(len(procs))]
				at := start.Add(time.Duration(i) * 10 * time.Minute)
				st := "concluded"
				switch {
				case i%10 == 0:
					st = "rejected"
				case i%10 == 1:
					st = "submitted"
				case i%10 <= 3:
					st = "in_progress"
				}
				rs = append(rs, req{EnteID: enti[rng.IntN(len(enti))], ProcedureID: p.ID, TaskForce: p.Code, Title: fmt.Sprintf("Richiesta %d", i),
					BacklogPending: rng.IntN(80), BacklogAvgDays: 30 + rng.IntN(300), State: st, CreatedBy: userID, CreatedAt: at, SubmittedAt: at, UpdatedAt: at})
			}
			if _, err := tx.NewInsert().Model(&rs).Returning("id").Exec(ctx); err != nil {
				return fmt.Errorf("requests: %w", err)
			}
			var es []ev
			var is []integ
			var sps []space
			for _, r := range rs {
				t := r.SubmittedAt
				step := func(d time.Duration, kind, from, to string) {
					t = t.Add(d)
					es = append(es, ev{RequestID: r.ID, At: t, Actor: "bench", Kind: kind, From: from, To: to})
				}
				step(0, "submitted", "draft", "submitted")
				sps = append(sps, space{Kind: "request", RequestID: r.ID, CreatedAt: r.CreatedAt})
				switch r.State {
				case "rejected":
					step(time.Duration(1+rng.IntN(10))*day, "rejected", "submitted", "rejected")
					continue
				case "submitted":
					continue
				}
				step(time.Duration(1+rng.IntN(10))*day, "assigned", "submitted", "assigned")
				step(time.Hour, "experts", "assigned", "assigned")
				step(time.Duration(1+rng.IntN(5))*day, "started", "assigned", "in_progress")
				for k := 0; k < 4; k++ {
					step(time.Duration(1+rng.IntN(10))*day, "integration", "in_progress", "waiting_ente")
					asked := t
					step(time.Duration(1+rng.IntN(15))*day, "answered", "waiting_ente", "in_progress")
					is = append(is, integ{RequestID: r.ID, AskedBy: userID, Items: []string{"Elenco"}, DueOn: asked.Add(20 * day), AnsweredAt: t, CreatedAt: asked})
				}
				if r.State == "concluded" {
					step(time.Duration(1+rng.IntN(30))*day, "concluded", "in_progress", "concluded")
				}
			}
			events += len(es)
			for _, part := range [][]ev{es[:len(es)/2], es[len(es)/2:]} {
				if _, err := tx.NewInsert().Model(&part).Exec(ctx); err != nil {
					return fmt.Errorf("events: %w", err)
				}
			}
			if len(is) > 0 {
				if _, err := tx.NewInsert().Model(&is).Exec(ctx); err != nil {
					return fmt.Errorf("integrations: %w", err)
				}
			}
			if _, err := tx.NewInsert().Model(&sps).Returning("id").Exec(ctx); err != nil {
				return fmt.Errorf("spaces: %w", err)
			}
			var as []act
			for k, sp := range sps {
				if rs[k].State == "rejected" || rs[k].State == "submitted" {
					continue
				}
				for j := 0; j < 2; j++ {
					as = append(as, act{SpaceID: sp.ID, ExpertID: userID, Kind: []string{"meeting", "analysis"}[j], OnDate: rs[k].SubmittedAt.Add(time.Duration(5+j*10) * day),
						Minutes: 30 + rng.IntN(240), Description: "Attività", CreatedAt: rs[k].SubmittedAt})
				}
			}
			if len(as) > 0 {
				if _, err := tx.NewInsert().Model(&as).Exec(ctx); err != nil {
					return fmt.Errorf("activities: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return events
}

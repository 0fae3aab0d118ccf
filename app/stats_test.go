package app_test

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/request"
	"passhub/app/stats"
)

// TestStatsFromKnownTimes checks the figures of a seeded set of requests whose times are known.
func TestStatsFromKnownTimes(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	seed := seedStats(t, s)
	ctx := context.Background()
	f, err := s.Stats.Figures(ctx, stats.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := stats.Counts{Filed: 4, Triaged: 4, Assigned: 3, Rejected: 1, Started: 2, Concluded: 2}
	if f.Counts != want {
		t.Errorf("counts %+v, want %+v", f.Counts, want)
	}
	if d := f.ToConclusion; d.N != 2 || d.Median != 12 || d.P90 != 30 || d.Mean != 21 {
		t.Errorf("time to conclusion %+v, want 2 requests, median 12 days, 90th percentile 30, mean 21", d)
	}
	if d := f.ToTriage; d.N != 4 || d.Median != 2 || d.P90 != 5 {
		t.Errorf("time to triage %+v, want median 2, p90 5", d) // 2, 1, 5, 2 days
	}
	if d := f.Stays["submitted"]; d == nil || d.N != 4 || d.Median != 2 {
		t.Errorf("stays in submitted %+v", d)
	}
	if d := f.Stays["waiting_ente"]; d == nil || d.N != 1 || d.Median != 5 {
		t.Errorf("stays waiting for the ente %+v", d)
	}
	if a := f.Activities["analysis"]; a.N != 1 || a.Total != 90 {
		t.Errorf("analysis activities %+v", a)
	}
	if f.Integrations.N != 1 || f.ToAnswer.N != 1 || f.ToAnswer.Mean != 5 {
		t.Errorf("integrations %+v, answered %+v", f.Integrations, f.ToAnswer)
	}
	if f.BacklogStated != (stats.Sum{N: 2, Total: 50}) || f.DaysStated != (stats.Sum{N: 2, Total: 300}) {
		t.Errorf("backlog stated %+v, days %+v", f.BacklogStated, f.DaysStated)
	}
	if o := f.Outcomes["concluded"]; o.Asked != 2 || o.Answered != 2 || o.Backlog != (stats.Pair{N: 2, Before: 50, After: 19}) ||
		o.Days != (stats.Pair{N: 1, Before: 200, After: 120}) {
		t.Errorf("outcomes at conclusion %+v", o)
	}
	if len(f.ByMonth) != 2 || f.ByMonth[0].Key != "2026-01" || f.ByMonth[0].Filed != 3 || f.ByMonth[1].Filed != 1 ||
		f.ByMonth[1].Concluded != 2 {
		t.Errorf("by month %+v", f.ByMonth)
	}
	stock, err := s.Stats.Stock(ctx, stats.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if stock["concluded"] != 2 || stock["rejected"] != 1 || stock["assigned"] != 1 || stock["submitted"] != 0 || stock["draft"] != 0 {
		t.Errorf("stock now %v", stock)
	}
	jan, err := s.Stats.Stock(ctx, stats.Filter{To: "2026-01"})
	if err != nil {
		t.Fatal(err)
	}
	if jan["waiting_ente"] != 0 || jan["in_progress"] != 1 || jan["assigned"] != 1 || jan["rejected"] != 1 {
		t.Errorf("stock at the end of January %v", jan)
	}
	feb, err := s.Stats.Figures(ctx, stats.Filter{From: "2026-02", To: "2026-02"})
	if err != nil {
		t.Fatal(err)
	}
	if feb.Filed != 1 || feb.Concluded != 2 || feb.ToConclusion.Median != 12 {
		t.Errorf("February %+v", feb.Counts)
	}
	mine, err := s.Stats.Figures(ctx, stats.Filter{EnteID: seed.EnteID, From: "2026-01", To: "2026-01"})
	if err != nil {
		t.Fatal(err)
	}
	if mine.Filed != 3 || mine.Rejected != 1 {
		t.Errorf("the ente's January %+v", mine.Counts)
	}
	if other, _ := s.Stats.Figures(ctx, stats.Filter{Province: "MI"}); other.Filed != 0 || other.ToConclusion.N != 0 {
		t.Errorf("Milan's figures count Cantù's requests: %+v", other.Counts)
	}
	co, err := s.Stats.Figures(ctx, stats.Filter{Province: "CO"})
	if err != nil || co.Counts != want || co.ToConclusion.Median != 12 || len(co.ByProvince) != 1 || co.ByProvince[0].Filed != 4 {
		t.Errorf("Como's figures %+v %+v, %v", co.Counts, co.ByProvince, err)
	}
	if len(f.ByProvince) != 1 || f.ByProvince[0].Key != "CO" || f.ByProvince[0].Filed != 4 || f.ByProvince[0].ToConclusion.Median != 12 ||
		len(f.ByProcedure) != 1 || f.ByProcedure[0].Concluded != 2 || len(f.ByTaskForce) != 1 || f.ByTaskForce[0].Key != "VA" {
		t.Errorf("groups: provinces %+v procedures %+v task forces %+v", f.ByProvince, f.ByProcedure, f.ByTaskForce)
	}
	proc, _ := strconv.ParseInt(f.ByProcedure[0].Key, 10, 64)
	both, err := s.Stats.Figures(ctx, stats.Filter{Province: "CO", ProcedureID: proc})
	if err != nil || both.Counts != want || both.ToConclusion.Median != 12 {
		t.Errorf("Como and the procedure %+v, %v", both.Counts, err)
	}
	if st, _ := s.Stats.Stock(ctx, stats.Filter{Province: "CO", ProcedureID: proc}); st["concluded"] != 2 || st["assigned"] != 1 {
		t.Errorf("stock of Como and the procedure %v", st)
	}
}

// TestStatsRollupsEqualRecount checks that the roll-ups kept by the listeners equal a recount from
// the raw rows, that a listener run again changes nothing, and that a rebuild gives the same sums.
func TestStatsRollupsEqualRecount(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	seed := seedStats(t, s)
	ctx := context.Background()

	// A recount from the raw rows, by SQL of its own.
	recount := map[string]int64{}
	count := func(name, query string) {
		var n int64
		if err := s.DB.NewRaw(query).Scan(ctx, &n); err != nil {
			t.Fatal(name, err)
		}
		recount[name] = n
	}
	count(stats.Filed, "SELECT COUNT(*) FROM requests WHERE submitted_at IS NOT NULL")
	count(stats.Concluded, "SELECT COUNT(*) FROM request_events WHERE to_state = 'concluded' AND from_state <> 'concluded'")
	count(stats.Rejected, "SELECT COUNT(*) FROM request_events WHERE to_state = 'rejected' AND from_state <> 'rejected'")
	count(stats.Assigned, "SELECT COUNT(DISTINCT request_id) FROM request_events WHERE to_state = 'assigned' AND from_state = 'submitted'")
	count(stats.Asked, "SELECT COUNT(*) FROM integrations")
	count(stats.Activity+"analysis", "SELECT COALESCE(SUM(minutes), 0) FROM activities WHERE kind = 'analysis'")
	count(stats.BacklogStated, "SELECT COALESCE(SUM(backlog_pending), 0) FROM requests WHERE submitted_at IS NOT NULL AND backlog_pending > 0")
	rollup := func(cut string) map[string]int64 {
		var rows []struct {
			Measure string `bun:"measure"`
			N       int64  `bun:"n"`
			Total   int64  `bun:"total"`
		}
		if err := s.DB.NewSelect().TableExpr("stats_monthly").ColumnExpr("measure, SUM(n) AS n, SUM(total) AS total").Where(cut).GroupExpr("measure").Scan(ctx, &rows); err != nil {
			t.Fatal(err)
		}
		out := map[string]int64{}
		for _, r := range rows {
			out[r.Measure] = r.N
			if r.Measure == stats.Activity+"analysis" || r.Measure == stats.BacklogStated {
				out[r.Measure] = r.Total
			}
		}
		return out
	}
	for _, cut := range []string{"province = '*'", "procedure_id = 0"} {
		got := rollup(cut)
		for m, n := range recount {
			if got[m] != n {
				t.Errorf("roll-up where %s: %s = %d, recount %d", cut, m, got[m], n)
			}
		}
	}

	dump := func() []string {
		var rows []stats.Cell
		if err := s.DB.NewSelect().TableExpr("stats_monthly").Column("period", "task_force", "procedure_id", "province", "measure", "bucket", "n", "total").
			Where("n <> 0 OR total <> 0").Scan(ctx, &rows); err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(rows))
		for i, r := range rows {
			out[i] = fmt.Sprint(r)
		}
		sort.Strings(out)
		return out
	}
	kept := dump()
	if len(kept) == 0 {
		t.Fatal("the listeners kept no roll-up")
	}
	for _, id := range seed.Requests {
		if err := s.Stats.Refresh(ctx, id); err != nil { // what a rerun of the listener does
			t.Fatal(err)
		}
	}
	if again := dump(); fmt.Sprint(again) != fmt.Sprint(kept) {
		t.Errorf("a listener run again changed the roll-ups:\n%v\nbefore:\n%v", again, kept)
	}
	n, err := s.Stats.Rebuild(ctx, nil)
	if err != nil || n != 4 {
		t.Fatalf("rebuild: %d requests, %v", n, err)
	}
	if rebuilt := dump(); fmt.Sprint(rebuilt) != fmt.Sprint(kept) {
		t.Errorf("the rebuild differs from the listeners' roll-ups:\n%v\nlisteners:\n%v", rebuilt, kept)
	}
}

// TestStatsFiguresFollowChanges checks that the figures kept are forgotten when the roll-up
// changes: at once without freshness, within it otherwise.
func TestStatsFiguresFollowChanges(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	seed := seedStats(t, s)
	ctx := context.Background()
	mayor := request.Actor{UserID: seed.MayorID, Name: "Mario Rossi"}
	filed := func() int64 {
		f, err := s.Stats.Figures(ctx, stats.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return f.Filed
	}
	if n := filed(); n != 4 {
		t.Fatalf("filed %d", n)
	}
	if _, err := s.Requests.Withdraw(ctx, mayor, seed.Requests["C"]); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	if f, _ := s.Stats.Figures(ctx, stats.Filter{}); f.Withdrawn != 1 {
		t.Errorf("withdrawn %d after the withdrawal: the figures kept were not forgotten", f.Withdrawn)
	}

	s.Stats.SetFreshness(700 * time.Millisecond)
	filed()
	if _, err := s.Requests.File(ctx, mayor, seed.EnteID, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA bis",
		Description: "Venti istanze in attesa da mesi.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	// Past the freshness the figures kept are stale: the first reader gets them at once while the
	// new ones are computed in the background; the readers after get the new ones.
	time.Sleep(800 * time.Millisecond)
	if n := filed(); n != 4 {
		t.Errorf("the first read after the change gave %d, want the figures kept before it (4) while new ones are computed", n)
	}
	deadline := time.Now().Add(10 * time.Second)
	for filed() != 5 {
		if time.Now().After(deadline) {
			t.Fatal("the new request never reached the figures")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestStatsBackfillAtStart checks that the first start after the statistics arrived counts the
// requests filed before: emptied, the statistics are rebuilt by the next migration.
func TestStatsBackfillAtStart(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	seedStats(t, s)
	ctx := context.Background()
	// Emptied while nothing runs: a job still at work (the periodic ones) would fill them again.
	for try := 0; ; try++ {
		for _, table := range []string{"stats_monthly", "stats_request_cells", "stats_requests"} {
			if _, err := s.DB.NewDelete().TableExpr(table).Where("1 = 1").Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		apptest.Idle(t, s.App)
		if kept, err := s.DB.NewSelect().TableExpr("stats_requests").Exists(ctx); err != nil || !kept || try == 5 {
			break
		}
	}
	s.Stats.Forget()
	if f, _ := s.Stats.Figures(ctx, stats.Filter{}); f.Filed != 0 {
		t.Fatalf("filed %d with the statistics emptied", f.Filed)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if f, _ := s.Stats.Figures(ctx, stats.Filter{}); f.Filed != 4 || f.Concluded != 2 {
		t.Errorf("after the start: %+v", f.Counts)
	}
	if n, err := s.Stats.Backfill(ctx); n != 0 || err != nil {
		t.Errorf("a second start rebuilt again: %d, %v", n, err)
	}
}

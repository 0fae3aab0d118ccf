package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"passhub/app/apptest"
	"passhub/app/db"
	"passhub/app/jobs"
)

type noteArgs struct {
	N    int  `json:"n"`
	Fail bool `json:"fail"`
}

func (noteArgs) Kind() string { return "test.note" }

func (noteArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 2} }

type noteWorker struct {
	river.WorkerDefaults[noteArgs]
	mu   sync.Mutex
	seen map[int]int
	done chan int
}

func (w *noteWorker) Work(_ context.Context, j *river.Job[noteArgs]) error {
	if j.Args.Fail {
		return errors.New("the far end said no")
	}
	w.mu.Lock()
	w.seen[j.Args.N]++
	w.mu.Unlock()
	w.done <- j.Args.N
	return nil
}

// NextRetry retries at once, so the test sees a job run out of attempts quickly.
func (w *noteWorker) NextRetry(*river.Job[noteArgs]) time.Time { return time.Now() }

func open(t *testing.T) (*db.DB, *jobs.Queue, *noteWorker) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, apptest.DatabaseURL(t), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if _, err := d.ExecContext(ctx, "CREATE TABLE things (id INTEGER PRIMARY KEY, n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	q, err := jobs.Open(ctx, d, jobs.Options{Poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	w := &noteWorker{seen: map[int]int{}, done: make(chan int, 1000)}
	jobs.Add(q, w)
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
	})
	return d, q, w
}

func wait(t *testing.T, w *noteWorker, n int) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for i := 0; i < n; i++ {
		select {
		case <-w.done:
		case <-deadline:
			t.Fatalf("only %d of %d jobs ran", i, n)
		}
	}
}

func TestJobsCommitAndRollBackWithTheirTransaction(t *testing.T) {
	d, q, w := open(t)
	ctx := context.Background()
	err := d.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO things (id, n) VALUES (1, 1)"); err != nil {
			return err
		}
		if err := q.Enqueue(ctx, tx, noteArgs{N: 1}); err != nil {
			return err
		}
		return errors.New("changed my mind")
	})
	if err == nil {
		t.Fatal("the transaction should have failed")
	}
	if err := d.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO things (id, n) VALUES (2, 2)"); err != nil {
			return err
		}
		return q.Enqueue(ctx, tx, noteArgs{N: 2})
	}); err != nil {
		t.Fatal(err)
	}
	wait(t, w, 1)
	time.Sleep(200 * time.Millisecond)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen[1] != 0 || w.seen[2] != 1 {
		t.Fatalf("ran %v; want only the committed job, once", w.seen)
	}
}

// A job enqueued by a process that stops before running it runs in the next one.
func TestJobsSurviveAProcessThatDidNotRunThem(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	url := apptest.DatabaseURL(t)
	d, err := db.Open(ctx, url, filepath.Join(dir, "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	q, err := jobs.Open(ctx, d, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	jobs.Add(q, &noteWorker{}) // known kind; this process runs nothing
	if err := q.Enqueue(ctx, d, noteArgs{N: 7}); err != nil {
		t.Fatal(err)
	}
	_ = q.Stop(ctx)
	_ = d.Close()

	d2, err := db.Open(ctx, url, filepath.Join(dir, "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	q2, err := jobs.Open(ctx, d2, jobs.Options{Poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	w := &noteWorker{seen: map[int]int{}, done: make(chan int, 10)}
	jobs.Add(q2, w)
	if err := q2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer q2.Stop(ctx)
	wait(t, w, 1)
}

func TestAFailingJobIsRetriedThenSetAsideForTheAdmins(t *testing.T) {
	_, q, w := open(t)
	ctx := context.Background()
	if err := q.Enqueue(ctx, nil, noteArgs{N: 3, Fail: true}); err != nil {
		t.Fatal(err)
	}
	var failed int
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		rows, err := q.Failed(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 1 {
			if rows[0].Attempt != 2 || len(rows[0].Errors) != 2 || rows[0].Errors[1].Error != "the far end said no" {
				t.Fatalf("failed job: attempt %d, errors %+v", rows[0].Attempt, rows[0].Errors)
			}
			failed = int(rows[0].ID)
			break
		}
	}
	if failed == 0 {
		t.Fatal("the failing job was never set aside")
	}
	if err := q.Retry(ctx, int64(failed)); err != nil {
		t.Fatal(err)
	}
	if err := q.Retry(ctx, 999999); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("retrying a job that does not exist: %v", err)
	}
	_ = w
}

// Application writes and job inserts from many goroutines share the database without errors.
func TestJobsUnderConcurrentWrites(t *testing.T) {
	d, q, w := open(t)
	ctx := context.Background()
	const writers, each = 8, 25
	var wg sync.WaitGroup
	var errs atomic.Int32
	for g := 0; g < writers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				n := g*each + i + 10
				err := d.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
					if _, err := tx.ExecContext(ctx, fmt.Sprintf("INSERT INTO things (id, n) VALUES (%d, %d)", n, n)); err != nil {
						return err
					}
					return q.Enqueue(ctx, tx, noteArgs{N: n})
				})
				if err != nil {
					errs.Add(1)
					t.Error(err)
				}
			}
		}(g)
	}
	wg.Wait()
	if errs.Load() > 0 {
		t.Fatalf("%d writes failed", errs.Load())
	}
	wait(t, w, writers*each)
	w.mu.Lock()
	defer w.mu.Unlock()
	for n, c := range w.seen {
		if c != 1 {
			t.Fatalf("job %d ran %d times", n, c)
		}
	}
}

func TestDailyScheduleFiresAtTheHour(t *testing.T) {
	loc := time.UTC
	at := func(h, m int) time.Time { return time.Date(2026, 12, 1, h, m, 0, 0, loc) }
	if got := jobs.Daily(7).Next(at(6, 59)); !got.Equal(at(7, 0)) {
		t.Fatalf("before: %v", got)
	}
	if got := jobs.Daily(7).Next(at(7, 0)); !got.Equal(at(7, 0).AddDate(0, 0, 1)) {
		t.Fatalf("at the hour: %v", got)
	}
}

// TestWeeklyScheduleKeepsTheLocalHour: Monday 7:00 in Rome is 06:00 UTC in winter and 05:00 UTC
// in summer; a moment on Monday after 7:00 waits for the next Monday, and every day at 7:00 fires
// the next morning.
func TestWeeklyScheduleKeepsTheLocalHour(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	monday := jobs.Weekly{Days: []time.Weekday{time.Monday}, Hour: 7, Loc: rome}
	for _, c := range []struct{ from, want time.Time }{
		{time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC), time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)}, // Thursday → Monday, winter
		{time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC), time.Date(2026, 12, 14, 6, 0, 0, 0, time.UTC)}, // at the hour → a week on
		{time.Date(2027, 3, 26, 12, 0, 0, 0, time.UTC), time.Date(2027, 3, 29, 5, 0, 0, 0, time.UTC)}, // across the change to summer time
	} {
		if got := monday.Next(c.from); !got.Equal(c.want) {
			t.Errorf("Monday 7:00 Rome after %v = %v, want %v", c.from, got.UTC(), c.want)
		}
	}
	daily := jobs.Weekly{Days: jobs.EveryDay, Hour: 7, Loc: rome}
	if got := daily.Next(time.Date(2026, 12, 3, 6, 30, 0, 0, time.UTC)); !got.Equal(time.Date(2026, 12, 4, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("every day after 7:30 Rome = %v", got.UTC())
	}
}

package app_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/db"
	"passhub/app/request"
)

// The tests of this file stay serial (no t.Parallel): they hold answers to short time limits,
// which the load of parallel tests would make flaky.

// TestExpertsFirstWritesRace: two experts post their first message on an assigned request at the
// same time; the request starts once, both messages are kept, and no one gets a 500.
func TestExpertsFirstWritesRace(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	w := newTeam(t, s.App)
	cookies := []string{s.Login(t, apptest.FiscalCode("SPRSPR80A01F205"), "Sara", "Test"), s.Login(t, apptest.FiscalCode("SPRLCU80A01F205"), "Luca", "Test")}
	ids := []int64{w.req.ID}
	for i := 0; i < 9; i++ {
		r, err := s.Requests.File(ctx, request.Actor{UserID: w.mayor}, w.req.EnteID, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA " + strconv.Itoa(i),
			Description: "Quaranta istanze in attesa da mesi, un solo istruttore.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Requests.Assign(ctx, request.Actor{UserID: w.pm}, r.ID, []int64{w.expert, w.expert2}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	for _, id := range ids {
		path := "/area-riservata/richieste/" + strconv.FormatInt(id, 10) + "/messaggi"
		var wg sync.WaitGroup
		codes := make([]int, 2)
		bodies := make([]string, 2)
		for i, cookie := range cookies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, body := s.PostForm(t, path, url.Values{"_csrf": {apptest.CSRFToken}, "body": {"Prima analisi " + strconv.Itoa(i)}}, "Cookie", cookie, "Accept-Language", "it")
				codes[i], bodies[i] = res.StatusCode, body
			}()
		}
		wg.Wait()
		kept := 0
		for i, code := range codes {
			switch {
			case code == 303:
				kept++
			case code == 409 && strings.Contains(bodies[i], "cambiata nel frattempo"):
			default:
				t.Errorf("request %d, expert %d: %d", id, i, code)
			}
		}
		msgs, _ := s.Workspace.Messages(ctx, id)
		if len(msgs) != kept {
			t.Errorf("request %d: %d messages stored, %d accepted", id, len(msgs), kept)
		}
		r, _ := s.Requests.Get(ctx, id)
		if r.State != request.InProgress {
			t.Errorf("request %d: %s", id, r.State)
		}
		if n := count(t, s.DB, "SELECT count(*) FROM request_events WHERE request_id = ? AND kind = 'started'", id); n != 1 {
			t.Errorf("request %d started %d times", id, n)
		}
	}
}

// TestFirstWriteOnARequestThatChangedMeanwhile: an expert's first write on a request withdrawn
// since the page was loaded is refused as a conflict, and stores nothing.
func TestFirstWriteOnARequestThatChangedMeanwhile(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	w := newTeam(t, s.App)
	stale, _ := s.Requests.Get(ctx, w.req.ID)
	if _, err := s.Requests.Withdraw(ctx, request.Actor{UserID: w.mayor}, w.req.ID); err != nil {
		t.Fatal(err)
	}
	_, err := s.Workspace.Post(ctx, request.Actor{UserID: w.expert, Name: "Sara"}, stale, true, "Prima analisi.")
	if !strings.Contains(errString(err), "changed meanwhile") {
		t.Fatalf("first write on a withdrawn request: %v", err)
	}
	if msgs, _ := s.Workspace.Messages(ctx, w.req.ID); len(msgs) != 0 {
		t.Errorf("%d messages stored", len(msgs))
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestHungDatabaseAnswers503: while another process holds the database's write lock (SQLite) or
// locks the tables (PostgreSQL), a write answers 503 with Retry-After within the statement
// timeout, never 500 nor 404; reads that need the locked table do the same on PostgreSQL.
func TestHungDatabaseAnswers503(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	w := newTeam(t, s.App)
	cookie := s.Login(t, apptest.FiscalCode("RSSMRA80A01F205"), "Mario", "Test")
	page := "/area-riservata/richieste/" + strconv.FormatInt(w.req.ID, 10)
	if res, _ := s.Get(t, page, "Cookie", cookie); res.StatusCode != 200 {
		t.Fatalf("page before the lock: %d", res.StatusCode)
	}
	other, err := s.DB.OpenSibling(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	lock := []string{"BEGIN IMMEDIATE"} // SQLite's write lock, held
	if s.DB.Kind == db.Postgres {
		lock = []string{"BEGIN", "LOCK TABLE messages, requests, audit_entries IN ACCESS EXCLUSIVE MODE"}
	}
	for _, q := range lock {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	held := true
	release := func() {
		if held {
			_, _ = conn.ExecContext(ctx, "ROLLBACK")
			held = false
		}
	}
	defer release()
	bound := db.StatementTimeout + 3*time.Second
	check := func(what string, do func() (int, string, string)) {
		start := time.Now()
		code, retry, body := do()
		took := time.Since(start)
		t.Logf("%s with the database locked: %d in %v", what, code, took.Round(time.Millisecond))
		if code != 503 || retry == "" || !strings.Contains(body, "non disponibile") {
			t.Errorf("%s with the database locked: %d, Retry-After %q", what, code, retry)
		}
		if took > bound {
			t.Errorf("%s took %v, bound %v", what, took, bound)
		}
	}
	check("posting a message", func() (int, string, string) {
		res, body := s.PostForm(t, page+"/messaggi", url.Values{"_csrf": {apptest.CSRFToken}, "body": {"Ecco il verbale."}}, "Cookie", cookie, "Accept-Language", "it")
		return res.StatusCode, res.Header.Get("Retry-After"), body
	})
	if s.DB.Kind == db.Postgres {
		check("opening the request", func() (int, string, string) {
			res, body := s.Get(t, page, "Cookie", cookie, "Accept-Language", "it")
			return res.StatusCode, res.Header.Get("Retry-After"), body
		})
	}
	release()
	if res, _ := s.Get(t, page, "Cookie", cookie); res.StatusCode != 200 {
		t.Errorf("page after the lock: %d", res.StatusCode)
	}
	if msgs, _ := s.Workspace.Messages(ctx, w.req.ID); len(msgs) != 0 {
		t.Errorf("%d messages stored by the refused post", len(msgs))
	}
}

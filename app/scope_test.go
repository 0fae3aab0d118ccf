package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gorilla/websocket"

	"passhub/app/apptest"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/app/request"
)

// scopeWorld is the access matrix's world with requests of two enti in every state, on two task
// forces, and two more personas: a delegate of ente B who is also the PM of BON (the rules add
// up: they see ente B's requests and BON's), and a second VA expert, to whom a request of the
// first was reassigned (the first no longer sees it).
type scopeWorld struct {
	*matrixWorld
	users    map[string]int64
	requests []int64
	personas []string
}

func buildScopeWorld(t *testing.T) *scopeWorld {
	t.Helper()
	w := &scopeWorld{matrixWorld: buildWorld(t), users: map[string]int64{}}
	s := w.s
	ctx := context.Background()
	for p, code := range w.codes {
		u, err := s.Identity.UserByFiscalCode(ctx, "TINIT-"+code)
		if err != nil {
			t.Fatal(p, err)
		}
		w.users[p] = u.ID
	}
	admin := identity.Actor{UserID: w.adminID, Name: "admin"}
	w.codes["pm delegate B"] = apptest.FiscalCode("PMDLGB80A01F205")
	w.codes["expert 2"] = apptest.FiscalCode("SPRDUE80A01F205")
	w.cookies["expert 2"] = s.Login(t, w.codes["expert 2"], "expert", "Due")
	milano, _ := s.Enti.Search(ctx, "Milano")
	enteB := milano[0].ID
	if _, err := s.Enti.Invite(ctx, ente.Actor{UserID: w.users["legal rep B"]}, enteB, w.codes["pm delegate B"], "pd@comune.it"); err != nil {
		t.Fatal(err)
	}
	w.cookies["pm delegate B"] = s.Login(t, w.codes["pm delegate B"], "pmdelegate", "Test") // accepts the invitation
	for _, p := range []string{"pm delegate B", "expert 2"} {
		u, err := s.Identity.UserByFiscalCode(ctx, "TINIT-"+w.codes[p])
		if err != nil {
			t.Fatal(err)
		}
		w.users[p] = u.ID
	}
	if err := s.Identity.Grant(ctx, admin, w.users["pm delegate B"], "pm", "BON"); err != nil {
		t.Fatal(err)
	}
	if err := s.Identity.Grant(ctx, admin, w.users["expert 2"], "expert", "VA"); err != nil {
		t.Fatal(err)
	}
	// The grants re-authorised their sessions' sockets, not the sessions: the cookies still work.
	w.personas = append(slices.Clone(personas), "pm delegate B", "expert 2")

	actor := func(p string) request.Actor { return request.Actor{UserID: w.users[p], Name: p} }
	file := func(p string, ente int64, code string, submit bool) *request.Request {
		t.Helper()
		r, err := s.Requests.File(ctx, actor(p), ente, request.Form{ProcedureCode: code, Title: "Richiesta " + code,
			Description: "Una richiesta di prova per l'ambito di accesso.", DesiredOutcome: "Ambito coerente."}, submit)
		if err != nil {
			t.Fatalf("file %s: %#v", code, err)
		}
		return r
	}
	must := func(_ *request.Request, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%#v", err)
		}
	}
	w.requests = []int64{w.requestID, w.draftID}
	for _, e := range []struct {
		lr   string
		ente int64
	}{{"legal rep A", w.enteA}, {"legal rep B", enteB}} {
		for _, code := range []string{"VA-01", "BON-01"} {
			draft := file(e.lr, e.ente, code, false)
			submitted := file(e.lr, e.ente, code, true)
			rejected := file(e.lr, e.ente, code, true)
			withdrawnDraft := file(e.lr, e.ente, code, false)
			withdrawn := file(e.lr, e.ente, code, true)
			must(s.Requests.Withdraw(ctx, actor(e.lr), withdrawnDraft.ID))
			must(s.Requests.Withdraw(ctx, actor(e.lr), withdrawn.ID))
			w.requests = append(w.requests, draft.ID, submitted.ID, rejected.ID, withdrawnDraft.ID, withdrawn.ID)
			if code != "VA-01" {
				continue // the BON requests stay unassigned: BON has no expert here
			}
			must(s.Requests.Reject(ctx, actor("pm"), rejected.ID, "Fuori ambito."))
			// assigned, then reassigned from the expert to the second expert
			reassigned := file(e.lr, e.ente, code, true)
			must(s.Requests.Assign(ctx, actor("pm"), reassigned.ID, []int64{w.users["expert"]}))
			must(s.Requests.Assign(ctx, actor("pm"), reassigned.ID, []int64{w.users["expert 2"]}))
			// in progress, waiting for the ente, concluded, archived
			var worked []int64
			for range 4 {
				r := file(e.lr, e.ente, code, true)
				must(s.Requests.Assign(ctx, actor("pm"), r.ID, []int64{w.users["expert"]}))
				r, _ = s.Requests.Get(ctx, r.ID)
				if _, err := s.Workspace.Post(ctx, actor("expert"), r, true, "Iniziamo."); err != nil {
					t.Fatal(err)
				}
				worked = append(worked, r.ID)
			}
			must(s.Requests.AskIntegration(ctx, actor("expert"), worked[1], []string{"Elenco pratiche"}, "", time.Now().Add(72*time.Hour)))
			must(s.Requests.Conclude(ctx, actor("expert"), worked[2], "Concluso: i tempi medi sono scesi sotto i centocinquanta giorni grazie al piano di smaltimento."))
			must(s.Requests.Conclude(ctx, actor("expert"), worked[3], "Concluso: i tempi medi sono scesi sotto i centocinquanta giorni grazie al piano di smaltimento."))
			must(s.Requests.Archive(ctx, actor("pm"), worked[3]))
			w.requests = append(w.requests, reassigned.ID)
			w.requests = append(w.requests, worked...)
		}
	}
	states := map[request.State]bool{}
	for _, id := range w.requests {
		r, err := s.Requests.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		states[r.State] = true
	}
	for _, st := range request.States {
		if !states[st] {
			t.Fatalf("no request in state %s", st)
		}
	}
	apptest.Idle(t, s.App)
	return w
}

var (
	scopeMark   = regexp.MustCompile(`scope-(\d+)`)
	updateFrame = regexp.MustCompile(`/area-riservata/richieste/(\d+)/aggiornamenti`)
)

// parallelOnSQLite runs the test in parallel on SQLite only: on PostgreSQL every instance of every
// test listens on the same channel, so the pushes of tests running together would cross.
func parallelOnSQLite(t *testing.T) {
	if !apptest.OnPostgres() {
		t.Parallel()
	}
}

func ids(set map[int64]bool) []int64 {
	var out []int64
	for id, ok := range set {
		if ok {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// TestOneAccessScope: for every persona of the access matrix, and for a delegate who is also a
// PM and an expert a request was taken from, the request list, the search, the pages (Can), the
// notification list and the websocket pushes give exactly the same set of requests.
func TestOneAccessScope(t *testing.T) {
	parallelOnSQLite(t)
	w := buildScopeWorld(t)
	s := w.s
	ctx := context.Background()
	// A notification about every request for everyone: the list shows those they may open.
	var everyone []int64
	for _, id := range w.users {
		everyone = append(everyone, id)
	}
	for _, id := range w.requests {
		if err := s.Notifications.Notify(ctx, everyone, "request.message", fmt.Sprintf("scope-%d", id), "/area-riservata/richieste/"+strconv.FormatInt(id, 10)); err != nil {
			t.Fatal(err)
		}
	}
	// Every persona follows every request's topic (ten topics a socket).
	var topics []string
	for _, id := range w.requests {
		topics = append(topics, "request:"+strconv.FormatInt(id, 10))
	}
	sockets := map[string][]*websocket.Conn{}
	for _, p := range w.personas {
		if p == "anonymous" {
			continue
		}
		for chunk := range slices.Chunk(topics, 10) {
			conn, _, err := dial(t, s, w.cookies[p], strings.Join(chunk, ","), s.URL)
			if err != nil {
				t.Fatal(p, err)
			}
			sockets[p] = append(sockets[p], conn)
		}
	}
	want := 0
	for _, cs := range sockets {
		want += len(cs)
	}
	for deadline := time.Now().Add(5 * time.Second); s.Hub.Connections() < want && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	for _, id := range w.requests {
		if err := s.Realtime.Publish(ctx, "request:"+strconv.FormatInt(id, 10)); err != nil {
			t.Fatal(err)
		}
	}
	// The pushes are waited for long at the first read (on PostgreSQL they come through
	// LISTEN/NOTIFY), briefly once they had time to arrive.
	wait := 3 * time.Second
	if !apptest.OnPostgres() {
		wait = time.Second
	}
	readWait := func() time.Duration {
		w := wait
		wait = 200 * time.Millisecond
		return w
	}

	for _, p := range w.personas {
		t.Run(p, func(t *testing.T) {
			cookie := w.cookies[p]
			can := map[int64]bool{}
			for _, id := range w.requests {
				res, _ := s.Get(t, "/area-riservata/richieste/"+strconv.FormatInt(id, 10), "Cookie", cookie)
				can[id] = res.StatusCode == 200
			}
			// The list.
			list := map[int64]bool{}
			if p != "anonymous" {
				res, body := s.Get(t, "/area-riservata/richieste", "Cookie", cookie)
				if res.StatusCode != 200 {
					t.Fatalf("list: %d", res.StatusCode)
				}
				parse(t, body).Find("tr.pass-request a").Each(func(_ int, a *goquery.Selection) {
					href, _ := a.Attr("href")
					if m := requestURL.FindStringSubmatch(href); m != nil {
						n, _ := strconv.ParseInt(m[1], 10, 64)
						list[n] = true
					}
				})
			}
			// The search, listing every request hit.
			found := map[int64]bool{}
			for page := 1; page < 20; page++ {
				_, body := s.Get(t, "/cerca?q=&tipo=request&pagina="+strconv.Itoa(page), "Cookie", cookie)
				links := parse(t, body).Find("li.pass-hit h3 a")
				if links.Length() == 0 {
					break
				}
				links.Each(func(_ int, a *goquery.Selection) {
					href, _ := a.Attr("href")
					if m := requestURL.FindStringSubmatch(href); m != nil {
						n, _ := strconv.ParseInt(m[1], 10, 64)
						found[n] = true
					}
				})
			}
			// The notification list.
			notified := map[int64]bool{}
			if p != "anonymous" {
				_, body := s.Get(t, "/area-riservata/notifiche", "Cookie", cookie)
				for _, m := range scopeMark.FindAllStringSubmatch(body, -1) {
					n, _ := strconv.ParseInt(m[1], 10, 64)
					notified[n] = true
				}
			}
			// The pushes.
			pushed := map[int64]bool{}
			for _, conn := range sockets[p] {
				for {
					_ = conn.SetReadDeadline(time.Now().Add(readWait()))
					_, frame, err := conn.ReadMessage()
					if err != nil {
						break
					}
					if m := updateFrame.FindSubmatch(frame); m != nil {
						n, _ := strconv.ParseInt(string(m[1]), 10, 64)
						pushed[n] = true
					}
				}
			}
			want := ids(can)
			for name, got := range map[string]map[int64]bool{"list": list, "search": found, "notifications": notified, "pushes": pushed} {
				if g := ids(got); !slices.Equal(g, want) {
					t.Errorf("%s gives %v, the pages open %v", name, g, want)
				}
			}
			// What the pages open is the rule: members see their ente's requests, drafts
			// included; staff only what was submitted, and the rules add up.
			for _, id := range w.requests {
				r, _ := s.Requests.Get(ctx, id)
				member := r.EnteID == w.enteA && (p == "legal rep A" || p == "delegate A") ||
					r.EnteID != w.enteA && (p == "delegate B" || p == "pm delegate B")
				staff := !r.Draft() && (p == "admin" || p == "pm" && r.TaskForce == "VA" || p == "pm delegate B" && r.TaskForce == "BON" ||
					p == "expert" && slices.Contains(r.ExpertIDs(), w.users["expert"]) || p == "expert 2" && slices.Contains(r.ExpertIDs(), w.users["expert 2"]))
				if can[id] != (member || staff) {
					t.Errorf("request %d (%s, %s, ente %d): may open %v", id, r.State, r.TaskForce, r.EnteID, can[id])
				}
			}
		})
	}
}

// TestAccessChangesReachOpenSockets: an open websocket never carries a push its owner may no
// longer see. A change made behind the application's back (an assignment deleted in the
// database) is caught at the push, which re-checks the topic and drops it; the changes the
// application makes (a reassignment, a role revoked, a logout) close the user's sockets as a
// restart (1012), so the page reconnects with what they may see now; an expired session's socket
// is closed at the next push.
func TestAccessChangesReachOpenSockets(t *testing.T) {
	parallelOnSQLite(t)
	w := buildScopeWorld(t)
	s := w.s
	ctx := context.Background()
	r, err := s.Requests.Get(ctx, w.requestID) // ente A's, on VA, assigned to the expert
	if err != nil {
		t.Fatal(err)
	}
	topic := "request:" + strconv.FormatInt(r.ID, 10)
	open := func(p string) *websocket.Conn {
		t.Helper()
		n := s.Hub.Connections()
		conn, _, err := dial(t, s, w.cookies[p], topic, s.URL)
		if err != nil {
			t.Fatal(p, err)
		}
		for deadline := time.Now().Add(5 * time.Second); s.Hub.Connections() <= n && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		return conn
	}
	// next returns the next frame that is not a bell refresh, or the error that ended the wait.
	next := func(conn *websocket.Conn, wait time.Duration) ([]byte, error) {
		_ = conn.SetReadDeadline(time.Now().Add(wait))
		for {
			_, frame, err := conn.ReadMessage()
			if err != nil || !strings.Contains(string(frame), `id="bell-refresh"`) {
				return frame, err
			}
		}
	}
	push := func() {
		t.Helper()
		if err := s.Realtime.Publish(ctx, topic); err != nil {
			t.Fatal(err)
		}
	}
	receives := func(conn *websocket.Conn) bool {
		frame, err := next(conn, 2*time.Second)
		return err == nil && updateFrame.Match(frame)
	}
	closedAs := func(conn *websocket.Conn, code int) bool {
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		for {
			_, frame, err := conn.ReadMessage()
			if err != nil {
				var ce *websocket.CloseError
				return errors.As(err, &ce) && ce.Code == code
			}
			if updateFrame.Match(frame) {
				t.Errorf("a push before the close: %q", frame)
			}
		}
	}

	// Behind the application's back: the push re-checks and drops the topic, the socket lives.
	expert := open("expert")
	push()
	if !receives(expert) {
		t.Fatal("the assigned expert got no push")
	}
	if _, err := s.DB.NewDelete().TableExpr("request_experts").Where("request_id = ?", r.ID).Where("user_id = ?", w.users["expert"]).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	push()
	time.Sleep(time.Second) // on PostgreSQL the push comes through LISTEN/NOTIFY
	if err := s.Notifications.Notify(ctx, []int64{w.users["expert"]}, "request.message", "ancora qui", "/area-riservata/notifiche"); err != nil {
		t.Fatal(err)
	}
	// The first frame is the bell's: the push was not carried, and the socket lives on.
	_ = expert.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, frame, err := expert.ReadMessage(); err != nil || !strings.Contains(string(frame), `id="bell-refresh"`) {
		t.Errorf("an unassigned expert's socket carried %q (%v)", frame, err)
	}

	// A reassignment: the expert who lost the request is re-authorised.
	if _, err := s.Requests.Assign(ctx, request.Actor{UserID: w.users["pm"]}, r.ID, []int64{w.users["expert"]}); err != nil {
		t.Fatal(err)
	}
	expert = open("expert")
	push()
	if !receives(expert) {
		t.Fatal("the expert assigned again got no push")
	}
	if _, err := s.Requests.Assign(ctx, request.Actor{UserID: w.users["pm"]}, r.ID, []int64{w.users["expert 2"]}); err != nil {
		t.Fatal(err)
	}
	if !closedAs(expert, websocket.CloseServiceRestart) {
		t.Error("the unassigned expert's socket was not closed to re-authorise")
	}
	expert = open("expert") // what the page does: its topic is refused now
	push()
	if frame, err := next(expert, time.Second); err == nil {
		t.Errorf("the reconnected unassigned expert got %q", frame)
	}

	// A role revoked.
	pm := open("pm")
	push()
	if !receives(pm) {
		t.Fatal("the PM got no push")
	}
	if err := s.Identity.Revoke(ctx, identity.Actor{UserID: w.adminID}, w.users["pm"], "pm", "VA"); err != nil {
		t.Fatal(err)
	}
	if !closedAs(pm, websocket.CloseServiceRestart) {
		t.Error("a revoked PM's socket was not closed to re-authorise")
	}
	pm = open("pm")
	push()
	if frame, err := next(pm, time.Second); err == nil {
		t.Errorf("the reconnected former PM got %q", frame)
	}

	// A logout: the socket closes, and no new one opens with the ended session.
	delegate := open("delegate A")
	push()
	if !receives(delegate) {
		t.Fatal("the delegate got no push")
	}
	if res, _ := s.PostForm(t, "/esci", url.Values{"_csrf": {apptest.CSRFToken}}, "Cookie", w.cookies["delegate A"]); res.StatusCode != 303 {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if !closedAs(delegate, websocket.CloseServiceRestart) {
		t.Error("a logged-out delegate's socket was not closed")
	}
	if _, res, err := dial(t, s, w.cookies["delegate A"], topic, s.URL); err == nil || res == nil || res.StatusCode != 401 {
		t.Errorf("a socket opened with an ended session: %v %v", err, res)
	}

	// A session that expired while its page stayed open: the next push closes the socket.
	mayor := open("legal rep A")
	push()
	if !receives(mayor) {
		t.Fatal("the legal representative got no push")
	}
	later := time.Now().Add(s.Config.SessionIdle + time.Minute)
	s.Identity.SetClock(func() time.Time { return later })
	t.Cleanup(func() { s.Identity.SetClock(func() time.Time { return time.Now().UTC() }) })
	push()
	if !closedAs(mayor, websocket.ClosePolicyViolation) {
		t.Error("an expired session's socket was not closed at the push")
	}
}

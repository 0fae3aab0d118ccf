package app_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/content"
	"passhub/app/identity"
	"passhub/app/presence"
)

// newsroomPerson logs a person in on s and grants them a newsroom role ("" for none).
func newsroomPerson(t *testing.T, s *apptest.Server, code, name, family, role string) (cookie string, id int64) {
	t.Helper()
	ctx := context.Background()
	cookie = s.Login(t, apptest.FiscalCode(code), name, family)
	users, _, err := s.Identity.Users(ctx, family, 1)
	if err != nil || len(users) != 1 {
		t.Fatalf("user %s: %v %v", family, users, err)
	}
	if role != "" {
		if err := s.Identity.Grant(ctx, identity.Actor{}, users[0].ID, role, ""); err != nil {
			t.Fatal(err)
		}
	}
	return cookie, users[0].ID
}

// frameWith reads frames until one contains want; the frames read are returned too.
func frameWith(t *testing.T, conn *websocket.Conn, want string) (string, []string) {
	t.Helper()
	var seen []string
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, b, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("no frame with %q (read %q): %v", want, seen, err)
		}
		seen = append(seen, string(b))
		if strings.Contains(string(b), want) {
			return string(b), seen
		}
	}
}

// noFrameWith fails when a frame containing unwanted arrives within d.
func noFrameWith(t *testing.T, conn *websocket.Conn, unwanted string, d time.Duration) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(d))
	for {
		_, b, err := conn.ReadMessage()
		if err != nil {
			return
		}
		if strings.Contains(string(b), unwanted) {
			t.Fatalf("received %q", b)
		}
	}
}

func waitConnections(t *testing.T, s *apptest.Server, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.Hub.Connections() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections, want %d", s.Hub.Connections(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// presenceScenario: Maria (editor) has the privacy page open on a, Giulia (publisher) opens it
// on b: Maria is told, and the box she loads names Giulia (the page rendered without JavaScript
// too); Giulia saves a revision on b: Maria gets the notice, in her language, unless her form
// already started from it; Giulia, its author, gets none. Giulia leaves: Maria is told again
// and the box says nobody else. The frames name no one and target only the box.
func presenceScenario(t *testing.T, a, b *apptest.Server) {
	ctx := context.Background()
	maria, _ := newsroomPerson(t, a, "RSSMRA80A41F205", "Maria", "Rossi", "editor")
	giulia, giuliaID := newsroomPerson(t, a, "BNCGLI75M41L219", "Giulia", "Bianchi", "publisher")
	w, err := a.Content.Work(ctx, content.TypePage, "privacy")
	if err != nil {
		t.Fatal(err)
	}
	topic, live := presence.Topic(w.Entry.ID), presence.LiveURL(w.Entry.ID)
	page := content.DeskURL(content.TypePage, "privacy")
	get := func(s *apptest.Server, path, cookie, lang string) string {
		t.Helper()
		res, body := s.Get(t, path, "Cookie", cookie, "Accept-Language", lang, "HX-Request", "true")
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		return body
	}

	if body := get(a, page, maria, "it"); !strings.Contains(body, "Nessun altro ha aperto questo contenuto") || !strings.Contains(body, `ws-connect="/ws?topics=`+topic+`"`) {
		t.Fatalf("Maria's page, alone: %.2000s", body)
	}
	mconn, _, err := dial(t, a, maria, topic, a.URL)
	if err != nil {
		t.Fatal(err)
	}
	frameWith(t, mconn, `hx-get="`+live+`"`) // her own arrival
	var frames []string
	gconn, _, err := dial(t, b, giulia, topic, b.URL)
	if err != nil {
		t.Fatal(err)
	}
	joined := time.Now()
	_, seen := frameWith(t, mconn, `hx-get="`+live+`"`)
	t.Logf("Maria was told of Giulia's arrival after %s", time.Since(joined).Round(time.Millisecond))
	frames = append(frames, seen...)
	if body := get(a, live, maria, "it"); !strings.Contains(body, `id="presence-list" hx-swap-oob="innerHTML"`) ||
		!strings.Contains(body, "Aperto anche da:") || !strings.Contains(body, "Giulia Bianchi (caporedattore)") || strings.Contains(body, "Maria Rossi") {
		t.Errorf("Maria's box update: %s", body)
	}
	if body := get(b, live, giulia, "en"); !strings.Contains(body, "Also open by:") || !strings.Contains(body, "Maria Rossi (editor)") {
		t.Errorf("Giulia's box update in English: %s", body)
	}
	res, body := a.Get(t, page, "Cookie", maria, "Accept-Language", "it") // the page as rendered, for a browser without JavaScript
	if doc := parse(t, body); res.StatusCode != 200 || !strings.Contains(doc.Find("#presence #presence-list").Text(), "Giulia Bianchi (caporedattore)") {
		t.Errorf("the page rendered for Maria: %d %q", res.StatusCode, doc.Find("#presence").Text())
	}

	// Giulia saves a new revision on her instance.
	form := url.Values{"_csrf": {apptest.CSRFToken}, "azione": {"salva"}, "rev": {strconv.FormatInt(w.Head.ID, 10)},
		"body": {w.Doc.Body + "\nAggiornata da Giulia.\n"}}
	for k, v := range content.FormValues(w.Def, w.Doc) {
		form.Set(k, v)
	}
	if res, _ := b.PostForm(t, page, form, "Cookie", giulia); res.StatusCode != 303 {
		t.Fatalf("Giulia's save: %d", res.StatusCode)
	}
	saved, err := a.Content.Work(ctx, content.TypePage, "privacy")
	if err != nil || saved.Head.ID == w.Head.ID || saved.Head.AuthorID != giuliaID {
		t.Fatalf("after the save: %+v %v", saved.Head, err)
	}
	frame, seen := frameWith(t, mconn, "salvata="+strconv.FormatInt(saved.Head.ID, 10))
	frames = append(frames, seen...)
	if !strings.HasPrefix(frame, `<div id="presence-saved-live" hx-swap-oob="true">`) || !strings.Contains(frame, `hx-include="#entry-form [name=rev]"`) {
		t.Errorf("the saved frame: %s", frame)
	}
	notice := live + "?salvata=" + strconv.FormatInt(saved.Head.ID, 10) + "&rev="
	want := "Giulia Bianchi ha salvato la revisione " + strconv.Itoa(saved.Head.Number) + " — quando salverai vedrai le differenze."
	if body := get(a, notice+strconv.FormatInt(w.Head.ID, 10), maria, "it"); !strings.Contains(body, `id="presence-notice" hx-swap-oob="innerHTML"`) || !strings.Contains(body, want) {
		t.Errorf("Maria's notice: %s", body)
	}
	if body := get(a, notice+strconv.FormatInt(w.Head.ID, 10), maria, "en"); !strings.Contains(body, "Giulia Bianchi saved revision "+strconv.Itoa(saved.Head.Number)+" — your save will show the differences.") {
		t.Errorf("Maria's notice in English: %s", body)
	}
	if body := get(a, notice+strconv.FormatInt(saved.Head.ID, 10), maria, "it"); strings.Contains(body, "presence-notice") {
		t.Errorf("a notice for a page that already shows the revision: %s", body)
	}
	if body := get(b, notice+strconv.FormatInt(w.Head.ID, 10), giulia, "it"); strings.Contains(body, "presence-notice") {
		t.Errorf("a notice to the author herself: %s", body)
	}

	// Giulia closes the page.
	_ = gconn.Close()
	_, seen = frameWith(t, mconn, `hx-get="`+live+`"`)
	frames = append(frames, seen...)
	if body := get(a, live, maria, "it"); !strings.Contains(body, "Nessun altro ha aperto questo contenuto") || strings.Contains(body, "Giulia") {
		t.Errorf("Maria's box after Giulia left: %s", body)
	}
	for _, f := range frames {
		if strings.Contains(f, "Bianchi") || strings.Contains(f, "Rossi") {
			t.Errorf("a frame names someone: %s", f)
		}
		if strings.HasPrefix(f, "<div id=\"presence-") && (strings.Contains(f, "entry-form\"") || strings.Contains(f, "f-body")) {
			t.Errorf("a frame targets the form: %s", f)
		}
	}
}

// TestPresenceLive runs the presence scenario on one instance (SQLite and PostgreSQL).
func TestPresenceLive(t *testing.T) {
	s := apptest.Start(t)
	presenceScenario(t, s, s)
}

// TestPresenceAcrossInstances runs it with the two people on two instances of one PostgreSQL
// database: the table is shared, the bus (LISTEN/NOTIFY) tells the other instance.
func TestPresenceAcrossInstances(t *testing.T) {
	if !apptest.OnPostgres() {
		t.Skip("instances share a database on PostgreSQL: this runs in the PostgreSQL leg (PASSHUB_TEST_DATABASE_URL)")
	}
	a := apptest.Start(t)
	b := apptest.Start(t, func(c *config.Config) {
		c.DatabaseURL, c.DataDir, c.SearchDir = a.Config.DatabaseURL, a.Config.DataDir, t.TempDir() // Bleve's index is one instance's
	})
	presenceScenario(t, a, b)
	if a.Hub.Connections() != 1 || b.Hub.Connections() != 0 {
		t.Errorf("connections: %d on a, %d on b", a.Hub.Connections(), b.Hub.Connections())
	}
}

// TestPresenceAccessRechecked: someone without newsroom rights neither follows an entry nor loads
// its box; an editor whose role is removed while her socket is open (even behind the service's
// back) stops receiving the entry's frames at the next push and leaves the others' box; a role
// revoked through the service closes the socket.
func TestPresenceAccessRechecked(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	maria, mariaID := newsroomPerson(t, s, "RSSMRA80A41F205", "Maria", "Rossi", "editor")
	giulia, giuliaID := newsroomPerson(t, s, "BNCGLI75M41L219", "Giulia", "Bianchi", "publisher")
	luca, _ := newsroomPerson(t, s, "CSTLCU80A01F205", "Luca", "Costa", "")
	w, err := s.Content.Work(ctx, content.TypePage, "privacy")
	if err != nil {
		t.Fatal(err)
	}
	topic, live := presence.Topic(w.Entry.ID), presence.LiveURL(w.Entry.ID)
	for _, path := range []string{live, content.DeskURL(content.TypePage, "privacy")} {
		if res, body := s.Get(t, path, "Cookie", luca); res.StatusCode != 403 || strings.Contains(body, "Rossi") {
			t.Errorf("GET %s without newsroom rights: %d", path, res.StatusCode)
		}
	}
	lconn, _, err := dial(t, s, luca, topic, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	mconn, _, err := dial(t, s, maria, topic, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	frameWith(t, mconn, `hx-get="`+live+`"`)
	gconn, _, err := dial(t, s, giulia, topic, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	frameWith(t, gconn, `hx-get="`+live+`"`)
	frameWith(t, mconn, `hx-get="`+live+`"`) // Giulia's arrival
	if _, body := s.Get(t, live, "Cookie", giulia); !strings.Contains(body, "Maria Rossi (redattore)") || strings.Contains(body, "Luca") {
		t.Fatalf("Giulia's box: %s", body)
	}

	// Maria's role goes, with nothing told: the next push re-checks her socket.
	if _, err := s.DB.NewDelete().TableExpr("user_roles").Where("user_id = ?", mariaID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	draft := content.Draft{Type: content.TypePage, Slug: "privacy", Base: w.Head.ID, Body: w.Doc.Body + "\nRivista.\n", Fields: content.FormValues(w.Def, w.Doc)}
	if _, _, err := s.Content.SaveDraft(ctx, content.Actor{UserID: giuliaID, Name: "Giulia Bianchi", Publisher: true}, draft); err != nil {
		t.Fatal(err)
	}
	frameWith(t, gconn, `hx-get="`+live+`"`) // Maria left the entry
	if _, body := s.Get(t, live, "Cookie", giulia); strings.Contains(body, "Maria") {
		t.Errorf("Giulia's box still names Maria: %s", body)
	}
	noFrameWith(t, mconn, "presenza", time.Second)
	noFrameWith(t, lconn, "presenza", 100*time.Millisecond)
	if res, _ := s.Get(t, live, "Cookie", maria); res.StatusCode != 403 {
		t.Errorf("Maria's box update without the role: %d", res.StatusCode)
	}
	if n := s.Hub.Connections(); n != 3 {
		t.Errorf("%d connections: dropping the topic closes no socket", n)
	}

	// Giulia's role revoked through the service: her socket closes, to reconnect afresh.
	if err := s.Identity.Revoke(ctx, identity.Actor{}, giuliaID, "publisher", ""); err != nil {
		t.Fatal(err)
	}
	_ = gconn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, b, err := gconn.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.CloseServiceRestart) {
				t.Errorf("Giulia's socket ended with %v, want a restart (1012)", err)
			}
			break
		}
		if strings.Contains(string(b), "presenza") {
			t.Errorf("a frame after the revocation: %s", b)
		}
	}
}

// TestPresenceUpdatesDoNotKeepASessionAlive: the box's updates are requests the page makes by
// itself; a session that only receives them ends when idle.
func TestPresenceUpdatesDoNotKeepASessionAlive(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	c := &clock{now: time.Now().UTC()}
	s.Identity.SetClock(c.Now)
	cookie, _ := newsroomPerson(t, s, "RSSMRA80A41F205", "Maria", "Rossi", "editor")
	w, err := s.Content.Work(context.Background(), content.TypePage, "privacy")
	if err != nil {
		t.Fatal(err)
	}
	c.Add(s.Config.SessionIdle - 5*time.Minute)
	if res, _ := s.Get(t, presence.LiveURL(w.Entry.ID), "Cookie", cookie); res.StatusCode != 200 {
		t.Fatalf("the box's update: %d", res.StatusCode)
	}
	c.Add(6 * time.Minute)
	if res, _ := s.Get(t, "/redazione", "Cookie", cookie); res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "motivo=scaduta") {
		t.Errorf("a session that only received the box's updates is still alive: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

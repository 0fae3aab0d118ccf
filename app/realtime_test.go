package app_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/app/request"
)

func dial(t *testing.T, s *apptest.Server, cookie, topics, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	if cookie != "" {
		h.Set("Cookie", cookie)
	}
	if origin != "" {
		h.Set("Origin", origin)
	}
	ws := "ws" + strings.TrimPrefix(s.URL, "http") + "/ws?topics=" + topics
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	conn, res, err := d.Dial(ws, h)
	if conn != nil {
		t.Cleanup(func() { conn.Close() })
	}
	return conn, res, err
}

// TestWebsocketPushes dials /ws with gorilla's client (which also proves fasthttp can hijack the
// connection): a member of the ente gets a frame when an expert posts, a member of another ente
// subscribing to the same request gets nothing, and a disabled delegate's socket closes.
func TestWebsocketPushes(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013041", Name: "Cantù", Kind: ente.KindComune, Province: "CO"},
		{ISTAT: "015146", Name: "Milano", Kind: ente.KindComune, Province: "MI"}}); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	cookies := map[string]string{}
	for who, code := range map[string]string{"mayor": "RSSMRA80A01F205", "delegate": "BNCGLI75M41L219", "other": "GLLFBA70D01F205", "expert": "SPRSPR80A01F205"} {
		cookies[who] = s.Login(t, apptest.FiscalCode(code), who, "Test")
		u, _, _ := s.Identity.Users(ctx, who, 1)
		ids[who] = u[0].ID
	}
	_ = s.Identity.Grant(ctx, identity.Actor{}, ids["expert"], "expert", "VA")
	cantu, _ := s.Enti.ByISTAT(ctx, "013041")
	milano, _ := s.Enti.ByISTAT(ctx, "015146")
	for who, e := range map[string]int64{"mayor": cantu.ID, "other": milano.ID} {
		reg, _ := s.Enti.Register(ctx, ente.Actor{UserID: ids[who]}, ente.RegistrationForm{EnteID: e, Role: "sindaco", Email: "s@c.it", PEC: "c@pec.it"}, "p.pdf", apptest.ProtocolFor(t, s.App, ids[who], e))
		if _, err := s.Enti.Approve(ctx, ente.Actor{}, reg.ID); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = s.Enti.Invite(ctx, ente.Actor{UserID: ids["mayor"]}, cantu.ID, apptest.FiscalCode("BNCGLI75M41L219"), "d@c.it")
	cookies["delegate"] = s.Login(t, apptest.FiscalCode("BNCGLI75M41L219"), "delegate", "Test")
	r, err := s.Requests.File(ctx, request.Actor{UserID: ids["mayor"]}, cantu.ID, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA",
		Description: "Quaranta istanze in attesa da mesi, un solo istruttore.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
	if err != nil {
		t.Fatal(err)
	}
	r, _ = s.Requests.Assign(ctx, request.Actor{UserID: ids["mayor"]}, r.ID, []int64{ids["expert"]})
	topic := "request:" + strconv.FormatInt(r.ID, 10)

	if _, res, err := dial(t, s, "", topic, ""); err == nil || res == nil || res.StatusCode != 401 {
		t.Errorf("anonymous upgrade: %v %v", err, res)
	}
	if _, res, err := dial(t, s, cookies["delegate"], topic, "https://evil.example"); err == nil || res == nil || res.StatusCode != 403 {
		t.Errorf("foreign origin: %v %v", err, res)
	}
	member, _, err := dial(t, s, cookies["delegate"], topic, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	stranger, _, err := dial(t, s, cookies["other"], topic, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Hub.Connections() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := s.Workspace.Post(ctx, request.Actor{UserID: ids["expert"], Name: "expert"}, r, true, "Iniziamo dall'elenco."); err != nil {
		t.Fatal(err)
	}
	_ = member.SetReadDeadline(time.Now().Add(5 * time.Second))
	var frame []byte
	for { // bell counters of earlier changes may come first: they arrive from jobs
		if _, frame, err = member.ReadMessage(); err != nil || !strings.Contains(string(frame), `id="bell-refresh"`) {
			break
		}
	}
	if err != nil || !strings.Contains(string(frame), "/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10)+"/aggiornamenti") {
		t.Fatalf("member frame: %q %v", frame, err)
	}
	_ = stranger.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	if _, frame, err := stranger.ReadMessage(); err == nil {
		t.Errorf("a member of another ente received %q", frame)
	}
	// The update the frame asks for is authorised like the page.
	if res, _ := s.Get(t, "/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10)+"/aggiornamenti", "Cookie", cookies["other"]); res.StatusCode != 404 {
		t.Errorf("another ente's update: %d", res.StatusCode)
	}
	res, body := s.Get(t, "/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10)+"/aggiornamenti", "Cookie", cookies["delegate"], "HX-Request", "true")
	if res.StatusCode != 200 || !strings.Contains(body, "Iniziamo dall") || !strings.Contains(body, `hx-swap-oob="beforeend:#thread"`) {
		t.Errorf("update fragment: %d %s", res.StatusCode, body)
	}
	// Disabling the delegate closes the socket.
	members, _ := s.Enti.Members(ctx, cantu.ID)
	for _, m := range members {
		if m.UserID == ids["delegate"] {
			if err := s.Enti.SetDelegateEnabled(ctx, ente.Actor{UserID: ids["mayor"]}, cantu.ID, m.ID, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	_ = member.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := member.ReadMessage(); err != nil {
			break // closed
		}
	}
}

// TestPushesCrossInstances starts two instances on one PostgreSQL database: a message posted
// through one reaches a websocket client connected to the other, through LISTEN/NOTIFY.
func TestPushesCrossInstances(t *testing.T) {
	if !apptest.OnPostgres() {
		t.Skip("LISTEN/NOTIFY needs PostgreSQL: this runs in the PostgreSQL leg (PASSHUB_TEST_DATABASE_URL)")
	}
	a := apptest.Start(t)
	b := apptest.Start(t, func(c *config.Config) {
		c.DatabaseURL, c.DataDir, c.SearchDir = a.Config.DatabaseURL, a.Config.DataDir, t.TempDir() // Bleve's index is one instance's
	})
	ctx := context.Background()
	cookie := b.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	users, _, _ := a.Identity.Users(ctx, "rossi", 1)
	cantu := apptest.ApprovedEnte(t, a.App, "013041", "Cantù", "CO", users[0].ID)
	r, err := a.Requests.File(ctx, request.Actor{UserID: users[0].ID}, cantu.ID, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA",
		Description: "Quaranta istanze in attesa da mesi, un solo istruttore.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
	if err != nil {
		t.Fatal(err)
	}
	conn, _, err := dial(t, b, cookie, "request:"+strconv.FormatInt(r.ID, 10), b.URL)
	if err != nil {
		t.Fatal(err)
	}
	for b.Hub.Connections() < 1 {
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := a.Workspace.Post(ctx, request.Actor{UserID: users[0].ID, Name: "Mario Rossi"}, r, false, "Da un'altra istanza."); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, frame, err := conn.ReadMessage()
		if err == nil && strings.Contains(string(frame), `id="bell-refresh"`) {
			continue // the bell of the same user, which may come first
		}
		if err != nil || !strings.Contains(string(frame), "/aggiornamenti") {
			t.Fatalf("frame on the other instance: %q %v", frame, err)
		}
		break
	}
	if a.Hub.Connections() != 0 {
		t.Error("the posting instance holds the connection")
	}
}

func TestNotificationCentre(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	pmCookie := s.Login(t, apptest.FiscalCode("PMPMPM80A01F205"), "Piera", "Manzoni")
	users, _, _ := s.Identity.Users(ctx, "rossi", 1)
	pms, _, _ := s.Identity.Users(ctx, "manzoni", 1)
	_ = s.Identity.Grant(ctx, identity.Actor{}, pms[0].ID, "pm", "VA")
	cantu := apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", users[0].ID)
	bell, _, err := dial(t, s, pmCookie, "", s.URL)
	if err != nil {
		t.Fatal(err)
	}
	for s.Hub.Connections() < 1 {
		time.Sleep(10 * time.Millisecond)
	}
	r, err := s.Requests.File(ctx, request.Actor{UserID: users[0].ID}, cantu.ID, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA",
		Description: "Quaranta istanze in attesa da mesi, un solo istruttore.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
	if err != nil {
		t.Fatal(err)
	}
	_ = bell.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, frame, err := bell.ReadMessage(); err != nil || !strings.Contains(string(frame), `id="bell-refresh"`) || !strings.Contains(string(frame), `hx-target="#bell-count"`) {
		t.Fatalf("bell frame: %q %v", frame, err)
	}
	if _, body := s.Get(t, "/area-riservata/notifiche/conteggio", "Cookie", pmCookie, "Accept-Language", "it"); !strings.Contains(body, ">1<") || !strings.Contains(body, "1 non letta") {
		t.Errorf("the bell the frame fetches: %q", body)
	}
	_, body := s.Get(t, "/area-riservata/notifiche", "Cookie", pmCookie, "Accept-Language", "it")
	doc := parse(t, body)
	if doc.Find(".pass-unread").Length() != 1 || !strings.Contains(doc.Find(".pass-unread").Text(), "Nuova richiesta da valutare: Arretrato VIA (Cantù, VA-01)") {
		t.Fatalf("notification list: %q", doc.Find(".pass-notification").Text())
	}
	if strings.TrimSpace(doc.Find("#bell-count .badge").Text()) != "1" || doc.Find("#bell-count .visually-hidden").Text() != "Notifiche, 1 non letta" {
		t.Errorf("header bell: %q", doc.Find("#bell-count").Text())
	}
	action, _ := doc.Find(".pass-unread form").Attr("action")
	res, _ := s.PostForm(t, action, map[string][]string{"_csrf": {apptest.CSRFToken}}, "Cookie", pmCookie)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/area-riservata/richieste/"+strconv.FormatInt(r.ID, 10) {
		t.Errorf("opening the notification: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if n, _ := s.Notifications.Unread(ctx, pms[0].ID); n != 0 {
		t.Errorf("%d unread after opening", n)
	}
	// The mayor who filed is not notified of their own action; another's notification is not theirs.
	if n, _ := s.Notifications.Unread(ctx, users[0].ID); n != 0 {
		t.Errorf("the author got %d notifications", n)
	}
	if res, _ := s.PostForm(t, action, map[string][]string{"_csrf": {apptest.CSRFToken}}, "Cookie", mayor); res.StatusCode != 404 {
		t.Errorf("someone else's notification: %d", res.StatusCode)
	}
}

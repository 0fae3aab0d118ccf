package app_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"passhub/app/access"
	"passhub/app/apptest"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/app/workarea"
)

// areaPersonas are the people of the work areas' access matrix, in the order of its statuses.
var areaPersonas = []string{"anonymous", "admin", "coordinator", "member", "ente delegate", "reader", "outsider", "expert"}

// areaWorld is one work area with its members, a topic with a reply and a library document, and
// people outside it.
type areaWorld struct {
	s                  *apptest.Server
	cookies            map[string]string
	ids                map[string]int64
	area               *workarea.Area
	topic              *workarea.Topic
	postID, versionID  int64
	eventID            int64
	enteA              int64
	memberOfPerson     int64 // the membership row of "member"
	topicURL, areaPath string
}

func buildAreaWorld(t *testing.T) *areaWorld {
	t.Helper()
	s := apptest.Start(t)
	ctx := context.Background()
	w := &areaWorld{s: s, cookies: map[string]string{"anonymous": "csrf=" + apptest.CSRFToken}, ids: map[string]int64{}}
	codes := map[string]string{"admin": "DMNDMN80A01F205", "coordinator": "CRDCRD80A01F205", "member": "MMBMMB80A01F205",
		"ente delegate": "BNCGLI75M41L219", "reader": "LTTLTT80A01F205", "outsider": "NRIPLA85C10F205", "expert": "SPRSPR80A01F205",
		"mayor A": "RSSMRA80A01F205"}
	for p, first15 := range codes {
		w.cookies[p] = s.Login(t, apptest.FiscalCode(first15), strings.Fields(p)[0], "Prova")
		w.ids[p] = userOf(t, s, w.cookies[p])
	}
	for p, role := range map[string][2]string{"admin": {"admin", ""}, "expert": {"expert", "VA"}} {
		if err := s.Identity.Grant(ctx, identity.Actor{}, w.ids[p], role[0], role[1]); err != nil {
			t.Fatal(err)
		}
	}
	cantu := apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", w.ids["mayor A"])
	apptest.ApprovedEnte(t, s.App, "015146", "Milano", "MI", w.ids["outsider"]) // another province's comune
	if err := s.Enti.EnsureDelegate(ctx, cantu.ID, w.ids["ente delegate"]); err != nil {
		t.Fatal(err)
	}
	w.enteA = cantu.ID
	admin := workarea.Actor{UserID: w.ids["admin"], Name: "admin"}
	a, err := s.Areas.Create(ctx, admin, workarea.Form{Name: "Stazione Appaltante", Service: "Stazione Appaltante", Description: "Gare standardizzate."})
	if err != nil {
		t.Fatal(err)
	}
	w.area = a
	for _, m := range []workarea.MemberForm{{EnteID: cantu.ID, Role: "member"}, {UserID: w.ids["coordinator"], Role: "coordinator"},
		{UserID: w.ids["member"], Role: "member"}, {UserID: w.ids["reader"], Role: "reader"}} {
		row, err := s.Areas.AddMember(ctx, admin, a.ID, m)
		if err != nil {
			t.Fatal(err)
		}
		if m.UserID == w.ids["member"] {
			w.memberOfPerson = row.ID
		}
	}
	member := workarea.Actor{UserID: w.ids["member"], Name: "member Prova"}
	topic, post, err := s.Areas.OpenTopic(ctx, member, a.ID, workarea.PostForm{Title: "Capitolato della zanzariera", Body: "Proposta di capitolato tipo per la zanzariera."})
	if err != nil {
		t.Fatal(err)
	}
	w.topic, w.postID = topic, post.ID
	if _, err := s.Areas.Upload(ctx, member, a.ID, 0, "vuoto.csv", sectionOf("")); err == nil {
		t.Fatal("an empty file was stored")
	}
	d, err := s.Areas.Upload(ctx, member, a.ID, 0, "verbale.csv", sectionOf("riga;zanzariera\n1;capitolato\n"))
	if err != nil {
		t.Fatal(err)
	}
	w.versionID = d.Versions[0].ID
	ev, err := s.Areas.CreateEvent(ctx, workarea.Actor{UserID: w.ids["coordinator"], Name: "coordinator Prova"}, a.ID, workarea.EventForm{Kind: "training",
		Title: "Formazione sul capitolato", Starts: "2026-12-15T10:00", Ends: "2026-12-15T12:00", Place: "Sala consiliare"})
	if err != nil {
		t.Fatal(err)
	}
	w.eventID = ev.ID
	w.areaPath = "/area-riservata/spazi/" + strconv.FormatInt(a.ID, 10)
	w.topicURL = w.areaPath + "/argomenti/" + strconv.FormatInt(topic.ID, 10)
	apptest.Idle(t, s.App)
	return w
}

// TestWorkAreaAccessMatrix runs every route of the work areas for every persona: outsiders (not
// members, directly or through their ente) get 404 everywhere, readers read but never post,
// coordinators moderate, admins alone manage. A route of the work areas missing from the matrix
// fails the test.
func TestWorkAreaAccessMatrix(t *testing.T) {
	w := buildAreaWorld(t)
	A, T := w.areaPath, w.topicURL
	E := A + "/calendario/" + strconv.FormatInt(w.eventID, 10)
	pid := strconv.FormatInt(w.postID, 10)
	admin := "/admin/spazi/" + strconv.FormatInt(w.area.ID, 10)
	const (
		list     = "303 200 200 200 200 200 200 200"
		view     = "303 200 200 200 200 200 404 404"
		gone     = "303 404 404 404 404 404 404 404"
		coordBad = "401 422 422 403 403 403 404 404" // refused input: nothing changes
		coordOK  = "401 303 303 403 403 403 404 404"
		postBad  = "401 422 422 422 422 403 404 404"
		postOK   = "401 303 303 303 303 403 404 404"
		admins   = "303 200 403 403 403 403 403 403"
		adminBad = "401 422 403 403 403 403 403 403"
	)
	long := strings.Repeat("x", workarea.MaxDesc+1)
	matrix := []struct {
		method, route, path string
		form                url.Values
		want                string
	}{
		{"GET", "/area-riservata/spazi", "/area-riservata/spazi", nil, list},
		{"GET", "/area-riservata/spazi/:id", A, nil, view},
		{"GET", "/area-riservata/spazi/:id", "/area-riservata/spazi/999999", nil, gone},
		{"POST", "/area-riservata/spazi/:id/descrizione", A + "/descrizione", url.Values{"description": {long}}, coordBad},
		{"POST", "/area-riservata/spazi/:id/descrizione", A + "/descrizione", url.Values{"description": {"Gare standardizzate e modelli."}}, coordOK},
		{"POST", "/area-riservata/spazi/:id/argomenti", A + "/argomenti", url.Values{"title": {" "}, "body": {"x"}}, postBad},
		{"POST", "/area-riservata/spazi/:id/argomenti", A + "/argomenti", url.Values{"title": {"Nuovo"}, "body": {"Testo"}}, postOK},
		{"GET", "/area-riservata/spazi/:id/argomenti/:tid", T, nil, view},
		{"GET", "/area-riservata/spazi/:id/argomenti/:tid", A + "/argomenti/999999", nil, gone},
		{"POST", "/area-riservata/spazi/:id/argomenti/:tid/risposte", T + "/risposte", url.Values{"body": {" "}}, postBad},
		{"POST", "/area-riservata/spazi/:id/argomenti/:tid/risposte", T + "/risposte", url.Values{"body": {"D'accordo."}}, postOK},
		{"POST", "/area-riservata/spazi/:id/argomenti/:tid/post/:pid/visibilita", T + "/post/" + pid + "/visibilita", url.Values{"hidden": {"0"}}, coordOK},
		{"POST", "/area-riservata/spazi/:id/argomenti/:tid/post/:pid/visibilita", T + "/post/999999/visibilita", url.Values{"hidden": {"1"}}, "401 404 404 403 403 403 404 404"},
		{"GET", "/area-riservata/spazi/:id/aggiornamenti", A + "/aggiornamenti?argomento=" + strconv.FormatInt(w.topic.ID, 10) + "&dopo=0", nil, view},
		{"GET", "/area-riservata/spazi/:id/biblioteca", A + "/biblioteca", nil, view},
		{"POST", "/area-riservata/spazi/:id/biblioteca", A + "/biblioteca", nil, postBad},
		{"GET", "/area-riservata/spazi/:id/documenti/:vid", A + "/documenti/" + strconv.FormatInt(w.versionID, 10), nil, view},
		{"GET", "/area-riservata/spazi/:id/documenti/:vid", A + "/documenti/999999", nil, gone},
		{"GET", "/area-riservata/spazi/:id/membri", A + "/membri", nil, view},
		{"GET", "/area-riservata/spazi/:id/calendario", A + "/calendario", nil, view},
		{"POST", "/area-riservata/spazi/:id/calendario", A + "/calendario", url.Values{"kind": {"training"}, "title": {" "}, "starts": {"domani"}}, coordBad},
		{"GET", "/area-riservata/spazi/:id/calendario/:eid", E, nil, view},
		{"GET", "/area-riservata/spazi/:id/calendario/:eid", A + "/calendario/999999", nil, gone},
		{"POST", "/area-riservata/spazi/:id/calendario/:eid/iscrizione", E + "/iscrizione", url.Values{"op": {"iscrivi"}}, postOK},
		{"POST", "/area-riservata/spazi/:id/calendario/:eid/presenze", E + "/presenze", url.Values{"present": {strconv.FormatInt(w.ids["member"], 10)}}, coordOK},
		{"POST", "/area-riservata/spazi/:id/calendario/:eid/materiali", E + "/materiali", url.Values{"document": {"999999"}}, coordBad},
		{"GET", "/admin/spazi", "/admin/spazi", nil, admins},
		{"POST", "/admin/spazi", "/admin/spazi", url.Values{"name": {" "}}, adminBad},
		{"GET", "/admin/spazi/:id", admin, nil, admins},
		{"POST", "/admin/spazi/:id/membri", admin + "/membri", url.Values{"kind": {"person"}, "role": {"king"}}, adminBad},
		{"POST", "/admin/spazi/:id/membri/:mid/rimuovi", admin + "/membri/999999/rimuovi", nil, "401 404 403 403 403 403 403 403"},
	}
	covered := map[string]bool{}
	for _, row := range matrix {
		covered[row.method+" "+row.route] = true
	}
	for _, r := range w.s.Web.App.GetRoutes(true) {
		if (r.Method == "GET" || r.Method == "POST") && (strings.HasPrefix(r.Path, "/area-riservata/spazi") || strings.HasPrefix(r.Path, "/admin/spazi")) && !covered[r.Method+" "+r.Path] {
			t.Errorf("route %s %s has no row in the work areas' matrix", r.Method, r.Path)
		}
	}
	for _, row := range matrix {
		want := strings.Fields(row.want)
		if len(want) != len(areaPersonas) {
			t.Fatalf("%s %s: %d statuses", row.method, row.path, len(want))
		}
		for i, p := range areaPersonas {
			var res *http.Response
			if row.method == "GET" {
				res, _ = w.s.Get(t, row.path, "Cookie", w.cookies[p])
			} else {
				form := url.Values{"_csrf": {apptest.CSRFToken}}
				for k, v := range row.form {
					form[k] = v
				}
				res, _ = w.s.PostForm(t, row.path, form, "Cookie", w.cookies[p])
			}
			if got := strconv.Itoa(res.StatusCode); got != want[i] {
				t.Errorf("%s %s as %s = %s, want %s", row.method, row.path, p, got, want[i])
			}
		}
	}
}

func sectionOf(s string) *io.SectionReader {
	return io.NewSectionReader(strings.NewReader(s), 0, int64(len(s)))
}

// TestWorkAreaSearchScoping: a topic, a reply and a library document of an area are found by its
// members (directly or through their ente) and never by anyone else, whatever they search.
func TestWorkAreaSearchScoping(t *testing.T) {
	w := buildAreaWorld(t)
	ctx := context.Background()
	if _, err := w.s.Areas.Reply(ctx, workarea.Actor{UserID: w.ids["coordinator"], Name: "coordinator Prova"}, w.topic,
		workarea.PostForm{Body: "Rivediamo la clausola sulla zanzariera."}); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, w.s.App)
	for _, p := range areaPersonas {
		found := map[string]bool{}
		for _, q := range []string{"/cerca?q=zanzariera", "/cerca?q=capitolato", "/cerca?q=&tipo=area_topic&tipo=area_post&tipo=document", "/cerca/suggerimenti?q=zanzar"} {
			res, body := w.s.Get(t, q, "Cookie", w.cookies[p])
			if res.StatusCode != 200 {
				t.Fatalf("%s as %s: %d", q, p, res.StatusCode)
			}
			for _, kind := range []string{"/argomenti/", "/biblioteca#documento-", "#post-"} {
				if strings.Contains(body, w.areaPath+"/") && strings.Contains(body, kind) {
					found[kind] = true
				}
			}
			if strings.Contains(body, "Capitolato della zanzariera") {
				found["title"] = true
			}
		}
		member := p == "coordinator" || p == "member" || p == "ente delegate" || p == "reader"
		if member && (!found["#post-"] || !found["/biblioteca#documento-"] || !found["title"]) {
			t.Errorf("%s, a member, found %v", p, found)
		}
		if !member && p != "admin" && len(found) > 0 {
			t.Errorf("%s, outside the area, found %v", p, found)
		}
	}
	// A hidden reply leaves the index.
	posts, _ := w.s.Areas.Posts(ctx, w.topic.ID, w.postID, true)
	if err := w.s.Areas.SetHidden(ctx, workarea.Actor{UserID: w.ids["coordinator"]}, w.topic, posts[0].ID, true); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, w.s.App)
	if _, body := w.s.Get(t, "/cerca?q=clausola", "Cookie", w.cookies["member"]); strings.Contains(body, "#post-"+strconv.FormatInt(posts[0].ID, 10)) {
		t.Error("a hidden reply is still found")
	}
}

// TestWorkAreaNotifications: a new topic reaches every member's bell but its author's (members
// through their ente included), a mention reaches the person mentioned as a mention, nobody
// outside the area hears of it, and a removed member no longer sees the area's notifications.
func TestWorkAreaNotifications(t *testing.T) {
	w := buildAreaWorld(t)
	ctx := context.Background()
	kinds := func(p string) map[string]int {
		s, err := w.s.App.Notifications.Subjects(ctx, w.ids[p])
		if err != nil {
			t.Fatal(err)
		}
		list, err := w.s.Notifications.ListFor(ctx, s, false, 100)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, n := range list {
			if strings.HasPrefix(n.Kind, "area.") && n.Kind != "area.event" { // the calendar: TestWorkAreaCalendar
				out[n.Kind]++
			}
		}
		return out
	}
	for _, p := range []string{"coordinator", "ente delegate", "reader", "mayor A"} {
		if got := kinds(p); got["area.topic"] != 1 {
			t.Errorf("%s: %v, want one new topic", p, got)
		}
	}
	for _, p := range []string{"member", "outsider", "expert", "admin"} {
		if got := kinds(p); len(got) != 0 {
			t.Errorf("%s (the author or outside the area): %v", p, got)
		}
	}
	if _, err := w.s.Areas.Reply(ctx, workarea.Actor{UserID: w.ids["coordinator"], Name: "coordinator Prova"}, w.topic,
		workarea.PostForm{Body: "Grazie @member Prova, ne parliamo giovedì.", Mentions: []int64{w.ids["reader"], w.ids["outsider"]}}); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, w.s.App)
	if got := kinds("member"); got["area.mention"] != 1 || got["area.reply"] != 0 {
		t.Errorf("member mentioned in the text: %v", got)
	}
	if got := kinds("reader"); got["area.mention"] != 1 {
		t.Errorf("reader chosen from the list: %v", got)
	}
	if got := kinds("ente delegate"); got["area.reply"] != 1 || got["area.mention"] != 0 {
		t.Errorf("ente delegate: %v", got)
	}
	if got := kinds("outsider"); len(got) != 0 {
		t.Errorf("an outsider chosen as a mention was told: %v", got)
	}
	if err := w.s.Areas.RemoveMember(ctx, workarea.Actor{UserID: w.ids["admin"]}, w.area.ID, w.memberOfPerson); err != nil {
		t.Fatal(err)
	}
	if got := kinds("member"); len(got) != 0 {
		t.Errorf("a removed member still sees %v", got)
	}
	if _, body := w.s.Get(t, "/area-riservata/notifiche", "Cookie", w.cookies["member"]); strings.Contains(body, "zanzariera") {
		t.Error("the notifications page of a removed member shows the area's topic")
	}
	if res, _ := w.s.Get(t, w.topicURL, "Cookie", w.cookies["member"]); res.StatusCode != 404 {
		t.Errorf("a removed member opens the topic: %d", res.StatusCode)
	}
	_ = access.AreaMember
	_ = ente.KindComune
}

// TestWorkAreaWebsocket: a member's open page hears of a reply; someone outside the area who asks
// for the area's topic hears nothing; removing the member closes their socket, so it receives no
// more of the area's updates.
func TestWorkAreaWebsocket(t *testing.T) {
	w := buildAreaWorld(t)
	ctx := context.Background()
	topic := workarea.LiveTopic(w.area.ID)
	member, _, err := dial(t, w.s, w.cookies["member"], topic, w.s.URL)
	if err != nil {
		t.Fatal(err)
	}
	stranger, _, err := dial(t, w.s, w.cookies["outsider"], topic, w.s.URL)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for w.s.Hub.Connections() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := w.s.Areas.Reply(ctx, workarea.Actor{UserID: w.ids["coordinator"], Name: "coordinator Prova"}, w.topic, workarea.PostForm{Body: "Risposta dal vivo."}); err != nil {
		t.Fatal(err)
	}
	_ = member.SetReadDeadline(time.Now().Add(5 * time.Second))
	var frame []byte
	for {
		if _, frame, err = member.ReadMessage(); err != nil || !strings.Contains(string(frame), `id="bell-refresh"`) {
			break
		}
	}
	if err != nil || !strings.Contains(string(frame), w.areaPath+"/aggiornamenti") {
		t.Fatalf("member frame: %q %v", frame, err)
	}
	_ = stranger.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	if _, frame, err := stranger.ReadMessage(); err == nil {
		t.Errorf("someone outside the area received %q", frame)
	}
	res, body := w.s.Get(t, w.areaPath+"/aggiornamenti?argomento="+strconv.FormatInt(w.topic.ID, 10)+"&dopo="+strconv.FormatInt(w.postID, 10),
		"Cookie", w.cookies["member"], "HX-Request", "true")
	if res.StatusCode != 200 || !strings.Contains(body, "Risposta dal vivo.") || !strings.Contains(body, `hx-swap-oob="beforeend:#thread"`) || strings.Contains(body, "post-body") {
		t.Errorf("update fragment: %d %s", res.StatusCode, body)
	}
	if err := w.s.Areas.RemoveMember(ctx, workarea.Actor{UserID: w.ids["admin"]}, w.area.ID, w.memberOfPerson); err != nil {
		t.Fatal(err)
	}
	_ = member.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := member.ReadMessage(); err != nil {
			break // closed: it reconnects with fresh authorisation, which refuses the area
		}
	}
}

// TestWorkAreaCalendar: coordinators add events (bad times refused, nothing saved), members are
// told, register and cancel within the seats, readers may not register, coordinators mark who
// attended and link the library's documents as materials.
func TestWorkAreaCalendar(t *testing.T) {
	w := buildAreaWorld(t)
	ctx := context.Background()
	post := func(p, path string, form url.Values) int {
		form.Set("_csrf", apptest.CSRFToken)
		res, _ := w.s.PostForm(t, path, form, "Cookie", w.cookies[p])
		return res.StatusCode
	}
	cal := w.areaPath + "/calendario"
	form := url.Values{"kind": {"training"}, "title": {"Corso sul nuovo codice"}, "starts": {"2026-12-20T09:00"}, "ends": {"2026-12-20T08:00"}, "capacity": {"1"}}
	if st := post("coordinator", cal, form); st != 422 {
		t.Errorf("an event ending before it starts: %d", st)
	}
	if events, _ := w.s.Areas.Calendar(ctx, w.area.ID); len(events) != 1 {
		t.Fatalf("a refused event was saved: %d events", len(events))
	}
	form.Set("ends", "2026-12-20T13:00")
	if st := post("member", cal, form); st != 403 {
		t.Errorf("a member creates an event: %d", st)
	}
	if st := post("coordinator", cal, form); st != 303 {
		t.Fatalf("the coordinator's event: %d", st)
	}
	events, _ := w.s.Areas.Calendar(ctx, w.area.ID)
	var e workarea.Event
	for _, x := range events {
		if x.Title == "Corso sul nuovo codice" {
			e = x
		}
	}
	if got := e.Starts().Format("2006-01-02 15:04 MST"); got != "2026-12-20 09:00 CET" {
		t.Errorf("start in Rome: %s (stored %s)", got, e.StartsAt)
	}
	page := cal + "/" + strconv.FormatInt(e.ID, 10)
	if st := post("member", page+"/iscrizione", url.Values{"op": {"iscrivi"}}); st != 303 {
		t.Errorf("the member registers: %d", st)
	}
	if st := post("ente delegate", page+"/iscrizione", url.Values{"op": {"iscrivi"}}); st != 409 {
		t.Errorf("a registration beyond the seats: %d", st)
	}
	if st := post("reader", page+"/iscrizione", url.Values{"op": {"iscrivi"}}); st != 403 {
		t.Errorf("a reader registers: %d", st)
	}
	if st := post("member", page+"/iscrizione", url.Values{"op": {"annulla"}}); st != 303 {
		t.Errorf("the member cancels: %d", st)
	}
	if st := post("ente delegate", page+"/iscrizione", url.Values{"op": {"iscrivi"}}); st != 303 {
		t.Errorf("the delegate registers on the freed seat: %d", st)
	}
	if st := post("coordinator", page+"/presenze", url.Values{"present": {strconv.FormatInt(w.ids["ente delegate"], 10), strconv.FormatInt(w.ids["outsider"], 10)}}); st != 303 {
		t.Errorf("attendance: %d", st)
	}
	regs, _ := w.s.Areas.Registrations(ctx, e.ID)
	if len(regs) != 1 || regs[0].UserID != w.ids["ente delegate"] || !regs[0].Attended {
		t.Errorf("registrations after attendance: %+v", regs)
	}
	docs, _ := w.s.Areas.Library(ctx, w.area.ID)
	if st := post("coordinator", page+"/materiali", url.Values{"document": {strconv.FormatInt(docs[0].ID, 10)}}); st != 303 {
		t.Errorf("a material: %d", st)
	}
	_, body := w.s.Get(t, page, "Cookie", w.cookies["reader"])
	if !strings.Contains(body, "verbale.csv") || !strings.Contains(body, "Corso sul nuovo codice") || strings.Contains(body, `name="present"`) {
		t.Error("the reader's event page: materials missing, or the attendance form shown")
	}
	apptest.Idle(t, w.s.App)
	s, _ := w.s.App.Notifications.Subjects(ctx, w.ids["member"])
	list, _ := w.s.Notifications.ListFor(ctx, s, false, 100)
	events2 := 0
	for _, n := range list {
		if n.Kind == "area.event" {
			events2++
		}
	}
	if events2 != 2 {
		t.Errorf("the member was told of %d new events, want 2", events2)
	}
}

// TestWorkAreaThreadPages: a long topic shows its newest posts with a link to the earlier ones,
// which are a page of their own (without the reply form, whose live posts would land among old
// ones).
func TestWorkAreaThreadPages(t *testing.T) {
	w := buildAreaWorld(t)
	ctx := context.Background()
	for i := 0; i < workarea.ThreadPage+5; i++ {
		if _, err := w.s.Areas.Reply(ctx, workarea.Actor{UserID: w.ids["member"], Name: "member Prova"}, w.topic, workarea.PostForm{Body: "Risposta " + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	_, body := w.s.Get(t, w.topicURL, "Cookie", w.cookies["reader"])
	doc := parse(t, body)
	if n := doc.Find("#thread .pass-message").Length(); n != workarea.ThreadPage {
		t.Errorf("%d posts on the page, want %d", n, workarea.ThreadPage)
	}
	href, ok := doc.Find(`a[href*="?prima="]`).Attr("href")
	if !ok || strings.Contains(body, "Proposta di capitolato tipo") {
		t.Fatalf("no link to the earlier posts, or the first post shown: %v", ok)
	}
	_, body = w.s.Get(t, strings.Split(href, "#")[0], "Cookie", w.cookies["member"])
	if !strings.Contains(body, "Proposta di capitolato tipo") || strings.Contains(body, `id="post-form"`) || strings.Contains(body, `name="argomento"`) {
		t.Error("the earlier page: no first post, or the reply form and live cursor shown")
	}
}

// TestWorkAreaMenu: "Spazi di lavoro" is in the reserved menu of the people who belong to an
// area (directly or through their ente) and of admins, and of nobody else.
func TestWorkAreaMenu(t *testing.T) {
	w := buildAreaWorld(t)
	for _, p := range areaPersonas[1:] {
		_, body := w.s.Get(t, "/area-riservata", "Cookie", w.cookies[p], "Accept-Language", "it")
		shown := parse(t, body).Find(`nav.pass-reserved-nav a[href="/area-riservata/spazi"]`).Length() > 0
		if want := p != "outsider" && p != "expert"; shown != want {
			t.Errorf("%s: Spazi di lavoro in the menu %v, want %v", p, shown, want)
		}
	}
}

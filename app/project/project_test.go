package project_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"passhub/app"
	"passhub/app/access"
	"passhub/app/apptest"
	"passhub/app/auth"
	"passhub/app/ente"
	"passhub/app/funding"
	"passhub/app/identity"
	"passhub/app/project"
	"passhub/app/search"
)

func login(t testing.TB, a *app.App, first15, name string) int64 {
	t.Helper()
	u, _, err := a.Identity.Login(context.Background(), auth.Identity{FiscalCode: apptest.FiscalCode(first15), Name: name, FamilyName: "Test",
		Email: strings.ToLower(name) + "@example.it", Method: "spid", Issuer: "test", Level: 2}, identity.Client{IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// world is three comuni (two in Como, one in Bergamo), each with its mayor, and a published call.
type world struct {
	a                 *app.App
	como, cantu, berg int64 // enti
	mayors            map[int64]int64
	call              *funding.Call
}

func newWorld(t *testing.T) *world {
	a := apptest.New(t, apptest.NoContent)
	w := &world{a: a, mayors: map[int64]int64{}}
	for _, e := range []struct {
		istat, name, prov, code string
		id                      *int64
	}{{"013075", "Como", "CO", "RSSMRA80A01F205", &w.como}, {"013041", "Cantù", "CO", "BNCGLI75M41L219", &w.cantu},
		{"016024", "Bergamo", "BG", "VRDLGU60B01F205", &w.berg}} {
		mayor := login(t, a, e.code, "Sindaco"+e.istat)
		*e.id = apptest.ApprovedEnte(t, a, e.istat, e.name, e.prov, mayor).ID
		w.mayors[*e.id] = mayor
	}
	ctx := context.Background()
	call, err := a.Funding.Create(ctx, funding.Actor{Name: "redazione"}, funding.Form{Title: "Verde urbano", Programme: "LIFE",
		Topics: "clima, biodiversità, scuole", Deadlines: []funding.DeadlineForm{{Date: "2030-06-30"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Funding.SetPublished(ctx, funding.Actor{}, call.ID, true); err != nil {
		t.Fatal(err)
	}
	w.call = call
	return w
}

func (w *world) actor(ente int64) project.Actor {
	return project.Actor{UserID: w.mayors[ente], Name: "Sindaco"}
}

func (w *world) sheet(t *testing.T, ente int64, title, topics string, seeks bool, provinces ...string) *project.Sheet {
	t.Helper()
	ctx := context.Background()
	f := project.Form{Ente: strconv.FormatInt(ente, 10), Call: strconv.FormatInt(w.call.ID, 10), Title: title, Summary: "Descrizione di " + title,
		Topics: topics, SeeksPartners: seeks, Provinces: provinces}
	if seeks {
		f.PartnerProfile = "Un comune con esperienza."
	}
	sh, err := w.a.Projects.Create(ctx, w.actor(ente), f)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.a.Projects.SetPublished(ctx, w.actor(ente), sh.ID, true); err != nil {
		t.Fatal(err)
	}
	sh, _ = w.a.Projects.Get(ctx, sh.ID)
	return sh
}

// TestSheetFormRefusesEachBadField: every wrong field is named with its message, and nothing is
// written.
func TestSheetFormRefusesEachBadField(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	_, err := w.a.Projects.Create(ctx, w.actor(w.como), project.Form{Ente: strconv.FormatInt(w.como, 10), Call: "999999", Title: strings.Repeat("x", 201),
		Budget: "dieci", Stage: "boh", Topics: "", SeeksPartners: true, PartnersUntil: "2031-01-01", Provinces: []string{"ZZ"}})
	var bad project.Invalid
	if !errors.As(err, &bad) {
		t.Fatalf("err = %v", err)
	}
	want := map[string]string{"call": "project.error.call", "title": "project.error.too_long", "summary": "project.error.summary",
		"budget": "project.error.budget", "stage": "project.error.stage", "topics": "project.error.topics", "provinces": "project.error.province",
		"partner_profile": "project.error.profile"}
	for k, v := range want {
		if bad[k] != v {
			t.Errorf("%s: %q, want %q", k, bad[k], v)
		}
	}
	// with the call known, an answering date after its last deadline is refused
	_, err = w.a.Projects.Create(ctx, w.actor(w.como), project.Form{Ente: strconv.FormatInt(w.como, 10), Call: strconv.FormatInt(w.call.ID, 10),
		Title: "T", Summary: "S", Topics: "clima", SeeksPartners: true, PartnerProfile: "P", PartnersUntil: "2031-01-01"})
	if !errors.As(err, &bad) || bad["partners_until"] != "project.error.after_call" || len(bad) != 1 {
		t.Errorf("after the call: %v", err)
	}
	if n, _ := w.a.DB.NewSelect().Table("project_sheets").Count(ctx); n != 0 {
		t.Errorf("%d sheets written", n)
	}
}

// TestPartnerSearchAnswersAndNotices: another ente answers once, the sheet's ente is told and
// decides, the one who answered is told; the sheet's own ente, a second answer and a closed
// search are refused.
func TestPartnerSearchAnswersAndNotices(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	sh := w.sheet(t, w.como, "Foreste urbane", "clima", true)
	if _, err := w.a.Projects.Answer(ctx, w.actor(w.como), sh.ID, w.como, "Noi"); !errors.Is(err, project.Refused("project.error.own")) {
		t.Errorf("own ente: %v", err)
	}
	a, err := w.a.Projects.Answer(ctx, w.actor(w.cantu), sh.ID, w.cantu, "Abbiamo un vivaio comunale.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.a.Projects.Answer(ctx, w.actor(w.cantu), sh.ID, w.cantu, "Di nuovo"); !errors.Is(err, project.Refused("project.error.answered")) {
		t.Errorf("second answer: %v", err)
	}
	apptest.Idle(t, w.a)
	told := func(user int64, kind string) int {
		list, err := w.a.Notifications.List(ctx, user, false, 50)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, x := range list {
			if x.Kind == kind && strings.HasPrefix(x.URL, project.URL(sh.ID)) {
				n++
			}
		}
		return n
	}
	if told(w.mayors[w.como], project.KindAnswer) != 1 {
		t.Error("the sheet's ente was not told of the answer")
	}
	if err := w.a.Projects.Decide(ctx, w.actor(w.como), sh.ID, a.ID, true, "Benvenuti"); err != nil {
		t.Fatal(err)
	}
	if err := w.a.Projects.Decide(ctx, w.actor(w.como), sh.ID, a.ID, false, ""); !errors.Is(err, project.Refused("project.error.decided")) {
		t.Errorf("second decision: %v", err)
	}
	apptest.Idle(t, w.a)
	if told(w.mayors[w.cantu], project.KindDecision) != 1 || told(w.mayors[w.como], project.KindAnswer) != 1 {
		t.Error("the decision was not told once to the one who answered")
	}
	answers, _ := w.a.Projects.Answers(ctx, sh.ID, nil)
	if len(answers) != 1 || answers[0].Status != project.AnswerAccepted || answers[0].Reply != "Benvenuti" {
		t.Errorf("answers %+v", answers)
	}
	// After the last day, the search takes no answer.
	w.a.Projects.SetClock(func() time.Time { return time.Date(2030, 7, 1, 10, 0, 0, 0, funding.Rome) })
	if _, err := w.a.Projects.Answer(ctx, w.actor(w.berg), sh.ID, w.berg, "Tardi"); !errors.Is(err, project.Refused("project.error.closed")) {
		t.Errorf("closed search: %v", err)
	}
}

// TestMatchesByTopicAndTerritory: an open search is suggested to the enti that share a topic
// (through their sheets or their people's alerts) and are in the territory it looks in, and never
// once they answered; the sheet's ente is suggested the same enti as partners.
func TestMatchesByTopicAndTerritory(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	forests := w.sheet(t, w.como, "Foreste urbane", "clima, Scuole", true, "CO", "BG")
	w.sheet(t, w.cantu, "Tetti verdi", "Clima", false)
	bikes := w.sheet(t, w.como, "Piste ciclabili", "mobilità", true, "CO")
	// Bergamo has no sheet: its mayor follows "scuole" in the alerts.
	if _, err := w.a.Funding.Subscribe(ctx, w.mayors[w.berg], funding.SubscriptionForm{Topics: []string{"scuole"}, Channel: funding.ChannelNow, DaysBefore: "7"}); err != nil {
		t.Fatal(err)
	}
	suggested := func(id int64) map[int64]project.Match {
		e, err := w.a.Enti.Ente(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		ms, err := w.a.Projects.SuggestedSearches(ctx, []*ente.Ente{e})
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]project.Match{}
		for _, m := range ms {
			out[m.Sheet.ID] = m
		}
		return out
	}
	// Cantù (CO, "clima"): the forests by topic and territory, the bikes by territory alone.
	c := suggested(w.cantu)
	if m, ok := c[forests.ID]; !ok || strings.Join(m.Topics, ",") != "clima" || !m.Territory || !m.Near {
		t.Errorf("Cantù, forests: %+v", m)
	}
	if m, ok := c[bikes.ID]; !ok || len(m.Topics) != 0 || !m.Territory {
		t.Errorf("Cantù, bikes: %+v", m)
	}
	// Bergamo (BG, follows "scuole"): the forests, not the bikes (Como only).
	b := suggested(w.berg)
	if m, ok := b[forests.ID]; !ok || strings.Join(m.Topics, ",") != "Scuole" || m.Near {
		t.Errorf("Bergamo, forests: %+v", m)
	}
	if _, ok := b[bikes.ID]; ok {
		t.Error("a search in Como alone is suggested to Bergamo")
	}
	// Como's own searches are never suggested to Como.
	if n := len(suggested(w.como)); n != 0 {
		t.Errorf("Como is suggested %d of its own searches", n)
	}
	// The forests' partners: Cantù (clima) before Bergamo (scuole, another province).
	partners, err := w.a.Projects.SuggestedPartners(ctx, forests)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range partners {
		names = append(names, p.Ente.Name)
	}
	if strings.Join(names, ",") != "Cantù,Bergamo" {
		t.Errorf("partners %v", names)
	}
	// Once Cantù answered, it is neither suggested the search nor suggested as a partner.
	if _, err := w.a.Projects.Answer(ctx, w.actor(w.cantu), forests.ID, w.cantu, "Ci siamo."); err != nil {
		t.Fatal(err)
	}
	if _, ok := suggested(w.cantu)[forests.ID]; ok {
		t.Error("the search is still suggested to the ente that answered")
	}
	partners, _ = w.a.Projects.SuggestedPartners(ctx, forests)
	if len(partners) != 1 || partners[0].Ente.ID != w.berg {
		t.Errorf("partners after the answer: %+v", partners)
	}
	// A withdrawn sheet is no longer an open search.
	if err := w.a.Projects.SetPublished(ctx, w.actor(w.como), forests.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, ok := suggested(w.berg)[forests.ID]; ok {
		t.Error("a withdrawn sheet is suggested")
	}
}

// TestSheetsInTheSearchOfThoseWhoMayReadThem: a published sheet is found (a word misspelt) by a
// member of an approved ente, never by a visitor or a mayor whose registration is pending, and
// a draft by nobody, the engine itself included.
func TestSheetsInTheSearchOfThoseWhoMayReadThem(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	f := project.Form{Ente: strconv.FormatInt(w.como, 10), Call: strconv.FormatInt(w.call.ID, 10), Title: "Castagneti urbani",
		Summary: "Recupero dei castagneti abbandonati sopra la città.", Topics: "clima"}
	published, err := w.a.Projects.Create(ctx, w.actor(w.como), f)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.a.Projects.SetPublished(ctx, w.actor(w.como), published.ID, true); err != nil {
		t.Fatal(err)
	}
	f.Title, f.Summary = "Bozza riservata", "Zanzariere per il depuratore: ancora da decidere."
	if _, err := w.a.Projects.Create(ctx, w.actor(w.como), f); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, w.a)
	member := &access.Subject{UserID: w.mayors[w.berg], Memberships: []access.Membership{{EnteID: w.berg, Role: access.LegalRep, Enabled: true, Approved: true}}}
	pending := &access.Subject{UserID: 999, Memberships: []access.Membership{{EnteID: w.berg, Role: access.LegalRep, Enabled: true}}}
	own := &access.Subject{UserID: w.mayors[w.como], Memberships: []access.Membership{{EnteID: w.como, Role: access.LegalRep, Enabled: true, Approved: true}}}
	find := func(s *access.Subject, words string) int {
		res, err := w.a.Search.Search(ctx, s, search.Query{Text: words})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, it := range res.Items {
			if it.Type == project.Type {
				n++
			}
		}
		return n
	}
	if n := find(member, "castagnetti"); n != 1 {
		t.Errorf("a member finds %d published sheets", n)
	}
	for name, s := range map[string]*access.Subject{"a visitor": {}, "a pending mayor": pending} {
		if n := find(s, "castagneti"); n != 0 {
			t.Errorf("%s finds %d sheets", name, n)
		}
		raw, err := w.a.Search.Engine.Search(ctx, search.Query{Text: "castagneti", Access: search.AccessOf(s)})
		if err != nil || raw.Total != 0 {
			t.Errorf("the engine returns the sheet to %s: %d %v", name, raw.Total, err)
		}
	}
	if n := find(own, "zanzariere"); n != 0 {
		t.Errorf("a draft is in the search (%d)", n)
	}
}

package funding_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/auth"
	"passhub/app/config"
	"passhub/app/db"
	"passhub/app/funding"
	"passhub/app/identity"
	"passhub/app/mailtest"
	"passhub/app/search"
)

func withSMTP(smtp *mailtest.Server) apptest.Option {
	return func(c *config.Config) {
		c.Mail, c.SMTPHost, c.SMTPPort, c.SMTPTLS, c.SMTPFrom = "smtp", smtp.Host(), smtp.Port(), "none", "PAsS <noreply@pass.example.it>"
	}
}

func login(t testing.TB, a *app.App, first15, name string) int64 {
	t.Helper()
	u, _, err := a.Identity.Login(context.Background(), auth.Identity{FiscalCode: apptest.FiscalCode(first15), Name: name, FamilyName: "Test",
		Email: strings.ToLower(name) + "@example.it", Method: "spid", Issuer: "test", Level: 2}, identity.Client{IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func count(t testing.TB, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// at sets the funding service's clock to a moment in Rome.
func at(s *funding.Service, day, hhmm string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hhmm, funding.Rome)
	if err != nil {
		panic(err)
	}
	s.SetClock(func() time.Time { return t.UTC() })
}

const sample = `codice;titolo;programma;autorita;temi;apertura;scadenze;budget;cofinanziamento;link
FESR-27-01;Efficienza energetica degli edifici pubblici;PR FESR Lombardia 2021-2027;Regione Lombardia;energia, edifici pubblici;2027-01-10;2027-03-15 12:00 Prima fase | 2027-05-31 Seconda fase;15.000.000;80;https://www.regione.lombardia.it/bando1
LIFE-27-02;Natura e biodiversità;LIFE;CINEA;biodiversità;2027-01-01;2027-04-20;5000000;60%;https://cinea.ec.europa.eu/life
BAD-27-03;Bando senza data;LIFE;CINEA;clima;;2027-02-30;;;
`

func importSample(t *testing.T, a *app.App) *funding.ImportReport {
	t.Helper()
	rep, err := a.Funding.Import(context.Background(), funding.Actor{Name: "test"}, strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestImportIsIdempotentAndReportsBadRows: two good rows are created and one bad row is reported
// with its line, field and message; importing the same file again updates the two calls (same
// ids, same slugs) and adds none. A JSON file with the same columns updates by code too.
func TestImportIsIdempotentAndReportsBadRows(t *testing.T) {
	t.Parallel()
	a := apptest.New(t, apptest.NoContent)
	ctx := context.Background()
	at(a.Funding, "2027-01-05", "09:00")
	rep := importSample(t, a)
	if rep.Created != 2 || rep.Updated != 0 || len(rep.Errors) != 1 {
		t.Fatalf("first import: %+v", rep)
	}
	if e := rep.Errors[0]; e.Row != 4 || e.Field != "deadlines" || e.Message != "funding.error.deadline_date" {
		t.Errorf("bad row reported as %+v", e)
	}
	if it, en := a.I18n.T("it", rep.Errors[0].Message), a.I18n.T("en", rep.Errors[0].Message); it == en || !strings.Contains(en, "YYYY-MM-DD") {
		t.Errorf("messages: %q / %q", it, en)
	}
	rep = importSample(t, a)
	if rep.Created != 0 || rep.Updated != 2 || len(rep.Errors) != 1 {
		t.Fatalf("second import: %+v", rep)
	}
	if n := count(t, a.DB, "SELECT count(*) FROM funding_calls"); n != 2 {
		t.Fatalf("%d calls after two imports, want 2", n)
	}
	if n := count(t, a.DB, "SELECT count(*) FROM funding_deadlines"); n != 3 {
		t.Errorf("%d deadlines, want 3", n)
	}
	c, err := a.Funding.Published(ctx, "efficienza-energetica-degli-edifici-pubblici")
	if err != nil {
		t.Fatal(err)
	}
	if *c.Budget != 15000000 || *c.CoFunding != 80 || len(c.Deadlines) != 2 || c.Deadlines[0].DueTime != "12:00" || c.Deadlines[0].Label != "Prima fase" ||
		c.ClosesOn != "2027-05-31" || strings.Join(c.Topics, ",") != "edifici pubblici,energia" {
		t.Errorf("imported call: %+v", c)
	}
	if got := c.StatusOn("2027-01-05"); got != funding.Forthcoming {
		t.Errorf("status before opening = %s", got)
	}
	if got := c.StatusOn("2027-05-31"); got != funding.Open {
		t.Errorf("status on the last deadline = %s", got)
	}
	if got := c.StatusOn("2027-06-01"); got != funding.Closed {
		t.Errorf("status after the last deadline = %s", got)
	}
	jsonFile := `[{"codice": "FESR-27-01", "titolo": "Efficienza energetica negli edifici pubblici (rettifica)", "programma": "PR FESR Lombardia 2021-2027",
		"temi": ["energia"], "scadenze": [{"data": "2027-03-20", "ora": "12:00", "etichetta": "Prima fase"}], "stato": "chiuso", "pubblicato": true},
		{"codice": "X", "titolo": "", "programma": "LIFE", "scadenze": "2027-01-01"}]`
	rep, err = a.Funding.Import(ctx, funding.Actor{}, strings.NewReader(jsonFile))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 0 || rep.Updated != 1 || len(rep.Errors) != 1 || rep.Errors[0].Row != 2 || rep.Errors[0].Field != "title" {
		t.Fatalf("JSON import: %+v", rep)
	}
	again, err := a.Funding.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Slug != c.Slug || again.ForcedStatus != funding.Closed || len(again.Deadlines) != 1 || again.Deadlines[0].ID != c.Deadlines[0].ID {
		t.Errorf("after the JSON update: slug %q forced %q deadlines %+v", again.Slug, again.ForcedStatus, again.Deadlines)
	}
	if got := again.StatusOn("2027-01-20"); got != funding.Closed {
		t.Errorf("forced status = %s, want closed", got)
	}
	if _, err := a.Funding.Import(ctx, funding.Actor{}, strings.NewReader("nothing;here\n1;2\n")); !errors.Is(err, funding.ErrFormat) {
		t.Errorf("a file with no known column: %v", err)
	}
}

// TestRemindersOnceEach: a person following a topic gets, by bell and e-mail, one reminder per
// deadline exactly when the deadline is within their days before; the next runs (or a rerun
// after a crash between the notice and its record) send nothing more; a bulletin-only follower
// gets no bell.
func TestRemindersOnceEach(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	a := apptest.New(t, apptest.NoContent, withSMTP(smtp))
	ctx := context.Background()
	s := a.Funding
	at(s, "2027-01-05", "06:00")
	importSample(t, a)
	apptest.Idle(t, a)
	anna := login(t, a, "NNAMRA80A41F205", "Anna")
	bruno := login(t, a, "BRNBRN80A01F205", "Bruno")
	if _, err := s.Subscribe(ctx, anna, funding.SubscriptionForm{Topics: []string{"energia"}, Channel: funding.ChannelNow, DaysBefore: "7"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscribe(ctx, bruno, funding.SubscriptionForm{Topics: []string{"energia"}, Channel: funding.ChannelBulletin}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscribe(ctx, anna, funding.SubscriptionForm{Topics: []string{"nessuno"}, Channel: funding.ChannelNow}); err == nil {
		t.Error("a topic no call has was accepted")
	}
	run := func(day string) int {
		t.Helper()
		at(s, day, "07:00")
		n, err := s.SendReminders(ctx)
		if err != nil {
			t.Fatal(err)
		}
		apptest.Idle(t, a)
		return n
	}
	reminders := func(user int64) int {
		return count(t, a.DB, "SELECT count(*) FROM notifications WHERE user_id = ? AND kind = ?", user, funding.KindReminder)
	}
	if n := run("2027-03-07"); n != 0 || reminders(anna) != 0 {
		t.Fatalf("8 days before: %d sent, %d notices", n, reminders(anna))
	}
	if n := run("2027-03-08"); n != 1 || reminders(anna) != 1 {
		t.Fatalf("7 days before: %d sent, %d notices", n, reminders(anna))
	}
	if n := run("2027-03-08"); n != 0 || reminders(anna) != 1 {
		t.Fatalf("rerun the same day: %d sent, %d notices", n, reminders(anna))
	}
	// A crash after the notice, before its record: the next run records it and tells nothing.
	if _, err := a.DB.NewDelete().Model((*funding.ReminderSent)(nil)).Where("1 = 1").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if n := run("2027-03-09"); n != 1 || reminders(anna) != 1 {
		t.Fatalf("after a crash: %d sent, %d notices", n, reminders(anna))
	}
	if n := count(t, a.DB, "SELECT count(*) FROM funding_reminders_sent"); n != 1 {
		t.Errorf("%d reminders recorded, want 1", n)
	}
	if reminders(bruno) != 0 {
		t.Errorf("the bulletin-only follower got %d bell reminders", reminders(bruno))
	}
	mails := smtp.WaitFor(t, 1, 10*time.Second)
	var toAnna int
	for _, m := range mails {
		if strings.Contains(strings.Join(m.To, ","), "anna@example.it") && strings.Contains(m.Text, "/bandi/efficienza-energetica-degli-edifici-pubblici") {
			toAnna++
		}
	}
	if toAnna != 1 {
		t.Errorf("%d reminder e-mails to Anna, want 1: %+v", toAnna, mails)
	}
	// The job itself, through the queue, on the second deadline's window.
	at(s, "2027-05-25", "07:00")
	if err := a.Jobs.Enqueue(ctx, a.DB, funding.RemindersArgs{}); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, a)
	if reminders(anna) != 2 {
		t.Errorf("after the job on the second stage's window: %d reminders, want 2", reminders(anna))
	}
}

// TestBulletinListsNewAndClosingCalls: the weekly job queues one bulletin per bulletin
// follower with something to say, once per week however often it runs, and its e-mail lists
// the calls published in the week and the deadlines of the next two weeks.
func TestBulletinListsNewAndClosingCalls(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	a := apptest.New(t, apptest.NoContent, withSMTP(smtp))
	ctx := context.Background()
	s := a.Funding
	at(s, "2027-04-08", "10:00")
	importSample(t, a) // both published on 8 April
	bruno := login(t, a, "BRNBRN80A01F205", "Bruno")
	if _, err := s.Subscribe(ctx, bruno, funding.SubscriptionForm{Topics: []string{"energia", "biodiversità"}, Channel: funding.ChannelBulletin}); err != nil {
		t.Fatal(err)
	}
	at(s, "2027-04-12", "07:00") // a Monday
	for range 2 {
		if err := a.Jobs.Enqueue(ctx, a.DB, funding.BulletinArgs{}); err != nil {
			t.Fatal(err)
		}
		apptest.Idle(t, a)
	}
	var bulletins []mailtest.Captured
	for _, m := range smtp.WaitFor(t, 1, 10*time.Second) {
		if strings.Contains(m.Subject, "bollettino") || strings.Contains(m.Subject, "bulletin") {
			bulletins = append(bulletins, m)
		}
	}
	if len(bulletins) != 1 {
		t.Fatalf("%d bulletins, want 1", len(bulletins))
	}
	b := bulletins[0]
	if !strings.Contains(b.Subject, "2027-W15") {
		t.Errorf("subject %q", b.Subject)
	}
	fresh, closing, _ := strings.Cut(b.Text, "Scadenze delle prossime due settimane")
	if !strings.Contains(fresh, "Efficienza energetica degli edifici pubblici") || !strings.Contains(fresh, "Natura e biodiversità") {
		t.Errorf("new calls missing from the bulletin:\n%s", b.Text)
	}
	if !strings.Contains(closing, "2027-04-20: Natura e biodiversità") || strings.Contains(closing, "Efficienza") {
		t.Errorf("closing calls wrong in the bulletin:\n%s", b.Text)
	}
	if n := count(t, a.DB, "SELECT count(*) FROM funding_bulletins_sent WHERE week = '2027-W15'"); n != 1 {
		t.Errorf("%d bulletins recorded", n)
	}
}

// TestFeedParsesBack: the iCalendar feed, read back with the library, has one event per
// deadline of the published calls the filter selects: a timed deadline in Europe/Rome, a
// whole-day one as a date, the same UIDs on every fetch.
func TestFeedParsesBack(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.NoContent)
	at(s.Funding, "2027-01-05", "09:00")
	fetch := func(path string) map[string]*ics.VEvent {
		t.Helper()
		res, body := s.Get(t, path)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
			t.Fatalf("%s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		cal, err := ics.ParseCalendar(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]*ics.VEvent{}
		for _, ev := range cal.Events() {
			out[ev.Id()] = ev
		}
		return out
	}
	if none := fetch("/bandi.ics"); len(none) != 0 {
		t.Fatalf("%d events before any call", len(none))
	}
	importSample(t, s.App)
	all := fetch("/bandi.ics")
	if len(all) != 3 {
		t.Fatalf("%d events, want 3", len(all))
	}
	var timed, allDay int
	for _, ev := range all {
		start := ev.GetProperty(ics.ComponentPropertyDtStart)
		switch {
		case start.ICalParameters["TZID"] != nil:
			if start.ICalParameters["TZID"][0] != "Europe/Rome" || start.Value != "20270315T120000" {
				t.Errorf("timed start %+v", start)
			}
			got, err := ev.GetStartAt()
			if err != nil || !got.Equal(time.Date(2027, 3, 15, 11, 0, 0, 0, time.UTC)) {
				t.Errorf("timed start read back as %v %v", got, err)
			}
			timed++
		case start.ICalParameters["VALUE"] != nil && start.ICalParameters["VALUE"][0] == "DATE":
			allDay++
		default:
			t.Errorf("start neither zoned nor a date: %+v", start)
		}
		if !strings.HasSuffix(ev.Id(), "@127.0.0.1") || !strings.HasPrefix(ev.Id(), "deadline-") {
			t.Errorf("UID %q", ev.Id())
		}
	}
	if timed != 1 || allDay != 2 {
		t.Errorf("%d timed, %d whole-day events", timed, allDay)
	}
	again := fetch("/bandi.ics")
	for id := range all {
		if again[id] == nil {
			t.Errorf("UID %s gone on the second fetch", id)
		}
	}
	energy := fetch("/bandi.ics?tema=energia")
	if len(energy) != 2 {
		t.Errorf("%d events for the topic energia, want 2", len(energy))
	}
	for _, ev := range energy {
		if !strings.Contains(ev.GetProperty(ics.ComponentPropertySummary).Value, "Efficienza") {
			t.Errorf("another call's deadline in the topic's feed: %s", ev.GetProperty(ics.ComponentPropertySummary).Value)
		}
	}
	if res, _ := s.Get(t, "/bandi.ics?tema=nessuno"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown topic: %d", res.StatusCode)
	}
	// an unpublished call leaves the feed
	c, _ := s.Funding.Published(context.Background(), "natura-e-biodiversita")
	if err := s.Funding.SetPublished(context.Background(), funding.Actor{}, c.ID, false); err != nil {
		t.Fatal(err)
	}
	if got := fetch("/bandi.ics"); len(got) != 2 {
		t.Errorf("%d events after withdrawing a call, want 2", len(got))
	}
	if res, _ := s.Get(t, "/bandi/natura-e-biodiversita"); res.StatusCode != http.StatusNotFound {
		t.Errorf("withdrawn call's page: %d", res.StatusCode)
	}
}

// TestPublishedCallsInSiteSearch: a published call is found by the site search, anonymously;
// withdrawn, it is not.
func TestPublishedCallsInSiteSearch(t *testing.T) {
	t.Parallel()
	a := apptest.New(t, apptest.NoContent)
	ctx := context.Background()
	at(a.Funding, "2027-01-05", "09:00")
	importSample(t, a)
	apptest.Idle(t, a)
	found := func() bool {
		res, err := a.Search.Search(ctx, nil, search.Query{Text: "biodiversità"})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range res.Items {
			if it.Type == funding.TypeCall && it.URL == "/bandi/natura-e-biodiversita" {
				return true
			}
		}
		return false
	}
	if !found() {
		t.Fatal("the published call is not found")
	}
	c, _ := a.Funding.Published(ctx, "natura-e-biodiversita")
	if err := a.Funding.SetPublished(ctx, funding.Actor{}, c.ID, false); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, a)
	if found() {
		t.Error("a withdrawn call is still found")
	}
	if missing, extra, err := a.Search.Drift(ctx); err != nil || len(missing)+len(extra) != 0 {
		t.Errorf("drift: missing %v extra %v %v", missing, extra, err)
	}
}

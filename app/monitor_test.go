package app_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/content"
	"passhub/app/identity"
	"passhub/app/jobs"
	"passhub/app/monitor"
)

// staffWith logs in a staff member holding a global role and returns the session cookie and id.
func staffWith(t *testing.T, s *apptest.Server, first15, name, role string) (string, int64) {
	t.Helper()
	cookie := s.Login(t, apptest.FiscalCode(first15), name, "Test")
	id := userOf(t, s, cookie)
	if err := s.Identity.Grant(context.Background(), identity.Actor{Name: "test"}, id, role, ""); err != nil {
		t.Fatal(err)
	}
	return cookie, id
}

// reportRows counts the rows of a table that name the report of 2026-S1.
func countRows(t *testing.T, s *apptest.Server, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB.NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMonitoringReport generates the report of 2026-S1 over the seeded requests: one draft entry
// of type report with the period's figures by the public rule (counts under 3 written "< 3", no
// duration over fewer than 3 requests), open for a publisher in the newsroom and in their bell;
// generating again changes nothing, neither after an editor's change nor after publication.
func TestMonitoringReport(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	seedStats(t, s)
	ctx := context.Background()
	publisher, publisherID := staffWith(t, s, "CPRCPR80A01F205", "Capo", identity.RolePublisher)
	_, editorID := staffWith(t, s, "RDTRDT80A01F205", "Redattore", identity.RoleEditor)
	rome, _ := time.LoadLocation("Europe/Rome")
	s.Monitor.SetClock(func() time.Time { return time.Date(2026, 7, 1, 6, 0, 0, 0, rome) })
	sem := monitor.Semester{Year: 2026, Half: 1}
	s.TakeEvents()

	res, err := s.Monitor.Generate(ctx, sem)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.Slug != "monitoraggio-2026-primo-semestre" || res.State != content.StateDraft {
		t.Fatalf("generated %+v", res)
	}
	w, err := s.Content.Work(ctx, content.TypeReport, res.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.History) != 1 || w.Head.State != content.StateDraft || w.Head.Author != monitor.Author || w.Head.AuthorID != 0 ||
		w.Entry.PublishedRevisionID != 0 {
		t.Errorf("entry %+v, head %+v, %d revisions", w.Entry, w.Head, len(w.History))
	}
	if f := w.Doc.Front; f.Title != "Report di monitoraggio – primo semestre 2026" || f.Date.Format("2006-01-02") != "2026-07-01" ||
		!strings.Contains(f.Summary, "dal 1° gennaio 2026 al 30 giugno 2026") {
		t.Errorf("front matter %+v", f)
	}
	body := w.Doc.Body
	if testing.Verbose() {
		t.Log(body)
	}
	for _, want := range []string{
		"**Da completare a cura della redazione.**",
		"| Richieste in carico agli esperti all'inizio del semestre | < 3 |", // none
		"| Richieste presentate | 4 |",
		"| Richieste assegnate agli esperti | 3 |",
		"| Richieste concluse | < 3 |", // 2 concluded
		"| Richieste respinte | < 3 |", // 1 rejected
		"| Richieste ritirate dagli enti | < 3 |",
		"| Richieste in carico agli esperti alla fine del semestre | < 3 |", // C
		"mediana | dato non disponibile (meno di 3 richieste concluse) |",   // 12 and 30 days: two requests only
		"90° percentile | dato non disponibile (meno di 3 richieste concluse) |",
		"| Inviata | 4 | 2 | 5 |",                       // 2, 1, 5 and 2 days in submitted
		"| In attesa dell'ente | < 3 | n. d. | n. d. |", // one stay of 5 days
		"(VA) | 4 | < 3 | < 3 | n. d. |",
		"| gennaio 2026 | 3 | < 3 | < 3 | < 3 |",
		"| febbraio 2026 | < 3 | < 3 | < 3 | < 3 |",
		"| giugno 2026 | < 3 | < 3 | < 3 | < 3 |",
		// the answers of A and D on 2 March: two requests, so no figure before → after
		"| Alla conclusione dell'intervento | < 3 | < 3 | dato non disponibile | dato non disponibile |",
		"| Sei mesi dopo la conclusione | < 3 | < 3 | dato non disponibile | dato non disponibile |",
		"](/dati?da=2026-01&a=2026-06)",
		"](/dati/richieste-per-mese.csv?da=2026-01&a=2026-06)",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the body lacks %q:\n%s", want, body)
		}
	}
	// Every link of the report to /dati answers, the datasets as CSV.
	links := regexp.MustCompile(`\]\((/dati[^)]*)\)`).FindAllStringSubmatch(body, -1)
	if len(links) != 1+len(monitor.Datasets) {
		t.Errorf("%d links to /dati, want %d", len(links), 1+len(monitor.Datasets))
	}
	for _, l := range links {
		res, _ := s.Get(t, l[1])
		if res.StatusCode != 200 || (strings.Contains(l[1], ".csv") && !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv")) {
			t.Errorf("the report's link %s: %d %s", l[1], res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	for _, leak := range []string{"| 12 |", "| 30 |", "luglio 2026 |", "50 → 19", "Esito sull'arretrato: dato non disponibile"} {
		if strings.Contains(body, leak) {
			t.Errorf("the body has %q", leak)
		}
	}
	if n := countRows(t, s, "SELECT COUNT(*) FROM audit_entries WHERE action = 'content.save' AND actor = ? AND object_id = ?",
		monitor.Author, w.Entry.ID); n != 1 {
		t.Errorf("%d audit entries of the save", n)
	}
	if ev := s.TakeEvents(); !contains(ev, "monitor.report_drafted") {
		t.Errorf("events %v", ev)
	}
	apptest.Idle(t, s.App)
	desk := "/redazione/contenuti/report/monitoraggio-2026-primo-semestre"
	notices := "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = 'content.report_drafted' AND url = ?"
	if n := countRows(t, s, notices, publisherID, desk); n != 1 {
		t.Errorf("the publisher has %d notifications of the draft", n)
	}
	if n := countRows(t, s, "SELECT COUNT(*) FROM notifications WHERE user_id = ?", editorID); n != 0 {
		t.Errorf("the editor has %d notifications", n)
	}
	apptest.RunScenarios(t, s, []apptest.Scenario{
		{Name: "the draft opens in the newsroom", As: publisher, Path: desk, Status: http.StatusOK,
			Text: []string{"Report di monitoraggio – primo semestre 2026", monitor.Author},
			Has:  map[string]string{"textarea[name=body]": "Da completare a cura della redazione"}},
		{Name: "the bell names it", As: publisher, Path: "/area-riservata/notifiche", Status: http.StatusOK,
			Text: []string{"Report di monitoraggio – primo semestre 2026"}},
		{Name: "not public while a draft", Path: "/report/monitoraggio-2026-primo-semestre", Status: http.StatusNotFound},
	})

	// Again: nothing.
	again, err := s.Monitor.Generate(ctx, sem)
	if err != nil || again.Created || again.Slug != res.Slug || again.State != content.StateDraft {
		t.Fatalf("second generation %+v %v", again, err)
	}
	if w2, _ := s.Content.Work(ctx, content.TypeReport, res.Slug); len(w2.History) != 1 {
		t.Errorf("a second generation wrote a revision: %d", len(w2.History))
	}
	if ev := s.TakeEvents(); contains(ev, "monitor.report_drafted") {
		t.Errorf("a second generation recorded %v", ev)
	}

	// An editor completes it: a new generation leaves the editor's revision alone.
	edited := content.FormValues(w.Def, w.Doc)
	_, rev, err := s.Content.SaveDraft(ctx, content.Actor{UserID: editorID, Name: "Redattore Test"}, content.Draft{Type: content.TypeReport,
		Slug: res.Slug, Base: w.Head.ID, Fields: edited, Body: "## Introduzione\n\nIl semestre in breve, scritto dalla redazione.\n"})
	if err != nil {
		t.Fatal(err)
	}
	if again, err = s.Monitor.Generate(ctx, sem); err != nil || again.Created {
		t.Fatalf("generation after an edit %+v %v", again, err)
	}
	w3, err := s.Content.Work(ctx, content.TypeReport, res.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if w3.Head.ID != rev.ID || len(w3.History) != 2 || !strings.Contains(w3.Doc.Body, "scritto dalla redazione") {
		t.Errorf("the editor's revision was touched: head %d (want %d), %d revisions", w3.Head.ID, rev.ID, len(w3.History))
	}
	// Published: still nothing.
	if err := s.Content.Publish(ctx, content.Actor{UserID: publisherID, Name: "Capo Test", Publisher: true}, content.TypeReport, res.Slug, rev.ID); err != nil {
		t.Fatal(err)
	}
	if again, err = s.Monitor.Generate(ctx, sem); err != nil || again.Created || again.State != content.StatePublished {
		t.Fatalf("generation after publication %+v %v", again, err)
	}
	// The dataset by procedure went with it, kept through the editor's save, by the same rule.
	csvURL := "/report/monitoraggio-2026-primo-semestre/allegati/monitoraggio-2026-s1.csv"
	apptest.RunScenarios(t, s, []apptest.Scenario{
		{Name: "the published report links its dataset", Path: "/report/monitoraggio-2026-primo-semestre", Status: http.StatusOK,
			Has: map[string]string{`a[href="` + csvURL + `"]`: "Dati per procedura, primo semestre 2026"}},
	})
	res2, csvBody := s.Get(t, csvURL)
	if res2.StatusCode != http.StatusOK || !strings.HasPrefix(csvBody, "codice_procedura;procedura;task_force;in_carico_inizio;") {
		t.Fatalf("dataset: %d %q", res2.StatusCode, csvBody)
	}
	var va01 string
	for _, line := range strings.Split(csvBody, "\n") {
		if strings.HasPrefix(line, "VA-01;") {
			va01 = line
		}
	}
	// none in charge at the start; 4 filed, 1 rejected, 3 assigned, 2 concluded; C in charge at the end
	if !strings.HasSuffix(va01, ";VA;< 3;4;< 3;3;< 3;< 3;n. d.") {
		t.Errorf("VA-01's line %q in\n%s", va01, csvBody)
	}
	if n := countRows(t, s, "SELECT COUNT(*) FROM entries WHERE type = 'report' AND slug LIKE 'monitoraggio-2026-%'"); n != 1 {
		t.Errorf("%d report entries", n)
	}

	// A semester not over yet is refused; a bad name too.
	if _, err := s.Monitor.Generate(ctx, monitor.Semester{Year: 2026, Half: 2}); err == nil {
		t.Error("2026-S2 generated on 1 July 2026")
	}
	for _, bad := range []string{"2026-S3", "2026", "26-S1", "2026-H1"} {
		if _, err := monitor.ParseSemester(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// TestMonitoringReportJob runs the daily job with a clock set on 1 July 2026: it writes the report
// of 2026-S1 once, however many times it runs.
func TestMonitoringReportJob(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	seedStats(t, s)
	ctx := context.Background()
	_, publisherID := staffWith(t, s, "CPRCPR80A01F205", "Capo", identity.RolePublisher)
	rome, _ := time.LoadLocation("Europe/Rome")
	now := time.Date(2026, 7, 1, 6, 0, 0, 0, rome)
	s.Monitor.SetClock(func() time.Time { return now })
	if next := jobs.Daily(monitor.Hour).Next(time.Date(2026, 6, 30, 7, 0, 0, 0, rome)); !next.Equal(now) {
		t.Errorf("after 30 June 7:00 the job runs at %v", next)
	}
	for i := 0; i < 3; i++ {
		if err := s.Jobs.Enqueue(ctx, s.DB, monitor.Args{}); err != nil {
			t.Fatal(err)
		}
		apptest.Idle(t, s.App)
		now = now.Add(24 * time.Hour) // the next days: the report exists
	}
	if n := countRows(t, s, "SELECT COUNT(*) FROM entries WHERE type = 'report' AND slug LIKE 'monitoraggio-2026-%'"); n != 1 {
		t.Fatalf("%d report entries", n)
	}
	w, err := s.Content.Work(ctx, content.TypeReport, "monitoraggio-2026-primo-semestre")
	if err != nil {
		t.Fatal(err)
	}
	if len(w.History) != 1 || w.Head.State != content.StateDraft || !strings.Contains(w.Doc.Body, "| Richieste presentate | 4 |") {
		t.Errorf("%d revisions, head %s", len(w.History), w.Head.State)
	}
	if n := countRows(t, s, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = 'content.report_drafted'", publisherID); n != 1 {
		t.Errorf("the publisher has %d notifications", n)
	}
	if n := countRows(t, s, "SELECT COUNT(*) FROM river_job WHERE kind = 'monitor.report' AND state <> 'completed'"); n != 0 {
		t.Errorf("%d report jobs not completed", n)
	}
}

// TestMonitoringReportOnceAtOnce runs four generations of one semester at the same time (the
// job on one instance, the command on another): one writes the draft, the others find it.
func TestMonitoringReportOnceAtOnce(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ctx := context.Background()
	sem := monitor.Semester{Year: 2026, Half: 1}
	var wg sync.WaitGroup
	results := make([]monitor.Result, 4)
	errs := make([]error, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = s.Monitor.Generate(ctx, sem)
		}()
	}
	wg.Wait()
	created := 0
	for i, r := range results {
		if errs[i] != nil {
			t.Errorf("generation %d: %v", i, errs[i])
		}
		if r.Created {
			created++
		}
		if r.Slug != "monitoraggio-2026-primo-semestre" || r.State != content.StateDraft {
			t.Errorf("generation %d: %+v", i, r)
		}
	}
	if created != 1 {
		t.Errorf("%d generations wrote the draft", created)
	}
	if n := countRows(t, s, "SELECT COUNT(*) FROM revisions r JOIN entries e ON e.id = r.entry_id WHERE e.type = 'report' AND e.slug = ?",
		sem.Slug()); n != 1 {
		t.Errorf("%d revisions", n)
	}
}

package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apptest"
	"passhub/app/extract"
	"passhub/app/extract/extracttest"
	"passhub/app/request"
)

// The tests of this file stay serial (no t.Parallel): they hold answers to short time limits,
// which the load of parallel tests would make flaky.

// TestHostilePDFDoesNotHoldTheIndex: a document whose PDF sends the reader into an endless loop
// is indexed by its name once the extraction's time limit kills the reader; the index jobs
// complete (none left retrying), and a normal PDF uploaded beside it is found by its text.
func TestHostilePDFDoesNotHoldTheIndex(t *testing.T) {
	s := apptest.Start(t)
	s.Search.Extractor = extract.New(extract.Limits{CPU: time.Second, Timeout: 2 * time.Second}, nil)
	ctx := context.Background()
	cookie := s.Login(t, apptest.FiscalCode("RSSMRA80A01F205"), "Mario", "Rossi")
	who, err := s.Identity.Authenticate(ctx, strings.TrimPrefix(strings.Split(cookie, ";")[0], "pass_session="))
	if err != nil {
		t.Fatal(err)
	}
	e := apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", who.User.ID)
	mayor := request.Actor{UserID: who.User.ID, Name: "Mario Rossi"}
	r, err := s.Requests.File(ctx, mayor, e.ID, request.Form{ProcedureCode: "BON-01", Title: "Bonifica dell'ex cava",
		Description: "Area da caratterizzare.", DesiredOutcome: "Piano approvato."}, true)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	if _, err := s.Workspace.Upload(ctx, mayor, r, false, 0, "verbale-ostile.pdf", extracttest.LoopingXref(), false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Workspace.Upload(ctx, mayor, r, false, 0, "delibera.pdf", extracttest.TextPDF("Delibera sulla piezometria lacustre"), false); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	apptest.Idle(t, s.App) // before the reader was bounded, this never returned
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("the index jobs took %v", took)
	}
	var states []string
	if err := s.DB.NewSelect().Table("river_job").Column("state").Where("kind = ?", "search.index").Scan(ctx, &states); err != nil {
		t.Fatal(err)
	}
	for _, st := range states {
		if st != "completed" {
			t.Errorf("a search.index job is %s", st)
		}
	}
	for q, want := range map[string]string{"verbale": "verbale-ostile.pdf", "piezometria": "delibera.pdf"} {
		_, body := s.Get(t, "/cerca?q="+q+"&tipo=document", "Cookie", cookie)
		found := false
		parse(t, body).Find("li.pass-hit h3 a").Each(func(_ int, a *goquery.Selection) {
			found = found || strings.Contains(a.Text(), want)
		})
		if !found {
			t.Errorf("%q does not find %s: %s", q, want, parse(t, body).Find("main").Text())
		}
	}
}

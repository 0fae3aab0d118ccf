package app_test

import (
	"context"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/identity"
	"passhub/app/request"
	"passhub/app/workspace"
)

// statsSeed is a set of requests whose times are known, for the statistics' tests.
type statsSeed struct {
	Mayor, PM, Expert string // session cookies
	MayorID, ExpertID int64
	EnteID            int64
	Requests          map[string]int64 // by letter
}

func (c *clock) set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// day is 10:00 in Rome on a day of 2026.
func day(month time.Month, d int) time.Time {
	rome, _ := time.LoadLocation("Europe/Rome")
	return time.Date(2026, month, d, 10, 0, 0, 0, rome)
}

// seedStats files, in the ente of Cantù (province CO), task force VA, procedure VA-01:
//
//	A filed 5 Jan, assigned 7 Jan, started 8 Jan (activity of 90 min), integration asked 9 Jan and
//	  answered 14 Jan, concluded 4 Feb (30 days);
//	B filed 15 Jan, rejected 16 Jan;
//	C filed 25 Jan, assigned 30 Jan, still assigned;
//	D filed 1 Feb, assigned 3 Feb, started 3 Feb (meeting, 60 min), concluded 13 Feb (12 days);
//	E a draft never submitted.
//
// A and D stated a backlog of 40 and 10 pending cases and 200 and 100 average days at filing; on
// 2 March the ente answered the outcome of A (15 pending, 120 days) and of D (4 pending, days
// unknown).
func seedStats(t *testing.T, s *apptest.Server) statsSeed {
	t.Helper()
	ctx := context.Background()
	c := &clock{now: day(1, 5)}
	s.Requests.SetClock(c.Now)
	s.Workspace.SetClock(c.Now)
	seed := statsSeed{Requests: map[string]int64{}}
	seed.Mayor = s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	seed.MayorID = userOf(t, s, seed.Mayor)
	seed.PM = s.Login(t, apptest.FiscalCode("PMAPMA80A01F205"), "Paola", "Manager")
	pmID := userOf(t, s, seed.PM)
	seed.Expert = s.Login(t, apptest.FiscalCode("SPRSPR80A01F205"), "Elena", "Esperta")
	seed.ExpertID = userOf(t, s, seed.Expert)
	if err := s.Identity.Grant(ctx, identity.Actor{}, pmID, "pm", "VA"); err != nil {
		t.Fatal(err)
	}
	if err := s.Identity.Grant(ctx, identity.Actor{}, seed.ExpertID, "expert", "VA"); err != nil {
		t.Fatal(err)
	}
	cantu := apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", seed.MayorID)
	seed.EnteID = cantu.ID
	mayor, pm, expert := request.Actor{UserID: seed.MayorID, Name: "Mario Rossi"}, request.Actor{UserID: pmID, Name: "Paola Manager"},
		request.Actor{UserID: seed.ExpertID, Name: "Elena Esperta"}
	must := func(r *request.Request, err error) *request.Request {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	file := func(letter string, at time.Time, pending, days int, submit bool) *request.Request {
		c.set(at)
		r := must(s.Requests.File(ctx, mayor, cantu.ID, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA " + letter,
			Description: "Quaranta istanze in attesa da mesi.", DesiredOutcome: "Tempi medi sotto i 150 giorni.",
			BacklogPending: pending, BacklogAvgDays: days}, submit))
		seed.Requests[letter] = r.ID
		return r
	}
	activity := func(r *request.Request, at time.Time, kind string, minutes int) {
		c.set(at)
		r = must(s.Requests.Get(ctx, r.ID))
		if _, err := s.Workspace.LogActivity(ctx, expert, r, workspace.Activity{Kind: kind, OnDate: at, Minutes: minutes,
			Description: "Analisi delle istanze in arretrato"}); err != nil {
			t.Fatal(err)
		}
	}
	at := func(tm time.Time) { c.set(tm) }

	a := file("A", day(1, 5), 40, 200, true)
	at(day(1, 7))
	must(s.Requests.Assign(ctx, pm, a.ID, []int64{seed.ExpertID}))
	activity(a, day(1, 8), "analysis", 90)
	at(day(1, 9))
	must(s.Requests.AskIntegration(ctx, expert, a.ID, []string{"Elenco delle istanze"}, "", day(1, 20)))
	ints, err := s.Requests.Integrations(ctx, a.ID)
	if err != nil || len(ints) != 1 {
		t.Fatal(ints, err)
	}
	at(day(1, 14))
	must(s.Requests.AnswerIntegration(ctx, mayor, a.ID, ints[0].ID, "Elenco allegato"))
	at(day(2, 4))
	must(s.Requests.Conclude(ctx, expert, a.ID, "Istruttoria completata con le istanze smaltite."))

	b := file("B", day(1, 15), 0, 0, true)
	at(day(1, 16))
	must(s.Requests.Reject(ctx, pm, b.ID, "Non è una procedura complessa"))

	cReq := file("C", day(1, 25), 0, 0, true)
	at(day(1, 30))
	must(s.Requests.Assign(ctx, pm, cReq.ID, []int64{seed.ExpertID}))

	d := file("D", day(2, 1), 10, 100, true)
	at(day(2, 3))
	must(s.Requests.Assign(ctx, pm, d.ID, []int64{seed.ExpertID}))
	activity(d, day(2, 3), "meeting", 60)
	at(day(2, 13))
	must(s.Requests.Conclude(ctx, expert, d.ID, "Istruttoria completata con le istanze smaltite."))

	file("E", day(2, 20), 5, 5, false)
	apptest.Idle(t, s.App) // the enti are asked for the outcome of A and D
	ptr := func(n int) *int { return &n }
	at(day(3, 2))
	if _, err := s.Requests.AnswerOutcome(ctx, mayor, a.ID, "concluded", request.Answer{BacklogPending: ptr(15), BacklogAvgDays: ptr(120)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Requests.AnswerOutcome(ctx, mayor, d.ID, "concluded", request.Answer{BacklogPending: ptr(4)}); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	return seed
}

package apptest

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"passhub/app/db"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/app/request"
	"passhub/app/workspace"
)

// Filing is a request to file for the statistics' tests: the comune that files it, the
// procedure, when it is filed and what becomes of it (a zero time: the step never happens).
type Filing struct {
	ISTAT, Comune, Province string
	Procedure               string // a code of the catalogue: "VA-01"
	Filed                   time.Time
	Assigned, Started       time.Time // started: the experts' first activity
	Concluded, Rejected     time.Time
	Pending, AvgDays        int // the backlog stated at filing
}

type fixedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fixedClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fixedClock) set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// FileRequests registers the comuni (each with a mayor of its own), a PM and an expert on every
// task force, and files and moves the requests at their times; it waits for the listeners and
// returns the requests' ids in the order of the filings. The services' clocks stay at the last step.
func FileRequests(t testing.TB, s *Server, filings []Filing) []int64 {
	t.Helper()
	ctx := context.Background()
	c := &fixedClock{now: time.Now()}
	s.Requests.SetClock(c.Now)
	s.Workspace.SetClock(c.Now)
	userOf := func(cookie string) int64 {
		v, err := s.Identity.Authenticate(ctx, cookieValue(cookie))
		if err != nil {
			t.Fatal(err)
		}
		return v.User.ID
	}
	pmID := userOf(s.Login(t, FiscalCode("PMFPMF80A01F205"), "Piera", "Manager"))
	expertID := userOf(s.Login(t, FiscalCode("SPFSPF80A01F205"), "Ettore", "Esperto"))
	tfs, err := s.Catalogue.Catalogue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tf := range tfs {
		for _, role := range []string{"pm", "expert"} {
			id := pmID
			if role == "expert" {
				id = expertID
			}
			if err := s.Identity.Grant(ctx, identity.Actor{}, id, role, tf.Code); err != nil && !errors.Is(err, db.ErrConflict) { // granted by an earlier call
				t.Fatal(err)
			}
		}
	}
	enti := map[string]*ente.Ente{}
	mayors := map[string]request.Actor{}
	pm, expert := request.Actor{UserID: pmID, Name: "Piera Manager"}, request.Actor{UserID: expertID, Name: "Ettore Esperto"}
	must := func(r *request.Request, err error) *request.Request {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	var ids []int64
	for i, f := range filings {
		e := enti[f.ISTAT]
		if e == nil {
			mayor := MayorOf(t, s, f.ISTAT, f.Comune).UserID
			if found, err := s.Enti.ByISTAT(ctx, f.ISTAT); err == nil && found.Status == ente.StatusApproved {
				e = found // registered by an earlier call, with the same mayor
			} else {
				e = ApprovedEnte(t, s.App, f.ISTAT, f.Comune, f.Province, mayor)
			}
			enti[f.ISTAT] = e
			mayors[f.ISTAT] = request.Actor{UserID: mayor, Name: "Sindaco " + f.Comune}
		}
		c.set(f.Filed)
		r := must(s.Requests.File(ctx, mayors[f.ISTAT], e.ID, request.Form{ProcedureCode: f.Procedure,
			Title: "Richiesta " + strconv.Itoa(i+1), Description: "Istanze in attesa da mesi, un solo istruttore.",
			DesiredOutcome: "Tempi medi più brevi.", BacklogPending: f.Pending, BacklogAvgDays: f.AvgDays}, true))
		ids = append(ids, r.ID)
		if !f.Rejected.IsZero() {
			c.set(f.Rejected)
			must(s.Requests.Reject(ctx, pm, r.ID, "Non è una procedura complessa"))
			continue
		}
		if f.Assigned.IsZero() {
			continue
		}
		c.set(f.Assigned)
		must(s.Requests.Assign(ctx, pm, r.ID, []int64{expertID}))
		if f.Started.IsZero() {
			continue
		}
		c.set(f.Started)
		r = must(s.Requests.Get(ctx, r.ID))
		if _, err := s.Workspace.LogActivity(ctx, workspace.Actor{UserID: expertID, Name: expert.Name}, r, workspace.Activity{Kind: "analysis",
			OnDate: f.Started, Minutes: 60, Description: "Analisi delle istanze"}); err != nil {
			t.Fatal(err)
		}
		if !f.Concluded.IsZero() {
			c.set(f.Concluded)
			must(s.Requests.Conclude(ctx, expert, r.ID, "Istruttoria completata con le istanze smaltite."))
		}
	}
	Idle(t, s.App)
	return ids
}

// cookieValue is the session token of a Login answer.
func cookieValue(cookie string) string {
	for _, part := range strings.Split(cookie, ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "pass_session="); ok {
			return v
		}
	}
	return ""
}

// MayorOf logs in the mayor FileRequests gives the comune with that ISTAT code (one per comune,
// by the code's last three digits) and returns them as an actor.
func MayorOf(t testing.TB, s *Server, istat, comune string) request.Actor {
	t.Helper()
	code := "MYR"
	for _, d := range istat[len(istat)-3:] {
		code += string('A' + (d-'0')%10)
	}
	v, err := s.Identity.Authenticate(context.Background(), cookieValue(s.Login(t, FiscalCode(code+"80A01F205"), "Sindaco", comune)))
	if err != nil {
		t.Fatal(err)
	}
	return request.Actor{UserID: v.User.ID, Name: "Sindaco " + comune}
}

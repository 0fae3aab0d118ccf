package request_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/auth"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/app/request"
)

type world struct {
	a                       *app.App
	ctx                     context.Context
	enteID                  int64
	member, pm, e1, e2, bon request.Actor
}

func user(t *testing.T, a *app.App, first15, name string) request.Actor {
	t.Helper()
	u, _, err := a.Identity.Login(context.Background(), auth.Identity{FiscalCode: apptest.FiscalCode(first15), Name: name, FamilyName: "Test", Method: "spid", Level: 2}, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	return request.Actor{UserID: u.ID, Name: name}
}

func setup(t *testing.T) *world {
	t.Helper()
	a := apptest.New(t)
	ctx := context.Background()
	w := &world{a: a, ctx: ctx}
	if _, err := a.Enti.Import(ctx, []ente.Ente{{ISTAT: "013041", Name: "Cantù", Kind: ente.KindComune, Province: "CO"}}); err != nil {
		t.Fatal(err)
	}
	e, _ := a.Enti.ByISTAT(ctx, "013041")
	w.enteID = e.ID
	w.member = user(t, a, "RSSMRA80A01F205", "Mario")
	w.pm, w.e1, w.e2, w.bon = user(t, a, "PMPMPM80A01F205", "Piera"), user(t, a, "SPRSPR80A01F205", "Luca"), user(t, a, "SPRSPR81A01F205", "Sara"), user(t, a, "SPRSPR82A01F205", "Bruno")
	for who, r := range map[int64][2]string{w.pm.UserID: {"pm", "VA"}, w.e1.UserID: {"expert", "VA"}, w.e2.UserID: {"expert", "VA"}, w.bon.UserID: {"expert", "BON"}} {
		if err := a.Identity.Grant(ctx, identity.Actor{}, who, r[0], r[1]); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func form() request.Form {
	return request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA impianto logistico", Description: "Abbiamo 40 istanze VIA in attesa da oltre sei mesi e un solo istruttore.",
		BacklogPending: 40, BacklogAvgDays: 210, Bottleneck: "Conferenza di servizi", DesiredOutcome: "Ridurre i tempi medi sotto i 150 giorni."}
}

func TestLifecycle(t *testing.T) {
	t.Parallel()
	w := setup(t)
	s := w.a.Requests
	r, err := s.File(w.ctx, w.member, w.enteID, form(), false)
	if err != nil || r.State != request.Draft {
		t.Fatalf("file: %+v %v", r, err)
	}
	if _, err := s.Assign(w.ctx, w.pm, r.ID, []int64{w.e1.UserID}); !errors.Is(err, request.ErrStale) {
		t.Errorf("assigning a draft: %v", err)
	}
	if r, err = s.Submit(w.ctx, w.member, r.ID); err != nil || r.State != request.Submitted || r.SubmittedAt.IsZero() {
		t.Fatalf("submit: %+v %v", r, err)
	}
	if _, err := s.Assign(w.ctx, w.pm, r.ID, []int64{w.e1.UserID, w.bon.UserID}); !errors.Is(err, request.ErrNotExpert) {
		t.Errorf("an expert of another task force assigned: %v", err)
	}
	if r, err = s.Assign(w.ctx, w.pm, r.ID, []int64{w.e1.UserID, w.e2.UserID, w.e1.UserID}); err != nil || r.State != request.Assigned || len(r.Experts) != 2 {
		t.Fatalf("assign: %+v %v", r, err)
	}
	if _, err := s.Reject(w.ctx, w.pm, r.ID, "troppo tardi"); !errors.Is(err, request.ErrStale) {
		t.Errorf("rejecting an assigned request (stale form): %v", err)
	}
	due := time.Now().Add(7 * 24 * time.Hour)
	if _, err := s.AskIntegration(w.ctx, w.e1, r.ID, []string{" ", ""}, "", due); err == nil {
		t.Error("integration without items accepted")
	}
	if r, err = s.AskIntegration(w.ctx, w.e1, r.ID, []string{"Elenco delle istanze pendenti", "Organigramma dell'ufficio"}, "Entro una settimana", due); err != nil || r.State != request.Waiting {
		t.Fatalf("integration: %+v %v", r, err)
	}
	ints, _ := s.Integrations(w.ctx, r.ID)
	if len(ints) != 1 || len(ints[0].Items) != 2 || !ints[0].Open() {
		t.Fatalf("integrations %+v", ints)
	}
	if r, err = s.AnswerIntegration(w.ctx, w.member, r.ID, ints[0].ID, "Allegati i documenti richiesti."); err != nil || r.State != request.InProgress {
		t.Fatalf("answer: %+v %v", r, err)
	}
	if _, err := s.AnswerIntegration(w.ctx, w.member, r.ID, ints[0].ID, "di nuovo"); !errors.Is(err, request.ErrStale) {
		t.Errorf("answering twice: %v", err)
	}
	if _, err := s.Conclude(w.ctx, w.e1, r.ID, "breve"); err == nil {
		t.Error("conclusion without a real summary accepted")
	}
	if r, err = s.Conclude(w.ctx, w.e1, r.ID, "Ridotto l'arretrato del 60% con un modello di istruttoria condiviso."); err != nil || r.State != request.Concluded {
		t.Fatalf("conclude: %+v %v", r, err)
	}
	if _, err := s.Withdraw(w.ctx, w.member, r.ID); !errors.Is(err, request.ErrStale) {
		t.Errorf("withdrawing a concluded request: %v", err)
	}
	events, _ := s.Timeline(w.ctx, r.ID)
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	want := "created submitted assigned integration answered concluded"
	if got := join(kinds); got != want {
		t.Errorf("timeline %q, want %q", got, want)
	}
}

func join(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out
}

func TestFilingRules(t *testing.T) {
	t.Parallel()
	w := setup(t)
	s := w.a.Requests
	bad := form()
	bad.Title, bad.Description = "", "corta"
	var fe request.FieldErrors
	if _, err := s.File(w.ctx, w.member, w.enteID, bad, true); !errors.As(err, &fe) || fe["title"] == "" || fe["description"] == "" {
		t.Errorf("bad form: %v", err)
	}
	closed := form()
	closed.ProcedureCode = "RIN-03"
	if _, err := s.File(w.ctx, w.member, w.enteID, closed, true); !errors.Is(err, request.ErrNotAccepting) {
		t.Errorf("procedure not accepting requests: %v", err)
	}
	unknown := form()
	unknown.ProcedureCode = "XX-99"
	if _, err := s.File(w.ctx, w.member, w.enteID, unknown, true); !errors.As(err, &fe) {
		t.Errorf("unknown procedure: %v", err)
	}
	r, _ := s.File(w.ctx, w.member, w.enteID, form(), true)
	if r, err := s.Reject(w.ctx, w.pm, r.ID, "Fuori dalle linee guida del progetto."); err != nil || r.State != request.Rejected {
		t.Fatalf("reject: %v", err)
	}
	counts, _ := s.CountsByProcedure(w.ctx, w.enteID)
	if len(counts) != 1 {
		t.Errorf("counts %+v", counts)
	}
	wl, _ := s.Workloads(w.ctx, "VA")
	if len(wl) != 2 || wl[0].Open != 0 {
		t.Errorf("workloads %+v", wl)
	}
}

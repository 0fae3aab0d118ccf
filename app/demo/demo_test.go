package demo_test

import (
	"context"
	"testing"

	"passhub/app/apptest"
	"passhub/app/demo"
	"passhub/app/ente"
	"passhub/app/project"
	"passhub/app/request"
)

func TestSeedIsIdempotent(t *testing.T) {
	a := apptest.New(t)
	ctx := context.Background()
	apptest.DemoEnti(t, a)
	people := apptest.DemoPeople()[:5] // the expert joins later
	s := demo.Services{Identity: a.Identity, Enti: a.Enti}
	for i := 0; i < 2; i++ {
		if err := demo.Seed(ctx, s, people); err != nil {
			t.Fatalf("seed %d: %v", i+1, err)
		}
	}
	users, roles, err := a.Identity.Users(ctx, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]int64{}
	for _, u := range users {
		byName[u.Name] = u.ID
	}
	if r := roles[byName["Piera"]]; len(r) != 1 || r[0].Role != "pm" || r[0].TaskForce != "VA" {
		t.Errorf("pm roles %+v", r)
	}
	if r := roles[byName["Ada"]]; len(r) != 1 || r[0].Role != "admin" {
		t.Errorf("admin roles %+v", r)
	}
	for name, want := range map[string]string{"Mario": ente.LegalRep, "Giulia": ente.Delegate, "Paolo": ente.Delegate} {
		ms, _ := a.Enti.Memberships(ctx, byName[name])
		if len(ms) != 1 || ms[0].Role != want || !ms[0].Enabled || ms[0].Ente.Status != ente.StatusApproved {
			t.Errorf("%s memberships %+v", name, ms)
		}
	}
	regs, _ := a.Enti.Registrations(ctx, "")
	if len(regs) != 2 {
		t.Errorf("%d registrations after seeding twice, want 2", len(regs))
	}
	people = apptest.DemoPeople()
	if err := demo.Seed(ctx, s, people); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := demo.SeedRequests(ctx, s, demo.Requests{Requests: a.Requests, Workspace: a.Workspace}, people); err != nil {
			t.Fatalf("seed requests %d: %v", i+1, err)
		}
	}
	counts, err := a.Requests.Counts(ctx, request.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []request.State{request.Draft, request.Submitted, request.Rejected, request.Waiting, request.Concluded} {
		if counts[st] != 1 {
			t.Errorf("%d requests %s, want 1 (all: %v)", counts[st], st, counts)
		}
	}
	for i := 0; i < 2; i++ {
		if err := demo.SeedAreas(ctx, s, a.Areas, people); err != nil {
			t.Fatalf("seed areas %d: %v", i+1, err)
		}
	}
	areas, err := a.Areas.All(ctx)
	if err != nil || len(areas) != 1 {
		t.Fatalf("areas after seeding twice: %v %v", areas, err)
	}
	persons, err := a.Areas.People(ctx, areas[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	areaRoles := map[string]string{}
	for _, p := range persons {
		areaRoles[p.Name] = p.Role
	}
	if areaRoles["Giulia Bianchi"] != "member" || areaRoles["Mario Rossi"] != "member" || areaRoles["Luca Costa"] != "coordinator" || areaRoles["Piera Manzoni"] != "reader" || areaRoles["Paolo Neri"] != "" {
		t.Errorf("the demo area's people: %v", areaRoles)
	}
}

// TestSeedFundingIsIdempotent: the calls and the partner search are there once, however many
// times the demo is seeded, and the registered comune is suggested the search.
func TestSeedFundingIsIdempotent(t *testing.T) {
	a := apptest.New(t)
	ctx := context.Background()
	apptest.DemoEnti(t, a)
	people := apptest.DemoPeople()
	s := demo.Services{Identity: a.Identity, Enti: a.Enti}
	if err := demo.Seed(ctx, s, people); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := demo.SeedFunding(ctx, s, demo.Funding{Calls: a.Funding, Projects: a.Projects}, people); err != nil {
			t.Fatalf("seed %d: %v", i+1, err)
		}
	}
	calls, err := a.Funding.All(ctx, 100)
	if err != nil || len(calls) != 3 {
		t.Fatalf("%d calls, %v", len(calls), err)
	}
	sheets, n, err := a.Projects.List(ctx, project.Filter{Seeking: true})
	if err != nil || n != 1 {
		t.Fatalf("%d open searches, %v", n, err)
	}
	cantu, _ := a.Enti.ByISTAT(ctx, "013041")
	if ms, err := a.Projects.SuggestedSearches(ctx, []*ente.Ente{cantu}); err != nil || len(ms) != 1 {
		t.Errorf("Cantù is suggested %d searches, %v", len(ms), err)
	}
	if _, err := a.Projects.Answer(ctx, project.Actor{Name: "prova"}, sheets[0].ID, cantu.ID, "Ci interessa."); err != nil {
		t.Errorf("Cantù may not answer the demo search: %v", err)
	}
}

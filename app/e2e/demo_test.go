package e2e

import (
	"context"
	"testing"

	"passhub/app/apptest"
	"passhub/app/demo"
	"passhub/app/ente"
	"passhub/plugins/devidp"
)

// seedPersonas puts Cantù and Milano in the registry and binds the dev identity provider's
// personas to them and to their roles, as `make run` does; with requests true it also files the
// demo requests in every state.
func seedPersonas(t *testing.T, s *apptest.Server, requests bool) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013041", Name: "Cantù", Kind: ente.KindComune, Province: "CO"},
		{ISTAT: "015146", Name: "Milano", Kind: ente.KindComune, Province: "MI"}}); err != nil {
		t.Fatal(err)
	}
	var people []demo.Person
	for _, p := range devidp.Personas {
		people = append(people, demo.Person{Key: p.Key, FiscalCode: p.FiscalCode, Name: p.Name, FamilyName: p.FamilyName, Email: p.Email})
	}
	sv := demo.Services{Identity: s.Identity, Enti: s.Enti}
	if err := demo.Seed(ctx, sv, people); err != nil {
		t.Fatal(err)
	}
	if requests {
		if err := demo.SeedRequests(ctx, sv, demo.Requests{Requests: s.Requests, Workspace: s.Workspace}, people); err != nil {
			t.Fatal(err)
		}
	}
}

package workspace_test

import (
	"context"
	"testing"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/auth"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/app/request"
)

// filed returns a request for VA-01 that Mario Rossi filed for Cantù, and Mario as its actor.
func filed(t *testing.T, a *app.App) (*request.Request, request.Actor) {
	t.Helper()
	ctx := context.Background()
	if _, err := a.Enti.Import(ctx, []ente.Ente{{ISTAT: "013041", Name: "Cantù", Kind: ente.KindComune, Province: "CO"}}); err != nil {
		t.Fatal(err)
	}
	e, err := a.Enti.ByISTAT(ctx, "013041")
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := a.Identity.Login(ctx, auth.Identity{FiscalCode: apptest.FiscalCode("RSSMRA80A01F205"), Name: "Mario", FamilyName: "Rossi", Method: "spid", Level: 2}, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	who := request.Actor{UserID: u.ID, Name: "Mario Rossi"}
	r, err := a.Requests.File(ctx, who, e.ID, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA",
		Description: "Quaranta istanze in attesa da mesi, un solo istruttore.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
	if err != nil {
		t.Fatal(err)
	}
	return r, who
}

package demo_test

import (
	"context"
	"testing"

	"passhub/app/apptest"
	"passhub/app/demo"
	"passhub/app/ente"
)

// TestSeedCRM: the demo's province follows Cantù and Erba, its officer is the province's enabled
// delegate, and Cantù's record has its rows once, however often the demo is seeded.
func TestSeedCRM(t *testing.T) {
	a := apptest.New(t)
	ctx := context.Background()
	apptest.DemoEnti(t, a)
	if _, err := a.Enti.Import(ctx, []ente.Ente{{ISTAT: "013", Name: "Provincia di Como", Kind: ente.KindProvincia, Province: "CO"},
		{ISTAT: "013095", Name: "Erba", Kind: ente.KindComune, Province: "CO"}}); err != nil {
		t.Fatal(err)
	}
	people := append(apptest.DemoPeople(), demo.Person{Key: "funzionario-provincia", FiscalCode: apptest.FiscalCode("SLVMRT77C45C933"), Name: "Marta", FamilyName: "Salvi"})
	s := demo.Services{Identity: a.Identity, Enti: a.Enti}
	if err := demo.Seed(ctx, s, people); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := demo.SeedCRM(ctx, s, demo.CRM{Territory: a.Territory, CRM: a.CRM}, people); err != nil {
			t.Fatalf("seed %d: %v", i+1, err)
		}
	}
	como, _ := a.Enti.ByISTAT(ctx, "013")
	followed, err := a.Territory.Followed(ctx, como.ID)
	if err != nil || len(followed) != 2 {
		t.Fatalf("followed: %v %v", followed, err)
	}
	cantu, _ := a.Enti.ByISTAT(ctx, "013041")
	r, err := a.CRM.Record(ctx, cantu.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Contacts) != 2 || len(r.Interactions) != 3 || len(r.Agreements) != 1 || r.BalanceCents() != 240000 {
		t.Errorf("record: %d contacts, %d interactions, %d agreements, balance %d", len(r.Contacts), len(r.Interactions), len(r.Agreements), r.BalanceCents())
	}
	due, _ := a.CRM.DueFollowUps(ctx, followed)
	if len(due) != 1 {
		t.Errorf("%d follow-ups due, want 1", len(due))
	}
	u, err := a.Identity.UserByFiscalCode(ctx, "TINIT-"+apptest.FiscalCode("SLVMRT77C45C933"))
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := a.Enti.Memberships(ctx, u.ID)
	if len(ms) != 1 || ms[0].EnteID != como.ID || !ms[0].Enabled || ms[0].Ente.Status != ente.StatusApproved {
		t.Errorf("the officer's memberships: %+v", ms)
	}
}

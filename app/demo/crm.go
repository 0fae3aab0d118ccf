package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"passhub/app/auth"
	"passhub/app/crm"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/app/territory"
)

// CRM is what the seeding of the comuni CRM needs.
type CRM struct {
	Territory *territory.Service
	CRM       *crm.Service
}

// SeedCRM makes Provincia di Como (ISTAT 013) follow Cantù and Erba, with the persona
// "funzionario-provincia" as the province's delegate and a few rows on Cantù's record: two
// contacts, a call with a follow-up due today, a meeting, an agreement. It does nothing when the
// province already follows a comune, or when the registry has no Provincia di Como.
func SeedCRM(ctx context.Context, s Services, c CRM, people []Person) error {
	var staff *Person
	for i := range people {
		if people[i].Key == "funzionario-provincia" {
			staff = &people[i]
		}
	}
	province, err := s.Enti.ByISTAT(ctx, "013")
	if staff == nil || err != nil {
		return nil // no persona, or no province in the registry: nothing to show
	}
	if followed, err := c.Territory.Followed(ctx, province.ID); err != nil || len(followed) > 0 {
		return err
	}
	admin, err := s.Identity.UserByFiscalCode(ctx, "TINIT-"+strings.TrimPrefix(demoAdmin(people), "TINIT-"))
	if err != nil {
		return fmt.Errorf("demo: admin: %w", err)
	}
	// The province's legal representative is not a persona: a demo user stands in.
	rep := auth.Identity{FiscalCode: "TINIT-" + "BRMFNC60A01C933" + string(auth.CheckChar("BRMFNC60A01C933")),
		Name: "Franco", FamilyName: "Brambilla", Method: "dev", Issuer: "demo", Level: 2}
	lr, _, err := s.Identity.Login(ctx, rep, identity.Client{IP: "demo"})
	if err != nil {
		return err
	}
	if _, err := registerApproved(ctx, s, lr.ID, rep, admin.ID, "013"); err != nil {
		return err
	}
	u, err := s.Identity.UserByFiscalCode(ctx, "TINIT-"+strings.TrimPrefix(staff.FiscalCode, "TINIT-"))
	if err != nil {
		return fmt.Errorf("demo: %s: %w", staff.Key, err)
	}
	if err := s.Enti.EnsureDelegate(ctx, province.ID, u.ID); err != nil {
		return fmt.Errorf("demo: delegate of the province: %w", err)
	}
	cantu, err := s.Enti.ByISTAT(ctx, "013041")
	if err != nil {
		return err
	}
	comuni := []*ente.Ente{cantu}
	if found, err := s.Enti.Search(ctx, "Erba"); err == nil {
		for i := range found {
			if found[i].Name == "Erba" && found[i].Kind == ente.KindComune {
				comuni = append(comuni, &found[i])
				break
			}
		}
	}
	for _, e := range comuni {
		if _, err := c.Territory.Follow(ctx, province.ID, e.ID); err != nil && !errors.Is(err, territory.ErrFollowed) {
			return fmt.Errorf("demo: follow %s: %w", e.Name, err)
		}
	}
	who := crm.Actor{UserID: u.ID, Name: staff.Name + " " + staff.FamilyName, IP: "demo"}
	today := c.CRM.Today()
	day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
	for _, f := range []crm.ContactForm{
		{Name: "Mario Rossi", Role: "Sindaco", Email: "sindaco@comune.cantu.example.it", PEC: "protocollo@pec.comune.cantu.example.it"},
		{Name: "Elena Sala", Role: "Responsabile per la transizione digitale", Phone: "031 717111", Email: "rtd@comune.cantu.example.it"},
	} {
		if _, err := c.CRM.AddContact(ctx, who, cantu.ID, f); err != nil {
			return fmt.Errorf("demo: contact: %w", err)
		}
	}
	for _, f := range []crm.InteractionForm{
		{Kind: crm.KindMeeting, HappenedOn: day(-20), Summary: "Incontro in Comune sul piano triennale per l'informatica e sui servizi del Centro di Competenza."},
		{Kind: crm.KindCall, HappenedOn: day(-7), Summary: "Telefonata con la RTD: serve la bozza della convenzione per la giunta.", FollowUpOn: day(0)},
		{Kind: crm.KindEmail, HappenedOn: day(-2), Summary: "Inviato il catalogo dei servizi e il calendario della formazione.", FollowUpOn: day(10)},
	} {
		if _, err := c.CRM.LogInteraction(ctx, who, cantu.ID, f); err != nil {
			return fmt.Errorf("demo: interaction: %w", err)
		}
	}
	if _, err := c.CRM.AddAgreement(ctx, who, cantu.ID, crm.AgreementForm{Title: "Convenzione per il Centro di Competenza sulla digitalizzazione",
		StartsOn: day(-90), EndsOn: day(275), Services: "Assistenza alla transizione digitale\nFormazione del personale\nSupporto ai bandi PNRR",
		Due: "4.800,00", Paid: "2.400,00", Notes: "Seconda rata alla scadenza del semestre."}); err != nil {
		return fmt.Errorf("demo: agreement: %w", err)
	}
	return nil
}

// demoAdmin is the admin persona's fiscal code.
func demoAdmin(people []Person) string {
	for _, p := range people {
		if p.Key == "admin" {
			return p.FiscalCode
		}
	}
	return ""
}

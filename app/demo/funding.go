package demo

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"passhub/app/funding"
	"passhub/app/project"
)

// Funding is what seeding the Servizio Europa needs.
type Funding struct {
	Calls    *funding.Service
	Projects *project.Service
}

// demoCalls are calls for funding with deadlines in the weeks after seeding (days from today);
// the import matches them by code, so seeding again moves nothing.
var demoCalls = []struct {
	code, title, programme, authority, topics string
	days                                      []int
	budget                                    string
}{
	{"DEMO-FESR-01", "Efficienza energetica degli edifici pubblici", "PR FESR Lombardia 2021-2027", "Regione Lombardia", "energia, edifici pubblici", []int{45, 120}, "15000000"},
	{"DEMO-LIFE-02", "Natura e biodiversità nelle aree urbane", "LIFE", "CINEA", "biodiversità, clima, verde urbano", []int{75}, "5000000"},
	{"DEMO-INT-03", "Corridoi ecologici alpini", "Interreg Italia-Svizzera", "Regione Lombardia", "biodiversità, montagna", []int{30}, "2500000"},
}

// SeedFunding gives the demo three published calls and, when none exists yet, a project sheet of
// the other ente (Milano, its delegate's) looking for partners on urban green, so that the
// registered comune's people (Cantù) are suggested the search and may answer it.
func SeedFunding(ctx context.Context, s Services, f Funding, people []Person) error {
	today := time.Now().In(funding.Rome)
	var b strings.Builder
	b.WriteString("codice;titolo;programma;autorita;temi;scadenze;budget\n")
	for _, c := range demoCalls {
		var dl []string
		for _, d := range c.days {
			dl = append(dl, today.AddDate(0, 0, d).Format(funding.DateLayout))
		}
		fmt.Fprintf(&b, "%s;%s;%s;%s;%s;%s;%s\n", c.code, c.title, c.programme, c.authority, c.topics, strings.Join(dl, " | "), c.budget)
	}
	rep, err := f.Calls.Import(ctx, funding.Actor{Name: "demo"}, strings.NewReader(b.String()))
	if err != nil {
		return err
	}
	if len(rep.Errors) > 0 {
		return fmt.Errorf("demo: calls: %+v", rep.Errors)
	}
	if sheets, _, err := f.Projects.List(ctx, project.Filter{}); err != nil || len(sheets) > 0 {
		return err
	}
	call, err := f.Calls.Published(ctx, funding.Slugify(demoCalls[1].title))
	if err != nil {
		return err
	}
	milano, err := s.Enti.ByISTAT(ctx, "015146")
	if err != nil {
		return err
	}
	var author int64
	for _, p := range people {
		if p.Key == "delegato-altro-ente" {
			u, err := s.Identity.UserByFiscalCode(ctx, strings.ToUpper("TINIT-"+strings.TrimPrefix(p.FiscalCode, "TINIT-")))
			if err != nil {
				return err
			}
			author = u.ID
		}
	}
	who := project.Actor{UserID: author, Name: "demo", IP: "demo"}
	sh, err := f.Projects.Create(ctx, who, project.Form{Ente: strconv.FormatInt(milano.ID, 10), Call: strconv.FormatInt(call.ID, 10),
		Title: "Boschi di quartiere", Summary: "Trasformare dieci aree dismesse in piccoli boschi urbani, con le scuole del quartiere.",
		Topics: "verde urbano, clima", Budget: "800000", SeeksPartners: true, Provinces: []string{"CO", "MI"},
		PartnerProfile: "Un comune della Lombardia con un vivaio o aree da rinaturalizzare, per un progetto in rete."})
	if err != nil {
		return err
	}
	return f.Projects.SetPublished(ctx, who, sh.ID, true)
}

package bench

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/crm"
	"passhub/app/ente"
)

// BenchmarkCRM measures the comuni CRM of a province that follows 250 comuni, as one of its
// officers: the list of the comuni with their figures, one comune's record with 40 contacts, 600
// interactions (a third with follow-ups) and 12 agreements, its XLSX export, and the reserved home
// with the follow-ups due. It reports each page's bytes and median time.
func BenchmarkCRM(b *testing.B) {
	s := apptest.Start(b)
	ctx := context.Background()
	const comuni, contacts, interactions, agreements = 250, 40, 600, 12
	list := []ente.Ente{{ISTAT: "013", Name: "Provincia di Como", Kind: ente.KindProvincia, Province: "CO"}}
	for i := 0; i < comuni; i++ {
		list = append(list, ente.Ente{ISTAT: fmt.Sprintf("013%03d", i+1), Name: fmt.Sprintf("Comune %03d", i+1), Kind: ente.KindComune, Province: "CO"})
	}
	if _, err := s.Enti.Import(ctx, list); err != nil {
		b.Fatal(err)
	}
	como, _ := s.Enti.ByISTAT(ctx, "013")
	cookie := s.Login(b, apptest.FiscalCode("PRVCMO70A01F205"), "Paola", "Provinciale")
	users, _, _ := s.Identity.Users(ctx, "provinciale", 1)
	reg, err := s.Enti.Register(ctx, ente.Actor{UserID: users[0].ID}, ente.RegistrationForm{EnteID: como.ID, Role: ente.RolePresidente, Email: "p@p.it", PEC: "p@pec.it"},
		"p.pdf", apptest.ProtocolFor(b, s.App, users[0].ID, como.ID))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Enti.Approve(ctx, ente.Actor{}, reg.ID); err != nil {
		b.Fatal(err)
	}
	var first int64
	for i := 0; i < comuni; i++ {
		e, _ := s.Enti.ByISTAT(ctx, fmt.Sprintf("013%03d", i+1))
		if first == 0 {
			first = e.ID
		}
		if _, err := s.Territory.Follow(ctx, como.ID, e.ID); err != nil {
			b.Fatal(err)
		}
		// every comune has a contact and an interaction, a follow-up due on one in ten
		who := crm.Actor{UserID: users[0].ID, Name: "Paola Provinciale"}
		if _, err := s.CRM.AddContact(ctx, who, e.ID, crm.ContactForm{Name: "Ufficio protocollo", Email: "protocollo@comune.example.it"}); err != nil {
			b.Fatal(err)
		}
		f := crm.InteractionForm{Kind: crm.KindCall, HappenedOn: "2026-11-02", Summary: "Telefonata sul piano triennale."}
		if i%10 == 0 {
			f.FollowUpOn = "2026-11-20"
		}
		if _, err := s.CRM.LogInteraction(ctx, who, e.ID, f); err != nil {
			b.Fatal(err)
		}
	}
	who := crm.Actor{UserID: users[0].ID, Name: "Paola Provinciale"}
	for i := 1; i < contacts; i++ {
		if _, err := s.CRM.AddContact(ctx, who, first, crm.ContactForm{Name: fmt.Sprintf("Persona %d", i), Role: "Ufficio tecnico", Phone: "031 123456"}); err != nil {
			b.Fatal(err)
		}
	}
	for i := 1; i < interactions; i++ {
		f := crm.InteractionForm{Kind: crm.Kinds[i%4], HappenedOn: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format("2006-01-02"),
			Summary: fmt.Sprintf("Interazione n. %d sul piano triennale e sui servizi del Centro di Competenza.", i)}
		if i%3 == 0 {
			f.FollowUpOn = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i+7).Format("2006-01-02")
		}
		if _, err := s.CRM.LogInteraction(ctx, who, first, f); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < agreements; i++ {
		if _, err := s.CRM.AddAgreement(ctx, who, first, crm.AgreementForm{Title: fmt.Sprintf("Convenzione %d", 2015+i), StartsOn: fmt.Sprintf("%d-01-01", 2015+i),
			EndsOn: fmt.Sprintf("%d-12-31", 2015+i), Services: "Assistenza\nFormazione", Due: "1.200,00", Paid: "600"}); err != nil {
			b.Fatal(err)
		}
	}
	idle, cancel := context.WithTimeout(ctx, 5*time.Minute)
	if err := s.Jobs.WaitIdle(idle); err != nil {
		b.Fatal(err)
	}
	cancel()
	get := func(p string) (int, time.Duration) {
		req, _ := http.NewRequest(http.MethodGet, s.URL+p, nil)
		req.Header.Set("Cookie", cookie)
		t0 := time.Now()
		res, body := s.Do(b, req)
		d := time.Since(t0)
		if res.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", p, res.StatusCode)
		}
		return len(body), d
	}
	median := func(p string, n int) (int, time.Duration) {
		var ds []time.Duration
		var size int
		for i := 0; i < n; i++ {
			sz, d := get(p)
			size, ds = sz, append(ds, d)
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return size, ds[len(ds)/2]
	}
	record := "/area-riservata/crm/" + strconv.FormatInt(first, 10)
	for i := 0; i < b.N; i++ {
		for _, p := range []struct{ name, path string }{{"list", "/area-riservata/crm"}, {"list_due", "/area-riservata/crm?richiami=1"},
			{"record", record}, {"record_xlsx", record + "/scheda.xlsx"}, {"list_xlsx", "/area-riservata/crm/elenco.xlsx"}, {"home", "/area-riservata"}} {
			size, d := median(p.path, 21)
			msg := fmt.Sprintf("CRM of %d comuni on %s: %s (%s) %d bytes in %v", comuni, database(), p.name, p.path, size, d.Round(100*time.Microsecond))
			fmt.Println(msg)
			addSummary("%s", msg)
			b.ReportMetric(float64(d.Microseconds())/1000, p.name+"_ms")
		}
	}
}

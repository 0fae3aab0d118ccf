// Package demo fills a development database with the people the dev identity provider offers,
// bound to enti and roles so each persona shows a different reserved area. It is a dev-only
// component: configuration refuses it in production mode. Seeding is idempotent.
package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"passhub/app/auth"
	"passhub/app/db"
	"passhub/app/ente"
	"passhub/app/ente/devsign"
	"passhub/app/identity"
	"passhub/app/request"
	"passhub/app/workarea"
	"passhub/app/workspace"
)

// Person is one persona of the dev identity provider.
type Person struct {
	Key, FiscalCode, Name, FamilyName, Email string
}

// Services are what seeding needs.
type Services struct {
	Identity *identity.Service
	Enti     *ente.Service
}

// What each persona is, by key.
var (
	// legal representatives of approved enti, by ISTAT code
	legalReps = map[string]string{"sindaco-registrato": "013041"} // Cantù
	// delegates, by ISTAT code
	delegates = map[string]string{"delegato": "013041", "delegato-altro-ente": "015146"} // Cantù, Milano
	// staff roles: role and task force
	staff = map[string][2]string{"pm": {identity.RolePM, "VA"}, "esperto": {identity.RoleExpert, "VA"},
		"esperto-2": {identity.RoleExpert, "BON"}, "redattore": {identity.RoleEditor, ""},
		"caporedattore": {identity.RolePublisher, ""}, "admin": {identity.RoleAdmin, ""},
		"operatore": {identity.RoleOperator, ""}}
)

// Seed binds the personas to their enti and roles. Enti must already be in the registry.
func Seed(ctx context.Context, s Services, people []Person) error {
	ids := map[string]int64{}
	for _, p := range people {
		u, _, err := s.Identity.Login(ctx, auth.Identity{FiscalCode: p.FiscalCode, Name: p.Name, FamilyName: p.FamilyName,
			Email: p.Email, Method: "dev", Issuer: "demo", Level: 2}, identity.Client{IP: "demo"})
		if err != nil {
			return fmt.Errorf("demo: %s: %w", p.Key, err)
		}
		ids[p.Key] = u.ID
		if err := s.Identity.LogoutAllSessions(ctx, u.ID); err != nil {
			return err
		}
	}
	system := identity.Actor{Name: "demo"}
	for key, r := range staff {
		if id, ok := ids[key]; ok {
			if err := s.Identity.Grant(ctx, system, id, r[0], r[1]); err != nil && !errors.Is(err, db.ErrConflict) {
				return fmt.Errorf("demo: role of %s: %w", key, err)
			}
		}
	}
	byKey := map[string]Person{}
	for _, p := range people {
		byKey[p.Key] = p
	}
	approved := map[string]int64{} // ISTAT → ente id, with its legal representative
	for key, istat := range legalReps {
		if id, ok := ids[key]; ok {
			p := byKey[key]
			enteID, err := registerApproved(ctx, s, id, auth.Identity{FiscalCode: p.FiscalCode, Name: p.Name, FamilyName: p.FamilyName}, ids["admin"], istat)
			if err != nil {
				return err
			}
			approved[istat] = enteID
		}
	}
	for key, istat := range delegates {
		id, ok := ids[key]
		if !ok {
			continue
		}
		enteID, found := approved[istat]
		if !found {
			// An ente whose legal representative is not a persona: a demo user stands in.
			galli := auth.Identity{FiscalCode: "TINIT-" + "GLLFBA70D01F205" + string(auth.CheckChar("GLLFBA70D01F205")),
				Name: "Fabio", FamilyName: "Galli", Method: "dev", Issuer: "demo", Level: 2}
			lr, _, err := s.Identity.Login(ctx, galli, identity.Client{IP: "demo"})
			if err != nil {
				return err
			}
			if enteID, err = registerApproved(ctx, s, lr.ID, galli, ids["admin"], istat); err != nil {
				return err
			}
			approved[istat] = enteID
		}
		if err := s.Enti.EnsureDelegate(ctx, enteID, id); err != nil {
			return fmt.Errorf("demo: delegate %s: %w", key, err)
		}
	}
	return nil
}

// registerApproved registers the ente for its legal representative with the protocol signed by
// the dev CA in their name, and approves it.
func registerApproved(ctx context.Context, s Services, userID int64, rep auth.Identity, adminID int64, istat string) (int64, error) {
	e, err := s.Enti.ByISTAT(ctx, istat)
	if err != nil {
		return 0, fmt.Errorf("demo: ente %s (import the registry first): %w", istat, err)
	}
	if e.Status == ente.StatusApproved {
		return e.ID, nil
	}
	ca, err := devsign.DevCA()
	if err != nil {
		return 0, err
	}
	signer, err := ca.Issue(rep.Name, rep.FamilyName, rep.FiscalCode)
	if err != nil {
		return 0, err
	}
	pdf, err := ente.ProtocolTemplate(e, time.Now())
	if err != nil {
		return 0, err
	}
	if pdf, err = signer.PAdES(pdf); err != nil {
		return 0, err
	}
	role := ente.RolesFor(e.Kind)[0]
	reg, err := s.Enti.Register(ctx, ente.Actor{UserID: userID, Name: "demo"}, ente.RegistrationForm{EnteID: e.ID, Role: role,
		Email: "protocollo@comune.example.it", PEC: "comune@pec.example.it"}, "protocollo-demo.pdf", pdf)
	if err != nil && !errors.Is(err, ente.ErrAlreadyPending) {
		return 0, fmt.Errorf("demo: register %s: %w", istat, err)
	}
	if reg == nil {
		return e.ID, nil
	}
	if _, err := s.Enti.Approve(ctx, ente.Actor{UserID: adminID, Name: "demo"}, reg.ID); err != nil {
		return 0, fmt.Errorf("demo: approve %s: %w", istat, err)
	}
	return e.ID, nil
}

// Requests are what request seeding needs.
type Requests struct {
	Requests  *request.Service
	Workspace *workspace.Service
}

// SeedRequests gives the registered comune's requests in every state, worked by the personas, so
// every screen has something to show. It does nothing when the comune already has requests.
func SeedRequests(ctx context.Context, s Services, r Requests, people []Person) error {
	id := map[string]int64{}
	name := map[string]string{}
	for _, p := range people {
		u, err := s.Identity.UserByFiscalCode(ctx, strings.ToUpper("TINIT-"+strings.TrimPrefix(p.FiscalCode, "TINIT-")))
		if err != nil {
			return fmt.Errorf("demo: %s: %w", p.Key, err)
		}
		id[p.Key], name[p.Key] = u.ID, p.Name+" "+p.FamilyName
	}
	who := func(key string) request.Actor { return request.Actor{UserID: id[key], Name: name[key], IP: "demo"} }
	cantu, err := s.Enti.ByISTAT(ctx, "013041")
	if err != nil {
		return err
	}
	if n, err := r.Requests.Counts(ctx, request.Filter{EnteIDs: []int64{cantu.ID}}); err != nil || len(n) > 0 {
		return err
	}
	mayor, expert, pm := who("sindaco-registrato"), who("esperto"), who("pm")
	form := func(code, title string) request.Form {
		return request.Form{ProcedureCode: code, Title: title, BacklogPending: 25, BacklogAvgDays: 180,
			Description: "L'ufficio ha accumulato pratiche in attesa e i tempi medi superano quelli di legge; servono modelli e affiancamento.",
			Bottleneck:  "Istruttoria documentale e conferenza di servizi", DesiredOutcome: "Rientrare nei tempi di legge entro sei mesi."}
	}
	file := func(code, title string, submit bool) (*request.Request, error) {
		return r.Requests.File(ctx, mayor, cantu.ID, form(code, title), submit)
	}
	if _, err := file("VA-02", "Verifiche di assoggettabilità in arretrato", false); err != nil { // draft
		return err
	}
	if _, err := file("VA-03", "VAS del nuovo PGT", true); err != nil { // submitted, waiting for triage
		return err
	}
	rej, err := file("EDU-02", "Controlli sulle SCIA", true)
	if err != nil {
		return err
	}
	if _, err := r.Requests.Reject(ctx, who("admin"), rej.ID, "La richiesta riguarda la Task Force Edilizia: inviala di nuovo scegliendo la procedura corretta."); err != nil {
		return err
	}
	work, err := file("VA-01", "Arretrato delle VIA del polo logistico", true)
	if err != nil {
		return err
	}
	if _, err := r.Requests.Assign(ctx, pm, work.ID, []int64{id["esperto"]}); err != nil {
		return err
	}
	work, _ = r.Requests.Get(ctx, work.ID)
	if _, err := r.Workspace.Post(ctx, expert, work, true, "Buongiorno, partiamo dall'elenco delle istanze pendenti e dal modello di istruttoria."); err != nil {
		return err
	}
	work, _ = r.Requests.Get(ctx, work.ID)
	if _, err := r.Workspace.LogActivity(ctx, expert, work, workspace.Activity{Kind: "meeting", OnDate: time.Now().AddDate(0, 0, -2), Minutes: 120,
		Description: "Incontro con l'ufficio VIA sul flusso delle istruttorie."}); err != nil {
		return err
	}
	if _, err := r.Requests.AskIntegration(ctx, expert, work.ID, []string{"Elenco delle istanze pendenti con le date", "Organigramma dell'ufficio"},
		"Ci servono per stimare i carichi.", time.Now().AddDate(0, 0, 10)); err != nil {
		return err
	}
	done, err := file("VA-04", "Valutazioni di incidenza sui siti Natura 2000", true)
	if err != nil {
		return err
	}
	if _, err := r.Requests.Assign(ctx, pm, done.ID, []int64{id["esperto"]}); err != nil {
		return err
	}
	done, _ = r.Requests.Get(ctx, done.ID)
	if _, err := r.Workspace.Upload(ctx, expert, done, true, 0, "modello-istruttoria.csv", []byte("fase;giorni\navvio;7\nistruttoria;30\nchiusura;15\n"), true); err != nil {
		return err
	}
	if _, err := r.Requests.Conclude(ctx, expert, done.ID, "Introdotto un modello di istruttoria condiviso: i tempi medi sono scesi da 180 a 95 giorni."); err != nil {
		return err
	}
	return nil
}

// SeedAreas gives the demo one thematic work area, Servizio Europa, with the registered comune as
// a member (its mayor and delegate post through it), an expert as coordinator, the PM as a reader
// and an opening topic, so the work areas have something to show. It does nothing when an area
// exists already.
func SeedAreas(ctx context.Context, s Services, areas *workarea.Service, people []Person) error {
	if all, err := areas.All(ctx); err != nil || len(all) > 0 {
		return err
	}
	id := map[string]int64{}
	name := map[string]string{}
	for _, p := range people {
		u, err := s.Identity.UserByFiscalCode(ctx, strings.ToUpper("TINIT-"+strings.TrimPrefix(p.FiscalCode, "TINIT-")))
		if err != nil {
			return fmt.Errorf("demo: %s: %w", p.Key, err)
		}
		id[p.Key], name[p.Key] = u.ID, p.Name+" "+p.FamilyName
	}
	cantu, err := s.Enti.ByISTAT(ctx, "013041")
	if err != nil {
		return err
	}
	admin := workarea.Actor{UserID: id["admin"], Name: name["admin"], IP: "demo"}
	a, err := areas.Create(ctx, admin, workarea.Form{Name: "Servizio Europa", Service: "Servizio Europa",
		Description: "Scadenzari, bandi, schede progetto e ricerca partner per l'accesso ai fondi europei."})
	if err != nil {
		return err
	}
	for _, m := range []workarea.MemberForm{{EnteID: cantu.ID, Role: "member"}, {UserID: id["esperto"], Role: "coordinator"}, {UserID: id["pm"], Role: "reader"}} {
		if _, err := areas.AddMember(ctx, admin, a.ID, m); err != nil {
			return err
		}
	}
	_, _, err = areas.OpenTopic(ctx, workarea.Actor{UserID: id["esperto"], Name: name["esperto"], IP: "demo"}, a.ID,
		workarea.PostForm{Title: "Bandi in scadenza nel trimestre", Body: "Raccogliamo qui i bandi europei in scadenza e chi intende partecipare."})
	return err
}

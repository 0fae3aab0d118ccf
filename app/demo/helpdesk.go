package demo

import (
	"context"
	"strings"

	"passhub/app/helpdesk"
)

// demoCanned are the help desk's canned replies in the demo.
var demoCanned = [][2]string{
	{"Saluti e chiusura", "Resto a disposizione per ogni altro chiarimento.\n\nCordiali saluti"},
	{"SPID di livello 2", "Per accedere a PAsS serve un'identità SPID di livello 2 (o la CIE): se l'accesso si ferma dopo la scelta del gestore, verifichi con il gestore che l'identità sia attiva e di livello 2."},
	{"Delegare un collega", "Il legale rappresentante dell'ente può delegare un collega dalla pagina dell'ente, sezione Delegati: basta il codice fiscale del collega, che al primo accesso con SPID trova l'ente già collegato."},
}

// SeedHelpdesk gives the demo help desk two tickets of the Cantù delegate (one answered and
// waiting, one new), a call logged by the operator and the canned replies; once.
func SeedHelpdesk(ctx context.Context, s Services, desk *helpdesk.Service, people []Person) error {
	if list, _, err := desk.Queue(ctx, helpdesk.Filter{View: helpdesk.ViewAll}); err != nil || len(list) > 0 {
		return err
	}
	ids := map[string]int64{}
	names := map[string]string{}
	for _, p := range people {
		if p.Key != "delegato" && p.Key != "operatore" {
			continue
		}
		u, err := s.Identity.UserByFiscalCode(ctx, strings.ToUpper("TINIT-"+strings.TrimPrefix(p.FiscalCode, "TINIT-")))
		if err != nil {
			return err
		}
		ids[p.Key], names[p.Key] = u.ID, u.FullName()
	}
	cantu, err := s.Enti.ByISTAT(ctx, "013041")
	if err != nil {
		return err
	}
	operator := helpdesk.Actor{UserID: ids["operatore"], Name: names["operatore"], IP: "demo"}
	for _, c := range demoCanned {
		if _, err := desk.SaveCanned(ctx, operator, 0, c[0], c[1]); err != nil {
			return err
		}
	}
	spid, err := desk.Open(ctx, helpdesk.Opening{Channel: helpdesk.ChannelWeb, Category: "spid-cie", Subject: "Il vicesegretario non riesce ad accedere",
		Body:        "Buongiorno, il vicesegretario prova ad accedere con SPID ma dopo la scelta del gestore compare l'errore 19. Come possiamo fare?",
		RequesterID: ids["delegato"], Name: names["delegato"], Email: "laura.bianchi@comune.cantu.example.it", EnteID: cantu.ID, EnteName: cantu.Name, Lang: "it"})
	if err != nil {
		return err
	}
	if _, err := desk.Answer(ctx, operator, spid.ID, demoCanned[1][1], helpdesk.StatusWaiting); err != nil {
		return err
	}
	if _, err := desk.Open(ctx, helpdesk.Opening{Channel: helpdesk.ChannelWeb, Category: "pagopa", Subject: "Avviso pagoPA per la mensa scolastica",
		Body:        "Dobbiamo emettere gli avvisi pagoPA per la mensa: il servizio va attivato sul nostro portale o su quello del partner tecnologico?",
		RequesterID: ids["delegato"], Name: names["delegato"], Email: "laura.bianchi@comune.cantu.example.it", EnteID: cantu.ID, EnteName: cantu.Name, Lang: "it"}); err != nil {
		return err
	}
	_, err = desk.Open(ctx, helpdesk.Opening{Channel: helpdesk.ChannelPhone, Category: "uso-piattaforma", Priority: helpdesk.PriorityHigh,
		Subject: "Protocollo firmato non accettato", Body: "Il sindaco di un piccolo comune ha caricato il protocollo firmato, ma la piattaforma dice che la firma non è valida.",
		Name: "Segreteria del Comune di Figino Serenza", Phone: "031 000000", EnteName: "Comune di Figino Serenza", Lang: "it",
		LoggedBy: operator, AssignToLogger: true})
	return err
}

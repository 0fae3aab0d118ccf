package searchtest

import (
	"fmt"
	"math/rand"
	"strings"
	"time"

	"passhub/app/search"
)

var base = time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)

// Fixture is the small fixed corpus the contract suite indexes: public pages and news, private
// requests of two enti, a task force's private document. Every body says "progetto"; "pnrr",
// "bonifica", "amianto" and "valutazione ambientale" appear in known docs.
func Fixture() []search.Doc {
	d := func(id, tf, proc string, year int, ente string, public bool, experts []string, state, title, body string) search.Doc {
		typ, _, _ := strings.Cut(id, ":")
		n := 0
		fmt.Sscanf(id[len(typ)+1:], "%d", &n)
		return search.Doc{ID: id, Type: typ, Title: title, Body: body, URL: "/" + strings.Replace(id, ":", "/", 1),
			TaskForce: tf, Procedure: proc, Year: year, State: state, Ente: ente, Public: public, Experts: experts,
			Updated: base.Add(time.Duration(n) * 24 * time.Hour)}
	}
	return []search.Doc{
		d("page:1", "TF-AMB", "VIA", 2023, "", true, nil, "", "Valutazione ambientale dei progetti",
			"La valutazione ambientale accompagna ogni progetto finanziato dal PNRR: il proponente presenta lo studio di impatto e la sintesi non tecnica."),
		d("page:2", "TF-AMB", "VIA", 2022, "", true, nil, "", "Linee guida per gli studi di impatto",
			"Lo studio ambientale del progetto descrive gli effetti attesi; la valutazione spetta alla commissione tecnica."),
		d("news:3", "TF-AMB", "BON", 2024, "", true, nil, "", "Bonifica dei siti orfani",
			"Il programma PNRR finanzia la bonifica dei siti orfani: ogni progetto di bonifica riguarda suoli contaminati da idrocarburi."),
		d("news:4", "TF-AMB", "BON", 2023, "", true, nil, "", "Rimozione dell'amianto negli edifici pubblici",
			"Il progetto prevede la rimozione e la bonifica dell'amianto nelle scuole."),
		d("document:5", "TF-URB", "", 2022, "", true, nil, "", "Atto della giunta regionale",
			"Con la deliberazione n. 45 la giunta approva il progetto di rigenerazione urbana."),
		d("request:6", "TF-AMB", "VIA", 2024, "3", false, []string{"7"}, "submitted", "Richiesta di supporto per il porto",
			"L'ente chiede supporto per la valutazione di impatto del progetto di ampliamento del porto. Fondi PNRR."),
		d("request:7", "TF-URB", "PAUR", 2023, "4", false, []string{"8"}, "approved", "Richiesta per il piano urbanistico",
			"Il comune chiede una verifica del progetto urbanistico e della bonifica dell'area industriale dismessa."),
		d("request:8", "TF-URB", "BON", 2022, "3", false, nil, "approved", "Discarica comunale",
			"Richiesta di assistenza tecnica per il progetto di bonifica della discarica, con amianto nei capannoni. Fondi PNRR."),
		d("document:9", "TF-AMB", "VIA", 2024, "", false, []string{"7", "9"}, "", "Verbale della task force",
			"Verbale interno sul progetto di monitoraggio delle acque e sulle procedure di bonifica in corso."),
		d("news:11", "TF-URB", "", 2024, "", true, nil, "", "Rigenerazione urbana nei comuni",
			"I comuni presentano un progetto di rigenerazione urbana con fondi PNRR e interventi di bonifica dei suoli."),
		d("news:12", "TF-AMB", "", 2022, "", true, nil, "", "Economia circolare",
			"Il progetto sostiene impianti di riciclo e la riduzione dei rifiuti."),
		d("page:13", "", "", 2024, "", true, nil, "", "Avvertenze",
			"Attenzione: <script>alert('x')</script> & «virgolette» nel testo sull'esproprio del progetto."),
	}
}

// vocabulary of the generated corpus, most frequent first (drawn with a Zipf law)
var vocabulary = strings.Fields(`
progetto comune regione ente intervento procedura amministrazione pubblica piano risorse
fondi pnrr misura attuazione investimento riforma decreto avviso bando gara appalto contratto
servizi territorio sviluppo valutazione ambientale impatto autorizzazione parere conferenza
servizi documentazione istanza richiesta supporto tecnico assistenza task force esperti
bonifica sito contaminato suolo acque falda amianto rifiuti discarica caratterizzazione
analisi rischio monitoraggio verifica collaudo cantiere lavori opere infrastrutture strade
ponte ferrovia porto scuola ospedale edificio efficientamento energetico rinnovabili
fotovoltaico eolico idrogeno mobilità sostenibile trasporto ciclabile digitalizzazione
transizione ecologica digitale inclusione coesione sociale giovani donne lavoro formazione
competenze urbanistica variante regolamento edilizio permesso costruire vincolo paesaggistico
soprintendenza beni culturali patrimonio rigenerazione urbana periferie verde pubblico
forestazione dissesto idrogeologico frana alluvione rischio sismico protezione civile
deliberazione giunta consiglio determina dirigente responsabile unico procedimento rup
cronoprogramma target milestone rendicontazione controllo audit trasparenza anticorruzione
codice contratti subappalto offerta economicamente vantaggiosa ribasso aggiudicazione
stazione appaltante centrale committenza capitolato computo metrico progettazione esecutiva
definitiva fattibilità tecnica economica studio preliminare relazione geologica
sintesi tecnica screening verifica assoggettabilità provvedimento unico paur osservazioni
pubblico consultazione termine scadenza proroga sospensione integrazione documentale
acquedotto fognatura depurazione servizio idrico perdite rete distribuzione gas elettrica
comunità energetiche autoconsumo teleriscaldamento biometano economia circolare riciclo
impianto trattamento compostaggio raccolta differenziata porta tariffa puntuale
agricoltura irrigazione biodiversità aree protette parco naturale habitat specie
turismo cultura borghi cammini accessibilità disabilità asili nido sanità territoriale
casa comunità telemedicina fascicolo sanitario cloud interoperabilità piattaforma dati
sicurezza informatica identità spid pagamenti pagopa notifiche anagrafe nazionale
geotermia dragaggio antincendio ripascimento mareggiata fitodepurazione bonifiche
esproprio indennità occupazione temporanea servitù catasto particelle frazionamento
`)

var titleHeads = []string{"Avviso", "Richiesta", "Verbale", "Linee guida", "Decreto", "Relazione",
	"Parere", "Nota", "Scheda", "Comunicato", "Istanza", "Determina"}

var connectives = []string{"il", "la", "del", "della", "per", "con", "nel", "sul", "e", "di", "ai", "dei", "tra", "nella"}

// Corpus returns n generated Italian documents (about 120 words each, on PNRR, procedures,
// bonifica, VIA, appalti, urbanistica…) of mixed types, task forces, years and enti, about 20%
// private, the same for the same seed. It is meant for benchmarks.
func Corpus(n int, seed int64) []search.Doc {
	r := rand.New(rand.NewSource(seed))
	z := rand.NewZipf(r, 1.07, 2, uint64(len(vocabulary)-1))
	word := func() string { return vocabulary[z.Uint64()] }
	types := []string{"page", "news", "request", "document", "document", "news", "page", "request", "page", "news"}
	tfs := []string{"", "TF-AMB", "TF-URB", "TF-DIG", "TF-INF", "TF-SAN"}
	procs := []string{"", "VIA", "PAUR", "BON", "VAS", "APP"}
	states := []string{"draft", "submitted", "assigned", "approved", "closed"}
	docs := make([]search.Doc, n)
	var b strings.Builder
	for i := range docs {
		b.Reset()
		words := 100 + r.Intn(41)
		for w := 0; w < words; w++ {
			if w > 0 {
				b.WriteByte(' ')
			}
			if r.Intn(4) == 0 {
				b.WriteString(connectives[r.Intn(len(connectives))])
			} else {
				b.WriteString(word())
			}
			if r.Intn(14) == 0 {
				b.WriteByte('.')
			}
		}
		title := titleHeads[r.Intn(len(titleHeads))] + " " + word() + " " + connectives[r.Intn(len(connectives))] + " " + word() + " " + word()
		typ := types[r.Intn(len(types))]
		d := search.Doc{
			ID: fmt.Sprintf("%s:%d", typ, i+1), Type: typ, Title: title, Body: b.String(),
			TaskForce: tfs[r.Intn(len(tfs))], Procedure: procs[r.Intn(len(procs))],
			Year: 2020 + r.Intn(6), Public: r.Intn(20) != 0,
			Updated: base.Add(-time.Duration(r.Intn(5*365*24)) * time.Hour),
		}
		d.URL = "/" + typ + "/" + fmt.Sprint(i+1)
		if typ == "request" {
			d.State = states[r.Intn(len(states))]
			d.Public = false
		}
		if !d.Public {
			if typ == "request" || r.Intn(2) == 0 {
				d.Ente = fmt.Sprint(1 + r.Intn(300))
			}
			for e := r.Intn(3); e > 0; e-- {
				d.Experts = append(d.Experts, fmt.Sprint(1000+r.Intn(200)))
			}
		}
		docs[i] = d
	}
	return docs
}

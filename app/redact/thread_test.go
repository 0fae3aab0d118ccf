package redact

import "testing"

// A help-desk thread: a comune's employee asks about SPID, an operator answers.
const thread = `Oggetto: Accesso con SPID al portale dei servizi demografici

Buongiorno,
sono Giulia Ferrari, istruttrice amministrativa dell'Ufficio Anagrafe del Comune di Cantù.
Da lunedì 03/11/2025 i cittadini non riescono ad accedere con SPID al servizio di rilascio
certificati: dopo l'autenticazione compare l'errore "Richiesta non valida" (codice 19).
Abbiamo seguito le indicazioni della circolare AgID n. 1/2024 e dell'art. 64 del D.Lgs. 82/2005,
ma il problema persiste. Il fornitore (prot. n. 24567 del 28/10/2025) ci ha detto di rivolgerci a voi.

Una cittadina, la sig.ra Anna Bianchi (c.f. BNCNNA90A41F205W), residente in via G. Garibaldi, 5/A,
22063 Cantù (CO), ha segnalato il problema anche via PEC: anna.bianchi@pec.it.

Potete richiamarmi al 031 717111 (int. 4) oppure al cellulare +39 347 123 4567?
Il mio indirizzo è giulia.ferrari@comune.cantu.co.it.

Cordiali saluti,
Giulia Ferrari
Ufficio Anagrafe - Comune di Cantù
Piazza Parini 4, 22063 Cantù (CO)

---
Gentile Giulia,
grazie per la segnalazione. Il dott. Marco Esposito della task force Identità Digitale ha
verificato la configurazione: il metadata del service provider era scaduto il 31.10.2025.
Lo abbiamo aggiornato; vi chiediamo di riprovare e, se l'errore persiste, di scrivere a
supporto [at] passhub [dot] it indicando l'orario del tentativo.

Un saluto,
Luca Moretti
Help desk PAsS
`

const threadRedacted = `Oggetto: Accesso con SPID al portale dei servizi demografici

Buongiorno,
sono [nome], istruttrice amministrativa dell'Ufficio Anagrafe del Comune di Cantù.
Da lunedì 03/11/2025 i cittadini non riescono ad accedere con SPID al servizio di rilascio
certificati: dopo l'autenticazione compare l'errore "Richiesta non valida" (codice 19).
Abbiamo seguito le indicazioni della circolare AgID n. 1/2024 e dell'art. 64 del D.Lgs. 82/2005,
ma il problema persiste. Il fornitore (prot. n. 24567 del 28/10/2025) ci ha detto di rivolgerci a voi.

Una cittadina, la sig.ra [nome] (c.f. [codice fiscale]), residente in [indirizzo], ha segnalato il problema anche via PEC: [e-mail].

Potete richiamarmi al [telefono] (int. 4) oppure al cellulare [telefono]?
Il mio indirizzo è [e-mail].

Cordiali saluti,
[nome]
Ufficio Anagrafe - Comune di Cantù
[indirizzo]

---
Gentile [nome],
grazie per la segnalazione. Il dott. [nome] della task force Identità Digitale ha
verificato la configurazione: il metadata del service provider era scaduto il 31.10.2025.
Lo abbiamo aggiornato; vi chiediamo di riprovare e, se l'errore persiste, di scrivere a
[e-mail] indicando l'orario del tentativo.

Un saluto,
[nome]
Help desk PAsS
`

func TestThread(t *testing.T) {
	r := Redact(thread, Options{})
	checkInvariants(t, thread, r)
	if r.Text != threadRedacted {
		t.Errorf("redacted thread:\n%s", r.Text)
		for _, rm := range r.Removals {
			t.Logf("%s %q", rm.Kind, rm.Original)
		}
	}
}

func TestThreadWithOptions(t *testing.T) {
	o := Options{Names: []string{"Giulia Ferrari", "Luca Moretti"}, Ente: []string{"Comune di Cantù", "Cantù"}}
	r := Redact(thread, o)
	checkInvariants(t, thread, r)
	want := map[Kind]int{KindName: 6, KindEnte: 2, KindAddress: 2, KindEmail: 3, KindPhone: 2, KindFiscalCode: 1}
	got := map[Kind]int{}
	for _, rm := range r.Removals {
		got[rm.Kind]++
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d removals, want %d (%+v)", k, got[k], n, r.Removals)
		}
	}
}

package redact

import (
	"strings"
	"testing"
)

// checkInvariants: every removal's Original is the text at its offsets, removals are ordered
// and disjoint, and Text is the original with each removal replaced by its placeholder.
func checkInvariants(t *testing.T, text string, r Result) {
	t.Helper()
	prev := 0
	var b strings.Builder
	for _, rm := range r.Removals {
		if rm.Start < prev || rm.End <= rm.Start || rm.End > len(text) {
			t.Fatalf("removal out of order or range: %+v (prev end %d, len %d)", rm, prev, len(text))
		}
		if text[rm.Start:rm.End] != rm.Original {
			t.Fatalf("Original %q != text[%d:%d] %q", rm.Original, rm.Start, rm.End, text[rm.Start:rm.End])
		}
		b.WriteString(text[prev:rm.Start])
		b.WriteString(rm.Replacement)
		prev = rm.End
	}
	b.WriteString(text[prev:])
	if b.String() != r.Text {
		t.Fatalf("Text is not the original with the placeholders:\n got %q\nwant %q", r.Text, b.String())
	}
}

type found struct {
	text string
	kind Kind
	orig string // the expected removal ("" for the whole text)
}

func testFound(t *testing.T, o Options, cases []found) {
	t.Helper()
	for _, c := range cases {
		r := Redact(c.text, o)
		checkInvariants(t, c.text, r)
		want := c.orig
		if want == "" {
			want = c.text
		}
		ok := false
		for _, rm := range r.Removals {
			if rm.Original == want && rm.Kind == c.kind {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%q: want %s %q removed, got %+v", c.text, c.kind, want, r.Removals)
		}
	}
}

func TestFiscalCode(t *testing.T) {
	testFound(t, Options{}, []found{
		{"CF RSSMRA85T10A562S", KindFiscalCode, "RSSMRA85T10A562S"},
		{"codice fiscale: rssmra85t10a562s.", KindFiscalCode, "rssmra85t10a562s"},
		{"(omocodia) RSSMRA85T10A56NH", KindFiscalCode, "RSSMRA85T10A56NH"},
		{"RSSMRAURTMLARSNL", KindFiscalCode, ""},
		{"la signora, c.f. BNCNNA90A41F205W, chiede", KindFiscalCode, "BNCNNA90A41F205W"},
		{"VRDGPP70M01L736J", KindFiscalCode, ""},
	})
	for _, s := range []string{
		"RSSMRA85T10A562X",    // wrong check character
		"RSSMRA85Z10A562S",    // no such month
		"RSSMRA85T99A562S",    // no such day
		"XRSSMRA85T10A562S",   // 17 characters
		"ABCDEFGHIJKLMNOP",    // shape
		"1234567890123456",    // digits
		"CUP J41B21000120006", // a CUP is 15 characters
	} {
		if r := Redact(s, Options{}); len(r.Removals) != 0 {
			t.Errorf("%q: want nothing removed, got %+v", s, r.Removals)
		}
	}
}

func TestEmail(t *testing.T) {
	testFound(t, Options{}, []found{
		{"scrivere a mario.rossi@comune.cantu.co.it.", KindEmail, "mario.rossi@comune.cantu.co.it"},
		{"PEC: protocollo.comune.cantu@pec.regione.lombardia.it", KindEmail, "protocollo.comune.cantu@pec.regione.lombardia.it"},
		{"<anna_bianchi+spid@gmail.com>", KindEmail, "anna_bianchi+spid@gmail.com"},
		{"mario.rossi [at] comune.it", KindEmail, ""},
		{"mario.rossi(at)comune(dot)it", KindEmail, ""},
		{"scrivete a m.rossi [chiocciola] comune [punto] it grazie", KindEmail, "m.rossi [chiocciola] comune [punto] it"},
		{"MARIO.ROSSI@COMUNE.IT", KindEmail, ""},
	})
	for _, s := range []string{"@mario", "a@b", "user@localhost", "prezzo 5 @ 10 euro", "[at] the end", "ore 10 (at) sede"} {
		if r := Redact(s, Options{}); len(r.Removals) != 0 {
			t.Errorf("%q: want nothing removed, got %+v", s, r.Removals)
		}
	}
}

func TestPhone(t *testing.T) {
	testFound(t, Options{}, []found{
		{"tel. 02 1234567", KindPhone, "02 1234567"},
		{"chiamare lo 031-123456", KindPhone, "031-123456"},
		{"tel 031/123 456", KindPhone, "031/123 456"},
		{"cell. 333 123 4567", KindPhone, "333 123 4567"},
		{"mi trova al 3331234567 dopo le 15", KindPhone, "3331234567"},
		{"+39 333 1234567", KindPhone, ""},
		{"+393331234567", KindPhone, ""},
		{"0039 02 12345678", KindPhone, ""},
		{"+39 (0)31 123456", KindPhone, ""},
		{"Tel: 0341.123456", KindPhone, "0341.123456"},
		{"il mio numero è 347 12 34 567", KindPhone, "347 12 34 567"},
		{"fax 031 - 123456", KindPhone, "031 - 123456"},
		{"+41 91 123 45 67", KindPhone, ""},
		{"ufficio 031 2288111, interno 4", KindPhone, "031 2288111"},
		{"(031) 123456", KindPhone, "(031) 123456"},
		// without a phone word before them
		{"Ufficio: 02 1234567.", KindPhone, "02 1234567"},
		{"oppure 031-123456", KindPhone, "031-123456"},
		{"oppure 031/123 456", KindPhone, "031/123 456"},
		{"Anna 333 123 4567", KindPhone, "333 123 4567"},
		{"0039 333 1234567", KindPhone, "0039 333 1234567"},
	})
}

// Administrative sentences with numbers that are not phone numbers (nor anything else).
var untouched = []string{
	"Ai sensi dell'art. 12 comma 3 della legge 241/1990.",
	"Visto il D.Lgs. 50/2016 e il D.Lgs. n. 36/2023, nonché il DPR 445/2000.",
	"La determina n. 123 del 12/03/2025 è stata pubblicata il 03/12/2025.",
	"Il termine scade il 31.12.2025; la proroga al 01-03-2026.",
	"L'importo è di 1.234.567 euro, pari a € 300.000.000 nel triennio.",
	"Stanziati 3.500.000 € e 300.000.000 di euro.",
	"Prot. n. 12345 del 2025; prot. 0012345/2025; prot. n. 0312345678.",
	"CIG 3456789012 e CUP J41B21000120006.",
	"Codice ISTAT 013075, codice catastale C933, codice IPA c_c933.",
	"Nel 2024 e nel 2025 gli anni di riferimento; anni 2021-2026.",
	"La pratica n. 3331234567 è chiusa.",
	"Ticket #3331234567 risolto.",
	"La P.IVA del Comune è 00743110157; C.F. 80003530138.",
	"Il numero verde 800 123 456 è attivo dalle 9.00 alle 13.00.",
	"Ore 09:30 - 12:30, aula 3, piano 2.",
	"Popolazione: 40.123 abitanti al 31/12/2024.",
	"Il Comune di Milano, la Regione Lombardia e la Provincia di Como.",
	"La task force Transizione Digitale della Regione ha risposto.",
	"Il Responsabile Unico del Procedimento ha firmato.",
	"Il Sindaco pro tempore del Comune di Cantù.",
	"Inviata via PEC il 12 marzo, via e-mail il 13.",
	"Il corso di formazione del 2025 dura 12 ore.",
	"Ai sensi del Regolamento (UE) 2016/679 (GDPR), art. 13.",
	"La legge 7 agosto 1990, n. 241 e il DPCM 22/02/2013.",
	"Versione 2.3.1 del software, build 20250312.",
	"Misura 1.4.4 del PNRR, investimento 1.4, M1C1.",
	"Buongiorno, Le scrivo per un problema con SPID.",
	"Gentile Utente, la richiesta è stata presa in carico.",
	"Grazie per la risposta, il problema è risolto.",
	"Cordiali saluti\nUfficio Servizi Demografici\nComune di Cantù",
	"Spett.le Comune di Cantù, Ufficio Tecnico",
	"Il decreto 12 febbraio 2025 n. 3 e l'allegato 2.",
	"Si allega la nota prot. 2025/0012345 del 04/12/2025.",
	"Codice fiscale dell'ente: 00743110157.",
	"Il nodo dei pagamenti pagoPA e l'app IO.",
	"La scadenza è fissata alle ore 12.00 del 15.01.2026.",
	"Importo: 3.000,00 euro (tremila/00).",
	"Articoli 107 e 109 del TUEL (D.Lgs. 267/2000).",
	"Punteggio 30/30, graduatoria n. 3.",
	"Il ticket 0312345 è collegato alla richiesta 3312.",
	"Via libera della Giunta alla delibera 33 del 2025.",
	"in corso di verifica 3 pratiche",
	"Il Presidente della Regione e il Direttore Generale.",
	"Con la deliberazione di Giunta Comunale n. 45/2025.",
	"Il funzionario Istruttore Direttivo dell'Area Tecnica.",
	"Il dirigente Area Servizi alla Persona e il responsabile Servizi Informativi.",
	"Gentile Cliente, Gentile Utente, Gentile Dirigente.",
	"I servizi sono Online dal 2024.",
	"Saluti\n\nServizio Sistemi Informativi",
	"Grazie.\nPAsS",
	"Ciao a tutti,\nvi aggiorno sulla migrazione.",
	"Il CAP è 22063 e il prefisso 031.",
	"Sono 3.456 le pratiche, 12 gli enti e 031 il prefisso.",
	"Rif. 0312345678 del 01/02/2025.",
	"Codice univoco ufficio UF1234, IPA c_b639.",
}

func TestUntouched(t *testing.T) {
	for _, s := range untouched {
		r := Redact(s, Options{})
		checkInvariants(t, s, r)
		if len(r.Removals) != 0 {
			t.Errorf("%q: want nothing removed, got %+v", s, r.Removals)
		}
	}
}

func TestAddress(t *testing.T) {
	testFound(t, Options{}, []found{
		{"abito in via Roma 12.", KindAddress, "via Roma 12"},
		{"Via G. Garibaldi, 5/A", KindAddress, ""},
		{"piazza del Duomo 1", KindAddress, ""},
		{"viale Lombardia 23/B, 22063 Cantù (CO)", KindAddress, ""},
		{"Corso Vittorio Emanuele II, n. 45 - 20122 Milano MI", KindAddress, ""},
		{"largo Augusto 3", KindAddress, ""},
		{"vicolo Stretto 2 bis", KindAddress, ""},
		{"Strada Statale 36 km", KindAddress, "Strada Statale 36"},
		{"località Cascina Nuova, 22010 Gera Lario", KindAddress, ""},
		{"frazione Vighizzolo 4", KindAddress, ""},
		{"via XX Settembre 10", KindAddress, ""},
		{"via 4 Novembre 3, Cantù (CO)", KindAddress, ""},
		{"v.le Monza 120", KindAddress, ""},
		{"p.zza Garibaldi 1", KindAddress, ""},
		{"via dell'Indipendenza 7", KindAddress, ""},
		{"via Sant'Ambrogio 11", KindAddress, ""},
	})
	for _, s := range []string{"via Roma", "in via preliminare 3 pratiche", "piazza pulita", "corso 2025", "corso Excel 2026", "via PEC 2"} {
		if r := Redact(s, Options{}); len(r.Removals) != 0 {
			t.Errorf("%q: want nothing removed, got %+v", s, r.Removals)
		}
	}
}

func TestIBAN(t *testing.T) {
	testFound(t, Options{}, []found{
		{"IBAN IT60X0542811101000000123456", KindIBAN, "IT60X0542811101000000123456"},
		{"IBAN: IT60 X054 2811 1010 0000 0123 456.", KindIBAN, "IT60 X054 2811 1010 0000 0123 456"},
		{"it66a0306909606100000012345", KindIBAN, ""},
	})
	r := Redact("IBAN IT61X0542811101000000123456", Options{}) // wrong check digits
	for _, rm := range r.Removals {
		if rm.Kind == KindIBAN {
			t.Errorf("invalid IBAN removed: %+v", rm)
		}
	}
}

func TestVAT(t *testing.T) {
	s := "P.IVA 00743110157, CF 80003530138, pratica n. 01234567890"
	if r := Redact(s, Options{}); r.Text != s {
		t.Errorf("partite IVA kept by default: got %q", r.Text)
	}
	r := Redact(s, Options{RemoveVAT: true})
	checkInvariants(t, s, r)
	if want := "P.IVA [partita IVA], CF [partita IVA], pratica n. 01234567890"; r.Text != want {
		t.Errorf("RemoveVAT:\n got %q\nwant %q", r.Text, want)
	}
}

func TestTitledNames(t *testing.T) {
	testFound(t, Options{}, []found{
		{"il sig. Mario Rossi ha chiamato", KindName, "Mario Rossi"},
		{"la sig.ra Anna Bianchi", KindName, "Anna Bianchi"},
		{"Sig.na Chiara De Luca", KindName, "Chiara De Luca"},
		{"il dott. Rossi", KindName, "Rossi"},
		{"la dott.ssa M. Bianchi", KindName, "M. Bianchi"},
		{"Ing. Paolo Verdi", KindName, "Paolo Verdi"},
		{"arch. Laura Neri, avv. Luca Gialli, geom. Marco Blu, prof. Ugo Foscolo", KindName, "Ugo Foscolo"},
		{"arch. Laura Neri, avv. Luca Gialli", KindName, "Laura Neri"},
		{"il sindaco Mario Rossi", KindName, "Mario Rossi"},
		{"la signora Anna Bianchi", KindName, "Anna Bianchi"},
		{"l'assessore Giovanni Esposito", KindName, "Giovanni Esposito"},
		{"il Sig. ROSSI MARIO", KindName, "ROSSI MARIO"},
		{"Buongiorno Mario,\ncome da accordi", KindName, "Mario"},
		{"Gentile Anna Bianchi,", KindName, "Anna Bianchi"},
		{"il collega Stefano D'Angelo", KindName, "Stefano D'Angelo"},
	})
}

func TestSignatures(t *testing.T) {
	cases := []struct{ text, want string }{
		{"Cordiali saluti,\nMario Rossi", "Cordiali saluti,\n[nome]"},
		{"Distinti saluti\n\nAnna Maria Bianchi\nUfficio Anagrafe", "Distinti saluti\n\n[nome]\nUfficio Anagrafe"},
		{"Saluti\nMARIO ROSSI", "Saluti\n[nome]"},
		{"Grazie!\nLuca", "Grazie!\n[nome]"},
		{"Best regards,\nJohn Smith", "Best regards,\n[nome]"},
		{"Grazie e cordiali saluti.\nDott. Paolo Verdi\nComune di Cantù", "Grazie e cordiali saluti.\nDott. [nome]\nComune di Cantù"},
		{"Cordiali saluti, Mario Rossi", "Cordiali saluti, [nome]"},
		{"Cordiali saluti\nIl Responsabile del Servizio\nGiulia Neri", "Cordiali saluti\nIl Responsabile del Servizio\n[nome]"},
		{"Cordiali saluti\nMario Rossi - Ufficio Tecnico", "Cordiali saluti\n[nome] - Ufficio Tecnico"},
		{"Saluti\nComune di Cantù\nServizi Demografici", "Saluti\nComune di Cantù\nServizi Demografici"},
		{"Grazie\nIl problema persiste.", "Grazie\nIl problema persiste."},
	}
	for _, c := range cases {
		r := Redact(c.text, Options{})
		checkInvariants(t, c.text, r)
		if r.Text != c.want {
			t.Errorf("%q:\n got %q\nwant %q", c.text, r.Text, c.want)
		}
	}
}

func TestNames(t *testing.T) {
	o := Options{Names: []string{"Mario Rossi", "Anna Maria De Luca", "Bianchi, Gian Paolo"}}
	cases := []struct{ text, want string }{
		{"ho parlato con Mario Rossi", "ho parlato con [nome]"},
		{"ho parlato con mario rossi", "ho parlato con [nome]"},
		{"MARIO ROSSI ha scritto", "[nome] ha scritto"},
		{"Rossi Mario ha scritto", "[nome] ha scritto"},
		{"Rossi, Mario ha scritto", "[nome] ha scritto"},
		{"M. Rossi ha scritto", "[nome] ha scritto"},
		{"M.Rossi ha scritto", "[nome] ha scritto"},
		{"Rossi M. ha scritto", "[nome] ha scritto"},
		{"come dice Rossi, il problema", "come dice [nome], il problema"},
		{"ciao Mario!", "ciao [nome]!"},
		{"i rossi e i bianchi", "i rossi e i bianchi"},
		{"la signora De Luca", "la signora [nome]"},
		{"Anna Maria De Luca e de luca anna maria", "[nome] e [nome]"},
		{"A. De Luca", "[nome]"},
		{"Gian Paolo Bianchi, Bianchi Gian Paolo, G. Bianchi", "[nome], [nome], [nome]"},
		{"il vino bianco", "il vino bianco"},
		{"Mario\nRossi", "[nome]"},
	}
	for _, c := range cases {
		r := Redact(c.text, o)
		checkInvariants(t, c.text, r)
		if r.Text != c.want {
			t.Errorf("%q:\n got %q\nwant %q", c.text, r.Text, c.want)
		}
	}
	// a surname that is a word of the ente's names is matched only with the given name
	o = Options{Names: []string{"Luca Cantù"}, Ente: nil}
	if r := Redact("Cantù e Luca Cantù", Options{Names: o.Names, Ente: []string{}}); r.Text != "[nome] e [nome]" {
		t.Errorf("got %q", r.Text)
	}
	r := Redact("Comune di Cantù e Luca Cantù", Options{Names: o.Names, Ente: []string{"Comune di Cantù"}})
	if r.Text != "[ente] e [nome]" {
		t.Errorf("got %q", r.Text)
	}
}

func TestEnte(t *testing.T) {
	s := "Il Comune di Cantù (Cantù, CO) e il comune di cantù; Cantùrino no."
	if r := Redact(s, Options{}); r.Text != s {
		t.Errorf("ente kept without Options.Ente: %q", r.Text)
	}
	r := Redact(s, Options{Ente: []string{"Comune di Cantù", "Cantù"}})
	checkInvariants(t, s, r)
	if want := "Il [ente] ([ente], CO) e il [ente]; Cantùrino no."; r.Text != want {
		t.Errorf("\n got %q\nwant %q", r.Text, want)
	}
	for _, rm := range r.Removals {
		if rm.Kind != KindEnte {
			t.Errorf("kind %s", rm.Kind)
		}
	}
}

func TestOverlaps(t *testing.T) {
	// a known name inside an address: the address (longer) wins, one removal
	s := "abita in via Mario Rossi 12, 22063 Cantù (CO)"
	r := Redact(s, Options{Names: []string{"Mario Rossi"}, Ente: []string{"Cantù"}})
	checkInvariants(t, s, r)
	if len(r.Removals) != 1 || r.Removals[0].Kind != KindAddress || r.Text != "abita in [indirizzo]" {
		t.Errorf("got %q %+v", r.Text, r.Removals)
	}
	// a name inside an e-mail address
	s = "Mario Rossi <mario.rossi@rossi.it>"
	r = Redact(s, Options{Names: []string{"Mario Rossi"}})
	checkInvariants(t, s, r)
	if r.Text != "[nome] <[e-mail]>" {
		t.Errorf("got %q", r.Text)
	}
	// partial overlaps merge into one removal spanning both
	c := merge([]cand{{0, 5, KindName}, {3, 12, KindAddress}, {12, 14, KindPhone}})
	if len(c) != 2 || c[0] != (cand{0, 12, KindAddress}) || c[1] != (cand{12, 14, KindPhone}) {
		t.Errorf("merge: %+v", c)
	}
}

func TestPlaceholders(t *testing.T) {
	s := "Mario Rossi, tel. 333 1234567"
	r := Redact(s, Options{Names: []string{"Mario Rossi"}, Placeholders: map[Kind]string{KindName: "[name]", KindPhone: "[phone]"}})
	checkInvariants(t, s, r)
	if r.Text != "[name], tel. [phone]" {
		t.Errorf("got %q", r.Text)
	}
}

func TestHighlight(t *testing.T) {
	s := "Sono Mario Rossi, tel. 333 1234567."
	r := Redact(s, Options{Names: []string{"Mario Rossi"}})
	segs := Highlight(s, r)
	var orig, red strings.Builder
	marked := 0
	for _, g := range segs {
		orig.WriteString(g.Text)
		if g.Removed != nil {
			marked++
			if g.Text != g.Removed.Original {
				t.Errorf("segment %q != removal %q", g.Text, g.Removed.Original)
			}
		}
	}
	if orig.String() != s || marked != 2 || len(segs) != 5 {
		t.Errorf("Highlight: %q, %d marked, %d segments", orig.String(), marked, len(segs))
	}
	for _, g := range HighlightRedacted(s, r) {
		red.WriteString(g.Text)
	}
	if red.String() != r.Text {
		t.Errorf("HighlightRedacted: %q != %q", red.String(), r.Text)
	}
	if segs := Highlight("short", r); len(segs) != 1 || segs[0].Removed != nil {
		t.Errorf("a Result of another text: %+v", segs)
	}
}

func TestBirthDate(t *testing.T) {
	testFound(t, Options{}, []found{
		{"nato il 12/03/1985 a Como", KindBirthDate, "12/03/1985"},
		{"nata a Cantù (CO) il 1.3.85", KindBirthDate, "1.3.85"},
		{"Data di nascita: 12 marzo 1985", KindBirthDate, "12 marzo 1985"},
		{"Mario Rossi, nato a S. Giovanni il 04-11-1960, residente", KindBirthDate, "04-11-1960"},
	})
	for _, s := range []string{"nato nel 1985", "la nascita del servizio il 12 del mese", "nati 3 progetti", "nato il 123/03/1985"} {
		if r := Redact(s, Options{}); len(r.Removals) != 0 {
			t.Errorf("%q: want nothing removed, got %+v", s, r.Removals)
		}
	}
}

func TestPhoneAfterNumero(t *testing.T) {
	testFound(t, Options{}, []found{
		{"il mio numero 3471234567 è cambiato", KindPhone, "3471234567"},
		{"numero di telefono: 0312 45678", KindPhone, "0312 45678"},
	})
}

func TestNamesWithTitlesAndSingleWords(t *testing.T) {
	o := Options{Names: []string{"Dott.ssa Anna Bianchi", "Sig. Rossi, Mario", "Beppe", "Re"}}
	cases := []struct{ text, want string }{
		{"la dott.ssa Anna Bianchi e A. Bianchi", "la dott.ssa [nome] e [nome]"},
		{"Rossi Mario e Mario Rossi", "[nome] e [nome]"},
		{"Beppe ha scritto a beppe", "[nome] ha scritto a beppe"},
		{"il re e Re", "il re e Re"}, // two letters: too short to match alone
	}
	for _, c := range cases {
		r := Redact(c.text, o)
		checkInvariants(t, c.text, r)
		if r.Text != c.want {
			t.Errorf("%q:\n got %q\nwant %q", c.text, r.Text, c.want)
		}
	}
}

func TestQuotedSignature(t *testing.T) {
	s := "> Cordiali saluti,\n> Mario Rossi\n> Ufficio Tributi"
	r := Redact(s, Options{})
	checkInvariants(t, s, r)
	if want := "> Cordiali saluti,\n> [nome]\n> Ufficio Tributi"; r.Text != want {
		t.Errorf("\n got %q\nwant %q", r.Text, want)
	}
}

// Letters whose lower case is shorter or longer than themselves, and broken UTF-8.
func TestOddText(t *testing.T) {
	for _, s := range []string{"\u212a", "\u212aT60", "\u0130stanbul", "\u1e9e", "\xff\xfe@x.it", "sig. \u212aelvin", "a\u00a0via Roma\u00a012"} {
		r := Redact(s, Options{Names: []string{"\u212aelvin \u0130nce"}, Ente: []string{"\u1e9e"}})
		checkInvariants(t, s, r)
	}
}

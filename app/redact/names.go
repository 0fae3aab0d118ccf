package redact

import (
	"strings"
	"unicode/utf8"
)

// Abbreviated titles, matched at the start of a word, case-insensitively, longest first.
var titleAbbrev = []string{"dott.ssa", "dr.ssa", "prof.ssa", "sig.ra", "sig.na", "sigg.ri", "sigg.",
	"gent.mo", "gent.ma", "gent.mi", "egr.", "sig.", "dott.", "dr.", "ing.", "arch.", "avv.", "geom.",
	"prof.", "rag.", "p.i.", "per.ind.", "mons.", "f.to", "sen.", "on.le", "ill.mo"}

// Title and role words, matched as whole words (an elided article is dropped: "l'assessore").
var roleWords = set("signor", "signora", "signorina", "sindaco", "sindaca", "vicesindaco",
	"vicesindaca", "assessore", "assessora", "consigliere", "consigliera", "segretario",
	"segretaria", "collega", "dottor", "dottore", "dottoressa", "ingegner", "ingegnere",
	"architetto", "avvocato", "avvocata", "geometra", "professor", "professore", "professoressa",
	"ragioniere", "direttore", "direttrice", "presidente", "dirigente", "funzionario",
	"funzionaria", "responsabile", "referente", "operatore", "operatrice", "esperto", "esperta",
	"rup", "delegato", "delegata", "richiedente", "dipendente", "impiegato", "impiegata",
	"firmato", "sottoscritto", "sottoscritta", "mr", "mrs", "ms", "dr",
	"sono", "chiamo") // self-introductions: "sono Giulia Ferrari", "mi chiamo Anna"

// Greetings that open a message: the capitalised words right after them are a name.
var greetWords = set("buongiorno", "buonasera", "salve", "ciao", "gentile", "gentilissimo",
	"gentilissima", "egregio", "egregia", "caro", "cara", "carissimo", "carissima", "dear", "hi",
	"hello")

// Capitalised words that are never a person's name after a title or in a signature: offices,
// institutions, roles, pronouns of courtesy, articles, acronyms of the PA.
var notNameWords = set("comune", "comuni", "regione", "provincia", "città", "metropolitana",
	"ufficio", "uffici", "servizio", "servizi", "settore", "area", "ente", "enti", "stato",
	"repubblica", "italia", "ministero", "dipartimento", "agenzia", "unione", "consorzio", "giunta",
	"consiglio", "segreteria", "anagrafe", "tributi", "protocollo", "polizia", "locale", "task",
	"force", "team", "gruppo", "direzione", "sportello", "centro", "scuola", "istituto",
	"università", "azienda", "società", "camera", "tribunale", "prefettura", "questura",
	"carabinieri", "procura", "corte", "autorità", "garante", "cittadino", "cittadina",
	"cittadini", "utente", "utenti", "responsabile", "responsabili", "generale", "unico",
	"scolastico", "tecnico", "tecnica", "amministrativo", "amministrativa", "comunale",
	"provinciale", "regionale", "nazionale", "centrale", "territoriale", "finanziario",
	"legale", "operativo", "pro", "tempore", "vicario", "aggiunto", "capo", "informatico",
	"digitale", "transizione", "procedimento", "protezione", "dati", "privacy", "sindaco",
	"sindaca", "assessore", "direttore", "presidente", "segretario", "dirigente", "dottore",
	"dottoressa", "signore", "signora", "signori", "ingegnere", "architetto", "avvocato",
	"professore", "collega", "colleghi", "tutti", "tutte", "le", "la", "lei", "lo", "gli", "il",
	"i", "un", "una", "uno", "vi", "voi", "ella", "sua", "suo", "loro", "io", "noi", "ci", "mi",
	"ti", "spid", "pec", "cie", "anpr", "pa", "urp", "suap", "sue", "pnrr", "agid", "inps",
	"inail", "asl", "ats", "caf", "isee", "imu", "tari", "iva", "faq", "pdf", "ok", "grazie",
	"saluti", "cordiali", "distinti", "buongiorno", "buonasera", "gennaio", "febbraio", "marzo",
	"aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre",
	"dicembre", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica",
	"via", "piazza", "corso", "viale", "oggetto", "allegato", "allegati", "nota", "note",
	"richiesta", "risposta", "ticket", "re", "fw", "fwd", "r", "pass", "passhub", "portale",
	"piattaforma", "help", "desk", "assistenza", "supporto", "staff", "redazione", "newsroom",
	"esperto", "esperta", "esperti", "operatore", "operatori", "referente", "funzionario",
	"delegato", "per", "con", "e", "ed", "o", "od", "che", "non", "se", "ma", "come",
	"istruttore", "istruttrice", "direttivo", "direttiva", "specialista", "collaboratore",
	"collaboratrice", "esecutore", "posizione", "organizzativa", "elevata", "qualificazione",
	"titolare", "incaricato", "incaricata", "cliente", "clienti", "online", "web", "app",
	"ditta", "impresa", "studio", "ministro", "prefetto", "questore", "onorevole", "senatore", "commissario", "procuratore")

// Particles that may stand inside a surname ("De Luca", "Di Stefano", "La Rosa", "van der").
var nameParticles = set("de", "di", "da", "del", "della", "dello", "dal", "dalla", "la", "lo", "li",
	"van", "von", "der", "den", "dei", "degli", "mc", "mac", "le", "du", "dos", "das")

// personName reads 1–3 name words at i (after a blank): capitalised words, ALL-CAPS ones when
// caps is set, initials ("M."), particles inside. It returns the span of the name or ok=false.
func personName(s string, i int, caps bool) (int, int, bool) {
	j := skipSpaces(s, i, 3)
	start, last, words := j, -1, 0
	for n := 0; n < 5 && words < 3; n++ {
		e := wordEnd(s, j)
		if e == j {
			break
		}
		w := s[j:e]
		lw := lower(w)
		if notNameWords[lw] && !(nameParticles[lw] && last >= 0) && !(nameParticles[lw] && n == 0 && nextCapital(s, e)) {
			break
		}
		switch {
		case e-j == 1 && upperFirst(w) && e < len(s) && s[e] == '.': // initial
			e++
			if last < 0 && start != j {
				start = j
			}
		case nameParticles[lw] && nextCapital(s, e):
		case titleCase(w) || (caps && allUpper(w)):
			words++
			last = e
		default:
			n = 99
			continue
		}
		k := skipSpaces(s, e, 2)
		if k == e && s[e-1] != '.' {
			break
		}
		j = k
	}
	if last < 0 {
		return 0, 0, false
	}
	return start, last, true
}

// nextCapital: the word after the blank at e starts with a capital.
func nextCapital(s string, e int) bool {
	k := skipSpaces(s, e, 2)
	if k == e {
		return false
	}
	r, _ := decode(s, k)
	return upperFirst(string(r))
}

// titleAt returns the end of a title or role word at token t, and whether it is a role word
// (followed by title-case names only) rather than an abbreviated title.
func titleAt(s string, t token) (int, bool, bool) {
	// every abbreviation has its dot right after its first word
	for _, a := range titleAbbrev {
		if t.end >= len(s) || s[t.end] != '.' || t.end-t.start > 5 {
			break
		}
		if hasPrefixFold(s, t.start, a) {
			e := t.start + len(a)
			if e < len(s) {
				r, _ := decode(s, e)
				if isWordRune(r) && !upperFirst(string(r)) {
					continue
				}
			}
			return e, false, true
		}
	}
	if t.flags&flagRole != 0 {
		return t.end, true, true
	}
	return 0, false, false
}

func findTitledNames(s string, toks []token, c []cand) []cand {
	for _, t := range toks {
		if e, role, ok := titleAt(s, t); ok {
			if st, en, ok := personName(s, e, !role); ok {
				c = append(c, cand{st, en, KindName})
			}
			continue
		}
		if t.flags&flagGreet != 0 && lineStart(s, t.start) {
			if st, en, ok := personName(s, t.end, false); ok && nameEnds(s, en) {
				c = append(c, cand{st, en, KindName})
			}
		}
	}
	return c
}

// nameEnds: after a greeting, the name is followed by punctuation or the end of the line
// ("Buongiorno Mario," but not "Buongiorno Le scrivo").
func nameEnds(s string, e int) bool {
	k := skipSpaces(s, e, 3)
	if k >= len(s) {
		return true
	}
	return strings.IndexByte(",.!;:\r\n", s[k]) >= 0
}

// Closing formulas: a line ending with one of them is followed by a signature.
var closings = []string{"cordiali saluti", "distinti saluti", "saluti cordiali", "saluti",
	"cordialmente", "grazie", "grazie mille", "un saluto", "un cordiale saluto", "buona giornata",
	"buona serata", "buon lavoro", "best regards", "kind regards", "regards", "thanks",
	"thank you", "in fede", "a presto", "ringraziando", "ringrazio", "la ringrazio", "vi ringrazio",
	"con osservanza", "rispettosi saluti", "cari saluti", "un caro saluto", "ciao", "a disposizione",
	"resto a disposizione", "restiamo a disposizione", "best", "cheers", "sincerely"}

// findSignatures finds the name that signs a message: on the same line after a closing formula
// ("Cordiali saluti, Mario Rossi") or on one of the next two non-blank lines, when the line is
// only 1–3 capitalised words (a title before them allowed).
func findSignatures(s string, c []cand) []cand {
	for ls := 0; ls < len(s); {
		le := strings.IndexByte(s[ls:], '\n')
		if le < 0 {
			le = len(s)
		} else {
			le += ls
		}
		line := s[ls:le]
		if len(line) <= 120 {
			if rest, ok := closingLine(line); ok {
				if rest >= 0 {
					if st, en, ok := personName(s, ls+rest, true); ok && lineEnds(s, en) {
						c = append(c, cand{st, en, KindName})
					}
				} else {
					c = signatureBelow(s, le, c)
				}
			}
		}
		ls = le + 1
	}
	return c
}

// closingLine tells whether the line ends with a closing formula (rest == -1) or starts with
// one followed by a comma and more words (rest: offset of those words).
func closingLine(line string) (int, bool) {
	if !closingWords[lastWord(line)] && !closingWords[firstWord(line)] {
		return 0, false // the cheap test: no formula starts or ends with this word
	}
	t := strings.TrimRight(strings.ToLower(line), " \t\r,.!;:-–")
	lead := len(t) - len(strings.TrimLeft(t, " \t>"))
	t = t[lead:]
	if t == "" {
		return 0, false
	}
	for _, f := range closings {
		if strings.HasSuffix(t, f) {
			b := len(t) - len(f)
			if b == 0 || !isWordByteBefore(t, b) {
				return -1, true
			}
		}
	}
	for _, f := range closings {
		if strings.HasPrefix(t, f) && len(t) > len(f) && (t[len(f)] == ',' || t[len(f)] == '.') {
			return lead + len(f) + 1, true
		}
	}
	return 0, false
}

// closingWords are the first and last words of the closing formulas.
var closingWords = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range closings {
		ws := strings.Fields(f)
		m[ws[0]], m[ws[len(ws)-1]] = true, true
	}
	return m
}()

func lastWord(line string) string {
	e := len(line)
	for e > 0 {
		r, w := utf8.DecodeLastRuneInString(line[:e])
		if isWordRune(r) {
			break
		}
		e -= w
	}
	b := e
	for b > 0 {
		r, w := utf8.DecodeLastRuneInString(line[:b])
		if !isWordRune(r) {
			break
		}
		b -= w
	}
	return lower(line[b:e])
}

func firstWord(line string) string {
	i := 0
	for i < len(line) {
		r, w := decode(line, i)
		if isWordRune(r) {
			break
		}
		i += w
	}
	return lower(line[i:wordEnd(line, i)])
}

func isWordByteBefore(t string, b int) bool {
	r, _ := utf8.DecodeLastRuneInString(t[:b])
	return isWordRune(r)
}

// lineEnds: nothing but blanks and punctuation, or a separator (" - ", "|", "(") before the end
// of the line.
func lineEnds(s string, e int) bool {
	k := skipSpaces(s, e, 3)
	if k >= len(s) || s[k] == '\n' || s[k] == '\r' {
		return true
	}
	return strings.IndexByte(",-–|(/", s[k]) >= 0 || strings.HasPrefix(s[k:], "–")
}

func signatureBelow(s string, from int, c []cand) []cand {
	ls := from + 1
	for seen, blanks := 0, 0; ls < len(s) && seen < 2 && blanks < 3; {
		le := strings.IndexByte(s[ls:], '\n')
		if le < 0 {
			le = len(s)
		} else {
			le += ls
		}
		line := s[ls:le]
		if strings.TrimSpace(line) == "" {
			blanks++
			ls = le + 1
			continue
		}
		seen++
		i := ls
		for i < le && (s[i] == ' ' || s[i] == '\t' || s[i] == '>') {
			i++ // blanks and the marks of a quoted reply
		}
		e := wordEnd(s, i)
		if e > i {
			if te, role, ok := titleAt(s, token{start: i, end: e, lower: lower(s[i:e]), flags: wordFlags[lower(s[i:e])]}); ok && !role {
				i = te
			}
		}
		if st, en, ok := personName(s, i, true); ok && st == skipSpaces(s, i, 3) && lineEnds(s, en) {
			return append(c, cand{st, en, KindName})
		}
		ls = le + 1
	}
	return c
}

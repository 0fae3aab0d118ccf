package redact

import (
	"strings"
	"unicode/utf8"
)

// Words that, just before a number, say it is a phone number.
var phoneWords = set("tel", "telef", "telefono", "telefonico", "telefonica", "telefoni",
	"cell", "cel", "cellulare", "mobile", "mob", "fax", "recapito", "recapiti", "chiamare",
	"chiamarmi", "chiamami", "contattare", "contattarmi", "whatsapp", "centralino", "phone", "ph",
	"telephone", "call")

// Words that, right before a number, make it a count or a reference ("n. 12345").
var numberWords = set("n", "nr", "num", "no", "nn")

// Words that, just before a number (or one word before), say it is anything but a phone
// number.
var notPhoneWords = set("prot", "protocollo", "art", "artt",
	"articolo", "comma", "commi", "legge", "l", "lgs", "dlgs", "dpr", "dl", "dm", "dpcm", "decreto",
	"cig", "smartcig", "cup", "istat", "codice", "cod", "pratica", "ticket", "id", "iva", "piva",
	"cf", "fiscale", "determina", "determinazione", "delibera", "deliberazione", "reg", "rep",
	"repertorio", "fascicolo", "iban", "conto", "importo", "euro", "eur", "matricola", "cap",
	"lotto", "ore", "pos", "posizione", "rif", "riferimento", "circolare", "nota", "allegato",
	"verbale", "ordinanza", "sentenza", "fattura", "ordine", "mandato", "reversale", "impegno",
	"capitolo", "versione", "release", "build", "seriale", "pin", "puk", "otp", "tessera",
	"carta", "documento", "passaporto", "patente", "badge", "cie", "abi", "cab", "cin", "ipa",
	"aoo", "uo", "codici", "pari", "totale", "anno", "anni", "bando",
	"avviso", "procedura", "gara", "decr", "reg.", "ue", "dgr", "dgp", "dcc", "dgc", "rg")

func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

type group struct {
	start, end int
	sep        byte // the separator before the group, 0 for the first
}

// phoneStartOK tells whether a number may start at i: not in the middle of a word, a code or
// a figure such as 1.234.567.
func phoneStartOK(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, w := utf8.DecodeLastRuneInString(s[:i])
	if isWordRune(r) || r == '€' || r == '$' || r == '#' {
		return false
	}
	if strings.ContainsRune("./,-+_", r) && i-w > 0 {
		p, _ := utf8.DecodeLastRuneInString(s[:i-w])
		if isWordRune(p) {
			return false
		}
	}
	return true
}

func findPhones(s string, c []cand) []cand {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !isDigit(b) && b != '+' {
			continue
		}
		if phoneStartOK(s, i) {
			if end, ok := parsePhone(s, i); ok {
				st := i
				if i > 0 && s[i-1] == '(' && strings.IndexByte(s[i:end], ')') > 0 {
					st = i - 1 // "(031) 123456"
				}
				c = append(c, cand{st, end, KindPhone})
				i = end - 1
				continue
			}
		}
		for i+1 < len(s) && (isDigit(s[i+1]) || s[i+1] == '+') {
			i++
		}
	}
	return c
}

// parsePhone reads an Italian (or +CC foreign) phone number at i.
func parsePhone(s string, i int) (int, bool) {
	j := i
	intl := "" // "39" for Italy, another country code, or "" for none
	if s[j] == '+' {
		k := j + 1
		for k < len(s) && isDigit(s[k]) && k-j <= 3 {
			k++
		}
		if k == j+1 {
			return 0, false
		}
		if strings.HasPrefix(s[j+1:], "39") {
			intl, j = "39", j+3
		} else {
			intl, j = s[j+1:k], k
		}
	} else if strings.HasPrefix(s[j:], "0039") {
		intl, j = "39", j+4
	}
	if intl != "" {
		if j < len(s) && (s[j] == ' ' || s[j] == '-' || s[j] == '.') {
			j++
		}
		if j+1 < len(s) && s[j] == '(' && isDigit(s[j+1]) { // +39 (0)31 …
			j++
		}
		if j >= len(s) || !isDigit(s[j]) {
			return 0, false
		}
	}
	var gs [7]group
	n, total := 0, 0
	for n < len(gs) {
		k := j
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k == j || k-j > 11 {
			break
		}
		var sep byte
		if n > 0 {
			sep = s[gs[n-1].end]
			if sep == ')' {
				sep = ' '
			}
		}
		gs[n] = group{j, k, sep}
		n++
		total += k - j
		if total > 13 {
			break
		}
		// next separator: one of " -/." alone, or " - ", " / "
		if k+1 < len(s) && strings.IndexByte(" -/.)", s[k]) >= 0 && isDigit(s[k+1]) {
			j = k + 1
			continue
		}
		if k+1 < len(s) && s[k] == ')' && s[k+1] == ' ' && k+2 < len(s) && isDigit(s[k+2]) {
			j = k + 2
			continue
		}
		if k+3 < len(s) && s[k] == ' ' && (s[k+1] == '-' || s[k+1] == '/') && s[k+2] == ' ' && isDigit(s[k+3]) {
			j = k + 3
			continue
		}
		break
	}
	if n == 0 {
		return 0, false
	}
	before := prevWords(s, i, 3)
	keyword := false
	for _, w := range before {
		if phoneWords[w] {
			keyword = true
		}
	}
	if !keyword {
		for k, w := range before {
			if (k < 2 && notPhoneWords[w]) || (k == 0 && numberWords[w]) {
				return 0, false
			}
		}
		if moneyBefore(s, i) {
			return 0, false
		}
	}
	for k := n; k >= 1; k-- {
		end := gs[k-1].end
		if end < len(s) {
			r, _ := decode(s, end)
			if isWordRune(r) {
				continue
			}
			if strings.IndexByte(",./-", s[end]) >= 0 && end+1 < len(s) && isDigit(s[end+1]) {
				continue
			}
		}
		if phoneShapeOK(s, gs[:k], intl, keyword) && !moneyAfter(s, end) {
			return end, true
		}
	}
	return 0, false
}

func phoneShapeOK(s string, gs []group, intl string, keyword bool) bool {
	var d strings.Builder
	for _, g := range gs {
		d.WriteString(s[g.start:g.end])
	}
	digits := d.String()
	k := len(gs)
	// dates: 03/12/2025, 3.12.25, 03-12-2025
	if k == 3 && gs[1].sep == gs[2].sep && strings.IndexByte("/.-", gs[1].sep) >= 0 {
		l0, l1, l2 := gs[0].end-gs[0].start, gs[1].end-gs[1].start, gs[2].end-gs[2].start
		if l0 <= 2 && l1 <= 2 && (l2 == 2 || l2 == 4) {
			return false
		}
	}
	// figures: 3.500.000, 300.000.000
	if k >= 2 {
		thousands := gs[0].end-gs[0].start <= 3
		for _, g := range gs[1:] {
			if g.sep != '.' || g.end-g.start != 3 {
				thousands = false
			}
		}
		if thousands {
			return false
		}
		// number/year: 0001234/2025
		last := gs[k-1]
		if last.sep == '/' && last.end-last.start == 4 && (strings.HasPrefix(s[last.start:], "19") || strings.HasPrefix(s[last.start:], "20")) {
			return false
		}
	}
	if intl != "" && intl != "39" {
		return len(digits) >= 6 && len(digits) <= 13
	}
	if strings.HasPrefix(digits, "0") && intl == "39" && len(digits) > 1 && digits[1] == '0' {
		return false
	}
	switch digits[0] {
	case '0': // landline: area code 0x…, 6 to 11 digits
		min := 8
		if keyword || intl == "39" {
			min = 6
		}
		if len(digits) < min || len(digits) > 11 || digits[1] == '0' {
			return false
		}
		if k == 1 && len(digits) == 11 && !keyword && validVAT(digits) {
			return false // a partita IVA
		}
		return true
	case '3': // mobile: 3xx, 9 or 10 digits
		return len(digits) >= 9 && len(digits) <= 10 && digits[1] != '0'
	}
	return false
}

func moneyBefore(s string, i int) bool {
	j := i
	for j > 0 && (s[j-1] == ' ' || s[j-1] == '\t') {
		j--
	}
	return strings.HasSuffix(s[:j], "€") || strings.HasSuffix(s[:j], "$")
}

func moneyAfter(s string, end int) bool {
	j := skipSpaces(s, end, 3)
	if strings.HasPrefix(s[j:], "€") {
		return true
	}
	e := wordEnd(s, j)
	w := lower(s[j:e])
	if w == "euro" || w == "eur" || w == "mq" || w == "abitanti" {
		return true
	}
	return false
}

package redact

import "strings"

// Street words, matched as whole words (case-insensitively), and their abbreviations.
var streetWords = set("via", "viale", "piazza", "piazzale", "piazzetta", "corso", "largo",
	"vicolo", "vico", "strada", "stradone", "località", "frazione", "contrada", "borgo",
	"lungomare", "lungolago", "lungarno", "lungotevere", "salita", "discesa", "circonvallazione",
	"traversa", "calle", "rione", "galleria", "vial", "piazzola")
var streetAbbrev = []string{"v.le", "p.zza", "p.za", "p.le", "p.tta", "c.so", "l.go", "loc.", "fraz.", "str.", "vic.", "c.da"}

// Lower-case words allowed inside a street or city name.
var placeParticles = set("del", "della", "dello", "dei", "degli", "delle", "di", "da", "dal",
	"dalla", "dai", "al", "alla", "allo", "ai", "agli", "alle", "e", "ed", "de", "d", "sul", "sulla",
	"sui", "in", "a", "nel", "nella", "san", "santa", "santo", "sant", "per", "lo", "la", "le", "il")

// streetAt returns the end of a street word starting at token t, or -1.
func streetAt(s string, t token) int {
	if t.flags&flagStreet != 0 {
		return t.end
	}
	if t.end >= len(s) || s[t.end] != '.' || t.end-t.start > 4 {
		return -1 // every abbreviation has its dot right after its first word
	}
	for _, a := range streetAbbrev {
		if hasPrefixFold(s, t.start, a) {
			return t.start + len(a)
		}
	}
	return -1
}

func findAddresses(s string, toks []token, c []cand) []cand {
	for ti := 0; ti < len(toks); ti++ {
		t := toks[ti]
		p := streetAt(s, t)
		if p < 0 {
			continue
		}
		end := address(s, p)
		if end < 0 {
			continue
		}
		c = append(c, cand{t.start, end, KindAddress})
		for ti+1 < len(toks) && toks[ti+1].start < end {
			ti++
		}
	}
	return c
}

// placeName reads a street or city name at i: up to max words, capitalised or particles
// (or a leading number before a capitalised word, "4 Novembre"), initials with their dot. It
// returns the end of the last capitalised word, or -1.
func placeName(s string, i, max int, allowNumber bool) int {
	j := skipSpaces(s, i, 3)
	if j == i && i > 0 && s[i-1] != '.' && s[i-1] != ' ' && s[i-1] != '\t' {
		return -1
	}
	last := -1
	for n := 0; n < max; n++ {
		e := wordEnd(s, j)
		if e == j {
			break
		}
		w := s[j:e]
		lw := lower(w)
		switch {
		case titleCase(w) || (allUpper(w) && !notNameWords[lw]) || (upperFirst(w) && e-j == 1):
			if e < len(s) && s[e] == '.' && e-j <= 2 { // initial: "G."
				e++
			}
			last = e
		case allDigits(w) && n == 0 && allowNumber:
			// "via 4 Novembre", "via XX Settembre": the number must be followed by a name
			nj := skipSpaces(s, e, 2)
			ne := wordEnd(s, nj)
			if nj == e || ne == nj || !titleCase(s[nj:ne]) {
				return -1
			}
		case placeParticles[lw] || elidedCapital(w):
			if elidedCapital(w) {
				last = e
			}
		default:
			return last
		}
		k := skipSpaces(s, e, 2)
		if k == e && !(e > 0 && s[e-1] == '.') {
			// words must be separated by a blank (or follow an initial's dot)
			if e < len(s) && s[e] == '-' && e+1 < len(s) {
				k = e + 1
			} else {
				return last
			}
		}
		j = k
	}
	return last
}

// elidedCapital: "dell'Indipendenza", "d'Adda", "Sant'Ambrogio".
func elidedCapital(w string) bool {
	i := strings.IndexAny(w, "'’")
	if i < 0 {
		return false
	}
	r := w[i+1:]
	if strings.HasPrefix(w[i:], "’") {
		r = w[i+len("’"):]
	}
	return titleCase(r) || upperFirst(r)
}

// address reads, after a street word ending at p, the name, the civic number and an optional
// CAP, city and province. It returns the end or -1.
func address(s string, p int) int {
	ne := placeName(s, p, 7, true)
	if ne < 0 {
		return -1
	}
	if e := civic(s, ne); e > 0 {
		if e2 := capCity(s, e); e2 > 0 {
			return e2
		}
		return e
	}
	return capCity(s, ne)
}

// civic reads ", 5/A", " n. 12", " 12 bis", " civico 3" at i.
func civic(s string, i int) int {
	j := i
	if j < len(s) && s[j] == ',' {
		j++
	}
	j = skipSpaces(s, j, 3)
	if j == i {
		return -1
	}
	for _, p := range []string{"n.", "n°", "nr.", "n ", "civico ", "civ. ", "num. "} {
		if hasPrefixFold(s, j, p) {
			j = skipSpaces(s, j+len(p), 2)
			break
		}
	}
	k := j
	for k < len(s) && isDigit(s[k]) && k-j < 5 {
		k++
	}
	if k == j || k-j > 4 {
		return -1
	}
	if k-j == 4 && (strings.HasPrefix(s[j:], "19") || strings.HasPrefix(s[j:], "20")) {
		return -1 // a year, not a civic number
	}
	switch {
	case k+1 < len(s) && s[k] == '/' && isAlnumByte(s[k+1]):
		m := k + 1
		for m < len(s) && isAlnumByte(s[m]) && m-k <= 3 {
			m++
		}
		k = m
	case k+1 < len(s) && s[k] == '-' && isDigit(s[k+1]):
		m := k + 1
		for m < len(s) && isDigit(s[m]) && m-k <= 4 {
			m++
		}
		k = m
	case k < len(s) && isLetterByte(s[k]) && (k+1 == len(s) || !isAlnumByte(s[k+1])):
		k++
	default:
		for _, suf := range []string{" bis", " ter", "bis", "ter"} {
			if hasPrefixFold(s, k, suf) && (k+len(suf) == len(s) || !isAlnumByte(s[k+len(suf)])) {
				k += len(suf)
				break
			}
		}
	}
	if k < len(s) {
		r, _ := decode(s, k)
		if isWordRune(r) {
			return -1
		}
		if (s[k] == ',' || s[k] == '.') && k+1 < len(s) && isDigit(s[k+1]) {
			return -1
		}
	}
	return k
}

// capCity reads ", 22063 Cantù (CO)", " - 00184 Roma", ", Cantù (CO)" at i.
func capCity(s string, i int) int {
	j := i
	if j < len(s) && s[j] == ',' {
		j++
		// the CAP may go on the next line
		if strings.HasPrefix(s[j:], "\r\n") {
			j += 2
		} else if strings.HasPrefix(s[j:], "\n") {
			j++
		}
	} else if strings.HasPrefix(s[j:], " - ") || strings.HasPrefix(s[j:], " – ") {
		j += strings.Index(s[j+1:], " ") + 1
	}
	j = skipSpaces(s, j, 3)
	if j == i {
		return -1
	}
	k := j
	for k < len(s) && isDigit(s[k]) {
		k++
	}
	hasCAP := k-j == 5
	if k != j && !hasCAP {
		return -1
	}
	ce := placeName(s, k, 5, false)
	if ce < 0 {
		if hasCAP {
			return k
		}
		return -1
	}
	// province: " (CO)" or " CO"
	m := skipSpaces(s, ce, 2)
	if m+3 < len(s) && s[m] == '(' && isUpperASCII(s[m+1]) && isUpperASCII(s[m+2]) && s[m+3] == ')' {
		return m + 4
	}
	if hasCAP && m > ce && m+1 < len(s) && isUpperASCII(s[m]) && isUpperASCII(s[m+1]) && (m+2 == len(s) || !isAlnumByte(s[m+2])) {
		return m + 2
	}
	if !hasCAP {
		return -1 // a city without CAP counts only with its province
	}
	return ce
}

func isUpperASCII(b byte) bool { return 'A' <= b && b <= 'Z' }

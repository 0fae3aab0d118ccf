package redact

import "strings"

// Words after which a date is a date of birth: "nato il 12/03/1985", "nata a Como il 12 marzo
// 1985", "data di nascita: 12.03.1985".
var birthWords = set("nato", "nata", "nati", "nate", "nascita", "born", "birth")

var months = set("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
	"settembre", "ottobre", "novembre", "dicembre", "gen", "feb", "mar", "apr", "mag", "giu",
	"lug", "ago", "set", "ott", "nov", "dic")

// findBirthDates finds the first date within 48 bytes after a birth word, on the same line.
func findBirthDates(s string, toks []token, c []cand) []cand {
	for _, t := range toks {
		if t.flags&flagBirth == 0 {
			continue
		}
		for j := t.end; j < len(s) && j < t.end+48; j++ {
			if s[j] == '\n' || s[j] == ';' {
				break
			}
			if !isDigit(s[j]) {
				continue
			}
			if e := date(s, j); e > 0 && (j == 0 || !isAlnumByte(s[j-1])) {
				c = append(c, cand{j, e, KindBirthDate})
			}
			break
		}
	}
	return c
}

// date reads 12/03/1985, 12.03.85, 12-3-1985 or 12 marzo 1985 at i.
func date(s string, i int) int {
	digits := func(j, min, max int) int {
		k := j
		for k < len(s) && isDigit(s[k]) && k-j < max {
			k++
		}
		if k-j < min || (k < len(s) && isDigit(s[k])) {
			return -1
		}
		return k
	}
	d := digits(i, 1, 2)
	if d < 0 || d >= len(s) {
		return -1
	}
	if sep := s[d]; strings.IndexByte("/.-", sep) >= 0 {
		m := digits(d+1, 1, 2)
		if m < 0 || m >= len(s) || s[m] != sep {
			return -1
		}
		y := digits(m+1, 2, 4)
		if y < 0 || y-m-1 == 3 {
			return -1
		}
		return y
	}
	j := skipSpaces(s, d, 2)
	e := wordEnd(s, j)
	if j == d || !months[lower(s[j:e])] {
		return -1
	}
	if e < len(s) && s[e] == '.' {
		e++
	}
	k := skipSpaces(s, e, 2)
	if y := digits(k, 4, 4); k > e && y > 0 {
		return y
	}
	return -1
}

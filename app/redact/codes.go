package redact

import "strings"

// Odd-position values of the codice fiscale check character (positions 1, 3, 5, … counted
// from one), indexed by digit or letter.
var cfOddDigit = [10]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21}
var cfOddLetter = [26]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}

const omocodia = "LMNPQRSTUV" // the letters that replace digits 0–9 in an omocode

// validFiscalCode checks a person's 16-character codice fiscale (upper case): its shape, with
// omocodia letters allowed in the digit places, its month and day, and its check character.
func validFiscalCode(cf string) bool {
	if len(cf) != 16 {
		return false
	}
	digit := func(b byte) (int, bool) {
		if isDigit(b) {
			return int(b - '0'), true
		}
		if i := strings.IndexByte(omocodia, b); i >= 0 {
			return i, true
		}
		return 0, false
	}
	for i := 0; i < 16; i++ {
		b := cf[i]
		switch i {
		case 0, 1, 2, 3, 4, 5, 8, 11, 15:
			if b < 'A' || b > 'Z' {
				return false
			}
		default:
			if _, ok := digit(b); !ok {
				return false
			}
		}
	}
	if strings.IndexByte("ABCDEHLMPRST", cf[8]) < 0 {
		return false
	}
	d1, _ := digit(cf[9])
	d2, _ := digit(cf[10])
	day := d1*10 + d2
	if !(day >= 1 && day <= 31) && !(day >= 41 && day <= 71) {
		return false
	}
	sum := 0
	for i := 0; i < 15; i++ {
		b := cf[i]
		if i%2 == 0 {
			if isDigit(b) {
				sum += cfOddDigit[b-'0']
			} else {
				sum += cfOddLetter[b-'A']
			}
		} else {
			if isDigit(b) {
				sum += int(b - '0')
			} else {
				sum += int(b - 'A')
			}
		}
	}
	return cf[15] == byte('A'+sum%26)
}

// validVAT checks an 11-digit partita IVA (also the numeric codice fiscale of an ente or a
// company): its check digit.
func validVAT(d string) bool {
	if len(d) != 11 || !allDigits(d) || d[:7] == "0000000" {
		return false
	}
	sum := 0
	for i := 0; i < 10; i++ {
		v := int(d[i] - '0')
		if i%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return int(d[10]-'0') == (10-sum%10)%10
}

// validIBAN checks an Italian or San Marino IBAN (27 characters, upper case, no blanks): its
// shape and its mod-97 check digits.
func validIBAN(s string) bool {
	if len(s) != 27 || (s[:2] != "IT" && s[:2] != "SM") || !isDigit(s[2]) || !isDigit(s[3]) {
		return false
	}
	if s[4] < 'A' || s[4] > 'Z' || !allDigits(s[5:15]) {
		return false
	}
	for i := 15; i < 27; i++ {
		if !isDigit(s[i]) && (s[i] < 'A' || s[i] > 'Z') {
			return false
		}
	}
	m := 0
	for _, b := range []byte(s[4:] + s[:4]) {
		if isDigit(b) {
			m = (m*10 + int(b-'0')) % 97
		} else {
			m = (m*100 + int(b-'A') + 10) % 97
		}
	}
	return m == 1
}

// findCodes finds codici fiscali of people, IBANs and, when asked, partite IVA.
func findCodes(s string, toks []token, vat bool, c []cand) []cand {
	for _, t := range toks {
		w := s[t.start:t.end]
		switch {
		case len(w) == 16 && validFiscalCode(strings.ToUpper(w)):
			c = append(c, cand{t.start, t.end, KindFiscalCode})
		case len(t.lower) >= 2 && (t.lower[:2] == "it" || t.lower[:2] == "sm"):
			if end, ok := iban(s, t.start); ok {
				c = append(c, cand{t.start, end, KindIBAN})
			}
		case vat && len(w) == 11 && validVAT(w):
			c = append(c, cand{t.start, t.end, KindVAT})
		}
	}
	return c
}

// iban reads an IBAN at i, written whole or in groups split by single blanks.
func iban(s string, i int) (int, bool) {
	var b [27]byte
	n, j := 0, i
	for j < len(s) && n < 27 {
		if isAlnumByte(s[j]) {
			c := s[j]
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			b[n] = c
			n++
			j++
			continue
		}
		if s[j] == ' ' && n > 0 && j+1 < len(s) && isAlnumByte(s[j+1]) {
			j++
			continue
		}
		break
	}
	if n != 27 || (j < len(s) && isAlnumByte(s[j])) {
		return 0, false
	}
	return j, validIBAN(string(b[:]))
}

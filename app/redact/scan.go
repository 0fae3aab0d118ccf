package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is a word of the text: a maximal run of letters and digits, with apostrophes and
// hyphens kept when they join two letters ("D'Angelo", "Anna-Maria", "dell'Ufficio").
type token struct {
	start, end int
	lower      string
	flags      uint8 // which word lists the word is in (flagStreet, …)
}

const (
	flagStreet uint8 = 1 << iota
	flagRole
	flagGreet
	flagBirth
)

// wordFlags joins the word lists looked up for every token, so a token costs one look-up.
var wordFlags = func() map[string]uint8 {
	m := map[string]uint8{}
	for f, ws := range map[uint8]map[string]bool{flagStreet: streetWords, flagRole: roleWords, flagGreet: greetWords, flagBirth: birthWords} {
		for w := range ws {
			m[w] |= f
			for _, el := range []string{"l'", "l’"} {
				if f == flagRole {
					m[el+w] |= f
				}
			}
		}
	}
	return m
}()

func isJoiner(r rune) bool { return r == '\'' || r == '’' || r == '-' }

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// wordEnd returns the end of the word starting at i (i itself when none starts there).
func wordEnd(s string, i int) int {
	j := i
	for j < len(s) {
		r, w := decode(s, j)
		if isWordRune(r) {
			j += w
			continue
		}
		if isJoiner(r) && j > i {
			pr, _ := utf8.DecodeLastRuneInString(s[:j])
			nr, _ := decode(s, j+w)
			if unicode.IsLetter(pr) && unicode.IsLetter(nr) {
				j += w
				continue
			}
		}
		break
	}
	return j
}

func decode(s string, i int) (rune, int) {
	if i >= len(s) {
		return utf8.RuneError, 0
	}
	if s[i] < utf8.RuneSelf {
		return rune(s[i]), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

func tokenize(s string) []token {
	toks := make([]token, 0, len(s)/6+1)
	for i := 0; i < len(s); {
		r, w := decode(s, i)
		if !isWordRune(r) {
			i += w
			continue
		}
		j := wordEnd(s, i)
		lw := lower(s[i:j])
		if strings.Contains(lw, "’") {
			lw = strings.ReplaceAll(lw, "’", "'")
		}
		toks = append(toks, token{start: i, end: j, lower: lw, flags: wordFlags[lw]})
		i = j
	}
	return toks
}

func lower(w string) string {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return strings.ToLower(w)
		}
	}
	return w
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }
func isAlnumByte(b byte) bool {
	return isDigit(b) || ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z')
}
func isLetterByte(b byte) bool { return ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z') }

// upperFirst tells whether the word starts with an upper-case letter.
func upperFirst(w string) bool {
	r, _ := decode(w, 0)
	return unicode.IsUpper(r)
}

// titleCase: upper-case first letter, and some lower-case letter after it ("Rossi",
// "D'Angelo", "McDonald"), not an acronym.
func titleCase(w string) bool {
	if !upperFirst(w) {
		return false
	}
	for _, r := range w {
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

// allUpper: at least two letters, all upper case ("ROSSI").
func allUpper(w string) bool {
	n := 0
	for _, r := range w {
		if unicode.IsLetter(r) {
			if !unicode.IsUpper(r) {
				return false
			}
			n++
		} else if !isJoiner(r) {
			return false
		}
	}
	return n >= 2
}

func allDigits(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if !isDigit(w[i]) {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether s[i:] starts with p (ASCII p), case-insensitively.
func hasPrefixFold(s string, i int, p string) bool {
	return len(s)-i >= len(p) && strings.EqualFold(s[i:i+len(p)], p)
}

// skipSpaces skips blanks (spaces, tabs, no-break spaces) on the same line, at most max bytes.
func skipSpaces(s string, i, max int) int {
	j := i
	for j < len(s) && j-i < max {
		if s[j] == ' ' || s[j] == '\t' {
			j++
			continue
		}
		if strings.HasPrefix(s[j:], "\u00a0") {
			j += 2
			continue
		}
		break
	}
	return j
}

// lineStart tells whether only blanks precede i on its line.
func lineStart(s string, i int) bool {
	for j := i - 1; j >= 0; j-- {
		switch s[j] {
		case '\n', '\r':
			return true
		case ' ', '\t', '>', '-', '*':
			continue
		}
		return false
	}
	return true
}

// prevWords returns up to n words before i on the same line (lower case, nearest first),
// looking back at most 48 bytes.
func prevWords(s string, i, n int) []string {
	var out []string
	j := i
	limit := i - 48
	for len(out) < n && j > 0 && j > limit {
		// skip separators
		for j > 0 && j > limit {
			r, w := utf8.DecodeLastRuneInString(s[:j])
			if r == '\n' || r == '\r' {
				return out
			}
			if isWordRune(r) {
				break
			}
			j -= w
		}
		e := j
		for j > 0 && j > limit {
			r, w := utf8.DecodeLastRuneInString(s[:j])
			if !isWordRune(r) {
				break
			}
			j -= w
		}
		if e == j {
			break
		}
		out = append(out, lower(s[j:e]))
	}
	return out
}

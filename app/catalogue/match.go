package catalogue

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// matches reports whether every word appears in the procedure's code, title or summary or in its
// task force's title: as written, without accents ("attivita" finds "attività"), or with a typo
// (one letter in words of five or more, two in words of eight or more, also at the start of a
// longer word, so "autorizazione" and "autorizaz" find "autorizzazione").
func matches(p *Procedure, tf *TaskForce, words []string) bool {
	text := fold(p.Code + " " + p.Title + " " + p.Summary + " " + tf.Title)
	var tokens []string
	for _, w := range words {
		w = fold(w)
		if strings.Contains(text, w) {
			continue
		}
		if tokens == nil {
			tokens = strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		}
		if !nearAny(w, tokens) {
			return false
		}
	}
	return true
}

// typos is how many edits a word of n letters may carry.
func typos(n int) int {
	switch {
	case n >= 8:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}

func nearAny(w string, tokens []string) bool {
	n := utf8.RuneCountInString(w)
	max := typos(n)
	if max == 0 {
		return false
	}
	for _, t := range tokens {
		tr := []rune(t)
		if len(tr)+max < n {
			continue
		}
		if levenshtein.ComputeDistance(w, t) <= max {
			return true
		}
		// the start of a longer word, typed with a typo
		for _, l := range []int{n - 1, n, n + 1} {
			if l > 0 && l < len(tr) && levenshtein.ComputeDistance(w, string(tr[:l])) <= max {
				return true
			}
		}
	}
	return false
}

var accents = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// fold lowercases s and drops its accents.
func fold(s string) string {
	out, _, err := transform.String(accents, strings.ToLower(s))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}

package redact

import (
	"strings"
	"unicode/utf8"
)

// elem is one word of a form to match: a lower-case word, or an initial (a letter, with or
// without its dot in the text).
type elem struct {
	word    string
	initial bool
}

// form is a sequence of words to find in the text. capital: the text's last word must start
// with a capital letter (single-word and initial forms, so "rossi" or "bianco" in running
// text is left alone). comma: a comma may separate the first word from the rest ("Rossi,
// Mario").
type form struct {
	elems   []elem
	capital bool
	comma   bool
}

type forms map[string][]form // by the first word (or initial letter)

func (f forms) add(x form) {
	if len(x.elems) == 0 {
		return
	}
	k := x.elems[0].word
	for _, y := range f[k] {
		if sameForm(x, y) {
			return
		}
	}
	f[k] = append(f[k], x)
}

func sameForm(a, b form) bool {
	if len(a.elems) != len(b.elems) || a.capital != b.capital || a.comma != b.comma {
		return false
	}
	for i := range a.elems {
		if a.elems[i] != b.elems[i] {
			return false
		}
	}
	return true
}

func words(s string) []string {
	var out []string
	for _, t := range tokenize(s) {
		out = append(out, t.lower)
	}
	return out
}

func elems(ws []string) []elem {
	out := make([]elem, len(ws))
	for i, w := range ws {
		out[i] = elem{word: w}
	}
	return out
}

func initialOf(w string) elem {
	r, n := utf8.DecodeRuneInString(w)
	return elem{word: w[:n], initial: r != utf8.RuneError}
}

// buildNameVariants turns the caller's names into the forms matched:
//   - the name as given and with the surname first ("Mario Rossi", "Rossi Mario", "Rossi,
//     Mario"), in any case;
//   - the initial of the first given name with the surname, either order ("M. Rossi",
//     "Rossi M."), the surname capitalised in the text;
//   - the surname alone and the first given name alone, capitalised in the text, when they have
//     at least three letters and are not a word of the ente's names or an institutional word.
//
// The surname is the last word, with the particles before it ("De Luca", "Di Stefano"), or
// what comes before a comma ("Rossi, Mario").
func buildNameVariants(names, ente []string) forms {
	enteWords := map[string]bool{}
	for _, e := range ente {
		for _, w := range words(e) {
			enteWords[w] = true
		}
	}
	f := forms{}
	for _, n := range names {
		var given, sur []string
		if i := strings.IndexByte(n, ','); i >= 0 {
			sur, given = stripTitles(words(n[:i])), stripTitles(words(n[i+1:]))
		} else {
			ws := stripTitles(words(n))
			if len(ws) == 0 {
				continue
			}
			k := len(ws) - 1
			for k > 1 && nameParticles[ws[k-1]] {
				k--
			}
			given, sur = ws[:k], ws[k:]
		}
		if len(given)+len(sur) == 0 {
			continue
		}
		all := append(append([]string{}, given...), sur...)
		if len(all) > 1 {
			f.add(form{elems: elems(all)})
		}
		if len(given) > 0 && len(sur) > 0 {
			rev := append(append([]string{}, sur...), given...)
			f.add(form{elems: elems(rev)})
			if len(sur) == 1 {
				f.add(form{elems: elems(rev), comma: true})
			}
			ini := initialOf(given[0])
			f.add(form{elems: append([]elem{ini}, elems(sur)...), capital: true})
			f.add(form{elems: append(elems(sur), ini), capital: true})
		}
		single := func(ws []string) {
			if len(ws) == 0 {
				return
			}
			last := ws[len(ws)-1]
			if utf8.RuneCountInString(last) < 3 || notNameWords[last] || enteWords[last] || streetWords[last] {
				return
			}
			f.add(form{elems: elems(ws), capital: true})
		}
		single(sur)
		if len(given) > 0 {
			single(given[:1])
		}
	}
	return f
}

func buildEnteVariants(ente []string) forms {
	f := forms{}
	for _, e := range ente {
		f.add(form{elems: elems(words(e))})
	}
	return f
}

// findKnown finds the forms in the text, word by word.
func findKnown(s string, toks []token, f forms, kind Kind, c []cand) []cand {
	if len(f) == 0 {
		return c
	}
	for i, t := range toks {
		cands := f[t.lower] // an initial is keyed by its letter: the one-letter token
		best := -1
		for _, x := range cands {
			if e := matchForm(s, toks, i, x); e > best {
				best = e
			}
		}
		if best > 0 {
			c = append(c, cand{t.start, best, kind})
		}
	}
	return c
}

// matchForm matches x at token i, returning the end of the match or -1.
func matchForm(s string, toks []token, i int, x form) int {
	end := -1
	for k, e := range x.elems {
		ti := i + k
		if ti >= len(toks) {
			return -1
		}
		t := toks[ti]
		if t.lower != e.word {
			return -1
		}
		end = t.end
		if e.initial {
			if !upperFirst(s[t.start:t.end]) {
				return -1
			}
			if end < len(s) && s[end] == '.' {
				end++
			}
		}
		if k > 0 {
			gap := s[toks[ti-1].end:t.start]
			if x.elems[k-1].initial && strings.HasPrefix(gap, ".") {
				gap = gap[1:]
				if gap == "" {
					gap = " " // "M.Rossi"
				}
			}
			if x.comma && k == 1 && strings.HasPrefix(gap, ",") {
				gap = gap[1:]
			}
			if !blankGap(gap) {
				return -1
			}
		}
	}
	if x.capital && !upperFirst(s[toks[i+len(x.elems)-1].start:]) {
		return -1
	}
	return end
}

// blankGap: one to three blanks, or a single line break between the words.
func blankGap(g string) bool {
	if g == "" || len(g) > 4 {
		return false
	}
	for i := 0; i < len(g); i++ {
		if g[i] != ' ' && g[i] != '\t' && g[i] != '\n' && g[i] != '\r' {
			return strings.TrimSpace(strings.ReplaceAll(g, "\u00a0", " ")) == ""
		}
	}
	return true
}

// Title words a caller may leave at the start of a name ("Dott.ssa Anna Bianchi").
var titleStems = set("sig", "sigg", "dott", "dr", "ing", "arch", "avv", "geom", "prof", "rag",
	"signor", "signora", "signorina", "dottor", "dottore", "dottoressa", "ingegner", "avvocato",
	"architetto", "geometra", "professor", "professore", "professoressa", "mr", "mrs", "ms")
var titleTails = set("ra", "na", "ssa", "ri", "re")

func stripTitles(ws []string) []string {
	for len(ws) > 0 && titleStems[ws[0]] {
		ws = ws[1:]
		if len(ws) > 0 && titleTails[ws[0]] {
			ws = ws[1:]
		}
	}
	return ws
}

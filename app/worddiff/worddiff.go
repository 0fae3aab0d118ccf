// Package worddiff compares two texts word by word. Each word, run of spaces or punctuation mark
// becomes one token; tokens are mapped to runes (the line-mode trick of diffmatchpatch) so the
// diff works on whole words, whatever their accents, and never splits a character.
package worddiff

import (
	"strings"
	"unicode"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Kind says whether a piece of text is in both texts, only in the new one or only in the old one.
type Kind int

// Kinds of Op.
const (
	Equal Kind = iota
	Insert
	Delete
)

// Op is one piece of the difference.
type Op struct {
	Kind Kind
	Text string
}

// Insert and Delete tell the templates what the piece is.
func (o Op) Insert() bool { return o.Kind == Insert }
func (o Op) Delete() bool { return o.Kind == Delete }

// Tokens splits s into words (letters, digits and combining marks), runs of white space and
// single other characters (punctuation, symbols: "dell'ente" is "dell", "'", "ente").
func Tokens(s string) []string {
	var out []string
	rs := []rune(s)
	for i := 0; i < len(rs); {
		j := i + 1
		switch r := rs[i]; {
		case word(r):
			for j < len(rs) && word(rs[j]) {
				j++
			}
		case unicode.IsSpace(r):
			for j < len(rs) && unicode.IsSpace(rs[j]) {
				j++
			}
		}
		out = append(out, string(rs[i:j]))
		i = j
	}
	return out
}

func word(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) }

// Diff returns the word difference from a to b: concatenating the Equal and Delete pieces gives
// a, the Equal and Insert pieces b. Identical texts give one Equal piece (none when empty).
func Diff(a, b string) []Op {
	index := map[string]rune{}
	var tokens []string
	encode := func(s string) []rune {
		var out []rune
		for _, t := range Tokens(s) {
			r, ok := index[t]
			if !ok {
				r = rune(len(tokens) + 1)
				if r >= 0xD800 { // skip the surrogates: the runes must stay valid characters
					r += 0x800
				}
				index[t] = r
				tokens = append(tokens, t)
			}
			out = append(out, r)
		}
		return out
	}
	decode := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			if r >= 0xE000 {
				r -= 0x800
			}
			b.WriteString(tokens[r-1])
		}
		return b.String()
	}
	ra, rb := encode(a), encode(b)
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	diffs := dmp.DiffMainRunes(ra, rb, false)
	diffs = dmp.DiffCleanupSemantic(diffs)
	var out []Op
	for _, d := range diffs {
		op := Op{Text: decode(d.Text)}
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op.Kind = Insert
		case diffmatchpatch.DiffDelete:
			op.Kind = Delete
		}
		if op.Text == "" {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Kind == op.Kind {
			out[n-1].Text += op.Text
			continue
		}
		out = append(out, op)
	}
	return out
}

// Changed says whether the difference has any insertion or deletion.
func Changed(ops []Op) bool {
	for _, o := range ops {
		if o.Kind != Equal {
			return true
		}
	}
	return false
}

package redact

import (
	"sort"
	"strings"
)

// Kind is the kind of personal (or ente) data a removal took out.
type Kind string

// The kinds Redact finds.
const (
	KindName       Kind = "name"
	KindFiscalCode Kind = "fiscal_code"
	KindEmail      Kind = "email"
	KindPhone      Kind = "phone"
	KindAddress    Kind = "address"
	KindEnte       Kind = "ente"
	KindIBAN       Kind = "iban"
	KindVAT        Kind = "vat"
	KindBirthDate  Kind = "birth_date"
)

// DefaultPlaceholders are the Italian placeholders a removal is replaced with.
var DefaultPlaceholders = map[Kind]string{
	KindName:       "[nome]",
	KindFiscalCode: "[codice fiscale]",
	KindEmail:      "[e-mail]",
	KindPhone:      "[telefono]",
	KindAddress:    "[indirizzo]",
	KindEnte:       "[ente]",
	KindIBAN:       "[IBAN]",
	KindVAT:        "[partita IVA]",
	KindBirthDate:  "[data di nascita]",
}

// Removal is one stretch of the original text that Redact took out.
type Removal struct {
	Kind        Kind
	Original    string // the text removed, == original[Start:End]
	Start, End  int    // byte offsets in the original text
	Replacement string // the placeholder written in its place
}

// Options tell Redact what the caller knows about the text.
type Options struct {
	// Names are people's names known to the caller ("Mario Rossi", or "Rossi, Mario" to say
	// which part is the surname). See the package documentation for the forms matched.
	Names []string
	// Ente are the ente's names to remove ("Comune di Cantù", "Cantù"); nil keeps them.
	Ente []string
	// Placeholders override DefaultPlaceholders per kind.
	Placeholders map[Kind]string
	// RemoveVAT removes 11-digit numbers that validate as a partita IVA (or as the numeric
	// codice fiscale of an ente or company). They are kept by default: they are public data.
	RemoveVAT bool
}

// Result is the redacted text and what was removed from the original, in order.
type Result struct {
	Text     string
	Removals []Removal
}

type cand struct {
	start, end int
	kind       Kind
}

// kindRank breaks ties between overlapping finds of the same length.
var kindRank = map[Kind]int{
	KindIBAN: 0, KindFiscalCode: 1, KindEmail: 2, KindVAT: 3, KindPhone: 4,
	KindAddress: 5, KindName: 6, KindEnte: 7, KindBirthDate: 8,
}

// Redact removes personal data from text and says what it removed.
func Redact(text string, o Options) Result {
	toks := tokenize(text)
	var c []cand
	c = findEmails(text, c)
	c = findCodes(text, toks, o.RemoveVAT, c)
	c = findPhones(text, c)
	c = findAddresses(text, toks, c)
	c = findTitledNames(text, toks, c)
	c = findSignatures(text, c)
	c = findBirthDates(text, toks, c)
	if len(o.Names) > 0 {
		c = findKnown(text, toks, buildNameVariants(o.Names, o.Ente), KindName, c)
	}
	if len(o.Ente) > 0 {
		c = findKnown(text, toks, buildEnteVariants(o.Ente), KindEnte, c)
	}
	merged := merge(c)

	res := Result{Removals: make([]Removal, 0, len(merged))}
	var b strings.Builder
	b.Grow(len(text))
	prev := 0
	for _, m := range merged {
		ph, ok := o.Placeholders[m.kind]
		if !ok {
			ph = DefaultPlaceholders[m.kind]
		}
		b.WriteString(text[prev:m.start])
		b.WriteString(ph)
		prev = m.end
		res.Removals = append(res.Removals, Removal{
			Kind: m.kind, Original: text[m.start:m.end], Start: m.start, End: m.end, Replacement: ph,
		})
	}
	b.WriteString(text[prev:])
	res.Text = b.String()
	return res
}

// merge joins overlapping finds into one: it spans them all and takes the kind of the
// longest (ties: kindRank).
func merge(c []cand) []cand {
	out := c[:0:0]
	n := 0
	for _, x := range c {
		if x.end > x.start {
			c[n] = x
			n++
		}
	}
	c = c[:n]
	if n == 0 {
		return nil
	}
	sort.Slice(c, func(i, j int) bool {
		if c[i].start != c[j].start {
			return c[i].start < c[j].start
		}
		return c[i].end > c[j].end
	})
	cur, best := c[0], c[0]
	better := func(a, b cand) bool {
		la, lb := a.end-a.start, b.end-b.start
		if la != lb {
			return la > lb
		}
		return kindRank[a.kind] < kindRank[b.kind]
	}
	for _, x := range c[1:] {
		if x.start < cur.end {
			if x.end > cur.end {
				cur.end = x.end
			}
			if better(x, best) {
				best = x
			}
			continue
		}
		cur.kind = best.kind
		out = append(out, cur)
		cur, best = x, x
	}
	cur.kind = best.kind
	return append(out, cur)
}

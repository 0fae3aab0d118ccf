package search

import (
	"regexp"
	"strconv"
	"strings"
)

// Legal references ("D.Lgs. 152/2006", "d.lgs. n. 36/2023", "L. 241/1990", "decreto legislativo
// 3 aprile 2006, n. 152") are written in many ways. LegalRefs turns each into one canonical word,
// kind + number + "x" + year ("dlgs152x2006"), which the index keeps beside the text and the
// query parser looks for, so every way of writing a reference finds every other.

// legalKinds maps the ways each kind of act is written (lowercase, longest first within a kind's
// pattern) to its canonical prefix.
var legalKinds = []struct{ pattern, code string }{
	{`decreto\s+legislativo|d\.\s*lgs\.?|d\.\s*leg\.?vo|dlgs\.?|d\.lgs|dlg\.?`, "dlgs"},
	{`decreto\s+del\s+presidente\s+della\s+repubblica|d\.\s*p\.\s*r\.?|dpr\.?`, "dpr"},
	{`decreto\s+del\s+presidente\s+del\s+consiglio\s+dei\s+ministri|d\.\s*p\.\s*c\.\s*m\.?|dpcm\.?`, "dpcm"},
	{`decreto[-\s]+legge|d\.\s*l\.|d\.l\b|dl\b\.?`, "dl"},
	{`decreto\s+ministeriale|d\.\s*m\.|dm\b\.?`, "dm"},
	{`legge\s+regionale|l\.\s*r\.|l\.r\b|lr\b\.?`, "lr"},
	{`legge|l\.|l\b`, "l"},
}

const (
	legalNumber = `(?:n(?:r|um)?\.?\s*|numero\s+)?(\d{1,4})`
	legalDate   = `(?:\d{1,2}°?\s+\p{L}+\s+)?`
	legalYear   = `(\d{4}|\d{2})`
)

var legalRes = func() []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, k := range legalKinds {
		kind := `(?:^|[^\p{L}\d])(?:` + k.pattern + `)\s*,?\s*`
		// number then year: 152/2006, n. 152 del 2006, n. 36 del 31 marzo 2023
		out = append(out, regexp.MustCompile(`(?i)`+kind+legalNumber+`\s*(?:/\s*|,?\s+del(?:l')?\s+|\s+dell'\s*)`+legalDate+legalYear+`\b`))
		// date then number: 3 aprile 2006, n. 152
		out = append(out, regexp.MustCompile(`(?i)`+kind+`(?:del\s+)?`+legalDate+`(\d{4})\s*,?\s*(?:n(?:r|um)?\.?|numero)\s*(\d{1,4})\b`))
	}
	return out
}()

// LegalRefs returns the canonical words of the legal references in text, each once, in order.
func LegalRefs(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range legalMatches(text) {
		if !seen[m.word] {
			seen[m.word] = true
			out = append(out, m.word)
		}
	}
	return out
}

type legalMatch struct {
	start, end int // byte span of the reference in the text
	word       string
}

// legalMatches finds the references in text, leftmost first, without overlaps.
func legalMatches(text string) []legalMatch {
	var all []legalMatch
	for i, re := range legalRes {
		code := legalKinds[i/2].code
		numberFirst := i%2 == 0
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			number, year := text[m[2]:m[3]], text[m[4]:m[5]]
			if !numberFirst {
				number, year = year, number
			}
			y, ok := fullYear(year)
			n, err := strconv.Atoi(number)
			if !ok || err != nil || n == 0 {
				continue
			}
			start := m[0]
			for start < m[1] && !isRefStart(text[start]) {
				start++ // the separator before the kind is not part of the reference
			}
			all = append(all, legalMatch{start: start, end: m[1], word: code + strconv.Itoa(n) + "x" + strconv.Itoa(y)})
		}
	}
	// keep the leftmost, then longest, of overlapping matches
	var out []legalMatch
	for len(all) > 0 {
		best := 0
		for j, m := range all {
			if m.start < all[best].start || m.start == all[best].start && m.end > all[best].end {
				best = j
			}
		}
		b := all[best]
		out = append(out, b)
		kept := all[:0]
		for _, m := range all {
			if m.end <= b.start || m.start >= b.end {
				kept = append(kept, m)
			}
		}
		all = kept
	}
	return out
}

func isRefStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// fullYear reads a year of four digits, or of two ("241/90" is 1990, "36/23" is 2023).
func fullYear(s string) (int, bool) {
	y, err := strconv.Atoi(s)
	if err != nil {
		return 0, false
	}
	if len(s) == 2 {
		if y <= 40 {
			return 2000 + y, true
		}
		return 1900 + y, true
	}
	return y, y >= 1861 && y <= 2100
}

// withoutLegalRefs returns text with its references blanked out and their canonical words.
func withoutLegalRefs(text string) (string, []string) {
	ms := legalMatches(text)
	if len(ms) == 0 {
		return text, nil
	}
	var b strings.Builder
	var words []string
	at := 0
	for _, m := range sortByStart(ms) {
		b.WriteString(text[at:m.start])
		b.WriteString(" ")
		at = m.end
		words = append(words, m.word)
	}
	b.WriteString(text[at:])
	return b.String(), words
}

func sortByStart(ms []legalMatch) []legalMatch {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].start < ms[j-1].start; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
	return ms
}

// LegalSpans returns where text writes the references among refs (canonical words), for
// highlighting.
func LegalSpans(text string, refs []string) []Span {
	if len(refs) == 0 {
		return nil
	}
	var out []Span
	for _, m := range legalMatches(text) {
		for _, r := range refs {
			if m.word == r {
				out = append(out, Span{Start: m.start, End: m.end})
			}
		}
	}
	return out
}

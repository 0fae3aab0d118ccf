package search

import (
	"errors"
	"fmt"
	"html"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what Parse reads from the user's text.
const (
	MaxQueryBytes = 512 // longer text is cut
	MaxTerms      = 32  // words past this are dropped (terms, phrase words and exclusions together)
	MaxWordRunes  = 64  // longer words are cut
	MaxPerPage    = 100
	DefaultPage   = 10
	MaxOffset     = 10000 // deepest hit a query can page to
	SnippetChars  = 200
)

// ErrEmpty means a query has nothing to search for and no filters. Engines answer it with an
// empty Result, not an error.
var ErrEmpty = errors.New("search: empty query")

// FacetKeys are the facets a Query may filter on and count, in display order.
var FacetKeys = []string{"type", "task_force", "procedure", "year", "state", "ente",
	"doc_kind", "proc_type", "threshold", "basis", "status", "author"}

// IsFacetKey tells whether key is one of FacetKeys.
func IsFacetKey(key string) bool { return slices.Contains(FacetKeys, key) }

// Parsed is the user's text split into lowercased words, "quoted phrases", -excluded words and
// legal references (canonical words, see LegalRefs).
type Parsed struct {
	Terms, Phrases, Excluded []string
	Refs                     []string
	// Open is true when the text ends inside a word, the last of Terms: with Query.Prefix that
	// word is a prefix (as-you-type).
	Open bool
}

// Empty tells whether nothing positive is left to search for.
func (p Parsed) Empty() bool { return len(p.Terms) == 0 && len(p.Phrases) == 0 && len(p.Refs) == 0 }

// Parse splits text into terms, phrases and exclusions. It accepts any input: unbalanced quotes
// make the rest plain words, symbols and control characters separate words, and the text is cut
// to MaxQueryBytes and MaxTerms.
func Parse(text string) Parsed {
	if len(text) > MaxQueryBytes {
		text = text[:MaxQueryBytes]
		for len(text) > 0 && !utf8.RuneStart(text[len(text)-1]) {
			text = text[:len(text)-1]
		}
		// a rune cut in half at the end becomes U+FFFD below, which is a separator
	}
	text = strings.ToLower(strings.ToValidUTF8(text, " "))
	text, refs := withoutLegalRefs(text)

	var (
		p      Parsed
		n      int // words taken
		seen   = map[string]bool{}
		lastIn bool // the last token taken was a term ending the text
	)
	take := func() bool { n++; return n <= MaxTerms }
	for _, r := range refs {
		if !seen[r] && take() {
			seen[r] = true
			p.Refs = append(p.Refs, r)
		}
	}
	addTerm := func(w string, excluded, last bool) {
		if !take() {
			return
		}
		key := w
		if excluded {
			key = "-" + w
		}
		if seen[key] {
			if !excluded && last { // a repeated word ending the text moves last, where a prefix is looked for
				i := slices.Index(p.Terms, w)
				p.Terms = append(slices.Delete(p.Terms, i, i+1), w)
			}
			return
		}
		seen[key] = true
		if excluded {
			p.Excluded = append(p.Excluded, w)
		} else {
			p.Terms = append(p.Terms, w)
		}
	}

	rs := []rune(text)
	// a closing quote exists for position i when another '"' follows
	lastQuote := -1
	for i, r := range rs {
		if r == '"' {
			lastQuote = i
		}
	}
	i := 0
	for i < len(rs) {
		r := rs[i]
		switch {
		case r == '"' && i < lastQuote:
			// a phrase up to the next quote
			j := i + 1
			for rs[j] != '"' {
				j++
			}
			words := splitWords(rs[i+1 : j])
			var kept []string
			for _, w := range words {
				if take() {
					kept = append(kept, w)
				}
			}
			switch {
			case len(kept) == 1:
				n-- // addTerm counts it again
				addTerm(kept[0], false, false)
			case len(kept) > 1:
				ph := strings.Join(kept, " ")
				if !seen["\""+ph] {
					seen["\""+ph] = true
					p.Phrases = append(p.Phrases, ph)
				}
			}
			lastIn = false
			i = j + 1
		case isWordRune(r):
			j := i
			for j < len(rs) && (isWordRune(rs[j]) || isApostrophe(rs[j]) && j+1 < len(rs) && isWordRune(rs[j+1]) && j > i) {
				j++
			}
			excluded := i > 0 && rs[i-1] == '-' && (i == 1 || !isWordRune(rs[i-2]))
			addTerm(cutWord(rs[i:j]), excluded, j == len(rs))
			lastIn = !excluded && j == len(rs) && n <= MaxTerms
			i = j
		default:
			lastIn = false
			i++
		}
	}
	p.Open = lastIn && len(p.Terms) > 0
	return p
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' }

func cutWord(rs []rune) string {
	if len(rs) > MaxWordRunes {
		rs = rs[:MaxWordRunes]
	}
	return string(rs)
}

// splitWords returns the words inside a phrase.
func splitWords(rs []rune) []string {
	var out []string
	i := 0
	for i < len(rs) {
		if !isWordRune(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && (isWordRune(rs[j]) || isApostrophe(rs[j]) && j+1 < len(rs) && isWordRune(rs[j+1])) {
			j++
		}
		out = append(out, cutWord(rs[i:j]))
		i = j
	}
	return out
}

// Plan is a Query checked and normalised for an engine.
type Plan struct {
	Parsed
	Prefix        bool                // Parsed.Open and Query.Prefix: the last term is a prefix
	Alts          [][]string          // per term, the words or phrases that may stand for it (Query.Synonyms)
	Filters       map[string][]string // only facet keys, values deduplicated, empty keys dropped
	Listing       bool                // no text but filters: list matching docs, newest first
	Page, PerPage int
	Offset        int
}

// Prepare checks q and normalises it. It returns ErrEmpty when there is nothing to search for
// and no filter, and an error for a filter key outside FacetKeys.
func Prepare(q Query) (Plan, error) {
	pl := Plan{Parsed: Parse(q.Text), Filters: map[string][]string{}}
	for k, vs := range q.Filters {
		if !IsFacetKey(k) {
			return Plan{}, fmt.Errorf("search: unknown filter %q", k)
		}
		var clean []string
		for _, v := range vs {
			if v != "" && utf8.ValidString(v) && !slices.Contains(clean, v) {
				clean = append(clean, v)
			}
		}
		if len(clean) > 0 {
			pl.Filters[k] = clean
		}
	}
	pl.Prefix = q.Prefix && pl.Open
	if len(q.Synonyms) > 0 {
		pl.Alts = make([][]string, len(pl.Terms))
		for i, t := range pl.Terms {
			pl.Alts[i] = q.Synonyms[t]
		}
	}
	if pl.Empty() {
		if len(pl.Filters) == 0 {
			return Plan{}, ErrEmpty
		}
		pl.Listing = true
	}
	pl.Page, pl.PerPage = q.Page, q.PerPage
	if pl.PerPage <= 0 {
		pl.PerPage = DefaultPage
	}
	if pl.PerPage > MaxPerPage {
		pl.PerPage = MaxPerPage
	}
	if pl.Page < 1 {
		pl.Page = 1
	}
	if maxPage := MaxOffset/pl.PerPage + 1; pl.Page > maxPage {
		pl.Page = maxPage
	}
	pl.Offset = (pl.Page - 1) * pl.PerPage
	return pl, nil
}

// Facet is d's value for a facet key (one of FacetKeys), "" for none.
func (d Doc) Facet(key string) string {
	switch key {
	case "type":
		return d.Type
	case "task_force":
		return d.TaskForce
	case "procedure":
		return d.Procedure
	case "year":
		if d.Year == 0 {
			return ""
		}
		return strconv.Itoa(d.Year)
	case "state":
		return d.State
	case "ente":
		return d.Ente
	case "doc_kind":
		return d.DocKind
	case "proc_type":
		return d.ProcType
	case "threshold":
		return d.Threshold
	case "status":
		return d.Status
	case "author":
		return d.Author
	case "basis":
		if len(d.Basis) > 0 {
			return d.Basis[0]
		}
	}
	return ""
}

// FacetValues are d's values for a facet key: several for "basis", at most one for the others.
func (d Doc) FacetValues(key string) []string {
	if key == "basis" {
		var out []string
		for _, v := range d.Basis {
			if v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	if v := d.Facet(key); v != "" {
		return []string{v}
	}
	return nil
}

// SortFacets orders facet counts highest first, then by value.
func SortFacets(fc []FacetCount) {
	sort.Slice(fc, func(i, j int) bool {
		if fc[i].Count != fc[j].Count {
			return fc[i].Count > fc[j].Count
		}
		return fc[i].Value < fc[j].Value
	})
}

// Allows tells whether a user with access a may open d.
func (a Access) Allows(d Doc) bool {
	switch d.Audience {
	case AudienceMembers:
		return a.Members || a.Writers
	case AudienceWriters:
		return a.Writers
	}
	return d.Public || d.Ente != "" && slices.Contains(a.Entes, d.Ente) ||
		!d.Private && (a.All || d.TaskForce != "" && slices.Contains(a.TaskForces, d.TaskForce) ||
			a.User != "" && slices.Contains(d.Experts, a.User))
}

// Span is a match in a text: byte offsets [Start, End).
type Span struct{ Start, End int }

// Snippet returns about SnippetChars characters of text around the densest group of matches,
// HTML-escaped, with <mark>…</mark> around each match and "…" where the text was cut. Spans
// outside the text or not on character boundaries are ignored.
func Snippet(text string, spans []Span) string {
	spans = cleanSpans(text, spans)
	const width = SnippetChars
	if len(text) <= width {
		return render(text, 0, len(text), spans)
	}
	// pick the window holding most matches, starting a little before its first match
	start := 0
	if len(spans) > 0 {
		best, bestN := 0, 0
		for i := range spans {
			cnt := 0
			for j := i; j < len(spans) && spans[j].End <= spans[i].Start+width-30; j++ {
				cnt++
			}
			if cnt > bestN {
				best, bestN = i, cnt
			}
		}
		start = max(0, spans[best].Start-30)
	}
	end := min(len(text), start+width)
	if end == len(text) {
		start = max(0, end-width)
	}
	// move the cuts to word boundaries without splitting a match
	if start > 0 {
		if k := strings.IndexAny(text[start:min(len(text), start+25)], " \n\t"); k >= 0 && !inSpan(spans, start+k+1) {
			start += k + 1
		}
		for start < len(text) && !utf8.RuneStart(text[start]) {
			start++
		}
	}
	if end < len(text) {
		if k := strings.LastIndexAny(text[max(start, end-25):end], " \n\t"); k >= 0 {
			if e := max(start, end-25) + k; !inSpan(spans, e) {
				end = e
			}
		}
		for end < len(text) && !utf8.RuneStart(text[end]) {
			end++
		}
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString("… ")
	}
	b.WriteString(render(text, start, end, spans))
	if end < len(text) {
		b.WriteString(" …")
	}
	return b.String()
}

func inSpan(spans []Span, at int) bool {
	for _, s := range spans {
		if at > s.Start && at < s.End {
			return true
		}
	}
	return false
}

// cleanSpans sorts spans, drops invalid ones and merges overlaps.
func cleanSpans(text string, spans []Span) []Span {
	var out []Span
	for _, s := range spans {
		if s.Start < 0 || s.End > len(text) || s.Start >= s.End ||
			!utf8.RuneStart(text[s.Start]) || s.End < len(text) && !utf8.RuneStart(text[s.End]) {
			continue
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	merged := out[:0]
	for _, s := range out {
		if n := len(merged); n > 0 && s.Start <= merged[n-1].End {
			merged[n-1].End = max(merged[n-1].End, s.End)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// render escapes text[start:end] and marks the spans inside it, clipping those that cross the edges.
func render(text string, start, end int, spans []Span) string {
	var b strings.Builder
	at := start
	for _, s := range spans {
		if s.End <= start || s.Start >= end {
			continue
		}
		s.Start, s.End = max(s.Start, start), min(s.End, end)
		b.WriteString(html.EscapeString(text[at:s.Start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[s.Start:s.End]))
		b.WriteString("</mark>")
		at = s.End
	}
	b.WriteString(html.EscapeString(text[at:end]))
	return b.String()
}

// Unmark removes the pre and post tags an engine put around matches in text and returns the
// plain text with the spans they marked, for Snippet. Unbalanced tags are dropped.
func Unmark(text, pre, post string) (string, []Span) {
	var (
		b     strings.Builder
		spans []Span
		open  = -1
	)
	for len(text) > 0 {
		switch {
		case strings.HasPrefix(text, pre):
			if open < 0 {
				open = b.Len()
			}
			text = text[len(pre):]
		case strings.HasPrefix(text, post):
			if open >= 0 && b.Len() > open {
				spans = append(spans, Span{open, b.Len()})
			}
			open = -1
			text = text[len(post):]
		default:
			_, size := utf8.DecodeRuneInString(text)
			b.WriteString(text[:size])
			text = text[size:]
		}
	}
	return b.String(), spans
}

package bleve

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"passhub/app/search"
)

// Matching rules.
const (
	fuzzyMinRunes  = 5 // shorter words must match exactly (after stemming)
	fuzzyBelow     = 5 // exact matching finding fewer documents than this is retried with typos
	prefixMinRunes = 2 // shorter last words are not expanded as prefixes
	titleBoost     = 2.0
	facetSize      = 50   // values per facet
	facetTerms     = 5000 // values of all facets together, counted in one pass
)

var textFields = []string{"title", "body"}

// Search runs q: every term must match the title or the body (stemmed, with one typo allowed in
// words of 5 letters or more when the exact words find fewer than fuzzyBelow documents), phrases must match in order, excluded words must not match, and
// the access and facet filters narrow the matches without changing their scores.
func (e *Engine) Search(ctx context.Context, q search.Query) (search.Result, error) {
	pl, err := search.Prepare(q)
	if errors.Is(err, search.ErrEmpty) {
		return search.Result{}, nil
	}
	if err != nil {
		return search.Result{}, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.idx == nil {
		return search.Result{}, errClosed
	}

	// Exact words (after stemming) first; when they find almost nothing, again with one typo
	// allowed: a common word stays cheap, a mistyped one still finds its documents.
	res, fuzzed, err := e.run(ctx, pl, q, false, false)
	if err == nil && !fuzzed && res.Total < fuzzyBelow && e.fuzzable(pl) {
		res, _, err = e.run(ctx, pl, q, true, false)
	}
	// No document has every word: the best partial matches, those with most of the words first.
	partial := false
	if err == nil && res != nil && res.Total == 0 && !pl.Listing && len(pl.Terms)+len(pl.Phrases)+len(pl.Refs) > 1 {
		res, _, err = e.run(ctx, pl, q, e.fuzzable(pl), true)
		partial = true
	}
	if err != nil {
		return search.Result{}, err
	}
	if res == nil {
		return search.Result{}, nil // only stop words
	}

	out := search.Result{Total: int(res.Total), Partial: partial && res.Total > 0, Hits: make([]search.Hit, 0, len(res.Hits))}
	hl := e.highlighter(pl)
	for _, h := range res.Hits {
		typ, _, _ := strings.Cut(h.ID, ":")
		title, _ := h.Fields["title"].(string)
		body, _ := h.Fields["body"].(string)
		out.Hits = append(out.Hits, search.Hit{ID: h.ID, Type: typ, Score: h.Score, Snippet: hl.snippet(title, body)})
	}
	if q.Facets {
		out.Facets = facets(res.Facets[facetField])
	}
	return out, nil
}

// run builds and runs the query, with or without typo tolerance; a nil result means nothing to
// search for.
func (e *Engine) run(ctx context.Context, pl search.Plan, q search.Query, fuzzy, anyWord bool) (*bleve.SearchResult, bool, error) {
	bq := bleve.NewBooleanQuery()
	must := e.textClauses(pl, fuzzy)
	if len(must) == 0 {
		if len(pl.Filters) == 0 {
			return nil, true, nil
		}
		pl.Listing = true
	}
	if anyWord {
		bq.AddShould(must...)
		bq.SetMinShould(1)
	} else {
		bq.AddMust(must...)
	}
	for _, w := range pl.Excluded {
		if len(analyse(e.text, w)) > 0 {
			bq.AddMustNot(e.match(w, 0))
		}
	}
	if f := filter(pl.Filters, q.Access); f != nil {
		if len(must) == 0 {
			bq.AddMust(f) // a listing: the filters drive the search, nothing to score
		} else {
			bq.AddFilter(f)
		}
	}

	req := bleve.NewSearchRequestOptions(bq, pl.PerPage, pl.Offset, false)
	req.Fields = textFields // ties in score keep index order, so pages stay disjoint
	if pl.Listing {
		req.SortBy([]string{"-updated"})
		req.Score = "none"
	}
	if q.Facets {
		req.AddFacet(facetField, bleve.NewFacetRequest(facetField, facetTerms))
	}
	res, err := e.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fuzzy, fmt.Errorf("bleve: %w", err)
	}
	return res, fuzzy || pl.Listing, nil
}

// fuzzable reports whether a word of the query is long enough for a typo to be allowed.
func (e *Engine) fuzzable(pl search.Plan) bool {
	for _, t := range pl.Terms {
		if utf8.RuneCountInString(t) >= fuzzyMinRunes {
			return true
		}
	}
	return false
}

// textClauses returns one clause per term and phrase; words that are only stop words give none.
func (e *Engine) textClauses(pl search.Plan, fuzzy bool) []query.Query {
	var out []query.Query
	for i, t := range pl.Terms {
		stems := analyse(e.text, t)
		fuzz := 0
		if fuzzy && utf8.RuneCountInString(t) >= fuzzyMinRunes {
			fuzz = 1
		}
		var alts []query.Query
		if len(stems) > 0 {
			alts = append(alts, e.match(t, fuzz))
		}
		if i < len(pl.Alts) {
			for _, syn := range pl.Alts[i] {
				if len(analyse(e.text, syn)) > 0 {
					alts = append(alts, e.match(syn, 0)) // every word of a synonym, in the title or the body
				}
			}
		}
		if pl.Prefix && i == len(pl.Terms)-1 {
			// the word being typed: its lowercase form and its stem as prefixes
			seen := map[string]bool{}
			for _, toks := range [][]string{analyse(e.prefix, t), stems} {
				if len(toks) == 0 {
					continue
				}
				p := toks[len(toks)-1]
				if utf8.RuneCountInString(p) < prefixMinRunes || seen[p] {
					continue
				}
				seen[p] = true
				for _, f := range textFields {
					pq := bleve.NewPrefixQuery(p)
					pq.SetField(f)
					alts = append(alts, pq)
				}
			}
		}
		switch len(alts) {
		case 0:
		case 1:
			out = append(out, alts[0])
		default:
			out = append(out, bleve.NewDisjunctionQuery(alts...))
		}
	}
	for _, r := range pl.Refs {
		out = append(out, term("keywords", r))
	}
	for _, ph := range pl.Phrases {
		if len(analyse(e.text, ph)) == 0 {
			continue
		}
		var alts []query.Query
		for _, f := range textFields {
			mp := bleve.NewMatchPhraseQuery(ph)
			mp.SetField(f)
			mp.Analyzer = analyzerText
			if f == "title" {
				mp.SetBoost(titleBoost)
			}
			alts = append(alts, mp)
		}
		out = append(out, bleve.NewDisjunctionQuery(alts...))
	}
	return out
}

// match finds w, analysed, in the title or the body with fuzziness edits per word.
func (e *Engine) match(w string, fuzziness int) query.Query {
	var alts []query.Query
	for _, f := range textFields {
		m := bleve.NewMatchQuery(w)
		m.SetField(f)
		m.Analyzer = analyzerText
		m.SetFuzziness(fuzziness)
		m.SetOperator(query.MatchQueryOperatorAnd)
		if f == "title" {
			m.SetBoost(titleBoost)
		}
		alts = append(alts, m)
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// filter is the access clause and the facet filters, nil when nothing is filtered.
func filter(filters map[string][]string, a search.Access) query.Query {
	var and []query.Query
	// Public, or one of the subject's enti, or a staff clause, never on a private doc (a draft).
	or := []query.Query{term("public", "true")}
	for _, v := range a.Entes {
		if v != "" {
			or = append(or, term("ente", v))
		}
	}
	notPrivate := []query.Query{term("private", "true")}
	var staff []query.Query
	for _, v := range a.TaskForces {
		if v != "" {
			staff = append(staff, bleve.NewConjunctionQuery(term("task_force", v), term("public", "false")))
		}
	}
	if a.User != "" {
		staff = append(staff, term("experts", a.User))
	}
	switch {
	case a.All && len(or) == 1: // everything but drafts (public docs are never private)
		or = []query.Query{query.NewBooleanQuery(nil, nil, notPrivate)}
	case a.All:
		or = append(or, query.NewBooleanQuery(nil, nil, notPrivate))
	case len(staff) > 0:
		or = append(or, query.NewBooleanQuery([]query.Query{anyOf(staff)}, nil, notPrivate))
	}
	// the items open to a whole audience (the tender library)
	if a.Members || a.Writers {
		or = append(or, term("audience", search.AudienceMembers))
	}
	if a.Writers {
		or = append(or, term("audience", search.AudienceWriters))
	}
	and = append(and, anyOf(or))
	for _, k := range search.FacetKeys { // fixed order: the same query for the same filters
		vs := filters[k]
		if len(vs) == 0 {
			continue
		}
		var or []query.Query
		for _, v := range vs {
			or = append(or, term(k, v))
		}
		and = append(and, anyOf(or))
	}
	switch len(and) {
	case 0:
		return nil
	case 1:
		return and[0]
	}
	return bleve.NewConjunctionQuery(and...)
}

func anyOf(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return bleve.NewDisjunctionQuery(qs...)
}

func term(field, value string) query.Query {
	t := bleve.NewTermQuery(value)
	t.SetField(field)
	return t
}

func analyse(a analysis.Analyzer, s string) []string {
	var out []string
	for _, t := range a.Analyze([]byte(s)) {
		out = append(out, string(t.Term))
	}
	return out
}

// highlighter finds in a stored text the words the query matched, the way the query matched
// them: same stem, one edit away from a stem of 5 letters or more, or starting with the prefix.
// Highlighting the page of hits this way is cheaper than asking the index for the match
// locations of every matching doc.
type highlighter struct {
	refs     []string // canonical legal references, marked where the text writes them
	text     analysis.Analyzer
	exact    map[string]bool
	fuzzy    []string
	prefixes []string
}

func (e *Engine) highlighter(pl search.Plan) *highlighter {
	h := &highlighter{text: e.text, exact: map[string]bool{}, refs: pl.Refs}
	for i, t := range pl.Terms {
		stems := analyse(e.text, t)
		for _, s := range stems {
			h.exact[s] = true
		}
		if utf8.RuneCountInString(t) >= fuzzyMinRunes {
			h.fuzzy = append(h.fuzzy, stems...)
		}
		if pl.Prefix && i == len(pl.Terms)-1 {
			for _, toks := range [][]string{analyse(e.prefix, t), stems} {
				if n := len(toks); n > 0 && utf8.RuneCountInString(toks[n-1]) >= prefixMinRunes {
					h.prefixes = append(h.prefixes, toks[n-1])
				}
			}
		}
	}
	for _, ph := range pl.Phrases {
		for _, s := range analyse(e.text, ph) {
			h.exact[s] = true
		}
	}
	for _, alts := range pl.Alts {
		for _, a := range alts {
			for _, s := range analyse(e.text, a) {
				h.exact[s] = true
			}
		}
	}
	return h
}

func (h *highlighter) matches(stem string) bool {
	if h.exact[stem] {
		return true
	}
	for _, p := range h.prefixes {
		if strings.HasPrefix(stem, p) {
			return true
		}
	}
	for _, f := range h.fuzzy {
		if oneEdit(stem, f) {
			return true
		}
	}
	return false
}

func (h *highlighter) spans(text string) []search.Span {
	out := search.LegalSpans(text, h.refs)
	for _, tok := range h.text.Analyze([]byte(text)) {
		if !h.matches(string(tok.Term)) {
			continue
		}
		sp := search.Span{Start: tok.Start, End: tok.End}
		// an elided article ("dell'", "sull'") is not part of the match
		if k := strings.LastIndexAny(text[sp.Start:sp.End], "'’"); k >= 0 {
			_, size := utf8.DecodeRuneInString(text[sp.Start+k:])
			if sp.Start+k+size < sp.End {
				sp.Start += k + size
			}
		}
		out = append(out, sp)
	}
	return out
}

// snippet cuts the body around its matches, or the title when only the title matched.
func (h *highlighter) snippet(title, body string) string {
	if sp := h.spans(body); len(sp) > 0 || body != "" {
		if len(sp) == 0 {
			if tsp := h.spans(title); len(tsp) > 0 {
				return search.Snippet(title, tsp)
			}
		}
		return search.Snippet(body, sp)
	}
	return search.Snippet(title, h.spans(title))
}

// oneEdit tells whether a and b differ by at most one insertion, deletion or substitution.
func oneEdit(a, b string) bool {
	if a == b {
		return true
	}
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	if len(ra)-len(rb) > 1 {
		return false
	}
	i := 0
	for i < len(rb) && ra[i] == rb[i] {
		i++
	}
	if len(ra) == len(rb) {
		return string(ra[i+1:]) == string(rb[i+1:])
	}
	return string(ra[i+1:]) == string(rb[i:])
}

// facets splits the counts of the combined field into one list per facet, largest first.
func facets(fr *bsearch.FacetResult) map[string][]search.FacetCount {
	out := map[string][]search.FacetCount{}
	if fr == nil || fr.Terms == nil {
		return out
	}
	for _, t := range fr.Terms.Terms() {
		k, v, ok := strings.Cut(t.Term, facetSep)
		if ok && v != "" {
			out[k] = append(out[k], search.FacetCount{Value: v, Count: t.Count})
		}
	}
	for k, fc := range out {
		search.SortFacets(fc)
		if len(fc) > facetSize {
			out[k] = fc[:facetSize]
		}
	}
	return out
}

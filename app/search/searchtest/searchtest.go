// Package searchtest is the contract every search engine passes: Run indexes a small fixed
// Italian corpus and checks stemming, typos, prefixes, phrases, exclusions, facets, highlighting,
// paging, access, deletion and re-indexing. Corpus generates documents for benchmarks.
package searchtest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"passhub/app/search"
)

var all = search.Access{All: true}

// Run runs the contract suite. newEngine returns a new, empty engine for each subtest; Run calls
// Init on it and Close at the end of the subtest.
func Run(t *testing.T, newEngine func(t *testing.T) search.Engine) {
	ctx := context.Background()
	fixture := Fixture()
	setup := func(t *testing.T) search.Engine {
		t.Helper()
		e := newEngine(t)
		if err := e.Init(ctx); err != nil {
			t.Fatalf("Init: %v", err)
		}
		t.Cleanup(func() {
			if err := e.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		if err := e.Ping(ctx); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		if err := e.Index(ctx, fixture...); err != nil {
			t.Fatalf("Index: %v", err)
		}
		return e
	}
	search1 := func(t *testing.T, e search.Engine, q search.Query) search.Result {
		t.Helper()
		if q.PerPage == 0 {
			q.PerPage = 100
		}
		res, err := e.Search(ctx, q)
		if err != nil {
			t.Fatalf("Search(%+v): %v", q, err)
		}
		return res
	}
	ids := func(res search.Result) []string {
		out := make([]string, 0, len(res.Hits))
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		return out
	}
	// found checks that text finds every id in want and none in not.
	found := func(t *testing.T, e search.Engine, q search.Query, want, not []string) search.Result {
		t.Helper()
		res := search1(t, e, q)
		got := ids(res)
		for _, id := range want {
			if !slices.Contains(got, id) {
				t.Errorf("%q (prefix %v) did not find %s; found %v", q.Text, q.Prefix, id, got)
			}
		}
		for _, id := range not {
			if slices.Contains(got, id) {
				t.Errorf("%q (prefix %v) found %s; found %v", q.Text, q.Prefix, id, got)
			}
		}
		if res.Total < len(res.Hits) {
			t.Errorf("%q: Total %d < %d hits", q.Text, res.Total, len(res.Hits))
		}
		return res
	}

	t.Run("Empty", func(t *testing.T) {
		e := setup(t)
		for _, text := range []string{"", "   ", `"" !!`, "-amianto"} {
			res, err := e.Search(ctx, search.Query{Text: text, Access: all})
			if err != nil || res.Total != 0 || len(res.Hits) != 0 {
				t.Errorf("Search(%q) = %+v, %v; want an empty result", text, res, err)
			}
		}
		if _, err := e.Search(ctx, search.Query{Text: "progetto", Filters: map[string][]string{"public": {"true"}}}); err == nil {
			t.Error("a filter outside the facet keys was accepted")
		}
	})

	t.Run("Stemming", func(t *testing.T) {
		e := setup(t)
		found(t, e, search.Query{Text: "deliberazioni", Access: all}, []string{"document:5"}, nil)
		found(t, e, search.Query{Text: "Bonifiche", Access: all}, []string{"news:3", "news:4"}, nil)
	})

	t.Run("Typos", func(t *testing.T) {
		e := setup(t)
		found(t, e, search.Query{Text: "bonfica"}, []string{"news:3", "news:4", "news:11"}, nil)
		found(t, e, search.Query{Text: "rigenerazone urbana", Access: all}, []string{"news:11", "document:5"}, []string{"news:12"})
	})

	t.Run("Prefix", func(t *testing.T) {
		e := setup(t)
		for _, text := range []string{"bonif", "bonifi", "Bonific", "bonifica"} {
			found(t, e, search.Query{Text: text, Prefix: true}, []string{"news:3", "news:4", "news:11"}, []string{"page:1"})
		}
		found(t, e, search.Query{Text: "delib", Prefix: true}, []string{"document:5"}, []string{"page:1"})
		found(t, e, search.Query{Text: "fondi bonif", Prefix: true, Access: all}, []string{"news:11", "request:8"}, []string{"news:3", "news:4"})
	})

	t.Run("Phrase", func(t *testing.T) {
		e := setup(t)
		res := found(t, e, search.Query{Text: `"valutazione ambientale"`, Access: all}, []string{"page:1"}, nil)
		if got := ids(res); len(got) != 1 {
			t.Errorf("phrase found %v, want only page:1", got)
		}
		found(t, e, search.Query{Text: `valutazione ambientale`, Access: all}, []string{"page:1", "page:2"}, nil)
	})

	t.Run("Exclusion", func(t *testing.T) {
		e := setup(t)
		found(t, e, search.Query{Text: "bonifica -amianto", Access: all},
			[]string{"news:3", "request:7", "document:9", "news:11"}, []string{"news:4", "request:8"})
	})

	t.Run("LegalReferences", func(t *testing.T) {
		e := setup(t)
		extra := []search.Doc{
			{ID: "page:20", Type: "page", Title: "Il codice dell'ambiente", Public: true,
				Body:     "Il decreto legislativo 3 aprile 2006, n. 152 disciplina le bonifiche.",
				Keywords: search.LegalRefs("Il decreto legislativo 3 aprile 2006, n. 152 disciplina le bonifiche.")},
			{ID: "page:21", Type: "page", Title: "Contratti pubblici", Public: true,
				Body: "Il D.Lgs. 36/2023 e la L. 241/90", Keywords: search.LegalRefs("Il D.Lgs. 36/2023 e la L. 241/90")},
		}
		if err := e.Index(ctx, extra...); err != nil {
			t.Fatal(err)
		}
		found(t, e, search.Query{Text: "D.Lgs. 152/2006"}, []string{"page:20"}, []string{"page:21"})
		found(t, e, search.Query{Text: "dlgs 152/06"}, []string{"page:20"}, []string{"page:21"})
		found(t, e, search.Query{Text: "d.lgs. n. 36/2023"}, []string{"page:21"}, []string{"page:20"})
		found(t, e, search.Query{Text: "legge 7 agosto 1990, n. 241"}, []string{"page:21"}, []string{"page:20"})
		found(t, e, search.Query{Text: "bonifiche D.Lgs. 152/2006"}, []string{"page:20"}, nil)
		res := found(t, e, search.Query{Text: "dlgs 152/2006"}, []string{"page:20"}, nil)
		if len(res.Hits) == 0 || !strings.Contains(res.Hits[0].Snippet, "<mark>decreto legislativo 3 aprile 2006, n. 152</mark>") {
			t.Errorf("the reference is not marked as the text writes it: %+v", res.Hits)
		}
	})

	t.Run("Synonyms", func(t *testing.T) {
		e := setup(t)
		syn := map[string][]string{"via": {"valutazione ambientale"}, "sin": {"siti orfani"}}
		// "sin" is in no document: only its expansion finds news:3
		found(t, e, search.Query{Text: "SIN", Synonyms: syn}, []string{"news:3"}, []string{"news:4"})
		found(t, e, search.Query{Text: "sin"}, nil, []string{"news:3"})
		found(t, e, search.Query{Text: "via progetti", Synonyms: syn}, []string{"page:1"}, nil)
	})

	t.Run("PartialMatches", func(t *testing.T) {
		e := setup(t)
		// "zanzibar" is in no document: the documents with the other words still come back,
		// the one with both of them first
		res := found(t, e, search.Query{Text: "amianto scuole zanzibar"}, []string{"news:4"}, []string{"page:13"})
		if len(res.Hits) == 0 || res.Hits[0].ID != "news:4" {
			t.Errorf("best partial match first: got %v", ids(res))
		}
		if full := search1(t, e, search.Query{Text: "amianto scuole"}); full.Partial {
			t.Error("a query every word of which is found is not partial")
		}
		if none := search1(t, e, search.Query{Text: "zanzibar"}); none.Total != 0 {
			t.Errorf("one word found nowhere: %v", ids(none))
		}
	})

	t.Run("Facets", func(t *testing.T) {
		e := setup(t)
		for _, acc := range []search.Access{all, {}} {
			res := search1(t, e, search.Query{Text: "pnrr", Access: acc, Facets: true})
			var want []search.Doc
			for _, d := range fixture {
				if acc.Allows(d) && strings.Contains(strings.ToLower(d.Title+" "+d.Body), "pnrr") {
					want = append(want, d)
				}
			}
			if res.Total != len(want) {
				t.Errorf("access %+v: Total %d, want %d", acc, res.Total, len(want))
			}
			for _, key := range []string{"type", "task_force", "year", "ente", "procedure", "state"} {
				exp := facetCounts(want, key)
				if got := res.Facets[key]; !sameFacets(got, exp) {
					t.Errorf("access %+v: facet %s = %v, want %v", acc, key, got, exp)
				}
			}
		}
		narrow := []struct {
			f    map[string][]string
			want []string
		}{
			{map[string][]string{"type": {"request"}}, []string{"request:6", "request:8"}},
			{map[string][]string{"type": {"request", "news"}}, []string{"request:6", "request:8", "news:3", "news:11"}},
			{map[string][]string{"type": {"request", "news"}, "year": {"2024"}}, []string{"request:6", "news:3", "news:11"}},
			{map[string][]string{"ente": {"3"}, "state": {"approved"}}, []string{"request:8"}},
			{map[string][]string{"task_force": {"TF-URB"}, "procedure": {"BON"}}, []string{"request:8"}},
			{map[string][]string{"year": {"1999"}}, nil},
		}
		for _, n := range narrow {
			res := search1(t, e, search.Query{Text: "pnrr", Access: all, Filters: n.f})
			if got := ids(res); !sameSet(got, n.want) || res.Total != len(n.want) {
				t.Errorf("filters %v: found %v (Total %d), want %v", n.f, got, res.Total, n.want)
			}
		}
	})

	t.Run("Listing", func(t *testing.T) {
		e := setup(t)
		res := search1(t, e, search.Query{Access: all, Filters: map[string][]string{"type": {"news"}}, Facets: true})
		want := []string{"news:12", "news:11", "news:4", "news:3"} // newest first
		if got := ids(res); !slices.Equal(got, want) || res.Total != 4 {
			t.Errorf("listing found %v (Total %d), want %v", got, res.Total, want)
		}
		if got := res.Facets["type"]; !sameFacets(got, []search.FacetCount{{Value: "news", Count: 4}}) {
			t.Errorf("listing facets %v", got)
		}
	})

	t.Run("Highlight", func(t *testing.T) {
		e := setup(t)
		for _, q := range []search.Query{{Text: "bonifica"}, {Text: "bonfica"}, {Text: "bonif", Prefix: true}, {Text: "deliberazioni"}} {
			res := search1(t, e, q)
			if len(res.Hits) == 0 {
				t.Errorf("%q found nothing", q.Text)
			}
			for _, h := range res.Hits {
				if !strings.Contains(h.Snippet, "<mark>") || !strings.Contains(h.Snippet, "</mark>") {
					t.Errorf("%q: %s snippet without marks: %q", q.Text, h.ID, h.Snippet)
				}
				if h.Type == "" || h.ID == "" {
					t.Errorf("hit without id or type: %+v", h)
				}
			}
		}
		res := search1(t, e, search.Query{Text: "esproprio"})
		if len(res.Hits) != 1 {
			t.Fatalf("esproprio found %v", ids(res))
		}
		sn := res.Hits[0].Snippet
		if strings.Contains(sn, "<script") || !strings.Contains(sn, "&lt;script&gt;") || !strings.Contains(sn, "<mark>esproprio</mark>") {
			t.Errorf("snippet not escaped or not marked: %q", sn)
		}
		if strings.Count(sn, "<") != strings.Count(sn, "<mark>")+strings.Count(sn, "</mark>") {
			t.Errorf("snippet has tags other than mark: %q", sn)
		}
	})

	t.Run("Paging", func(t *testing.T) {
		e := setup(t)
		var seen []string
		for page := 1; page <= 4; page++ {
			res := search1(t, e, search.Query{Text: "progetto", Access: all, Page: page, PerPage: 4})
			if res.Total != len(fixture) {
				t.Errorf("page %d: Total %d, want %d", page, res.Total, len(fixture))
			}
			if want := min(4, len(fixture)-(page-1)*4); len(res.Hits) != want {
				t.Errorf("page %d: %d hits, want %d", page, len(res.Hits), want)
			}
			for _, id := range ids(res) {
				if slices.Contains(seen, id) {
					t.Errorf("page %d repeats %s", page, id)
				}
				seen = append(seen, id)
			}
		}
		if len(seen) != len(fixture) {
			t.Errorf("pages gave %d docs, want %d", len(seen), len(fixture))
		}
		res := search1(t, e, search.Query{Text: "progetto", Access: all, Page: 1})
		if len(res.Hits) != len(fixture) {
			t.Errorf("default per page: %d hits", len(res.Hits))
		}
		res, err := e.Search(ctx, search.Query{Text: "progetto", Access: all})
		if err != nil || len(res.Hits) != search.DefaultPage {
			t.Errorf("default PerPage: %d hits, %v", len(res.Hits), err)
		}
	})

	t.Run("Access", func(t *testing.T) {
		e := setup(t)
		cases := []search.Access{
			{},
			{Entes: []string{"3"}},
			{Entes: []string{"4"}},
			{Entes: []string{"99"}},
			{TaskForces: []string{"TF-AMB"}},
			{TaskForces: []string{"TF-URB", "TF-AMB"}},
			{User: "9"},
			{User: "7"},
			{Entes: []string{"4"}, User: "9"},
			{Entes: []string{""}, TaskForces: []string{""}, User: ""},
			{Entes: []string{`3" OR public = false`}, User: `x" OR true`},
			all,
		}
		types := map[string][]string{"type": {"page", "news", "request", "document"}}
		for _, acc := range cases {
			var want []string
			for _, d := range fixture {
				if acc.Allows(d) {
					want = append(want, d.ID)
				}
			}
			for _, q := range []search.Query{{Text: "progetto"}, {Filters: types}, {Text: "progett", Prefix: true}} {
				q.Access = acc
				res := search1(t, e, q)
				if got := ids(res); !sameSet(got, want) || res.Total != len(want) {
					t.Errorf("access %+v, query %q: found %v (Total %d), want %v", acc, q.Text, got, res.Total, want)
				}
			}
		}
	})

	t.Run("Private", func(t *testing.T) {
		// A draft of ente 3 on TF-AMB, with expert 7 named: only ente 3 finds it.
		e := setup(t)
		draft := search.Doc{ID: "request:20", Type: "request", Title: "Bozza riservata", Body: "Una bozza di richiesta sulla farfalla del porto.",
			URL: "/request/20", TaskForce: "TF-AMB", Procedure: "VIA", Year: 2024, State: "draft", Ente: "3", Experts: []string{"7"},
			Private: true, Updated: base}
		if err := e.Index(ctx, draft); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			acc  search.Access
			sees bool
		}{
			{search.Access{Entes: []string{"3"}}, true},
			{search.Access{Entes: []string{"3"}, User: "7", All: true}, true},
			{search.Access{Entes: []string{"4"}}, false},
			{search.Access{TaskForces: []string{"TF-AMB"}}, false},
			{search.Access{User: "7"}, false},
			{all, false},
			{search.Access{}, false},
		} {
			if c.acc.Allows(draft) != c.sees {
				t.Errorf("Allows(%+v) = %v", c.acc, !c.sees)
			}
			for _, q := range []search.Query{{Text: "farfalla"}, {Filters: map[string][]string{"state": {"draft"}}}} {
				q.Access = c.acc
				res := search1(t, e, q)
				if got := slices.Contains(ids(res), draft.ID); got != c.sees || (res.Total > 0) != c.sees {
					t.Errorf("access %+v, query %+v: sees the draft %v (Total %d), want %v", c.acc, q, got, res.Total, c.sees)
				}
			}
		}
		// The same request once submitted is the staff's too.
		draft.Private = false
		if err := e.Index(ctx, draft); err != nil {
			t.Fatal(err)
		}
		found(t, e, search.Query{Text: "farfalla", Access: search.Access{TaskForces: []string{"TF-AMB"}}}, []string{"request:20"}, nil)
		found(t, e, search.Query{Text: "farfalla", Access: all}, []string{"request:20"}, nil)
	})

	t.Run("Delete", func(t *testing.T) {
		e := setup(t)
		if err := e.Delete(ctx, "news:3", "request:7", "page:999"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		found(t, e, search.Query{Text: "bonifica", Access: all}, []string{"news:4", "news:11"}, []string{"news:3", "request:7"})
		got, err := e.IDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, d := range fixture {
			if d.ID != "news:3" && d.ID != "request:7" {
				want = append(want, d.ID)
			}
		}
		if !sameSet(got, want) {
			t.Errorf("IDs = %v, want %v", got, want)
		}
		if err := e.Delete(ctx); err != nil {
			t.Errorf("Delete(): %v", err)
		}
	})

	t.Run("Reindex", func(t *testing.T) {
		e := setup(t)
		d := fixture[11] // page:13
		d.Body = "Il progetto di disinfestazione dalla zanzara tigre."
		if err := e.Index(ctx, d); err != nil {
			t.Fatal(err)
		}
		found(t, e, search.Query{Text: "zanzara"}, []string{"page:13"}, nil)
		d.Body = "Il progetto di tutela della farfalla."
		d.Updated = d.Updated.Add(time.Hour)
		if err := e.Index(ctx, d); err != nil {
			t.Fatal(err)
		}
		found(t, e, search.Query{Text: "farfalla"}, []string{"page:13"}, nil)
		found(t, e, search.Query{Text: "zanzara"}, nil, []string{"page:13"})
		found(t, e, search.Query{Text: "esproprio"}, nil, []string{"page:13"})
		if res := search1(t, e, search.Query{Text: "progetto", Access: all}); res.Total != len(fixture) {
			t.Errorf("after an update Total %d, want %d", res.Total, len(fixture))
		}
		// visibility follows the doc
		d.Public, d.Ente = false, "4"
		if err := e.Index(ctx, d); err != nil {
			t.Fatal(err)
		}
		found(t, e, search.Query{Text: "farfalla"}, nil, []string{"page:13"})
		found(t, e, search.Query{Text: "farfalla", Access: search.Access{Entes: []string{"4"}}}, []string{"page:13"}, nil)

		if err := e.Clear(ctx); err != nil {
			t.Fatalf("Clear: %v", err)
		}
		if got, err := e.IDs(ctx); err != nil || len(got) != 0 {
			t.Errorf("after Clear IDs = %v, %v", got, err)
		}
		if res := search1(t, e, search.Query{Text: "progetto", Access: all}); res.Total != 0 {
			t.Errorf("after Clear Total %d", res.Total)
		}
		if err := e.Index(ctx, fixture[0]); err != nil {
			t.Fatalf("Index after Clear: %v", err)
		}
		found(t, e, search.Query{Text: "valutazione"}, []string{"page:1"}, nil)
	})
}

// facetCounts counts the docs per value of a facet key, highest count first, then by value.
func facetCounts(docs []search.Doc, key string) []search.FacetCount {
	counts := map[string]int{}
	for _, d := range docs {
		for _, v := range d.FacetValues(key) {
			counts[v]++
		}
	}
	out := make([]search.FacetCount, 0, len(counts))
	for v, n := range counts {
		out = append(out, search.FacetCount{Value: v, Count: n})
	}
	search.SortFacets(out)
	return out
}

func sameFacets(got, want []search.FacetCount) bool {
	if len(got) == 0 && len(want) == 0 {
		return true
	}
	return slices.Equal(got, want)
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

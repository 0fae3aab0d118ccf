package meilisearch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	meili "github.com/meilisearch/meilisearch-go"

	"passhub/app/search"
	"passhub/app/search/searchtest"
)

func TestContract(t *testing.T) {
	url := os.Getenv("PASSHUB_TEST_MEILI_URL")
	if url == "" {
		t.Skip("PASSHUB_TEST_MEILI_URL not set: Meilisearch contract tests skipped")
	}
	key := os.Getenv("PASSHUB_TEST_MEILI_KEY")
	searchtest.Run(t, func(t *testing.T) search.Engine {
		b := make([]byte, 6)
		rand.Read(b)
		uid := "passhub_test_" + hex.EncodeToString(b)
		e, err := search.New("meilisearch", search.Options{Settings: map[string]string{"url": url, "key": key, "index": uid}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			c := meili.New(url, meili.WithAPIKey(key))
			defer c.Close()
			if info, err := c.DeleteIndex(context.Background(), uid); err == nil {
				c.WaitForTask(context.Background(), info.TaskUID, pollInterval)
			}
		})
		return e
	})
}

func TestNew(t *testing.T) {
	if _, err := search.New("meilisearch", search.Options{}); err == nil {
		t.Error("no url accepted")
	}
	if _, err := New("http://127.0.0.1:7700", "", "bad uid!"); err == nil {
		t.Error("bad index uid accepted")
	}
	e, err := New("http://127.0.0.1:7700", "k", "")
	if err != nil || e.uid != DefaultIndex {
		t.Errorf("default index: %v %v", e, err)
	}
}

func TestIDs(t *testing.T) {
	for _, id := range []string{"request:5", "page:12", "document:a_b-c"} {
		m, err := toMeili(id)
		if err != nil || strings.Contains(m, ":") || fromMeili(m) != id {
			t.Errorf("%s -> %q (%v) -> %q", id, m, err, fromMeili(m))
		}
	}
	for _, id := range []string{"", "page", "page:", ":5", "my-type:5", "page:5:6", "page:5/6", "page:é"} {
		if _, err := toMeili(id); err == nil {
			t.Errorf("%q accepted", id)
		}
	}
}

func TestFilter(t *testing.T) {
	cases := []struct {
		f    map[string][]string
		a    search.Access
		want string
	}{
		{nil, search.Access{All: true}, ""},
		{nil, search.Access{}, "(public = true)"},
		{map[string][]string{"year": {"2024", "2023"}, "type": {"news"}}, search.Access{Entes: []string{"3", ""}, TaskForces: []string{"TF-AMB"}, User: "7"},
			`(public = true OR ente IN ["3"] OR (task_force IN ["TF-AMB"] AND public = false) OR experts = "7") AND type IN ["news"] AND year IN ["2024", "2023"]`},
		{nil, search.Access{Entes: []string{`3"] OR public = false OR ente IN ["`}, User: `x\`},
			`(public = true OR ente IN ["3\"] OR public = false OR ente IN [\""] OR experts = "x\\")`},
		{map[string][]string{"state": {`a\" OR true`}}, search.Access{All: true}, `state IN ["a\\\" OR true"]`},
	}
	for _, c := range cases {
		got, err := Filter(c.f, c.a)
		if err != nil || got != c.want {
			t.Errorf("Filter(%v, %+v)\n got  %s (%v)\n want %s", c.f, c.a, got, err, c.want)
		}
	}
	if _, err := Filter(map[string][]string{"public": {"false"}}, search.Access{}); err == nil {
		t.Error("filter on public accepted")
	}
}

// TestQuoteRoundTrip checks quoted values read back as the server's parser reads them: a
// backslash escapes the next character, and the value ends at the first unescaped quote.
func TestQuoteRoundTrip(t *testing.T) {
	for _, v := range []string{`plain`, `a"b`, `a\`, `\"`, `a\\"] OR x = "y`, `"`, `\`} {
		q := quote(v)
		var out strings.Builder
		i := 1
		for ; i < len(q); i++ {
			c := q[i]
			if c == '\\' {
				i++
				out.WriteByte(q[i])
				continue
			}
			if c == '"' {
				break
			}
			out.WriteByte(c)
		}
		if i != len(q)-1 || out.String() != v {
			t.Errorf("quote(%q) = %s: ends at %d of %d, reads %q", v, q, i, len(q), out.String())
		}
	}
}

func TestQueryText(t *testing.T) {
	cases := []struct {
		text   string
		prefix bool
		want   string
	}{
		{"bonifica", false, "bonifica "},
		{"bonif", true, "bonif"},
		{"bonif ", true, "bonif "},
		{`"valutazione ambientale" bonifica -amianto`, false, `"valutazione ambientale" -amianto bonifica `},
		{`bonifica "valutazione ambientale"`, true, `"valutazione ambientale" bonifica `},
	}
	for _, c := range cases {
		pl, err := search.Prepare(search.Query{Text: c.text, Prefix: c.prefix})
		if err != nil {
			t.Fatal(err)
		}
		if got := queryText(pl); got != c.want {
			t.Errorf("queryText(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestResult(t *testing.T) {
	body := `Il progetto <script>x</script> di ` + preTag + `bonifica` + postTag + ` …`
	hit, _ := json.Marshal(map[string]any{"id": "news-3", "type": "news", "_rankingScore": 0.9,
		"_formatted": map[string]string{"title": "Bonifica", "body": body}})
	titleOnly, _ := json.Marshal(map[string]any{"id": "page-1", "type": "page",
		"_formatted": map[string]string{"title": preTag + "Bonifica" + postTag + " <b>", "body": "nulla"}})
	var h1, h2 meili.Hit
	json.Unmarshal(hit, &h1)
	json.Unmarshal(titleOnly, &h2)
	res, err := result(&meili.SearchResponse{Hits: meili.Hits{h1, h2}, TotalHits: 7,
		FacetDistribution: json.RawMessage(`{"type":{"news":1,"page":3},"year":{"2024":2}}`)}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 7 || len(res.Hits) != 2 || res.Hits[0].ID != "news:3" || res.Hits[0].Type != "news" || res.Hits[0].Score != 0.9 {
		t.Errorf("result %+v", res)
	}
	if want := "Il progetto &lt;script&gt;x&lt;/script&gt; di <mark>bonifica</mark> …"; res.Hits[0].Snippet != want {
		t.Errorf("snippet %q", res.Hits[0].Snippet)
	}
	if want := "<mark>Bonifica</mark> &lt;b&gt;"; res.Hits[1].Snippet != want {
		t.Errorf("title snippet %q", res.Hits[1].Snippet)
	}
	if got := res.Facets["type"]; len(got) != 2 || got[0] != (search.FacetCount{Value: "page", Count: 3}) {
		t.Errorf("facets %v", res.Facets)
	}
}

func TestDocument(t *testing.T) {
	d, err := toDocument(search.Doc{ID: "request:5", Type: "request", Title: "a" + preTag + "b", Body: "x" + postTag, Year: 2024})
	if err != nil || d.ID != "request-5" || d.Title != "ab" || d.Body != "x" || d.Year != "2024" || d.Updated != 0 {
		t.Errorf("%+v %v", d, err)
	}
}

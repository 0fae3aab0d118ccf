package search

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Parsed
	}{
		{"", Parsed{}},
		{"   ", Parsed{}},
		{"Bonifica", Parsed{Terms: []string{"bonifica"}, Open: true}},
		{"bonifica ", Parsed{Terms: []string{"bonifica"}}},
		{"Bonifica AMIANTO", Parsed{Terms: []string{"bonifica", "amianto"}, Open: true}},
		{`"Valutazione Ambientale" strategica`, Parsed{Terms: []string{"strategica"}, Phrases: []string{"valutazione ambientale"}, Open: true}},
		{`"valutazione ambientale"`, Parsed{Phrases: []string{"valutazione ambientale"}}},
		{`"bonifica"`, Parsed{Terms: []string{"bonifica"}}},
		{`bonifica -amianto`, Parsed{Terms: []string{"bonifica"}, Excluded: []string{"amianto"}}},
		{`-amianto`, Parsed{Excluded: []string{"amianto"}}},
		{`e-procurement`, Parsed{Terms: []string{"e", "procurement"}, Open: true}},
		{`"valutazione ambientale`, Parsed{Terms: []string{"valutazione", "ambientale"}, Open: true}},
		{`"`, Parsed{}},
		{`""`, Parsed{}},
		{`"" bonifica "`, Parsed{Terms: []string{"bonifica"}}},
		{`!!! ??? ***`, Parsed{}},
		{"dell'ambiente", Parsed{Terms: []string{"dell'ambiente"}, Open: true}},
		{"l’attività", Parsed{Terms: []string{"l’attività"}, Open: true}},
		{"'quote'", Parsed{Terms: []string{"quote"}}},
		{"tab\tand\x00nul", Parsed{Terms: []string{"tab", "and", "nul"}, Open: true}},
		{"<script>alert(1)</script>", Parsed{Terms: []string{"script", "alert", "1"}}},
		{"bonif amianto bonif", Parsed{Terms: []string{"amianto", "bonif"}, Open: true}},
		{"bonifica -amianto -amianto amianto", Parsed{Terms: []string{"bonifica", "amianto"}, Excluded: []string{"amianto"}, Open: true}},
		{"PNRR M2C4", Parsed{Terms: []string{"pnrr", "m2c4"}, Open: true}},
		{"\xff\xfebonifica", Parsed{Terms: []string{"bonifica"}, Open: true}},
	}
	for _, tt := range tests {
		got := Parse(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseLimits(t *testing.T) {
	long := strings.Repeat("parola ", 1000)
	if p := Parse(long); len(p.Terms) != 1 {
		t.Errorf("repeated word: %v", p.Terms)
	}
	var b strings.Builder
	for i := range 100 {
		b.WriteString("w")
		b.WriteString(strings.Repeat("x", i%7+1))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString(" ")
	}
	p := Parse(b.String())
	if n := len(p.Terms) + len(p.Excluded); n > MaxTerms {
		t.Errorf("%d terms, want at most %d", n, MaxTerms)
	}
	p = Parse(strings.Repeat("à", 2000))
	if len(p.Terms) != 1 || utf8.RuneCountInString(p.Terms[0]) != MaxWordRunes {
		t.Errorf("long word: %v", p.Terms)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "bonifica", `"valutazione ambientale" -amianto`, `"`, `-`, `--x`, "l’attività", "\x00\xff", strings.Repeat(`"a `, 300), "a-b-c -d \"e f\" g"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := Parse(s)
		if n := len(p.Terms) + len(p.Excluded); n > MaxTerms {
			t.Fatalf("%d terms", n)
		}
		all := append(append(append([]string{}, p.Terms...), p.Phrases...), p.Excluded...)
		for _, w := range all {
			if w == "" || !utf8.ValidString(w) || w != strings.ToLower(w) || strings.ContainsAny(w, "\"\x00") {
				t.Fatalf("bad word %q from %q", w, s)
			}
		}
		if p.Open && len(p.Terms) == 0 {
			t.Fatalf("open without terms")
		}
		// the snippet of the query text marking every term is well-formed
		sn := Snippet(s, nil)
		if strings.ContainsAny(sn, "<>") {
			t.Fatalf("unescaped snippet %q", sn)
		}
	})
}

func TestPrepare(t *testing.T) {
	if _, err := Prepare(Query{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty query: %v", err)
	}
	if _, err := Prepare(Query{Text: "-amianto !!"}); !errors.Is(err, ErrEmpty) {
		t.Errorf("only exclusions: %v", err)
	}
	if _, err := Prepare(Query{Text: "x", Filters: map[string][]string{"public": {"true"}}}); err == nil {
		t.Error("unknown filter key accepted")
	}
	pl, err := Prepare(Query{Filters: map[string][]string{"type": {"page", "", "page"}, "year": {}}})
	if err != nil || !pl.Listing || !reflect.DeepEqual(pl.Filters, map[string][]string{"type": {"page"}}) {
		t.Errorf("listing: %+v %v", pl, err)
	}
	pl, _ = Prepare(Query{Text: "bonif", Prefix: true, Page: 3, PerPage: 500})
	if !pl.Prefix || pl.PerPage != MaxPerPage || pl.Offset != 200 {
		t.Errorf("plan: %+v", pl)
	}
	pl, _ = Prepare(Query{Text: "bonif ", Prefix: true, Page: 1 << 30})
	if pl.Prefix || pl.PerPage != DefaultPage || pl.Offset > MaxOffset {
		t.Errorf("plan: %+v", pl)
	}
}

func TestAllows(t *testing.T) {
	pub := Doc{Public: true}
	ente := Doc{Ente: "3"}
	tf := Doc{TaskForce: "TF1"}
	tfPub := Doc{TaskForce: "TF1", Public: true, Ente: ""}
	exp := Doc{Ente: "4", Experts: []string{"9"}}
	cases := []struct {
		a    Access
		d    Doc
		want bool
	}{
		{Access{}, pub, true}, {Access{}, ente, false}, {Access{}, tf, false}, {Access{}, exp, false},
		{Access{Entes: []string{"3"}}, ente, true}, {Access{Entes: []string{"4"}}, ente, false},
		{Access{TaskForces: []string{"TF1"}}, tf, true}, {Access{TaskForces: []string{"TF1"}}, tfPub, true},
		{Access{TaskForces: []string{"TF2"}}, tf, false},
		{Access{User: "9"}, exp, true}, {Access{User: "8"}, exp, false},
		{Access{All: true}, exp, true},
	}
	for i, c := range cases {
		if got := c.a.Allows(c.d); got != c.want {
			t.Errorf("%d: Allows = %v", i, got)
		}
	}
}

func TestSnippet(t *testing.T) {
	text := "Bonifica del sito <b>inquinato</b> & amianto"
	i := strings.Index(text, "amianto")
	got := Snippet(text, []Span{{0, 8}, {i, i + 7}, {i + 2, i + 4}, {-1, 3}, {5, 500}})
	want := "<mark>Bonifica</mark> del sito &lt;b&gt;inquinato&lt;/b&gt; &amp; <mark>amianto</mark>"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	long := strings.Repeat("parola qualunque ", 40) + "bonifica del sito " + strings.Repeat("altro testo ", 40)
	i = strings.Index(long, "bonifica")
	got = Snippet(long, []Span{{i, i + 8}})
	if !strings.Contains(got, "<mark>bonifica</mark>") || !strings.HasPrefix(got, "… ") || !strings.HasSuffix(got, " …") {
		t.Errorf("long: %q", got)
	}
	if n := utf8.RuneCountInString(got); n > SnippetChars+20 {
		t.Errorf("long snippet has %d chars", n)
	}
	got = Snippet(strings.Repeat("è", 300), nil)
	if !utf8.ValidString(got) {
		t.Errorf("invalid utf-8: %q", got)
	}
}

func TestUnmark(t *testing.T) {
	plain, spans := Unmark("a \uE000<b>\uE001 c \uE001 \uE000d", "\uE000", "\uE001")
	if plain != "a <b> c  d" || !reflect.DeepEqual(spans, []Span{{2, 5}}) {
		t.Errorf("%q %v", plain, spans)
	}
	if got := Snippet(plain, spans); got != "a <mark>&lt;b&gt;</mark> c  d" {
		t.Errorf("%q", got)
	}
}

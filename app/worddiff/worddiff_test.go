package worddiff

import (
	"reflect"
	"strings"
	"testing"
)

func join(ops []Op, skip Kind) string {
	var b strings.Builder
	for _, o := range ops {
		if o.Kind != skip {
			b.WriteString(o.Text)
		}
	}
	return b.String()
}

func TestTokens(t *testing.T) {
	got := Tokens("Perché l'ente, già  attivo…")
	want := []string{"Perché", " ", "l", "'", "ente", ",", " ", "già", "  ", "attivo", "…"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tokens %q, want %q", got, want)
	}
	// A decomposed accent (e + U+0301) stays in its word.
	if got := Tokens("perche\u0301 no"); len(got) != 3 || got[0] != "perche\u0301" {
		t.Errorf("decomposed accent: %q", got)
	}
}

func TestDiff(t *testing.T) {
	for _, c := range []struct {
		name, a, b string
		want       []Op
	}{
		{"identical", "Il bando è aperto.", "Il bando è aperto.", []Op{{Equal, "Il bando è aperto."}}},
		{"both empty", "", "", nil},
		{"insert a word", "Il bando è aperto.", "Il bando è già aperto.",
			[]Op{{Equal, "Il bando è "}, {Insert, "già "}, {Equal, "aperto."}}},
		{"delete a word", "Il bando è già aperto.", "Il bando è aperto.",
			[]Op{{Equal, "Il bando è "}, {Delete, "già "}, {Equal, "aperto."}}},
		{"replace an accented word, whole", "La città è più bella.", "La città è meno bella.",
			[]Op{{Equal, "La città è "}, {Delete, "più"}, {Insert, "meno"}, {Equal, " bella."}}},
		{"accents differ: the word changes, not a byte", "perché", "perchè",
			[]Op{{Delete, "perché"}, {Insert, "perchè"}}},
		{"punctuation alone", "Scadenza: 31 gennaio.", "Scadenza: 31 gennaio!",
			[]Op{{Equal, "Scadenza: 31 gennaio"}, {Delete, "."}, {Insert, "!"}}},
		{"from nothing", "", "Nuovo testo.", []Op{{Insert, "Nuovo testo."}}},
		{"to nothing", "Vecchio testo.", "", []Op{{Delete, "Vecchio testo."}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Diff(c.a, c.b)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Diff(%q, %q) = %+v, want %+v", c.a, c.b, got, c.want)
			}
			if join(got, Insert) != c.a || join(got, Delete) != c.b {
				t.Errorf("the pieces do not rebuild the texts: %+v", got)
			}
			if Changed(got) != (c.a != c.b) {
				t.Errorf("Changed = %v", Changed(got))
			}
		})
	}
}

// TestManyTokens: more distinct words than the runes below the surrogates still diff.
func TestManyTokens(t *testing.T) {
	var a, b strings.Builder
	for i := 0; i < 60000; i++ {
		a.WriteString("w" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + itoa(i) + " ")
	}
	b.WriteString(a.String() + "fine")
	ops := Diff(a.String(), b.String())
	if join(ops, Insert) != a.String() || join(ops, Delete) != b.String() {
		t.Fatal("the pieces do not rebuild the texts")
	}
	if last := ops[len(ops)-1]; last != (Op{Insert, "fine"}) {
		t.Errorf("last piece %+v", last)
	}
}

func itoa(i int) string {
	var d []byte
	for {
		d = append([]byte{byte('0' + i%10)}, d...)
		if i /= 10; i == 0 {
			return string(d)
		}
	}
}

package redact

import (
	"regexp"
	"strings"
	"testing"
)

// emailRE finds e-mail addresses independently of the package's scanner.
var emailRE = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)

func FuzzRedact(f *testing.F) {
	f.Add(thread, "Giulia Ferrari", "Comune di Cantù")
	for _, s := range untouched {
		f.Add(s, "Mario Rossi", "")
	}
	f.Add("a@b.cc.d@e.it x@y.zz9 ..a@c.it", "Rossi, Mario", "Cantù")
	f.Add("tel. +39 (0)31 123456 IT60 X054 2811 1010 0000 0123 456", "De Luca", "")
	f.Add("Cordiali saluti, \n\n\nM. Rossi", "M", "M")
	f.Add("\u212a \u212aT \u0130stanbul \u1e9e \xff\xfe sig. \u212a", "\u212a \u0130", "\u1e9e")
	f.Fuzz(func(t *testing.T, text, name, ente string) {
		o := Options{Names: []string{name}, Ente: []string{ente}}
		r := Redact(text, o)
		prev := 0
		for _, rm := range r.Removals {
			if rm.Start < prev || rm.End <= rm.Start || rm.End > len(text) {
				t.Fatalf("removal out of order or range: %+v (prev end %d, len %d)", rm, prev, len(text))
			}
			if text[rm.Start:rm.End] != rm.Original {
				t.Fatalf("Original %q != text[%d:%d]", rm.Original, rm.Start, rm.End)
			}
			prev = rm.End
		}
		for _, m := range emailRE.FindAllString(text, -1) {
			if strings.Contains(r.Text, m) {
				t.Fatalf("e-mail %q left in %q", m, r.Text)
			}
		}
		Highlight(text, r)
		HighlightRedacted(text, r)
	})
}

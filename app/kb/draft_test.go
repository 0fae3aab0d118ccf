package kb

import (
	"strings"
	"testing"
)

// TestRedacted: the source's names, contacts and fiscal code leave the title, question and
// answer, each listed as removed; the ente's name goes only when asked; the original text, with
// its removals marked, is the source's text.
func TestRedacted(t *testing.T) {
	src := Source{Title: "Arretrato di Cantù", Question: "Ne parla Giulia Ferri (giulia.ferri@example.it, 031 765432) del Comune di Cantù.",
		Answer: "Si usa la check-list. Marco Verdi", Names: []string{"Giulia Ferri", "", "Marco Verdi"}, Ente: "Comune di Cantù"}
	d := Redacted(src)
	all := d.Title + d.Question + d.Answer
	for _, leak := range []string{"Giulia", "Ferri", "giulia.ferri@", "031 765432", "Marco", "Verdi"} {
		if strings.Contains(all, leak) {
			t.Errorf("%q left: %q", leak, all)
		}
	}
	if !strings.Contains(all, "Cantù") || !strings.Contains(d.Answer, "check-list") || d.Summary == "" {
		t.Errorf("without the box the ente stays and the text is kept: %+v", d)
	}
	var original strings.Builder
	marked := 0
	for _, s := range d.Original {
		original.WriteString(s.Text)
		if s.Removed != nil {
			marked++
		}
	}
	if original.String() != src.Title+"\n\n"+src.Question+"\n\n"+src.Answer || marked != len(d.Removed) || marked < 4 {
		t.Errorf("original %q with %d marks for %d removals", original.String(), marked, len(d.Removed))
	}
	src.WithoutEnte = true
	if d := Redacted(src); strings.Contains(d.Title+d.Question+d.Answer, "Cantù") {
		t.Errorf("the ente's name left: %+v", d)
	}
	if body := d.Body("La domanda", "La risposta"); !strings.HasPrefix(body, "## La domanda\n\n") || !strings.Contains(body, "## La risposta\n\nSi usa la check-list.") {
		t.Errorf("body %q", body)
	}
}

package redact

import (
	"fmt"
	"strings"
	"testing"
)

// ticketThread builds a realistic thread of about size bytes: the SPID thread again and again,
// its people, numbers and addresses varied.
func ticketThread(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		m := strings.NewReplacer(
			"Giulia Ferrari", fmt.Sprintf("Giulia Ferrari%c", 'a'+i%26),
			"031 717111", fmt.Sprintf("031 71%04d", i%10000),
			"Piazza Parini 4", fmt.Sprintf("Piazza Parini %d", i%200+1),
			"24567", fmt.Sprintf("%d", 20000+i),
		).Replace(thread)
		b.WriteString(m)
		b.WriteString("\n\n")
	}
	return b.String()
}

var benchOptions = Options{
	Names: []string{"Giulia Ferrari", "Luca Moretti", "Marco Esposito", "Anna Bianchi", "Paolo Verdi",
		"Chiara De Luca", "Rossi, Mario", "Francesca Romano", "Andrea Colombo", "Sara Ricci"},
	Ente: []string{"Comune di Cantù", "Cantù"},
}

func BenchmarkRedact(b *testing.B) {
	text := ticketThread(100 << 10)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Redact(text, benchOptions)
	}
}

// hostileTexts are 1 MiB texts built to make a scanner go back over its input: each must be
// redacted in linear time (BenchmarkRedactHostile) and correctly (TestLargeTexts).
func hostileTexts() map[string]string {
	const mib = 1 << 20
	return map[string]string{
		"thread":     ticketThread(mib),
		"at signs":   strings.Repeat("a@", mib/2),
		"at forms":   strings.Repeat("x [at] y", mib/8),
		"digits":     strings.Repeat("3", mib),
		"groups":     strings.Repeat("333 ", mib/4),
		"dots":       strings.Repeat("1.", mib/2),
		"streets":    strings.Repeat("via Roma ", mib/9),
		"titles":     strings.Repeat("sig. Rossi ", mib/11),
		"closings":   strings.Repeat("Cordiali saluti\n", mib/16),
		"one word":   strings.Repeat("a", mib),
		"capitals":   strings.Repeat("Mario ", mib/6),
		"lines":      strings.Repeat("\n", mib),
		"apostrophe": strings.Repeat("d'", mib/2),
	}
}

// TestLargeTexts: hostile and large texts keep every removal's offsets and text right.
func TestLargeTexts(t *testing.T) {
	for name, text := range hostileTexts() {
		r := Redact(text, benchOptions)
		checkInvariants(t, text, r)
		t.Logf("%s: %d bytes, %d removals", name, len(text), len(r.Removals))
	}
}

// BenchmarkRedactHostile times each hostile text of 1 MiB: the figure that shows the work stays
// linear (a backtracking scanner would take minutes).
func BenchmarkRedactHostile(b *testing.B) {
	for name, text := range hostileTexts() {
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				Redact(text, benchOptions)
			}
		})
	}
}

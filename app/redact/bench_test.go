package redact

import (
	"fmt"
	"strings"
	"testing"
	"time"
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

// Hostile and large texts stay linear: 1 MiB of each redacted in well under a second (the
// bound here is loose, for a machine shared with other builds).
func TestLargeTexts(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	const mib = 1 << 20
	texts := map[string]string{
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
	for name, text := range texts {
		start := time.Now()
		r := Redact(text, benchOptions)
		d := time.Since(start)
		checkInvariants(t, text, r)
		t.Logf("%s: %d bytes in %v, %d removals", name, len(text), d, len(r.Removals))
		if d > 5*time.Second {
			t.Errorf("%s: %v for 1 MiB", name, d)
		}
	}
}

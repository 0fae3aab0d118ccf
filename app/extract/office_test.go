package extract

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"passhub/app/extract/extracttest"
)

func TestOfficeDocumentsYieldTheirText(t *testing.T) {
	x := New(Limits{}, nil)
	for name, data := range map[string][]byte{
		"disciplinare.odt":  extracttest.ODT("Requisiti di partecipazione", "Soccorso istruttorio & garanzie"),
		"disciplinare.docx": extracttest.DOCX("Requisiti di partecipazione", "Soccorso istruttorio & garanzie"),
	} {
		text, err := x.Text(context.Background(), name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(text, "Requisiti di partecipazione\n") || !strings.Contains(text, "Soccorso istruttorio & garanzie") {
			t.Errorf("%s: text %q", name, text)
		}
		if strings.Contains(text, "non testo") {
			t.Errorf("%s: the metadata is in the text: %q", name, text)
		}
	}
	// the name says which kind; an archive named otherwise, or a file named .docx that is no
	// archive, gives no text to read
	if k := Kind("foto.zip", extracttest.DOCX("x")); k != "" {
		t.Errorf("a zip named .zip is of kind %q", k)
	}
	if k := Kind("finto.docx", []byte("%PDF-1.4 pretend")); k != "pdf" {
		t.Errorf("a PDF named .docx is of kind %q", k)
	}
	if text, err := x.Text(context.Background(), "vuoto.docx", []byte("MZ not an archive")); text != "" || err != nil {
		t.Errorf("a .docx that is no archive: %q %v", text, err)
	}
}

func TestOfficeTextIsBounded(t *testing.T) {
	lines := make([]string, 2000)
	for i := range lines {
		lines[i] = "Articolo del capitolato speciale d'appalto"
	}
	x := New(Limits{Text: 1000}, nil)
	for _, name := range []string{"lungo.odt", "lungo.docx"} {
		data := extracttest.ODT(lines...)
		if strings.HasSuffix(name, ".docx") {
			data = extracttest.DOCX(lines...)
		}
		text, err := x.Text(context.Background(), name, data)
		if err != nil || len(text) > 1000 || !strings.HasPrefix(text, "Articolo del capitolato") {
			t.Errorf("%s: %d bytes, %v", name, len(text), err)
		}
	}
}

// TestHostileOfficeFilesEndQuickly runs each hostile ODT and DOCX through the reader process:
// each ends within seconds with no text, and this process stays small.
func TestHostileOfficeFilesEndQuickly(t *testing.T) {
	cases := []struct {
		name   string
		data   []byte
		want   error
		within time.Duration
		limits Limits
	}{
		{"member inflating to 2 GiB, declaring 1 KiB", extracttest.OfficeBomb("docx", 2<<30, 1<<10), ErrFailed, 10 * time.Second, Limits{}},
		{"member inflating to 2 GiB, declaring it", extracttest.OfficeBomb("docx", 2<<30, 2<<30), ErrFailed, 10 * time.Second, Limits{}},
		{"ODT member inflating to 2 GiB", extracttest.OfficeBomb("odt", 2<<30, 2<<30), ErrFailed, 10 * time.Second, Limits{}},
		{"XML nested a million deep", extracttest.DeepXML("odt", 1_000_000), ErrFailed, 10 * time.Second, Limits{}},
		{"20,000 archive entries", extracttest.ManyEntries("docx", 20_000), ErrFailed, 10 * time.Second, Limits{}},
		{"entities expanding to a billion laughs", extracttest.EntityBomb("docx"), nil, 10 * time.Second, Limits{}},
		// Past the byte budget only the memory limit of the process stops the reader (the XML
		// decoder holds a text token whole).
		{"2 GiB member, byte budget off", extracttest.OfficeBomb("docx", 2<<30, 2<<30), ErrFailed, time.Minute, Limits{Inflated: 1 << 40, Memory: 128 << 20, Timeout: time.Minute}},
		// Parsing that outlasts the wall-clock limit: the parent kills the reader.
		{"60 MiB of empty elements, 300 ms", extracttest.TagFlood("odt", 60<<20), ErrTimeout, 5 * time.Second, Limits{Inflated: 1 << 30, Timeout: 300 * time.Millisecond}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := New(c.limits, nil)
			name := "bomba.docx"
			if strings.Contains(c.name, "ODT") || strings.Contains(c.name, "nested") || strings.Contains(c.name, "elements") {
				name = "bomba.odt"
			}
			start := time.Now()
			text, err := x.Text(context.Background(), name, c.data)
			took := time.Since(start)
			t.Logf("%d-byte file: %v in %v, %d bytes of text, parent peak RSS %d MiB", len(c.data), err, took.Round(time.Millisecond), len(text), peakRSS(t)>>20)
			if took > c.within {
				t.Errorf("took %v, more than %v", took, c.within)
			}
			if c.want != nil && (!errors.Is(err, c.want) || text != "") {
				t.Errorf("got %q, %v; want %v", text, err, c.want)
			}
			if c.want == nil && len(text) > 10_000 {
				t.Errorf("%d bytes of text: something was expanded", len(text))
			}
			if rss := peakRSS(t); rss > maxParentRSS {
				t.Errorf("parent peak RSS %d MiB", rss>>20)
			}
		})
	}
}

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBandiImportCommand loads calls from a CSV file: the good rows are imported, the bad one is
// listed with its row, field and message in Italian and English, and the command ends with
// status 1; the same file again updates the calls and creates none.
func TestBandiImportCommand(t *testing.T) {
	env(t)
	file := filepath.Join(t.TempDir(), "bandi.csv")
	csv := "codice;titolo;programma;temi;scadenze\n" +
		"LIFE-1;Natura e biodiversità;LIFE;biodiversità;2027-04-20\n" +
		"FESR-1;Edifici pubblici efficienti;PR FESR Lombardia 2021-2027;energia;2027-03-15 12:00 Prima fase\n" +
		"BAD-1;Bando senza data;LIFE;clima;2027-02-30\n"
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"bandi", "import", file}, &out, &errOut); code != 1 ||
		!strings.Contains(out.String(), "bandi: 2 creati, 0 aggiornati, 1 righe scartate") ||
		!strings.Contains(out.String(), "riga 4, deadlines: La data di una scadenza va scritta come AAAA-MM-GG.") ||
		!strings.Contains(out.String(), "row 4, deadlines: A deadline's date is written as YYYY-MM-DD.") {
		t.Fatalf("first: exit %d, %q %q", code, out.String(), errOut.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"bandi", "import", file}, &out, &errOut); code != 1 ||
		!strings.Contains(out.String(), "bandi: 0 creati, 2 aggiornati, 1 righe scartate") {
		t.Errorf("second: exit %d, %q", code, out.String())
	}
}

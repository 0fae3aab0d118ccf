package search

import (
	"slices"
	"testing"
)

func TestLegalRefsReadEveryWriting(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"D.Lgs. 152/2006", []string{"dlgs152x2006"}},
		{"ai sensi del d.lgs. n. 36/2023 e s.m.i.", []string{"dlgs36x2023"}},
		{"L. 241/1990", []string{"l241x1990"}},
		{"legge 7 agosto 1990, n. 241", []string{"l241x1990"}},
		{"la l. 241/90", []string{"l241x1990"}},
		{"decreto legislativo 3 aprile 2006, n. 152 (codice dell'ambiente)", []string{"dlgs152x2006"}},
		{"Decreto Legislativo n. 36 del 31 marzo 2023", []string{"dlgs36x2023"}},
		{"dlgs 50/2016 e DPR 380/2001", []string{"dlgs50x2016", "dpr380x2001"}},
		{"D.P.R. n. 380 del 2001", []string{"dpr380x2001"}},
		{"L.R. 12/2005 (legge per il governo del territorio)", []string{"lr12x2005"}},
		{"legge regionale 11 marzo 2005, n. 12", []string{"lr12x2005"}},
		{"D.L. 77/2021", []string{"dl77x2021"}},
		{"decreto-legge 31 maggio 2021, n. 77", []string{"dl77x2021"}},
		{"D.M. 49/2018", []string{"dm49x2018"}},
		{"DPCM 12/2020", []string{"dpcm12x2020"}},
		{"il bilancio 2023 e 2024", nil},
		{"via Roma 12/2006", nil},
		{"il modulo 3 del 2020", nil},
	} {
		if got := LegalRefs(c.text); !slices.Equal(got, c.want) {
			t.Errorf("LegalRefs(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestParseTurnsLegalRefsIntoOneWord(t *testing.T) {
	p := Parse("bonifica D.Lgs. 152/2006 suolo")
	if !slices.Equal(p.Refs, []string{"dlgs152x2006"}) || !slices.Equal(p.Terms, []string{"bonifica", "suolo"}) {
		t.Fatalf("Parse = %+v", p)
	}
	if p.Empty() {
		t.Fatal("a query of a reference alone is not empty")
	}
	if p := Parse("d.lgs. n. 36/2023"); !slices.Equal(p.Refs, []string{"dlgs36x2023"}) || len(p.Terms) != 0 {
		t.Fatalf("Parse = %+v", p)
	}
}

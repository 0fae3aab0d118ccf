package chart

import (
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"strings"
	"testing"
)

type node struct {
	Name  string
	Attrs map[string]string
	Text  string
}

// parse checks that the SVG is well-formed XML and returns its elements.
func parse(t *testing.T, svg string) []node {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	var out []node
	var cur *node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not XML: %v\n%s", err, svg)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			n := node{Name: e.Name.Local, Attrs: map[string]string{}}
			for _, a := range e.Attr {
				n.Attrs[a.Name.Local] = a.Value
			}
			out = append(out, n)
			cur = &out[len(out)-1]
		case xml.CharData:
			if cur != nil {
				cur.Text += string(e)
			}
		case xml.EndElement:
			cur = nil
		}
	}
	return out
}

func check(t *testing.T, svg string, c Chart) {
	t.Helper()
	nodes := parse(t, svg)
	if len(nodes) == 0 || nodes[0].Name != "svg" {
		t.Fatalf("not an svg: %s", svg)
	}
	root := nodes[0].Attrs
	if root["role"] != "img" || root["viewBox"] == "" || root["width"] != "100%" {
		t.Errorf("svg attributes %v", root)
	}
	ids := map[string]string{}
	texts := map[string]int{}
	for _, n := range nodes {
		if _, ok := n.Attrs["style"]; ok {
			t.Errorf("a style attribute on <%s>", n.Name)
		}
		if n.Name == "style" || n.Name == "script" {
			t.Errorf("a <%s> element", n.Name)
		}
		if id := n.Attrs["id"]; id != "" {
			ids[id] = n.Name
		}
		if n.Name == "text" {
			texts[n.Text]++
		}
	}
	for _, ref := range strings.Fields(root["aria-labelledby"]) {
		if ids[ref] == "" {
			t.Errorf("aria-labelledby names %q, which is not in the svg", ref)
		}
	}
	if ids[id(c.ID)+"-title"] != "title" || ids[id(c.ID)+"-desc"] != "desc" {
		t.Errorf("title and desc not referenced: %v", ids)
	}
	if !strings.Contains(svg, ">"+c.Title+"</title>") && c.Title != "" {
		t.Errorf("title missing")
	}
	for i := range c.Categories {
		for s := range c.Values[i] {
			v := c.Values[i][s]
			found := false
			for txt := range texts {
				if strings.Contains(txt, v.text()) {
					found = true
				}
			}
			if !found {
				t.Errorf("no label for the value %q of %s", v.text(), c.Categories[i])
			}
		}
	}
	if c.Axis != "" {
		found := false
		for txt := range texts {
			found = found || strings.Contains(txt, c.Axis)
		}
		if !found {
			t.Errorf("no axis label %q", c.Axis)
		}
	}
}

func sample() Chart {
	return Chart{ID: "Per mese 1", Title: "Richieste per mese", Desc: "Depositate e concluse <per> mese & anno",
		Axis: "Richieste", CategoryAxis: "Mese", Series: []string{"Depositate", "Concluse"},
		Categories: []string{"2026-01", "2026-02", "2026-03"},
		Values:     [][]Value{{{N: 12}, {N: 3}}, {{N: 4}, {Hidden: true, Text: "< 3"}}, {{N: 0}, {N: 7.5, Text: "7,5"}}}}
}

func TestChartsAreAccessibleSVG(t *testing.T) {
	for name, draw := range map[string]func(Chart) template.HTML{"horizontal": Horizontal, "vertical": Vertical} {
		for _, stacked := range []bool{false, true} {
			c := sample()
			c.Stacked = stacked
			check(t, string(draw(c)), c)
			one := Chart{ID: "tf", Title: "Per task force", Desc: "d", Axis: "Richieste", Series: []string{"Richieste"},
				Categories: []string{"Valutazioni ambientali con un nome molto lungo che va a capo su più righe del grafico", "Edilizia"},
				Values:     [][]Value{{{N: 40}}, {{Hidden: true, Text: "< 3"}}}}
			check(t, string(draw(one)), one)
			empty := Chart{ID: "e", Title: "Vuoto", Desc: "nessun dato", Empty: "Nessun dato"}
			if svg := string(draw(empty)); !strings.Contains(svg, "Nessun dato") {
				t.Errorf("%s: an empty chart says nothing: %s", name, svg)
			} else {
				check(t, svg, empty)
			}
		}
	}
}

func TestTicksAreRound(t *testing.T) {
	for _, c := range []struct{ top, max, step float64 }{{0, 1, 1}, {3, 3, 1}, {7, 8, 2}, {42, 50, 10}, {230, 250, 50}} {
		if m, s := ticks(c.top); m != c.max || s != c.step {
			t.Errorf("ticks(%v) = %v, %v; want %v, %v", c.top, m, s, c.max, c.step)
		}
	}
}

func TestWrap(t *testing.T) {
	if got := wrap("uno due tre quattro", 8); strings.Join(got, "|") != "uno due|tre|quattro" {
		t.Errorf("wrap: %q", got)
	}
}

func TestCategoryLanguage(t *testing.T) {
	c := Chart{ID: "p", Title: "Per procedura", Desc: "d", Series: []string{"Filed"}, Categories: []string{"Valutazione di impatto ambientale"},
		CategoryLang: "it", Values: [][]Value{{{N: 4}}}}
	for _, draw := range []func(Chart) template.HTML{Horizontal, Vertical} {
		svg := string(draw(c))
		check(t, svg, c)
		if !strings.Contains(svg, `lang="it">Valutazione`) {
			t.Errorf("the label is not marked Italian: %s", svg)
		}
	}
}

// TestLongLegendStaysInside lays long series names on rows of their own: each name starts and
// (by the estimate the layout uses) ends inside the drawing.
func TestLongLegendStaysInside(t *testing.T) {
	c := Chart{ID: "legend", Title: "Richieste per stato", Desc: "Alla fine di ogni mese",
		Series:     []string{"Aperte (inviate o in lavorazione)", "Chiuse (concluse, respinte o ritirate)"},
		Categories: []string{"dic 26"}, Values: [][]Value{{{N: 2}, {N: 2}}}, Stacked: true}
	for name, svg := range map[string]template.HTML{"vertical": Vertical(c), "horizontal": Horizontal(c)} {
		nodes := parse(t, string(svg))
		var width float64
		var texts []node
		for _, n := range nodes {
			if n.Name == "svg" {
				width = atof(t, strings.Fields(n.Attrs["viewBox"])[2])
			}
			if n.Name == "text" && strings.HasPrefix(n.Text, c.Series[0][:6]) || n.Name == "text" && strings.HasPrefix(n.Text, c.Series[1][:6]) {
				texts = append(texts, n)
			}
		}
		if len(texts) != 2 {
			t.Fatalf("%s: %d legend texts", name, len(texts))
		}
		for _, n := range texts {
			if end := atof(t, n.Attrs["x"]) + float64(len([]rune(n.Text)))*7.5; end > width+1 {
				t.Errorf("%s: %q ends at %.0f, beyond the width %.0f", name, n.Text, end, width)
			}
		}
		if texts[0].Attrs["y"] == texts[1].Attrs["y"] {
			t.Errorf("%s: two long names on one row", name)
		}
	}
}

func atof(t *testing.T, s string) float64 {
	t.Helper()
	var f float64
	if _, err := fmt.Sscan(s, &f); err != nil {
		t.Fatal(s, err)
	}
	return f
}

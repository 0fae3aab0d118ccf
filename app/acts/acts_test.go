package acts

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/gomutex/godocx/packager"
)

func TestParseField(t *testing.T) {
	for _, c := range []struct {
		line string
		want Field
		rule string
	}{
		{line: "oggetto | Oggetto della delibera", want: Field{Key: "oggetto", Label: "Oggetto della delibera", Input: InputLine}},
		{line: " data_seduta | Data della seduta | data | Il giorno ", want: Field{Key: "data_seduta", Label: "Data della seduta", Input: InputDate, Help: "Il giorno"}},
		{line: "note | Note | Testo Facoltativo | Aiuto | con una barra", want: Field{Key: "note", Label: "Note", Input: InputText, Optional: true, Help: "Aiuto | con una barra"}},
		{line: "importo | Importo | numero", want: Field{Key: "importo", Label: "Importo", Input: InputNumber}},
		{line: "solo una chiave", rule: "act_field_syntax"},
		{line: "Oggetto | Oggetto", rule: "act_field_key"},
		{line: "1campo | Campo", rule: "act_field_key"},
		{line: "campo |  ", rule: "act_field_label"},
		{line: "campo | Campo | elenco", rule: "act_field_input"},
		{line: "campo | Campo | riga obbligatorio", rule: "act_field_input"},
		{line: "campo | Campo | riga | " + strings.Repeat("a", 401), rule: "act_field_help"},
	} {
		f, err := ParseField(c.line)
		if c.rule != "" {
			if fe, ok := err.(*FieldSyntaxError); !ok || fe.Rule != c.rule {
				t.Errorf("%q: %v, want rule %s", c.line, err, c.rule)
			}
			continue
		}
		if err != nil || f != c.want {
			t.Errorf("%q: %+v %v, want %+v", c.line, f, err, c.want)
		}
	}
}

func TestCheck(t *testing.T) {
	lines := []string{"oggetto | Oggetto", "", "data_seduta | Data | data"}
	if fields, p := Check(lines, "Oggetto: {{oggetto}}, seduta del {{ data_seduta }}."); p != nil || len(fields) != 2 {
		t.Errorf("a good template: %+v %+v", fields, p)
	}
	for _, c := range []struct {
		lines []string
		body  string
		want  Problem
	}{
		{[]string{"oggetto | Oggetto", "oggetto | Di nuovo"}, "{{oggetto}}", Problem{"fields", "act_field_twice", "oggetto"}},
		{[]string{"oggetto | Oggetto"}, "{{oggetto}} e {{importo}}", Problem{"body", "act_placeholder_unknown", "importo"}},
		{[]string{"oggetto | Oggetto", "importo | Importo | numero"}, "{{oggetto}}", Problem{"fields", "act_field_unused", "importo"}},
		{[]string{"oggetto Oggetto"}, "{{oggetto}}", Problem{"fields", "act_field_syntax", "oggetto Oggetto"}},
		{nil, "Testo.", Problem{"fields", "required", ""}},
	} {
		if _, p := Check(c.lines, c.body); p == nil || *p != c.want {
			t.Errorf("%v / %q: %+v, want %+v", c.lines, c.body, p, c.want)
		}
	}
}

// sample is a small template for the tests of the answers and the documents.
func sample(t *testing.T) *Template {
	t.Helper()
	lines := []string{"ente | Ente", "data_seduta | Data della seduta | data", "importo | Importo | numero",
		"motivi | Motivi | testo", "note | Note | testo facoltativo"}
	body := "**{{ente}}**\\\nUfficio tecnico\n\n## Deliberazione del {{data_seduta}}\n\nImporto: euro {{importo}}, _salvo conguaglio_.\n\n" +
		"{{motivi}}\n\n1. primo punto con **{{ente}}**\n2. secondo punto\n   - sotto punto\n\n- un elenco puntato\n\nNote: {{note}}\n"
	fields, p := Check(lines, body)
	if p != nil {
		t.Fatal(p)
	}
	return &Template{Slug: "prova", Title: "Delibera di prova", Version: 2, Fields: fields, Body: body}
}

func TestAnswers(t *testing.T) {
	tp := sample(t)
	good := map[string]string{"ente": " Comune di Valdoria ", "data_seduta": "2026-12-02", "importo": "12.500,00", "motivi": "Primo.\r\n\r\nSecondo."}
	got, err := tp.Answers(good)
	if err != nil || got["ente"] != "Comune di Valdoria" || got["motivi"] != "Primo.\n\nSecondo." || got["note"] != "" {
		t.Errorf("good answers: %q %v", got, err)
	}
	if w := tp.Written(got); w["data_seduta"] != "2 dicembre 2026" || w["importo"] != "12.500,00" {
		t.Errorf("written %q", w)
	}
	bad := map[string]string{"ente": "Comune\ndi Valdoria", "data_seduta": "2026-02-30", "importo": "dodicimila", "motivi": strings.Repeat("x", 10001)}
	_, err = tp.Answers(bad)
	inv, ok := err.(Invalid)
	want := Invalid{"ente": "acts.error.line", "data_seduta": "acts.error.date", "importo": "acts.error.number", "motivi": "acts.error.long?Max=10000"}
	if !ok || len(inv) != len(want) {
		t.Fatalf("bad answers: %v", err)
	}
	for k, v := range want {
		if inv[k] != v {
			t.Errorf("%s: %q, want %q", k, inv[k], v)
		}
	}
	if _, err := tp.Answers(map[string]string{}); err == nil || len(err.(Invalid)) != 4 {
		t.Errorf("no answers: %v", err)
	}
}

func TestFill(t *testing.T) {
	tp := sample(t)
	d := tp.Draft(map[string]string{"ente": "Comune di *Valdoria* <b>", "data_seduta": "2026-12-02", "importo": "1.000", "motivi": "Primo motivo.\n\nSecondo motivo."})
	var lines []string
	for _, b := range d.Blocks {
		lines = append(lines, strings.Repeat("#", b.Heading)+b.List+":"+b.Text())
	}
	want := []string{
		":Comune di *Valdoria* <b>\nUfficio tecnico", // the answer is text, never Markdown
		"##:Deliberazione del 2 dicembre 2026",
		":Importo: euro 1.000, salvo conguaglio.",
		":Primo motivo.", ":Secondo motivo.", // one answer alone, two paragraphs
		"number:primo punto con Comune di *Valdoria* <b>", "number:secondo punto", "bullet:sotto punto",
		"bullet:un elenco puntato",
		":Note: ",
	}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("blocks\n%q\nwant\n%q", lines, want)
	}
	if d.Blocks[0].Runs[0].Answer != "ente" || !d.Blocks[0].Runs[0].Bold || d.Blocks[7].Depth != 1 {
		t.Errorf("runs %+v, depth %d", d.Blocks[0].Runs, d.Blocks[7].Depth)
	}
	if r := d.Blocks[2].Runs; len(r) != 5 || !r[3].Italic || r[1].Answer != "importo" {
		t.Errorf("emphasis runs %+v", r)
	}
	html := string(d.HTML())
	for _, s := range []string{`<mark data-field="ente"><strong>Comune di *Valdoria* &lt;b&gt;</strong></mark>`, "<ol><li>", "<ul><li>sotto punto</li></ul>", "<h4>Deliberazione"} {
		if !strings.Contains(html, s) {
			t.Errorf("preview lacks %q:\n%s", s, html)
		}
	}
	if strings.Contains(html, "<b>") {
		t.Error("an answer's markup reached the preview")
	}
}

// xmlText reads an XML part through: it must be well formed; it returns its character data.
func xmlText(t *testing.T, part []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(part))
	var sb strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return sb.String()
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		if cd, ok := tok.(xml.CharData); ok {
			sb.Write(cd)
		}
	}
}

func unzip(t *testing.T, b []byte) (*zip.Reader, map[string][]byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		parts[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return zr, parts
}

var tricky = map[string]string{"ente": `Comune di "Valdoria" & <Monti>`, "data_seduta": "2026-12-02", "importo": "1.000",
	"motivi": "Riga uno\nriga due con  due spazi.\n\nSecondo paragrafo ]]> fine."}

func TestWriteODT(t *testing.T) {
	var buf bytes.Buffer
	if err := sample(t).Draft(tricky).Write(&buf, FormatODT, "it"); err != nil {
		t.Fatal(err)
	}
	zr, parts := unzip(t, buf.Bytes())
	if first := zr.File[0]; first.Name != "mimetype" || first.Method != zip.Store || string(parts["mimetype"]) != MediaType(FormatODT) {
		t.Errorf("the first entry is %s (method %d): %q", first.Name, first.Method, parts["mimetype"])
	}
	for _, name := range []string{"META-INF/manifest.xml", "meta.xml", "styles.xml", "content.xml"} {
		if parts[name] == nil {
			t.Fatalf("no %s", name)
		}
		xmlText(t, parts[name])
	}
	text := xmlText(t, parts["content.xml"])
	for _, s := range []string{"Delibera di prova", `Comune di "Valdoria" & <Monti>`, "Deliberazione del 2 dicembre 2026", "Secondo paragrafo ]]> fine.", "sotto punto"} {
		if !strings.Contains(text, s) {
			t.Errorf("content lacks %q: %s", s, text)
		}
	}
	content := string(parts["content.xml"])
	for _, s := range []string{`<text:line-break/>riga due con <text:s text:c="1"/>due spazi.`, `<text:list text:style-name="LNumber">`, `<text:span text:style-name="B">`, `<text:span text:style-name="I">salvo conguaglio</text:span>`} {
		if !strings.Contains(content, s) {
			t.Errorf("content.xml lacks %s", s)
		}
	}
	if !strings.Contains(string(parts["styles.xml"]), `fo:language="it" fo:country="IT"`) {
		t.Error("the document's language is not Italian")
	}
}

func TestWriteDOCX(t *testing.T) {
	var buf bytes.Buffer
	if err := sample(t).Draft(tricky).Write(&buf, FormatDOCX, "it"); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if _, err := packager.Unpack(&b); err != nil { // godocx reads it back
		t.Fatalf("godocx cannot open the document: %v", err)
	}
	_, parts := unzip(t, b)
	text := xmlText(t, parts["word/document.xml"])
	for _, s := range []string{"Delibera di prova", `Comune di "Valdoria" & <Monti>`, "Deliberazione del 2 dicembre 2026", "riga due con  due spazi.", "Secondo paragrafo ]]> fine."} {
		if !strings.Contains(text, s) {
			t.Errorf("document lacks %q: %s", s, text)
		}
	}
	doc := string(parts["word/document.xml"])
	for _, s := range []string{`w:val="ListNumber"`, `w:val="ListBullet2"`, `w:val="Heading2"`, `w:val="Title"`, "<w:br"} {
		if !strings.Contains(doc, s) {
			t.Errorf("document.xml lacks %s", s)
		}
	}
	if !strings.Contains(string(parts["word/styles.xml"]), `w:val="it-IT"`) {
		t.Error("the document's language is not Italian")
	}
}

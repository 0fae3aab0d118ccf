package acts

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/gomutex/godocx"
	"github.com/gomutex/godocx/wml/ctypes"
)

// Formats of the act's document.
const (
	FormatDOCX = "docx"
	FormatODT  = "odt"
)

// MediaType is the media type of a format.
func MediaType(format string) string {
	if format == FormatODT {
		return "application/vnd.oasis.opendocument.text"
	}
	return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
}

// Write writes d in format (FormatDOCX or FormatODT), in the language lang ("it").
func (d *Document) Write(w io.Writer, format, lang string) error {
	switch format {
	case FormatDOCX:
		return d.docx(w, lang)
	case FormatODT:
		return d.odt(w, lang)
	}
	return fmt.Errorf("acts: unknown format %q", format)
}

// language is the BCP 47 tag of lang for the documents' spelling ("it-IT").
func language(lang string) string {
	if lang == "en" {
		return "en-GB"
	}
	return "it-IT"
}

// docx writes d as Office Open XML with godocx: the title in the Title style, headings in the
// Heading styles, list items in the List Bullet and List Number styles of godocx's template.
func (d *Document) docx(w io.Writer, lang string) error {
	doc, err := godocx.NewDocument()
	if err != nil {
		return fmt.Errorf("acts: docx: %w", err)
	}
	if st := doc.DocStyles; st != nil && st.DocDefaults != nil && st.DocDefaults.RunProp != nil && st.DocDefaults.RunProp.RunProp != nil {
		tag := language(lang)
		st.DocDefaults.RunProp.RunProp.Lang = &ctypes.Lang{Val: &tag} // spelling in the act's language
	}
	if _, err := doc.AddHeading(d.Title, 0); err != nil {
		return fmt.Errorf("acts: docx: %w", err)
	}
	for _, b := range d.Blocks {
		para := doc.AddEmptyParagraph()
		switch {
		case b.Heading > 0:
			para.Style(fmt.Sprintf("Heading%d", min(b.Heading, 6)))
		case b.List == "bullet":
			para.Style(listStyle("ListBullet", b.Depth))
		case b.List == "number":
			para.Style(listStyle("ListNumber", b.Depth))
		}
		for _, r := range b.Runs {
			for i, line := range strings.Split(r.Text, "\n") {
				if i > 0 {
					para.AddRun().AddBreak(nil)
				}
				if line == "" {
					continue
				}
				run := para.AddText(line)
				if r.Bold {
					run.Bold(true)
				}
				if r.Italic {
					run.Italic(true)
				}
			}
		}
	}
	if err := doc.Write(w); err != nil {
		return fmt.Errorf("acts: docx: %w", err)
	}
	return nil
}

// listStyle names the list style of an item depth lists deep: the template has three levels.
func listStyle(base string, depth int) string {
	if depth == 0 {
		return base
	}
	return fmt.Sprintf("%s%d", base, min(depth+1, 3))
}

// odt writes d as an OpenDocument text: no Go library writes ODF, and the format is a ZIP of
// XML parts, so the parts are written here with encoding/xml's escaping. The mimetype comes first
// and uncompressed, as ODF 1.3 part 2 (packages) asks.
func (d *Document) odt(w io.Writer, lang string) error {
	zw := zip.NewWriter(w)
	part := func(name string, method uint16, body []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			return err
		}
		_, err = f.Write(body)
		return err
	}
	tag := strings.SplitN(language(lang), "-", 2)
	parts := []struct {
		name   string
		method uint16
		body   []byte
	}{
		{"mimetype", zip.Store, []byte(MediaType(FormatODT))},
		{"META-INF/manifest.xml", zip.Deflate, []byte(odtManifest)},
		{"meta.xml", zip.Deflate, []byte(fmt.Sprintf(odtMeta, escape(d.Title), tag[0]))},
		{"styles.xml", zip.Deflate, []byte(fmt.Sprintf(odtStyles, tag[0], tag[1]))},
		{"content.xml", zip.Deflate, d.odtContent()},
	}
	for _, p := range parts {
		if err := part(p.name, p.method, p.body); err != nil {
			return fmt.Errorf("acts: odt: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("acts: odt: %w", err)
	}
	return nil
}

// escape returns s escaped for XML text and attributes.
func escape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// odtContent is the content.xml of d: headings as text:h, paragraphs as text:p, lists as
// text:list, bold and italic as the automatic text styles B, I and BI.
func (d *Document) odtContent() []byte {
	var b strings.Builder
	b.WriteString(odtContentHead)
	b.WriteString(`<text:h text:style-name="Title" text:outline-level="1">` + escape(d.Title) + `</text:h>`)
	var open []string // the list styles open, innermost last
	closeTo := func(depth int) {
		for len(open) > depth {
			b.WriteString(`</text:list-item></text:list>`)
			open = open[:len(open)-1]
		}
	}
	for _, blk := range d.Blocks {
		if blk.List == "" {
			closeTo(0)
		} else {
			style := "LBullet"
			if blk.List == "number" {
				style = "LNumber"
			}
			if len(open) > blk.Depth+1 {
				closeTo(blk.Depth + 1)
			}
			switch {
			case len(open) == blk.Depth+1 && open[blk.Depth] == style:
				b.WriteString(`</text:list-item><text:list-item>`) // the next item of the same list
			case len(open) == blk.Depth+1:
				closeTo(blk.Depth)
			}
			for len(open) < blk.Depth+1 {
				if len(open) == 0 {
					b.WriteString(`<text:list text:style-name="` + style + `"><text:list-item>`)
				} else {
					b.WriteString(`<text:list><text:list-item>`)
				}
				open = append(open, style)
			}
		}
		switch {
		case blk.Heading > 0:
			fmt.Fprintf(&b, `<text:h text:style-name="Heading_20_%d" text:outline-level="%d">`, min(blk.Heading+1, 6), min(blk.Heading+1, 6))
		default:
			b.WriteString(`<text:p text:style-name="Standard">`)
		}
		for _, r := range blk.Runs {
			span := ""
			switch {
			case r.Bold && r.Italic:
				span = "BI"
			case r.Bold:
				span = "B"
			case r.Italic:
				span = "I"
			}
			if span != "" {
				b.WriteString(`<text:span text:style-name="` + span + `">`)
			}
			for i, line := range strings.Split(r.Text, "\n") {
				if i > 0 {
					b.WriteString(`<text:line-break/>`)
				}
				b.WriteString(odtSpaces(escape(line)))
			}
			if span != "" {
				b.WriteString(`</text:span>`)
			}
		}
		if blk.Heading > 0 {
			b.WriteString(`</text:h>`)
		} else {
			b.WriteString(`</text:p>`)
		}
	}
	closeTo(0)
	b.WriteString(`</office:text></office:body></office:document-content>`)
	return []byte(b.String())
}

// odtSpaces keeps runs of spaces, which ODF otherwise collapses into one.
func odtSpaces(s string) string {
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	n := 0
	flush := func() {
		if n > 0 {
			b.WriteByte(' ')
			if n > 1 {
				fmt.Fprintf(&b, `<text:s text:c="%d"/>`, n-1)
			}
			n = 0
		}
	}
	for _, r := range s {
		if r == ' ' {
			n++
			continue
		}
		flush()
		b.WriteRune(r)
	}
	flush()
	return b.String()
}

const odtManifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>`

const odtMeta = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3">
<office:meta><dc:title>%s</dc:title><dc:language>%s</dc:language><meta:generator>PAsS</meta:generator></office:meta>
</office:document-meta>`

const odtStyles = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3">
<office:styles>
 <style:default-style style:family="paragraph"><style:paragraph-properties fo:margin-bottom="0.21cm" fo:line-height="115%%"/><style:text-properties style:font-name="Liberation Serif" fo:font-family="'Liberation Serif', 'Times New Roman', serif" fo:font-size="12pt" fo:language="%s" fo:country="%s"/></style:default-style>
 <style:style style:name="Standard" style:family="paragraph" style:class="text"><style:paragraph-properties fo:text-align="justify"/></style:style>
 <style:style style:name="Heading" style:family="paragraph" style:parent-style-name="Standard" style:class="text"><style:paragraph-properties fo:margin-top="0.42cm" fo:margin-bottom="0.21cm" fo:keep-with-next="always" fo:text-align="start"/><style:text-properties fo:font-weight="bold"/></style:style>
 <style:style style:name="Title" style:family="paragraph" style:parent-style-name="Heading" style:class="chapter"><style:paragraph-properties fo:text-align="center"/><style:text-properties fo:font-size="16pt"/></style:style>
 <style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph" style:parent-style-name="Heading" style:default-outline-level="2" style:class="text"><style:text-properties fo:font-size="14pt"/></style:style>
 <style:style style:name="Heading_20_3" style:display-name="Heading 3" style:family="paragraph" style:parent-style-name="Heading" style:default-outline-level="3" style:class="text"><style:text-properties fo:font-size="13pt"/></style:style>
 <style:style style:name="Heading_20_4" style:display-name="Heading 4" style:family="paragraph" style:parent-style-name="Heading" style:default-outline-level="4" style:class="text"><style:text-properties fo:font-size="12pt"/></style:style>
 <style:style style:name="Heading_20_5" style:display-name="Heading 5" style:family="paragraph" style:parent-style-name="Heading" style:default-outline-level="5" style:class="text"/>
 <style:style style:name="Heading_20_6" style:display-name="Heading 6" style:family="paragraph" style:parent-style-name="Heading" style:default-outline-level="6" style:class="text"/>
</office:styles>
</office:document-styles>`

const odtContentHead = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3">
<office:automatic-styles>
 <style:style style:name="B" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
 <style:style style:name="I" style:family="text"><style:text-properties fo:font-style="italic"/></style:style>
 <style:style style:name="BI" style:family="text"><style:text-properties fo:font-weight="bold" fo:font-style="italic"/></style:style>
 <text:list-style style:name="LBullet">
  <text:list-level-style-bullet text:level="1" text:bullet-char="•"><style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="listtab" fo:text-indent="-0.635cm" fo:margin-left="1.27cm"/></style:list-level-properties></text:list-level-style-bullet>
  <text:list-level-style-bullet text:level="2" text:bullet-char="◦"><style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="listtab" fo:text-indent="-0.635cm" fo:margin-left="1.905cm"/></style:list-level-properties></text:list-level-style-bullet>
  <text:list-level-style-bullet text:level="3" text:bullet-char="▪"><style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="listtab" fo:text-indent="-0.635cm" fo:margin-left="2.54cm"/></style:list-level-properties></text:list-level-style-bullet>
 </text:list-style>
 <text:list-style style:name="LNumber">
  <text:list-level-style-number text:level="1" style:num-format="1" style:num-suffix="."><style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="listtab" fo:text-indent="-0.635cm" fo:margin-left="1.27cm"/></style:list-level-properties></text:list-level-style-number>
  <text:list-level-style-number text:level="2" style:num-format="a" style:num-suffix=")"><style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="listtab" fo:text-indent="-0.635cm" fo:margin-left="1.905cm"/></style:list-level-properties></text:list-level-style-number>
  <text:list-level-style-number text:level="3" style:num-format="i" style:num-suffix="."><style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="listtab" fo:text-indent="-0.635cm" fo:margin-left="2.54cm"/></style:list-level-properties></text:list-level-style-number>
 </text:list-style>
</office:automatic-styles>
<office:body><office:text>`

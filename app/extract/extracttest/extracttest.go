// Package extracttest writes PDF, ODT and DOCX files for tests of text extraction: normal ones
// with known text, and hostile ones built the way attackers build them (a page tree that never
// ends, streams and archive members that inflate to gigabytes, a cross-reference chain that
// loops, a table that asks for the memory of the machine, XML nested without end, entities that
// expand to gigabytes).
package extracttest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/zlib"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"hash/adler32"
	"strings"
)

// Builder assembles a PDF from numbered objects (1, 2, …) with a classic cross-reference table.
type Builder struct {
	objs [][]byte
}

// Add appends an object body (what goes between "N 0 obj" and "endobj") and returns its number.
func (b *Builder) Add(body string) int {
	b.objs = append(b.objs, []byte(body))
	return len(b.objs)
}

// AddStream appends a stream object with the extra dictionary entries dict and the raw
// (already encoded) data, and returns its number.
func (b *Builder) AddStream(dict string, data []byte) int {
	var o bytes.Buffer
	fmt.Fprintf(&o, "<< %s /Length %d >>\nstream\n", dict, len(data))
	o.Write(data)
	o.WriteString("\nendstream")
	b.objs = append(b.objs, o.Bytes())
	return len(b.objs)
}

// Bytes writes the file, the trailer holding extra entries besides /Size and /Root 1 0 R; prev,
// when not negative, is written as the trailer's /Prev (-2 means: the table's own offset).
func (b *Builder) Bytes(extra string, prev int) []byte {
	var out bytes.Buffer
	out.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(b.objs))
	for i, o := range b.objs {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n", i+1)
		out.Write(o)
		out.WriteString("\nendobj\n")
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(b.objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	if prev == -2 {
		prev = xref
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R %s", len(b.objs)+1, extra)
	if prev >= 0 {
		fmt.Fprintf(&out, " /Prev %d", prev)
	}
	fmt.Fprintf(&out, " >>\nstartxref\n%d\n%%%%EOF\n", xref)
	return out.Bytes()
}

// Deflate compresses data with zlib, as PDF's FlateDecode filter expects.
func Deflate(data []byte) []byte {
	var buf bytes.Buffer
	w, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	_, _ = w.Write(data)
	_ = w.Close()
	return buf.Bytes()
}

// deflateRepeat returns a zlib stream of prefix followed by about n bytes of c (in whole
// mebibytes past a 64 KiB start), built in milliseconds: once the window is full of c, every
// flushed mebibyte of c compresses to the same bytes, so one segment is repeated and the
// checksum computed over what it stands for.
func deflateRepeat(prefix []byte, c byte, n int64) []byte {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	sum := uint32(1) // the Adler-32 of nothing
	write := func(p []byte) {
		_, _ = fw.Write(p)
		sum = adler32Combine(sum, adler32.Checksum(p), int64(len(p)))
		_ = fw.Flush()
	}
	write(prefix)
	write(bytes.Repeat([]byte{c}, 64<<10))
	chunk := bytes.Repeat([]byte{c}, 1<<20)
	head := buf.Len()
	write(chunk)
	first := bytes.Clone(buf.Bytes()[head:])
	write(chunk)
	if !bytes.Equal(first, buf.Bytes()[head+len(first):]) {
		panic("extracttest: flate output of a run is not periodic")
	}
	chunkSum := adler32.Checksum(chunk)
	for done := int64(64<<10) + 2<<20; done < n; done += 1 << 20 {
		buf.Write(first)
		sum = adler32Combine(sum, chunkSum, int64(len(chunk)))
	}
	_ = fw.Close() // the final block; the writer's own state never saw the repeats
	out := []byte{0x78, 0xda}
	out = append(out, buf.Bytes()...)
	return binary.BigEndian.AppendUint32(out, sum)
}

// adler32Combine is the Adler-32 of A followed by B, from their checksums and B's length (as
// zlib's adler32_combine).
func adler32Combine(a, b uint32, lenB int64) uint32 {
	const mod = 65521
	rem := uint64(lenB % mod)
	s1 := uint64(a & 0xffff)
	s2 := rem * s1 % mod
	s1 += uint64(b&0xffff) + mod - 1
	s2 += uint64(a>>16) + uint64(b>>16) + mod - rem
	return uint32(s1%mod) | uint32(s2%mod)<<16
}

// TextPDF is a normal one-page-per-line PDF whose pages show lines in Helvetica, its content
// streams compressed as office suites write them.
func TextPDF(lines ...string) []byte {
	var b Builder
	b.Add("<< /Type /Catalog /Pages 2 0 R >>")
	b.Add("") // the page tree, written once the pages are known
	font := b.Add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	var kids bytes.Buffer
	for _, line := range lines {
		content := fmt.Sprintf("BT /F1 12 Tf 72 720 Td (%s) Tj ET", line)
		c := b.AddStream("/Filter /FlateDecode", Deflate([]byte(content)))
		p := b.Add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>", font, c))
		fmt.Fprintf(&kids, "%d 0 R ", p)
	}
	b.objs[1] = fmt.Appendf(nil, "<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), len(lines))
	return b.Bytes("", -1)
}

// PageTreeBomb is a file of a few hundred bytes whose page tree declares 4·10¹⁸ pages and
// holds itself as its only kid: a reader that trusts /Count or follows /Kids never ends.
func PageTreeBomb() []byte {
	var b Builder
	b.Add("<< /Type /Catalog /Pages 2 0 R >>")
	b.Add("<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 4000000000000000000 >>")
	b.Add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
	return b.Bytes("", -1)
}

// InflationBomb is a one-page file whose content stream inflates to size bytes: a text string
// opened and never closed, so a reader that keeps the token grows with it. Its compressed size
// is about size/1000.
func InflationBomb(size int64) []byte {
	var b Builder
	b.Add("<< /Type /Catalog /Pages 2 0 R >>")
	b.Add("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	b.Add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>")
	b.AddStream("/Filter /FlateDecode", deflateRepeat([]byte("BT ("), 'A', size))
	return b.Bytes("", -1)
}

// NestedInflationBomb is InflationBomb compressed twice (/Filter [/FlateDecode /FlateDecode]):
// a few kilobytes that inflate to size bytes.
func NestedInflationBomb(size int64) []byte {
	inner := deflateRepeat([]byte("BT ("), 'A', size)
	var b Builder
	b.Add("<< /Type /Catalog /Pages 2 0 R >>")
	b.Add("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	b.Add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>")
	b.AddStream("/Filter [/FlateDecode /FlateDecode]", Deflate(inner))
	return b.Bytes("", -1)
}

// CyclicParent is a one-page file whose page names itself as its /Parent and has no resources
// of its own: a reader looking up inherited resources climbs forever.
func CyclicParent() []byte {
	var b Builder
	b.Add("<< /Type /Catalog /Pages 2 0 R >>")
	b.Add("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	b.Add("<< /Type /Page /Parent 3 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>")
	b.AddStream("", []byte("BT /F1 12 Tf (ciclo) Tj ET"))
	return b.Bytes("", -1)
}

// RepeatedContents is a one-page file whose /Contents lists the same 64 KiB stream 100,000
// times: some 600 KB that read as 6.4 GB of page content.
func RepeatedContents() []byte {
	var b Builder
	b.Add("<< /Type /Catalog /Pages 2 0 R >>")
	b.Add("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	b.Add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents [" + strings.Repeat("4 0 R ", 100_000) + "] >>")
	b.AddStream("/Filter /FlateDecode", Deflate(bytes.Repeat([]byte("0 0 m "), 64<<10/6)))
	return b.Bytes("", -1)
}

// LoopingXref is a file whose cross-reference table names itself as the previous one: a reader
// that follows /Prev spins forever before it reaches the first page.
func LoopingXref() []byte {
	var b Builder
	b.Add("<< /Type /Catalog /Pages 2 0 R >>")
	b.Add("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	b.Add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
	return b.Bytes("", -2)
}

// HugeXref is a file of some eighty bytes whose cross-reference table declares four billion
// entries: a reader that sizes its table from it asks for hundreds of gigabytes, which a Go
// program cannot survive (the runtime aborts; no recover catches it).
func HugeXref() []byte {
	var out bytes.Buffer
	out.WriteString("%PDF-1.7\n")
	xref := out.Len()
	out.WriteString("xref\n0 1\n0000000000 65535 f \n4000000000 1\n0000000009 00000 n \n")
	out.WriteString("trailer\n<< /Size 4000000001 /Root 1 0 R >>\n")
	fmt.Fprintf(&out, "startxref\n%d\n%%%%EOF\n", xref)
	return out.Bytes()
}

// office builds an archive of the kind ("odt" or "docx") whose text member holds xml.
func office(kind string, xmlBody []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	officeHead(zw, kind)
	w, _ := zw.Create(officeMember(kind))
	_, _ = w.Write(xmlBody)
	_ = zw.Close()
	return buf.Bytes()
}

// officeHead writes the entry that says what the archive is: OpenDocument's mimetype, OOXML's
// content types.
func officeHead(zw *zip.Writer, kind string) {
	if kind == "odt" {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
		_, _ = w.Write([]byte("application/vnd.oasis.opendocument.text"))
		return
	}
	w, _ := zw.Create("[Content_Types].xml")
	_, _ = w.Write([]byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`))
}

func officeMember(kind string) string {
	if kind == "odt" {
		return "content.xml"
	}
	return "word/document.xml"
}

// ODT is a normal text document with one paragraph per line.
func ODT(lines ...string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:meta>non testo</office:meta><office:body><office:text>`)
	for _, l := range lines {
		b.WriteString("<text:p>")
		xmlEscape(&b, l)
		b.WriteString("</text:p>")
	}
	b.WriteString(`</office:text></office:body></office:document-content>`)
	return office("odt", []byte(b.String()))
}

// DOCX is a normal Word document with one paragraph per line.
func DOCX(lines ...string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for _, l := range lines {
		b.WriteString(`<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">`)
		xmlEscape(&b, l)
		b.WriteString(`</w:t></w:r></w:p>`)
	}
	b.WriteString(`</w:body></w:document>`)
	return office("docx", []byte(b.String()))
}

func xmlEscape(b *strings.Builder, s string) {
	_ = xml.EscapeText(b, []byte(s))
}

// OfficeBomb is an archive of the kind whose text member inflates to size bytes of spaces after
// an opening tag, its header declaring declared bytes: built in milliseconds (see deflateRepeat).
func OfficeBomb(kind string, size, declared int64) []byte {
	z := deflateRepeat([]byte("<w:document><w:body><w:t>"), ' ', size)
	raw := z[2 : len(z)-4] // the deflate stream inside the zlib wrapping
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	officeHead(zw, kind)
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: officeMember(kind), Method: zip.Deflate, CompressedSize64: uint64(len(raw)), UncompressedSize64: uint64(declared)})
	_, _ = w.Write(raw)
	_ = zw.Close()
	return buf.Bytes()
}

// DeepXML is an archive of the kind whose XML nests depth elements.
func DeepXML(kind string, depth int) []byte {
	return office(kind, []byte(strings.Repeat("<a>", depth)+"testo"+strings.Repeat("</a>", depth)))
}

// ManyEntries is an archive of n empty entries before the text member.
func ManyEntries(kind string, n int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < n; i++ {
		_, _ = zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("x/%d", i), Method: zip.Store})
	}
	w, _ := zw.Create(officeMember(kind))
	_, _ = w.Write([]byte("<w:body><w:t>testo</w:t></w:body>"))
	_ = zw.Close()
	return buf.Bytes()
}

// TagFlood is an archive of the kind whose XML is size bytes of empty elements: cheap to store,
// long to parse, for the time limits.
func TagFlood(kind string, size int) []byte {
	return office(kind, append([]byte("<office:body>"), bytes.Repeat([]byte("<a/>"), size/4)...))
}

// EntityBomb is an archive of the kind whose XML declares nested entities (a "billion laughs"):
// the reader must not expand them.
func EntityBomb(kind string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">`)
	prev := "lol"
	for i := 1; i <= 9; i++ {
		name := fmt.Sprintf("lol%d", i)
		fmt.Fprintf(&b, `<!ENTITY %s "%s">`, name, strings.Repeat("&"+prev+";", 10))
		prev = name
	}
	b.WriteString(`]><office:body><text:p>&lol9;</text:p><w:t>&lol9;</w:t></office:body>`)
	return office(kind, []byte(b.String()))
}

package extract

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits of an office document read inside the reader process, past those of Limits.
const (
	// MaxEntries bounds the entries of the archive's directory.
	MaxEntries = 10_000
	// MaxXMLDepth bounds the nesting of the XML holding the text.
	MaxXMLDepth = 256
)

// Reasons an office document is refused by the reader.
var (
	errEntries = errors.New("extract: archive with too many entries")
	errNoBody  = errors.New("extract: archive without the document's text")
	errDepth   = errors.New("extract: XML nested past the limit")
)

// officeEntry is the member of the archive that holds the text of each kind.
var officeEntry = map[string]string{"odt": "content.xml", "docx": "word/document.xml"}

// officeText reads the text of an ODT or DOCX file within l: the archive's directory (at most
// MaxEntries entries), then one member, decompressed at most l.Inflated bytes whatever its header
// declares, parsed as a stream of XML tokens at most MaxXMLDepth deep (no DTD, no entity of its
// own is expanded); at most l.Text bytes of text. It runs inside the reader process, whose own
// limits (memory, CPU, wall-clock) stop what it cannot.
func officeText(kind string, data []byte, l Limits) (string, error) {
	entry, ok := officeEntry[kind]
	if !ok {
		return "", fmt.Errorf("extract: no office kind %q", kind)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("extract: not an archive: %w", err)
	}
	if len(zr.File) > MaxEntries {
		return "", errEntries
	}
	var member *zip.File
	for _, f := range zr.File {
		if f.Name == entry {
			member = f
			break
		}
	}
	if member == nil {
		return "", errNoBody
	}
	rc, err := member.Open()
	if err != nil {
		return "", fmt.Errorf("extract: %w", err)
	}
	defer rc.Close()
	in := &budgetReader{r: rc, left: l.Inflated}
	text, err := xmlText(kind, in, l.Text)
	if in.left < 0 { // a token read whole past the budget (text without markup): a bomb
		return "", errInflated
	}
	return text, err
}

// budgetReader fails once more than left bytes were read through it.
type budgetReader struct {
	r    io.Reader
	left int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errInflated
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, errInflated
	}
	return n, err
}

// xmlText takes the text of an office document's XML: in ODT everything under the body, in DOCX
// the runs' text (w:t); paragraphs and headings end lines, tabs and breaks are spaces.
func xmlText(kind string, r io.Reader, max int) (string, error) {
	d := xml.NewDecoder(r)
	d.Strict = false // an unknown entity stays as written; nothing is fetched or expanded
	var out strings.Builder
	depth, inText := 0, 0
	body := kind == "docx"
	for out.Len() < max {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, errInflated) {
				return "", err
			}
			return clip(out.String(), max), fmt.Errorf("extract: malformed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth++; depth > MaxXMLDepth {
				return "", errDepth
			}
			switch t.Name.Local {
			case "body":
				body = true
			case "t":
				inText++
			case "tab", "s", "line-break", "br":
				out.WriteByte(' ')
			}
		case xml.EndElement:
			depth--
			switch t.Name.Local {
			case "p", "h":
				out.WriteByte('\n')
			case "t":
				inText = max0(inText - 1)
			}
		case xml.CharData:
			if body && (kind == "odt" || inText > 0) {
				out.Write(t)
			}
		}
	}
	return clip(out.String(), max), nil
}

func max0(n int) int { return max(n, 0) }

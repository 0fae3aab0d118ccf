package mailtest

import (
	"encoding/base64"
	"io"
	"mime/quotedprintable"
)

func qpReader(r io.Reader) io.Reader { return quotedprintable.NewReader(r) }
func base64Reader(r io.Reader) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, newlineStripper{r})
}

// newlineStripper drops CR and LF, which base64 bodies wrap with.
type newlineStripper struct{ r io.Reader }

func (n newlineStripper) Read(p []byte) (int, error) {
	m, err := n.r.Read(p)
	out := p[:0]
	for _, b := range p[:m] {
		if b != '\r' && b != '\n' {
			out = append(out, b)
		}
	}
	return len(out), err
}

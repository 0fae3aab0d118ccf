package ente

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckProtocol(t *testing.T) {
	plain := "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
	signed := "%PDF-1.7\n1 0 obj << /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 10 20 30] >> endobj\n%%EOF\n"
	p7m := "\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\xa0\x80" + plain
	cases := []struct {
		name   string
		data   string
		typ    string
		signed bool
		err    error
	}{
		{"plain pdf", plain, TypePDF, false, nil},
		{"PAdES pdf", signed, TypePDF, true, nil},
		{"CAdES p7m", p7m, TypeP7M, true, nil},
		{"empty", "", "", false, ErrProtocolMissing},
		{"too large", plain + strings.Repeat(" ", 2000), "", false, ErrProtocolTooLarge},
		{"a PNG named .pdf", "\x89PNG\r\n\x1a\n....", "", false, ErrProtocolType},
		{"html", "<html><body>%PDF-</body></html>", "", false, ErrProtocolType},
		{"truncated pdf", "%PDF-1.7\n1 0 obj", "", false, ErrProtocolType},
		{"p7m without pdf", "\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02 hello", "", false, ErrProtocolType},
	}
	for _, c := range cases {
		typ, sig, err := CheckProtocol([]byte(c.data), 1000)
		if typ != c.typ || sig != c.signed || !errors.Is(err, c.err) {
			t.Errorf("%s: %q %v %v, want %q %v %v", c.name, typ, sig, err, c.typ, c.signed, c.err)
		}
	}
}

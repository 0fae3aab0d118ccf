package ente

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestCheckProtocol(t *testing.T) {
	plain := "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
	p7m := "\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\xa0\x80" + plain
	cases := []struct {
		name string
		data string
		typ  string
		err  error
	}{
		{"plain pdf", plain, TypePDF, nil},
		{"CAdES p7m", p7m, TypeP7M, nil},
		{"CAdES p7m in Base64", base64.StdEncoding.EncodeToString([]byte(p7m)), TypeP7M, nil},
		{"empty", "", "", ErrProtocolMissing},
		{"too large", plain + strings.Repeat(" ", 2000), "", ErrProtocolTooLarge},
		{"a PNG named .pdf", "\x89PNG\r\n\x1a\n....", "", ErrProtocolType},
		{"html", "<html><body>%PDF-</body></html>", "", ErrProtocolType},
		{"truncated pdf", "%PDF-1.7\n1 0 obj", "", ErrProtocolType},
		{"der without signedData", "\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01 hello", "", ErrProtocolType},
	}
	for _, c := range cases {
		typ, err := CheckProtocol([]byte(c.data), 1000)
		if typ != c.typ || !errors.Is(err, c.err) {
			t.Errorf("%s: %q %v, want %q %v", c.name, typ, err, c.typ, c.err)
		}
	}
}

package inbound

import (
	"bytes"
	"errors"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParse checks that Parse never panics, refuses only with its own
// errors, and keeps what it returns within the limits.
func FuzzParse(f *testing.F) {
	for _, s := range samples {
		f.Add([]byte(crlf(s)))
		f.Add([]byte(s))
	}
	f.Add([]byte(crlf(nested(4))))
	f.Add([]byte(crlf(manyParts(5))))
	f.Add([]byte("From: a@b\r\n\r\n"))
	f.Add([]byte("From: a@b\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\n--x--"))

	l := Limits{MaxMessageBytes: 64 << 10, MaxHeaderBytes: 4 << 10, MaxParts: 20, MaxDepth: 4, MaxText: 2 << 10, MaxAttachments: 4}
	f.Fuzz(func(t *testing.T, data []byte) {
		began := time.Now()
		m, err := Parse(bytes.NewReader(data), l)
		if d := time.Since(began); d > 2*time.Second {
			t.Errorf("Parse took %v", d)
		}
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooComplex) && !errors.Is(err, ErrTooBig) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if m.From == nil {
			t.Fatal("no From")
		}
		if len(m.Text) > l.MaxText || !utf8.ValidString(m.Text) {
			t.Fatalf("Text: %d bytes, valid UTF-8 %v", len(m.Text), utf8.ValidString(m.Text))
		}
		if utf8.RuneCountInString(m.Subject) > maxSubjectRunes || !utf8.ValidString(m.Subject) {
			t.Fatalf("Subject %q", m.Subject)
		}
		if len(m.Attachments) > l.MaxAttachments {
			t.Fatalf("%d attachments", len(m.Attachments))
		}
		for _, a := range m.Attachments {
			if a.Name == "" || bytes.ContainsAny([]byte(a.Name), "/\\\x00\r\n") {
				t.Fatalf("attachment name %q", a.Name)
			}
		}
		if len(m.InReplyTo) > maxIDs || len(m.References) > maxIDs {
			t.Fatalf("%d/%d ids", len(m.InReplyTo), len(m.References))
		}
		_ = m.NewText()
	})
}

package inbound

import (
	"bytes"
	"encoding/base64"
	"net/smtp"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkDeliver sends b.N messages over one SMTP connection to a
// Handler that keeps them in memory, and reports messages per second and
// the 99th percentile of the time from MAIL FROM to the 250 reply.
func BenchmarkDeliver(b *testing.B) {
	for _, bc := range []struct{ name, msg string }{
		{"plain", plainMsg},
		{"attachment", pdfMsg},
		{"html", htmlMsg},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := &memHandler{}
			addr := start(b, Config{}, h)
			c, err := smtp.Dial(addr)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			if err := c.Hello("bench"); err != nil {
				b.Fatal(err)
			}
			lat := make([]time.Duration, 0, b.N)
			b.SetBytes(int64(len(crlf(bc.msg))))
			b.ReportAllocs()
			b.ResetTimer()
			began := time.Now()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if err := sendOn(c, "a@example.org", []string{helpdesk}, bc.msg); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			elapsed := time.Since(began)
			b.StopTimer()
			if n := len(h.delivered()); n != b.N {
				b.Fatalf("%d delivered, want %d", n, b.N)
			}
			slices.Sort(lat)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
			b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// BenchmarkParse measures the parser alone on the samples and on a message
// carrying a 2 MiB base64 attachment.
func BenchmarkParse(b *testing.B) {
	att := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("%PDF-1.4 dati "), 2<<20/14))
	var lines strings.Builder
	for len(att) > 76 {
		lines.WriteString(att[:76] + "\r\n")
		att = att[76:]
	}
	lines.WriteString(att + "\r\n")
	large := crlf("From: a@example.org\nContent-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/plain\n\nallegato\n--m\n"+
		"Content-Type: application/pdf; name=grande.pdf\nContent-Transfer-Encoding: base64\n\n") + lines.String() + "--m--\r\n"
	for _, bc := range []struct{ name, msg string }{
		{"plain", crlf(plainMsg)}, {"alternative", crlf(alternativeMsg)}, {"html", crlf(htmlMsg)}, {"2MiB-attachment", large},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.msg)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(strings.NewReader(bc.msg), Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package inbound

import (
	"net/smtp"
	"slices"
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

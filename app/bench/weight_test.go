package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"passhub/app/apptest"
)

// BenchmarkFirstVisit loads the home, the catalogue and a procedure sheet with every style sheet,
// script, icon sprite and image they reference (fonts aside), as a first visit does, asking for
// no compression, gzip, and Brotli with gzip; it reports requests and kilobytes on the wire. The
// budget is 150 KB compressed per public page (TestPublicPagesWithinBudget asserts it).
func BenchmarkFirstVisit(b *testing.B) {
	s := apptest.Start(b)
	tfs, err := s.Catalogue.Catalogue(context.Background())
	if err != nil || len(tfs) == 0 || len(tfs[0].Procedures) == 0 {
		b.Fatalf("catalogue: %v", err)
	}
	pages := []string{"/", "/procedure", "/procedure/" + tfs[0].Procedures[0].Slug}
	encodings := []struct{ name, header string }{{"none", ""}, {"gzip", "gzip"}, {"br", "br, gzip"}}
	var table strings.Builder
	fmt.Fprintf(&table, "First visit, fonts aside (KB on the wire / requests):\n%-48s %12s %12s %12s\n", "page", "none", "gzip", "br")
	for _, p := range pages {
		row := fmt.Sprintf("%-48s", p)
		for _, e := range encodings {
			var w apptest.Weight
			for i := 0; i < b.N; i++ {
				w = apptest.PageWeight(b, s, p, e.header)
			}
			kb := float64(w.Transferred) / 1024
			row += fmt.Sprintf(" %7.1f / %2d", kb, w.Requests)
			if p == "/" {
				b.ReportMetric(kb, "KB-home-"+e.name)
			}
		}
		table.WriteString(row + "\n")
	}
	fmt.Print(table.String())
	addSummary("%s", table.String())
}

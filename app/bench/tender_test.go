package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/apptest"
	"passhub/app/auth"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/app/search"
	"passhub/app/tender"
)

// tenderDocs is the size of the library measured; tenderConns the keep-alive connections that
// search at once (a reserved page's people, as the newsroom desk's benchmark has them: 64 on this
// 2-CPU machine only measure the queue).
const (
	tenderDocs  = 50_000
	tenderConns = 8
)

// tenderWords are the words the generated documents are written with; the searches use them,
// misspelt one time in four.
var tenderWords = strings.Fields(`appalto lavori servizi forniture manutenzione stradale segnaletica illuminazione
	pubblica refezione scolastica trasporto scolastico pulizia immobili verde pubblico rifiuti raccolta
	progettazione esecutiva direzione lavori collaudo sicurezza cantiere edilizia scolastica impianti
	termici efficientamento energetico fotovoltaico ponti viadotti fognatura acquedotto depurazione
	software gestionale assistenza informatica cancelleria arredi veicoli carburante assicurazione
	polizza tesoreria brokeraggio ristorazione mensa vigilanza portierato archiviazione digitalizzazione`)

// BenchmarkTenderLibrarySearch fills the tender library with 50,000 approved documents (rows
// written in bulk, every document indexed through the library's search source) and loads the
// faceted search page as a comune's delegate: 8 keep-alive connections going round 2,352
// different searches (a word, misspelt one time in four, with a kind and a procedure facet: more
// than the index's result cache holds, so nearly every request reaches the engine), against a
// static file of the same size served by the same app (abba). It reports requests per second,
// p50 and p99 of both.
func BenchmarkTenderLibrarySearch(b *testing.B) {
	dir := b.TempDir()
	base := serve(b, dir)
	a := base.app
	ctx := context.Background()
	if _, err := a.Enti.Import(ctx, []ente.Ente{{ISTAT: "013000", Name: "Provincia di Como", Kind: ente.KindProvincia, Province: "CO"},
		{ISTAT: "097000", Name: "Provincia di Lecco", Kind: ente.KindProvincia, Province: "LC"}}); err != nil {
		b.Fatal(err)
	}
	como, _ := a.Enti.ByISTAT(ctx, "013000")
	lecco, _ := a.Enti.ByISTAT(ctx, "097000")
	start := time.Now()
	fillLibrary(b, a.DB.DB, []int64{como.ID, lecco.ID})
	filled := time.Since(start)
	start = time.Now()
	for after := int64(0); ; {
		ids, err := a.TenderSource.IDs(ctx, after, 1000)
		if err != nil {
			b.Fatal(err)
		}
		refs := make([]string, len(ids))
		for i, id := range ids {
			refs[i], after = search.Ref(tender.Type, id), id
		}
		if len(refs) > 0 {
			if err := a.Search.Refresh(ctx, refs...); err != nil {
				b.Fatal(err)
			}
		}
		if len(ids) < 1000 {
			break
		}
	}
	indexed := time.Since(start)

	// a delegate of an approved comune
	cookie := delegateCookie(b, base)
	addr := strings.TrimPrefix(base.url, "http://")
	var urls []string
	r := rand.New(rand.NewPCG(1, 2))
	for _, w := range tenderWords {
		for _, k := range tender.Kinds {
			for _, p := range tender.Procedures {
				q := w
				if r.IntN(4) == 0 && len(w) > 5 { // a typo: two letters swapped
					i := 1 + r.IntN(len(w)-3)
					q = w[:i] + string(w[i+1]) + string(w[i]) + w[i+2:]
				}
				urls = append(urls, base.url+tender.Base+"?"+url.Values{"q": {q}, "tipo": {k}, "procedura": {p}}.Encode())
			}
		}
	}
	r.Shuffle(len(urls), func(i, j int) { urls[i], urls[j] = urls[j], urls[i] })
	// the static twin: the bytes of one search page
	body := fetchAs(b, addr, urls[0], cookie)
	if !strings.Contains(string(body), `id="tender-results"`) {
		b.Fatalf("the library page found nothing for %s", urls[0])
	}
	if err := os.WriteFile(filepath.Join(dir, "tender.txt"), body, 0o644); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		page := newTarget(addr, base.url+tender.Base+"?q=…&tipo=…&procedura=…", -1) // the length varies with the hits
		page.urls, page.cookie, page.conns = urls, cookie, tenderConns
		file := newTarget(addr, base.url+staticPrefix+"/tender.txt", len(body))
		file.conns = tenderConns
		abba(page, file)
		msg := fmt.Sprintf("tender library of %d documents on %s (rows in %v, indexed in %v): faceted search page as a delegate, %d different searches (word, a typo one in four, kind and procedure facets), %d connections\n"+
			"  page   %7.0f rps  p50 %8s  p99 %8s (%d bytes, %d failed)\n  static %7.0f rps  p50 %8s  p99 %8s\n  ratio page/static %.2f",
			tenderDocs, database(), filled.Round(time.Second), indexed.Round(time.Second), len(urls), tenderConns,
			page.rps(), ms(page.pct(0.50)), ms(page.pct(0.99)), len(body), page.errors, file.rps(), ms(file.pct(0.50)), ms(file.pct(0.99)), page.rps()/file.rps())
		fmt.Println(msg)
		if i == 0 {
			addSummary("%s", msg)
		}
		b.ReportMetric(page.rps(), "search_rps")
		b.ReportMetric(msf(page.pct(0.50)), "search_p50_ms")
		b.ReportMetric(msf(page.pct(0.99)), "search_p99_ms")
		b.ReportMetric(file.rps(), "static_rps")
		b.ReportMetric(msf(file.pct(0.99)), "static_p99_ms")
		if page.errors > 0 || file.errors > 0 { // after the figures: a loaded machine's timeouts are worth reading
			b.Errorf("errors: page %d of %d (%s), static %d (%s)", page.errors, page.errors+int64(page.requests), page.firstErr, file.errors, file.firstErr)
		}
	}
}

// fillLibrary writes tenderDocs approved documents with one version each, in batches, with ids
// given (the versions' files are not stored: the index reads no text from them).
func fillLibrary(b *testing.B, d *bun.DB, authors []int64) {
	b.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	now := time.Now().UTC()
	words := func(n int) string {
		out := make([]string, n)
		for i := range out {
			out[i] = tenderWords[r.IntN(len(tenderWords))]
		}
		return strings.Join(out, " ")
	}
	const batch = 500
	for start := 1; start <= tenderDocs; start += batch {
		docs := make([]tender.Document, 0, batch)
		versions := make([]tender.Version, 0, batch)
		for id := start; id < start+batch && id <= tenderDocs; id++ {
			kind := tender.Kinds[r.IntN(len(tender.Kinds))]
			arts := []string{"art. " + strconv.Itoa(1+r.IntN(tender.MaxArticle))}
			if r.IntN(2) == 0 {
				arts = append(arts, "art. "+strconv.Itoa(1+r.IntN(tender.MaxArticle)))
			}
			docs = append(docs, tender.Document{ID: int64(id), Title: kind + " tipo " + words(3), Description: words(40), Kind: kind,
				ProcedureType: tender.Procedures[r.IntN(len(tender.Procedures))], Threshold: tender.Thresholds[r.IntN(2)],
				LegalBasis: strings.Join(arts, ", "), AuthorEnteID: authors[r.IntN(len(authors))], Status: tender.StatusApproved,
				CurrentID: int64(id), CreatedAt: now, UpdatedAt: now.Add(-time.Duration(id) * time.Minute)})
			versions = append(versions, tender.Version{ID: int64(id), DocumentID: int64(id), Number: 1, Filename: "documento.pdf",
				ContentType: "application/pdf", Size: 1000, SHA256: strings.Repeat("0", 64), StorageKey: "tenders/bench", Uploader: "bench", CreatedAt: now})
		}
		if _, err := d.NewInsert().Model(&docs).Exec(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := d.NewInsert().Model(&versions).Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// delegateCookie opens a session for the legal representative of an approved comune and returns
// its Cookie header.
func delegateCookie(b *testing.B, base *server) string {
	b.Helper()
	ctx := context.Background()
	u, token, err := base.app.Identity.Login(ctx, auth.Identity{FiscalCode: apptest.FiscalCode("RSSMRA80A01F205"), Name: "Mario",
		FamilyName: "Rossi", Email: "mario@example.it", Method: "spid", Issuer: "bench", Level: 2}, identity.Client{IP: "127.0.0.1"})
	if err != nil {
		b.Fatal(err)
	}
	apptest.ApprovedEnte(b, base.app, "013041", "Cantù", "CO", u.ID)
	return "pass_session=" + token + "; csrf=" + apptest.CSRFToken
}

package bench

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/ente"
	"passhub/app/request"
)

// cursorAttr finds the live cursor a workspace page carries for its updates.
var cursorAttr = regexp.MustCompile(`data-live-cursor="([^"]*)"`)

// BenchmarkWorkspaceLargeThread opens the workspace of a request with 1,600 messages and 40
// documents of three versions each, as the ente's legal representative: it reports the bytes and
// the median time of the full page, and of the live update a page fetches after one new message.
func BenchmarkWorkspaceLargeThread(b *testing.B) {
	s := apptest.Start(b)
	ctx := context.Background()
	if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013041", Name: "Cantù", Kind: ente.KindComune, Province: "CO"}}); err != nil {
		b.Fatal(err)
	}
	cantu, _ := s.Enti.ByISTAT(ctx, "013041")
	cookie := s.Login(b, "RSSMRA80A01F205X", "Mario", "Rossi")
	users, _, _ := s.Identity.Users(ctx, "rossi", 1)
	who := request.Actor{UserID: users[0].ID, Name: "Mario Rossi"}
	reg, _ := s.Enti.Register(ctx, ente.Actor{UserID: who.UserID}, ente.RegistrationForm{EnteID: cantu.ID, Role: "sindaco", Email: "s@c.it", PEC: "c@pec.it"}, "p.pdf", []byte("%PDF-1.7\n%%EOF\n"))
	if _, err := s.Enti.Approve(ctx, ente.Actor{}, reg.ID); err != nil {
		b.Fatal(err)
	}
	r, err := s.Requests.File(ctx, who, cantu.ID, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA",
		Description: "Quaranta istanze in attesa da mesi, un solo istruttore.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
	if err != nil {
		b.Fatal(err)
	}
	const messages, documents, versions = 1600, 40, 3
	for i := 0; i < messages; i++ {
		if _, err := s.Workspace.Post(ctx, who, r, false, fmt.Sprintf("Messaggio n. %d: **aggiornamento** sull'istruttoria, con un [collegamento](https://www.example.it/%d) e un elenco:\n\n- pratiche pendenti\n- tempi medi", i, i)); err != nil {
			b.Fatal(err)
		}
	}
	for d := 0; d < documents; d++ {
		var id int64
		for v := 0; v < versions; v++ {
			doc, err := s.Workspace.Upload(ctx, who, r, false, id, fmt.Sprintf("elenco-%d.csv", d), []byte(fmt.Sprintf("pratica;giorni\n%d;%d\n", d, v)), false)
			if err != nil {
				b.Fatal(err)
			}
			id = doc.ID
		}
	}
	idle, cancel := context.WithTimeout(ctx, 5*time.Minute)
	if err := s.Jobs.WaitIdle(idle); err != nil {
		b.Fatal(err)
	}
	cancel()
	path := "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10)
	get := func(p string) (int, time.Duration) {
		req, _ := http.NewRequest(http.MethodGet, s.URL+p, nil)
		req.Header.Set("Cookie", cookie)
		req.Header.Set("HX-Request", "true")
		if p == path {
			req.Header.Del("HX-Request")
		}
		t0 := time.Now()
		res, body := s.Do(b, req)
		d := time.Since(t0)
		if res.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", p, res.StatusCode)
		}
		return len(body), d
	}
	median := func(p string, n int) (int, time.Duration) {
		var ds []time.Duration
		var size int
		for i := 0; i < n; i++ {
			sz, d := get(p)
			size, ds = sz, append(ds, d)
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return size, ds[len(ds)/2]
	}
	for i := 0; i < b.N; i++ {
		pageBytes, pageTime := median(path, 21)
		_, body := s.Get(b, path, "Cookie", cookie)
		live := path + "/aggiornamenti"
		if m := cursorAttr.FindStringSubmatch(body); m != nil {
			live += "?cursore=" + html.UnescapeString(m[1])
		}
		if _, err := s.Workspace.Post(ctx, who, r, false, "Un messaggio nuovo."); err != nil {
			b.Fatal(err)
		}
		liveBytes, liveTime := median(live, 21)
		msg := fmt.Sprintf("workspace with %d messages and %d×%d document versions on %s: page %d bytes in %v, live update after one message %d bytes in %v",
			messages+i, documents, versions, database(), pageBytes, pageTime.Round(100*time.Microsecond), liveBytes, liveTime.Round(100*time.Microsecond))
		fmt.Println(msg)
		addSummary("%s", msg)
		b.ReportMetric(float64(pageBytes), "page_bytes")
		b.ReportMetric(float64(pageTime.Microseconds())/1000, "page_ms")
		b.ReportMetric(float64(liveBytes), "live_bytes")
		b.ReportMetric(float64(liveTime.Microseconds())/1000, "live_ms")
	}
}

package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"passhub/app/apptest"
	"passhub/app/identity"
	"passhub/app/request"
	"passhub/app/workspace"
)

// analysisWorld is seedStats with, on another task force (RIF, procedure RIF-01) and ente
// (Sesto, MI, whose name starts with "="), F waiting for triage since 2 March and G with an
// integration due on 10 March never answered; and the people of the panel's persona matrix.
type analysisWorld struct {
	statsSeed
	Admin, OtherPM, RIFExpert string // cookies
	RIFExpertID, SestoID      int64
}

func seedAnalysis(t *testing.T, s *apptest.Server) analysisWorld {
	t.Helper()
	ctx := context.Background()
	w := analysisWorld{statsSeed: seedStats(t, s)}
	w.Admin = s.Login(t, apptest.FiscalCode("DMNDMN80A01F205"), "Ada", "Amministra")
	w.OtherPM = s.Login(t, apptest.FiscalCode("PMRPMR80A01F205"), "Piero", "Rifiuti")
	w.RIFExpert = s.Login(t, apptest.FiscalCode("SPRRIF80A01F205"), "-Rita", "Rifiuti")
	w.RIFExpertID = userOf(t, s, w.RIFExpert)
	otherPM := userOf(t, s, w.OtherPM)
	for _, g := range []struct {
		id       int64
		role, tf string
	}{{userOf(t, s, w.Admin), "admin", ""}, {otherPM, "pm", "RIF"}, {w.RIFExpertID, "expert", "RIF"}} {
		if err := s.Identity.Grant(ctx, identity.Actor{}, g.id, g.role, g.tf); err != nil {
			t.Fatal(err)
		}
	}
	mayor := s.Login(t, apptest.FiscalCode("SSTSST70A01F205"), "Sara", "Sesto")
	mayorID := userOf(t, s, mayor)
	sesto := apptest.ApprovedEnte(t, s.App, "015209", "=Sesto San Giovanni", "MI", mayorID)
	w.SestoID = sesto.ID
	c := &clock{now: day(3, 2)}
	s.Requests.SetClock(c.Now)
	s.Workspace.SetClock(c.Now)
	file := func(letter string) *request.Request {
		r, err := s.Requests.File(ctx, request.Actor{UserID: mayorID, Name: "Sara Sesto"}, sesto.ID, request.Form{ProcedureCode: "RIF-01",
			Title: "Piano rifiuti " + letter, Description: "Impianti da autorizzare.", DesiredOutcome: "Autorizzazioni in tempo."}, true)
		if err != nil {
			t.Fatal(err)
		}
		w.Requests[letter] = r.ID
		return r
	}
	file("F")
	c.set(day(3, 3))
	g := file("G")
	c.set(day(3, 4))
	g, err := s.Requests.Assign(ctx, request.Actor{UserID: otherPM, Name: "Piero Rifiuti"}, g.ID, []int64{w.RIFExpertID})
	if err != nil {
		t.Fatal(err)
	}
	c.set(day(3, 4))
	if _, err := s.Workspace.LogActivity(ctx, request.Actor{UserID: w.RIFExpertID, Name: "-Rita Rifiuti"}, g, workspace.Activity{Kind: "analysis",
		OnDate: day(3, 4), Minutes: 45, Description: "Lettura delle planimetrie"}); err != nil {
		t.Fatal(err)
	}
	c.set(day(3, 5))
	if _, err := s.Requests.AskIntegration(ctx, request.Actor{UserID: w.RIFExpertID, Name: "Rita Rifiuti"}, g.ID, []string{"Planimetrie"}, "", day(3, 10)); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	s.Analysis.SetClock(func() time.Time { return day(12, 3) })
	return w
}

// rowsOf reads the table of a panel's section: each row's cells' text by its first cell.
func rowsOf(doc *goquery.Document, section string) map[string][]string {
	out := map[string][]string{}
	doc.Find(section + " tbody tr").Each(func(_ int, tr *goquery.Selection) {
		var cells []string
		tr.Children().Each(func(_ int, c *goquery.Selection) { cells = append(cells, strings.Join(strings.Fields(c.Text()), " ")) })
		if len(cells) > 0 {
			out[cells[0]] = cells[1:]
		}
	})
	return out
}

// cellIs checks one cell of a section's row.
func cellIs(t *testing.T, doc *goquery.Document, section, row string, col int, want string) {
	t.Helper()
	rows := rowsOf(doc, section)
	r, ok := rows[row]
	if !ok {
		t.Errorf("%s has no row %q: %v", section, row, rows)
		return
	}
	if col >= len(r) || r[col] != want {
		t.Errorf("%s row %q = %v, want column %d = %q", section, row, r, col, want)
	}
}

// listed are the titles a drill-down lists.
func listed(doc *goquery.Document) []string {
	var out []string
	doc.Find("tr.pass-request td:first-child a").Each(func(_ int, a *goquery.Selection) { out = append(out, a.Text()) })
	return out
}

func listsExactly(want ...string) func(*testing.T, *http.Response, *goquery.Document) {
	return func(t *testing.T, _ *http.Response, doc *goquery.Document) {
		t.Helper()
		got := listed(doc)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("the drill-down lists %q, want %q", got, want)
		}
	}
}

// TestAnalysisPanel checks the panel's figures against seedStats, its filters, the drill-down
// and the persona matrix.
func TestAnalysisPanel(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	w := seedAnalysis(t, s)
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	const panel = "/area-riservata/analisi"
	const drill = "/area-riservata/analisi/richieste"
	A, B, C, D, F, G := "Arretrato VIA A", "Arretrato VIA B", "Arretrato VIA C", "Arretrato VIA D", "Piano rifiuti F", "Piano rifiuti G"
	vaFigures := func(t *testing.T, _ *http.Response, doc *goquery.Document) {
		cellIs(t, doc, "#an-conteggi", "Presentate", 0, "4")
		cellIs(t, doc, "#an-conteggi", "Concluse", 0, "2")
		cellIs(t, doc, "#an-conteggi", "Respinte", 0, "1")
		cellIs(t, doc, "#an-stato", "Assegnata", 0, "1")
		cellIs(t, doc, "#an-stato", "Conclusa", 0, "2")
		cellIs(t, doc, "#an-tempi", "Dalla presentazione alla conclusione", 1, "12")
		cellIs(t, doc, "#an-tempi", "Dalla presentazione alla conclusione", 2, "30")
		cellIs(t, doc, "#an-tempi", "Dalla presentazione alla conclusione", 3, "21")
		cellIs(t, doc, "#an-tempi", "Dalla presentazione allo smistamento", 1, "2")
		cellIs(t, doc, "#an-mesi", "2026-01", 0, "3")
		cellIs(t, doc, "#an-mesi", "2026-02", 2, "2")
		if doc.Find("#an-conteggi svg[role=img]").Length() != 1 || doc.Find("#an-mesi svg[role=img]").Length() != 1 {
			t.Error("the counts and the months have no chart")
		}
	}

	apptest.RunScenarios(t, s, []apptest.Scenario{
		{Name: "admin sees VA's figures", As: w.Admin, Path: panel + "?tf=VA", Status: 200,
			Check: func(t *testing.T, res *http.Response, doc *goquery.Document) {
				vaFigures(t, res, doc)
				if href, _ := doc.Find(`#an-conteggi a[href*="misura=concluded"]`).Attr("href"); !strings.Contains(href, "tf=VA") {
					t.Errorf("the concluded figure links to %q, want the drill-down with the filters", href)
				}
			},
			Has: map[string]string{"h1": "Analisi", "#an-tf option[selected]": "VA"}},
		{Name: "admin sees every task force", As: w.Admin, Path: panel, Status: 200,
			Has: map[string]string{"#an-attesa-triage tbody": F, "#an-integrazioni-scadute tbody": G, "#an-tf option[value=RIF]": "RIF"},
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				cellIs(t, doc, "#an-conteggi", "Presentate", 0, "6")
				cellIs(t, doc, "#an-attesa-triage", F, 3, "276") // 2 March to 3 December
				cellIs(t, doc, "#an-integrazioni-scadute", G, 3, "268")
				cellIs(t, doc, "#an-task-force", "RIF – Rifiuti", 0, "2")
				cellIs(t, doc, "#an-province", "CO", 0, "4")
				cellIs(t, doc, "#an-carico", "Elena Esperta", 0, "2026-02") // the last of her months
				cellIs(t, doc, "#an-carico", "Elena Esperta", 2, "60")
			}},
		{Name: "the period narrows the figures", As: w.Admin, Path: panel + "?da=2026-02&a=2026-02", Status: 200,
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				cellIs(t, doc, "#an-conteggi", "Presentate", 0, "1")
				cellIs(t, doc, "#an-conteggi", "Concluse", 0, "2")
				cellIs(t, doc, "#an-tempi", "Dalla presentazione alla conclusione", 1, "12")
				cellIs(t, doc, "#an-carico", "Elena Esperta", 0, "2026-02")
				if n := len(rowsOf(doc, "#an-carico")); n != 1 {
					t.Errorf("%d experts worked in February, want 1", n)
				}
			}},
		{Name: "January's workload", As: w.Admin, Path: panel + "?da=2026-01&a=2026-01", Status: 200,
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				cellIs(t, doc, "#an-carico", "Elena Esperta", 0, "2026-01")
				cellIs(t, doc, "#an-carico", "Elena Esperta", 1, "1")
				cellIs(t, doc, "#an-carico", "Elena Esperta", 2, "90")
			}},
		{Name: "the stock at the end of January", As: w.Admin, Path: panel + "?tf=VA&a=2026-01", Status: 200,
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				cellIs(t, doc, "#an-stato", "In lavorazione", 0, "1")
				cellIs(t, doc, "#an-stato", "Assegnata", 0, "1")
				cellIs(t, doc, "#an-stato", "Conclusa", 0, "0")
			}},
		{Name: "the expert filter keeps the requests assigned to the expert", As: w.Admin, Path: panel + "?esperto=" + id(w.ExpertID), Status: 200,
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				cellIs(t, doc, "#an-conteggi", "Presentate", 0, "3") // A, C, D; B was rejected
				cellIs(t, doc, "#an-conteggi", "Concluse", 0, "2")
				cellIs(t, doc, "#an-stato", "Assegnata", 0, "1")
				cellIs(t, doc, "#an-tempi", "Dalla presentazione alla conclusione", 1, "12")
			}},
		{Name: "the ente filter", As: w.Admin, Path: panel + "?ente=" + id(w.EnteID), Status: 200,
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				cellIs(t, doc, "#an-conteggi", "Presentate", 0, "4")
				cellIs(t, doc, "#an-conteggi", "Concluse", 0, "2")
			}},
		{Name: "the province filter", As: w.Admin, Path: panel + "?provincia=MI", Status: 200,
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				cellIs(t, doc, "#an-conteggi", "Presentate", 0, "2")
			}},
		{Name: "a bad month is said beside its field and changes nothing", As: w.Admin, Path: panel + "?da=2026-13&tf=VA", Status: 422,
			Has: map[string]string{"#an-from-error": "AAAA-MM", ".pass-error-summary": "", "#an-from[aria-invalid=true]": ""}, Lacks: []string{"#an-conteggi"}},
		{Name: "months in the wrong order", As: w.Admin, Path: panel + "?da=2026-03&a=2026-01", Status: 422, Has: map[string]string{"#an-to-error": "prima"}},
		{Name: "in English", As: w.Admin, Path: panel + "?tf=VA", Lang: "en", Status: 200,
			Has: map[string]string{"h1": "Analysis", "#an-conteggi-title": "Requests in the period"}},

		{Name: "the VA PM sees VA only", As: w.PM, Path: panel, Status: 200, Check: vaFigures,
			Lacks: []string{"#an-tf option[value=RIF]"}, NoText: []string{F, G},
			Has: map[string]string{"#an-tf option[value=VA]": "VA", "nav .pass-nav-current, a[href='/area-riservata/analisi']": ""}},
		{Name: "the VA PM may not forge RIF", As: w.PM, Path: panel + "?tf=RIF", Status: 403},
		{Name: "the RIF PM sees nothing of VA", As: w.OtherPM, Path: panel, Status: 200, NoText: []string{A, "Cantù"},
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				cellIs(t, doc, "#an-conteggi", "Presentate", 0, "2")
				cellIs(t, doc, "#an-conteggi", "Concluse", 0, "0")
				if doc.Find("#an-tf option").Length() != 2 {
					t.Errorf("the RIF PM's task forces: %q", doc.Find("#an-tf").Text())
				}
			}},
		{Name: "the RIF PM may not forge VA", As: w.OtherPM, Path: panel + "?tf=VA", Status: 403},
		{Name: "the RIF PM's drill-down of concluded is empty", As: w.OtherPM, Path: drill + "?misura=concluded", Status: 200, Check: listsExactly()},
		{Name: "the RIF PM's drill-down of Cantù is empty", As: w.OtherPM, Path: drill + "?misura=filed&ente=" + id(w.EnteID), Status: 200, Check: listsExactly()},
		{Name: "the RIF PM's forged drill-down", As: w.OtherPM, Path: drill + "?misura=filed&tf=VA", Status: 403},
		{Name: "an expert is refused", As: w.Expert, Path: panel, Status: 403},
		{Name: "an expert is refused the drill-down", As: w.Expert, Path: drill + "?misura=filed", Status: 403},
		{Name: "a mayor is refused", As: w.Mayor, Path: panel, Status: 403, Lacks: []string{"a[href='/area-riservata/analisi']"}},
		{Name: "a visitor is sent to log in", Path: panel, Status: 303},

		{Name: "concluded lists A and D", As: w.Admin, Path: drill + "?misura=concluded&tf=VA", Status: 200, Check: listsExactly(A, D),
			Has: map[string]string{".pass-count": "2", "a[href*='richieste.csv']": "CSV"}},
		{Name: "the VA PM's concluded lists A and D", As: w.PM, Path: drill + "?misura=concluded", Status: 200, Check: listsExactly(A, D)},
		{Name: "assigned now lists C", As: w.Admin, Path: drill + "?misura=stock:assigned&tf=VA", Status: 200, Check: listsExactly(C)},
		{Name: "in progress at the end of January lists A", As: w.Admin, Path: drill + "?misura=stock:in_progress&a=2026-01", Status: 200, Check: listsExactly(A)},
		{Name: "rejected lists B", As: w.Admin, Path: drill + "?misura=rejected", Status: 200, Check: listsExactly(B)},
		{Name: "filed in February lists D", As: w.Admin, Path: drill + "?misura=filed&da=2026-02&a=2026-02", Status: 200, Check: listsExactly(D)},
		{Name: "the expert's filed", As: w.Admin, Path: drill + "?misura=filed&esperto=" + id(w.ExpertID), Status: 200, Check: listsExactly(A, C, D)},
		{Name: "waiting for triage lists F", As: w.Admin, Path: drill + "?misura=waiting_triage", Status: 200, Check: listsExactly(F)},
		{Name: "the VA PM has nothing waiting", As: w.PM, Path: drill + "?misura=waiting_triage", Status: 200, Check: listsExactly()},
		{Name: "overdue integrations list G", As: w.OtherPM, Path: drill + "?misura=overdue", Status: 200, Check: listsExactly(G)},
		{Name: "each request links to its workspace", As: w.Admin, Path: drill + "?misura=concluded&tf=VA", Status: 200,
			Has: map[string]string{"a[href='/area-riservata/richieste/" + id(w.Requests["A"]) + "']": A}},
		{Name: "an unknown measure", As: w.Admin, Path: drill + "?misura=nope", Status: 404},
	})

	// A PM of two task forces sees both, summed, with the durations over both.
	if err := s.Identity.Grant(context.Background(), identity.Actor{}, userOf(t, s, w.OtherPM), "pm", "VA"); err != nil {
		t.Fatal(err)
	}
	apptest.RunScenarios(t, s, []apptest.Scenario{
		{Name: "a PM of VA and RIF", As: w.OtherPM, Path: panel, Status: 200,
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				cellIs(t, doc, "#an-conteggi", "Presentate", 0, "6")
				cellIs(t, doc, "#an-tempi", "Dalla presentazione alla conclusione", 1, "12")
				cellIs(t, doc, "#an-stato", "Inviata", 0, "1")
				if doc.Find("#an-tf option").Length() != 3 {
					t.Errorf("the PM's task forces: %q", doc.Find("#an-tf").Text())
				}
			}},
		{Name: "the PM of two narrows to one", As: w.OtherPM, Path: panel + "?tf=RIF", Status: 200,
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				cellIs(t, doc, "#an-conteggi", "Presentate", 0, "2")
			}},
		{Name: "the PM of two drills into both", As: w.OtherPM, Path: drill + "?misura=filed&da=2026-02", Status: 200, Check: listsExactly(D, F, G)},
	})
}

// exported fetches an export and checks its headers.
func exported(t *testing.T, s *apptest.Server, cookie, path, ctype, filename string) []byte {
	t.Helper()
	res, body := s.Get(t, path, "Cookie", cookie)
	if res.StatusCode != 200 {
		t.Fatalf("%s = %d: %.200s", path, res.StatusCode, body)
	}
	if got := res.Header.Get("Content-Type"); got != ctype {
		t.Errorf("%s Content-Type %q, want %q", path, got, ctype)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="`+filename) {
		t.Errorf("%s Content-Disposition %q, want a file named %s…", path, cd, filename)
	}
	return []byte(body)
}

func readCSV(t *testing.T, b []byte) map[string][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 {
		t.Fatal("an empty CSV")
	}
	out := map[string][]string{"": recs[0]} // the header row
	for _, r := range recs[1:] {
		out[r[0]] = r[1:]
	}
	return out
}

// TestAnalysisExports checks the CSV and XLSX of the panel's tables: headers, figures, numbers as
// numbers, a sheet titled after the table, formula injection guarded, and access.
func TestAnalysisExports(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	w := seedAnalysis(t, s)
	const base = "/area-riservata/analisi/"

	counts := readCSV(t, exported(t, s, w.Admin, base+"conteggi.csv?tf=VA", "text/csv; charset=utf-8", "analisi-conteggi-"))
	if h := counts[""]; len(h) != 2 || h[0] != "Misura" || h[1] != "Richieste" {
		t.Errorf("header row %q", h)
	}
	if counts["Presentate"][0] != "4" || counts["Concluse"][0] != "2" {
		t.Errorf("the counts as CSV: %v", counts)
	}
	times := readCSV(t, exported(t, s, w.PM, base+"tempi.csv", "text/csv; charset=utf-8", "analisi-tempi-"))
	if r := times["Dalla presentazione alla conclusione"]; len(r) != 4 || r[0] != "2" || r[1] != "12" || r[2] != "30" || r[3] != "21" {
		t.Errorf("time to conclusion as CSV: %q", r)
	}
	overdue := readCSV(t, exported(t, s, w.Admin, base+"integrazioni-scadute.csv", "text/csv; charset=utf-8", "analisi-integrazioni-scadute-"))
	if r := overdue["Piano rifiuti G"]; len(r) < 2 || r[0] != "'=Sesto San Giovanni" {
		t.Errorf("an ente's name starting with = is not guarded: %q", r)
	}
	load := readCSV(t, exported(t, s, w.Admin, base+"carico.csv?tf=RIF", "text/csv; charset=utf-8", "analisi-carico-"))
	if r := load["'-Rita Rifiuti"]; len(r) != 3 || r[0] != "2026-03" || r[2] != "45" {
		t.Errorf("an expert's name starting with - is not guarded, or the workload is wrong: %q", load)
	}
	drill := readCSV(t, exported(t, s, w.Admin, base+"richieste.csv?misura=concluded&tf=VA", "text/csv; charset=utf-8", "analisi-richieste-concluded-"))
	if len(drill) != 3 || drill[strconv.FormatInt(w.Requests["A"], 10)] == nil || drill[strconv.FormatInt(w.Requests["D"], 10)] == nil {
		t.Errorf("the drill-down of concluded as CSV: %v", drill)
	}

	xlsx := exported(t, s, w.Admin, base+"tempi.xlsx?tf=VA", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "analisi-tempi-")
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 1 || sheets[0] != "Tempi in giorni" {
		t.Fatalf("sheets %q", sheets)
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 4 || rows[0][0] != "Tempi in giorni" || rows[2][0] != "Misura" || rows[2][2] != "Mediana (giorni)" {
		t.Fatalf("title and header rows %q", rows[:min(3, len(rows))])
	}
	found := false
	for i, r := range rows {
		if len(r) > 0 && r[0] == "Dalla presentazione alla conclusione" {
			found = true
			cell, _ := excelize.CoordinatesToCellName(3, i+1)
			typ, _ := f.GetCellType(sheets[0], cell)
			v, _ := f.GetCellValue(sheets[0], cell)
			if v != "12" || (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) {
				t.Errorf("median to conclusion in XLSX %q of type %v, want the number 12", v, typ)
			}
		}
	}
	if !found {
		t.Errorf("no row of the time to conclusion in %q", rows)
	}
	// The raw sheet stores numbers without the string type.
	if raw, _ := f.GetCellValue(sheets[0], "B4"); raw == "" {
		t.Error("no count in B4")
	}
	ox := exported(t, s, w.Admin, base+"integrazioni-scadute.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "analisi-integrazioni-scadute-")
	of, err := excelize.OpenReader(bytes.NewReader(ox))
	if err != nil {
		t.Fatal(err)
	}
	defer of.Close()
	if v, _ := of.GetCellValue(of.GetSheetList()[0], "B4"); v != "'=Sesto San Giovanni" {
		t.Errorf("the ente's name in XLSX %q", v)
	}
	if fm, _ := of.GetCellFormula(of.GetSheetList()[0], "B4"); fm != "" {
		t.Errorf("a formula in XLSX: %q", fm)
	}

	// The RIF PM's exports hold nothing of VA, even asked for Cantù; a forged task force is refused.
	other := readCSV(t, exported(t, s, w.OtherPM, base+"conteggi.csv?ente="+strconv.FormatInt(w.EnteID, 10), "text/csv; charset=utf-8", "analisi-conteggi-"))
	if other["Presentate"][0] != "0" {
		t.Errorf("the RIF PM's counts of Cantù: %v", other)
	}
	otherDrill := readCSV(t, exported(t, s, w.OtherPM, base+"richieste.csv?misura=filed", "text/csv; charset=utf-8", "analisi-richieste-filed-"))
	if len(otherDrill) != 3 || otherDrill[strconv.FormatInt(w.Requests["F"], 10)] == nil {
		t.Errorf("the RIF PM's filed requests as CSV: %v", otherDrill)
	}
	for _, c := range []struct {
		who, path string
		status    int
	}{
		{w.OtherPM, base + "conteggi.csv?tf=VA", 403},
		{w.OtherPM, base + "richieste.xlsx?misura=filed&tf=VA", 403},
		{w.Expert, base + "conteggi.csv", 403},
		{w.Mayor, base + "conteggi.xlsx", 403},
		{"", base + "conteggi.csv", 303},
		{w.Admin, base + "nope.csv", 404},
		{w.Admin, base + "conteggi.pdf", 404},
		{w.Admin, base + "conteggi.csv?da=2026-13", 422},
		{w.Admin, base + "richieste.csv?misura=nope", 404},
	} {
		header := []string{}
		if c.who != "" {
			header = []string{"Cookie", c.who}
		}
		if res, _ := s.Get(t, c.path, header...); res.StatusCode != c.status {
			t.Errorf("%s = %d, want %d", c.path, res.StatusCode, c.status)
		}
	}
}

// TestEnteTrend checks the trend on the seeded ente's home: its requests by state at the end of
// each month, and its times beside the region's on the same procedure.
func TestEnteTrend(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	seed := seedStats(t, s)
	ctx := context.Background()
	// Another ente's request on VA-01, triaged in 10 days and concluded in 31: the region's
	// median to conclusion becomes 30 days, Cantù's stays 12.
	mayor := s.Login(t, apptest.FiscalCode("LCCLCC70A01F205"), "Luca", "Lecco")
	mayorID := userOf(t, s, mayor)
	lecco := apptest.ApprovedEnte(t, s.App, "097042", "Lecco", "LC", mayorID)
	c := &clock{now: day(3, 1)}
	s.Requests.SetClock(c.Now)
	s.Workspace.SetClock(c.Now)
	must := func(r *request.Request, err error) *request.Request {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	h, err := s.Requests.File(ctx, request.Actor{UserID: mayorID, Name: "Luca Lecco"}, lecco.ID, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA Lecco",
		Description: "Istanze ferme da mesi negli uffici.", DesiredOutcome: "Tempi medi più brevi."}, true)
	if err != nil {
		t.Fatal(err)
	}
	pm := userOf(t, s, seed.PM)
	c.set(day(3, 11))
	if _, err := s.Requests.Assign(ctx, request.Actor{UserID: pm, Name: "Paola Manager"}, h.ID, []int64{seed.ExpertID}); err != nil {
		t.Fatal(err)
	}
	c.set(day(3, 12))
	if _, err := s.Workspace.LogActivity(ctx, request.Actor{UserID: seed.ExpertID, Name: "Elena Esperta"}, must(s.Requests.Get(ctx, h.ID)),
		workspace.Activity{Kind: "analysis", OnDate: day(3, 12), Minutes: 30, Description: "Analisi"}); err != nil {
		t.Fatal(err)
	}
	c.set(day(4, 1))
	if _, err := s.Requests.Conclude(ctx, request.Actor{UserID: seed.ExpertID, Name: "Elena Esperta"}, h.ID, "Istruttoria completata."); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	s.Analysis.SetClock(func() time.Time { return day(12, 3) }) // the trend's last month: December 2026

	row := func(doc *goquery.Document, sel string) []string {
		var out []string
		doc.Find(sel).Children().Each(func(_ int, c *goquery.Selection) { out = append(out, strings.Join(strings.Fields(c.Text()), " ")) })
		return out
	}
	apptest.RunScenarios(t, s, []apptest.Scenario{
		{Name: "the mayor's home shows the trend", As: seed.Mayor, Path: "/area-riservata", Status: 200,
			Has:   map[string]string{".pass-trend h3": "Andamento delle richieste di Cantù", ".pass-trend svg[role=img]": ""},
			Lacks: []string{"a[href='/area-riservata/analisi']"},
			Check: func(t *testing.T, _ *http.Response, doc *goquery.Document) {
				// Month, submitted, working, concluded, closed.
				if got := strings.Join(row(doc, `.pass-trend-states tr[data-month="2026-01"]`), " "); got != "2026-01 0 2 0 1" {
					t.Errorf("January %q, want A and C being worked on, B closed", got)
				}
				if got := strings.Join(row(doc, `.pass-trend-states tr[data-month="2026-02"]`), " "); got != "2026-02 0 1 2 1" {
					t.Errorf("February %q, want C being worked on, A and D concluded, B closed", got)
				}
				if doc.Find(".pass-trend-states tr[data-month]").Length() < 2 {
					t.Error("no months")
				}
				// Procedure, triage ente and region, conclusion ente and region.
				got := row(doc, `.pass-trend-times tr[data-procedure="VA-01"]`)
				if len(got) != 5 || got[1] != "2" || got[2] != "2" || got[3] != "12" || got[4] != "30" {
					t.Errorf("VA-01 times %q, want triage 2 and 2, conclusion 12 and 30 days", got)
				}
			}},
		{Name: "in English", As: seed.Mayor, Path: "/area-riservata", Lang: "en", Status: 200,
			Has: map[string]string{".pass-trend h3": "Trend of the requests of Cantù"}},
		{Name: "the PM's home has no trend, and links to the analysis", As: seed.PM, Path: "/area-riservata", Status: 200, Lacks: []string{".pass-trend"},
			Has: map[string]string{"a.list-item[href='/area-riservata/analisi']": "Analisi"}},
	})
}

// TestWorkloadRollupEqualsFacts: the experts' workload read from the monthly roll-up (filters
// without ente or expert) is the one counted from the activities themselves (the same filter
// narrowed to the only ente with requests there).
func TestWorkloadRollupEqualsFacts(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	w := seedAnalysis(t, s)
	const csvType, base = "text/csv; charset=utf-8", "/area-riservata/analisi/carico.csv?"
	for _, c := range []struct{ rolled, facts string }{
		{"tf=VA", "tf=VA&ente=" + strconv.FormatInt(w.EnteID, 10)},
		{"tf=VA&da=2026-01&a=2026-01", "tf=VA&da=2026-01&a=2026-01&ente=" + strconv.FormatInt(w.EnteID, 10)},
		{"tf=RIF", "tf=RIF&ente=" + strconv.FormatInt(w.SestoID, 10)},
		{"provincia=CO", "provincia=CO&ente=" + strconv.FormatInt(w.EnteID, 10)},
	} {
		rolled := exported(t, s, w.Admin, base+c.rolled, csvType, "analisi-carico-")
		facts := exported(t, s, w.Admin, base+c.facts, csvType, "analisi-carico-")
		if lines := bytes.Count(rolled, []byte("\n")); lines < 2 {
			t.Errorf("%s: the workload has no row: %q", c.rolled, rolled)
		}
		if !bytes.Equal(rolled, facts) {
			t.Errorf("%s: the roll-up's workload\n%s\ndiffers from the activities'\n%s", c.rolled, rolled, facts)
		}
	}
}

// TestDrillDownCountsItsFigure: for every step and several periods, the drill-down lists as many
// requests as the figure it comes from counts (the drill-down reads the facts' step times, the
// figure the monthly roll-up).
func TestDrillDownCountsItsFigure(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	w := seedAnalysis(t, s)
	const csvType, base = "text/csv; charset=utf-8", "/area-riservata/analisi/"
	for _, period := range []string{"", "da=2026-01&a=2026-01", "da=2026-02&a=2026-02", "da=2026-03", "a=2026-02", "tf=VA&da=2026-02"} {
		counts := readCSV(t, exported(t, s, w.Admin, base+"conteggi.csv?"+period, csvType, "analisi-conteggi-"))
		for _, m := range []string{"filed", "triaged", "assigned", "rejected", "withdrawn", "started", "concluded"} {
			label := s.I18n.T("it", "analysis.measure."+m)
			row, ok := counts[label]
			if !ok {
				t.Fatalf("%s: no row %q in %v", period, label, counts)
			}
			drill := readCSV(t, exported(t, s, w.Admin, base+"richieste.csv?misura="+m+"&"+period, csvType, "analisi-richieste-"+m+"-"))
			if got := strconv.Itoa(len(drill) - 1); got != row[0] {
				t.Errorf("%s %s: the drill-down lists %s requests, the figure counts %s", period, m, got, row[0])
			}
		}
	}
}

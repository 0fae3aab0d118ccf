package workspace_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/auth"
	"passhub/app/identity"
	"passhub/app/request"
	"passhub/app/workspace"
)

// world is a filed request of an approved ente, with its legal representative and an expert of
// the task force assigned to it.
type world struct {
	a      *app.App
	r      *request.Request
	ente   request.Actor
	expert request.Actor
}

func newWorld(t *testing.T) world {
	t.Helper()
	a := apptest.New(t)
	ctx := context.Background()
	u, _, err := a.Identity.Login(ctx, auth.Identity{FiscalCode: "RSSMRA80A01F205X", Name: "Mario", FamilyName: "Rossi", Method: "spid", Level: 2}, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	e := apptest.ApprovedEnte(t, a, "013041", "Cantù", "CO", u.ID)
	who := request.Actor{UserID: u.ID, Name: "Mario Rossi"}
	r, err := a.Requests.File(ctx, who, e.ID, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA",
		Description: "Quaranta istanze in attesa da mesi, un solo istruttore.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
	if err != nil {
		t.Fatal(err)
	}
	x, _, err := a.Identity.Login(ctx, auth.Identity{FiscalCode: apptest.FiscalCode("CSTLCU80A01F205"), Name: "Luca", FamilyName: "Costa", Method: "spid", Level: 2}, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Identity.Grant(ctx, identity.Actor{}, x.ID, identity.RoleExpert, r.TaskForce); err != nil {
		t.Fatal(err)
	}
	expert := request.Actor{UserID: x.ID, Name: "Luca Costa"}
	if _, err := a.Requests.Assign(ctx, request.Actor{Name: "PM"}, r.ID, []int64{x.ID}); err != nil {
		t.Fatal(err)
	}
	r, _ = a.Requests.Get(ctx, r.ID)
	return world{a: a, r: r, ente: who, expert: expert}
}

func TestThreadAndDocumentsPages(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	var ids []int64
	for i := 0; i < 7; i++ {
		m, err := w.a.Workspace.Post(ctx, w.ente, w.r, false, fmt.Sprintf("messaggio %d", i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	page, more, err := w.a.Workspace.MessagesBefore(ctx, w.r.ID, 0, 3)
	if err != nil || !more || len(page) != 3 || page[0].ID != ids[4] || page[2].ID != ids[6] || page[0].HTML == "" {
		t.Fatalf("latest page: %v %v %+v", more, err, page)
	}
	page, more, _ = w.a.Workspace.MessagesBefore(ctx, w.r.ID, ids[1], 3)
	if more || len(page) != 1 || page[0].ID != ids[0] {
		t.Fatalf("first page: %v %+v", more, page)
	}
	after, _ := w.a.Workspace.MessagesAfter(ctx, w.r.ID, ids[5], 10)
	if len(after) != 1 || after[0].ID != ids[6] {
		t.Fatalf("after: %+v", after)
	}
	var docs []int64
	for i := 0; i < 4; i++ {
		d, err := w.a.Workspace.Upload(ctx, w.ente, w.r, false, 0, fmt.Sprintf("d%d.csv", i), []byte(fmt.Sprintf("a;b\n%d;1\n", i)), false)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d.ID)
	}
	_, version, _, _, _ := w.a.Workspace.Newest(ctx, w.r.ID)
	if _, err := w.a.Workspace.Upload(ctx, w.ente, w.r, false, docs[0], "d0.csv", []byte("a;b\n0;2\n"), false); err != nil {
		t.Fatal(err)
	}
	dp, more, _ := w.a.Workspace.DocumentsBefore(ctx, w.r.ID, 0, 3)
	if !more || len(dp) != 3 || dp[0].ID != docs[3] {
		t.Fatalf("documents page: %v %+v", more, dp)
	}
	changed, _ := w.a.Workspace.DocumentsChangedAfter(ctx, w.r.ID, version)
	if len(changed) != 1 || changed[0].ID != docs[0] || len(changed[0].Versions) != 2 {
		t.Fatalf("changed: %+v", changed)
	}
}

func TestTimelineOrder(t *testing.T) {
	day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	events := []request.Event{
		{ID: 1, At: day.Add(-48 * time.Hour).Add(9 * time.Hour), Kind: "created"},
		{ID: 2, At: day.Add(10 * time.Hour), Kind: "assigned"},
		{ID: 3, At: day.Add(10 * time.Hour), Kind: "started"}, // same instant: by id
		{ID: 4, At: day.Add(24 * time.Hour).Add(8 * time.Hour), Kind: "integration"},
	}
	acts := []workspace.Activity{
		// logged on the 11th about the 10th: after the events of the 10th, before the 11th's
		{ID: 1, OnDate: day, CreatedAt: day.Add(34 * time.Hour), Kind: "meeting"},
		// logged at noon on the 10th about the 10th: after the 10 o'clock events
		{ID: 2, OnDate: day, CreatedAt: day.Add(12 * time.Hour), Kind: "analysis"},
		{ID: 3, OnDate: day.Add(-24 * time.Hour), CreatedAt: day.Add(40 * time.Hour), Kind: "other"},
	}
	var got []string
	for _, e := range workspace.Timeline(events, acts) {
		if e.Event != nil {
			got = append(got, e.Event.Kind)
		} else {
			got = append(got, e.Activity.Kind)
		}
	}
	want := "created other assigned started analysis meeting integration"
	if strings.Join(got, " ") != want {
		t.Errorf("timeline %v, want %s", got, want)
	}
}

func TestDossierLabelsAndPDF(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, err := w.a.Workspace.Post(ctx, w.expert, w.r, true, "La relazione sull'**arretrato** è pronta: perché sì, costa 1.200 €."); err != nil {
		t.Fatal(err)
	}
	if _, err := w.a.Workspace.Upload(ctx, w.expert, w.r, true, 0, "relazione-finale.pdf", []byte("%PDF-1.7\n%%EOF\n"), true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.a.Workspace.Upload(ctx, w.ente, w.r, false, 0, "elenco.csv", []byte("a;b\n1;2\n"), false); err != nil {
		t.Fatal(err)
	}
	if _, err := w.a.Requests.Conclude(ctx, w.expert, w.r.ID, "Arretrato smaltito con il nuovo modello di istruttoria."); err != nil {
		t.Fatal(err)
	}
	r, _ := w.a.Requests.Get(ctx, w.r.ID)
	var buf bytes.Buffer
	if err := w.a.Workspace.DossierPDF(ctx, r, italian(w.a), &buf); err != nil {
		t.Fatal(err)
	}
	rd, err := pdf.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := rd.GetPlainText()
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if _, err := text.ReadFrom(tr); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(strings.Fields(text.String()), " ")
	for _, want := range []string{"Arretrato VIA", "Cantù", "stato: Conclusa", "Richiesta conclusa", "Richiesta conclusa (da In lavorazione a Conclusa) · Luca Costa",
		"relazione-finale.pdf [Prodotto finale]", "elenco.csv", "è pronta: perché sì, costa 1.200", "Luca Costa"} {
		if !strings.Contains(got, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, got)
		}
	}
	for _, raw := range []string{"concluded", "in_progress", "submitted →", "created"} {
		if strings.Contains(got, raw) {
			t.Errorf("the PDF shows the code %q", raw)
		}
	}
	buf.Reset()
	if err := w.a.Workspace.Dossier(ctx, r, italian(w.a), &buf); err != nil {
		t.Fatal(err)
	}
	page := zipFile(t, buf.Bytes(), "fascicolo.html")
	for _, want := range []string{"stato: Conclusa", "(da Inviata a Assegnata)", "[Prodotto finale]"} {
		if !strings.Contains(page, want) {
			t.Errorf("the HTML dossier lacks %q", want)
		}
	}
	if strings.Contains(page, "concluded") || strings.Contains(page, "created") || !strings.Contains(page, "1.200 €") {
		t.Error("the HTML dossier shows raw codes")
	}
}

func TestAnswerWithFiles(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, err := w.a.Requests.AskIntegration(ctx, w.expert, w.r.ID, []string{"Elenco delle pratiche"}, "", time.Now().Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	ints, _ := w.a.Requests.Integrations(ctx, w.r.ID)
	r, _ := w.a.Requests.Get(ctx, w.r.ID)
	// A file whose content does not match its name refuses the whole answer: nothing changes.
	err := w.a.Workspace.AnswerIntegration(ctx, w.ente, r, ints[0].ID, "Ecco l'elenco.", []workspace.File{
		{Name: "elenco.csv", Data: []byte("a;b\n1;2\n")}, {Name: "finto.pdf", Data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")}})
	if !errors.Is(err, workspace.ErrMismatch) {
		t.Fatalf("mismatched file: %v", err)
	}
	if docs, _ := w.a.Workspace.DocumentChoices(ctx, r.ID); len(docs) != 0 {
		t.Fatalf("a refused answer stored %d documents", len(docs))
	}
	if ints, _ := w.a.Requests.Integrations(ctx, r.ID); !ints[0].Open() {
		t.Fatal("a refused answer answered the integration")
	}
	if err := w.a.Workspace.AnswerIntegration(ctx, w.ente, r, ints[0].ID, "Ecco l'elenco.", []workspace.File{{Name: "elenco.csv", Data: []byte("a;b\n1;2\n")}}); err != nil {
		t.Fatal(err)
	}
	docs, _ := w.a.Workspace.DocumentChoices(ctx, r.ID)
	if len(docs) != 1 || docs[0].IntegrationID != ints[0].ID || docs[0].Name != "elenco.csv" {
		t.Fatalf("answer's documents %+v", docs)
	}
	if r, _ := w.a.Requests.Get(ctx, r.ID); r.State != request.InProgress {
		t.Errorf("state after the answer %s", r.State)
	}
}

func TestCursorRoundTrip(t *testing.T) {
	c := workspace.Cursor{Message: 12, Event: 3, Version: 7, Activity: 1, Integration: 2, Seen: time.UnixMilli(1760000000123).UTC(), State: request.Waiting, Caps: "we"}
	got, ok := workspace.ParseCursor(c.String())
	if !ok || got != c {
		t.Errorf("%v %+v", ok, got)
	}
	for _, bad := range []string{"", "1.2.3", "a.b.c.d.e.f.g.h", "-1.0.0.0.0.0.x.y"} {
		if _, ok := workspace.ParseCursor(bad); ok {
			t.Errorf("cursor %q accepted", bad)
		}
	}
}

// zipFile returns the content of one file of a ZIP archive.
func zipFile(t *testing.T, data []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			return string(b)
		}
	}
	t.Fatalf("%s not in the ZIP", name)
	return ""
}

package app_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"passhub/app"
	"passhub/app/access"
	"passhub/app/apptest"
	"passhub/app/ente"
	"passhub/app/extract/extracttest"
	"passhub/app/form"
	"passhub/app/identity"
	"passhub/app/mailtest"
	"passhub/app/search"
	"passhub/app/tender"
)

// library is a tender library with its people: an editor, a publisher, the mayor of Cantù (an
// approved ente) and the author ente (a provincia).
type library struct {
	a                           *app.App
	editor, publisher, mayor    int64
	cantu, provincia            *ente.Ente
	editorActor, publisherActor tender.Actor
}

func newLibrary(t *testing.T, a *app.App) *library {
	t.Helper()
	ctx := context.Background()
	l := &library{a: a, editor: login(t, a, "RDTRDT80A01F205", "Elena"), publisher: login(t, a, "CPRCPR80A01F205", "Paola"),
		mayor: login(t, a, "RSSMRA80A01F205", "Mario")}
	for id, role := range map[int64]string{l.editor: access.RoleEditor, l.publisher: access.RolePublisher} {
		if err := a.Identity.Grant(ctx, identity.Actor{}, id, role, ""); err != nil {
			t.Fatal(err)
		}
	}
	l.cantu = apptest.ApprovedEnte(t, a, "013041", "Cantù", "CO", l.mayor)
	if _, err := a.Enti.Import(ctx, []ente.Ente{{ISTAT: "013000", Name: "Provincia di Como", Kind: ente.KindProvincia, Province: "CO"}}); err != nil {
		t.Fatal(err)
	}
	var err error
	if l.provincia, err = a.Enti.ByISTAT(ctx, "013000"); err != nil {
		t.Fatal(err)
	}
	l.editorActor, l.publisherActor = tender.Actor{UserID: l.editor, Name: "Elena"}, tender.Actor{UserID: l.publisher, Name: "Paola"}
	return l
}

func pdfUpload(name string, pages ...string) tender.Upload {
	data := extracttest.TextPDF(pages...)
	return tender.Upload{Name: name, Src: io.NewSectionReader(bytes.NewReader(data), 0, int64(len(data)))}
}

func (l *library) form() tender.Form {
	return tender.Form{Title: "Disciplinare tipo per lavori in procedura aperta", Kind: "disciplinare", ProcedureType: "aperta",
		Threshold: "sopra", AmountMin: "5.538.000", LegalBasis: "art. 71, 108", ValidFrom: "2026-01-01", AuthorEnteID: l.provincia.ID}
}

// TestTenderVersionTellsTheEntiThatDownloaded: a document approved and downloaded by Cantù gets a
// new version: Cantù's enabled members get one bell notification and one e-mail naming the change
// note and the link, once, even when the event's job runs again; nobody else is told.
func TestTenderVersionTellsTheEntiThatDownloaded(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	a := apptest.New(t, withSMTP(smtp))
	ctx := context.Background()
	l := newLibrary(t, a)
	other := login(t, a, "BNCGLI75M41L219", "Giulia") // mayor of Milano, which never downloads
	apptest.ApprovedEnte(t, a, "015146", "Milano", "MI", other)

	d, err := a.Tenders.Create(ctx, l.editorActor, l.form(), pdfUpload("disciplinare.pdf", "Requisiti di partecipazione e soccorso istruttorio"))
	if err != nil {
		t.Fatal(err)
	}
	if d.LegalBasis != "art. 71, art. 108" || d.AmountMin != 5538000 || d.Status != tender.StatusDraft {
		t.Fatalf("document %+v", d)
	}
	if err := a.Tenders.Approve(ctx, l.publisherActor, d.ID); err != nil {
		t.Fatal(err)
	}
	v1 := d.CurrentID
	_, rc, err := a.Tenders.Open(ctx, l.mayor, l.cantu.ID, d.ID, v1)
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if _, err := a.Tenders.AddVersion(ctx, l.editorActor, d.ID, " ", pdfUpload("disciplinare-v2.pdf", "x")); !isField(err, "change_note") {
		t.Fatalf("a version of an approved document without a note: %v", err)
	}
	v2, err := a.Tenders.AddVersion(ctx, l.editorActor, d.ID, "Aggiornati i requisiti di capacità tecnica all'art. 100", pdfUpload("disciplinare-v2.pdf", "Requisiti aggiornati"))
	if err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, a)
	mails := smtp.WaitFor(t, 1, 10*time.Second)
	link := tender.URL(d.ID) + "#versione-2"
	var told []mailtest.Captured
	for _, m := range mails {
		if strings.Contains(m.Text, link) {
			told = append(told, m)
		}
	}
	if len(told) != 1 || told[0].To[0] != "mario@example.it" || !strings.Contains(told[0].Text, "Aggiornati i requisiti di capacità tecnica") {
		t.Fatalf("mails of the new version: %+v", told)
	}
	if n := count(t, a.DB, "SELECT count(*) FROM notifications WHERE kind = 'tender.version'"); n != 1 {
		t.Fatalf("%d notifications, want 1 (the mayor of Cantù)", n)
	}
	// The event's job runs again (a crash before it completed): nothing is told twice.
	var jobID int64
	if err := a.DB.NewRaw("SELECT id FROM river_job WHERE kind = 'tender.changed' ORDER BY id DESC LIMIT 1").Scan(ctx, &jobID); err != nil {
		t.Fatal(err)
	}
	abandon(t, a.DB, jobID, time.Hour)
	apptest.Idle(t, a) // the rescuer runs it again
	time.Sleep(300 * time.Millisecond)
	if n := count(t, a.DB, "SELECT attempt FROM river_job WHERE id = ?", jobID); n < 2 {
		t.Fatalf("the event's job ran %d times, want a rerun", n)
	}
	if n := count(t, a.DB, "SELECT count(*) FROM notifications WHERE kind = 'tender.version'"); n != 1 {
		t.Errorf("%d notifications after the rerun, want 1", n)
	}
	if n := len(smtp.Messages()); n != len(mails) {
		t.Errorf("%d mails after the rerun, want %d", n, len(mails))
	}
	// The CRM's read of Cantù's downloads.
	dl, err := a.Tenders.DownloadsOf(ctx, l.cantu.ID)
	if err != nil || len(dl) != 1 || dl[0].VersionNumber != 1 || dl[0].DocumentTitle != d.Title || dl[0].UserID != l.mayor {
		t.Fatalf("downloads of Cantù: %+v %v", dl, err)
	}
	// The province that follows Cantù sees the download on its CRM's timeline.
	if _, err := a.Territory.Follow(ctx, l.provincia.ID, l.cantu.ID); err != nil {
		t.Fatal(err)
	}
	rec, err := a.CRM.Record(ctx, l.cantu.ID)
	if err != nil {
		t.Fatal(err)
	}
	line, err := a.CRM.TimelineOf(ctx, rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	var shown bool
	for _, e := range line {
		shown = shown || e.Kind == "download" && e.Title == d.Title && e.Detail == "v1"
	}
	if !shown {
		t.Errorf("the download is not on Cantù's CRM timeline: %+v", line)
	}
	if v2.Number != 2 {
		t.Errorf("version number %d", v2.Number)
	}
}

func isField(err error, field string) bool {
	var errs form.Errors
	return errors.As(err, &errs) && errs[field] != ""
}

// TestTenderFormRefusesBadInput: every wrong field is named at once, and nothing is stored.
func TestTenderFormRefusesBadInput(t *testing.T) {
	t.Parallel()
	a := apptest.New(t)
	ctx := context.Background()
	l := newLibrary(t, a)
	bad := tender.Form{Title: " ", Kind: "romanzo", ProcedureType: "", Threshold: "forse", AmountMin: "-3", AmountMax: "dieci",
		LegalBasis: "art. 999", ValidFrom: "2026-13-01", AuthorEnteID: 999999}
	exe := []byte("MZ\x90\x00 not a pdf")
	_, err := a.Tenders.Create(ctx, l.editorActor, bad, tender.Upload{Name: "bando.pdf", Src: io.NewSectionReader(bytes.NewReader(exe), 0, int64(len(exe)))})
	var errs form.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("err %v", err)
	}
	for _, f := range []string{"title", "kind", "procedure_type", "threshold", "amount_min", "amount_max", "legal_basis", "valid_from", "author", "file"} {
		if errs[f] == "" {
			t.Errorf("no error on %s: %v", f, errs)
		}
	}
	if n := count(t, a.DB, "SELECT count(*) FROM tender_documents"); n != 0 {
		t.Errorf("%d documents stored", n)
	}
}

// TestTenderSearchHidesDrafts: a draft is found by its writers and never by a delegate, in the
// library's search and in the site's search; once approved the delegate finds it through a facet
// and a misspelt word, in the text of its PDF.
func TestTenderSearchHidesDrafts(t *testing.T) {
	t.Parallel()
	a := apptest.New(t)
	ctx := context.Background()
	l := newLibrary(t, a)
	d, err := a.Tenders.Create(ctx, l.editorActor, l.form(), pdfUpload("disciplinare.pdf", "Clausola sulla piezometria lacustre del cantiere"))
	if err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, a)
	subject := func(id int64) *access.Subject {
		u, roles, err := a.Identity.User(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		s := &access.Subject{UserID: u.ID, Roles: map[string][]string{}}
		for _, r := range roles {
			s.Roles[r.Role] = append(s.Roles[r.Role], r.TaskForce)
		}
		s.Memberships = nil
		ms, _ := a.Enti.Memberships(ctx, id)
		for _, m := range ms {
			s.Memberships = append(s.Memberships, access.Membership{EnteID: m.EnteID, Role: m.Role, Enabled: m.Enabled, Approved: m.Ente.Status == ente.StatusApproved})
		}
		return s
	}
	editor, mayor := subject(l.editor), subject(l.mayor)
	find := func(s *access.Subject, words string, filters map[string][]string) int {
		res, err := a.TenderSource.Library(ctx, s, words, filters, 1)
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Items)
	}
	if n := find(editor, "piezometria", nil); n != 1 {
		t.Fatalf("the editor finds %d drafts by their text", n)
	}
	for _, words := range []string{"piezometria", "", "disciplinare"} {
		if n := find(mayor, words, nil); n != 0 {
			t.Fatalf("the mayor finds %d drafts with %q", n, words)
		}
	}
	site, err := a.Search.Search(ctx, mayor, search.Query{Text: "piezometria"})
	if err != nil || site.Total != 0 || len(site.Items) != 0 {
		t.Fatalf("the site's search shows the mayor a draft: %+v %v", site, err)
	}
	// the engine itself never returns it to the mayor (not only the database check after it)
	raw, err := a.Search.Engine.Search(ctx, search.Query{Text: "piezometria", Access: search.AccessOf(mayor)})
	if err != nil || raw.Total != 0 {
		t.Fatalf("the engine returns the draft to the mayor: %+v %v", raw, err)
	}
	if err := a.Tenders.Approve(ctx, l.publisherActor, d.ID); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, a)
	if n := find(mayor, "piezometira", map[string][]string{tender.FacetKind: {"disciplinare"}}); n != 1 {
		t.Fatalf("the mayor finds %d approved documents with a misspelt word and a facet", n)
	}
	if n := find(mayor, "piezometria", map[string][]string{tender.FacetKind: {"bando"}}); n != 0 {
		t.Fatalf("the facet does not filter: %d", n)
	}
	res, err := a.TenderSource.Library(ctx, mayor, "", map[string][]string{tender.FacetBasis: {"art. 108"}}, 1)
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("article facet: %+v %v", res, err)
	}
	if got := res.Facets[tender.FacetAuthor]; len(got) != 1 || got[0].Value != strconv.FormatInt(l.provincia.ID, 10) {
		t.Errorf("author facet %+v", got)
	}
}

// TestTenderOfficeFilesAreSearchedByTheirText: the text of an ODT and of a DOCX version is in the
// index; a hostile archive is indexed without its text and the index jobs complete.
func TestTenderOfficeFilesAreSearchedByTheirText(t *testing.T) {
	t.Parallel()
	a := apptest.New(t)
	ctx := context.Background()
	l := newLibrary(t, a)
	upload := func(name string, data []byte) tender.Upload {
		return tender.Upload{Name: name, Src: io.NewSectionReader(bytes.NewReader(data), 0, int64(len(data)))}
	}
	f := l.form()
	for name, data := range map[string][]byte{"schema.odt": extracttest.ODT("Clausola di revisione dei prezzi ferroviaria"),
		"capitolato.docx": extracttest.DOCX("Penali per ritardata esecuzione idraulica"), "bomba.docx": extracttest.OfficeBomb("docx", 1<<30, 1<<10)} {
		f.Title = "Documento " + strings.TrimSuffix(name, filepath.Ext(name))
		d, err := a.Tenders.Create(ctx, l.editorActor, f, upload(name, data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := a.Tenders.Approve(ctx, l.publisherActor, d.ID); err != nil {
			t.Fatal(err)
		}
	}
	apptest.Idle(t, a)
	s := &access.Subject{UserID: l.editor, Roles: map[string][]string{access.RoleEditor: {""}}}
	for word, want := range map[string]string{"ferroviaria": "Documento schema", "idraulica": "Documento capitolato"} {
		res, err := a.TenderSource.Library(ctx, s, word, nil, 1)
		if err != nil || len(res.Items) != 1 || res.Items[0].Title != want {
			t.Errorf("%s: %+v %v", word, res.Items, err)
		}
	}
	res, err := a.TenderSource.Library(ctx, s, "bomba", nil, 1)
	if err != nil || len(res.Items) != 1 {
		t.Errorf("the hostile archive, by its name: %+v %v", res.Items, err)
	}
}

// TestTenderSupersededTellsTheEntiThatDownloaded: a document Cantù downloaded is superseded by
// another: Cantù's mayor is told once, with the link to the new document; Milano, which never
// downloaded it, is not.
func TestTenderSupersededTellsTheEntiThatDownloaded(t *testing.T) {
	t.Parallel()
	a := apptest.New(t)
	ctx := context.Background()
	l := newLibrary(t, a)
	other := login(t, a, "BNCGLI75M41L219", "Giulia")
	apptest.ApprovedEnte(t, a, "015146", "Milano", "MI", other)
	approved := func(title string) *tender.Document {
		f := l.form()
		f.Title = title
		d, err := a.Tenders.Create(ctx, l.editorActor, f, pdfUpload("d.pdf", title))
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Tenders.Approve(ctx, l.publisherActor, d.ID); err != nil {
			t.Fatal(err)
		}
		return d
	}
	old, by := approved("Capitolato tipo 2025"), approved("Capitolato tipo 2027")
	_, rc, err := a.Tenders.Open(ctx, l.mayor, l.cantu.ID, old.ID, old.CurrentID)
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if err := a.Tenders.Supersede(ctx, l.publisherActor, old.ID, by.ID); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, a)
	var rows []struct {
		UserID  int64  `bun:"user_id"`
		Subject string `bun:"subject"`
		URL     string `bun:"url"`
	}
	if err := a.DB.NewRaw("SELECT user_id, subject, url FROM notifications WHERE kind = ?", tender.SupersededKind).Scan(ctx, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].UserID != l.mayor || rows[0].URL != tender.URL(by.ID) || rows[0].Subject != "Capitolato tipo 2025 → Capitolato tipo 2027" {
		t.Fatalf("notices of the superseded document: %+v", rows)
	}
}

package app_test

import (
	"archive/zip"
	"context"
	"strconv"
	"strings"
	"testing"

	"passhub/app/apptest"
	"passhub/app/ente"
	"passhub/app/identity"
)

// TestFileNamesLoseBidiControlsAndDownloadsNameThemInUTF8 uploads files whose names carry
// right-to-left overrides and accents: the names are stored and shown without the controls, and
// every download (workspace document, dossier, registration protocol, report attachment) names its
// file with an ASCII filename and, for names that are not ASCII, filename* in UTF-8.
func TestFileNamesLoseBidiControlsAndDownloadsNameThemInUTF8(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ctx := context.Background()
	mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	users, _, _ := s.Identity.Users(ctx, "rossi", 1)
	apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", users[0].ID)

	form := map[string]string{"procedure": "VA-01", "title": "Arretrato VIA del polo logistico",
		"description": "Quaranta istanze in attesa da mesi, un solo istruttore.", "desired_outcome": "Tempi medi sotto i 150 giorni."}
	res, _ := postMultipart(t, s, "/area-riservata/richieste/nuova", mayor, form, "attachment", "report\u202efdp.csv", []byte("pratica;giorni\n1;200\n"))
	if res.StatusCode != 303 {
		t.Fatalf("filing: %d", res.StatusCode)
	}
	page := res.Header.Get("Location")
	id, _ := strconv.ParseInt(strings.TrimPrefix(page, "/area-riservata/richieste/"), 10, 64)
	res, _ = postMultipart(t, s, page+"/messaggi", mayor, map[string]string{"body": "Ecco l'elenco."}, "file", "città\u2067 verde\u2069.csv", []byte("a;b\n1;2\n"))
	if res.StatusCode != 303 {
		t.Fatalf("message with attachment: %d", res.StatusCode)
	}
	docs, _ := s.Workspace.Documents(ctx, id)
	names := map[string]bool{}
	for _, d := range docs {
		names[d.Name] = true
	}
	if len(docs) != 2 || !names["reportfdp.csv"] || !names["città verde.csv"] {
		t.Fatalf("stored names %v", names)
	}
	_, body := s.Get(t, page, "Cookie", mayor)
	if strings.ContainsAny(body, "\u202e\u2067\u2069") {
		t.Error("the workspace page shows a bidirectional control")
	}
	want := map[string]string{
		"reportfdp.csv":   `attachment; filename="reportfdp.csv"`,
		"città verde.csv": `attachment; filename="citta verde.csv"; filename*=UTF-8''citt%C3%A0%20verde.csv`,
	}
	links := parse(t, body).Find("a[href*='/documenti/']")
	if links.Length() != 2 {
		t.Fatalf("%d document links", links.Length())
	}
	for i := range links.Nodes {
		href, _ := links.Eq(i).Attr("href")
		res, _ := s.Get(t, href, "Cookie", mayor)
		cd := res.Header.Get("Content-Disposition")
		if res.StatusCode != 200 || (cd != want["reportfdp.csv"] && cd != want["città verde.csv"]) {
			t.Errorf("%s: %d %q", href, res.StatusCode, cd)
		}
	}
	res, zipBody := s.Get(t, page+"/fascicolo", "Cookie", mayor)
	if cd := res.Header.Get("Content-Disposition"); res.StatusCode != 200 || cd != `attachment; filename="fascicolo-`+strconv.FormatInt(id, 10)+`.zip"` {
		t.Errorf("dossier: %d %q", res.StatusCode, cd)
	}
	// the dossier is streamed (chunked, no length known in advance) and is a whole ZIP
	if len(res.TransferEncoding) == 0 || res.TransferEncoding[0] != "chunked" {
		t.Errorf("dossier not streamed: transfer encoding %v, length %d", res.TransferEncoding, res.ContentLength)
	}
	zr, err := zip.NewReader(strings.NewReader(zipBody), int64(len(zipBody)))
	if err != nil {
		t.Fatalf("dossier: %v", err)
	}
	stored := 0
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "documenti/") {
			stored++
		}
	}
	if stored != 2 {
		t.Errorf("dossier has %d documents, want 2", stored)
	}

	// A registration's protocol: its name is cleaned when stored, and its download is named.
	if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "015146", Name: "Milano", Kind: ente.KindComune, Province: "MI"}}); err != nil {
		t.Fatal(err)
	}
	milano, _ := s.Enti.ByISTAT(ctx, "015146")
	s.Login(t, apptest.FiscalCode("BNCLCU80A01F205"), "Luca", "Bianchi")
	u2, _, _ := s.Identity.Users(ctx, "bianchi", 1)
	reg, err := s.Enti.Register(ctx, ente.Actor{UserID: u2[0].ID}, ente.RegistrationForm{EnteID: milano.ID, Role: ente.RoleSindaco,
		Email: "protocollo@comune.milano.it", PEC: "comune@pec.milano.it"}, "delibera\u202efdp.pdf", apptest.ProtocolFor(t, s.App, u2[0].ID, milano.ID))
	if err != nil {
		t.Fatal(err)
	}
	if reg.ProtocolName != "deliberafdp.pdf" {
		t.Errorf("protocol name stored as %q", reg.ProtocolName)
	}
	admin := s.Login(t, apptest.FiscalCode("DMNDMN80A01F205"), "Ada", "Admin")
	admins, _, _ := s.Identity.Users(ctx, "admin", 1)
	_ = s.Identity.Grant(ctx, identity.Actor{}, admins[0].ID, "admin", "")
	res, _ = s.Get(t, "/admin/registrazioni/"+strconv.FormatInt(reg.ID, 10)+"/protocollo", "Cookie", admin)
	if cd := res.Header.Get("Content-Disposition"); res.StatusCode != 200 || cd != `attachment; filename="protocollo-015146.pdf"` {
		t.Errorf("protocol: %d %q", res.StatusCode, cd)
	}
	_, body = s.Get(t, "/report/monitoraggio-2025-primo-semestre")
	href, ok := parse(t, body).Find("a[download]").Attr("href")
	if !ok {
		t.Fatal("no report attachment link")
	}
	res, _ = s.Get(t, href)
	name := href[strings.LastIndex(href, "/")+1:]
	if cd := res.Header.Get("Content-Disposition"); res.StatusCode != 200 || cd != `attachment; filename="`+name+`"` {
		t.Errorf("report attachment: %d %q", res.StatusCode, cd)
	}
}

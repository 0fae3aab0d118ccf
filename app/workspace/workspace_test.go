package workspace_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/workspace"
)

func TestSniff(t *testing.T) {
	pdf := []byte("%PDF-1.7\n%%EOF\n")
	var pngBuf bytes.Buffer
	_ = png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 2, 2)))
	pngBytes := pngBuf.Bytes()
	zipBytes := zipOf(t, map[string]string{"[Content_Types].xml": "<Types/>"}, nil)
	cases := []struct {
		name string
		data []byte
		want string
		err  error
	}{
		{"relazione.pdf", pdf, "application/pdf", nil},
		{"RELAZIONE.PDF", pdf, "application/pdf", nil},
		{"foto.png", pngBytes, "image/png", nil},
		{"dati.csv", []byte("a;b\n1;2\n"), "text/csv; charset=utf-8", nil},
		{"verbale.docx", zipBytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", nil},
		{"relazione.pdf", pngBytes, "", workspace.ErrMismatch},
		{"script.pdf", []byte("<html><script>alert(1)</script></html>"), "", workspace.ErrFileType},
		{"eseguibile.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), "", workspace.ErrFileType},
		{"vuoto.pdf", nil, "", workspace.ErrEmptyFile},
	}
	for _, c := range cases {
		got, err := workspace.Sniff(c.name, c.data)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("%s: %q %v, want %q %v", c.name, got, err, c.want, c.err)
		}
	}
}

func TestDocumentsThreadAndDossier(t *testing.T) {
	a := apptest.New(t)
	ctx := context.Background()
	r, who := filed(t, a)
	w := a.Workspace
	if _, err := w.Post(ctx, who, r, false, "  "); err == nil {
		t.Error("empty message accepted")
	}
	m, err := w.Post(ctx, who, r, false, "Vedi **allegato**. <script>alert(1)</script> [x](javascript:alert(1))")
	if err != nil {
		t.Fatal(err)
	}
	if html := string(m.HTML); !strings.Contains(html, "<strong>allegato</strong>") || strings.Contains(html, "<script") || strings.Contains(html, "javascript:") {
		t.Errorf("message not sanitised: %s", html)
	}
	now := time.Now()
	w.SetClock(func() time.Time { return now.Add(time.Hour) })
	if _, err := w.Edit(ctx, who, r.ID, m.ID, "corretto"); !errors.Is(err, workspace.ErrEditWindow) {
		t.Errorf("edit after the window: %v", err)
	}
	w.SetClock(time.Now)
	doc, err := w.Upload(ctx, who, r, false, 0, "../../etc/elenco.csv", []byte("pratica;giorni\n1;200\n"), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Upload(ctx, who, r, false, doc.ID, "elenco.csv", []byte("pratica;giorni\n1;180\n2;90\n"), false); err != nil {
		t.Fatal(err)
	}
	w.MaxFile = 10
	if _, err := w.Upload(ctx, who, r, false, 0, "grande.csv", []byte("0123456789abc"), false); !errors.Is(err, workspace.ErrTooLarge) {
		t.Errorf("oversized upload: %v", err)
	}
	w.MaxFile = 20 << 20
	w.Quota = 40
	if _, err := w.Upload(ctx, who, r, false, 0, "altro.csv", []byte("a;b\n1;2\n3;4\n5;6\n"), false); !errors.Is(err, workspace.ErrQuota) {
		t.Errorf("over quota: %v", err)
	}
	w.Quota = 2 << 30
	docs, _ := w.Documents(ctx, r.ID)
	if len(docs) != 1 || len(docs[0].Versions) != 2 || docs[0].Name != "elenco.csv" || docs[0].Latest().Number != 2 {
		t.Fatalf("documents %+v", docs)
	}
	var buf bytes.Buffer
	if err := w.Dossier(ctx, r, italian(a), &buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		names[f.Name] = string(b)
	}
	if len(names) != 5 || !strings.Contains(names["fascicolo.html"], "Arretrato VIA") || !strings.Contains(names["MANIFEST.sha256"], "fascicolo.html") ||
		strings.Count(names["MANIFEST.sha256"], "\n") != 4 || !strings.HasPrefix(names["fascicolo.pdf"], "%PDF-") {
		t.Errorf("dossier files %v", keys(names))
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func italian(a *app.App) workspace.Translate {
	return func(id string, args ...any) string { return a.I18n.T("it", id, args...) }
}

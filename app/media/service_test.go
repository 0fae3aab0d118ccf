package media_test

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/form"
	"passhub/app/media"
	"passhub/app/storage"
)

var editor = media.Actor{UserID: 0, Name: "Redattrice", IP: "127.0.0.1"}

// objects lists the library's objects in the store.
func objects(t *testing.T, st storage.Store) []string {
	t.Helper()
	objs, err := st.List(context.Background(), "media/")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	return keys
}

func newService(t *testing.T, maxFile int64) (*app.App, *media.Service) {
	t.Helper()
	a := apptest.New(t)
	return a, media.NewService(a.DB, a.Files, maxFile)
}

// TestKindsByContent: every accepted kind is recognised by its content, gets the type it is served
// with and, for images, its dimensions; a file whose extension lies, a kind not accepted, a
// damaged or oversized image and an empty file are refused, with the file's message, and nothing
// is stored for them.
func TestKindsByContent(t *testing.T) {
	t.Parallel()
	a, svc := newService(t, 20<<20)
	ctx := context.Background()
	good := []struct {
		name string
		data []byte
		kind media.Kind
		ct   string
		w, h int
	}{
		{"Piazza Duomo.PNG", pngFile(t, 30, 20), media.KindImage, "image/png", 30, 20},
		{"foto.jpg", jpegFile(t), media.KindImage, "image/jpeg", 8, 6},
		{"foto.jpeg", jpegFile(t), media.KindImage, "image/jpeg", 8, 6},
		{"anim.gif", gifFile(t), media.KindImage, "image/gif", 5, 4},
		{"punto.webp", webpFile(t), media.KindImage, "image/webp", 1, 1},
		{"bando.pdf", []byte(pdfFile), media.KindDocument, "application/pdf", 0, 0},
		{"modulo.docx", docxFile(t), media.KindDocument, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 0, 0},
		{"modulo.odt", odtFile(t), media.KindDocument, "application/vnd.oasis.opendocument.text", 0, 0},
		{"dati.csv", []byte("comune;abitanti\nCantù;40000\n"), media.KindDocument, "text/csv; charset=utf-8", 0, 0},
		{"leggimi.txt", []byte("Istruzioni per la domanda.\n"), media.KindDocument, "text/plain; charset=utf-8", 0, 0},
	}
	for _, g := range good {
		m, err := svc.Add(ctx, editor, media.Upload{Name: g.name, Src: section(g.data), Alt: "Una descrizione"})
		if err != nil {
			t.Errorf("%s: %v", g.name, err)
			continue
		}
		if m.Kind != g.kind || m.ContentType != g.ct || m.Width != g.w || m.Height != g.h || m.Size != int64(len(g.data)) {
			t.Errorf("%s: kind %s, type %q, %d×%d, %d bytes", g.name, m.Kind, m.ContentType, m.Width, m.Height, m.Size)
		}
		f, err := svc.Open(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(f)
		f.Close()
		if string(got) != string(g.data) {
			t.Errorf("%s: stored bytes differ", g.name)
		}
	}
	stored := len(objects(t, a.Files))
	if stored != len(good) {
		t.Errorf("%d objects for %d media", stored, len(good))
	}
	bad := []struct {
		name string
		data []byte
		msg  string
	}{
		{"bando.pdf", []byte("Questo non è un PDF, è testo.\n"), media.ErrMsgMismatch},
		{"foto.png", jpegFile(t), media.ErrMsgMismatch},
		{"foto.jpg", []byte("testo"), media.ErrMsgMismatch},
		{"bando.pdf", pngFile(t, 2, 2), media.ErrMsgMismatch},
		{"modulo.docx", zipFile(t, "a.txt", "x"), media.ErrMsgMismatch},
		{"modulo.odt", zipFile(t, "mimetype", "application/zip"), media.ErrMsgMismatch},
		{"logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), media.ErrMsgType},
		{"vecchio.doc", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0}, media.ErrMsgType},
		{"archivio.zip", zipFile(t, "a.txt", "x"), media.ErrMsgType},
		{"rotta.png", pngFile(t, 4, 4)[:30], media.ErrMsgImage},
		{"larga.png", pngHeader(12_001, 10), media.ErrMsgDimensions},
		{"enorme.png", pngHeader(8_000, 7_000), media.ErrMsgDimensions},
		{"vuoto.txt", nil, media.ErrMsgEmpty},
	}
	for _, b := range bad {
		_, err := svc.Add(ctx, editor, media.Upload{Name: b.name, Src: section(b.data), Alt: "Descrizione"})
		var errs form.Errors
		if !errors.As(err, &errs) || errs["file"] != b.msg {
			t.Errorf("%s: %v (%v), want file: %s", b.name, err, errs, b.msg)
		}
	}
	if n := len(objects(t, a.Files)); n != stored {
		t.Errorf("refused files left %d objects", n-stored)
	}
	// 12,000 × 4,000 is within both limits: only the header is read, so it is accepted.
	if m, err := svc.Add(ctx, editor, media.Upload{Name: "panorama.png", Src: section(pngHeader(12_000, 4_000)), Alt: "Panorama"}); err != nil || m.Width != 12_000 {
		t.Errorf("panorama at the limits: %v", err)
	}
}

// TestAltRequired: an image needs its alt text (white space is not one), a document does not;
// the message is the alt field's, reported with the file's own, and nothing is stored.
func TestAltRequired(t *testing.T) {
	t.Parallel()
	a, svc := newService(t, 20<<20)
	ctx := context.Background()
	_, err := svc.Add(ctx, editor, media.Upload{Name: "foto.png", Src: section(pngFile(t, 3, 3)), Alt: " \n\t "})
	var errs form.Errors
	if !errors.As(err, &errs) || errs["alt"] != media.ErrMsgAlt || len(errs) != 1 {
		t.Fatalf("image without alt: %v %v", err, errs)
	}
	_, err = svc.Add(ctx, editor, media.Upload{Name: "foto.pdf", Src: section(pngFile(t, 3, 3)), Alt: ""})
	if !errors.As(err, &errs) || errs["file"] != media.ErrMsgMismatch || errs["alt"] != "" {
		t.Errorf("a fake PDF is a document: no alt asked: %v", errs)
	}
	_, err = svc.Add(ctx, editor, media.Upload{Name: "foto.png", Src: section(pngFile(t, 3, 3)), Alt: strings.Repeat("a", media.MaxAlt+1), Title: strings.Repeat("t", media.MaxTitle+1)})
	if !errors.As(err, &errs) || errs["alt"] != media.ErrMsgAltLong || errs["title"] != media.ErrMsgTitleLong {
		t.Errorf("long alt and title: %v", errs)
	}
	if keys := objects(t, a.Files); len(keys) != 0 {
		t.Errorf("refused uploads stored %v", keys)
	}
	doc, err := svc.Add(ctx, editor, media.Upload{Name: "Bando 2027 (versione finale).pdf", Src: section([]byte(pdfFile))})
	if err != nil {
		t.Fatal(err)
	}
	if doc.URLName != "bando-2027-versione-finale.pdf" || doc.Snippet() != "[Bando 2027 (versione finale).pdf](/media/"+itoa(doc.ID)+"/bando-2027-versione-finale.pdf)" {
		t.Errorf("document: %q, %q", doc.URLName, doc.Snippet())
	}
	img, err := svc.Add(ctx, editor, media.Upload{Name: "../../etc/Piazza [centro].png", Src: section(pngFile(t, 3, 3)), Alt: "La piazza [centro]\ndi sera"})
	if err != nil {
		t.Fatal(err)
	}
	if img.Name != "Piazza [centro].png" || img.Alt != "La piazza [centro] di sera" || img.Snippet() != `![La piazza \[centro\] di sera](/media/`+itoa(img.ID)+`/piazza-centro.png)` {
		t.Errorf("image: name %q, alt %q, snippet %q", img.Name, img.Alt, img.Snippet())
	}
	// Describing: an image keeps an alt text; a document may lose its title.
	if _, err := svc.Describe(ctx, editor, img.ID, "", "x"); !errors.As(err, &errs) || errs["alt"] != media.ErrMsgAlt {
		t.Errorf("describe without alt: %v", err)
	}
	if m, err := svc.Describe(ctx, editor, doc.ID, "", "Bando 2027"); err != nil || m.Snippet() != "[Bando 2027](/media/"+itoa(doc.ID)+"/bando-2027-versione-finale.pdf)" {
		t.Errorf("describe document: %v %v", m, err)
	}
}

// TestOversize: a file over the limit is refused by its size, before anything is read or stored.
func TestOversize(t *testing.T) {
	t.Parallel()
	a, svc := newService(t, 1024)
	data := []byte(strings.Repeat("riga di testo\n", 100)) // 1,400 bytes
	_, err := svc.Add(context.Background(), editor, media.Upload{Name: "lungo.txt", Src: section(data)})
	var errs form.Errors
	if !errors.As(err, &errs) || errs["file"] != media.ErrMsgTooLarge {
		t.Fatalf("oversize: %v", err)
	}
	if _, err := svc.Add(context.Background(), editor, media.Upload{Name: "corto.txt", Src: section(data[:1024])}); err != nil {
		t.Errorf("exactly the limit: %v", err)
	}
	if n := len(objects(t, a.Files)); n != 1 {
		t.Errorf("%d objects", n)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestDeleteWhileUsed: a medium that any revision of any entry contains (a draft, not only the
// published one) cannot be deleted, and the refusal names the entry; once no revision has it, it
// is deleted with its object. A medium whose id only starts like the used one's is not held.
func TestDeleteWhileUsed(t *testing.T) {
	t.Parallel()
	a, svc := newService(t, 20<<20)
	ctx := context.Background()
	var ms []*media.Media
	for i := 0; i < 11; i++ { // ids n and n+10 share their first digit
		m, err := svc.Add(ctx, editor, media.Upload{Name: "foto.png", Src: section(pngFile(t, 2, 2)), Alt: "Foto"})
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	used := ms[0]
	apptest.DraftRevision(t, a, content.TypePage, "privacy", "Una foto: "+used.Snippet())
	err := svc.Delete(ctx, editor, used.ID)
	var inUse *media.InUse
	if !errors.As(err, &inUse) || !errors.Is(err, media.ErrInUse) || len(inUse.Entries) != 1 || inUse.Entries[0].Slug != "privacy" || inUse.Entries[0].Type != "page" {
		t.Fatalf("delete of a used medium: %v", err)
	}
	if _, err := svc.Get(ctx, used.ID); err != nil {
		t.Fatalf("refused delete removed the row: %v", err)
	}
	alike := 0
	for _, m := range ms[1:] {
		if strings.HasPrefix(media.Path(m.ID), strings.TrimSuffix(media.Path(used.ID), "/")) {
			alike++
			if err := svc.Delete(ctx, editor, m.ID); err != nil {
				t.Errorf("medium %d held by the use of %d: %v", m.ID, used.ID, err)
			}
		}
	}
	if alike == 0 {
		t.Fatalf("no id starts like %d", used.ID)
	}
	// Revisions never change in the newsroom; a purge outside it is the only way a use goes.
	if _, err := a.DB.ExecContext(ctx, "UPDATE revisions SET source = REPLACE(source, ?, '/media/0/')", media.Path(used.ID)); err != nil {
		t.Fatal(err)
	}
	if err := svc.Delete(ctx, editor, used.ID); err != nil {
		t.Fatalf("delete once unused: %v", err)
	}
	if _, err := svc.Get(ctx, used.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("row still there: %v", err)
	}
	for _, k := range objects(t, a.Files) {
		if k == used.StorageKey {
			t.Errorf("object %s left behind", k)
		}
	}
	if err := svc.Delete(ctx, editor, used.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

// failing is a store whose Put or Delete fail on demand.
type failing struct {
	storage.Store
	mu               sync.Mutex
	failPut, failDel bool
}

func (f *failing) Put(ctx context.Context, key string, r io.Reader) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failPut {
		_, _ = io.Copy(io.Discard, r)
		return errors.New("store down")
	}
	return f.Store.Put(ctx, key, r)
}

func (f *failing) Delete(ctx context.Context, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failDel {
		return errors.New("store down")
	}
	return f.Store.Delete(ctx, key)
}

// TestNoOrphans: a row is never written without its object (a failed Put stores nothing), an
// object never stays without its row (a failed insert removes it), and a delete whose object
// cannot be removed still removes the row (the sweeper takes the object later; no row points to
// a missing object).
func TestNoOrphans(t *testing.T) {
	t.Parallel()
	a := apptest.New(t)
	ctx := context.Background()
	st := &failing{Store: a.Files}
	svc := media.NewService(a.DB, st, 20<<20)
	up := func() (*media.Media, error) {
		return svc.Add(ctx, editor, media.Upload{Name: "foto.png", Src: section(pngFile(t, 2, 2)), Alt: "Foto"})
	}
	st.failPut = true
	if _, err := up(); err == nil {
		t.Fatal("upload with the store down succeeded")
	}
	st.failPut = false
	if _, total, _ := svc.List(ctx, media.Query{}); total != 0 {
		t.Errorf("%d rows without objects", total)
	}
	kept, err := up()
	if err != nil {
		t.Fatal(err)
	}
	st.failDel = true
	if err := svc.Delete(ctx, editor, kept.ID); err != nil {
		t.Fatalf("delete with the store down: %v", err)
	}
	st.failDel = false
	if _, err := svc.Get(ctx, kept.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("row kept: %v", err)
	}
	if keys := objects(t, a.Files); len(keys) != 1 || keys[0] != kept.StorageKey {
		t.Errorf("objects %v, want the one the sweeper will take", keys)
	}
	if err := a.Files.Delete(ctx, kept.StorageKey); err != nil {
		t.Fatal(err)
	}
	// The insert fails (the table is gone): the object just stored is removed.
	if _, err := a.DB.ExecContext(ctx, "ALTER TABLE media RENAME TO media_gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := up(); err == nil {
		t.Fatal("upload without its table succeeded")
	}
	if keys := objects(t, a.Files); len(keys) != 0 {
		t.Errorf("insert failed, objects left: %v", keys)
	}
}

package media_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/content"
	"passhub/app/identity"
	"passhub/app/media"
)

type lib struct {
	s             *apptest.Server
	editor, mayor string
}

func openLib(t *testing.T, opts ...apptest.Option) *lib {
	t.Helper()
	s := apptest.Start(t, opts...)
	l := &lib{s: s}
	l.editor = s.Login(t, apptest.FiscalCode("RDTRDT80A01F205"), "Redattore", "Test")
	u, err := s.Identity.Authenticate(context.Background(), strings.TrimPrefix(strings.Split(l.editor, ";")[0], "pass_session="))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Identity.Grant(context.Background(), identity.Actor{Name: "test"}, u.User.ID, identity.RoleEditor, ""); err != nil {
		t.Fatal(err)
	}
	l.mayor = s.Login(t, apptest.FiscalCode("RSSMRA80A01F205"), "Sindaco", "Test")
	return l
}

// upload posts the library's form: the file under "file", and the fields.
func (l *lib) upload(t *testing.T, cookie, name string, data []byte, fields ...string) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		_ = mw.WriteField(fields[i], fields[i+1])
	}
	if name != "" {
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, l.s.URL+media.Library, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Cookie", cookie)
	return l.s.Do(t, req)
}

var itemURL = regexp.MustCompile(`^/redazione/media/(\d+)$`)

// TestUploadAndServe: an image uploaded through the form is listed with its snippet and served
// at its URL with its stored type, nosniff, inline disposition, a year of immutable caching and
// its ETag; HEAD answers the same headers without the body, If-None-Match gives 304, another
// name in the URL is 301 to the canonical one, an unknown id is 404. A document is served as an
// attachment with filename* for its accented name.
func TestUploadAndServe(t *testing.T) {
	t.Parallel()
	l := openLib(t)
	img := pngFile(t, 40, 30)
	res, _ := l.upload(t, l.editor, "Piazza Città.png", img, "_csrf", apptest.CSRFToken, "alt", "La piazza del Comune", "title", "")
	if res.StatusCode != http.StatusSeeOther || !itemURL.MatchString(res.Header.Get("Location")) {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	id := itemURL.FindStringSubmatch(res.Header.Get("Location"))[1]
	want := "/media/" + id + "/piazza-citta.png"
	_, body := l.s.Get(t, media.Library, "Cookie", l.editor)
	doc := apptest.Parse(t, body)
	if got, _ := doc.Find("#media-snippet-" + id).Attr("value"); got != "![La piazza del Comune]("+want+")" {
		t.Errorf("snippet %q", got)
	}
	if src, _ := doc.Find("#media-" + id + " img").Attr("src"); src != want {
		t.Errorf("thumbnail %q", src)
	}
	if lazy, _ := doc.Find("#media-" + id + " img").Attr("loading"); lazy != "lazy" {
		t.Errorf("thumbnail not lazy: %q", lazy)
	}
	if !strings.Contains(doc.Find("#media-public").Text(), "pubblici") {
		t.Error("the upload page does not say uploads are public")
	}

	for _, method := range []string{http.MethodGet, http.MethodHead} {
		req, _ := http.NewRequest(method, l.s.URL+want, nil) // anonymous
		res, body := l.s.Do(t, req)
		h := res.Header
		if res.StatusCode != 200 || h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.HasPrefix(h.Get("Content-Disposition"), "inline; ") ||
			!strings.Contains(h.Get("Content-Disposition"), "filename*=UTF-8''Piazza%20Citt%C3%A0.png") || len(h.Get("ETag")) != 66 {
			t.Errorf("%s %s: %d %v", method, want, res.StatusCode, h)
		}
		if res.Header.Get("Content-Length") != strconv.Itoa(len(img)) {
			t.Errorf("%s: Content-Length %q, want %d", method, res.Header.Get("Content-Length"), len(img))
		}
		if method == http.MethodGet && body != string(img) || method == http.MethodHead && body != "" {
			t.Errorf("%s: body of %d bytes", method, len(body))
		}
		if method == http.MethodGet {
			res, _ := l.s.Get(t, want, "If-None-Match", h.Get("ETag"))
			if res.StatusCode != http.StatusNotModified {
				t.Errorf("If-None-Match: %d", res.StatusCode)
			}
		}
	}
	for _, other := range []string{"/media/" + id + "/altro.png", "/media/" + id + "/Piazza%20Citt%C3%A0.png"} {
		res, _ := l.s.Get(t, other)
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != want {
			t.Errorf("%s: %d → %q", other, res.StatusCode, res.Header.Get("Location"))
		}
	}
	for _, missing := range []string{"/media/999999/piazza.png", "/media/abc/piazza.png", "/media/0/x.png"} {
		if res, _ := l.s.Get(t, missing); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", missing, res.StatusCode)
		}
	}

	res, _ = l.upload(t, l.editor, "Modulo è.docx", docxFile(t), "_csrf", apptest.CSRFToken, "title", "Modulo di domanda")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("document upload: %d", res.StatusCode)
	}
	did := itemURL.FindStringSubmatch(res.Header.Get("Location"))[1]
	_, body = l.s.Get(t, "/redazione/media/"+did, "Cookie", l.editor)
	if got, _ := apptest.Parse(t, body).Find("#media-snippet-" + did).Attr("value"); got != "[Modulo di domanda](/media/"+did+"/modulo-e.docx)" {
		t.Errorf("document snippet %q", got)
	}
	res, _ = l.s.Get(t, "/media/"+did+"/modulo-e.docx")
	if cd := res.Header.Get("Content-Disposition"); res.StatusCode != 200 || !strings.HasPrefix(cd, `attachment; filename="Modulo e.docx"`) ||
		!strings.Contains(cd, "filename*=UTF-8''Modulo%20%C3%A8.docx") ||
		res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" {
		t.Errorf("document: %d %v", res.StatusCode, res.Header)
	}
}

// TestUploadRefused: the form's refusals, each with its message beside its field and in the
// summary, and nothing stored: an image without alt text, a .pdf that is not a PDF, a file over
// the limit, no file; a POST without the CSRF token is 403; someone outside the newsroom is 403.
func TestUploadRefused(t *testing.T) {
	t.Parallel()
	l := openLib(t, func(c *config.Config) { c.MaxFile = 4096 })
	csrf := []string{"_csrf", apptest.CSRFToken}
	cases := []struct {
		name    string
		file    string
		data    []byte
		fields  []string
		status  int
		field   string
		message string
	}{
		{"no alt", "foto.png", pngFile(t, 2, 2), csrf, 422, "#media-alt-error", "testo alternativo"},
		{"fake pdf", "bando.pdf", []byte("solo testo, nessun PDF\n"), csrf, 422, "#media-file-error", "non corrisponde"},
		{"too large", "grande.txt", bytes.Repeat([]byte("x"), 5000), csrf, 413, "#media-file-error", "limite di"},
		{"no file", "", nil, csrf, 422, "#media-file-error", "Scegli un file"},
	}
	for _, c := range cases {
		res, body := l.upload(t, l.editor, c.file, c.data, c.fields...)
		doc := apptest.Parse(t, body)
		if res.StatusCode != c.status || !strings.Contains(doc.Find(c.field).Text(), c.message) || doc.Find(".pass-error-summary").Length() != 1 {
			t.Errorf("%s: %d, %s %q", c.name, res.StatusCode, c.field, doc.Find(c.field).Text())
		}
		if c.name == "no alt" {
			if inv, _ := doc.Find("#media-alt").Attr("aria-invalid"); inv != "true" {
				t.Error("alt field not marked invalid")
			}
		}
	}
	if res, _ := l.upload(t, l.editor, "foto.png", pngFile(t, 2, 2), "alt", "Foto"); res.StatusCode != http.StatusForbidden {
		t.Errorf("without CSRF: %d", res.StatusCode)
	}
	if res, _ := l.upload(t, l.mayor, "foto.png", pngFile(t, 2, 2), "_csrf", apptest.CSRFToken, "alt", "Foto"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a mayor: %d", res.StatusCode)
	}
	if _, total, _ := l.s.Media.List(context.Background(), media.Query{}); total != 0 {
		t.Errorf("%d media stored by refused uploads", total)
	}
	if objs, _ := l.s.Files.List(context.Background(), "media/"); len(objs) != 0 {
		t.Errorf("%d objects stored by refused uploads", len(objs))
	}
}

// TestLibraryPages: search by words and kind, paging, describing (alt kept for images), and a
// deletion refused while an entry's revision uses the file, naming the entry; the picker lists
// the latest media with their snippets on the entry editor.
func TestLibraryPages(t *testing.T) {
	t.Parallel()
	l := openLib(t)
	ctx := context.Background()
	svc := l.s.Media
	var ids []int64
	for i := 0; i < media.PageSize+2; i++ {
		m, err := svc.Add(ctx, media.Actor{Name: "Test"}, media.Upload{Name: "foto-" + strconv.Itoa(i) + ".png", Src: section(pngFile(t, 2, 2)), Alt: "Foto numero " + strconv.Itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	pdf, err := svc.Add(ctx, media.Actor{Name: "Test"}, media.Upload{Name: "bando.pdf", Src: section([]byte(pdfFile)), Title: "Bando zanzariere"})
	if err != nil {
		t.Fatal(err)
	}
	count := func(path string) (int, string) {
		_, body := l.s.Get(t, path, "Cookie", l.editor)
		doc := apptest.Parse(t, body)
		return doc.Find("#media-list > li").Length(), doc.Find("#media-count").Text()
	}
	if n, c := count(media.Library); n != media.PageSize || !strings.Contains(c, strconv.Itoa(media.PageSize+3)) {
		t.Errorf("first page: %d items, %q", n, c)
	}
	if n, _ := count(media.Library + "?pagina=2"); n != 3 {
		t.Errorf("second page: %d items", n)
	}
	if n, _ := count(media.Library + "?tipo=document"); n != 1 {
		t.Errorf("documents: %d", n)
	}
	if n, _ := count(media.Library + "?parole=ZANZARIERE"); n != 1 {
		t.Errorf("by title: %d", n)
	}
	if n, _ := count(media.Library + "?parole=numero+25"); n != 1 {
		t.Errorf("by alt: %d", n)
	}
	if n, _ := count(media.Library + "?parole=foto-1&tipo=image"); n != 11 { // foto-1, foto-10…foto-19
		t.Errorf("by name: %d", n)
	}

	item := media.Library + "/" + strconv.FormatInt(ids[0], 10)
	res, body := l.s.PostForm(t, item, url.Values{"_csrf": {apptest.CSRFToken}, "alt": {""}, "title": {"x"}}, "Cookie", l.editor)
	if res.StatusCode != 422 || !strings.Contains(apptest.Parse(t, body).Find("#media-alt-error").Text(), "testo alternativo") {
		t.Errorf("describe without alt: %d", res.StatusCode)
	}
	res, _ = l.s.PostForm(t, item, url.Values{"_csrf": {apptest.CSRFToken}, "alt": {"Il municipio"}, "title": {""}}, "Cookie", l.editor)
	if m, _ := svc.Get(ctx, ids[0]); res.StatusCode != 303 || m.Alt != "Il municipio" {
		t.Errorf("describe: %d %q", res.StatusCode, m.Alt)
	}

	apptest.DraftRevision(t, l.s.App, content.TypePage, "privacy", pdf.Snippet())
	res, body = l.s.PostForm(t, media.Library+"/"+strconv.FormatInt(pdf.ID, 10)+"/elimina", url.Values{"_csrf": {apptest.CSRFToken}}, "Cookie", l.editor)
	doc := apptest.Parse(t, body)
	if res.StatusCode != http.StatusConflict || doc.Find(`#media-in-use a[href="/redazione/contenuti/page/privacy"]`).Length() != 1 ||
		!strings.Contains(doc.Find(".pass-error-summary").Text(), "non è stato eliminato") {
		t.Errorf("delete of a used file: %d", res.StatusCode)
	}
	res, _ = l.s.PostForm(t, item+"/elimina", url.Values{"_csrf": {apptest.CSRFToken}}, "Cookie", l.editor)
	if res.StatusCode != 303 {
		t.Errorf("delete: %d", res.StatusCode)
	}
	if res, _ := l.s.Get(t, "/media/"+strconv.FormatInt(ids[0], 10)+"/foto-0.png"); res.StatusCode != 404 {
		t.Errorf("deleted file served: %d", res.StatusCode)
	}

	_, body = l.s.Get(t, "/redazione/contenuti/page/privacy", "Cookie", l.editor)
	doc = apptest.Parse(t, body)
	picks := doc.Find("#media-picker .pass-media-pick")
	if picks.Length() != media.PickerSize {
		t.Fatalf("picker lists %d media", picks.Length())
	}
	if got, _ := doc.Find("#pick-snippet-" + strconv.FormatInt(pdf.ID, 10)).Attr("value"); got != pdf.Snippet() {
		t.Errorf("picker's first snippet %q", got)
	}
	if name, ok := doc.Find("#media-picker input").Attr("name"); ok {
		t.Errorf("the picker's fields are sent with the entry: %q", name)
	}
	_, body = l.s.Get(t, "/redazione/nuovo/news", "Cookie", l.editor)
	if apptest.Parse(t, body).Find("#media-picker").Length() != 1 {
		t.Error("no picker on the new entry form")
	}
	// Strict CSP: no inline script, style or handler on the library's pages and the editor.
	for _, p := range []string{media.Library, media.Library + "/" + strconv.FormatInt(pdf.ID, 10), "/redazione/nuovo/news"} {
		_, body := l.s.Get(t, p, "Cookie", l.editor)
		doc := apptest.Parse(t, body)
		if n := doc.Find("script:not([src]), style, [style]").Length(); n > 0 || strings.Contains(body, " onclick=") {
			t.Errorf("%s: %d inline scripts or styles", p, n)
		}
	}
}

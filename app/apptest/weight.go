package apptest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/brotli"
)

// Weight is what a first visit to a page costs: the page and the subresources it loads (style
// sheets, scripts, icons, images and the icon sprite), fonts left out.
type Weight struct {
	Requests    int
	Transferred int // bytes on the wire, compressed as the server chose
	Raw         int // bytes once decompressed
	Files       map[string]int
}

// PageWeight loads path and its subresources asking for acceptEncoding ("br, gzip", or "" for
// none) and sums the bytes; every response must be 200, and none may be compressed with a coding
// that was not asked for.
func PageWeight(t testing.TB, s *Server, path, acceptEncoding string) Weight {
	t.Helper()
	w := Weight{Files: map[string]int{}}
	fetch := func(u string) []byte {
		req, err := http.NewRequest(http.MethodGet, s.URL+u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", acceptEncoding)
		} else {
			req.Header.Set("Accept-Encoding", "identity")
		}
		res, body := s.Do(t, req)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", u, res.StatusCode)
		}
		enc := res.Header.Get("Content-Encoding")
		if enc != "" && !strings.Contains(acceptEncoding, enc) {
			t.Fatalf("%s: %s sent, %q asked", u, enc, acceptEncoding)
		}
		raw, err := Decode(enc, []byte(body))
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		w.Requests++
		w.Transferred += len(body)
		w.Raw += len(raw)
		w.Files[u] = len(body)
		return raw
	}
	page := fetch(path)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(page)))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{path: true}
	add := func(u string) {
		if i := strings.IndexByte(u, '#'); i >= 0 {
			u = u[:i]
		}
		if u == "" || !strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") || seen[u] {
			return
		}
		seen[u] = true
		fetch(u)
	}
	doc.Find(`link[rel="stylesheet"], link[rel="icon"]`).Each(func(_ int, e *goquery.Selection) { add(e.AttrOr("href", "")) })
	doc.Find("script[src], img[src]").Each(func(_ int, e *goquery.Selection) { add(e.AttrOr("src", "")) })
	doc.Find("use").Each(func(_ int, e *goquery.Selection) { add(e.AttrOr("href", e.AttrOr("xlink:href", ""))) })
	return w
}

// Decode undoes a response's Content-Encoding (br, gzip or none).
func Decode(encoding string, body []byte) ([]byte, error) {
	switch encoding {
	case "":
		return body, nil
	case "br":
		return io.ReadAll(brotli.NewReader(bytes.NewReader(body)))
	case "gzip":
		r, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(r)
	}
	return nil, fmt.Errorf("unknown content encoding %q", encoding)
}

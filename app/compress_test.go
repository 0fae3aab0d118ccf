package app_test

import (
	"context"
	"strings"
	"testing"

	"passhub/app/apptest"
)

// TestResponsesAreCompressed asks for pages, the API and static files with and without
// Accept-Encoding: text comes back Brotli- or gzip-compressed as asked, decodes to what the
// uncompressed answer holds, varies on Accept-Encoding, and fonts are sent as they are.
func TestResponsesAreCompressed(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	_, home := s.Get(t, "/", "Accept-Encoding", "identity", "Accept-Language", "it")
	css := assetURL(t, home, "vendor/bootstrap-italia/css/bootstrap-italia.min.css")
	own := assetURL(t, home, "css/pass.css")
	for _, path := range []string{"/", "/procedure", "/api/v1/catalogue", css, own} {
		_, plain := s.Get(t, path, "Accept-Encoding", "identity", "Accept-Language", "it")
		for _, enc := range []string{"br", "gzip"} {
			res, body := s.Get(t, path, "Accept-Encoding", enc, "Accept-Language", "it")
			if got := res.Header.Get("Content-Encoding"); got != enc {
				t.Errorf("%s with %s: Content-Encoding %q", path, enc, got)
				continue
			}
			if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("%s: Vary %q", path, res.Header.Get("Vary"))
			}
			raw, err := apptest.Decode(enc, []byte(body))
			if err != nil {
				t.Fatalf("%s %s: %v", path, enc, err)
			}
			if len(body) >= len(raw) {
				t.Errorf("%s %s: %d bytes for %d", path, enc, len(body), len(raw))
			}
			if path != "/" && path != "/procedure" && string(raw) != plain { // pages carry a fresh CSRF token or none
				t.Errorf("%s %s: decoded body differs from the plain one", path, enc)
			}
		}
		if res, _ := s.Get(t, path, "Accept-Encoding", "identity"); res.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: compressed without being asked", path)
		}
	}
	if res, _ := s.Get(t, css, "Accept-Encoding", "br;q=0, gzip"); res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("br;q=0 honoured? got %q", res.Header.Get("Content-Encoding"))
	}
	font := assetURL(t, "", "vendor/bootstrap-italia/fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-regular.woff2", s)
	if res, _ := s.Get(t, font, "Accept-Encoding", "br, gzip"); res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "" {
		t.Errorf("font: %d %q", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
}

// TestPublicPagesWithinBudget loads the home, the catalogue and a procedure sheet with their
// style sheets, scripts and icons, as a first visit with Brotli would: under 150 KB each, fonts
// aside.
func TestPublicPagesWithinBudget(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	tfs, err := s.Catalogue.Catalogue(context.Background())
	if err != nil || len(tfs) == 0 || len(tfs[0].Procedures) == 0 {
		t.Fatalf("catalogue: %v", err)
	}
	for _, p := range []string{"/", "/procedure", "/procedure/" + tfs[0].Procedures[0].Slug} {
		w := apptest.PageWeight(t, s, p, "br, gzip")
		if w.Transferred > 150<<10 {
			t.Errorf("%s: %d KB in %d requests (%v)", p, w.Transferred>>10, w.Requests, w.Files)
		}
		if w.Transferred*3 > w.Raw {
			t.Errorf("%s: %d bytes transferred for %d: hardly compressed", p, w.Transferred, w.Raw)
		}
	}
}

// assetURL finds the checksum URL of a static file in a page, or asks the server's assets.
func assetURL(t *testing.T, page, file string, s ...*apptest.Server) string {
	t.Helper()
	if len(s) > 0 {
		return s[0].Web.Assets.URL(file)
	}
	i := strings.Index(page, "/"+file+`"`)
	if i < 0 {
		t.Fatalf("%s not linked from the page", file)
	}
	j := strings.LastIndex(page[:i], `"`)
	return page[j+1 : i+len(file)+1]
}

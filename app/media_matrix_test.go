package app_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"net/http"
	"testing"

	"passhub/app/media"
)

// TestMediaPublicMatrix: GET and HEAD /media/:id/:name are public, as the pages that show the
// files are: every persona, logged in or not, gets the file, and a 404 for an unknown id. The
// library's own routes are rows of TestAccessMatrix.
func TestMediaPublicMatrix(t *testing.T) {
	t.Parallel()
	w := buildWorld(t)
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 3, 2))); err != nil {
		t.Fatal(err)
	}
	m, err := w.s.Media.Add(context.Background(), media.Actor{Name: "matrice"}, media.Upload{Name: "logo.png",
		Src: io.NewSectionReader(bytes.NewReader(b.Bytes()), 0, int64(b.Len())), Alt: "Logo"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range personas {
		for path, want := range map[string]int{m.URL(): 200, "/media/999999/logo.png": 404} {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				req, _ := http.NewRequest(method, w.s.URL+path, nil)
				req.Header.Set("Cookie", w.cookies[p])
				if res, _ := w.s.Do(t, req); res.StatusCode != want {
					t.Errorf("%s %s as %s = %d, want %d", method, path, p, res.StatusCode, want)
				}
			}
		}
	}
}

package web

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
	"testing/fstest"
)

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return b.Bytes()
}

// TestAssetsKeepCompressedForms: text files get Brotli and gzip forms, a .gz written beside a
// file is used when it holds that file, a stale one is ignored (and never published), and fonts
// stay as they are.
func TestAssetsKeepCompressedForms(t *testing.T) {
	css := strings.Repeat("body { color: #1a1a1a; }\n", 100)
	js := strings.Repeat("console.log('pass');\n", 100)
	fsys := fstest.MapFS{
		"css/a.css":           {Data: []byte(css)},
		"css/a.css.gz":        {Data: gz(t, css)},
		"js/b.js":             {Data: []byte(js)},
		"js/b.js.gz":          {Data: gz(t, "an older build of b.js, with other content in it, long enough")},
		"vendor/f/font.woff2": {Data: bytes.Repeat([]byte{1, 2, 3}, 200)},
		"vendor/f/orphan.gz":  {Data: gz(t, "no file beside it")},
	}
	a, err := NewAssets(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if f := a.files["css/a.css"]; f.br == nil || !bytes.Equal(f.gz, fsys["css/a.css.gz"].Data) {
		t.Errorf("css: br %d bytes, gz from the file %v", len(f.br), bytes.Equal(f.gz, fsys["css/a.css.gz"].Data))
	}
	if f := a.files["js/b.js"]; f.gz == nil || bytes.Equal(f.gz, fsys["js/b.js.gz"].Data) || !decompressesTo(f.gz, []byte(js), ".gz") {
		t.Error("js: the stale .gz was used")
	}
	if f := a.files["vendor/f/font.woff2"]; f.br != nil || f.gz != nil {
		t.Error("a font was compressed")
	}
	if a.Has("css/a.css.gz") || a.Has("js/b.js.gz") || !a.Has("vendor/f/orphan.gz") {
		t.Error("compressed forms are published as files of their own, or a plain .gz is not")
	}
}

func TestAcceptedEncoding(t *testing.T) {
	for header, want := range map[string]string{
		"gzip, deflate, br, zstd": "br deflate gzip zstd",
		"br;q=0, gzip;q=0.8":      "gzip",
		"BR":                      "br",
		"":                        "",
		"identity":                "identity",
	} {
		got := AcceptedEncoding(header)
		var names []string
		for _, n := range []string{"br", "deflate", "gzip", "identity", "zstd"} {
			if got[n] {
				names = append(names, n)
			}
		}
		if strings.Join(names, " ") != want {
			t.Errorf("%q: %v, want %q", header, names, want)
		}
	}
}

package workspace_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"passhub/app/workspace"
)

// zipOf writes an archive of the named entries, and of forged ones that declare the given
// expanded sizes without holding them (as zip bombs' headers do).
func zipOf(t *testing.T, entries map[string]string, forged map[string]uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, body := range entries {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(body))
	}
	for name, size := range forged {
		f, err := w.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CompressedSize64: 2, UncompressedSize64: size})
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte{3, 0})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSniffArchives(t *testing.T) {
	docx := zipOf(t, map[string]string{"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}, nil)
	odt := zipOf(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office/>"}, nil)
	many := map[string]string{}
	for i := 0; i <= workspace.MaxArchiveEntries; i++ {
		many[strconv.Itoa(i)] = ""
	}
	longNames := map[string]string{}
	for i := 0; i < 1100; i++ {
		longNames[strconv.Itoa(i)+strings.Repeat("n", 2000)] = ""
	}
	cases := []struct {
		name string
		data []byte
		err  error
	}{
		{"verbale.docx", docx, nil},
		{"verbale.odt", odt, nil},
		{"allegati.zip", docx, nil},
		{"verbale.docx", zipOf(t, map[string]string{"a.txt": "a"}, nil), workspace.ErrMismatch},
		{"verbale.odt", zipOf(t, map[string]string{"mimetype": "application/x-other"}, nil), workspace.ErrMismatch},
		{"verbale.ods", odt, workspace.ErrMismatch}, // a text document named as a spreadsheet
		{"rotto.zip", []byte("PK\x03\x04\x14\x00\x00\x00"), workspace.ErrArchive},
		{"bomba.zip", zipOf(t, nil, map[string]uint64{"zero.bin": 2 << 30}), workspace.ErrArchive},
		{"bomba.zip", zipOf(t, nil, map[string]uint64{"a": 600 << 20, "b": 600 << 20}), workspace.ErrArchive},
		{"molti.zip", zipOf(t, many, nil), workspace.ErrArchive},
		{"nomi.zip", zipOf(t, longNames, nil), workspace.ErrArchive},
	}
	for _, c := range cases {
		start := time.Now()
		_, err := workspace.Sniff(c.name, c.data)
		if !errors.Is(err, c.err) {
			t.Errorf("%s (%d bytes): %v, want %v", c.name, len(c.data), err, c.err)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("%s: checked in %v", c.name, took)
		}
	}
}

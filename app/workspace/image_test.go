package workspace_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"testing"

	"passhub/app/workspace"
)

func TestSniffImages(t *testing.T) {
	small := image.NewGray(image.Rect(0, 0, 8, 8))
	var p, j bytes.Buffer
	if err := png.Encode(&p, small); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&j, small, nil); err != nil {
		t.Fatal(err)
	}
	// A PNG whose header declares 100,000 × 100,000 pixels (its checksum right): ten gigapixels
	// that a viewer would try to allocate.
	bigPNG := bytes.Clone(p.Bytes())
	ihdr := bytes.Index(bigPNG, []byte("IHDR"))
	binary.BigEndian.PutUint32(bigPNG[ihdr+4:], 100_000)
	binary.BigEndian.PutUint32(bigPNG[ihdr+8:], 100_000)
	binary.BigEndian.PutUint32(bigPNG[ihdr+17:], crc32.ChecksumIEEE(bigPNG[ihdr:ihdr+17]))
	// A JPEG whose frame header declares 60,000 × 60,000.
	bigJPEG := bytes.Clone(j.Bytes())
	sof := bytes.Index(bigJPEG, []byte{0xff, 0xc0})
	binary.BigEndian.PutUint16(bigJPEG[sof+5:], 60_000)
	binary.BigEndian.PutUint16(bigJPEG[sof+7:], 60_000)
	cases := []struct {
		name string
		data []byte
		err  error
	}{
		{"foto.png", p.Bytes(), nil},
		{"foto.jpg", j.Bytes(), nil},
		{"enorme.png", bigPNG, workspace.ErrImage},
		{"enorme.jpg", bigJPEG, workspace.ErrImage},
		{"troncata.png", p.Bytes()[:20], workspace.ErrImage},
	}
	for _, c := range cases {
		if _, err := workspace.Sniff(c.name, c.data); !errors.Is(err, c.err) {
			t.Errorf("%s: %v, want %v", c.name, err, c.err)
		}
	}
}

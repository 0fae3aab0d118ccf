package workspace

import (
	"errors"
	"image"
	_ "image/jpeg" // DecodeConfig reads JPEG headers
	_ "image/png"  // and PNG headers
	"io"
)

// MaxImagePixels bounds the pixels an uploaded image declares: a 10,000 × 10,000 scan. Only the
// header is read; the server never decodes the pixels, but the people who open the file do.
const MaxImagePixels = 100_000_000

// ErrImage refuses an image whose header cannot be read or declares more than MaxImagePixels.
var ErrImage = errors.New("workspace: the image is damaged or has more pixels than the limit")

// checkImage reads a PNG or JPEG header and checks its dimensions.
func checkImage(src io.ReaderAt, size int64) error {
	cfg, _, err := image.DecodeConfig(io.NewSectionReader(src, 0, size))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return ErrImage
	}
	return nil
}

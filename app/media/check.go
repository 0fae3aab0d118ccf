package media

import (
	"errors"
	"image"
	_ "image/gif"  // DecodeConfig reads GIF headers
	_ "image/jpeg" // JPEG headers
	_ "image/png"  // PNG headers
	"io"
	"net/http"
	"path"
	"strings"

	_ "golang.org/x/image/webp" // and WebP headers

	"passhub/app/content"
	"passhub/app/workspace"
)

// Limits of an image: its header is read within MaxHeaderBytes (the pixels are never decoded),
// and it may declare at most MaxSide pixels on a side and MaxPixels in all.
const (
	MaxHeaderBytes = 2 << 20
	MaxSide        = 12_000
	MaxPixels      = 50_000_000
)

// The message ids of what is wrong with an upload, by field (form.Errors).
const (
	ErrMsgNoFile     = "media.error.nofile"
	ErrMsgEmpty      = "media.error.empty"
	ErrMsgTooLarge   = "media.error.large"
	ErrMsgType       = "media.error.type"
	ErrMsgMismatch   = "media.error.mismatch"
	ErrMsgImage      = "media.error.image"
	ErrMsgDimensions = "media.error.dimensions"
	ErrMsgArchive    = "media.error.archive"
	ErrMsgAlt        = "media.error.alt"
	ErrMsgAltLong    = "media.error.alt_long"
	ErrMsgTitleLong  = "media.error.title_long"
)

// imageTypes maps the image types found by content to the extensions they may carry.
var imageTypes = map[string][]string{
	"image/png":  {".png"},
	"image/jpeg": {".jpg", ".jpeg"},
	"image/gif":  {".gif"},
	"image/webp": {".webp"},
}

// documentTypes maps the extensions of the documents accepted to the type they are served with.
var documentTypes = map[string]string{
	".pdf":  "application/pdf",
	".odt":  "application/vnd.oasis.opendocument.text",
	".ods":  "application/vnd.oasis.opendocument.spreadsheet",
	".odp":  "application/vnd.oasis.opendocument.presentation",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".csv":  "text/csv; charset=utf-8",
	".txt":  "text/plain; charset=utf-8",
}

// Extensions lists the extensions the library accepts, for the upload form's hint and accept.
var Extensions = []string{".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".odt", ".ods", ".odp", ".docx", ".xlsx", ".pptx", ".csv", ".txt"}

// found is what the content of an upload turned out to be.
type found struct {
	kind          Kind
	contentType   string
	width, height int
}

// errCheck carries the message id of a refused file.
type errCheck string

func (e errCheck) Error() string { return string(e) }

// check finds what the file named name is from its content, read where it lies: its first 512
// bytes, an image's header (at most MaxHeaderBytes), an archive's directory. The extension must
// agree with the content. Documents go through the workspace's checks (workspace.SniffFrom).
func check(name string, src io.ReaderAt, size int64) (found, error) {
	if size <= 0 {
		return found{}, errCheck(ErrMsgEmpty)
	}
	head := make([]byte, min(size, 512))
	if n, err := src.ReadAt(head, 0); err != nil && !(err == io.EOF && int64(n) == size) {
		return found{}, err
	}
	ext := strings.ToLower(path.Ext(name))
	detected := strings.TrimSpace(strings.Split(http.DetectContentType(head), ";")[0])
	if exts, ok := imageTypes[detected]; ok {
		for _, e := range exts {
			if e == ext {
				return checkImage(detected, src, size)
			}
		}
		if _, doc := documentTypes[ext]; doc || isImageExt(ext) {
			return found{}, errCheck(ErrMsgMismatch)
		}
		return found{}, errCheck(ErrMsgType)
	}
	if isImageExt(ext) {
		return found{}, errCheck(ErrMsgMismatch) // a .png that is not a PNG
	}
	ct, ok := documentTypes[ext]
	if !ok {
		return found{}, errCheck(ErrMsgType)
	}
	if _, err := workspace.SniffFrom(name, src, size); err != nil {
		switch {
		case errors.Is(err, workspace.ErrArchive):
			return found{}, errCheck(ErrMsgArchive)
		case errors.Is(err, workspace.ErrMismatch), errors.Is(err, workspace.ErrFileType):
			return found{}, errCheck(ErrMsgMismatch) // a .pdf that is not a PDF
		case errors.Is(err, workspace.ErrEmptyFile):
			return found{}, errCheck(ErrMsgEmpty)
		}
		return found{}, err
	}
	return found{kind: KindDocument, contentType: ct}, nil
}

func isImageExt(ext string) bool {
	for _, exts := range imageTypes {
		for _, e := range exts {
			if e == ext {
				return true
			}
		}
	}
	return false
}

// checkImage reads the image's header, at most MaxHeaderBytes, and checks its dimensions.
func checkImage(ct string, src io.ReaderAt, size int64) (found, error) {
	cfg, format, err := image.DecodeConfig(io.LimitReader(io.NewSectionReader(src, 0, size), MaxHeaderBytes))
	if err != nil || "image/"+format != ct {
		return found{}, errCheck(ErrMsgImage)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return found{}, errCheck(ErrMsgImage)
	}
	if cfg.Width > MaxSide || cfg.Height > MaxSide || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return found{}, errCheck(ErrMsgDimensions)
	}
	return found{kind: KindImage, contentType: ct, width: cfg.Width, height: cfg.Height}, nil
}

// urlName is the name of a medium in its URL: the file name's words as a slug, and its extension
// in lower case ("Foto piazza Duomo.JPG" is "foto-piazza-duomo.jpg").
func urlName(name string) string {
	ext := strings.ToLower(path.Ext(name))
	base := content.Slugify(strings.TrimSuffix(name, path.Ext(name)))
	if base == "" {
		base = "file"
	}
	return base + ext
}

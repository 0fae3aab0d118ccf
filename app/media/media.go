// Package media is the newsroom's media library: images and documents uploaded once through the
// storage port and reused in any entry by their public URL, /media/ID/name. The service owns the
// rules (kinds checked by content, image headers read within bounds, alt text required for
// images, no deletion while a revision uses the file); the handlers serve the library under
// /redazione/media, the picker of the entry editor and the public files.
package media

import (
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Kind is what a medium is: an image shown in the page, or a document linked from it.
type Kind string

// The kinds of media.
const (
	KindImage    Kind = "image"
	KindDocument Kind = "document"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindImage || k == KindDocument }

// Media is one uploaded file of the library. Its bytes are the storage object StorageKey, which
// never changes: a new file is a new medium.
type Media struct {
	bun.BaseModel `bun:"table:media"`

	ID   int64 `bun:"id,pk,autoincrement"`
	Kind Kind  `bun:"kind"`
	// Name is the uploaded file's name, cleaned (storage.CleanName); URLName is the name in its
	// URL, lower-case letters, digits and dashes with the extension.
	Name    string `bun:"name"`
	URLName string `bun:"url_name"`
	Title   string `bun:"title"`
	// Alt is the text alternative of an image (required for images).
	Alt         string `bun:"alt"`
	ContentType string `bun:"content_type"` // as found by content, never as the browser said
	Size        int64  `bun:"size"`
	SHA256      string `bun:"sha256"`
	// Width and Height are an image's dimensions in pixels (0 for documents).
	Width      int       `bun:"width"`
	Height     int       `bun:"height"`
	StorageKey string    `bun:"storage_key"`
	UploadedBy int64     `bun:"uploaded_by,nullzero"`
	Uploader   string    `bun:"uploader"` // the uploader's name, kept when the account goes
	CreatedAt  time.Time `bun:"created_at"`
	UpdatedAt  time.Time `bun:"updated_at"`
}

// Path is the medium's public URL path prefix, "/media/ID/": what a revision that uses it
// contains.
func Path(id int64) string { return "/media/" + strconv.FormatInt(id, 10) + "/" }

// URL is the medium's public URL path.
func (m Media) URL() string { return Path(m.ID) + m.URLName }

// Image reports whether the medium is an image.
func (m Media) Image() bool { return m.Kind == KindImage }

// Label is what a link to the medium says: its title, or its file name.
func (m Media) Label() string {
	if m.Title != "" {
		return m.Title
	}
	return m.Name
}

// Snippet is the Markdown that shows the medium in an entry: ![alt](/media/ID/name.png) for an
// image, [title](/media/ID/name.pdf) for a document (its file name when it has no title).
func (m Media) Snippet() string {
	if m.Image() {
		return "![" + escapeText(m.Alt) + "](" + m.URL() + ")"
	}
	return "[" + escapeText(m.Label()) + "](" + m.URL() + ")"
}

// escapeText makes s safe inside the brackets of a Markdown link or image.
var escapeText = strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, "\n", " ", "\r", " ").Replace

// Inline reports whether browsers show the medium in place (images and PDF) rather than saving
// it.
func (m Media) Inline() bool { return m.Image() || m.ContentType == "application/pdf" }

// Extension is the file's extension in capitals, for the library's "type" column ("PNG", "PDF").
func (m Media) Extension() string {
	i := strings.LastIndex(m.URLName, ".")
	if i < 0 {
		return ""
	}
	return strings.ToUpper(m.URLName[i+1:])
}

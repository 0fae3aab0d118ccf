package web

import (
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/text/unicode/norm"

	"passhub/app/storage"
)

// Attachment makes the response a download saved as name (cleaned as uploaded names are).
func Attachment(c *fiber.Ctx, name string) {
	c.Set(fiber.HeaderContentDisposition, ContentDisposition(name))
}

// ContentDisposition is the header value of a download named name (RFC 6266): a quoted ASCII
// filename every client reads, and, when the name is not plain ASCII, filename* with the name
// itself in UTF-8 (RFC 5987), which current browsers prefer.
func ContentDisposition(name string) string {
	name = storage.CleanName(name, "download")
	fallback := asciiName(name)
	v := `attachment; filename="` + fallback + `"`
	if fallback != name {
		v += "; filename*=UTF-8''" + pctEncode(name)
	}
	return v
}

// InlineDisposition is ContentDisposition for a file browsers show in place (an image, a PDF),
// named name when saved.
func InlineDisposition(name string) string {
	return "inline" + strings.TrimPrefix(ContentDisposition(name), "attachment")
}

// asciiName is name with accents dropped and every other character outside printable ASCII, and
// the quote, backslash and percent sign, replaced by "_".
func asciiName(name string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%':
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// pctEncode percent-encodes every byte of s that is not an RFC 5987 attr-char.
func pctEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

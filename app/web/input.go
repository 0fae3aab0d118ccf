package web

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
)

// ErrInvalidInput is raised when the path, the query or a form field holds bytes no text field can:
// invalid UTF-8, or a control character other than tab and line breaks (a NUL byte, for instance).
var ErrInvalidInput = errors.New("web: the request holds invalid characters")

// validText reports whether b is UTF-8 text without control characters other than tab, CR and LF.
func validText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return utf8.Valid(b)
}

// validInput refuses, before any handler sees it, a request whose path, query parameters or form
// fields (URL-encoded or multipart, files excepted) are not valid text: the person gets a 400 page
// saying so, and nothing reaches the services or the database.
func validInput(c *fiber.Ctx) error {
	ok := validText(c.Context().URI().Path()) // decoded
	visit := func(k, v []byte) {
		if ok && (!validText(k) || !validText(v)) {
			ok = false
		}
	}
	c.Context().QueryArgs().VisitAll(visit)
	if ok && c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		ct := strings.ToLower(c.Get(fiber.HeaderContentType))
		switch {
		case strings.HasPrefix(ct, fiber.MIMEApplicationForm):
			c.Context().PostArgs().VisitAll(visit)
		case strings.HasPrefix(ct, fiber.MIMEMultipartForm):
			if form, err := c.MultipartForm(); err == nil {
				for k, vs := range form.Value {
					for _, v := range vs {
						visit([]byte(k), []byte(v))
					}
				}
			}
		}
	}
	if !ok {
		return ErrInvalidInput
	}
	return c.Next()
}

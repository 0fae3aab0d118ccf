package web

import (
	"errors"
	"io"
	"net"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// Request bodies are streamed (fiber.Config.StreamRequestBody): fasthttp reads a request's headers
// and at most the first streamPrefetch bytes of its body, then runs the handlers, and readBody
// reads the rest off the connection. A multipart form is parsed as it arrives, its files spooled
// to temporary files (mime/multipart, in os.TempDir) beyond a few KiB, so an upload costs the
// server little memory whatever its size; any other body is read whole, as before, since its
// handlers want its bytes. The temporary files go when the request ends.

// streamPrefetch is how much of a streamed body fasthttp reads before the handlers run.
const streamPrefetch = 8 << 10

// readBody reads the request's body within the body limit, before any other middleware looks at
// it: a Content-Length above the limit is refused with 413 at once, and so is a chunked body once
// it goes past the limit. A body that stops short or arrives too slowly (BodyDeadline) is refused
// too, and no handler sees it.
func (s *Server) readBody(c *fiber.Ctx) error {
	req := c.Request()
	n := req.Header.ContentLength()
	if n > s.bodyLimit {
		return fiber.ErrRequestEntityTooLarge
	}
	if !req.IsBodyStream() || n == 0 {
		return c.Next() // no body, or one fasthttp has read already (streaming off)
	}
	body := &limitedBody{r: req.BodyStream(), length: n, limit: s.bodyLimit}
	if len(req.Header.MultipartFormBoundary()) > 0 {
		req.SetBodyStream(body, n) // the limit counts the bytes on the wire, compressed or not
		if _, err := req.MultipartFormWithLimit(s.bodyLimit); err != nil {
			return body.refusal(err)
		}
		defer req.RemoveMultipartFormFiles() // fasthttp would too, but only once the answer is sent
		return c.Next()
	}
	var b []byte
	var err error
	if n > 0 {
		b = make([]byte, n)
		_, err = io.ReadFull(body, b)
	} else {
		b, err = io.ReadAll(body)
	}
	if err != nil {
		return body.refusal(err)
	}
	req.SetBodyRaw(b)
	return c.Next()
}

// limitedBody reads a streamed body, failing past limit bytes and when the client stops before
// its Content-Length.
type limitedBody struct {
	r        io.Reader
	length   int // Content-Length, or -1 when chunked
	limit    int
	read     int
	tooLarge bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.tooLarge {
		return 0, fasthttp.ErrBodyTooLarge
	}
	if room := b.limit + 1 - b.read; len(p) > room {
		p = p[:room]
	}
	n, err := b.r.Read(p)
	b.read += n
	if b.read > b.limit {
		b.tooLarge = true
		return n, fasthttp.ErrBodyTooLarge
	}
	if err == io.EOF && b.length >= 0 && b.read < b.length {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// refusal is the answer to a body that could not be read: 413 past the limit, 408 when the
// client was too slow, 400 otherwise (cut short, or a malformed multipart form).
func (b *limitedBody) refusal(err error) error {
	var ne net.Error
	switch {
	case b.tooLarge || errors.Is(err, fasthttp.ErrBodyTooLarge):
		return fiber.ErrRequestEntityTooLarge
	case errors.As(err, &ne) && ne.Timeout():
		return fiber.ErrRequestTimeout
	}
	return fiber.ErrBadRequest
}

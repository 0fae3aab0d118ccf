package web

import (
	"bufio"
	"context"
	"io"

	"github.com/gofiber/fiber/v2"
)

// SendStored sends a stored file as a download named name: the body is copied from f as the
// client reads it (never held whole in memory), and f is closed once sent. size is the stored
// size (Content-Length), or -1 when unknown.
func SendStored(c *fiber.Ctx, f io.ReadCloser, ctype, name string, size int64) error {
	c.Set(fiber.HeaderContentType, ctype)
	Attachment(c, name)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	if size < 0 {
		size = -1
	}
	c.Context().SetBodyStream(f, int(size)) // fasthttp closes f after the body is written
	return nil
}

// StreamBody sends a body that write produces as it goes (a ZIP built over the response), with
// chunked encoding. The handler has returned by the time write runs, so write gets a context
// that outlives the request's own; an error can no longer change the status: it is logged and the
// body ends short, which the client sees as a broken download.
func (s *Server) StreamBody(c *fiber.Ctx, write func(ctx context.Context, w io.Writer) error) {
	log := s.log
	ctx := context.WithoutCancel(c.UserContext())
	path := c.Path()
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := write(ctx, w); err != nil && log != nil {
			log.Warn("streamed response ended short", "path", path, "err", err)
		}
		_ = w.Flush()
	})
}

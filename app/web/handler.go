package web

import (
	"errors"
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
)

// This file holds what every package's handlers share (see "One way to write a handler" in
// docs/decisions.md): the route's ids, the actor, field messages, the mapping of a package's
// errors to a status and a message, and sending a stored file.

// ErrBadID is the error of a route whose id is not a number: a 400 page saying so.
var ErrBadID = errors.New("web: the address names no valid id")

// ID reads the numeric route parameter name; one that is not a positive number is ErrBadID (400,
// with a message).
func ID(c *fiber.Ctx, name string) (int64, error) {
	n, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, ErrBadID
	}
	return n, nil
}

// IDOrZero reads the numeric route parameter name, 0 when it is not one: for routes whose loader
// answers a missing id as it answers a missing object (a 404 that leaks nothing).
func IDOrZero(c *fiber.Ctx, name string) int64 {
	n, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// Actor is who acts in a request, for the audit trail: the subject's user id and name and the
// client's address. Each domain's Actor (audit.Actor) has the same fields, so Actor converts to it.
type Actor struct {
	UserID int64
	Name   string
	IP     string
}

// ActorOf is the request's subject as an actor.
func ActorOf(c *fiber.Ctx) Actor {
	s := access.Of(c)
	return Actor{UserID: s.UserID, Name: s.Name, IP: c.IP()}
}

// Messages translates a form's field errors (field name → message id) into the request's
// language, for the form's fields and FieldErrors' summary.
func (s *Server) Messages(c *fiber.Ctx, errs map[string]string) map[string]string {
	out := make(map[string]string, len(errs))
	for k, id := range errs {
		out[k] = s.T(c, id)
	}
	return out
}

// Status is how a handler answers one of its package's errors: the status code and the message
// id (with its arguments, if any) shown to the user, next to Field when the error is about one
// field of the form ("" when it is about the whole form).
type Status struct {
	Code    int
	Message string
	Args    []any
	Field   string
}

// Errors maps a package's errors to their Status; each package declares its table once and its
// handlers look errors up in it instead of switching on them one by one.
type Errors map[error]Status

// Of returns the Status of err: that of the outermost error of err's chain the table names.
func (e Errors) Of(err error) (Status, bool) {
	if err == nil {
		return Status{}, false
	}
	if st, ok := e[err]; ok {
		return st, true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return e.Of(u.Unwrap())
	case interface{ Unwrap() []error }:
		for _, x := range u.Unwrap() {
			if st, ok := e.Of(x); ok {
				return st, true
			}
		}
	}
	return Status{}, false
}

// Say is the message of st in the request's language.
func (s *Server) Say(c *fiber.Ctx, st Status) string { return s.T(c, st.Message, st.Args...) }

// SendFile sends a stored file as a download saved as name (Content-Disposition with filename*
// when the name is not ASCII), of type ctype and size bytes, never cached by shared caches. It
// closes body when it is an io.Closer. size (-1 when unknown) is the length the body will be
// streamed with; today the body is read whole and sent.
func SendFile(c *fiber.Ctx, body io.Reader, name, ctype string, size int64) error {
	if cl, ok := body.(io.Closer); ok {
		defer cl.Close()
	}
	c.Set(fiber.HeaderContentType, ctype)
	Attachment(c, name)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	data, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	return c.Send(data)
}

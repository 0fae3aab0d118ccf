package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"passhub/app/db"
)

// Errors the web layer itself raises.
var (
	ErrCSRF        = errors.New("web: missing or wrong CSRF token")
	ErrRateLimited = errors.New("web: too many requests")
)

// RetryAfter is the Retry-After, in seconds, of an answer 503 (the database did not answer in
// time).
const RetryAfter = "5"

// statusOf maps an error to the status code its page is served with.
func statusOf(err error) int {
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		return fe.Code
	case db.Unavailable(err):
		return fiber.StatusServiceUnavailable
	case errors.Is(err, db.ErrNotFound):
		return fiber.StatusNotFound
	case errors.Is(err, ErrCSRF):
		return fiber.StatusForbidden
	case errors.Is(err, ErrRateLimited):
		return fiber.StatusTooManyRequests
	case errors.Is(err, db.ErrConflict):
		return fiber.StatusConflict
	case errors.Is(err, ErrInvalidInput), errors.Is(err, ErrBadID):
		return fiber.StatusBadRequest
	}
	return fiber.StatusInternalServerError
}

// handleError renders the theme's error page for err; internal errors are logged and never shown.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	var replay interface{ RedirectURL() string }
	if errors.As(err, &replay) {
		return s.replayed(c, replay.RedirectURL())
	}
	code := statusOf(err)
	if code >= 500 {
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	c.Status(code)
	if code == fiber.StatusServiceUnavailable && len(c.Response().Header.Peek(fiber.HeaderRetryAfter)) == 0 {
		c.Set(fiber.HeaderRetryAfter, RetryAfter)
	}
	key := errorKey(code)
	if errors.Is(err, ErrInvalidInput) {
		key = "websec.input"
	}
	if errors.Is(err, ErrBadID) {
		key = "websec.id"
	}
	if isAPI(c) {
		return c.JSON(fiber.Map{"error": fiber.Map{"status": code, "message": s.T(c, key+".message")}})
	}
	data := fiber.Map{"Status": code, "Title": s.T(c, key+".title"), "Message": s.T(c, key+".message", "Max", s.MaxUploadMB())}
	if code == fiber.StatusRequestEntityTooLarge {
		data["Back"] = s.sameSiteReferer(c) // back to the form, to choose a smaller file
	}
	if rerr := s.Page(c, "pages/error", data); rerr != nil {
		s.log.Error("error page failed", "err", rerr)
		return c.SendString(s.T(c, key+".title"))
	}
	return nil
}

// sameSiteReferer is the path (and query) of the page the request came from when it is a page of
// this site, or "".
func (s *Server) sameSiteReferer(c *fiber.Ctx) string {
	ref, err := url.Parse(c.Get(fiber.HeaderReferer))
	if err != nil || ref.Host == "" {
		return ""
	}
	if base, berr := url.Parse(s.baseURL); ref.Host != c.Hostname() && (berr != nil || ref.Host != base.Host) {
		return ""
	}
	if !strings.HasPrefix(ref.Path, "/") || strings.HasPrefix(ref.Path, "//") {
		return ""
	}
	back := ref.EscapedPath()
	if ref.RawQuery != "" {
		back += "?" + ref.RawQuery
	}
	return back
}

// errorKey is the i18n prefix of the page for status code: error.404, error.500…
func errorKey(code int) string {
	switch code {
	case 401, 403, 404, 405, 409, 413, 429, 503:
		return "error." + strconv.Itoa(code)
	}
	if code >= 500 {
		return "error.500"
	}
	return "error.400"
}

// replayed answers a form submitted again (a retry, a double click): the first submission's
// result at url, or a 409 page saying the form was already submitted.
func (s *Server) replayed(c *fiber.Ctx, url string) error {
	if url != "" {
		if IsHTMX(c) {
			c.Set("HX-Redirect", url)
			return c.SendStatus(fiber.StatusOK)
		}
		return c.Redirect(url, fiber.StatusSeeOther)
	}
	c.Status(fiber.StatusConflict)
	if isAPI(c) {
		return c.JSON(fiber.Map{"error": fiber.Map{"status": 409, "message": s.T(c, "once.replayed.message")}})
	}
	return s.Page(c, "pages/error", fiber.Map{"Status": 409, "Title": s.T(c, "once.replayed.title"), "Message": s.T(c, "once.replayed.message")})
}

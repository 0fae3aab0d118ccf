package web

import (
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

var (
	errStale = errors.New("stale")
	errOther = errors.New("other")
)

// TestErrorsTable: an error is found through its chain (wrapped, joined), the outermost named
// error wins, and an error the table does not name is not found.
func TestErrorsTable(t *testing.T) {
	table := Errors{errStale: {Code: 409, Message: "stale"}, ErrBadID: {Code: 400, Message: "id", Field: "x"}}
	cases := []struct {
		err  error
		code int
	}{
		{errStale, 409},
		{fmt.Errorf("saving: %w", errStale), 409},
		{errors.Join(errOther, fmt.Errorf("x: %w", errStale)), 409},
		{fmt.Errorf("a: %w", fmt.Errorf("b: %w", ErrBadID)), 400},
		{errOther, 0},
		{nil, 0},
	}
	for _, c := range cases {
		st, ok := table.Of(c.err)
		if ok != (c.code != 0) || st.Code != c.code {
			t.Errorf("Of(%v) = %+v, %v; want %d", c.err, st, ok, c.code)
		}
	}
}

// TestIDs: ID refuses what is not a positive number with ErrBadID, a 400; IDOrZero reads 0.
func TestIDs(t *testing.T) {
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error { return c.SendStatus(statusOf(err)) }})
	app.Get("/x/:id", func(c *fiber.Ctx) error {
		id, err := ID(c, "id")
		if err != nil {
			return err
		}
		return c.SendString(fmt.Sprint(id, " ", IDOrZero(c, "id")))
	})
	for path, want := range map[string]string{"/x/12": "200 12 12", "/x/abc": "400", "/x/-3": "400", "/x/0": "400", "/x/99999999999999999999": "400"} {
		res, err := app.Test(httptest.NewRequest("GET", path, nil))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		got := fmt.Sprint(res.StatusCode)
		if res.StatusCode == 200 {
			got += " " + string(body)
		}
		if got != want {
			t.Errorf("GET %s: %s, want %s", path, got, want)
		}
	}
}

type closer struct {
	io.Reader
	closed bool
}

func (c *closer) Close() error { c.closed = true; return nil }

// TestSendFile: a stored file goes out whole as a private download named with filename*, and its
// body is closed.
func TestSendFile(t *testing.T) {
	body := &closer{Reader: strings.NewReader("contenuto")}
	app := fiber.New()
	app.Get("/f", func(c *fiber.Ctx) error { return SendFile(c, body, "città.pdf", "application/pdf", 9) })
	res, err := app.Test(httptest.NewRequest("GET", "/f", nil))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	if string(got) != "contenuto" || !body.closed {
		t.Errorf("body %q, closed %v", got, body.closed)
	}
	for h, want := range map[string]string{"Content-Type": "application/pdf", "Cache-Control": "private, no-store",
		"Content-Disposition": `attachment; filename="citta.pdf"; filename*=UTF-8''citt%C3%A0.pdf`} {
		if v := res.Header.Get(h); v != want {
			t.Errorf("%s: %q, want %q", h, v, want)
		}
	}
}

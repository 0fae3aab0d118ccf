package web

import (
	"io"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// TestMountTriesTheMostSpecificFirst: whatever the order of the table, a static route is tried
// before the parametric one that would take its requests.
func TestMountTriesTheMostSpecificFirst(t *testing.T) {
	say := func(s string) fiber.Handler { return func(c *fiber.Ctx) error { return c.SendString(s) } }
	tables := [][]Route{
		{{"GET", "/r/:id", []fiber.Handler{say("id")}}, {"GET", "/r/nuova", []fiber.Handler{say("nuova")}}, {"GET", "/r/:id/*", []fiber.Handler{say("rest")}}, {"GET", "/r/:id/a", []fiber.Handler{say("a")}}},
		{{"GET", "/r/:id/*", []fiber.Handler{say("rest")}}, {"GET", "/r/:id/a", []fiber.Handler{say("a")}}, {"GET", "/r/nuova", []fiber.Handler{say("nuova")}}, {"GET", "/r/:id", []fiber.Handler{say("id")}}},
	}
	for i, table := range tables {
		app := fiber.New()
		Mount(app, table)
		for path, want := range map[string]string{"/r/nuova": "nuova", "/r/12": "id", "/r/12/a": "a", "/r/12/b": "rest"} {
			res, err := app.Test(httptest.NewRequest("GET", path, nil))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			if string(body) != want {
				t.Errorf("table %d: GET %s answered %q, want %q", i, path, body, want)
			}
		}
	}
}

package web

import "github.com/gofiber/fiber/v2"

const dataLocal = "web.data"

// SetData adds key to the data of the page the request renders, for a middleware that serves a
// template included in another package's page (the media picker in the entry editor). The
// handler's own data wins over it.
func SetData(c *fiber.Ctx, key string, value any) {
	m, _ := c.Locals(dataLocal).(fiber.Map)
	if m == nil {
		m = fiber.Map{}
		c.Locals(dataLocal, m)
	}
	m[key] = value
}

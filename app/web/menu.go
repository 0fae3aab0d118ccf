package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// MenuItem is one entry of the reserved area's menu: a link, or a group of links when it has
// children. Label is a message id; Name, when set, is content (an ente's name) shown after it.
type MenuItem struct {
	URL      string
	Label    string
	Name     string
	Exact    bool // current only on URL itself, not on the pages below it
	Children []MenuItem
}

// Current reports whether the page at path belongs to the item.
func (m MenuItem) Current(path string) bool {
	for _, c := range m.Children {
		if c.Current(path) {
			return true
		}
	}
	if m.Exact || len(m.Children) > 0 {
		return path == m.URL
	}
	return path == m.URL || strings.HasPrefix(path, m.URL+"/")
}

// SetMenu records the reserved area's menu for the page's layout.
func SetMenu(c *fiber.Ctx, items []MenuItem) { c.Locals("web.menu", items) }

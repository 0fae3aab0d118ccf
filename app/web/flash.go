package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// flashCookie carries a success message across the redirect that follows an action.
const flashCookie = "flash"

// Flash sets the message shown once on the next full page: the id of a catalogue message, kept in
// a short-lived cookie that the page showing it clears, so a reload does not show it again.
func (s *Server) Flash(c *fiber.Ctx, messageID string) { s.setFlash(c, messageID) }

// FlashWarning is Flash for an action that succeeded only in part: the message shows as a warning.
func (s *Server) FlashWarning(c *fiber.Ctx, messageID string) { s.setFlash(c, "!"+messageID) }

func (s *Server) setFlash(c *fiber.Ctx, value string) {
	if !validFlash(strings.TrimPrefix(value, "!")) {
		return
	}
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: value, Path: "/", MaxAge: 120, HTTPOnly: true,
		Secure: s.production, SameSite: fiber.CookieSameSiteLaxMode})
}

// takeFlash returns the pending flash message, translated, and whether it is a warning, and
// clears it.
func (s *Server) takeFlash(c *fiber.Ctx) (string, bool) {
	id := c.Cookies(flashCookie)
	if id == "" {
		return "", false
	}
	warning := strings.HasPrefix(id, "!")
	id = strings.TrimPrefix(id, "!")
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1, HTTPOnly: true,
		Secure: s.production, SameSite: fiber.CookieSameSiteLaxMode})
	if !validFlash(id) || !s.I18n.Has(id) {
		return "", false
	}
	return s.T(c, id), warning
}

func validFlash(id string) bool {
	if id == "" || len(id) > 100 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

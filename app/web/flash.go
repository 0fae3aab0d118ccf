package web

import (
	"encoding/base64"
	"encoding/json"
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

// flashLinkCookie carries, beside the flash message, the name it says and the link it offers.
const flashLinkCookie = "flash_link"

type flashLink struct {
	Name string `json:"n"`
	URL  string `json:"u,omitempty"`
	// Label is the message id of the link's text.
	Label string `json:"l,omitempty"`
}

// FlashLink is Flash for a message naming something ({{.Name}} in the message), followed by a link
// to it, whose text is the message label, when url is a path of this site ("" for no link).
func (s *Server) FlashLink(c *fiber.Ctx, messageID, name, url, label string) {
	if !strings.HasPrefix(url, "/") || strings.HasPrefix(url, "//") || strings.ContainsAny(url, "\\\r\n") {
		url = ""
	}
	if len(name) > 300 {
		name = name[:300]
	}
	raw, _ := json.Marshal(flashLink{Name: name, URL: url, Label: label})
	c.Cookie(&fiber.Cookie{Name: flashLinkCookie, Value: base64.RawURLEncoding.EncodeToString(raw), Path: "/", MaxAge: 120, HTTPOnly: true,
		Secure: s.production, SameSite: fiber.CookieSameSiteLaxMode})
	s.setFlash(c, messageID)
}

func (s *Server) setFlash(c *fiber.Ctx, value string) {
	if !validFlash(strings.TrimPrefix(value, "!")) {
		return
	}
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: value, Path: "/", MaxAge: 120, HTTPOnly: true,
		Secure: s.production, SameSite: fiber.CookieSameSiteLaxMode})
}

// takeFlash returns the pending flash message, translated, whether it is a warning and the link
// it offers (address and text), and clears it.
func (s *Server) takeFlash(c *fiber.Ctx) (string, bool, map[string]string) {
	var link flashLink
	if v := c.Cookies(flashLinkCookie); v != "" {
		if raw, err := base64.RawURLEncoding.DecodeString(v); err == nil {
			_ = json.Unmarshal(raw, &link)
		}
		c.Cookie(&fiber.Cookie{Name: flashLinkCookie, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1, HTTPOnly: true,
			Secure: s.production, SameSite: fiber.CookieSameSiteLaxMode})
	}
	id := c.Cookies(flashCookie)
	if id == "" {
		return "", false, nil
	}
	warning := strings.HasPrefix(id, "!")
	id = strings.TrimPrefix(id, "!")
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1, HTTPOnly: true,
		Secure: s.production, SameSite: fiber.CookieSameSiteLaxMode})
	if !validFlash(id) || !s.I18n.Has(id) {
		return "", false, nil
	}
	var a map[string]string
	if strings.HasPrefix(link.URL, "/") && !strings.HasPrefix(link.URL, "//") && validFlash(link.Label) && s.I18n.Has(link.Label) {
		a = map[string]string{"URL": link.URL, "Label": s.T(c, link.Label)}
	}
	return s.T(c, id, "Name", link.Name), warning, a
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

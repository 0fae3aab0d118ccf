package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	_ "time/tzdata" // session times are shown in Italian time wherever the server runs
)

// SessionInfo says when the viewer's session ends, for the notice every reserved page carries and
// for the warning that offers to extend it.
type SessionInfo struct {
	IdleAt, AbsoluteAt time.Time     // when it ends if left idle, and when it ends anyway
	Now                time.Time     // the server's now, from which the page counts down
	Warn               time.Duration // how long before the end the page warns
}

// IdleIn and AbsoluteIn are the seconds left before each end, WarnIn the warning's lead.
func (s SessionInfo) IdleIn() int     { return seconds(s.IdleAt.Sub(s.Now)) }
func (s SessionInfo) AbsoluteIn() int { return seconds(s.AbsoluteAt.Sub(s.Now)) }
func (s SessionInfo) WarnIn() int     { return seconds(s.Warn) }

// IdleFirst reports whether the idle timeout comes before the absolute one (and so extending
// helps).
func (s SessionInfo) IdleFirst() bool { return s.IdleAt.Before(s.AbsoluteAt) }

func seconds(d time.Duration) int {
	if d < 0 {
		return 0
	}
	return int(d / time.Second)
}

// SetSession records when the viewer's session ends, for the page.
func SetSession(c *fiber.Ctx, s SessionInfo) { c.Locals("web.session", s) }

// rome is the time zone session times are shown in.
var rome = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Rome"); err == nil {
		return l
	}
	return time.UTC
}()

// clock formats t as Italian time, "15:04", with the day when it is not the day of now.
func (s *Server) clock(lang string, t, now time.Time) string {
	t, now = t.In(rome), now.In(rome)
	hm := t.Format("15:04")
	if t.YearDay() == now.YearDay() && t.Year() == now.Year() {
		return hm
	}
	return strconv.Itoa(t.Day()) + " " + s.I18n.T(lang, "month."+strconv.Itoa(int(t.Month()))) + " " + hm
}

// Clock formats t as the page shows session times, in the request's language.
func (s *Server) Clock(c *fiber.Ctx, t, now time.Time) string { return s.clock(Lang(c), t, now) }

package web

import (
	"encoding/json"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
)

// MIMEProblem is the media type of an RFC 9457 problem body.
const MIMEProblem = "application/problem+json"

// Realm is the realm of the API's Bearer challenges.
const Realm = "PAsS API"

// Problem is an RFC 9457 problem body. It carries the API's usual error member too, so a client
// that reads error.message of every other API error reads this one the same way.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Error  struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
	} `json:"error"`
}

// SendProblem answers status with a problem body, never cached: its title is the message
// api.problem.<status>, its detail the message detail with args, in the request's language.
func (s *Server) SendProblem(c *fiber.Ctx, status int, detail string, args ...any) error {
	p := Problem{Type: "about:blank", Title: s.T(c, "api.problem."+strconv.Itoa(status)), Status: status, Detail: s.T(c, detail, args...)}
	p.Error.Status, p.Error.Message = status, p.Detail
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, MIMEProblem)
	return c.Status(status).Send(body)
}

// RefuseAPI answers a request of the headless API that may not do action: without a token 401,
// with a Bearer challenge; with a token lacking the scope 403, naming the scope (RFC 6750).
func (s *Server) RefuseAPI(c *fiber.Ctx, action access.Action) error {
	scope := access.NeededScope(action)
	if access.Of(c).Token == nil {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="`+Realm+`", scope="`+scope+`"`)
		return s.SendProblem(c, fiber.StatusUnauthorized, "api.token.required", "Scope", scope)
	}
	c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="`+Realm+`", error="insufficient_scope", scope="`+scope+`"`)
	return s.SendProblem(c, fiber.StatusForbidden, "api.token.scope", "Scope", scope)
}

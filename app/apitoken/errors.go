package apitoken

import (
	"github.com/gofiber/fiber/v2"

	"passhub/app/web"
)

// How the token handlers answer the errors of the package, declared once.
var (
	// formErrors: why a new token was refused; Field is the form field at fault.
	formErrors = web.Errors{
		ErrBadName:   {Code: fiber.StatusUnprocessableEntity, Message: "apitoken.error.name", Field: "name"},
		ErrNoScope:   {Code: fiber.StatusUnprocessableEntity, Message: "apitoken.error.scopes", Field: "scope"},
		ErrBadScope:  {Code: fiber.StatusUnprocessableEntity, Message: "apitoken.error.scopes", Field: "scope"},
		ErrBadExpiry: {Code: fiber.StatusUnprocessableEntity, Message: "apitoken.error.expiry", Field: "days"},
	}
	// authErrors: why the API refused a token (401), or its address (429).
	authErrors = web.Errors{
		ErrInvalid:   {Code: fiber.StatusUnauthorized, Message: "api.token.invalid"},
		ErrExpired:   {Code: fiber.StatusUnauthorized, Message: "api.token.expired"},
		ErrRevoked:   {Code: fiber.StatusUnauthorized, Message: "api.token.revoked"},
		ErrThrottled: {Code: fiber.StatusTooManyRequests, Message: "api.token.limited"},
	}
)

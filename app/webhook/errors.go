package webhook

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"passhub/app/db"
	"passhub/app/web"
)

// The errors of the package.
var (
	ErrURL      = errors.New("webhook: the URL is not an absolute http(s) address")
	ErrHTTPS    = errors.New("webhook: production endpoints must use https")
	ErrAddress  = errors.New("webhook: the address is private, loopback or link-local")
	ErrResolve  = errors.New("webhook: the host name does not resolve")
	ErrNoEvents = errors.New("webhook: pick at least one known event")
	// ErrDescription is a description longer than MaxDescription.
	ErrDescription = errors.New("webhook: the description is too long")
	ErrDisabled    = errors.New("webhook: the endpoint is disabled")
	// ErrTooMany is a registration beyond Options.MaxEndpoints.
	ErrTooMany = errors.New("webhook: too many endpoints")
)

// formErrors: how the admin pages answer each error, declared once.
var formErrors = web.Errors{
	ErrURL:         {Code: fiber.StatusUnprocessableEntity, Message: "webhook.error.url", Field: "url"},
	ErrHTTPS:       {Code: fiber.StatusUnprocessableEntity, Message: "webhook.error.https", Field: "url"},
	ErrAddress:     {Code: fiber.StatusUnprocessableEntity, Message: "webhook.error.address", Field: "url"},
	ErrResolve:     {Code: fiber.StatusUnprocessableEntity, Message: "webhook.error.resolve", Field: "url"},
	ErrNoEvents:    {Code: fiber.StatusUnprocessableEntity, Message: "webhook.error.events", Field: "events"},
	ErrDescription: {Code: fiber.StatusUnprocessableEntity, Message: "webhook.error.description", Args: []any{"Max", MaxDescription}, Field: "description"},
	ErrDisabled:    {Code: fiber.StatusConflict, Message: "webhook.error.disabled"},
	ErrTooMany:     {Code: fiber.StatusUnprocessableEntity, Message: "webhook.error.too_many"},
	db.ErrNotFound: {Code: fiber.StatusNotFound, Message: "webhook.error.notfound"},
}

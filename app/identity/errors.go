package identity

import (
	"github.com/gofiber/fiber/v2"

	"passhub/app/auth"
	"passhub/app/db"
	"passhub/app/web"
)

// How the identity handlers answer the errors of the package, declared here once for each page
// that shows them; an error a table does not name is the handler's to answer.
var (
	// loginErrors: why an identity provider's login was refused (any other reason says
	// login.error.refused).
	loginErrors = web.Errors{
		ErrDisabled:       {Code: fiber.StatusUnauthorized, Message: "login.error.disabled"},
		auth.ErrLevel:     {Code: fiber.StatusUnauthorized, Message: "login.error.level"},
		auth.ErrNoCode:    {Code: fiber.StatusUnauthorized, Message: "login.error.code"},
		auth.ErrCancelled: {Code: fiber.StatusUnauthorized, Message: "login.error.cancelled"},
	}
	// staffErrors: why a staff login or the enrolment of its second factor was refused.
	staffErrors = web.Errors{
		ErrBadCredentials: {Code: fiber.StatusUnauthorized, Message: "staff.error"},
		ErrLocked:         {Code: fiber.StatusTooManyRequests, Message: "staff.locked"},
		ErrThrottled:      {Code: fiber.StatusTooManyRequests, Message: "staff.limited"},
		ErrTOTPRequired:   {Code: fiber.StatusUnauthorized, Message: "staff.code_required"},
		ErrBadTOTP:        {Code: fiber.StatusUnauthorized, Message: "staff.code_wrong"},
		ErrDisabled:       {Code: fiber.StatusUnauthorized, Message: "login.error.disabled"},
	}
	// roleErrors: why an admin's grant of a role was refused.
	roleErrors = web.Errors{
		ErrBadRole:     {Code: fiber.StatusUnprocessableEntity, Message: "admin.role.bad"},
		db.ErrConflict: {Code: fiber.StatusConflict, Message: "admin.role.already"}, // granted already
	}
)

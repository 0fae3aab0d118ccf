// Package form holds what services say about bad input: the fields that are wrong, each with the
// id of a message for people, translated by the handlers.
package form

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
)

// Errors maps a form field's name to the message id explaining what is wrong with it.
type Errors map[string]string

func (e Errors) Error() string { return fmt.Sprintf("%d invalid fields", len(e)) }

// With names a message with its arguments, as alternating name, value pairs
// ("validation.too_short", "Min", 5): the catalogue fills the message's template with them.
func With(id string, args ...any) string {
	v := url.Values{}
	for i := 0; i+1 < len(args); i += 2 {
		v.Set(fmt.Sprint(args[i]), fmt.Sprint(args[i+1]))
	}
	return id + "?" + v.Encode()
}

// TooShort is the message of a text under min characters.
func TooShort(min int) string { return With("validation.too_short", "Min", min) }

// TooLong is the message of a text over max characters.
func TooLong(max int) string { return With("validation.too_long", "Max", max) }

// ValidEmail reports whether v is one plain e-mail address (no name, no angle brackets) whose
// domain has a dot: what a person types in an address field.
func ValidEmail(v string) bool {
	a, err := mail.ParseAddress(v)
	return err == nil && a.Address == v && strings.Contains(v[strings.LastIndex(v, "@")+1:], ".")
}

// Package form holds what services say about bad input: the fields that are wrong, each with the
// id of a message for people, translated by the handlers.
package form

import "fmt"

// Errors maps a form field's name to the message id explaining what is wrong with it.
type Errors map[string]string

func (e Errors) Error() string { return fmt.Sprintf("%d invalid fields", len(e)) }

package web

import "sort"

// FieldError is one entry of a form's error summary: the message about a field and a link to it.
type FieldError struct {
	ID      string // the id of the field's control, the link's target; empty when none
	Label   string
	Message string
}

// FieldErrors lists the fields of errs (field name → message) for the error summary, in the order
// given by spec, a sequence of name, control id and label triples; fields spec does not name
// come last, sorted, without a link.
func FieldErrors(errs map[string]string, spec ...string) []FieldError {
	var out []FieldError
	named := map[string]bool{}
	for i := 0; i+2 < len(spec); i += 3 {
		named[spec[i]] = true
		if msg, ok := errs[spec[i]]; ok && msg != "" {
			out = append(out, FieldError{ID: spec[i+1], Label: spec[i+2], Message: msg})
		}
	}
	var rest []string
	for name, msg := range errs {
		if !named[name] && msg != "" {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	for _, name := range rest {
		out = append(out, FieldError{Message: errs[name]})
	}
	return out
}
